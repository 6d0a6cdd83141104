using Ballast.Operations.Alerts;
using Ballast.Store;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Ballast.Service.Events;

/// <summary>
/// Delivers every tenant's webhooks in the background, with the code <c>ballast webhooks deliver</c> runs
/// (<see cref="WebhookNotifier.DeliverPendingAsync"/>: in id order, at least once, signed, retried with backoff, recorded in the store).
/// It wakes when the <see cref="EventFeed"/> sees new events, and every <see cref="RetryEvery"/> to retry failed deliveries. Each
/// webhook is delivered with the store as its tenant sees it, webhooks side by side (a slow receiver does not hold up another's). On shutdown the delivery in flight is abandoned: what was not acknowledged stays pending for the next start.
/// </summary>
internal sealed partial class WebhookDelivery(ServiceState state, EventFeed feed, ILogger<WebhookDelivery> log) : BackgroundService
{
    /// <summary>How often failed deliveries are retried when no new event wakes the delivery.</summary>
    public static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(30);

    /// <summary>Connects to public addresses only, unless the service allows private ones (<see cref="ServiceOptions.WebhooksToPrivateAddresses"/>).</summary>
    private readonly HttpClient _http = WebhookAddresses.Client(state.Options.WebhooksToPrivateAddresses);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var notifier = new WebhookNotifier(_http, TimeProvider.System, state.Options.Webhooks);
        while (!stoppingToken.IsCancellationRequested)
        {
            var changed = feed.Changed;
            try
            {
                // Each webhook once, with the store as its tenant sees it (every tenant, the default one included, is in the list), side by side.
                var store = state.Store;
                var hooks = new Dictionary<long, BallastStore>();
                foreach (var scoped in store.TenantIds().Select(t => store.ForTenant(t, "webhooks")))
                    foreach (var h in scoped.Webhooks())
                        hooks.Add(h.Id, scoped);
                var runs = hooks.Select(h => Task.Run(() => notifier.DeliverPendingAsync(h.Value, h.Key, stoppingToken), stoppingToken)).ToList();
                foreach (var report in (await Task.WhenAll(runs).ConfigureAwait(false)).SelectMany(r => r).Where(r => r.Error is not null))
                    Failed(log, report.WebhookId, BallastStore.RedactedUrl(report.Url), report.Error!);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is StoreUnavailableException or StoreVersionException or StoreBusyException)
            {
                // the store is not ready or busy: the next wake tries again
            }
            catch (Exception e)
            {
                Stopped(log, e);
            }
            try
            {
                await Task.WhenAny(changed, Task.Delay(RetryEvery, stoppingToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) { }
        }
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "webhook {WebhookId} ({Url}): {Error}; recorded, retried by the next delivery")]
    private static partial void Failed(ILogger logger, long webhookId, string url, string error);

    [LoggerMessage(EventId = 31, Level = LogLevel.Error, Message = "webhook delivery stopped; the events stay pending")]
    private static partial void Stopped(ILogger logger, Exception exception);
}
