using System.CommandLine;
using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Cli.Store;
using Ballast.Drift;
using Ballast.Input;
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
        converter.PriceHistory = tickers => store.PriceHistory(tickers, query.AsOf);
        var json = parse.GetValue(options.Json);
        if (query.Account is not null)
        {
            var one = Single(store, query, converter);
            var plan = Planner.Create(one.Portfolio!);
            Emit(context, json, one, plan, includeAfter: false, check: true);
            return plan.Drift.NeedsAction ? ExitCodes.RebalanceNeeded : ExitCodes.Ok;
        }

        // Results stream out as accounts are read: memory stays flat however many accounts there are.
        const int tableLimit = 200;
        int total = 0, needing = 0;
        var errors = new List<string>();
        var rows = new List<(StoredPortfolio Account, DriftReport Report)>();
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
        foreach (var snapshot in store.ReadAccounts(query))
        {
            total++;
            var stored = converter.Convert(snapshot);
            DriftReport? report = null;
            if (stored.Portfolio is null) errors.Add(stored.Error!);
            else
            {
                report = DriftEvaluator.Evaluate(stored.Portfolio);
                if (!report.NeedsAction) continue;
                needing++;
                if (w is null && rows.Count < tableLimit) rows.Add((stored, report));
            }
            if (w is null) continue;
            WriteEntry(w, stored, report);
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
            RenderMany(context, query.AsOf, scope, total, needing, rows, tableLimit);
        }
        foreach (var error in errors) context.Error.WriteLine($"ballast: error: {error}");
        return errors.Count > 0 ? ExitCodes.BadInput : needing > 0 ? ExitCodes.RebalanceNeeded : ExitCodes.Ok;
    });

    public static int Plan(ParseResult parse, CliContext context, PortfolioOptions options, PlanRequest request, bool csv, bool save) => StoreCommands.Run(context, () =>
    {
        var (query, converter, scope) = options.StoreSelection(parse, context);
        var store = StoreCommands.Open(parse, context);
        converter.PriceHistory = tickers => store.PriceHistory(tickers, query.AsOf);
        var json = parse.GetValue(options.Json);
        var plans = new List<(StoredPortfolio Account, Plan Plan)>();
        foreach (var snapshot in store.ReadAccounts(query))
        {
            var stored = converter.Convert(snapshot);
            if (stored.Portfolio is null) throw new InputException(new InputProblem(stored.Error!, Field: "--" + scope.Split(' ')[0]));
            plans.Add((stored, Planner.Create(stored.Portfolio, request)));
        }
        if (plans.Count == 0)
            throw new InputException(new InputProblem($"no stored account matches {scope}", Field: query.Account is null ? null : "--account"));

        var ids = new List<long>();
        if (save)
        {
            foreach (var (account, plan) in plans.Where(p => p.Plan.HasTrades))
            {
                var orders = plan.Trades
                    .Where(t => t.Quantity is not null)
                    .Select(t => new ProposedOrder(account.Account.Name, t.Ticker, t.Side == TradeSide.Buy ? OrderSide.Buy : OrderSide.Sell, t.Quantity!.Value, t.Price))
                    .ToList();
                ids.Add(store.SaveProposal(new NewProposal($"account {account.Account.Name}", EngineVersion, account.Account.Policy,
                    PlanJson.Write(account.Portfolio!, plan, includeAfter: false), PlanJson.Write(account.Portfolio!, plan, includeAfter: true), orders)));
            }
        }

        if (csv)
        {
            var sb = new StringBuilder("account,ticker,side,quantity,value\n");
            foreach (var (account, plan) in plans)
                foreach (var t in plan.Trades)
                    sb.Append(account.Account.Name).Append(',').Append(t.Ticker).Append(',').Append(t.Side == TradeSide.Buy ? "buy" : "sell").Append(',')
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
                    PlanJson.WriteObject(w, account.Portfolio!, plan, includeAfter: true);
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
        foreach (var id in ids) context.Error.WriteLine($"saved proposal {id}");
        return ExitCodes.Ok;
    });

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
        if (json) context.Out.Write(PlanJson.Write(stored.Portfolio!, plan, includeAfter));
        else if (check) PlanRenderer.RenderCheck(context, stored.Portfolio!, plan);
        else PlanRenderer.RenderPlan(context, stored.Portfolio!, plan);
    }

    private static void WriteEntry(Utf8JsonWriter w, StoredPortfolio account, DriftReport? report)
    {
        w.WriteStartObject();
        w.WriteString("account", account.Account.Name);
        if (account.Account.Household is { } h) w.WriteString("household", h);
        if (account.Account.Model is { } m) w.WriteString("model", m);
        if (report is null)
        {
            w.WriteString("error", account.Error);
        }
        else
        {
            w.WriteBoolean("needsRebalancing", report.NeedsRebalancing);
            w.WriteBoolean("needsAction", report.NeedsAction);
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

    private static void RenderMany(CliContext context, DateOnly asOf, string scope, int total, int needing, List<(StoredPortfolio Account, DriftReport Report)> shown, int limit)
    {
        var console = context.Console;
        console.MarkupLine($"[bold]Check of {Markup.Escape(scope)} as of {asOf:yyyy-MM-dd}:[/] {needing} of {total} accounts need rebalancing");
        if (shown.Count == 0) return;
        var table = new Table().Border(context.Interactive ? TableBorder.Rounded : TableBorder.Ascii)
            .AddColumns("Account", "Household", "Value", "Max drift", "Reason");
        table.Columns[2].RightAligned();
        table.Columns[3].RightAligned();
        foreach (var (account, report) in shown)
            table.AddRow(Markup.Escape(account.Account.Name), Markup.Escape(account.Account.Household ?? ""),
                report.TotalValue.ToString("#,0.00", CultureInfo.InvariantCulture),
                (report.MaxAbsoluteDrift * 100).ToString("0.00", CultureInfo.InvariantCulture) + "pp",
                Markup.Escape(report.Reasons.FirstOrDefault() ?? ""));
        console.Write(table);
        if (needing > shown.Count) console.MarkupLine($"... and {needing - shown.Count} more (use --json for all)");
    }
}
