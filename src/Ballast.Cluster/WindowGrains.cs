using System.Data.Common;
using Ballast.Operations.Windows;
using Ballast.Store;
using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Placement;
using Orleans.Runtime;

namespace Ballast.Cluster;

/// <summary>The coordinator of one window (key: <c>TENANT/WINDOW</c>, <see cref="ClusterWindowRequest.Key"/>): one activation in the whole cluster.</summary>
public interface IWindowCoordinator : IGrainWithStringKey
{
    /// <summary>
    /// Runs the window over the cluster, or reports its finished run. Begins the run record, has every partition evaluated
    /// (retrying a partition whose call failed, such as one whose silo died), then finishes the record as a single-process
    /// run does. Called again after a failure (or after its own silo died), it resumes: recorded accounts are not evaluated again.
    /// </summary>
    Task<ClusterRunReport> Run(ClusterWindowRequest request);

    /// <summary>
    /// Starts the run as <see cref="Run"/> does when it is not running here already, and waits for it at most <paramref name="upTo"/>:
    /// its report when it has finished, null while it runs. A client asks again and again with short calls, so a lost gateway or a
    /// dead coordinator costs one call (the coordinator, placed again, resumes the run), never a call that waits forever.
    /// </summary>
    [AlwaysInterleave]
    Task<ClusterRunReport?> Wait(ClusterWindowRequest request, TimeSpan upTo);
}

/// <summary>One partition of one window run (key: <c>TENANT/WINDOW/INDEX/COUNT</c>); placed on any silo.</summary>
public interface IWindowPartition : IGrainWithStringKey
{
    /// <summary>Evaluates the partition's accounts not yet recorded by the run (<see cref="WindowRunner.RunPartition"/>).</summary>
    Task<PartitionReport> Run(PartitionWork work);
}

/// <summary>
/// The coordinator grain. Its state is the store's run record (<c>window_runs</c>, <c>window_run_accounts</c>), not grain
/// storage: a reactivated coordinator finds the run and resumes it, the partitions skipping the accounts already recorded.
/// </summary>
public sealed class WindowCoordinator(ClusterStore stores, ILogger<WindowCoordinator> log) : Grain, IWindowCoordinator
{
    /// <summary>Partitions of a window when the request names none.</summary>
    public const int DefaultPartitions = 16;

    /// <summary>
    /// How many times a partition's call is made before the run is recorded failed. Calls to a silo that was killed fail at once
    /// until the cluster declares it dead (some tens of seconds); the pauses between attempts (half a second, doubling up to
    /// five) outlast that, so the partition is then placed on a live silo.
    /// </summary>
    public const int MaxAttempts = 16;

    /// <summary>Partition calls in flight at once: the partitions' reads run side by side, their writes one at a time (the store's write lock).</summary>
    public const int MaxInFlight = 8;

    private Task<ClusterRunReport>? _run;

    public Task<ClusterRunReport> Run(ClusterWindowRequest request) => Started(request);

    public async Task<ClusterRunReport?> Wait(ClusterWindowRequest request, TimeSpan upTo)
    {
        var run = Started(request);
        if (await Task.WhenAny(run, Task.Delay(upTo)) != run) return null;
        return await run;
    }

