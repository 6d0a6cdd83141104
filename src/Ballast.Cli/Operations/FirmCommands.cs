using System.CommandLine;
using System.Globalization;
using System.Text;
using Ballast.Cli.Portfolio;
using Ballast.Cli.Store;
using Ballast.Input;
using Ballast.Operations;
using Ballast.Store;
using Spectre.Console;

namespace Ballast.Cli.Operations;

/// <summary>
/// <c>ballast firm set|show</c> (the firm's approval rule, unfilled rest and netting, <see cref="FirmSettings"/>) and
/// <c>ballast cash-needs add|list|cancel</c> (withdrawal requests a window raises by selling).
/// </summary>
internal static class FirmCommands
{
    public static void AddTo(RootCommand root, CliContext ctx)
    {
        var firm = new Command("firm", "The firm's settings: which window proposals wait for approval, what a block's unfilled rest does, netting");
        firm.Subcommands.Add(Set(ctx));
        firm.Subcommands.Add(Show(ctx));
        firm.Options.Add(StoreCommands.Db);
        firm.Options.Add(StoreCommands.Actor);
        root.Subcommands.Add(firm);

        var needs = new Command("cash-needs", "Cash needs (withdrawal requests): amounts an account needs by a date, raised by selling at the next window");
        needs.Subcommands.Add(Add(ctx));
        needs.Subcommands.Add(List(ctx));
        needs.Subcommands.Add(Cancel(ctx));
        needs.Options.Add(StoreCommands.Db);
        needs.Options.Add(StoreCommands.Actor);
        root.Subcommands.Add(needs);
    }

