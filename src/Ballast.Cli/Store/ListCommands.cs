using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ballast.Cli.Portfolio;
using Ballast.Input;
using Ballast.Store;
using Spectre.Console;

namespace Ballast.Cli.Store;

/// <summary>
/// What the store holds, one shape for every kind: <c>ballast NOUN list</c> (accounts, households, model, proposals,
/// prices), each as a table or with <c>--json</c>; <c>ballast proposals show|approve|send|cancel ID</c>;
/// <c>ballast accounts margin ACCOUNT on|off</c>; <c>ballast accounts set ACCOUNT</c> (execution settings); <c>ballast fx list</c>.
/// </summary>
public static class ListCommands
{
    /// <summary>Groups this file creates; they take <c>--db</c> and <c>--actor</c>.</summary>
    internal static readonly string[] Groups = ["accounts", "households", "proposals"];

    public static void AddTo(RootCommand root, CliContext ctx)
    {
        var accounts = new Command("accounts", "Stored accounts");
        accounts.Aliases.Add("account");
        accounts.Subcommands.Add(AccountsList(ctx));
        accounts.Subcommands.Add(Margin(ctx));
        accounts.Subcommands.Add(AccountSet(ctx));
        accounts.Subcommands.Add(LotMethod(ctx));
        root.Subcommands.Add(accounts);

        var households = new Command("households", "Households and their accounts");
        households.Aliases.Add("household");
        households.Subcommands.Add(HouseholdsList(ctx));
        households.Subcommands.Add(HouseholdTax(ctx));
        root.Subcommands.Add(households);

        var proposals = new Command("proposals", "Saved proposals: list them with their status, show one, approve, send or cancel it");
        proposals.Aliases.Add("proposal");
        proposals.Subcommands.Add(ProposalsList(ctx));
        proposals.Subcommands.Add(ProposalShow(ctx));
        foreach (var (name, status, what) in new[]
                 {
                     ("approve", ProposalStatus.Approved, "Record that a person approved the proposal"),
                     ("send", ProposalStatus.Sent, "Record that the proposal's orders were sent to the broker"),
                     ("cancel", ProposalStatus.Cancelled, "Cancel the proposal: its open orders will not be executed; the look counts as done"),
                 })
            proposals.Subcommands.Add(ProposalStep(ctx, name, status, what));
        proposals.Subcommands.Add(ProposalReject(ctx));
        root.Subcommands.Add(proposals);

        var model = root.Subcommands.Single(c => c.Name == "model");
        model.Aliases.Add("models");
        model.Subcommands.Add(ModelsList(ctx));
        var prices = root.Subcommands.Single(c => c.Name == "prices");
        prices.Subcommands.Add(PricesList(ctx));
        var fx = root.Subcommands.Single(c => c.Name == "fx");
        fx.Subcommands.Add(FxList(ctx));
    }

    private static Option<bool> NewJson() => new("--json") { Description = "Print JSON instead of a table" };