    /// <summary>The run in flight in this activation, or a new one when none is (or the last one failed: a new one resumes it).</summary>
    private Task<ClusterRunReport> Started(ClusterWindowRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_run is null || _run.IsFaulted || _run.IsCanceled) _run = Execute(request);
        return _run;
    }

    private async Task<ClusterRunReport> Execute(ClusterWindowRequest request)
    {
        if (request.Partitions is < 1 or > AccountPartition.MaxCount)
            throw new ArgumentOutOfRangeException(nameof(request), request.Partitions, $"a window is split into 1 to {AccountPartition.MaxCount} partitions");
        var store = stores.For(request.Tenant);
        var window = request.Window.ToWindow();
        var runner = new WindowRunner(store, request.EngineVersion) { BatchSize = request.BatchSize };
        var (run, resumed, done) = await OffScheduler(() => runner.Begin(window));
        if (done is not null) return Report(done, request.Partitions, 0, []);
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        log.LogInformation("window {Window}: run {Run} {Verb} over {Partitions} partitions", window.Id, run.Id, resumed ? "resumed" : "started", request.Partitions);

        var attempts = 0;
        var silos = new HashSet<string>(StringComparer.Ordinal);
        using var gate = new SemaphoreSlim(MaxInFlight);
        async Task Partition(int index)
        {
            await gate.WaitAsync();
            try
            {
                var grain = GrainFactory.GetGrain<IWindowPartition>($"{request.Key}/{index}/{request.Partitions}");
                for (var attempt = 1; ; attempt++)
                {
                    Interlocked.Increment(ref attempts);
                    try
                    {
                        var report = await grain.Run(new PartitionWork { Request = request, RunId = run.Id, Index = index });
                        lock (silos) silos.Add(report.Silo);
                        return;
                    }
                    catch (Exception e) when (attempt < MaxAttempts)
                    {
                        // Its silo died or the call failed: Orleans places the grain again (elsewhere when the silo is gone); the
                        // partition skips what it recorded.
                        log.LogWarning("window {Window}: partition {Index} attempt {Attempt} failed ({Error}); retrying", window.Id, index, attempt, e.Message);
                        await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 500 * Math.Pow(2, attempt - 1))));
                    }
                }
            }
            finally
            {
                gate.Release();
            }
        }

        try
        {
            await Task.WhenAll(Enumerable.Range(0, request.Partitions).Select(Partition));
        }
        catch (Exception e)
        {
            await Task.Run(() => runner.Fail(run, e, abandoned: false, started));
            if (e is ClusterStoreException or OrleansException or TimeoutException) throw;
            throw ClusterStoreException.Of(e);
        }
        var result = await OffScheduler(() => runner.Finish(run, resumed, started));
        log.LogInformation("window {Window}: {Status}, {Accounts} accounts, {Attempts} partition calls", window.Id, result.Run.Status, result.Run.Accounts, attempts);
        return Report(result, request.Partitions, attempts, [.. silos.Order(StringComparer.Ordinal)]);
    }

    /// <summary>
    /// Runs a store call on the thread pool (the store's calls block), off the silo's scheduler; a store failure is handed on
    /// as a <see cref="ClusterStoreException"/>, which crosses to the caller.
    /// </summary>
    internal static async Task<T> OffScheduler<T>(Func<T> work)
    {
        try
        {
            return await Task.Run(work);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            throw ClusterStoreException.Of(e);
        }
    }

    private static ClusterRunReport Report(WindowRunResult r, int partitions, int attempts, string[] silos) =>
        new(r.Run.Id, r.Run.WindowId, r.Run.Status, r.AlreadyDone, r.Resumed, r.Run.Accounts, r.Run.Evaluated, r.Run.Rebalanced, r.Run.Skipped, partitions, attempts, silos);
}

/// <summary>The partition grain: the single-process runner's evaluation, over its partition's accounts.</summary>
[RandomPlacement]
public sealed class WindowPartition(ClusterStore stores, ILocalSiloDetails silo) : Grain, IWindowPartition
{
    /// <summary>Called by tests after each batch a partition writes (to stop a silo midway).</summary>
    internal static Action<PartitionWork, int>? AfterBatch { get; set; }

    public async Task<PartitionReport> Run(PartitionWork work)
    {
        ArgumentNullException.ThrowIfNull(work);
        var request = work.Request;
        var store = stores.For(request.Tenant);
        var partition = new AccountPartition(work.Index, request.Partitions);
        var calendar = request.Calendar.ToCalendar();
        var window = request.Window.ToWindow();
        var hook = AfterBatch;
        var runner = new WindowRunner(store, request.EngineVersion)
        {
            BatchSize = request.BatchSize,
            AfterBatch = hook is null ? null : n => hook(work, n),
        };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                // The store's calls block: they run on the thread pool, off the silo's scheduler.
                var recorded = await Task.Run(() => runner.RunPartition(calendar, window, work.RunId, partition));
                return new PartitionReport(work.Index, recorded, silo.SiloAddress.ToString());
            }
            catch (DbException e) when (e.SqlState == "23505" && attempt < MaxAttempts)
            {
                // Another attempt of this partition recorded some of the same accounts first and the store's unique keys refused
                // the doubles (nothing of the batch was written): run again, which skips every account recorded.
            }
            catch (StoreBusyException) when (attempt < MaxAttempts)
            {
                // The store's write lock was not had within its busy timeout (the other partitions' writes queue for it): the
                // batches written stay written; after a pause, run again from the accounts recorded.
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // The store's exceptions have no Orleans codec: their message crosses to the coordinator in one that has.
                throw ClusterStoreException.Of(e);
            }
        }
    }

    /// <summary>Runs of a partition within one call when the store was busy or another attempt recorded the same accounts first.</summary>
    public const int MaxAttempts = 5;
}
