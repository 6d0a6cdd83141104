using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ballast.Cli.Portfolio;
using Ballast.Cli.Store;
using Ballast.Input;
using Ballast.Operations.Alerts;
using Ballast.Store;
using Spectre.Console;

namespace Ballast.Cli.Operations;

/// <summary>
/// <c>ballast events</c> (the store's events since an id) and <c>ballast webhooks add|list|remove|deliver</c>; <see cref="Deliver"/>
/// sends pending events after a command's write, and <see cref="NotifyCheck"/> posts a check's verdict (<c>check --notify</c>).
/// A delivery never changes a command's exit code: a failure is a warning on standard error.
/// </summary>
internal static class EventCommands
{
    /// <summary>The command groups, for the store options.</summary>
    public static readonly string[] Groups = ["events", "webhooks"];

    /// <summary>Environment variable: the first retry delay of webhook deliveries (<c>250ms</c>, <c>2s</c>); the default is 1 s.</summary>
    public const string RetryDelayVariable = "BALLAST_WEBHOOK_RETRY_DELAY";

    /// <summary>Environment variable: the secret <c>check --notify</c> signs with when <c>--notify-secret</c> is not given.</summary>
    public const string NotifySecretVariable = "BALLAST_NOTIFY_SECRET";

    private static readonly Lazy<HttpClient> Http = new(() => new HttpClient(new SocketsHttpHandler
    {
        ConnectTimeout = TimeSpan.FromSeconds(5),
        PooledConnectionLifetime = TimeSpan.FromMinutes(2),
    }) { Timeout = Timeout.InfiniteTimeSpan });

    public static void AddTo(RootCommand root, CliContext ctx)
    {
        root.Subcommands.Add(Events(ctx));
        root.Subcommands.Add(Webhooks(ctx));
    }

