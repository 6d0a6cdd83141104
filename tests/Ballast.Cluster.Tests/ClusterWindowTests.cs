using Ballast.Operations.Windows;
using Ballast.Store;
using Microsoft.Extensions.Configuration;
using Orleans.Hosting;
using Orleans.TestingHost;

namespace Ballast.Cluster.Tests;

/// <summary>Sets each test silo up as <c>ballast-node</c> does: membership and reminders in the store's PostgreSQL, the window grains over the store.</summary>
public sealed class SiloSetup : ISiloConfigurator
{
    public void Configure(ISiloBuilder siloBuilder)
    {
        var location = new StoreLocation(StoreProvider.Postgres, siloBuilder.Configuration[ClusterWindowTests.StoreKey]!);
        siloBuilder.UseStoreTables(location)
            .AddBallastWindows(location, Book.Options(Book.Window.Start.AddMinutes(1)), TimeSpan.FromMinutes(5));
    }
}

/// <summary>The test client finds the gateways in the same membership table.</summary>
public sealed class ClientSetup : IClientBuilderConfigurator
{
    public void Configure(IConfiguration configuration, IClientBuilder clientBuilder) =>
        clientBuilder.UseAdoNetClustering(o =>
        {
            o.Invariant = ClusterHosting.PostgresInvariant;
            o.ConnectionString = configuration[ClusterWindowTests.StoreKey]!;
        });
}

/// <summary>
/// A window run through an Orleans cluster of three silos (Orleans' TestingHost, in this process) over a PostgreSQL store gives
/// exactly what the single-process <see cref="WindowRunner.Run"/> gives on an identical store.
/// </summary>
public sealed class ClusterWindowTests(Xunit.Abstractions.ITestOutputHelper output) : IDisposable
{
    internal const string StoreKey = "BallastStore";
    private const int Accounts = 3000;
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-cluster-test-").FullName;
    private readonly PostgresDatabase _clustered = new();
    private PostgresDatabase? _single;

    public void Dispose()
    {
        _single?.Dispose();
        _clustered.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private static async Task<TestCluster> StartCluster(StoreLocation location)
    {
        var builder = new TestClusterBuilder(3);
        builder.Options.UseTestClusterMembership = false;
        builder.Properties[StoreKey] = location.ConnectionString;
        builder.AddSiloBuilderConfigurator<SiloSetup>();
        builder.AddClientBuilderConfigurator<ClientSetup>();
        var cluster = builder.Build();
        await cluster.DeployAsync();
        return cluster;
    }

    [Fact]
    public async Task AWindowOverThreeThousandAccounts_ThroughThreeSilos_GivesTheSingleProcessRunsVerdictsProposalsAndBlocks()
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var clustered = Book.Load(_clustered.Location, Accounts, _directory);
        _single = _clustered.Copy();
        var single = BallastStore.Open(_single.Location, clustered.Options);
        var window = Book.Window;
        output.WriteLine($"book loaded and copied: {clock.Elapsed.TotalSeconds:0.0} s");

        var alone = new WindowRunner(single, "test").Run(Book.Calendar, window);
        Assert.Equal(Accounts, alone.Run.Accounts);
        output.WriteLine($"single-process run: {clock.Elapsed.TotalSeconds:0.0} s");

        await using var cluster = await StartCluster(_clustered.Location);
        output.WriteLine($"three silos: {clock.Elapsed.TotalSeconds:0.0} s");
        var request = ClusterWindowRequest.For(Book.Calendar, window, partitions: 12, "test");
        var report = await cluster.Client.GetGrain<IWindowCoordinator>(request.Key).Run(request);
        output.WriteLine($"cluster run: {clock.Elapsed.TotalSeconds:0.0} s");

        Assert.False(report.AlreadyDone);
        Assert.Equal(Accounts, report.Accounts);
        Assert.Equal(12, report.Attempts);
        Assert.True(report.Silos.Length >= 2, $"partitions ran on {report.Silos.Length} silo(s): {string.Join(", ", report.Silos)}");

        var expected = Book.Read(single, window.Id);
        var actual = Book.Read(clustered, window.Id);
        output.WriteLine($"blocks gathered on both: {clock.Elapsed.TotalSeconds:0.0} s");
        Assert.True(expected.Proposals.Count > 100, $"the book should make proposals: {expected.Proposals.Count}");
        Assert.True(expected.Blocks.Count >= 4, $"and blocks: {expected.Blocks.Count}");
        Assert.Contains(expected.Verdicts, v => v.Contains("|skipped|hold", StringComparison.Ordinal));
        Assert.Contains(expected.Verdicts, v => v.Contains("cash need", StringComparison.Ordinal));
        Assert.Equal(expected.Run, actual.Run);
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.Verdicts, actual.Verdicts);
        Assert.Equal(expected.Proposals, actual.Proposals);
        Assert.Equal(expected.Blocks, actual.Blocks);

        // Asked again, the coordinator reports the finished run and adds nothing.
        var again = await cluster.Client.GetGrain<IWindowCoordinator>(request.Key).Wait(request, TimeSpan.FromSeconds(30));
        Assert.NotNull(again);
        Assert.Equal((report.RunId, report.Status, report.Accounts), (again.RunId, again.Status, again.Accounts));
        Assert.Equal(actual.Verdicts, Book.Read(clustered, window.Id, gather: false).Verdicts);

        // A store failure in a partition crosses to its caller as the cluster's own exception (the store's have no Orleans codec):
        // here a partition of a run that does not exist, refused by the store when it records its first batch.
        var bogus = new PartitionWork { Request = ClusterWindowRequest.For(Book.Calendar, window, partitions: 1, "test"), RunId = 999_999, Index = 0 };
        var failure = await Assert.ThrowsAsync<ClusterStoreException>(() => cluster.Client.GetGrain<IWindowPartition>("test/no-such-run/0/1").Run(bogus));
        Assert.Equal("InputException", failure.Kind);
        Assert.False(failure.Busy);
        Assert.Contains("no window run 999999", failure.Message, StringComparison.Ordinal);
        Assert.Null(failure.InnerException);
        Assert.Equal(actual.Verdicts, Book.Read(clustered, window.Id, gather: false).Verdicts);
    }

    [Fact]
    public void AStoreFailure_IsHandedOnWithItsMessageAndKind_BusyWhenTheStoreWasBusy()
    {
        var busy = ClusterStoreException.Of(new StoreBusyException("the store is busy; nothing was written, try again", new TimeoutException("inner")));
        Assert.True(busy.Busy);
        Assert.Equal("StoreBusyException", busy.Kind);
        Assert.Equal("the store is busy; nothing was written, try again", busy.Message);
        Assert.Null(busy.InnerException);
        Assert.Same(busy, ClusterStoreException.Of(busy));
        Assert.False(ClusterStoreException.Of(new StoreUnavailableException("no such database", null)).Busy);
    }
}
