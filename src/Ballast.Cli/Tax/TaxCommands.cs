using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Cli.Portfolio;
using Ballast.Households;
using Ballast.Input;
using Ballast.Tax;
using Spectre.Console;

namespace Ballast.Cli.Tax;

/// <summary><c>ballast lots</c>, <c>ballast tax</c> and <c>ballast harvest</c> on a portfolio file with lots and history.</summary>
internal static class TaxCommands
{
    public static void AddTo(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(Lots(context));
        root.Subcommands.Add(TaxYear(context));
        root.Subcommands.Add(Harvest(context));
    }

    /// <summary>Reads the file (no policy or execution overrides: these commands do not plan); <paramref name="flagProblems"/> are reported with the file's.</summary>
    private static (Ballast.Portfolios.Portfolio Portfolio, TaxProfile Profile) Load(PortfolioOptions options, ParseResult parse, CliContext context, List<InputProblem> flagProblems)
    {
        var portfolio = options.Load(parse, context, flagProblems);
        return (portfolio, portfolio.Tax ?? TaxProfile.Plain(portfolio));
    }

    /// <summary>
    /// Runs a tax command's output on a file, or on the stored accounts the flags select: one account or household prints what
    /// the same accounts written as a household file print; --all prints one result per household (and per account without one).
    /// </summary>
    private static int Each(ParseResult parse, CliContext context, PortfolioOptions options, List<InputProblem> problems,
        Action<Utf8JsonWriter, Ballast.Portfolios.Portfolio, TaxProfile> json, Action<Ballast.Portfolios.Portfolio, TaxProfile> render)
    {
        if (!options.FromStore(parse))
        {
            var (portfolio, profile) = Load(options, parse, context, problems);
            if (parse.GetValue(options.Json)) context.Out.Write(Json(w => json(w, portfolio, profile)));
            else render(portfolio, profile);
            return ExitCodes.Ok;
        }
        return Store.StoreCommands.Run(context, () =>
        {
            if (problems.Count > 0) throw new InputException(problems);
            var store = Store.StoreCommands.Open(parse, context);
            var (groups, scope, single) = StoredTax.Load(parse, context, options, store, forPlanning: false);
            var asJson = parse.GetValue(options.Json);
            if (single)
            {
                var p = groups[0].Portfolio!;
                if (asJson) context.Out.Write(Json(w => json(w, p, p.Tax!)));
                else render(p, p.Tax!);
                return ExitCodes.Ok;
            }
            if (asJson)
            {
                context.Out.Write(Json(w =>
                {
                    w.WriteString("scope", scope);
                    w.WriteStartArray("results");
                    foreach (var g in groups)
                    {
                        w.WriteStartObject();
                        w.WriteString("name", g.Name);
                        json(w, g.Portfolio!, g.Portfolio!.Tax!);
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }));
                return ExitCodes.Ok;
            }
            foreach (var g in groups)
            {
                context.Console.MarkupLine($"[bold]== {Markup.Escape(g.Name)}[/]");
                render(g.Portfolio!, g.Portfolio!.Tax!);
                context.Console.WriteLine();
            }
            return ExitCodes.Ok;
        });
    }

    private static Command Lots(CliContext context)
    {
        var options = new PortfolioOptions("lots", taxCommand: true);
        var command = new Command("lots", "List the open tax lots after the history (a file's transactions or the stored ledger), with wash-sale adjustments and holding-period starts.");
        options.AddTo(command);
        command.SetAction(parse => Each(parse, context, options, [], (w, portfolio, profile) =>
        {
            var lots = profile.History.OpenLots;
            var md = portfolio.Execution.MoneyDecimals;
            w.WriteString("asOf", portfolio.AsOf.ToString("yyyy-MM-dd"));
            w.WriteStartArray("lots");
            foreach (var l in lots)
            {
                w.WriteStartObject();
                w.WriteString("ticker", l.Ticker);
                w.WriteString("account", l.Account);
                w.WriteString("lotId", l.Id);
                w.WriteString("acquired", l.Acquired.ToString("yyyy-MM-dd"));
                PlanJson.Num(w, "quantity", l.Quantity);
                PlanJson.Money(w, "costBasis", l.CostBasis, md);
                PlanJson.Money(w, "washSaleAdjustment", l.WashSaleAdjustment, md);
                w.WriteString("holdingPeriodStart", l.HoldingPeriodStart.ToString("yyyy-MM-dd"));
                if (portfolio.FindSecurity(l.Ticker)?.Price is { } price)
                    PlanJson.Money(w, "unrealizedGain", profile.Selector.RoundMoney(l.Quantity * price) - l.CostBasis, md);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }, (portfolio, profile) =>
        {
            var lots = profile.History.OpenLots;
            var m = Money(portfolio);
            var table = new Table().Border(context.Interactive ? TableBorder.Rounded : TableBorder.Ascii).Title($"[bold]Open lots on {portfolio.AsOf:yyyy-MM-dd}[/]")
                .AddColumns("Account", "Ticker", "Lot", "Acquired", "Quantity", "Cost basis", "Wash-sale adj.", "Holding from");
            foreach (var i in new[] { 4, 5, 6 }) table.Columns[i].RightAligned();
            foreach (var l in lots)
                table.AddRow(Markup.Escape(l.Account), Markup.Escape(l.Ticker), Markup.Escape(l.Id), l.Acquired.ToString("yyyy-MM-dd"),
                    l.Quantity.ToString("#,0.######", CultureInfo.InvariantCulture), l.CostBasis.ToString(m, CultureInfo.InvariantCulture),
                    l.WashSaleAdjustment.ToString(m, CultureInfo.InvariantCulture), l.HoldingPeriodStart.ToString("yyyy-MM-dd"));
            if (lots.Count == 0) table.AddRow("", "no lots", "", "", "", "", "", "");
            context.Console.Write(table);
        }));
        return command;
    }

    private static Command TaxYear(CliContext context)
    {
        var options = new PortfolioOptions("tax", taxCommand: true);
        var year = new Option<string?>("--year") { Description = "Calendar year (default: the as-of year)" };
        var command = new Command("tax", "Realized gains of a year from the file's transactions, losses disallowed by wash sales, and the estimated tax.");
        options.AddTo(command);
        command.Options.Add(year);
        command.SetAction(parse =>
        {
            var problems = new List<InputProblem>();
            int? yearValue = null;
            if (parse.GetValue(year) is { } text)
            {
                if (int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var y) && y is >= 1900 and <= 9999) yearValue = y;
                else problems.Add(new InputProblem($"'{text}' is not a year", Field: "--year"));
            }
            (int Year, decimal Short, decimal Long, decimal Disallowed, decimal Tax, List<RealizedSale> Sales) Figures(Ballast.Portfolios.Portfolio portfolio, TaxProfile profile)
            {
                var y2 = yearValue ?? portfolio.AsOf.Year;
                var gains = y2 == portfolio.AsOf.Year ? profile.YearToDate(y2) : profile.History.RealizedGains(y2, profile.Regime, profile.TreatmentByTicker);
                return (y2, gains.Where(g => g.Term == HoldingTerm.ShortTerm).Sum(g => g.Amount), gains.Where(g => g.Term == HoldingTerm.LongTerm).Sum(g => g.Amount),
                    profile.History.Realized(y2).DisallowedLosses, TaxCalculator.Estimate(profile.Regime, gains).Total,
                    profile.History.Sales.Where(s => s.Date.Year == y2).ToList());
            }
            return Each(parse, context, options, problems, (w, portfolio, profile) =>
            {
                var (y2, shortTerm, longTerm, disallowed, tax, sales) = Figures(portfolio, profile);
                var md = portfolio.Execution.MoneyDecimals;
                w.WriteNumber("year", y2);
                w.WriteString("regime", profile.Regime.Name);
                w.WriteString("source", y2 == portfolio.AsOf.Year && profile.RealizedYearToDate is not null ? "realizedYearToDate" : "transactions");
                w.WriteStartObject("realized");
                PlanJson.Money(w, "short", shortTerm, md);
                PlanJson.Money(w, "long", longTerm, md);
                w.WriteEndObject();
                PlanJson.Money(w, "disallowedLosses", disallowed, md);
                PlanJson.Money(w, "estimatedTax", tax, md);
                w.WriteStartArray("sales");
                foreach (var s in sales)
                {
                    w.WriteStartObject();
                    w.WriteString("date", s.Date.ToString("yyyy-MM-dd"));
                    w.WriteString("account", s.Account);
                    w.WriteString("ticker", s.Ticker);
                    PlanJson.Num(w, "quantity", s.Quantity);
                    PlanJson.Money(w, "proceeds", s.Proceeds, md);
                    PlanJson.Money(w, "costBasis", s.CostBasis, md);
                    PlanJson.Money(w, "gain", s.Gain, md);
                    PlanJson.Money(w, "disallowedLoss", s.DisallowedLoss, md);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }, (portfolio, profile) =>
            {
                var (y2, shortTerm, longTerm, disallowed, tax, sales) = Figures(portfolio, profile);
                var m = Money(portfolio);
                var c = context.Console;
                c.MarkupLine($"[bold]Tax year {y2}[/] ({Markup.Escape(profile.Regime.Name)} regime)");
                foreach (var s in sales)
                    c.MarkupLine($"  {s.Date:yyyy-MM-dd} {Markup.Escape(s.Account)} sell {s.Quantity.ToString("#,0.######", CultureInfo.InvariantCulture)} {Markup.Escape(s.Ticker)}: proceeds {s.Proceeds.ToString(m, CultureInfo.InvariantCulture)}, basis {s.CostBasis.ToString(m, CultureInfo.InvariantCulture)}, gain {s.Gain.ToString(m, CultureInfo.InvariantCulture)}, disallowed {s.DisallowedLoss.ToString(m, CultureInfo.InvariantCulture)}");
                c.MarkupLine($"Realized short-term: {shortTerm.ToString(m, CultureInfo.InvariantCulture)}   long-term: {longTerm.ToString(m, CultureInfo.InvariantCulture)}");
                c.MarkupLine($"Losses disallowed by wash sales: {disallowed.ToString(m, CultureInfo.InvariantCulture)}");
                c.MarkupLine($"Estimated tax: [bold]{tax.ToString(m, CultureInfo.InvariantCulture)}[/]");
            });
        });
        return command;
    }

    private static Command Harvest(CliContext context)
    {
        var options = new PortfolioOptions("harvest", taxCommand: true);
        var minPercent = new Option<string?>("--min-loss-percent") { Description = "Harvest lots that lost at least this share of their basis (default 5%, or the file's harvest.minLossPercent)" };
        var minLoss = new Option<string?>("--min-loss") { Description = "Harvest lots that lost at least this amount (default 100, or the file's harvest.minLoss)" };
        var command = new Command("harvest", "Tax-loss harvest candidates with substitutes, never a wash sale across the household; held-back trades with the date they are free.");
        options.AddTo(command);
        command.Options.Add(minPercent);
        command.Options.Add(minLoss);
        command.SetAction(parse =>
        {
            var problems = new List<InputProblem>();
            var percent = Flags.Fraction(parse, minPercent, problems, max: 1m);
            var amount = Flags.Amount(parse, minLoss, problems);
            HarvestReport Report(Ballast.Portfolios.Portfolio portfolio, TaxProfile profile) =>
                Find(portfolio, profile, new HarvestThresholds(percent ?? profile.Harvest.MinLossFraction, amount ?? profile.Harvest.MinLossAmount));
            return Each(parse, context, options, problems, (w, portfolio, profile) =>
            {
                var report = Report(portfolio, profile);
                var md = portfolio.Execution.MoneyDecimals;
                {
                    w.WriteString("asOf", portfolio.AsOf.ToString("yyyy-MM-dd"));
                    w.WriteStartArray("candidates");
                    foreach (var cnd in report.Candidates)
                    {
                        w.WriteStartObject();
                        w.WriteString("ticker", cnd.Ticker);
                        w.WriteString("account", cnd.Account);
                        PlanJson.Num(w, "quantity", cnd.Quantity);
                        PlanJson.Money(w, "proceeds", cnd.Proceeds, md);
                        PlanJson.Money(w, "loss", cnd.Loss, md);
                        if (cnd.Substitute is { } s) w.WriteString("substitute", s); else w.WriteNull("substitute");
                        PlanJson.Money(w, "estimatedTaxSaved", cnd.EstimatedTaxSaved, md);
                        w.WriteStartArray("lots");
                        foreach (var l in cnd.Lots)
                        {
                            w.WriteStartObject();
                            w.WriteString("lotId", l.LotId);
                            w.WriteString("acquired", l.Acquired.ToString("yyyy-MM-dd"));
                            PlanJson.Num(w, "quantity", l.Quantity);
                            PlanJson.Money(w, "costBasis", l.CostBasis, md);
                            PlanJson.Money(w, "gain", l.Gain, md);
                            w.WriteString("term", PlanJson.Term(l.Term));
                            w.WriteEndObject();
                        }
                        w.WriteEndArray();
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    w.WriteStartArray("heldBack");
                    foreach (var h in report.HeldBack)
                    {
                        w.WriteStartObject();
                        w.WriteString("ticker", h.Ticker);
                        w.WriteString("account", h.Account);
                        w.WriteString("reason", h.Reason);
                        if (h.Until is { } u) w.WriteString("until", u.ToString("yyyy-MM-dd")); else w.WriteNull("until");
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                    PlanJson.Money(w, "totalLoss", report.TotalLoss, md);
                    PlanJson.Money(w, "estimatedTaxSaved", report.EstimatedTaxSaved, md);
                }
            }, (portfolio, profile) =>
            {
            var report = Report(portfolio, profile);
            var m = Money(portfolio);
            var c = context.Console;
            var table = new Table().Border(context.Interactive ? TableBorder.Rounded : TableBorder.Ascii).Title("[bold]Harvest candidates[/]")
                .AddColumns("Account", "Sell", "Quantity", "Loss", "Buy instead", "Tax saved");
            foreach (var i in new[] { 2, 3, 5 }) table.Columns[i].RightAligned();
            foreach (var cnd in report.Candidates)
                table.AddRow(Markup.Escape(cnd.Account), Markup.Escape(cnd.Ticker), cnd.Quantity.ToString("#,0.######", CultureInfo.InvariantCulture),
                    cnd.Loss.ToString(m, CultureInfo.InvariantCulture), Markup.Escape(cnd.Substitute ?? "(keep cash)"), cnd.EstimatedTaxSaved.ToString(m, CultureInfo.InvariantCulture));
            if (report.Candidates.Count == 0) table.AddRow("", "none", "", "", "", "");
            c.Write(table);
            foreach (var h in report.HeldBack)
                c.MarkupLine($"[yellow]held back:[/] {Markup.Escape(h.Account)} {Markup.Escape(h.Ticker)}: {Markup.Escape(h.Reason)}{(h.Until is { } u ? $" (until {u:yyyy-MM-dd})" : "")}");
            c.MarkupLine($"Loss harvested: {report.TotalLoss.ToString(m, CultureInfo.InvariantCulture)}   Estimated tax saved: [bold]{report.EstimatedTaxSaved.ToString(m, CultureInfo.InvariantCulture)}[/]");
            });
        });
        return command;
    }

    /// <summary>The household's harvests: open lots of taxable accounts, with past purchases and loss sales of every account.</summary>
    internal static HarvestReport Find(Ballast.Portfolios.Portfolio portfolio, TaxProfile profile, HarvestThresholds thresholds)
    {
        var prices = portfolio.Securities.Values.Where(s => s.Price is not null).ToDictionary(s => s.Ticker, s => s.Price!.Value, StringComparer.Ordinal);
        var open = profile.History.OpenLots;
        // Purchases whose lots are no longer open (sold since) still count for wash sales; open lots speak for themselves.
        var closedPurchases = profile.Transactions
            .Where(t => t.Kind != TransactionKind.Sell && !open.Any(l => l.Account == t.Account && l.Ticker == t.Ticker && l.Acquired == t.Date))
            .Select(t => new Purchase(t.Ticker, t.Account, t.Date))
            .ToList();
        return HarvestFinder.Find(new HarvestRequest
        {
            OpenLots = open,
            Prices = prices,
            AsOf = portfolio.AsOf,
            Regime = profile.Regime,
            Thresholds = thresholds,
            Substitutes = profile.Substitutes,
            Identical = profile.Identical,
            PlannedPurchases = closedPurchases,
            LossSales = profile.PastLossSales(),
            YearToDate = profile.YearToDate(portfolio.AsOf.Year),
            TreatmentByTicker = profile.TreatmentByTicker,
            TaxableAccounts = profile.Accounts.Where(a => a.IsTaxable).Select(a => a.Name).ToHashSet(StringComparer.Ordinal),
            Selector = profile.Selector,
        });
    }

    private static string Money(Ballast.Portfolios.Portfolio p) =>
        p.Execution.MoneyDecimals == 0 ? "#,0" : "#,0." + new string('0', p.Execution.MoneyDecimals);

    private static string Json(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
