using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Cli.Store;
using Ballast.Drift;
using Ballast.Households;
using Ballast.Input;
using Ballast.Operations.Accounts;
using Ballast.Planning;
using Ballast.Store;
using Spectre.Console;

namespace Ballast.Cli.Portfolio;

/// <summary><c>check</c> and <c>plan</c> over stored accounts (--account, --household, --model, --all).</summary>
internal static class StoredCommands
{
    private static readonly string EngineVersion =
        typeof(Planner).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    public static int Check(ParseResult parse, CliContext context, PortfolioOptions options) => StoreCommands.Run(context, () =>
    {
        var (query, converter, scope) = options.StoreSelection(parse, context);
        var store = StoreCommands.Open(parse, context);
        converter.MarketFacts = new StoredMarket(store, query.AsOf).Add;
        var json = parse.GetValue(options.Json);
        if (query.Account is not null)
        {
            var one = Single(store, query, converter);
            var planned = AccountPlanning.Plan(one, store.RestrictionsOfAccount(query.Account), PlanRequest.None);
            // A held or restricted account's check shows its drift as it stands, and says why it is not planned.
            if (planned.Skip is not null) context.Error.WriteLine($"ballast: warning: not planned: {planned.Skip}");
            Notes(context, planned);
            var plan = planned.Plan ?? Planner.Create(one.Portfolio!);
            Emit(context, json, planned.Stored, plan, includeAfter: false, check: true);
            return plan.Drift.NeedsAction ? ExitCodes.RebalanceNeeded : ExitCodes.Ok;
        }

        // Results stream out as accounts are read: memory stays flat however many accounts there are.
        // A household or a model lists every account with its verdict; --all lists those that need action.
        // An account that cannot be checked (no model, no price) is a row with its reason, and needs action.
        const int tableLimit = 200;
        var listAll = query.Model is not null || query.Household is not null;
        int total = 0, needing = 0;
        var errors = new List<string>();
        var rows = new List<StoredAccountCheck>();
        var buffer = new MemoryStream();
        var w = json ? PlanJson.NewWriter(buffer) : null;
        void Drain()
        {
            w!.Flush();
            context.Out.Write(Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length));
            buffer.SetLength(0);
        }
        if (w is not null)
        {
            w.WriteStartObject();
            w.WriteString("asOf", query.AsOf.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteString("scope", scope);
            w.WriteStartArray("results");
        }
        // Each account through the operations layer's account use case, with its restrictions: a held account needs no
        // action now; one whose model targets an untradable security needs its model adjusted.
        foreach (var check in new StoredAccounts(store, converter).Check(query))
        {
            total++;
            var stored = check.Stored;
            if (stored.Portfolio is null) errors.Add(stored.Error!);
            else if (check.NeedsAction) needing++;
            else if (!listAll) continue;
            if (w is null)
            {
                if (rows.Count < tableLimit) rows.Add(check);
                continue;
            }
            WriteEntry(w, check);
            if (buffer.Length > 1 << 16) Drain();
        }
        if (total == 0 && query.Model is not null && !store.AccountsOnModel(query.Model).Any())
            context.Error.WriteLine($"ballast: no account follows model '{query.Model}'");
        if (w is not null)
        {
            w.WriteEndArray();
            w.WriteNumber("accounts", total);
            w.WriteNumber("needRebalancing", needing);
            w.WriteNumber("errors", errors.Count);
            w.WriteEndObject();
            Drain();
            context.Out.WriteLine();
        }
        else
        {
            RenderMany(context, query.AsOf, scope, total, needing, errors.Count, rows, listAll);
        }
        return errors.Count > 0 || needing > 0 ? ExitCodes.RebalanceNeeded : ExitCodes.Ok;
    });

