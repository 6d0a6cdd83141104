using System.Globalization;
using System.Text;
using System.Text.Json;
using Ballast.Input;
using Ballast.Store.Data;

namespace Ballast.Store
{
    /// <summary>The kinds of event the store records, each written in the same transaction as the change it describes.</summary>
    public static class EventKinds
    {
        public const string WindowStarted = "window.started", WindowFinished = "window.finished", WindowFailed = "window.failed";
        public const string ProposalCreated = "proposal.created", ProposalApproved = "proposal.approved", ProposalSent = "proposal.sent",
            ProposalCancelled = "proposal.cancelled", ProposalExpired = "proposal.expired", ProposalFilled = "proposal.filled";
        public const string BlockCreated = "block.created", BlockFilled = "block.filled", BlockCancelled = "block.cancelled";
        public const string FillsImported = "fills.imported", AccountSkipped = "account.skipped";

        /// <summary>Every kind the store records, in the order the documentation lists them.</summary>
        public static IReadOnlyList<string> All { get; } =
        [
            WindowStarted, WindowFinished, WindowFailed, ProposalCreated, ProposalApproved, ProposalSent, ProposalCancelled, ProposalExpired,
            ProposalFilled, BlockCreated, BlockFilled, BlockCancelled, FillsImported, AccountSkipped,
        ];
    }

    /// <summary>A recorded event.</summary>
    /// <param name="Id">Strictly increasing in commit order: an event with a larger id was committed later, so "since id" misses nothing.</param>
    /// <param name="Subject">What it is about: a window id, a proposal or block id, an account name, a file name.</param>
    /// <param name="Data">A JSON object with the event's facts.</param>
    public sealed record StoredEvent(long Id, DateTimeOffset At, string Kind, string Subject, string Data);

    /// <summary>A registered webhook and where its delivery stands.</summary>
    /// <param name="Kinds">The event kinds it receives; empty for every kind.</param>
    /// <param name="Cursor">The id of the last event it acknowledged (or that was recorded before it was added); it receives events after it, in order.</param>
    /// <param name="Failure">The delivery that failed last and is retried next (event id, attempts so far, error), or null.</param>
    public sealed record WebhookInfo(long Id, string Url, string Secret, IReadOnlyList<string> Kinds, DateTimeOffset CreatedAt, string Actor, bool Active, long Cursor,
        WebhookDelivery? Failure);

    /// <summary>The record of delivering one event to one webhook.</summary>
    /// <param name="Status">delivered or failed (failed is retried by the next delivery).</param>
    /// <param name="Attempts">HTTP attempts made, over every delivery run.</param>
    public sealed record WebhookDelivery(long WebhookId, long EventId, string Status, int Attempts, string? LastError, DateTimeOffset LastAttemptAt);

    /// <summary>The outcome of one delivery attempt run for one event, to record.</summary>
    public sealed record DeliveryOutcome(long EventId, bool Delivered, int Attempts, string? Error, DateTimeOffset At);

    /// <summary>Builds an event's data object with <see cref="Utf8JsonWriter"/> (no reflection: the command line ships as Native AOT).</summary>
    internal static class EventJson
    {
        /// <summary>A JSON object of the fields; values: string, long, int, decimal, bool, null, or a sequence of strings or longs.</summary>
        public static string Of(params (string Name, object? Value)[] fields)
        {
            using var stream = new MemoryStream();
            using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            {
                w.WriteStartObject();
                foreach (var (name, value) in fields)
                {
                    switch (value)
                    {
                        case null: w.WriteNull(name); break;
                        case string s: w.WriteString(name, s); break;
                        case long l: w.WriteNumber(name, l); break;
                        case int i: w.WriteNumber(name, i); break;
                        case decimal d: w.WriteNumber(name, d); break;
                        case bool b: w.WriteBoolean(name, b); break;
                        case IEnumerable<string> strings:
                            w.WriteStartArray(name);
                            foreach (var x in strings) w.WriteStringValue(x);
                            w.WriteEndArray();
                            break;
                        case IEnumerable<long> longs:
                            w.WriteStartArray(name);
                            foreach (var x in longs) w.WriteNumberValue(x);
                            w.WriteEndArray();
                            break;
                        default: throw new ArgumentException($"event field {name}: unsupported value type {value.GetType().Name}", nameof(fields));
                    }
                }
                w.WriteEndObject();
            }
            return Encoding.UTF8.GetString(stream.ToArray());
        }
    }

