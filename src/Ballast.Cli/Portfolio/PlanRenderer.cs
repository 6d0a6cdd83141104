using System.Globalization;
using Ballast.Drift;
using Ballast.Households;
using Ballast.Planning;
using Spectre.Console;
using Spectre.Console.Rendering;

namespace Ballast.Cli.Portfolio;

/// <summary>Terminal output of check and plan: tables, and a current-against-target chart on colour terminals.</summary>
internal static class PlanRenderer
{
    private static readonly Color[] Palette =
        [Color.SteelBlue1, Color.Orange1, Color.SpringGreen3, Color.MediumPurple2, Color.Gold1, Color.Red1, Color.Aqua, Color.HotPink, Color.Grey70, Color.Yellow3];

    public static void RenderCheck(CliContext context, Ballast.Portfolios.Portfolio portfolio, Plan plan)
    {
        var console = context.Console;
        Header(console, portfolio, plan.Drift);
        console.Write(DriftTable(context, portfolio, plan.Drift));
        if (context.Interactive) console.Write(Chart(plan.Drift));
        Verdict(console, plan.Drift);
        Warnings(console, plan.Warnings);
    }

    public static void RenderPlan(CliContext context, Ballast.Portfolios.Portfolio portfolio, Plan plan, TaxPlan? tax = null)
    {
        var console = context.Console;
        Header(console, portfolio, plan.Drift);
        console.Write(DriftTable(context, portfolio, plan.Drift));
        if (context.Interactive) console.Write(Chart(plan.Drift));
        Verdict(console, plan.Drift);
        console.WriteLine();
        if (plan.Trades.Count == 0)
        {
            console.MarkupLine("[bold]No trades.[/]");
        }
        else
        {
            var money = MoneyFormat(portfolio);
            var trades = NewTable(context, "Trades").AddColumns("Side", "Ticker", "Quantity", "Price", "Value", "Est. cost");
            foreach (var i in new[] { 2, 3, 4, 5 }) trades.Columns[i].RightAligned();
            foreach (var t in plan.Trades)
            {
                var side = t.Side == TradeSide.Buy ? "[green]buy[/]" : "[red]sell[/]";
                trades.AddRow(side, Escape(t.Ticker), t.Quantity?.ToString("#,0.######", CultureInfo.InvariantCulture) ?? "",
                    t.Price?.ToString(money, CultureInfo.InvariantCulture) ?? "", t.Value.ToString(money, CultureInfo.InvariantCulture),
                    t.Cost.ToString(money, CultureInfo.InvariantCulture));
            }
            console.Write(trades);
            if (tax is not null) RenderAccounts(context, portfolio, tax);
            var after = NewTable(context, "After the trades").AddColumns("Ticker", "Value", "Weight", "Target", "Drift");
            foreach (var i in new[] { 1, 2, 3, 4 }) after.Columns[i].RightAligned();
            foreach (var h in plan.After)
                after.AddRow(Escape(h.Ticker), h.Value.ToString(money, CultureInfo.InvariantCulture), Percent(h.Weight), Percent(h.Target), Points(h.Weight - h.Target));
            console.Write(after);
        }
        var m = MoneyFormat(portfolio);
        if (plan.Deposit > 0) console.MarkupLine($"Deposit: {plan.Deposit.ToString(m, CultureInfo.InvariantCulture)}");
        if (plan.Withdraw > 0) console.MarkupLine($"Withdrawal: {plan.Withdraw.ToString(m, CultureInfo.InvariantCulture)}");
        console.MarkupLine($"Cash after: [bold]{plan.CashAfter.ToString(m, CultureInfo.InvariantCulture)}[/]   Estimated costs: {plan.EstimatedCosts.ToString(m, CultureInfo.InvariantCulture)}");
        if (tax is not null)
            console.MarkupLine($"Realized gain: short-term {tax.ShortTermGain.ToString(m, CultureInfo.InvariantCulture)}, long-term {tax.LongTermGain.ToString(m, CultureInfo.InvariantCulture)}   Estimated tax: [bold]{tax.EstimatedTax.ToString(m, CultureInfo.InvariantCulture)}[/] ({Escape(tax.Strategy)})");
        // Every warning, the drift report's too (a held ticker without a target is sold in full): JSON lists them all.
        Warnings(console, plan.Warnings.Distinct().ToList());
    }

