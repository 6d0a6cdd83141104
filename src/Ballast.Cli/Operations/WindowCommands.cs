using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Ballast.Cli.Portfolio;
using Ballast.Cli.Store;
using Ballast.Input;
using Ballast.Operations.Blocks;
using Ballast.Operations.Monitoring;
using Ballast.Operations.Windows;
using Ballast.Planning;
using Ballast.Store;
using Spectre.Console;

namespace Ballast.Cli.Operations;

/// <summary>
/// <c>ballast schedule set|show|clear</c> (monitoring schedules stored as data) and <c>ballast window run|list|show|hold</c>
/// (one trading window over the stored accounts). The runner is <see cref="WindowRunner"/>; this only parses and renders.
/// </summary>
internal static class WindowCommands
{
    /// <summary>The most verdicts <c>window show</c> draws as a table; <c>--json</c> lists every one.</summary>
    internal const int ShownAccounts = 1000;

    /// <summary>The command groups, for the store options.</summary>
    public static readonly string[] Groups = ["schedule", "window"];

    private static readonly string EngineVersion =
        typeof(Planner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static void AddTo(RootCommand root, CliContext ctx)
    {
        root.Subcommands.Add(Schedule(ctx));
        root.Subcommands.Add(Window(ctx));
    }

    private static Command Schedule(CliContext ctx)
    {
        Option<string?> Model() => new("--model") { Description = "A model's override of the firm's schedule" };
        Option<string?> Account() => new("--account") { Description = "An account's override (over its model's)" };

        var file = new Argument<string?>("FILE") { Description = "Schedule file (YAML or JSON); a model's or account's names only the fields it changes", Arity = ArgumentArity.ZeroOrOne };
        var setModel = Model();
        var setAccount = Account();
        var setClear = new Option<bool>("--clear") { Description = "Remove the stored schedule instead (the firm's: the default method applies)" };
        var set = new Command("set", "Store the firm's schedule, or a model's or an account's override (--clear removes it)");
        set.Arguments.Add(file);
        set.Options.Add(setModel);
        set.Options.Add(setAccount);
        set.Options.Add(setClear);
        set.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var (kind, name) = Owner(parse.GetValue(setModel), parse.GetValue(setAccount));
            if (parse.GetValue(setClear))
            {
                if (parse.GetValue(file) is not null) throw new InputException(new InputProblem("give FILE or --clear, not both", Field: "--clear"));
                var removed = StoreCommands.Open(parse, ctx).ClearSchedule(kind, name);
                ctx.Out.WriteLine(removed ? $"schedule of {Describe(kind, name)} cleared" : $"{Describe(kind, name)} had no stored schedule");
                return ExitCodes.Ok;
            }
            var path = parse.GetValue(file) ?? throw new InputException(new InputProblem("name the schedule FILE, or give --clear", Field: "FILE"));
            var problems = new List<InputProblem>();
            var text = Document.ReadFile(ctx.ResolvePath(path), path, problems) ?? throw new InputException(problems);
            var store = StoreCommands.Open(parse, ctx);
            StoredSchedules.Set(store, kind, name, path, text);
            ctx.Out.WriteLine($"schedule of {Describe(kind, name)} set");
            ctx.Out.WriteLine(Effective(store, kind, name).ToString());
            return ExitCodes.Ok;
        }));

        var showModel = Model();
        var showAccount = Account();
        var show = new Command("show", "Show the effective schedule of the firm, a model or an account");
        show.Options.Add(showModel);
        show.Options.Add(showAccount);
        show.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var (kind, name) = Owner(parse.GetValue(showModel), parse.GetValue(showAccount));
            var store = StoreCommands.Open(parse, ctx);
            var stored = store.Schedules();
            var effective = Effective(store, kind, name);
            ctx.Out.WriteLine($"effective schedule of {Describe(kind, name)}: {effective}");
            if (!stored.Any(s => s.Kind == ScheduleKind.Firm)) ctx.Out.WriteLine("the firm has no stored schedule: the default method applies");
            foreach (var s in stored.Where(s => s.Kind == ScheduleKind.Firm || (s.Kind == kind && s.Name == name)
                                                || (kind == ScheduleKind.Account && s.Kind == ScheduleKind.Model && s.Name == store.ModelOfAccount(name!))))
            {
                ctx.Out.WriteLine($"# {Describe(s.Kind, s.Name)}, set {s.SetAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture)} by {s.Actor}");
                ctx.Out.WriteLine(s.Text.TrimEnd());
            }
            return ExitCodes.Ok;
        }));

        var clearModel = Model();
        var clearAccount = Account();
        var clear = new Command("clear", "Remove the firm's schedule (the default applies) or a model's or an account's override");
        clear.Options.Add(clearModel);
        clear.Options.Add(clearAccount);
        clear.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var (kind, name) = Owner(parse.GetValue(clearModel), parse.GetValue(clearAccount));
            var removed = StoreCommands.Open(parse, ctx).ClearSchedule(kind, name);
            ctx.Out.WriteLine(removed ? $"schedule of {Describe(kind, name)} cleared" : $"{Describe(kind, name)} had no stored schedule");
            return ExitCodes.Ok;
        }));

        var schedule = new Command("schedule", "Monitoring schedules: when accounts are compared with their bands");
        schedule.Subcommands.Add(set);
        schedule.Subcommands.Add(show);
        schedule.Subcommands.Add(clear);
        return schedule;
    }

    private static (ScheduleKind Kind, string? Name) Owner(string? model, string? account) => (model, account) switch
    {
        ({ }, { }) => throw new InputException(new InputProblem("give --model or --account, not both", Field: "--account")),
        ({ } m, null) => (ScheduleKind.Model, m),
        (null, { } a) => (ScheduleKind.Account, a),
        _ => (ScheduleKind.Firm, null),
    };

    private static string Describe(ScheduleKind kind, string? name) => kind switch
    {
        ScheduleKind.Model => $"model '{name}'",
        ScheduleKind.Account => $"account '{name}'",
        _ => "the firm",
    };

    private static MonitoringSchedule Effective(BallastStore store, ScheduleKind kind, string? name)
    {
        var schedules = StoredSchedules.Load(store);
        return kind switch
        {
            ScheduleKind.Model => schedules.For(name),
            ScheduleKind.Account => schedules.For(store.ModelOfAccount(name!), name),
            _ => schedules.Firm,
        };
    }

    private static Command Window(CliContext ctx)
    {
        var calendar = new Option<string>("--calendar") { Description = "Trading calendar file (YAML or JSON)", Required = true };
        var at = new Option<string?>("--at") { Description = "Run the latest window at or before this time: 2026-03-02T10:00 (the calendar's local time), an instant with Z or an offset, or a date (its end); default now" };
        var json = new Option<bool>("--json") { Description = "The run summary as JSON" };
        var withBlocks = new Option<bool>("--blocks") { Description = "Then gather the window's approved proposals into blocks (as 'ballast window blocks')" };
        var batchSize = Flags.Int("--batch-size", "Accounts read, planned and written per transaction (default 2,000); a killed run keeps whole batches", 100, 100_000, 2_000);
        var run = new Command("run", "Run one trading window over every stored account: evaluate those due, save a proposal per account that trades");
        run.Options.Add(calendar);
        run.Options.Add(at);
        run.Options.Add(json);
        run.Options.Add(withBlocks);
        run.Options.Add(batchSize);
        run.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var cal = TradingCalendarReader.Load(ctx.ResolvePath(parse.GetValue(calendar)!));
            var instant = ParseAt(parse.GetValue(at), cal, ctx);
            var window = WindowRunner.WindowAt(cal, instant);
            var store = StoreCommands.Open(parse, ctx);
            var runner = new WindowRunner(store, EngineVersion) { BatchSize = parse.GetValue(batchSize) };
            WindowRunResult result;
            try { result = StoreCommands.WithProgress(ctx, $"window {window.Id}", () => runner.Run(cal, window)); }
            catch (Exception) { EventCommands.Deliver(store, ctx); throw; } // a failed run's window.failed event goes out too
            IReadOnlyList<BlockInfo>? made = null;
            if (parse.GetValue(withBlocks))
            {
                var (after, blocks) = new BlockDesk(store).CreateForWindow(result.Run.WindowId);
                result = result with { Run = after };
                made = blocks;
            }
            if (parse.GetValue(json)) WriteJson(ctx, result, made);
            else
            {
                RenderRun(ctx, result);
                if (made is not null) RenderBlocks(ctx, made, result.Run);
            }
            EventCommands.Deliver(store, ctx);
            return ExitCodes.Ok;
        }));

        var list = new Command("list", "Window runs, newest window first");
        list.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var runs = StoreCommands.Open(parse, ctx).WindowRuns();
            if (runs.Count == 0)
            {
                ctx.Out.WriteLine("no window runs");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii)
                .AddColumns("Run", "Window", "Status", "Accounts", "Evaluated", "Rebalanced", "Skipped", "Started");
            foreach (var r in runs)
                table.AddRow(r.Id.ToString(CultureInfo.InvariantCulture), r.WindowId, r.Status + (r.Error is null ? "" : ": " + Markup.Escape(Flags.OneLine(r.Error))),
                    N(r.Accounts), N(r.Evaluated), N(r.Rebalanced), N(r.Skipped), r.StartedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture));
            ctx.Console.Write(table);
            return ExitCodes.Ok;
        }));

        var id = new Argument<string>("ID") { Description = "A window id (2026-03-02T10:00) or a run number" };
        var showJson = new Option<bool>("--json") { Description = "Every account's verdict as JSON" };
        var show = new Command("show", "A window run's verdict for every account");
        show.Arguments.Add(id);
        show.Options.Add(showJson);
        show.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var store = StoreCommands.Open(parse, ctx);
            var r = store.FindWindowRun(parse.GetValue(id)!)
                ?? throw new InputException(new InputProblem($"no window run '{parse.GetValue(id)}'; 'ballast window list' shows them", Field: "ID"));
            if (parse.GetValue(showJson))
            {
                // Streamed, account by account: a run of a million accounts is written out in pieces, never held whole.
                using var buffer = new MemoryStream();
                void Drain(Utf8JsonWriter writer)
                {
                    writer.Flush(); // whole tokens only, so each piece is whole UTF-8
                    ctx.Out.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
                    buffer.SetLength(0);
                }
                using (var w = PlanJson.NewWriter(buffer))
                {
                    w.WriteStartObject();
                    WriteRun(w, r);
                    w.WriteStartArray("accounts");
                    foreach (var a in store.StreamWindowRunAccounts(r.Id))
                    {
                        w.WriteStartObject();
                        w.WriteString("account", a.Account);
                        w.WriteString("decision", a.Decision);
                        w.WriteString("outcome", a.Outcome);
                        w.WriteString("reason", a.Reason);
                        if (a.ProposalId is { } p) w.WriteNumber("proposal", p);
                        w.WriteEndObject();
                        if (w.BytesPending + buffer.Length > 1 << 16) Drain(w);
                    }
                    w.WriteEndArray();
                    w.WriteEndObject();
                    Drain(w);
                }
                ctx.Out.WriteLine();
                return ExitCodes.Ok;
            }
            ctx.Console.MarkupLine($"[bold]Window {r.WindowId}[/] (run {r.Id}): {r.Status}; {N(r.Accounts)} accounts, {N(r.Evaluated)} evaluated, {N(r.Rebalanced)} rebalanced, {N(r.Skipped)} skipped");
            var table = new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii)
                .AddColumns("Account", "Decision", "Outcome", "Proposal", "Reason");
            // A table of a million rows helps nobody and would be held whole to be drawn: the first ShownAccounts, then how many more.
            var accounts = store.WindowRunAccounts(r.Id, ShownAccounts + 1);
            foreach (var a in accounts.Take(ShownAccounts))
                table.AddRow(Markup.Escape(a.Account), a.Decision, a.Outcome, a.ProposalId?.ToString(CultureInfo.InvariantCulture) ?? "", Markup.Escape(a.Reason));
            ctx.Console.Write(table);
            if (accounts.Count > ShownAccounts)
                ctx.Console.WriteLine($"... and {N(store.WindowRunCounts(r.Id).Sum(c => c.Count) - ShownAccounts)} more accounts ('ballast window show {r.WindowId} --json' lists every one)");
            return ExitCodes.Ok;
        }));

        var holdAccount = new Argument<string?>("ACCOUNT") { Arity = ArgumentArity.ZeroOrOne };
        var holdHousehold = new Option<string?>("--household") { Description = "Hold every account of this household instead" };
        var holdReason = new Option<string?>("--reason") { Description = "Why the account is held (shown as its skip reason)" };
        var holdClear = new Option<bool>("--clear") { Description = "Lift the hold" };
        var hold = new Command("hold", "Hold an account (or with --household every account of a household) out of window runs (--reason), or lift the hold (--clear)");
        hold.Arguments.Add(holdAccount);
        hold.Options.Add(holdHousehold);
        hold.Options.Add(holdReason);
        hold.Options.Add(holdClear);
        hold.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var account = parse.GetValue(holdAccount);
            var household = parse.GetValue(holdHousehold);
            if ((account is null) == (household is null)) throw new InputException(new InputProblem("name the ACCOUNT, or give --household", Field: "ACCOUNT"));
            var clear = parse.GetValue(holdClear);
            var reason = parse.GetValue(holdReason);
            if (clear == (reason is not null)) throw new InputException(new InputProblem("give --reason to hold the account, or --clear to lift the hold", Field: "--reason"));
            var store = StoreCommands.Open(parse, ctx);
            if (household is not null) store.SetHouseholdHold(household, clear ? null : Flags.OneLine(reason!));
            else store.SetHold(account!, clear ? null : Flags.OneLine(reason!));
            var name = household is null ? account : $"household {household}";
            ctx.Out.WriteLine(clear ? $"hold on {name} lifted" : $"{name} held: {reason}");
            return ExitCodes.Ok;
        }));

        var blocksId = new Argument<string>("WINDOW") { Description = "A window id (2026-03-02T10:00) or a run number" };
        var blocksCmd = new Command("blocks", "Gather a window's approved (or sent) proposals that are in no block yet into blocks recorded with the window; those awaiting approval join once approved");
        blocksCmd.Arguments.Add(blocksId);
        blocksCmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var (after, made) = new BlockDesk(StoreCommands.Open(parse, ctx)).CreateForWindow(parse.GetValue(blocksId)!);
            RenderBlocks(ctx, made, after);
            return ExitCodes.Ok;
        }));

        var window = new Command("window", "Trading windows: run one over the stored accounts, list and show the runs");
        window.Subcommands.Add(run);
        window.Subcommands.Add(list);
        window.Subcommands.Add(show);
        window.Subcommands.Add(hold);
        window.Subcommands.Add(blocksCmd);
        return window;
    }

    private static string N(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);

    /// <summary><c>--at</c>: read by the operations layer (<see cref="WindowTimes"/>), the same for every host.</summary>
    private static DateTimeOffset ParseAt(string? text, TradingCalendar calendar, CliContext ctx) => WindowTimes.Parse(text, calendar, ctx.Time.GetUtcNow(), "--at");

    private static void RenderRun(CliContext ctx, WindowRunResult result)
    {
        var r = result.Run;
        var how = result.AlreadyDone ? " (already run: nothing added)" : result.Resumed ? " (resumed: accounts recorded before were not evaluated again)" : "";
        ctx.Console.MarkupLine($"[bold]Window {r.WindowId}[/] (run {r.Id}): {r.Status}{Markup.Escape(how)}");
        ctx.Out.WriteLine($"{N(r.Accounts)} accounts: {N(r.Evaluated)} evaluated, {N(r.Rebalanced)} rebalanced, {N(r.Skipped)} skipped, {N(r.Accounts - r.Evaluated - r.Skipped)} not evaluated");
        foreach (var (outcome, decision, count) in result.Counts)
            ctx.Out.WriteLine($"  {outcome}: {decision}: {N(count)}");
        foreach (var (account, id) in result.Proposals.Take(50))
            ctx.Out.WriteLine($"proposal {id}: {account}");
        if (result.Proposals.Count > 50) ctx.Out.WriteLine($"... and {result.Proposals.Count - 50} more proposals ('ballast window show {r.WindowId}')");
    }

    private static void WriteRun(System.Text.Json.Utf8JsonWriter w, WindowRunInfo r)
    {
        w.WriteString("window", r.WindowId);
        w.WriteNumber("run", r.Id);
        w.WriteString("date", r.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        w.WriteString("cutOff", r.CutOff.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteString("status", r.Status);
        w.WriteNumber("accounts", r.Accounts);
        w.WriteNumber("evaluated", r.Evaluated);
        w.WriteNumber("rebalanced", r.Rebalanced);
        w.WriteNumber("skipped", r.Skipped);
        if (r.Error is not null) w.WriteString("error", r.Error);
    }

    private static void RenderBlocks(CliContext ctx, IReadOnlyList<BlockInfo> made, WindowRunInfo run)
    {
        foreach (var b in made)
        {
            var accounts = b.Lines.Select(l => l.Account).Distinct().Count();
            ctx.Out.WriteLine($"block {b.Id}: {b.Side.ToText()} {b.Quantity.ToString("#,0.######", CultureInfo.InvariantCulture)} {b.Ticker} "
                + $"for {accounts} account{(accounts == 1 ? "" : "s")}" + (b.Filled > 0 ? $", {b.Filled.ToString("#,0.######", CultureInfo.InvariantCulture)} crossed between accounts" : ""));
        }
        ctx.Out.WriteLine($"window {run.WindowId}: {made.Count} blocks created; run {run.Status}");
    }

    private static void WriteJson(CliContext ctx, WindowRunResult result, IReadOnlyList<BlockInfo>? blocks = null)
    {
        using var stream = new MemoryStream();
        using (var w = PlanJson.NewWriter(stream))
        {
            w.WriteStartObject();
            WriteRun(w, result.Run);
            w.WriteBoolean("alreadyRun", result.AlreadyDone);
            w.WriteBoolean("resumed", result.Resumed);
            w.WriteStartArray("counts");
            foreach (var (outcome, decision, count) in result.Counts)
            {
                w.WriteStartObject();
                w.WriteString("outcome", outcome);
                w.WriteString("reason", decision);
                w.WriteNumber("accounts", count);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("proposals");
            foreach (var (account, id) in result.Proposals)
            {
                w.WriteStartObject();
                w.WriteString("account", account);
                w.WriteNumber("proposal", id);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (blocks is not null)
            {
                w.WriteStartArray("blocks");
                foreach (var b in blocks) w.WriteNumberValue(b.Id);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        ctx.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