    internal sealed partial class WriteScope
    {
        /// <summary>
        /// Appends an event inside this write's transaction: it is committed with the change it describes, or rolled back with it.
        /// Ids come from the store's serialized writers, so they increase strictly in commit order.
        /// </summary>
        public long Event(string kind, string subject, string data)
        {
            var id = NextId("events");
            Append("events", EventColumns, [id, Now, kind, subject, data, Tenant]); // written in bulk before the next statement, with the change it describes
            return id;
        }

        private static readonly string[] EventColumns = ["id", "at", "kind", "subject", "data", "tenant_id"];
    }

    public sealed partial class BallastStore
    {
        /// <summary>The largest event id accepted by <see cref="Events"/>' limit.</summary>
        public const int MaxEventLimit = 10_000;

        /// <summary>
        /// Events with an id greater than <paramref name="sinceId"/>, oldest first, at most <paramref name="limit"/>; only
        /// <paramref name="kinds"/> when given. The last id read is the cursor of the next call.
        /// </summary>
        public IReadOnlyList<StoredEvent> Events(long sinceId = 0, int limit = 100, IReadOnlyCollection<string>? kinds = null)
        {
            if (limit is < 1 or > MaxEventLimit) throw new InputException(new InputProblem($"limit {limit}: from 1 to {MaxEventLimit}", Field: "--limit"));
            if (sinceId < 0) throw new InputException(new InputProblem($"since {sinceId}: an event id, 0 or more", Field: "--since"));
            return Read(c => ReadEvents(c, null, Tenant, sinceId, limit, kinds is { Count: > 0 } ? [.. kinds] : null));
        }

        /// <summary>The id of the tenant's last recorded event, 0 when there is none.</summary>
        public long LastEventId() => Read(c => c.ScalarLong("SELECT MAX(id) FROM events WHERE tenant_id = @tenant", new { tenant = Tenant }) ?? 0);

        /// <summary>The tenant's events after <paramref name="since"/>: event ids are store-wide, so a tenant's ids have gaps where other tenants' events are.</summary>
        private static List<StoredEvent> ReadEvents(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, long tenant, long since, int limit, string[]? kinds)
        {
            var filter = kinds is null ? "" : c is Npgsql.NpgsqlConnection ? " AND kind = ANY(@kinds)" : " AND kind IN @kinds";
            return c.Query($"SELECT id, at, kind, subject, data FROM events WHERE tenant_id = @tenant AND id > @since{filter} ORDER BY id LIMIT @limit", new { tenant, since, limit, kinds = kinds ?? [] },
                r => new StoredEvent(r.GetInt64(0), ParseInstant(r.GetString(1)), r.GetString(2), r.GetString(3), r.GetString(4)), tx);
        }