    /// <summary>
    /// Plans stored accounts. A household (--household), or any selection with a tax flag, is planned by the engine's
    /// <see cref="HouseholdPlanner"/> on the accounts with their lots and history, as a household portfolio file would be;
    /// otherwise each account is planned alone.
    /// </summary>
    public static int Plan(ParseResult parse, CliContext context, PortfolioOptions options, PlanRequest request, TaxPlanOptions taxOptions, bool csv, bool save) => StoreCommands.Run(context, () =>
    {
        if (parse.GetValue(options.Household) is not null || taxOptions.MaxRealizedGain is not null || taxOptions.NoShortTermGains || taxOptions.TaxAware)
            return TaxPlan(parse, context, options, request, taxOptions, csv, save);
        var (query, converter, scope) = options.StoreSelection(parse, context);
        var store = StoreCommands.Open(parse, context);
        converter.MarketFacts = new StoredMarket(store, query.AsOf).Add;
        var json = parse.GetValue(options.Json);
        var plans = new List<(StoredPortfolio Account, Plan Plan)>();
        // One account that cannot be planned (no model, no price) stops a plan of that account; over several accounts
        // it is skipped with its reason, the others are planned (and saved), and the exit code is 1.
        var skipped = new List<(string Account, string Reason)>();
        var notes = new List<StoredAccountPlan>();
        // Each account through the operations layer's account use case, with its restrictions (a hold or an untradable
        // target skips it; do-not-buy, do-not-sell and maximum weights are the engine's limits).
        foreach (var planned in new StoredAccounts(store, converter).Plan(query, request))
        {
            var stored = planned.Stored;
            if (planned.Plan is not { } plan)
            {
                if (query.Account is not null && stored.Portfolio is null) throw new InputException(new InputProblem(stored.Error!, Field: "--account"));
                skipped.Add((stored.Account.Name, planned.Skip!));
                continue;
            }
            if (planned.Notes.Count > 0) notes.Add(planned);
            plans.Add((stored, plan));
        }
        if (plans.Count == 0 && skipped.Count == 0)
            throw new InputException(new InputProblem($"no stored account matches {scope}", Field: query.Account is null ? null : "--account"));

        var ids = new List<long>();
        if (save)
        {
            // Every plan's orders are its trades exactly; they are saved in one write, all or none.
            var proposals = plans.Where(p => p.Plan.HasTrades)
                .Select(p => new NewProposal($"account {p.Account.Account.Name}", EngineVersion, p.Account.Account.Policy,
                    PlanJson.Stored(p.Account.Portfolio!, p.Plan, includeAfter: false, fx: p.Account.Conversions),
                    PlanJson.Stored(p.Account.Portfolio!, p.Plan, includeAfter: true, fx: p.Account.Conversions),
                    BallastStore.OrdersFromPlan(p.Account.Account.Name, p.Plan)))
                .ToList();
            ids.AddRange(store.SaveProposals(proposals));
        }

        if (csv)
        {
            var sb = new StringBuilder("account,ticker,side,quantity,value\n");
            foreach (var (account, plan) in plans)
                foreach (var t in plan.Trades)
                    sb.Append(account.Account.Name).Append(',').Append(t.Ticker).Append(',').Append(t.Side.ToText()).Append(',')
                      .Append(t.Quantity?.ToString(CultureInfo.InvariantCulture) ?? "").Append(',').Append(t.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            context.Out.Write(sb.ToString());
        }
        else if (plans.Count == 1 && query.Account is not null)
        {
            Emit(context, json, plans[0].Account, plans[0].Plan, includeAfter: true, check: false);
        }
        else if (json)
        {
            using var stream = new MemoryStream();
            using (var w = PlanJson.NewWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("scope", scope);
                w.WriteStartArray("accounts");
                foreach (var (account, plan) in plans)
                {
                    w.WriteStartObject();
                    w.WriteString("account", account.Account.Name);
                    w.WritePropertyName("plan");
                    PlanJson.WriteObject(w, account.Portfolio!, plan, includeAfter: true, fx: account.Conversions);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteStartArray("skipped");
                foreach (var (account, reason) in skipped)
                {
                    w.WriteStartObject();
                    w.WriteString("account", account);
                    w.WriteString("reason", reason);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            context.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
        }
        else
        {
            foreach (var (account, plan) in plans)
            {
                context.Console.MarkupLine($"[bold]== {Markup.Escape(account.Account.Name)}[/]");
                PlanRenderer.RenderPlan(context, account.Portfolio!, plan);
                context.Console.WriteLine();
            }
        }
        foreach (var planned in notes) Notes(context, planned);
        foreach (var id in ids) context.Error.WriteLine($"saved proposal {id}");
        foreach (var (account, reason) in skipped) context.Error.WriteLine($"ballast: not planned: {account}: {reason}");
        return skipped.Count > 0 ? ExitCodes.RebalanceNeeded : ExitCodes.Ok;
    });

    private static int TaxPlan(ParseResult parse, CliContext context, PortfolioOptions options, PlanRequest request, TaxPlanOptions taxOptions, bool csv, bool save)
    {
        var store = StoreCommands.Open(parse, context);
        var (groups, scope, single) = StoredTax.Load(parse, context, options, store, forPlanning: true);
        if (!single && groups.Count == 0) throw new InputException(new InputProblem($"no stored account of {scope} can be planned", Field: "--" + scope.Split(' ')[0]));
        var plans = groups.Select(g => (Group: g, Tax: HouseholdPlanner.Create(g.Portfolio!, request, taxOptions))).ToList();

        var ids = new List<long>();
        if (save)
        {
            // One proposal per account with orders: its orders are its part of the household plan.
            var proposals = new List<NewProposal>();
            foreach (var (group, tax) in plans)
            {
                var planJson = PlanJson.Stored(group.Portfolio!, tax.Plan, includeAfter: false, tax);
                var afterJson = PlanJson.Stored(group.Portfolio!, tax.Plan, includeAfter: true, tax);
                foreach (var account in tax.Accounts.Where(a => a.Trades.Count > 0))
                {
                    var stored = group.Accounts.First(a => a.Account.Name == account.Account.Name);
                    var accountPlan = tax.Plan with { Trades = [.. account.Trades.Select(t => t.Trade)] };
                    proposals.Add(new NewProposal($"account {account.Account.Name}", EngineVersion, stored.Account.Policy, planJson, afterJson,
                        BallastStore.OrdersFromPlan(account.Account.Name, accountPlan)));
                }
            }
            ids.AddRange(store.SaveProposals(proposals));
        }

        if (csv)
        {
            var sb = new StringBuilder("account,ticker,side,quantity,value\n");
            foreach (var (_, tax) in plans)
                foreach (var account in tax.Accounts)
                    foreach (var t in account.Trades.Select(x => x.Trade))
                        sb.Append(account.Account.Name).Append(',').Append(t.Ticker).Append(',').Append(t.Side.ToText()).Append(',')
                          .Append(t.Quantity?.ToString(CultureInfo.InvariantCulture) ?? "").Append(',').Append(t.Value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            context.Out.Write(sb.ToString());
        }
        else if (single)
        {
            var (group, tax) = plans[0];
            if (parse.GetValue(options.Json)) context.Out.Write(PlanJson.Write(group.Portfolio!, tax.Plan, includeAfter: true, tax));
            else PlanRenderer.RenderPlan(context, group.Portfolio!, tax.Plan, tax);
        }
        else if (parse.GetValue(options.Json))
        {
            using var stream = new MemoryStream();
            using (var w = PlanJson.NewWriter(stream))
            {
                w.WriteStartObject();
                w.WriteString("scope", scope);
                w.WriteStartArray("households");
                foreach (var (group, tax) in plans)
                {
                    w.WriteStartObject();
                    w.WriteString("name", group.Name);
                    w.WritePropertyName("plan");
                    PlanJson.WriteObject(w, group.Portfolio!, tax.Plan, includeAfter: true, tax);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            context.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
        }
        else
        {
            foreach (var (group, tax) in plans)
            {
                context.Console.MarkupLine($"[bold]== {Markup.Escape(group.Name)}[/]");
                PlanRenderer.RenderPlan(context, group.Portfolio!, tax.Plan, tax);
                context.Console.WriteLine();
            }
        }
        foreach (var id in ids) context.Error.WriteLine($"saved proposal {id}");
        return ExitCodes.Ok;
    }

    private static StoredPortfolio Single(BallastStore store, SnapshotQuery query, StoredPortfolios converter)
    {
        var snapshot = store.ReadAccounts(query).FirstOrDefault()
            ?? throw new InputException(new InputProblem($"no account named '{query.Account}'", Field: "--account"));
        var stored = converter.Convert(snapshot);
        return stored.Portfolio is null ? throw new InputException(new InputProblem(stored.Error!, Field: "--account")) : stored;
    }

    private static void Emit(CliContext context, bool json, StoredPortfolio stored, Plan plan, bool includeAfter, bool check)
    {
        foreach (var w in stored.Warnings) context.Error.WriteLine($"ballast: warning: {w}");
        if (json) context.Out.Write(PlanJson.Write(stored.Portfolio!, plan, includeAfter, fx: stored.Conversions));
        else if (check) PlanRenderer.RenderCheck(context, stored.Portfolio!, plan);
        else PlanRenderer.RenderPlan(context, stored.Portfolio!, plan);
    }

    /// <summary>The restrictions that bound an account's plan, on standard error: <c>ballast: smith-ira: restricted by do-not-buy VXUS</c>.</summary>
    private static void Notes(CliContext context, StoredAccountPlan planned)
    {
        if (planned.Notes.Count > 0) context.Error.WriteLine($"ballast: {planned.Stored.Account.Name}: restricted by {string.Join("; ", planned.Notes)}");
    }

    private static void WriteEntry(Utf8JsonWriter w, StoredAccountCheck check)
    {
        var account = check.Stored;
        var report = check.Report;
        w.WriteStartObject();
        w.WriteString("account", account.Account.Name);
        if (account.Account.Household is { } h) w.WriteString("household", h);
        if (account.Account.Model is { } m) w.WriteString("model", m);
        if (account.Account.ModelVersion is { } v) w.WriteNumber("modelVersion", v);
        w.WriteString("verdict", Verdict(check));
        if (check.Skip is { } skip) w.WriteString("notPlanned", skip);
        if (report is null)
        {
            w.WriteBoolean("needsAction", true);
            w.WriteString("error", account.Error);
        }
        else
        {
            w.WriteBoolean("needsRebalancing", report.NeedsRebalancing);
            w.WriteBoolean("needsAction", check.NeedsAction);
            w.WriteBoolean("lookDue", report.LookDue);
            if (account.Account.LastRebalance is { } last) w.WriteString("lastRebalance", last.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            if (account.Account.ModelChangedOn is { } changed) w.WriteString("modelChanged", changed.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            PlanJson.Money(w, "totalValue", report.TotalValue, account.Portfolio!.Execution.MoneyDecimals);
            PlanJson.Fraction(w, "maxDrift", report.MaxAbsoluteDrift);
            w.WriteStartArray("reasons");
            foreach (var r in report.Reasons) w.WriteStringValue(r);
            w.WriteEndArray();
            w.WriteStartArray("warnings");
            foreach (var x in account.Warnings) w.WriteStringValue(x);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    /// <summary>One word for a check's outcome: rebalance, act (cash to place or restore), within, not due, or cannot check.</summary>
    private static string Verdict(StoredAccountCheck check) => check.SkipKind switch
    {
        Restrictions.Hold when check.Report is not null => "held",
        Restrictions.Restricted when check.Report is not null => "restricted",
        _ => Verdict(check.Report),
    };

    private static string Verdict(DriftReport? report) => report switch
    {
        null => "cannot check",
        { NeedsRebalancing: true } => "rebalance",
        { NeedsAction: true } => "act",
        { LookDue: false } => "not due",
        _ => "within",
    };

    private static void RenderMany(CliContext context, DateOnly asOf, string scope, int total, int needing, int errors,
        List<StoredAccountCheck> shown, bool listAll)
    {
        var console = context.Console;
        console.MarkupLine($"[bold]Check of {Markup.Escape(scope)} as of {asOf:yyyy-MM-dd}:[/] {needing} of {total} accounts need rebalancing"
            + (errors > 0 ? $", {errors} cannot be checked" : ""));
        if (shown.Count == 0) return;
        var table = new Table().Border(context.Interactive ? TableBorder.Rounded : TableBorder.Ascii)
            .AddColumns("Account", "Household", "Verdict", "Value", "Max drift", "Reason");
        table.Columns[3].RightAligned();
        table.Columns[4].RightAligned();
        foreach (var check in shown)
        {
            var (account, report) = (check.Stored, check.Report);
            var reason = report is null ? account.Error!
                : check.Skip is { } skip ? skip
                : account.Account.ModelChangedOn is not null && report.LookDue ? string.Join("; ", account.Warnings.Where(x => x.StartsWith("model ", StringComparison.Ordinal)).Concat(report.Reasons.Take(1)))
                : report.Reasons.FirstOrDefault() ?? "";
            table.AddRow(Markup.Escape(account.Account.Name), Markup.Escape(account.Account.Household ?? ""), Verdict(check),
                report is null ? "" : report.TotalValue.ToString("#,0.00", CultureInfo.InvariantCulture),
                report is null ? "" : (report.MaxAbsoluteDrift * 100).ToString("0.00", CultureInfo.InvariantCulture) + "pp",
                Markup.Escape(reason));
        }
        console.Write(table);
        var listed = listAll ? total : needing + errors;
        if (listed > shown.Count) console.MarkupLine($"... and {listed - shown.Count} more (use --json for all)");
    }
}
