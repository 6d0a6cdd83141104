using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.Reports;
using Ballast.Backtest.Tax;
using Ballast.Cli.Portfolio;
using Ballast.Tax;
using Spectre.Console;

namespace Ballast.Cli.Backtest;

/// <summary>Tables, CSV and JSON of backtest, simulate and tune. Fractions in JSON and CSV; percents in tables.</summary>
internal static class BacktestOutput
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static readonly string[] Columns =
        ["name", "finalValue", "totalReturn", "cagr", "volatility", "sharpe", "sortino", "maxDrawdown", "rebalances", "turnover", "costs",
         "trackingError", "averageDrift", "maxDrift", "shareOutsideBands"];

    private static double[] Numbers(PolicyStatistics s) =>
        [s.FinalValue, s.TotalReturn, s.Cagr, s.Volatility, s.Sharpe, s.Sortino, s.MaxDrawdown, s.Rebalances, s.Turnover, s.Costs,
         s.TrackingError, s.AverageDrift, s.MaxDrift, s.ShareOutsideBands];

    /// <summary>The results of a backtest: fractions to at most 10 decimals, money to <paramref name="moneyDecimals"/>.</summary>
    public static string Json(IReadOnlyList<PolicyStatistics> stats, int moneyDecimals) => WriteJson(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("results");
        foreach (var s in stats) WriteStats(w, s, moneyDecimals);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteStats(Utf8JsonWriter w, PolicyStatistics s, int m)
    {
        w.WriteStartObject();
        w.WriteString("name", s.Name);
        var numbers = Numbers(s);
        for (var i = 0; i < numbers.Length; i++)
        {
            if (Columns[i + 1] == "rebalances") w.WriteNumber("rebalances", s.Rebalances);
            else if (MoneyColumns.Contains(Columns[i + 1])) Money(w, Columns[i + 1], numbers[i], m);
            else Num(w, Columns[i + 1], numbers[i]);
        }
        if (s.Taxes is { } taxes) WriteTaxes(w, taxes, m);
        w.WriteEndObject();
    }

    /// <summary>Realized gains and estimated tax in currency units, in total and per calendar year (the <c>plan --json</c> names).</summary>
    private static void WriteTaxes(Utf8JsonWriter w, TaxSummary taxes, int m)
    {
        WriteGains(w, taxes.ShortTerm, taxes.LongTerm, m);
        PlanJson.Money(w, "disallowedLosses", taxes.DisallowedLosses, m);
        PlanJson.Money(w, "estimatedTax", taxes.Tax, m);
        w.WriteStartArray("taxByYear");
        foreach (var y in taxes.Years)
        {
            w.WriteStartObject();
            w.WriteNumber("year", y.Year);
            WriteGains(w, y.ShortTerm, y.LongTerm, m);
            PlanJson.Money(w, "disallowedLosses", y.DisallowedLosses, m);
            PlanJson.Money(w, "estimatedTax", y.Tax, m);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteGains(Utf8JsonWriter w, decimal shortTerm, decimal longTerm, int m)
    {
        w.WriteStartObject("realizedGain");
        PlanJson.Money(w, "short", shortTerm, m);
        PlanJson.Money(w, "long", longTerm, m);
        w.WriteEndObject();
    }

    /// <summary>The CSV columns added when the experiment estimates taxes (totals over all years, currency units).</summary>
    public static readonly string[] TaxColumns = ["realizedGainShort", "realizedGainLong", "estimatedTax"];

    public static string Csv(IReadOnlyList<PolicyStatistics> stats)
    {
        var sb = new StringBuilder();
        var withTaxes = stats.Any(s => s.Taxes is not null);
        sb.AppendJoin(',', withTaxes ? [.. Columns, .. TaxColumns] : Columns).Append('\n');
        foreach (var s in stats)
        {
            sb.Append(CsvCell(s.Name));
            foreach (var v in Numbers(s)) sb.Append(',').Append(double.IsFinite(v) ? v.ToString("R", Inv) : "");
            if (withTaxes && s.Taxes is { } t)
                foreach (var v in new[] { t.ShortTerm, t.LongTerm, t.Tax }) sb.Append(',').Append(Decimals.Shortest(v).ToString(Inv));
            else if (withTaxes) sb.Append(',', TaxColumns.Length);
            sb.Append('\n');
        }
        return sb.ToString();
    }

    private static string CsvCell(string s) => s.IndexOfAny([',', '"', '\n', '\r']) >= 0 ? "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : s;

    public static void Render(CliContext context, BacktestOutcome outcome)
    {
        var m = outcome.Market;
        var console = context.Console;
        console.MarkupLine($"[bold]{Markup.Escape(outcome.Experiment.Name)}[/]: {m.Dates[0]:yyyy-MM-dd} to {m.Dates[^1]:yyyy-MM-dd}, {m.Count} closes, {string.Join(", ", m.Assets.Select(Markup.Escape))}");
        console.Write(Plain(context, ResultsTable(outcome.Statistics)));
        if (outcome.Experiment.Tax is { } tax)
        {
            console.MarkupLine(Markup.Escape($"Taxes: {Describe(tax)}; estimated, not paid from the portfolio"));
            console.Write(Plain(context, TaxTable(outcome.Statistics)));
        }
    }

    /// <summary>One line for the regime and lot order, such as <c>US 37% short-term, 20% long-term; fifo lots</c>.</summary>
    public static string Describe(TaxSettings tax)
    {
        var regime = tax.Regime;
        string Rates(TaxTreatment t) =>
            (t.ShortTermRate == t.LongTermRate ? $"{t.ShortTermRate * 100:0.##}%" : $"{t.ShortTermRate * 100:0.##}% short-term, {t.LongTermRate * 100:0.##}% long-term")
            + (t.AnnualExemption > 0 ? $" above {t.AnnualExemption.ToString("#,0.##", Inv)} a year" : "");
        var treatments = regime.Treatments.Count == 1
            ? Rates(regime.Treatments[0])
            : string.Join(", ", regime.Treatments.Select(t => $"{t.Name} {Rates(t)}"));
        return $"{regime.Name} {treatments}; {tax.LotSelection.ToWord()} lots";
    }

    /// <summary>A table as piped output shows it: ASCII borders, no box-drawing characters.</summary>
    private static Table Plain(CliContext context, Table table)
    {
        if (context.Interactive) return table;
        return table.Border(TableBorder.Ascii);
    }

    /// <summary>The terminal results table (also pasted into the documentation).</summary>
    public static Table ResultsTable(IReadOnlyList<PolicyStatistics> stats)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("Policy", "Final value", "CAGR", "Vol", "Sharpe", "Max DD", "Rebal.", "Turnover", "Costs", "TE", "Avg drift", "Outside");
        for (var i = 1; i < table.Columns.Count; i++) table.Columns[i].RightAligned();
        foreach (var c in table.Columns) c.NoWrap().Padding(new Padding(1, 0, 0, 0));
        foreach (var s in stats)
        {
            table.AddRow(Markup.Escape(s.Name), s.FinalValue.ToString("#,0", Inv), Pct(s.Cagr), Pct(s.Volatility), Ratio(s.Sharpe), Pct(s.MaxDrawdown),
                s.Rebalances.ToString(Inv), Pct(s.Turnover), s.Costs.ToString("#,0", Inv), Pct(s.TrackingError), Pct(s.AverageDrift), Pct(s.ShareOutsideBands));
        }
        return table;
    }

    /// <summary>
    /// The terminal table of realized gains and estimated tax, one row per policy, printed under the results table when
    /// the run estimated taxes (the results table already fills a 120-column terminal).
    /// </summary>
    public static Table TaxTable(IReadOnlyList<PolicyStatistics> stats)
    {
        var table = new Table().Border(TableBorder.Simple)
            .AddColumns("Policy", "Realized ST", "Realized LT", "Disallowed", "Tax", "Costs + tax", "Worst year");
        for (var i = 1; i < table.Columns.Count; i++) table.Columns[i].RightAligned();
        foreach (var c in table.Columns) c.NoWrap().Padding(new Padding(1, 0, 0, 0));
        foreach (var s in stats)
        {
            if (s.Taxes is not { } t) continue;
            var worst = t.Years.Where(y => y.Tax > 0m).OrderByDescending(y => y.Tax).ThenBy(y => y.Year).FirstOrDefault();
            table.AddRow(Markup.Escape(s.Name), Money(t.ShortTerm), Money(t.LongTerm), Money(t.DisallowedLosses), Money(t.Tax),
                s.CostsAndTaxes.ToString("#,0", Inv), worst is null ? "–" : $"{worst.Year}: {Money(worst.Tax)}");
        }
        return table;
    }

    private static string Money(decimal v) => Math.Round(v, 0, MidpointRounding.AwayFromZero).ToString("#,0", Inv);

    public static string SimulationJson(SimulationOutcome outcome) => WriteJson(w =>
    {
        w.WriteStartObject();
        w.WriteString("method", outcome.Settings.Method);
        w.WriteNumber("blockLength", outcome.Settings.BlockLength);
        w.WriteNumber("years", outcome.Settings.Years);
        w.WriteNumber("seed", outcome.Settings.Seed);
        w.WriteNumber("paths", outcome.Paths);
        w.WriteStartArray("results");
        foreach (var p in outcome.Policies)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            w.WriteStartObject("terminalWealth");
            foreach (var (label, q) in Percentiles) Num(w, label, p.Wealth.TerminalQuantiles.Quantile(q));
            Num(w, "mean", p.Wealth.TerminalMoments.Mean);
            Num(w, "standardDeviation", p.Wealth.TerminalMoments.StandardDeviation);
            w.WriteEndObject();
            w.WriteStartObject("maxDrawdown");
            Num(w, "mean", p.MaxDrawdown.Mean);
            Num(w, "p5", p.MaxDrawdownQuantile(0.05));
            Num(w, "p50", p.MaxDrawdownQuantile(0.5));
            Num(w, "worst", p.MaxDrawdown.Minimum);
            w.WriteEndObject();
            Moments(w, "turnover", p.Turnover);
            Moments(w, "costs", p.Costs, outcome.Experiment.Execution.MoneyDecimals);
            Moments(w, "rebalances", p.Rebalances);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static readonly (string Label, double Q)[] Percentiles = [("p5", 0.05), ("p25", 0.25), ("p50", 0.50), ("p75", 0.75), ("p95", 0.95)];

    /// <summary>Mean, standard deviation, min and max: fractions, or money to <paramref name="moneyDecimals"/> when given.</summary>
    private static void Moments(Utf8JsonWriter w, string name, Ballast.Backtest.MonteCarlo.RunningMoments m, int? moneyDecimals = null)
    {
        w.WriteStartObject(name);
        Value(w, "mean", m.Mean, moneyDecimals);
        Value(w, "standardDeviation", m.StandardDeviation, moneyDecimals);
        Value(w, "min", m.Minimum, moneyDecimals);
        Value(w, "max", m.Maximum, moneyDecimals);
        w.WriteEndObject();
    }

    public static void RenderSimulation(CliContext context, SimulationOutcome outcome)
    {
        var s = outcome.Settings;
        context.Console.MarkupLine($"[bold]{Markup.Escape(outcome.Experiment.Name)}[/]: {outcome.Paths:#,0} paths × {s.Years} years, {s.Method}{(s.Method == "bootstrap" ? $" (blocks of {s.BlockLength})" : "")}, seed {s.Seed}; wealth as a multiple of the initial capital");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("Policy", "P5", "P25", "Median", "P75", "P95", "Std dev", "Max DD (median)", "Max DD (P5)", "Turnover/yr", "Costs (mean)", "Rebalances (mean)");
        for (var i = 1; i < table.Columns.Count; i++) table.Columns[i].RightAligned();
        foreach (var p in outcome.Policies)
        {
            var q = p.Wealth.TerminalQuantiles;
            table.AddRow(Markup.Escape(p.Name), X(q.Quantile(0.05)), X(q.Quantile(0.25)), X(q.Quantile(0.5)), X(q.Quantile(0.75)), X(q.Quantile(0.95)),
                X(p.Wealth.TerminalMoments.StandardDeviation), Pct(p.MaxDrawdownQuantile(0.5)), Pct(p.MaxDrawdownQuantile(0.05)),
                Pct(p.Turnover.Mean), p.Costs.Mean.ToString("#,0.00", Inv), p.Rebalances.Mean.ToString("0.0", Inv));
        }
        context.Console.Write(Plain(context, table));
    }

    /// <summary>
    /// The tuning results: <c>evaluate</c>, the objective and the rejected count; on history <c>best</c> and <c>results</c>
    /// (as before paths were added); on paths a <c>paths</c> object with the simulation's settings, its own
    /// <c>best</c> and <c>results</c>.
    /// </summary>
    public static string TuneJson(TuneOutcome? history, PathTuneOutcome? paths, int moneyDecimals) => WriteJson(w =>
    {
        var md = moneyDecimals;
        w.WriteStartObject();
        w.WriteString("evaluate", Evaluation(history, paths));
        Num(w, "maxTrackingError", history?.MaxTrackingError ?? paths!.MaxTrackingError);
        if (history is not null) WriteBest(w, history.Best?.Policy);
        w.WriteNumber("rejected", history?.Rejected ?? paths!.Rejected);
        if (history is not null)
        {
            w.WriteStartArray("results");
            foreach (var p in history.Points)
            {
                w.WriteStartObject();
                w.WriteString("name", p.Policy.Name);
                w.WriteString("policy", p.Policy.Policy.Describe());
                w.WriteBoolean("frontier", p.OnFrontier);
                Money(w, "costs", p.Statistics.Costs, md);
                if (p.Statistics.Taxes is { } taxes)
                {
                    PlanJson.Money(w, "estimatedTax", taxes.Tax, md);
                    Money(w, "costsAndTaxes", p.Statistics.CostsAndTaxes, md);
                }
                Num(w, "trackingError", p.Statistics.TrackingError);
                Num(w, "turnover", p.Statistics.Turnover);
                w.WriteNumber("rebalances", p.Statistics.Rebalances);
                Num(w, "cagr", p.Statistics.Cagr);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }
        if (paths is not null)
        {
            w.WriteStartObject("paths");
            w.WriteString("method", paths.Settings.Method);
            w.WriteNumber("blockLength", paths.Settings.BlockLength);
            w.WriteNumber("years", paths.Settings.Years);
            w.WriteNumber("seed", paths.Settings.Seed);
            w.WriteNumber("paths", paths.Paths);
            WriteBest(w, paths.Best?.Policy);
            w.WriteStartArray("results");
            foreach (var p in paths.Points)
            {
                var sim = p.Simulation;
                w.WriteStartObject();
                w.WriteString("name", p.Policy.Name);
                w.WriteString("policy", p.Policy.Policy.Describe());
                w.WriteBoolean("frontier", p.OnFrontier);
                Moments(w, "costs", sim.Costs, sim.CostQuantiles!, md);
                Moments(w, "trackingError", sim.TrackingError!, sim.TrackingErrorQuantiles!);
                Moments(w, "turnover", sim.Turnover);
                Moments(w, "rebalances", sim.Rebalances);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    });

    private static string Evaluation(TuneOutcome? history, PathTuneOutcome? paths) =>
        (history, paths) switch
        {
            (not null, not null) => "both",
            (null, not null) => "paths",
            (not null, null) => "history",
            _ => throw new ArgumentException("tuning ran on neither history nor paths"),
        };

    private static void WriteBest(Utf8JsonWriter w, NamedPolicy? best)
    {
        if (best is not null) w.WriteString("best", best.Name);
        else w.WriteNull("best");
    }

    /// <summary>Moments with the median and 95th percentile of a quantile histogram.</summary>
    private static void Moments(Utf8JsonWriter w, string name, Ballast.Backtest.MonteCarlo.RunningMoments m, Ballast.Backtest.MonteCarlo.LogHistogramQuantiles q, int? moneyDecimals = null)
    {
        w.WriteStartObject(name);
        Value(w, "mean", m.Mean, moneyDecimals);
        Value(w, "standardDeviation", m.StandardDeviation, moneyDecimals);
        Value(w, "min", m.Minimum, moneyDecimals);
        Value(w, "max", m.Maximum, moneyDecimals);
        Value(w, "p50", q.Count == 0 ? double.NaN : q.Quantile(0.5), moneyDecimals);
        Value(w, "p95", q.Count == 0 ? double.NaN : q.Quantile(0.95), moneyDecimals);
        w.WriteEndObject();
    }

    /// <summary>The frontier tables and best policies of history, paths, or both (history first).</summary>
    public static void RenderTune(CliContext context, TuneOutcome? history, PathTuneOutcome? paths)
    {
        if (history is not null) RenderTune(context, history);
        if (history is not null && paths is not null) context.Console.WriteLine();
        if (paths is not null) RenderTune(context, paths);
    }

    private static void RenderTune(CliContext context, TuneOutcome outcome)
    {
        var console = context.Console;
        var taxes = outcome.IncludesTaxes;
        var axis = taxes ? "costs plus estimated taxes" : "costs";
        var note = taxes ? "" : "; taxes are not modelled without a tax section";
        console.MarkupLine($"[bold]Frontier[/] of {axis} against tracking error on history ({outcome.Points.Count} policies, {outcome.Rejected} grid points rejected by the policy rules{note})");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("", "Policy", "Costs");
        if (taxes) table.AddColumns("Tax", "Costs + tax");
        table.AddColumns("Tracking error", "Turnover/yr", "Rebalances", "CAGR");
        for (var i = 2; i < table.Columns.Count; i++) table.Columns[i].RightAligned();
        foreach (var p in outcome.Points.Where(p => p.OnFrontier).OrderBy(p => p.Statistics.CostsAndTaxes))
        {
            var mark = ReferenceEquals(p, outcome.Best) ? "best" : "";
            var s = p.Statistics;
            List<string> cells = [mark, Markup.Escape(p.Policy.Name), s.Costs.ToString("#,0.00", Inv)];
            if (taxes) cells.AddRange([(s.Taxes?.Tax ?? 0m).ToString("#,0.00", Inv), s.CostsAndTaxes.ToString("#,0.00", Inv)]);
            cells.AddRange([Pct(s.TrackingError), Pct(s.Turnover), s.Rebalances.ToString(Inv), Pct(s.Cagr)]);
            table.AddRow([.. cells]);
        }
        console.Write(Plain(context, table));
        if (outcome.Best is { } best)
            console.MarkupLine($"Best for tracking error ≤ {Pct(outcome.MaxTrackingError)}: [bold]{Markup.Escape(best.Policy.Name)}[/] ({Markup.Escape(best.Policy.Policy.Describe())})");
        else
            console.MarkupLine($"No policy keeps tracking error ≤ {Pct(outcome.MaxTrackingError)}.");
    }

    private static void RenderTune(CliContext context, PathTuneOutcome outcome)
    {
        var console = context.Console;
        var s = outcome.Settings;
        console.MarkupLine($"[bold]Frontier[/] of mean costs against mean tracking error per path on {outcome.Paths:#,0} Monte Carlo paths × {s.Years} years, {s.Method}{(s.Method == "bootstrap" ? $" (blocks of {s.BlockLength})" : "")}, seed {s.Seed} ({outcome.Points.Count} policies, {outcome.Rejected} grid points rejected by the policy rules; taxes are not estimated on paths)");
        var table = new Table().Border(TableBorder.Rounded)
            .AddColumns("", "Policy", "Mean costs", "P95 costs", "Mean TE", "P95 TE", "Turnover/yr", "Rebalances");
        for (var i = 2; i < table.Columns.Count; i++) table.Columns[i].RightAligned();
        foreach (var p in outcome.Points.Where(p => p.OnFrontier).OrderBy(p => p.Score.Cost))
        {
            var sim = p.Simulation;
            table.AddRow(ReferenceEquals(p, outcome.Best) ? "best" : "", Markup.Escape(p.Policy.Name),
                sim.Costs.Mean.ToString("#,0.00", Inv), sim.CostQuantiles!.Quantile(0.95).ToString("#,0.00", Inv),
                Pct(sim.TrackingError!.Mean), Pct(sim.TrackingErrorQuantiles!.Quantile(0.95)), Pct(sim.Turnover.Mean), sim.Rebalances.Mean.ToString("0.0", Inv));
        }
        console.Write(Plain(context, table));
        if (outcome.Best is { } best)
            console.MarkupLine($"Best on paths for mean tracking error ≤ {Pct(outcome.MaxTrackingError)}: [bold]{Markup.Escape(best.Policy.Name)}[/] ({Markup.Escape(best.Policy.Policy.Describe())})");
        else
            console.MarkupLine($"No policy keeps mean tracking error on paths ≤ {Pct(outcome.MaxTrackingError)}.");
    }

    /// <summary>The results table of a backtest as a report table; realized gains and tax columns when the run estimated taxes.</summary>
    public static ResultsTable ReportTable(IReadOnlyList<PolicyStatistics> stats)
    {
        var withTaxes = stats.Any(s => s.Taxes is not null);
        List<string> columns =
            ["Policy", "Final value", "CAGR", "Volatility", "Sharpe", "Sortino", "Max drawdown", "Rebalances", "Turnover/yr", "Costs", "Tracking error", "Avg drift", "Max drift", "Outside bands"];
        if (withTaxes) columns.AddRange(["Realized short-term", "Realized long-term", "Estimated tax"]);
        return new(columns, [.. stats.Select(s =>
        {
            List<string> cells =
            [
                s.FinalValue.ToString("#,0.00", Inv), Pct(s.Cagr), Pct(s.Volatility), Ratio(s.Sharpe), Ratio(s.Sortino), Pct(s.MaxDrawdown), s.Rebalances.ToString(Inv),
                Pct(s.Turnover), s.Costs.ToString("#,0.00", Inv), Pct(s.TrackingError), Pct(s.AverageDrift), Pct(s.MaxDrift), Pct(s.ShareOutsideBands),
            ];
            if (withTaxes) cells.AddRange(s.Taxes is { } t ? [Money2(t.ShortTerm), Money2(t.LongTerm), Money2(t.Tax)] : ["–", "–", "–"]);
            return new ResultsRow(s.Name, cells);
        })]);
    }

    /// <summary>Estimated tax per calendar year, one row per year and one column per policy, or null when the run estimated no taxes.</summary>
    public static ResultsTable? TaxByYearTable(IReadOnlyList<PolicyStatistics> stats)
    {
        if (stats.Count == 0 || stats.Any(s => s.Taxes is null)) return null;
        var years = stats[0].Taxes!.Years;
        return new ResultsTable(
            ["Year", .. stats.Select(s => s.Name)],
            [.. years.Select((y, i) => new ResultsRow(y.Year.ToString(Inv), [.. stats.Select(s => Money2(s.Taxes!.Years[i].Tax))]))]);
    }

    private static string Money2(decimal v) => v.ToString("#,0.00", Inv);

    private static string Pct(double v) => double.IsFinite(v) ? (v * 100).ToString("0.00", Inv) + "%" : "–";
    private static string Ratio(double v) => double.IsFinite(v) ? v.ToString("0.00", Inv) : "–";
    private static string X(double v) => double.IsFinite(v) ? v.ToString("0.00", Inv) + "×" : "–";

    /// <summary>The results columns that are money; the others are fractions or ratios.</summary>
    private static readonly HashSet<string> MoneyColumns = ["finalValue", "costs"];

    /// <summary>A fraction or ratio, to at most <see cref="PlanJson.FractionDecimals"/> decimals; null when not finite.</summary>
    private static void Num(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, PlanJson.FractionDecimals, MidpointRounding.AwayFromZero));
        else w.WriteNull(name);
    }

    /// <summary>An amount of money, to the experiment's money decimals; null when not finite.</summary>
    private static void Money(Utf8JsonWriter w, string name, double v, int decimals)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, Math.Round(v, decimals, MidpointRounding.AwayFromZero));
        else w.WriteNull(name);
    }

    private static void Value(Utf8JsonWriter w, string name, double v, int? moneyDecimals)
    {
        if (moneyDecimals is { } m) Money(w, name, v, m);
        else Num(w, name, v);
    }

    private static string WriteJson(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(w);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