        /// <summary>
        /// Registers a webhook for <paramref name="kinds"/> (every kind when empty). It receives the events recorded after it was added
        /// (its cursor starts at the last event id), or after <paramref name="sinceId"/> when given.
        /// </summary>
        /// <exception cref="InputException">The url is not an absolute http(s) url; a kind is unknown; the secret is empty.</exception>
        public WebhookInfo AddWebhook(string url, string secret, IReadOnlyCollection<string>? kinds = null, long? sinceId = null) => Write("webhook add", scope =>
        {
            var problems = new List<InputProblem>();
            if (CheckWebhookUrl(url) is { } bad) problems.Add(new(bad, Field: "URL"));
            if (string.IsNullOrWhiteSpace(secret)) problems.Add(new("the secret is empty", Field: "--secret"));
            var list = (kinds ?? []).Select(k => k.Trim()).Where(k => k.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            foreach (var k in list.Where(k => !EventKinds.All.Contains(k, StringComparer.Ordinal)))
                problems.Add(new($"unknown event kind '{k}'; kinds: {string.Join(", ", EventKinds.All)}", Field: "--kinds"));
            if (sinceId is < 0) problems.Add(new($"since {sinceId}: an event id, 0 or more", Field: "--since"));
            if (problems.Count > 0) throw new InputException(problems);
            var id = scope.NextId("webhooks");
            var cursor = sinceId ?? scope.ScalarLong("SELECT MAX(id) FROM events WHERE tenant_id = @tenant AND id > @zero", new { tenant = scope.Tenant, zero = 0 }) ?? 0;
            scope.Execute("INSERT INTO webhooks (id, url, secret, kinds, created_at, actor, active, cursor_event, tenant_id) VALUES (@id, @url, @secret, @kinds, @at, @actor, 1, @cursor, @tenant)",
                new { id, url, secret, kinds = list.Count == 0 ? null : string.Join(',', list), at = scope.Now, actor = Options.Actor, cursor, tenant = scope.Tenant });
            return (ReadWebhooks(scope.Connection, scope.Transaction, scope.Tenant, id)[0], $"webhook {id} added: {RedactedUrl(url)}{(list.Count == 0 ? "" : " for " + string.Join(", ", list))}");
        });

        /// <summary>Why <paramref name="url"/> cannot be a webhook, or null when it is an absolute http or https url.</summary>
        public static string? CheckWebhookUrl(string? url) =>
            Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.Scheme == Uri.UriSchemeHttp || u.Scheme == Uri.UriSchemeHttps) && u.Host.Length > 0
                ? null
                : $"'{url}' is not an http or https url";

        /// <summary>The url without its query (which may carry a token), for messages and the audit trail.</summary>
        public static string RedactedUrl(string url) =>
            Uri.TryCreate(url, UriKind.Absolute, out var u) ? u.GetLeftPart(UriPartial.Path) + (u.Query.Length > 0 ? "?..." : "") : url;

        /// <summary>Every webhook (active ones, or all with <paramref name="all"/>), by id.</summary>
        public IReadOnlyList<WebhookInfo> Webhooks(bool all = false) => Read(c => ReadWebhooks(c, null, Tenant, null).Where(w => all || w.Active).ToList());

        /// <summary>Deactivates a webhook: it receives nothing more; its deliveries stay recorded.</summary>
        /// <exception cref="InputException">No active webhook has that id.</exception>
        public void RemoveWebhook(long id) => Write("webhook remove", scope =>
        {
            if (scope.Execute("UPDATE webhooks SET active = 0 WHERE id = @id AND tenant_id = @tenant AND active = 1", new { id, tenant = scope.Tenant }) == 0)
                throw new InputException(new InputProblem($"no active webhook {id}; 'ballast webhooks list' shows them", Field: "ID"));
            return (0, $"webhook {id} removed");
        });

        /// <summary>The events a webhook has yet to receive (after its cursor, of its kinds), oldest first, at most <paramref name="limit"/>.</summary>
        public IReadOnlyList<StoredEvent> PendingEvents(long webhookId, int limit = 100) => Read(c =>
        {
            var tenant = Tenant;
            var hook = ReadWebhooks(c, null, tenant, webhookId).SingleOrDefault()
                ?? throw new InputException(new InputProblem($"no webhook {webhookId}", Field: "ID"));
            return ReadEvents(c, null, tenant, hook.Cursor, limit, hook.Kinds.Count == 0 ? null : [.. hook.Kinds]);
        });