    private static string Date(DateOnly? d) => d?.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) ?? "";

    private static string Number(decimal d) => d.ToString("#,0.00", CultureInfo.InvariantCulture);

    private static Table NewTable(CliContext ctx, params string[] columns) =>
        new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii).AddColumns(columns);

    private static void WriteJson(CliContext ctx, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = PlanJson.NewWriter(stream)) write(w);
        ctx.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static Command AccountsList(CliContext ctx)
    {
        var cmd = new Command("list", "List accounts: household, type, currency, model and version, cash, holdings, last rebalance, margin, lot method");
        var json = NewJson();
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var list = StoreCommands.Open(parse, ctx).ListAccounts();
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w =>
                {
                    w.WriteStartArray();
                    foreach (var a in list)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", a.Name);
                        if (a.Household is not null) w.WriteString("household", a.Household);
                        w.WriteString("type", a.Type);
                        w.WriteString("currency", a.Currency);
                        if (a.Model is not null) w.WriteString("model", a.Model);
                        if (a.ModelVersion is { } v) w.WriteNumber("modelVersion", v);
                        w.WriteBoolean("ownPolicy", a.OwnPolicy);
                        w.WriteNumber("cash", a.Cash);
                        w.WriteNumber("holdings", a.Holdings);
                        if (a.LastRebalance is not null) w.WriteString("lastRebalance", Date(a.LastRebalance));
                        w.WriteBoolean("allowMargin", a.AllowMargin);
                        ExecutionSettings.WriteJson(w, "execution", a.Execution);
                        w.WriteString("lotMethod", a.LotMethod);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return ExitCodes.Ok;
            }
            var table = NewTable(ctx, "Account", "Household", "Type", "Currency", "Model", "Cash", "Holdings", "Last rebalance", "Margin", "Lots", "Execution");
            table.Columns[5].RightAligned();
            table.Columns[6].RightAligned();
            foreach (var a in list)
                table.AddRow(Markup.Escape(a.Name), Markup.Escape(a.Household ?? ""), a.Type, a.Currency,
                    Markup.Escape(a.Model is null ? "(none)" : $"{a.Model} v{a.ModelVersion}{(a.OwnPolicy ? ", own policy" : "")}"),
                    Number(a.Cash), a.Holdings.ToString(CultureInfo.InvariantCulture), Date(a.LastRebalance), a.AllowMargin ? "yes" : "no", a.LotMethod,
                    Markup.Escape(ExecutionSettings.Short(a.Execution)));
            ctx.Console.Write(table);
            ctx.Out.WriteLine($"{list.Count} accounts");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Margin(CliContext ctx)
    {
        var account = new Argument<string>("ACCOUNT");
        var setting = new Argument<string>("on|off") { Description = "on: fills may take the account's cash below zero; off (the default): such a buy is refused" };
        setting.AcceptOnlyFromAmong("on", "off");
        var cmd = new Command("margin", "Allow or refuse fills that take an account's cash below zero");
        cmd.Arguments.Add(account);
        cmd.Arguments.Add(setting);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var on = parse.GetValue(setting) == "on";
            StoreCommands.Open(parse, ctx).SetMargin(parse.GetValue(account)!, on);
            ctx.Out.WriteLine($"{parse.GetValue(account)}: margin {(on ? "allowed" : "not allowed")}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command AccountSet(CliContext ctx)
    {
        var account = new Argument<string>("ACCOUNT");
        var execution = new ExecutionSettings();
        var clear = new Option<bool>("--clear") { Description = "Remove the account's own execution settings (the model's apply), before any given here" };
        var cmd = new Command("set", "Set an account's own execution settings, read over its model's; plan flags still override both");
        cmd.Arguments.Add(account);
        execution.AddTo(cmd);
        cmd.Options.Add(clear);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            if (!execution.Given(parse) && !parse.GetValue(clear))
                throw new InputException(new InputProblem("give --execution-file, an execution flag (--whole-shares, --min-trade, ...) or --clear", Field: "ACCOUNT"));
            var store = StoreCommands.Open(parse, ctx);
            var name = parse.GetValue(account)!;
            var current = parse.GetValue(clear) ? null : store.AccountExecution(name);
            var text = execution.Build(parse, ctx, current);
            store.SetAccountExecution(name, text);
            ctx.Out.WriteLine(text is null ? $"{name}: no own execution settings" : $"{name}: execution {ExecutionSettings.Short(text)}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command LotMethod(CliContext ctx)
    {
        var account = new Argument<string>("ACCOUNT");
        var method = new Argument<string?>("METHOD") { Description = "fifo (the default), lifo, hifo or tax-min; without it, print the account's method", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("lot-method", "Show or set the order in which an account's sales consume its lots (the engine's lot selection); fixed once the account has sold");
        cmd.Arguments.Add(account);
        cmd.Arguments.Add(method);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var store = StoreCommands.Open(parse, ctx);
            var name = parse.GetValue(account)!;
            if (parse.GetValue(method) is not { } text)
            {
                ctx.Out.WriteLine($"{name}: lot method {Ballast.Tax.LotSelectionMethods.ToWord(store.LotMethod(name))}");
                return ExitCodes.Ok;
            }
            if (!Ballast.Store.Ledger.StoredLotMethods.TryParse(text, out var m, out var error)) throw new InputException(new InputProblem(error!, Field: "METHOD"));
            store.SetLotMethod(name, m);
            ctx.Out.WriteLine($"{name}: lot method {Ballast.Tax.LotSelectionMethods.ToWord(m)}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command HouseholdTax(CliContext ctx)
    {
        var household = new Argument<string>("HOUSEHOLD");
        var file = new Argument<string?>("FILE")
        {
            Description = "YAML or JSON with a portfolio file's taxRegime, identical, substitutes, harvest and allowCashTransfers; without it, print the settings",
            Arity = ArgumentArity.ZeroOrOne,
        };
        var clear = new Option<bool>("--clear") { Description = "Remove the settings (US 37%/20%, no identical groups or substitutes, default harvest thresholds)" };
        var cmd = new Command("tax", "Show or set a household's tax settings, used by lots, tax, harvest and plan on its stored accounts");
        cmd.Arguments.Add(household);
        cmd.Arguments.Add(file);
        cmd.Options.Add(clear);
        cmd.Validators.Add(result =>
        {
            if (Flags.Value(result, clear) && Flags.Value(result, file) is not null) result.AddError("give a settings FILE or --clear, not both");
        });
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var store = StoreCommands.Open(parse, ctx);
            var name = parse.GetValue(household)!;
            if (parse.GetValue(clear))
            {
                store.SetHouseholdTax(name, null);
                ctx.Out.WriteLine($"household {name}: tax settings cleared");
                return ExitCodes.Ok;
            }
            if (parse.GetValue(file) is not { } path)
            {
                ctx.Out.WriteLine(store.HouseholdTax(name) is { } text ? text.TrimEnd() : $"household {name}: no tax settings (US 37%/20%, defaults)");
                return ExitCodes.Ok;
            }
            var problems = new List<InputProblem>();
            var content = Document.ReadFile(ctx.ResolvePath(path), path, problems);
            if (content is null) throw new InputException(problems);
            store.SetHouseholdTax(name, content, path);
            ctx.Out.WriteLine($"household {name}: tax settings set from {path}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command HouseholdsList(CliContext ctx)
    {
        var cmd = new Command("list", "List households and their accounts");
        var json = NewJson();
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var list = StoreCommands.Open(parse, ctx).ListHouseholds();
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w =>
                {
                    w.WriteStartArray();
                    foreach (var h in list)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", h.Name);
                        w.WriteStartArray("accounts");
                        foreach (var a in h.Accounts) w.WriteStringValue(a);
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return ExitCodes.Ok;
            }
            var table = NewTable(ctx, "Household", "Accounts");
            foreach (var h in list) table.AddRow(Markup.Escape(h.Name), Markup.Escape(string.Join(", ", h.Accounts)));
            ctx.Console.Write(table);
            ctx.Out.WriteLine($"{list.Count} households");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command ModelsList(CliContext ctx)
    {
        var name = new Argument<string?>("NAME") { Description = "One model: list every version with its targets", Arity = ArgumentArity.ZeroOrOne };
        var cmd = new Command("list", "List models with their latest version and accounts; with NAME, every version of that model");
        cmd.Arguments.Add(name);
        var json = NewJson();
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var only = parse.GetValue(name);
            var list = StoreCommands.Open(parse, ctx).ListModels(only);
            if (only is not null && list.Count == 0) throw new InputException(new InputProblem($"model '{only}' does not exist", Field: "NAME"));
            static string Targets(IReadOnlyDictionary<string, decimal> t) =>
                string.Join(", ", t.Select(x => $"{x.Key} {(x.Value * 100).ToString("0.##", CultureInfo.InvariantCulture)}%"));
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w =>
                {
                    w.WriteStartArray();
                    foreach (var m in list)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", m.Name);
                        w.WriteStartArray("versions");
                        foreach (var v in m.Versions)
                        {
                            w.WriteStartObject();
                            w.WriteNumber("version", v.Version);
                            w.WriteString("createdAt", v.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
                            w.WriteString("actor", v.Actor);
                            w.WriteBoolean("policy", v.HasPolicy);
                            ExecutionSettings.WriteJson(w, "execution", v.Execution);
                            w.WriteStartObject("targets");
                            foreach (var t in v.Targets) w.WriteNumber(t.Key, t.Value);
                            w.WriteEndObject();
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteStartArray("accounts");
                        foreach (var a in m.Accounts) w.WriteStringValue(a);
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return ExitCodes.Ok;
            }
            if (only is not null)
            {
                var versions = NewTable(ctx, "Version", "Created (UTC)", "Actor", "Targets", "Execution");
                foreach (var v in list[0].Versions)
                    versions.AddRow(v.Version.ToString(CultureInfo.InvariantCulture), v.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                        Markup.Escape(v.Actor), Markup.Escape(Targets(v.Targets)), Markup.Escape(ExecutionSettings.Short(v.Execution)));
                ctx.Console.Write(versions);
                ctx.Out.WriteLine($"{list[0].Accounts.Count} accounts follow {only}: {string.Join(", ", list[0].Accounts)}");
                return ExitCodes.Ok;
            }
            var table = NewTable(ctx, "Model", "Version", "Changed (UTC)", "Accounts", "Targets", "Execution");
            table.Columns[1].RightAligned();
            table.Columns[3].RightAligned();
            foreach (var m in list)
            {
                var latest = m.Versions[^1];
                table.AddRow(Markup.Escape(m.Name), latest.Version.ToString(CultureInfo.InvariantCulture), latest.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture),
                    m.Accounts.Count.ToString(CultureInfo.InvariantCulture), Markup.Escape(Targets(latest.Targets)), Markup.Escape(ExecutionSettings.Short(latest.Execution)));
            }
            ctx.Console.Write(table);
            ctx.Out.WriteLine($"{list.Count} models");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command ProposalsList(CliContext ctx)
    {
        var account = StoreCommands.AccountOption(required: false);
        var status = new Option<string?>("--status") { Description = "Only proposals with this status: proposed, approved, sent, partly-filled, filled, cancelled, expired, rejected" };
        var cmd = new Command("list", "List proposals, newest first, with their status");
        cmd.Options.Add(account);
        cmd.Options.Add(status);
        var json = NewJson();
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            ProposalStatus? wanted = null;
            if (parse.GetValue(status) is { } text)
                wanted = ProposalStatuses.Parse(text) ?? throw new InputException(new InputProblem(
                    $"'{text}' is not a status: proposed, approved, sent, partly-filled, filled, cancelled, expired or rejected", Field: "--status"));
            var list = StoreCommands.Open(parse, ctx).Proposals(parse.GetValue(account), wanted);
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w =>
                {
                    w.WriteStartArray();
                    foreach (var p in list) WriteProposal(w, p, orders: false);
                    w.WriteEndArray();
                });
                return ExitCodes.Ok;
            }
            var table = NewTable(ctx, "Id", "Created (UTC)", "Actor", "Scope", "Status", "Orders", "Filled");
            table.Columns[0].RightAligned();
            foreach (var p in list)
                table.AddRow(p.Id.ToString(CultureInfo.InvariantCulture), p.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), Markup.Escape(p.Actor),
                    Markup.Escape(p.Scope), p.Status.ToText(), p.Orders.Count.ToString(CultureInfo.InvariantCulture),
                    $"{p.Filled.Zip(p.Orders).Count(x => x.First >= x.Second.Quantity)} of {p.Orders.Count}");
            ctx.Console.Write(table);
            ctx.Out.WriteLine($"{list.Count} proposals");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static void WriteProposal(Utf8JsonWriter w, ProposalInfo p, bool orders)
    {
        w.WriteStartObject();
        w.WriteNumber("id", p.Id);
        w.WriteString("createdAt", p.CreatedAt.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
        w.WriteString("actor", p.Actor);
        w.WriteString("scope", p.Scope);
        w.WriteString("status", p.Status.ToText());
        w.WriteString("engineVersion", p.EngineVersion);
        if (!orders)
        {
            w.WriteNumber("orders", p.Orders.Count);
            w.WriteNumber("ordersFilled", p.Filled.Zip(p.Orders).Count(x => x.First >= x.Second.Quantity));
        }
        else
        {
            w.WriteStartArray("orders");
            foreach (var (o, filled) in p.Orders.Zip(p.Filled))
            {
                w.WriteStartObject();
                w.WriteString("account", o.Account);
                w.WriteString("ticker", o.Ticker);
                w.WriteString("side", o.Side.ToText());
                w.WriteNumber("quantity", o.Quantity);
                if (o.Price is { } price) w.WriteNumber("price", price);
                w.WriteNumber("filled", filled);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static Argument<long> ProposalId() => Flags.Long("PROPOSAL", "Proposal id printed by 'ballast plan --save'", 1, long.MaxValue);

    private static Command ProposalShow(CliContext ctx)
    {
        var id = ProposalId();
        var cmd = new Command("show", "Show a proposal's status and its orders with what was filled");
        cmd.Arguments.Add(id);
        var json = NewJson();
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var p = StoreCommands.Open(parse, ctx).GetProposal(parse.GetValue(id));
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w => WriteProposal(w, p, orders: true));
                return ExitCodes.Ok;
            }
            ctx.Out.WriteLine($"proposal {p.Id} for {p.Scope}: {p.Status.ToText()} (made {p.CreatedAt:yyyy-MM-dd HH:mm} UTC by {p.Actor})");
            var table = NewTable(ctx, "Account", "Ticker", "Side", "Quantity", "Price", "Filled");
            foreach (var i in new[] { 3, 4, 5 }) table.Columns[i].RightAligned();
            foreach (var (o, filled) in p.Orders.Zip(p.Filled))
                table.AddRow(Markup.Escape(o.Account), Markup.Escape(o.Ticker), o.Side.ToText(), Scaled.Format(o.Quantity),
                    o.Price is { } price ? Scaled.Format(price) : "", Scaled.Format(filled));
            ctx.Console.Write(table);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command ProposalStep(CliContext ctx, string name, ProposalStatus status, string description)
    {
        var id = ProposalId();
        var note = new Option<string?>("--note") { Description = "Why, for the record" };
        var cmd = new Command(name, description);
        cmd.Arguments.Add(id);
        cmd.Options.Add(note);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var store = StoreCommands.Open(parse, ctx);
            var now = store.SetProposalStatus(parse.GetValue(id), status, parse.GetValue(note));
            ctx.Out.WriteLine($"proposal {parse.GetValue(id)} is {now.ToText()}");
            Operations.EventCommands.Deliver(store, ctx);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command ProposalReject(CliContext ctx)
    {
        var id = ProposalId();
        var reason = new Option<string>("--reason") { Description = "Why, for the record (required)", Required = true };
        var cmd = new Command("reject", "Reject a proposal awaiting approval (proposed or approved, in no block): it never trades, and the account is due again at the next window");
        cmd.Arguments.Add(id);
        cmd.Options.Add(reason);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var why = Flags.OneLine(parse.GetValue(reason)!);
            var was = StoreCommands.Open(parse, ctx).RejectProposal(parse.GetValue(id), why);
            ctx.Out.WriteLine($"proposal {parse.GetValue(id)} is rejected (was {was.ToText()}): {why}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Table FxTable(CliContext ctx, IReadOnlyList<FxCoverage> fx)
    {
        var table = NewTable(ctx, "Pair", "Rates", "First", "Last", "Latest");
        foreach (var i in new[] { 1, 4 }) table.Columns[i].RightAligned();
        foreach (var f in fx)
            table.AddRow(f.Pair, f.Rates.ToString(CultureInfo.InvariantCulture), Date(f.First), Date(f.Last), f.Latest is { } l ? Scaled.Format(l) : "none");
        return table;
    }

    private static Command FxList(CliContext ctx)
    {
        var asOf = new Option<string?>("--as-of") { Description = "Coverage on or before this date (yyyy-MM-dd, default today)" };
        var cmd = new Command("list", "FX coverage per pair: rates, first and last date, latest rate");
        cmd.Options.Add(asOf);
        var json = NewJson();
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var date = StoreCommands.ParseDate(parse.GetValue(asOf), "--as-of", ctx);
            var list = StoreCommands.Open(parse, ctx).ListFx(date);
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w =>
                {
                    w.WriteStartArray();
                    foreach (var f in list)
                    {
                        w.WriteStartObject();
                        w.WriteString("pair", f.Pair);
                        w.WriteNumber("rates", f.Rates);
                        if (f.First is not null) w.WriteString("first", Date(f.First));
                        if (f.Last is not null) w.WriteString("last", Date(f.Last));
                        if (f.Latest is { } l) w.WriteNumber("latest", l);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return ExitCodes.Ok;
            }
            ctx.Console.Write(FxTable(ctx, list));
            ctx.Out.WriteLine($"{list.Count} FX pair{(list.Count == 1 ? "" : "s")}");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command PricesList(CliContext ctx)
    {
        var asOf = new Option<string?>("--as-of") { Description = "Coverage on or before this date (yyyy-MM-dd, default today)" };
        var cmd = new Command("list", "Price coverage per ticker: closes, first and last date, latest close, accounts holding it, models targeting it");
        cmd.Options.Add(asOf);
        var json = NewJson();
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var date = StoreCommands.ParseDate(parse.GetValue(asOf), "--as-of", ctx);
            var list = StoreCommands.Open(parse, ctx).ListPrices(date);
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w =>
                {
                    w.WriteStartArray();
                    foreach (var p in list)
                    {
                        w.WriteStartObject();
                        w.WriteString("ticker", p.Ticker);
                        if (p.Currency is not null) w.WriteString("currency", p.Currency);
                        w.WriteNumber("closes", p.Closes);
                        if (p.First is not null) w.WriteString("first", Date(p.First));
                        if (p.Last is not null) w.WriteString("last", Date(p.Last));
                        if (p.Latest is { } l) w.WriteNumber("latest", l);
                        w.WriteNumber("heldBy", p.HeldBy);
                        w.WriteStartArray("models");
                        foreach (var m in p.InModels) w.WriteStringValue(m);
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                });
                return ExitCodes.Ok;
            }
            var table = NewTable(ctx, "Ticker", "Closes", "First", "Last", "Latest", "Held by", "Models", "Currency");
            foreach (var i in new[] { 1, 4, 5 }) table.Columns[i].RightAligned();
            foreach (var p in list)
                table.AddRow(Markup.Escape(p.Ticker), p.Closes.ToString(CultureInfo.InvariantCulture), Date(p.First), Date(p.Last),
                    p.Latest is { } l ? Scaled.Format(l) : "none", p.HeldBy.ToString(CultureInfo.InvariantCulture), Markup.Escape(string.Join(", ", p.InModels)), p.Currency ?? "");
            ctx.Console.Write(table);
            var missing = list.Where(p => p.Latest is null && (p.HeldBy > 0 || p.InModels.Count > 0)).Select(p => p.Ticker).ToList();
            ctx.Out.WriteLine($"{list.Count} securities" + (missing.Count > 0 ? $"; no price on or before {Date(date)} for {string.Join(", ", missing)}" : ""));
            var fx = StoreCommands.Open(parse, ctx).ListFx(date);
            if (fx.Count > 0)
            {
                ctx.Console.Write(FxTable(ctx, fx));
                ctx.Out.WriteLine($"{fx.Count} FX pair{(fx.Count == 1 ? "" : "s")}");
            }
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