    private static Command Events(CliContext ctx)
    {
        var since = new Option<long>("--since") { Description = "Only events after this id (the last id you read); default 0, every event", CustomParser = r => ParseId(r, "--since") };
        var limit = Flags.Int("--limit", $"At most this many events (1 to {BallastStore.MaxEventLimit:#,0}; default 100)", 1, BallastStore.MaxEventLimit, 100);
        var kind = new Option<string?>("--kind") { Description = "Only these kinds, comma-separated: " + string.Join(", ", EventKinds.All) };
        var json = new Option<bool>("--json") { Description = "One JSON object per line (JSON lines): id, kind, at, subject, text, data" };
        var cmd = new Command("events", "Events of the store (window runs, proposals, blocks, fills, skipped accounts), oldest first, after --since");
        cmd.Options.Add(since);
        cmd.Options.Add(limit);
        cmd.Options.Add(kind);
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var kinds = Kinds(parse.GetValue(kind), "--kind");
            var events = StoreCommands.Open(parse, ctx).Events(parse.GetValue(since), parse.GetValue(limit), kinds);
            if (parse.GetValue(json))
            {
                foreach (var e in events) ctx.Out.WriteLine(WebhookNotifier.Body(WebhookEvent.From(e) with { Text = EventText.Plain(e) }));
                return ExitCodes.Ok;
            }
            if (events.Count == 0)
            {
                ctx.Out.WriteLine($"no events after {parse.GetValue(since)}");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii).AddColumns("Id", "At", "Kind", "Subject", "What");
            foreach (var e in events)
                table.AddRow(e.Id.ToString(CultureInfo.InvariantCulture), e.At.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture), e.Kind,
                    Markup.Escape(e.Subject), Markup.Escape(EventText.Plain(e)));
            ctx.Console.Write(table);
            ctx.Out.WriteLine($"last id {events[^1].Id}: 'ballast events --since {events[^1].Id}' reads on");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static long ParseId(System.CommandLine.Parsing.ArgumentResult r, string name)
    {
        var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
        if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var v)) return v;
        r.AddError($"{name}: '{text}' is not an event id (a whole number, 0 or more)");
        return 0;
    }

    private static List<string>? Kinds(string? text, string field)
    {
        if (text is null) return null;
        var kinds = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var unknown = kinds.Where(k => !EventKinds.All.Contains(k, StringComparer.Ordinal)).ToList();
        if (unknown.Count > 0 || kinds.Count == 0)
            throw new InputException(new InputProblem($"{field}: unknown event kind '{string.Join(", ", unknown)}'; kinds: {string.Join(", ", EventKinds.All)}", Field: field));
        return kinds;
    }

    private static Command Webhooks(CliContext ctx)
    {
        var url = new Argument<string>("URL") { Description = "Where to POST events: an http or https url" };
        var secret = new Option<string?>("--secret") { Description = "The HMAC-SHA256 key the receiver verifies with; default: a new random one, printed once" };
        var kinds = new Option<string?>("--kinds") { Description = "Only these event kinds, comma-separated (default: every kind)" };
        var addSince = new Option<long?>("--since") { Description = "Also deliver the events after this id (default: only events recorded from now on)", CustomParser = r => ParseId(r, "--since") };
        var add = new Command("add", "Register a webhook: events recorded from now on are POSTed to URL, signed, in order");
        add.Arguments.Add(url);
        add.Options.Add(secret);
        add.Options.Add(kinds);
        add.Options.Add(addSince);
        add.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var given = parse.GetValue(secret);
            var key = given ?? WebhookNotifier.NewSecret();
            var hook = StoreCommands.Open(parse, ctx).AddWebhook(parse.GetValue(url)!, key, Kinds(parse.GetValue(kinds), "--kinds"), parse.GetValue(addSince));
            ctx.Out.WriteLine($"webhook {hook.Id}: {BallastStore.RedactedUrl(hook.Url)}, {(hook.Kinds.Count == 0 ? "every kind" : string.Join(", ", hook.Kinds))}, events after {hook.Cursor}");
            if (given is null) ctx.Out.WriteLine($"secret: {key}  (shown once: the receiver verifies X-Ballast-Signature with it)");
            return ExitCodes.Ok;
        }));

        var all = new Option<bool>("--all") { Description = "Also removed webhooks" };
        var listJson = new Option<bool>("--json") { Description = "Print JSON instead of a table (no secrets)" };
        var list = new Command("list", "Webhooks: url, kinds, the last event delivered, the failing delivery if any");
        list.Options.Add(all);
        list.Options.Add(listJson);
        list.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var store = StoreCommands.Open(parse, ctx);
            var hooks = store.Webhooks(parse.GetValue(all));
            var last = store.LastEventId();
            if (parse.GetValue(listJson))
            {
                using var stream = new MemoryStream();
                using (var w = PlanJson.NewWriter(stream))
                {
                    w.WriteStartArray();
                    foreach (var h in hooks)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", h.Id);
                        w.WriteString("url", BallastStore.RedactedUrl(h.Url));
                        w.WriteStartArray("kinds");
                        foreach (var k in h.Kinds) w.WriteStringValue(k);
                        w.WriteEndArray();
                        w.WriteBoolean("active", h.Active);
                        w.WriteNumber("cursor", h.Cursor);
                        if (h.Failure is { } f)
                        {
                            w.WriteStartObject("failing");
                            w.WriteNumber("event", f.EventId);
                            w.WriteNumber("attempts", f.Attempts);
                            w.WriteString("error", f.LastError);
                            w.WriteString("at", f.LastAttemptAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                            w.WriteEndObject();
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                ctx.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
                return ExitCodes.Ok;
            }
            if (hooks.Count == 0)
            {
                ctx.Out.WriteLine("no webhooks ('ballast webhooks add URL' registers one)");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii).AddColumns("Id", "Url", "Kinds", "Delivered through", "State");
            foreach (var h in hooks)
            {
                var state = !h.Active ? "removed"
                    : h.Failure is { } f ? $"failing at event {f.EventId} ({f.Attempts} attempts): {f.LastError}"
                    : h.Cursor >= last ? "up to date" : "pending";
                table.AddRow(h.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(BallastStore.RedactedUrl(h.Url)),
                    h.Kinds.Count == 0 ? "all" : string.Join(", ", h.Kinds), h.Cursor.ToString(CultureInfo.InvariantCulture), Markup.Escape(Flags.OneLine(state)));
            }
            ctx.Console.Write(table);
            return ExitCodes.Ok;
        }));

        var id = Flags.Long("ID", "A webhook id ('ballast webhooks list')", 1, long.MaxValue);
        var remove = new Command("remove", "Stop a webhook: it receives nothing more (its deliveries stay recorded)");
        remove.Arguments.Add(id);
        remove.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            StoreCommands.Open(parse, ctx).RemoveWebhook(parse.GetValue(id));
            ctx.Out.WriteLine($"webhook {parse.GetValue(id)} removed");
            return ExitCodes.Ok;
        }));

        var deliver = new Command("deliver", "Send every active webhook its pending events (failed deliveries are retried); exit 0 even when a receiver fails");
        deliver.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var store = StoreCommands.Open(parse, ctx);
            var reports = Deliver(store, ctx, quietWhenNone: false);
            foreach (var r in reports)
                ctx.Out.WriteLine($"webhook {r.WebhookId}: {r.Delivered} delivered{(r.Error is null ? r.Pending ? ", more pending (time budget)" : "" : ", failed: " + r.Error)}");
            if (reports.Count == 0) ctx.Out.WriteLine("no active webhooks");
            return ExitCodes.Ok;
        }));

        var webhooks = new Command("webhooks", "Webhooks: POST each event to a url, signed with HMAC-SHA256, retried with backoff");
        webhooks.Aliases.Add("webhook");
        webhooks.Subcommands.Add(add);
        webhooks.Subcommands.Add(list);
        webhooks.Subcommands.Add(remove);
        webhooks.Subcommands.Add(deliver);
        return webhooks;
    }

    /// <summary>The notifier's settings: the defaults, with the first retry delay from <see cref="RetryDelayVariable"/>.</summary>
    internal static WebhookOptions Options(CliContext ctx)
    {
        var options = new WebhookOptions();
        if (ctx.Environment(RetryDelayVariable) is { Length: > 0 } text)
        {
            var t = text.Trim();
            var ms = t.EndsWith("ms", StringComparison.OrdinalIgnoreCase) ? t[..^2] : null;
            var s = ms is null && t.EndsWith('s') ? t[..^1] : null;
            if (decimal.TryParse(ms ?? s ?? t, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n) && n <= 60_000)
                options = options with { FirstDelay = TimeSpan.FromMilliseconds((double)(s is not null ? n * 1000 : n)) };
            else ctx.Error.WriteLine($"ballast: warning: {RetryDelayVariable}='{text}' is not a delay such as 250ms or 2s; using 1s");
        }
        return options;
    }

    /// <summary>
    /// Sends every active webhook its pending events within the notifier's time budget, after a command's write. Failures and a
    /// store that cannot record them are warnings on standard error; nothing here throws or changes the exit code.
    /// </summary>
    internal static IReadOnlyList<WebhookReport> Deliver(BallastStore store, CliContext ctx, bool quietWhenNone = true)
    {
        try
        {
            if (quietWhenNone && store.Webhooks().Count == 0) return [];
            var notifier = new WebhookNotifier(Http.Value, TimeProvider.System, Options(ctx)); // real waits and send times, whatever clock the command dates with
            var reports = notifier.DeliverPendingAsync(store).GetAwaiter().GetResult();
            foreach (var r in reports.Where(r => r.Error is not null))
                ctx.Error.WriteLine($"ballast: warning: webhook {r.WebhookId} ({BallastStore.RedactedUrl(r.Url)}): {Flags.OneLine(r.Error!)}; recorded, retried by the next delivery ('ballast webhooks deliver')");
            foreach (var r in reports.Where(r => r.Error is null && r.Pending))
                ctx.Error.WriteLine($"ballast: warning: webhook {r.WebhookId}: the delivery's time ran out; the rest waits for 'ballast webhooks deliver'");
            return reports;
        }
        catch (Exception e)
        {
            ctx.Error.WriteLine($"ballast: warning: webhook delivery stopped: {Flags.OneLine(e.Message)}; the events stay pending for 'ballast webhooks deliver'");
            return [];
        }
    }

    /// <summary>
    /// <c>check FILE --notify URL</c>: POSTs one <c>check.result</c> event whose data is the JSON <c>check --json</c> prints. A failed
    /// delivery is a warning; the caller's exit code stays the check's.
    /// </summary>
    internal static void NotifyCheck(CliContext ctx, string url, string? secret, string file, Ballast.Planning.Plan plan, string checkJson)
    {
        try
        {
            var now = ctx.Time.GetUtcNow();
            var id = $"check-{now.UtcDateTime.ToString("yyyyMMdd'T'HHmmssfff'Z'", CultureInfo.InvariantCulture)}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(4))}";
            var e = new WebhookEvent(id, "check.result", now, Path.GetFileName(file), EventText.Slack(CheckLine(Path.GetFileName(file), plan)), checkJson);
            var notifier = new WebhookNotifier(Http.Value, TimeProvider.System, Options(ctx) with { Budget = TimeSpan.FromSeconds(60) });
            var r = notifier.SendAsync(url, secret ?? "", e).GetAwaiter().GetResult();
            if (!r.Delivered)
                ctx.Error.WriteLine($"ballast: warning: --notify: the check result was not delivered to {BallastStore.RedactedUrl(url)}: {Flags.OneLine(r.Error ?? "failed")} after {r.Attempts} attempt{(r.Attempts == 1 ? "" : "s")}");
        }
        catch (Exception e)
        {
            ctx.Error.WriteLine($"ballast: warning: --notify: the check result was not delivered: {Flags.OneLine(e.Message)}");
        }
    }

    /// <summary>One line for a check: <c>portfolio.yaml: rebalance now — VTI 71.0% (band 55–65%), BND 29.0% (band 35–45%)</c>.</summary>
    internal static string CheckLine(string file, Ballast.Planning.Plan plan)
    {
        var d = plan.Drift;
        static string P(decimal f) => (f * 100).ToString("0.#", CultureInfo.InvariantCulture);
        var outside = d.Positions.Where(p => p.Status != Ballast.Drift.BandStatus.Within)
            .Select(p => $"{p.Ticker} {(p.Weight * 100).ToString("0.0", CultureInfo.InvariantCulture)}%" + (p.Lower is { } lo && p.Upper is { } hi ? $" (band {P(lo)}–{P(hi)}%)" : "")).ToList();
        var verdict = !d.NeedsAction ? "no rebalance needed" : d.NeedsRebalancing ? "rebalance now" : "cash needs placing";
        var why = outside.Count > 0 ? string.Join(", ", outside) : string.Join("; ", d.Reasons);
        return $"{file}: {verdict}" + (why.Length > 0 ? " — " + why : "");
    }
}