        /// <summary>
        /// Records what a delivery run did for one webhook, in event order: each event's delivery row (attempts add up), and the
        /// cursor moved to the last event delivered before any failure. The cursor never moves back, nor past an event not delivered.
        /// </summary>
        public void RecordDeliveries(long webhookId, IReadOnlyList<DeliveryOutcome> outcomes)
        {
            ArgumentNullException.ThrowIfNull(outcomes);
            if (outcomes.Count == 0) return;
            Write("webhook deliveries", scope =>
            {
                if (scope.ScalarLong("SELECT id FROM webhooks WHERE id = @webhookId AND tenant_id = @tenant", new { webhookId, tenant = scope.Tenant }) is null)
                    throw new InputException(new InputProblem($"no webhook {webhookId}", Field: "ID"));
                long? cursor = null;
                var failed = false;
                foreach (var o in outcomes)
                {
                    var status = o.Delivered ? "delivered" : "failed";
                    var at = FormatInstant(o.At);
                    var error = o.Error is null ? null : Truncate(o.Error, 500);
                    if (scope.Execute("UPDATE webhook_deliveries SET attempts = attempts + @attempts, status = @status, last_error = @error, last_attempt_at = @at WHERE webhook_id = @webhookId AND event_id = @eventId",
                            new { attempts = o.Attempts, status, error, at, webhookId, eventId = o.EventId }) == 0)
                        scope.Execute("INSERT INTO webhook_deliveries (webhook_id, event_id, attempts, status, last_error, last_attempt_at) VALUES (@webhookId, @eventId, @attempts, @status, @error, @at)",
                            new { webhookId, eventId = o.EventId, attempts = o.Attempts, status, error, at });
                    if (!o.Delivered) failed = true;
                    else if (!failed) cursor = o.EventId;
                }
                if (cursor is { } c) scope.Execute("UPDATE webhooks SET cursor_event = @c WHERE id = @webhookId AND cursor_event < @c", new { c, webhookId });
                var delivered = outcomes.Count(o => o.Delivered);
                return (0, $"webhook {webhookId}: {delivered} events delivered" + (delivered < outcomes.Count ? $", {outcomes.Count - delivered} failed" : "")
                           + (cursor is null ? "" : $", cursor at event {cursor}"));
            });
        }

        /// <summary>The deliveries recorded for a webhook, by event id.</summary>
        public IReadOnlyList<WebhookDelivery> WebhookDeliveries(long webhookId) => Read(c => c.Query(
            "SELECT d.webhook_id, d.event_id, d.status, d.attempts, d.last_error, d.last_attempt_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id " +
            "WHERE d.webhook_id = @webhookId AND w.tenant_id = @tenant ORDER BY d.event_id",
            new { webhookId, tenant = Tenant }, ReadDelivery));

        private static WebhookDelivery ReadDelivery(System.Data.Common.DbDataReader r) =>
            new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.GetInt32(3), r.TextOrNull(4), ParseInstant(r.GetString(5)));

        private static List<WebhookInfo> ReadWebhooks(System.Data.Common.DbConnection c, System.Data.Common.DbTransaction? tx, long tenant, long? id)
        {
            var failures = c.Query(
                    "SELECT d.webhook_id, d.event_id, d.status, d.attempts, d.last_error, d.last_attempt_at FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id " +
                    "WHERE w.tenant_id = @tenant AND d.status = 'failed' AND d.event_id > w.cursor_event ORDER BY d.event_id", new { tenant }, ReadDelivery, tx)
                .GroupBy(d => d.WebhookId).ToDictionary(g => g.Key, g => g.First());
            return c.Query("SELECT id, url, secret, kinds, created_at, actor, active, cursor_event FROM webhooks WHERE tenant_id = @tenant" + (id is null ? "" : " AND id = @id") + " ORDER BY id",
                new { tenant, id = id ?? 0 },
                r => new WebhookInfo(r.GetInt64(0), r.GetString(1), r.GetString(2),
                    r.TextOrNull(3) is { } k ? k.Split(',', StringSplitOptions.RemoveEmptyEntries) : [],
                    ParseInstant(r.GetString(4)), r.GetString(5), r.GetInt64(6) != 0, r.GetInt64(7), null), tx)
                .Select(w => w with { Failure = failures.GetValueOrDefault(w.Id) }).ToList();
        }

        private static string Truncate(string text, int max) => text.Length <= max ? text : text[..max];

        /// <summary>An account's name by id, as an event subject.</summary>
        internal static string AccountName(WriteScope scope, long id) =>
            scope.Query("SELECT name FROM accounts WHERE id = @id AND tenant_id = @tenant", new { id, tenant = scope.Tenant }, r => r.GetString(0)).FirstOrDefault() ?? Subject(id);

        /// <summary>An id as an event subject.</summary>
        internal static string Subject(long id) => id.ToString(CultureInfo.InvariantCulture);
    }
}