    private static void RenderAccounts(CliContext context, Ballast.Portfolios.Portfolio portfolio, TaxPlan tax)
    {
        var money = MoneyFormat(portfolio);
        foreach (var a in tax.Accounts)
        {
            if (a.Trades.Count == 0 && tax.Accounts.Count == 1) continue;
            var table = NewTable(context, $"{a.Account.Name} ({Account.TypeWord(a.Account.Type)}): cash {a.CashBefore.ToString(money, CultureInfo.InvariantCulture)} -> {a.CashAfter.ToString(money, CultureInfo.InvariantCulture)}")
                .AddColumns("Side", "Ticker", "Quantity", "Value", "Lots (acquired qty gain term)");
            foreach (var i in new[] { 2, 3 }) table.Columns[i].RightAligned();
            foreach (var t in a.Trades)
            {
                var lots = t.Lots is null ? "" : string.Join("; ", t.Lots.Slices.Select(l =>
                    $"{l.Acquired:yyyy-MM-dd} {l.Quantity.ToString("#,0.######", CultureInfo.InvariantCulture)} {l.Gain.ToString("+" + money + ";-" + money + ";0", CultureInfo.InvariantCulture)} {(l.Term == Ballast.Tax.HoldingTerm.LongTerm ? "long" : "short")}"));
                table.AddRow(t.Trade.Side == TradeSide.Buy ? "[green]buy[/]" : "[red]sell[/]", Escape(t.Trade.Ticker),
                    t.Trade.Quantity?.ToString("#,0.######", CultureInfo.InvariantCulture) ?? "", t.Trade.Value.ToString(money, CultureInfo.InvariantCulture), Escape(lots));
            }
            if (a.Trades.Count == 0) table.AddRow("", "no trades", "", "", "");
            console(context).Write(table);
        }
        foreach (var t in tax.Transfers)
            console(context).MarkupLine($"Cash transfer: {t.Amount.ToString(money, CultureInfo.InvariantCulture)} from {Escape(t.From)} to {Escape(t.To)}");
        static IAnsiConsole console(CliContext c) => c.Console;
    }

    private static void Header(IAnsiConsole console, Ballast.Portfolios.Portfolio portfolio, DriftReport drift)
    {
        var m = MoneyFormat(portfolio);
        console.MarkupLine($"[bold]Portfolio as of {drift.AsOf:yyyy-MM-dd}[/] ({Escape(portfolio.Currency)}): total {drift.TotalValue.ToString(m, CultureInfo.InvariantCulture)}, invested {drift.InvestedValue.ToString(m, CultureInfo.InvariantCulture)}, cash {drift.Cash.ToString(m, CultureInfo.InvariantCulture)}");
        console.MarkupLine($"Policy: {Escape(portfolio.Policy.Describe())}");
    }

    private static Table DriftTable(CliContext context, Ballast.Portfolios.Portfolio portfolio, DriftReport drift)
    {
        var m = MoneyFormat(portfolio);
        var table = NewTable(context, null).AddColumns("Ticker", "Value", "Weight", "Target", "Drift", "Band", "Status");
        foreach (var i in new[] { 1, 2, 3, 4 }) table.Columns[i].RightAligned();
        foreach (var p in drift.Positions)
        {
            var band = p.Lower is { } lo && p.Upper is { } hi ? $"{Percent(lo)}..{Percent(hi)}" : "";
            var status = p.Status switch
            {
                BandStatus.Above => "[red]above[/]",
                BandStatus.Below => "[yellow]below[/]",
                _ => "[green]within[/]",
            };
            table.AddRow(Escape(p.Ticker), p.Value.ToString(m, CultureInfo.InvariantCulture), Percent(p.Weight), Percent(p.Target), Points(p.Drift), band, status);
        }
        return table;
    }

    private static IRenderable Chart(DriftReport drift)
    {
        var now = new BreakdownChart().Width(60).ShowPercentage();
        var target = new BreakdownChart().Width(60).ShowPercentage();
        var i = 0;
        foreach (var p in drift.Positions)
        {
            var color = Palette[i++ % Palette.Length];
            if (p.Weight > 0) now.AddItem(Escape(p.Ticker), Math.Round((double)(p.Weight * 100), 2), color);
            if (p.Target > 0) target.AddItem(Escape(p.Ticker), Math.Round((double)(p.Target * 100), 2), color);
        }
        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        grid.AddRow(new Markup("[bold]now[/]"), now);
        grid.AddRow(new Markup("[bold]target[/]"), target);
        return new Padder(grid, new Padding(0, 1, 0, 1));
    }

    private static void Verdict(IAnsiConsole console, DriftReport drift)
    {
        if (drift.NeedsAction)
        {
            console.MarkupLine(drift.NeedsRebalancing ? "[bold red]Rebalance needed:[/]" : "[bold red]Cash needs placing:[/]");
            foreach (var r in drift.Reasons) console.MarkupLine($"  - {Escape(r)}");
        }
        else
        {
            console.MarkupLine($"[bold green]No rebalance needed:[/] {Escape(string.Join("; ", drift.Reasons))}");
        }
    }

    private static void Warnings(IAnsiConsole console, IReadOnlyList<string> warnings)
    {
        foreach (var w in warnings) console.MarkupLine($"[yellow]warning:[/] {Escape(w)}");
    }

    private static Table NewTable(CliContext context, string? title)
    {
        var table = new Table().Border(context.Interactive ? TableBorder.Rounded : TableBorder.Ascii);
        if (title is not null) table.Title($"[bold]{Escape(title)}[/]");
        return table;
    }

    private static string MoneyFormat(Ballast.Portfolios.Portfolio p) =>
        p.Execution.MoneyDecimals == 0 ? "#,0" : "#,0." + new string('0', p.Execution.MoneyDecimals);

    private static string Percent(decimal fraction) => (fraction * 100).ToString("0.00", CultureInfo.InvariantCulture) + "%";

    private static string Points(decimal fraction) => (fraction * 100).ToString("+0.00;-0.00;0.00", CultureInfo.InvariantCulture) + "pp";

    private static string Escape(string s) => Markup.Escape(s);
}