    private static Command Set(CliContext ctx)
    {
        var approval = new Option<string?>("--approval") { Description = "none (window proposals approved as saved), all, or \"above 50000 USD\" (a proposal trading more waits)" };
        var unfilled = new Option<string?>("--unfilled") { Description = "carry or cancel: what a block's unfilled rest does after a fills import, unless the import says" };
        var netting = new Option<string?>("--netting") { Description = "on or off: net buys against sells in block orders (stored; block orders do not net yet)" };
        var cmd = new Command("set", "Set one or more firm settings (each change audited; a bad value changes nothing)");
        cmd.Options.Add(approval);
        cmd.Options.Add(unfilled);
        cmd.Options.Add(netting);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var now = FirmSettings.Set(StoreCommands.Open(parse, ctx), parse.GetValue(approval), parse.GetValue(unfilled), parse.GetValue(netting));
            ctx.Out.WriteLine($"approval: {now.Approval}; unfilled: {Unfilled(now.Unfilled)}; netting: {(now.Netting ? "on" : "off")}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Show(CliContext ctx)
    {
        var json = Flags.Json();
        var cmd = new Command("show", "The firm's settings, and who set each when (a setting never set shows its default)");
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var store = StoreCommands.Open(parse, ctx);
            var settings = FirmSettings.Load(store);
            var stored = store.FirmSettingTexts().ToDictionary(s => s.Key, StringComparer.Ordinal);
            var rows = new (string Key, string Value)[]
            {
                ("approval", settings.Approval.ToString()), ("unfilled", Unfilled(settings.Unfilled)), ("netting", settings.Netting ? "on" : "off"),
            };
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w =>
                {
                    w.WriteStartObject();
                    foreach (var (key, value) in rows)
                    {
                        w.WriteStartObject(key);
                        w.WriteString("value", value);
                        if (key == "approval" && settings.Approval.Rule == ApprovalRule.Above)
                        {
                            PlanJson.Num(w, "amount", settings.Approval.Amount);
                            w.WriteString("currency", settings.Approval.Currency);
                        }
                        w.WriteBoolean("default", !stored.ContainsKey(key));
                        if (stored.TryGetValue(key, out var s))
                        {
                            w.WriteString("setAt", s.SetAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                            w.WriteString("actor", s.Actor);
                        }
                        w.WriteEndObject();
                    }
                    w.WriteEndObject();
                });
                return ExitCodes.Ok;
            }
            var table = new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii).AddColumns("Setting", "Value", "Set");
            foreach (var (key, value) in rows)
                table.AddRow(key, Markup.Escape(value), stored.TryGetValue(key, out var s)
                    ? Markup.Escape($"{s.SetAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture)} by {s.Actor}") : "(default)");
            ctx.Console.Write(table);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Add(CliContext ctx)
    {
        var account = new Argument<string>("ACCOUNT");
        var amount = Flags.PositiveAmount("AMOUNT", "Amount in the account currency, positive");
        var by = new Option<string>("--by") { Description = "The date the cash is needed by (yyyy-MM-dd)", Required = true };
        var note = new Option<string?>("--note") { Description = "What it is for, for the record" };
        var cmd = new Command("add", "Record a cash need: the next window evaluates the account whatever its look or pause and sells to raise it");
        cmd.Arguments.Add(account);
        cmd.Arguments.Add(amount);
        cmd.Options.Add(by);
        cmd.Options.Add(note);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var text = parse.GetValue(by)!;
            if (!DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
                throw new InputException(new InputProblem($"'{text}' is not a date (yyyy-MM-dd)", Field: "--by"));
            var n = parse.GetValue(note) is { } t ? Flags.OneLine(t) : null;
            var id = StoreCommands.Open(parse, ctx).AddCashNeed(parse.GetValue(account)!, parse.GetValue(amount), date, n);
            ctx.Out.WriteLine($"cash need {id}: {parse.GetValue(account)} needs {Money(parse.GetValue(amount))} by {text}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command List(CliContext ctx)
    {
        var open = new Option<bool>("--open") { Description = "Only the open ones (not yet raised)" };
        var json = Flags.Json();
        var cmd = new Command("list", "Cash needs: account, amount, needed by, status (open, raised, cancelled), the proposal raising it");
        cmd.Options.Add(open);
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var list = StoreCommands.Open(parse, ctx).CashNeeds(parse.GetValue(open));
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w =>
                {
                    w.WriteStartArray();
                    foreach (var n in list)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", n.Id);
                        w.WriteString("account", n.Account);
                        PlanJson.Num(w, "amount", n.Amount);
                        w.WriteString("currency", n.Currency);
                        w.WriteString("neededBy", Date(n.NeededBy));
                        w.WriteString("status", n.Status);
                        if (n.ProposalId is { } p) w.WriteNumber("proposal", p);
                        if (n.Note is not null) w.WriteString("note", n.Note);
                        w.WriteString("createdAt", n.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                        w.WriteString("actor", n.Actor);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return ExitCodes.Ok;
            }
            var table = new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii)
                .AddColumns("Id", "Account", "Amount", "Needed by", "Status", "Proposal", "Recorded", "Note");
            table.Columns[2].RightAligned();
            foreach (var n in list)
                table.AddRow(n.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(n.Account), $"{Money(n.Amount)} {n.Currency}", Date(n.NeededBy), n.Status,
                    n.ProposalId?.ToString(CultureInfo.InvariantCulture) ?? "", n.CreatedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture),
                    Markup.Escape(n.Note ?? ""));
            ctx.Console.Write(table);
            ctx.Out.WriteLine($"{list.Count} cash needs");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Cancel(CliContext ctx)
    {
        var id = Flags.Long("ID", "Cash need id printed by 'ballast cash-needs add' or 'list'", 1, long.MaxValue);
        var cmd = new Command("cancel", "Cancel an open cash need (one raised already: reject or cancel its proposal)");
        cmd.Arguments.Add(id);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            StoreCommands.Open(parse, ctx).CancelCashNeed(parse.GetValue(id));
            ctx.Out.WriteLine($"cash need {parse.GetValue(id)} cancelled");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static string Unfilled(UnfilledRest rest) => rest == UnfilledRest.Cancel ? "cancel" : "carry";

    private static string Money(decimal d) => d.ToString("#,0.00##", CultureInfo.InvariantCulture);

    private static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static void WriteJson(CliContext ctx, Action<System.Text.Json.Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = PlanJson.NewWriter(stream)) write(w);
        ctx.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
