using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Backtest.Engine;
using Ballast.Backtest.Reports;
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

    public static string Json(IReadOnlyList<PolicyStatistics> stats) => WriteJson(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("results");
        foreach (var s in stats) WriteStats(w, s);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static void WriteStats(Utf8JsonWriter w, PolicyStatistics s)
    {
        w.WriteStartObject();
        w.WriteString("name", s.Name);
        var numbers = Numbers(s);
        for (var i = 0; i < numbers.Length; i++)
        {
            if (Columns[i + 1] == "rebalances") w.WriteNumber("rebalances", s.Rebalances);
            else Num(w, Columns[i + 1], numbers[i]);
        }
        w.WriteEndObject();
    }

    public static string Csv(IReadOnlyList<PolicyStatistics> stats)
    {
        var sb = new StringBuilder();
        sb.AppendJoin(',', Columns).Append('\n');
        foreach (var s in stats)
        {
            sb.Append(CsvCell(s.Name));
            foreach (var v in Numbers(s)) sb.Append(',').Append(double.IsFinite(v) ? v.ToString("R", Inv) : "");
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
        console.Write(ResultsTable(outcome.Statistics));
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
            Moments(w, "costs", p.Costs);
            Moments(w, "rebalances", p.Rebalances);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static readonly (string Label, double Q)[] Percentiles = [("p5", 0.05), ("p25", 0.25), ("p50", 0.50), ("p75", 0.75), ("p95", 0.95)];

    private static void Moments(Utf8JsonWriter w, string name, Ballast.Backtest.MonteCarlo.RunningMoments m)
    {
        w.WriteStartObject(name);
        Num(w, "mean", m.Mean);
        Num(w, "standardDeviation", m.StandardDeviation);
        Num(w, "min", m.Minimum);
        Num(w, "max", m.Maximum);
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
        context.Console.Write(table);
    }

    public static string TuneJson(TuneOutcome outcome) => WriteJson(w =>
    {
        w.WriteStartObject();
        Num(w, "maxTrackingError", outcome.MaxTrackingError);
        if (outcome.Best is { } best) w.WriteString("best", best.Policy.Name);
        else w.WriteNull("best");
        w.WriteNumber("rejected", outcome.Rejected);
        w.WriteStartArray("results");
        foreach (var p in outcome.Points)
        {
            w.WriteStartObject();
            w.WriteString("name", p.Policy.Name);
            w.WriteString("policy", p.Policy.Policy.Describe());
            w.WriteBoolean("frontier", p.OnFrontier);
            Num(w, "costs", p.Statistics.Costs);
            Num(w, "trackingError", p.Statistics.TrackingError);
            Num(w, "turnover", p.Statistics.Turnover);
            w.WriteNumber("rebalances", p.Statistics.Rebalances);
            Num(w, "cagr", p.Statistics.Cagr);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static void RenderTune(CliContext context, TuneOutcome outcome)
    {
        var console = context.Console;
        console.MarkupLine($"[bold]Frontier[/] of costs against tracking error ({outcome.Points.Count} policies, {outcome.Rejected} grid points rejected by the policy rules; taxes are not modelled)");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("", "Policy", "Costs", "Tracking error", "Turnover/yr", "Rebalances", "CAGR");
        for (var i = 2; i < table.Columns.Count; i++) table.Columns[i].RightAligned();
        foreach (var p in outcome.Points.Where(p => p.OnFrontier).OrderBy(p => p.Statistics.Costs))
        {
            var mark = ReferenceEquals(p, outcome.Best) ? "best" : "";
            var s = p.Statistics;
            table.AddRow(mark, Markup.Escape(p.Policy.Name), s.Costs.ToString("#,0.00", Inv), Pct(s.TrackingError), Pct(s.Turnover), s.Rebalances.ToString(Inv), Pct(s.Cagr));
        }
        console.Write(table);
        if (outcome.Best is { } best)
            console.MarkupLine($"Best for tracking error ≤ {Pct(outcome.MaxTrackingError)}: [bold]{Markup.Escape(best.Policy.Name)}[/] ({Markup.Escape(best.Policy.Policy.Describe())})");
        else
            console.MarkupLine($"No policy keeps tracking error ≤ {Pct(outcome.MaxTrackingError)}.");
    }

    /// <summary>The tuning results as a report table, frontier first.</summary>
    public static ResultsTable TuneTable(TuneOutcome outcome) => new(
        ["Policy", "Frontier", "Costs", "Tracking error", "Turnover/yr", "Rebalances"],
        [.. outcome.Points.OrderByDescending(p => p.OnFrontier).ThenBy(p => p.Statistics.Costs).Select(p => new ResultsRow(
            p.Policy.Name + (ReferenceEquals(p, outcome.Best) ? " (best)" : ""),
            [p.OnFrontier ? "yes" : "", p.Statistics.Costs.ToString("#,0.00", Inv), Pct(p.Statistics.TrackingError), Pct(p.Statistics.Turnover), p.Statistics.Rebalances.ToString(Inv)]))]);

    /// <summary>The results table of a backtest as a report table.</summary>
    public static ResultsTable ReportTable(IReadOnlyList<PolicyStatistics> stats) => new(
        ["Policy", "Final value", "CAGR", "Volatility", "Sharpe", "Sortino", "Max drawdown", "Rebalances", "Turnover/yr", "Costs", "Tracking error", "Avg drift", "Max drift", "Outside bands"],
        [.. stats.Select(s => new ResultsRow(s.Name,
            [s.FinalValue.ToString("#,0.00", Inv), Pct(s.Cagr), Pct(s.Volatility), Ratio(s.Sharpe), Ratio(s.Sortino), Pct(s.MaxDrawdown), s.Rebalances.ToString(Inv),
             Pct(s.Turnover), s.Costs.ToString("#,0.00", Inv), Pct(s.TrackingError), Pct(s.AverageDrift), Pct(s.MaxDrift), Pct(s.ShareOutsideBands)]))]);

    private static string Pct(double v) => double.IsFinite(v) ? (v * 100).ToString("0.00", Inv) + "%" : "–";
    private static string Ratio(double v) => double.IsFinite(v) ? v.ToString("0.00", Inv) : "–";
    private static string X(double v) => double.IsFinite(v) ? v.ToString("0.00", Inv) + "×" : "–";

    private static void Num(Utf8JsonWriter w, string name, double v)
    {
        if (double.IsFinite(v)) w.WriteNumber(name, v);
        else w.WriteNull(name);
    }

    private static string WriteJson(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            write(w);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
