using Ballast.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ballast.Service.Events;

/// <summary>
/// Tells the service's event readers (streams, webhook delivery) that events were added. One poller asks the store for its highest
/// event id every <see cref="ServiceOptions.EventPoll"/> (one indexed read, whatever the number of readers); a write made by this
/// process wakes it at once (<see cref="Poke"/>). A reader takes <see cref="Changed"/> before reading its events, then waits on it:
/// an event committed in between completes the task it holds, so nothing is missed. Events are read by each reader from the store,
/// after its own cursor and scoped to its tenant: the feed says only that there may be more.
/// </summary>
internal sealed class EventFeed
{
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _poke = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _highest = -1;

    /// <summary>The highest event id seen (-1 before the first poll).</summary>
    public long Highest => Interlocked.Read(ref _highest);

    /// <summary>Completes when a higher event id is seen than when it was taken.</summary>
    public Task Changed => Volatile.Read(ref _changed).Task;

    /// <summary>Asks the poller to look now (after a write of this process that may have added events).</summary>
    public void Poke() => Volatile.Read(ref _poke).TrySetResult();

    internal Task Poked => Volatile.Read(ref _poke).Task;

    internal void ResetPoke()
    {
        var current = Volatile.Read(ref _poke);
        if (current.Task.IsCompleted) Interlocked.CompareExchange(ref _poke, new(TaskCreationOptions.RunContinuationsAsynchronously), current);
    }

    /// <summary>Records the store's highest event id; wakes every waiter when it grew.</summary>
    internal void Seen(long highest)
    {
        var before = Interlocked.Exchange(ref _highest, Math.Max(highest, Highest));
        if (highest <= before) return;
        Interlocked.Exchange(ref _changed, new(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();
    }
}

/// <summary>The one poller of <see cref="EventFeed"/>: the store's highest event id, every <see cref="ServiceOptions.EventPoll"/> or when poked.</summary>
internal sealed partial class EventPoller(ServiceState state, EventFeed feed, ILogger<EventPoller> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var warned = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            feed.ResetPoke();
            try
            {
                feed.Seen(state.Store.HighestEventId());
                warned = false;
            }
            catch (Exception e) when (e is StoreUnavailableException or StoreVersionException or StoreBusyException)
            {
                if (!warned) NotReady(log, e.Message); // /ready says why; the poller tries again
                warned = true;
            }
            try
            {
                await Task.WhenAny(feed.Poked, Task.Delay(state.Options.EventPoll, stoppingToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { }
        }
    }

    [LoggerMessage(EventId = 20, Level = LogLevel.Warning, Message = "events: the store cannot be read yet: {Reason}")]
    private static partial void NotReady(ILogger logger, string reason);
}
