using System.Net;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Backtest.Statistics;

namespace Ballast.Backtest.Reports;

/// <summary>
/// Writes a <see cref="BacktestReport"/> as one self-contained HTML file: Chart.js 4.6.1 (MIT, from the npm
/// package <c>chart.js</c>, committed under <c>Reports/vendor/</c>), the drawing script, the styles and the
/// data are all inlined, and a Content-Security-Policy forbids every network fetch, so the file opens offline.
/// </summary>
/// <remarks>
/// User text (titles, policy, asset and column names) reaches the page two ways, both escaped: HTML text
/// through <see cref="WebUtility.HtmlEncode(string)"/>, and chart data as JSON whose encoder turns
/// <c>&lt;</c>, <c>&gt;</c>, <c>&amp;</c> and quotes into <c>\uXXXX</c>, so no value can close the
/// <c>&lt;script&gt;</c> element it sits in. Chart.js draws labels on a canvas, never as HTML.
/// </remarks>
public static class HtmlReport
{
    private const string ChartJsVersion = "4.6.1";

    // Allocation charts are stacked areas; thinning them keeps the file small and the stacking aligned
    // (Chart.js decimation would pick different points per asset). Line charts use Chart.js decimation instead.
    private const int MaxStackedPoints = 1500;

    // Up to this many rebalances are dashed lines across the allocation chart; more would cover it (a monthly
    // rebalance over decades is hundreds of lines), so they become short ticks on a strip above the chart.
    internal const int MaxMarkerLines = 40;

    private static readonly Lazy<string> ChartJs = new(() => Resource("chart.umd.min.js"));
    private static readonly Lazy<string> ChartJsLicense = new(() => Resource("chart.js.LICENSE.md"));
    private static readonly Lazy<string> Script = new(() => Resource("report.js"));
    private static readonly Lazy<string> Styles = new(() => Resource("report.css"));

    private static readonly JsonWriterOptions JsonOptions = new() { Encoder = JavaScriptEncoder.Default };

    /// <summary>Writes the report to <paramref name="path"/> (UTF-8, overwriting).</summary>
    public static void Write(BacktestReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        File.WriteAllText(path, Render(report), new UTF8Encoding(false));
    }

    /// <summary>Returns the report's HTML.</summary>
    public static string Render(BacktestReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var html = new StringBuilder(256 * 1024);
        var charts = new List<Action<Utf8JsonWriter>>();
        var title = Encode(report.Title);

        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
            .Append("<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:\">\n")
            .Append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
            .Append("<meta name=\"generator\" content=\"Ballast (charts: Chart.js ").Append(ChartJsVersion).Append(")\">\n")
            .Append("<title>").Append(title).Append("</title>\n<style>\n").Append(Styles.Value).Append("</style>\n</head>\n<body>\n<main>\n")
            .Append("<h1>").Append(title).Append("</h1>\n");
        if (report.Subtitle is { Length: > 0 } subtitle) html.Append("<p class=\"note\">").Append(Encode(subtitle)).Append("</p>\n");

        var frontiers = report.Frontiers ?? [];
        foreach (var f in frontiers) ValidateFrontier(f);
        var drawn = frontiers.Where(f => f.Points.Any(p => double.IsFinite(p.Cost) && double.IsFinite(p.TrackingError))).ToArray();
        if (drawn.Length > 0)
        {
            html.Append(drawn.Length > 1 ? "<div class=\"grid\">\n" : "");
            foreach (var f in drawn)
            {
                AppendChartSection(html, f.Id, f.Title, FrontierNote(f), drawn.Length > 1 ? null : "tall");
                charts.Add(w => WriteFrontier(w, f));
            }
            html.Append(drawn.Length > 1 ? "</div>\n" : "");
        }

        if (report.Results is { } table) AppendTable(html, table);
        foreach (var t in report.Tables ?? []) AppendTable(html, t.Table, t.Heading, t.Note);

        var policies = report.Policies ?? [];
        foreach (var p in policies) Validate(p);
        if (policies.Count > 0)
        {
            var baseline = Baseline(policies);
            var legendNote = policies.Count > 1 ? "Click a policy in a legend to hide or show it on this chart and the two below." : null;
            AppendChartSection(html, "growth", "Growth of value", legendNote, "tall");
            charts.Add(w => WriteGrowth(w, policies));
            if (policies.Count > 1)
            {
                html.Append("<div class=\"grid\">\n");
                var b = policies[baseline];
                AppendChartSection(html, "relative", $"Growth relative to {b.Name}",
                    $"Each policy's value divided by the value of {b.Name}{(b.BuyAndHold && !b.Name.Contains("buy and hold", StringComparison.OrdinalIgnoreCase) ? " (buy and hold)" : "")} on the same date, minus one: above 0 % the policy is ahead.");
                charts.Add(w => WriteRelative(w, policies, baseline));
            }
            AppendChartSection(html, "drawdown", "Drawdown", policies.Count > 1 ? "Fall from the highest value so far." : null);
            charts.Add(w => WriteDrawdown(w, policies));
            if (policies.Count > 1) html.Append("</div>\n");
        }
        for (var i = 0; i < policies.Count; i++)
        {
            var p = policies[i];
            var color = i; // the chart writers run after the loop: capture this policy's index, not the loop variable
            var pair = p.Allocation is not null && p.Drift is not null;
            if (pair) html.Append("<div class=\"grid\">\n");
            if (p.Allocation is { } alloc)
            {
                var id = $"allocation-{i}";
                AppendChartSection(html, id, $"Allocation over time: {p.Name}", MarkerNote(alloc.RebalanceDates.Count) ?? "No rebalances after the initial purchase.");
                charts.Add(w => WriteAllocation(w, id, p, alloc));
            }
            if (p.Drift is { } drift)
            {
                var id = $"drift-{i}";
                AppendChartSection(html, id, drift.Band is null ? $"Drift from target: {p.Name}" : $"Drift against band: {p.Name}", DriftNote(drift));
                charts.Add(w => WriteDrift(w, id, p, drift, color));
            }
            if (pair) html.Append("</div>\n");
        }
        var simulations = report.MonteCarlo ?? [];
        foreach (var mc in simulations) ValidateMonteCarlo(mc);
        if (simulations.Count > 0)
        {
            // One wealth axis for every fan, so the width of the fans compares across policies at a glance.
            var (lowestPositive, lowest, hi) = FanRange(simulations);
            var log = lowest > 0 && hi / lowest > 20;
            var lo = log ? lowestPositive : Math.Min(0, lowest);
            var shared = simulations.Count > 1 ? "; every policy on the same scale" : "";
            html.Append("<div class=\"grid\">\n");
            for (var i = 0; i < simulations.Count; i++)
            {
                var mc = simulations[i];
                var id = $"fan-{i}";
                var color = i;
                AppendChartSection(html, id, $"Monte Carlo: {mc.Name}", $"Wealth percentiles over {mc.Paths:N0} simulated paths (5-95 and 25-75 bands, median line){shared}.");
                charts.Add(w => WriteFan(w, id, mc, color, lo, hi, log));
            }
            html.Append("</div>\n");
            AppendChartSection(html, "terminal", "Terminal wealth", TerminalNote(simulations));
            charts.Add(w => WriteTerminal(w, simulations));
        }
        if (report.TaxByYear is { } taxes)
            AppendTable(html, taxes, "Estimated tax per year", "Realized gains of each calendar year taxed by the experiment's regime; estimated, not paid from the portfolio.");

        html.Append("</main>\n<script type=\"application/json\" id=\"ballast-report-data\">");
        html.Append(Json(charts));
        html.Append("</script>\n<script>\n/*! Chart.js ").Append(ChartJsVersion).Append(" | npm package chart.js | ")
            .Append(CommentSafe(ChartJsLicense.Value)).Append(" */\n")
            .Append(ScriptSafe(ChartJs.Value)).Append("\n</script>\n<script>\n").Append(ScriptSafe(Script.Value)).Append("\n</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    /// <summary>The reference of the relative growth chart: the first buy-and-hold policy, else the first policy.</summary>
    internal static int Baseline(IReadOnlyList<PolicyRun> policies)
    {
        for (var i = 0; i < policies.Count; i++)
        {
            if (policies[i].BuyAndHold) return i;
        }
        return 0;
    }

    private static void AppendTable(StringBuilder html, ResultsTable table, string heading = "Results", string? note = null)
    {
        html.Append("<section>\n<h2>").Append(Encode(heading)).Append("</h2>\n");
        if (note is not null) html.Append("<p class=\"note\">").Append(Encode(note)).Append("</p>\n");
        html.Append("<div class=\"table-wrap\"><table>\n<thead>");
        if (table.Groups is { Count: > 0 } groups)
        {
            html.Append("<tr class=\"groups\">");
            foreach (var g in groups)
            {
                html.Append(g.Span > 1 ? $"<th colspan=\"{g.Span}\"" : "<th").Append(g.Label.Length > 0 ? " class=\"group\">" : ">")
                    .Append(Encode(g.Label)).Append("</th>");
            }
            html.Append("</tr>\n");
        }
        html.Append("<tr>");
        foreach (var c in table.Columns) html.Append("<th>").Append(Encode(c)).Append("</th>");
        html.Append("</tr></thead>\n<tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append(row.Highlight ? "<tr class=\"best\"><td>" : "<tr><td>").Append(Encode(row.Name));
            if (row.SameAs.Count > 0)
            {
                html.Append("<div class=\"same-as\">Same results: ").Append(Encode(string.Join(", ", row.SameAs))).Append("</div>");
            }
            html.Append("</td>");
            foreach (var cell in row.Cells) html.Append("<td>").Append(Encode(cell)).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody>\n</table></div>\n</section>\n");
    }

    private static void AppendChartSection(StringBuilder html, string id, string heading, string? note = null, string? size = null)
    {
        html.Append("<section>\n<h2>").Append(Encode(heading)).Append("</h2>\n");
        if (note is not null) html.Append("<p class=\"note\">").Append(Encode(note)).Append("</p>\n");
        html.Append(size is null ? "<div class=\"chart\">" : $"<div class=\"chart {size}\">").Append("<canvas id=\"").Append(id).Append("\" role=\"img\" aria-label=\"")
            .Append(Encode(heading)).Append("\"></canvas></div>\n</section>\n");
    }

    private static string Json(List<Action<Utf8JsonWriter>> charts)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, JsonOptions))
        {
            w.WriteStartObject();
            w.WriteStartArray("charts");
            foreach (var chart in charts) chart(w);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void WriteGrowth(Utf8JsonWriter w, IReadOnlyList<PolicyRun> policies)
    {
        var min = double.PositiveInfinity;
        var max = 0.0;
        foreach (var p in policies)
        {
            foreach (var v in p.Values)
            {
                if (v > 0 && double.IsFinite(v)) { min = Math.Min(min, v); max = Math.Max(max, v); }
            }
        }
        StartLines(w, "growth", "date", "number", log: max / min > 20, decimate: "lttb");
        w.WriteBoolean("linked", true);
        WriteSeriesOnUnionOfDates(w, policies, p => p.Values);
        w.WriteEndObject();
    }

    /// <summary>Each policy's value over the baseline's value on the same date, minus one (NaN where either is missing or not positive).</summary>
    private static void WriteRelative(Utf8JsonWriter w, IReadOnlyList<PolicyRun> policies, int baseline)
    {
        var b = policies[baseline];
        var reference = new Dictionary<DateOnly, double>(b.Dates.Count);
        for (var k = 0; k < b.Dates.Count; k++) reference[b.Dates[k]] = b.Values[k];
        StartLines(w, "relative", "date", "percent", log: false, decimate: "lttb");
        w.WriteBoolean("linked", true);
        w.WriteNumber("baseline", baseline);
        WriteSeriesOnUnionOfDates(w, policies, p =>
        {
            var r = new double[p.Dates.Count];
            for (var k = 0; k < r.Length; k++)
                r[k] = reference.TryGetValue(p.Dates[k], out var v) && v > 0 && double.IsFinite(v) && double.IsFinite(p.Values[k]) ? p.Values[k] / v - 1 : double.NaN;
            return r;
        });
        w.WriteEndObject();
    }

    private static void WriteDrawdown(Utf8JsonWriter w, IReadOnlyList<PolicyRun> policies)
    {
        StartLines(w, "drawdown", "date", "percent", log: false, decimate: "min-max");
        // One policy's drawdown reads best filled; several filled areas would hide each other.
        w.WriteBoolean("fillBelow", policies.Count == 1);
        w.WriteBoolean("linked", true);
        w.WriteNumber("yMax", 0);
        WriteSeriesOnUnionOfDates(w, policies, p =>
        {
            var values = p.Values.ToArray();
            return AllPositive(values) ? Performance.DrawdownSeries(values) : new double[values.Length];
        });
        w.WriteEndObject();
    }

    private static void WriteAllocation(Utf8JsonWriter w, string id, PolicyRun p, AllocationSeries alloc)
    {
        var stride = Math.Max(1, (p.Dates.Count + MaxStackedPoints - 1) / MaxStackedPoints);
        var rows = Thin(p.Dates.Count, stride);
        StartLines(w, id, "date", "percent", log: false, decimate: null);
        w.WriteBoolean("stacked", true);
        w.WriteNumber("yMin", 0);
        w.WriteNumber("yMax", 1);
        WriteX(w, rows.Select(i => p.Dates[i]));
        w.WriteStartArray("series");
        for (var a = 0; a < alloc.Assets.Count; a++)
        {
            var weights = alloc.Weights[a];
            WriteSeries(w, alloc.Assets[a], rows.Select(i => weights[i]), a);
        }
        w.WriteEndArray();
        w.WriteString("markerStyle", alloc.RebalanceDates.Count > MaxMarkerLines ? "strip" : "lines");
        w.WriteStartArray("markers");
        foreach (var d in alloc.RebalanceDates) w.WriteNumberValue(EpochMs(d));
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string? MarkerNote(int rebalances) => rebalances switch
    {
        0 => null,
        1 => "A dashed line marks the rebalance.",
        <= MaxMarkerLines => $"Dashed lines mark the {rebalances:N0} rebalances.",
        _ => $"Ticks on the strip above the chart mark the {rebalances:N0} rebalances.",
    };

    private static void WriteDrift(Utf8JsonWriter w, string id, PolicyRun p, DriftSeries drift, int policyIndex)
    {
        StartLines(w, id, "date", "percent", log: false, decimate: "min-max");
        w.WriteNumber("yMin", 0);
        WriteX(w, p.Dates);
        w.WriteStartArray("series");
        WriteSeries(w, "drift", drift.Drift, policyIndex);
        // The band in a neutral ink, the same on every policy's chart; a policy without bands has none. Bands are set per
        // asset, and the band series holds the band of whichever asset drifted most: with two assets both drift alike and
        // the series flips between their bands from one close to the next. A few distinct bands are therefore drawn as a
        // flat line each, which reads the same and shows what the policy set.
        if (drift.Band is { } band)
        {
            var levels = BandLevels(band);
            if (levels is null) WriteSeries(w, "band", band, Neutral, dash: BandDash);
            else if (levels.Length == 1) WriteSeries(w, "band", band.Select(_ => levels[0]), Neutral, dash: BandDash);
            else
            {
                for (var k = 0; k < levels.Length; k++)
                {
                    var level = levels[k];
                    WriteSeries(w, $"band {Percent(level)}", band.Select(_ => level), Neutral, dash: BandDash + k);
                }
            }
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The distinct finite values of a band series in ascending order when there are at most four, else null.</summary>
    internal static double[]? BandLevels(IReadOnlyList<double> band)
    {
        var levels = new SortedSet<double>();
        foreach (var v in band)
        {
            if (!double.IsFinite(v)) continue;
            levels.Add(Math.Round(v, 9));
            if (levels.Count > 4) return null;
        }
        return levels.Count == 0 ? null : [.. levels];
    }

    private static string DriftNote(DriftSeries drift)
    {
        if (drift.Band is null) return "The largest |weight − target| at each close. This policy has no bands: drift does not trigger its rebalances.";
        var levels = BandLevels(drift.Band);
        return levels is { Length: > 1 }
            ? $"The largest |weight − target| at each close, and the bands of the assets ({string.Join(" and ", levels.Select(Percent))} either side of target): a rebalance is due when an asset drifts beyond its own band."
            : "The largest |weight − target| at each close, and the band (a rebalance is due beyond it).";
    }

    /// <summary>The colour index the drawing script shows in a neutral grey (bands, the tuning objective).</summary>
    private const int Neutral = -1;

    /// <summary>The dash pattern of bands: the drawing script's <c>dashes[1]</c>, a long dash.</summary>
    private const int BandDash = 1;

    private static string FrontierNote(FrontierChart f)
    {
        var points = f.Points.Count(p => double.IsFinite(p.Cost) && double.IsFinite(p.TrackingError));
        var merged = f.Points.Sum(p => p.SameAs.Count);
        var best = f.Points.FirstOrDefault(p => p.Best);
        var text = $"{f.CostLabel} against {char.ToLowerInvariant(f.TrackingErrorLabel[0])}{f.TrackingErrorLabel[1..]}: each dot a grid point ({points:N0} distinct results";
        text += merged > 0 ? $"; {merged:N0} grid points with the same results as another share its dot)" : ")";
        text += $", the line joins the frontier (no other point is both cheaper and closer to the targets). ";
        text += best is null
            ? $"No point keeps tracking error at or below {Percent(f.MaxTrackingError)}."
            : $"The diamond is the best: the cheapest at tracking error ≤ {Percent(f.MaxTrackingError)}, {best.Name}.";
        return text;
    }

    private static string Percent(double v) => (v * 100).ToString("0.##", System.Globalization.CultureInfo.InvariantCulture) + "%";

    private static void WriteFrontier(Utf8JsonWriter w, FrontierChart f)
    {
        w.WriteStartObject();
        w.WriteString("id", f.Id);
        w.WriteString("kind", "frontier");
        w.WriteString("xLabel", f.TrackingErrorLabel);
        w.WriteString("yLabel", f.CostLabel);
        WriteNumber(w, "objective", f.MaxTrackingError);
        w.WriteStartArray("points");
        foreach (var p in f.Points.Where(p => double.IsFinite(p.Cost) && double.IsFinite(p.TrackingError)))
        {
            w.WriteStartObject();
            w.WriteString("name", p.Name);
            WriteNumber(w, "x", p.TrackingError);
            WriteNumber(w, "y", p.Cost);
            if (p.OnFrontier) w.WriteBoolean("frontier", true);
            if (p.Best) w.WriteBoolean("best", true);
            if (p.SameAs.Count > 0)
            {
                w.WriteStartArray("sameAs");
                foreach (var n in p.SameAs) w.WriteStringValue(n);
                w.WriteEndArray();
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>The smallest positive, smallest and largest finite value of every fan.</summary>
    private static (double LowestPositive, double Lowest, double Highest) FanRange(IReadOnlyList<MonteCarloChart> simulations)
    {
        var values = simulations.SelectMany(mc => mc.Fan.SelectMany(l => l.Values).Append(mc.StartingWealth)).Where(double.IsFinite).ToArray();
        return (values.Where(v => v > 0).DefaultIfEmpty(1).Min(), values.DefaultIfEmpty(1).Min(), values.DefaultIfEmpty(1).Max());
    }

    private static void WriteFan(Utf8JsonWriter w, string id, MonteCarloChart mc, int color, double lo, double hi, bool log)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("kind", "fan");
        w.WriteNumber("color", color);
        w.WriteBoolean("log", log);
        // Suggested, not fixed: the axis still rounds to nice values, the same for every fan since all data lies inside.
        WriteNumber(w, "yMin", lo);
        WriteNumber(w, "yMax", hi);
        w.WriteStartArray("x");
        w.WriteNumberValue(0);
        foreach (var y in mc.Years) w.WriteNumberValue(y);
        w.WriteEndArray();
        w.WriteStartArray("lines");
        foreach (var line in mc.Fan)
        {
            w.WriteStartObject();
            w.WriteNumber("q", line.Quantile);
            w.WriteStartArray("y");
            // Every path starts from the same wealth at time 0, so the fan opens from one point.
            WriteValue(w, mc.StartingWealth);
            foreach (var v in line.Values) WriteValue(w, v);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>Terminal wealth of every policy on one chart: per bin, the share of that policy's paths.</summary>
    private static void WriteTerminal(Utf8JsonWriter w, IReadOnlyList<MonteCarloChart> simulations)
    {
        w.WriteStartObject();
        w.WriteString("id", "terminal");
        w.WriteString("kind", "histogram");
        w.WriteStartArray("series");
        for (var i = 0; i < simulations.Count; i++)
        {
            var mc = simulations[i];
            var bins = mc.TerminalHistogram;
            w.WriteStartObject();
            w.WriteString("label", mc.Name);
            w.WriteNumber("color", i);
            w.WriteNumber("dash", i);
            w.WriteNumber("width", bins.BinWidth);
            w.WriteStartArray("edges");
            foreach (var e in bins.LowerEdges) w.WriteNumberValue(e);
            w.WriteEndArray();
            w.WriteStartArray("shares");
            foreach (var c in bins.Counts) WriteValue(w, mc.Paths > 0 ? c / (double)mc.Paths : 0);
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string TerminalNote(IReadOnlyList<MonteCarloChart> simulations)
    {
        var note = simulations.Count > 1
            ? "Share of each policy's paths by final wealth, one line per policy."
            : "Share of paths by final wealth.";
        var outside = simulations
            .Where(mc => mc.TerminalHistogram.Underflow + mc.TerminalHistogram.Overflow > 0)
            .Select(mc => $"{mc.Name}: {mc.TerminalHistogram.Underflow:N0} below and {mc.TerminalHistogram.Overflow:N0} above")
            .ToArray();
        return outside.Length == 0 ? note + " Every path ends inside the range shown." : note + " Outside the range shown: " + string.Join("; ", outside) + ".";
    }

    private static void WriteNumber(Utf8JsonWriter w, string name, double v)
    {
        w.WritePropertyName(name);
        WriteValue(w, v);
    }

    private static void StartLines(Utf8JsonWriter w, string id, string xFormat, string yFormat, bool log, string? decimate)
    {
        w.WriteStartObject();
        w.WriteString("id", id);
        w.WriteString("kind", "lines");
        w.WriteString("xFormat", xFormat);
        w.WriteString("yFormat", yFormat);
        w.WriteBoolean("log", log);
        if (decimate is not null) w.WriteString("decimate", decimate);
    }

    private static void WriteSeriesOnUnionOfDates(Utf8JsonWriter w, IReadOnlyList<PolicyRun> policies, Func<PolicyRun, IReadOnlyList<double>> values)
    {
        // Policies usually share dates; when they do not, a policy without a value on a date shows a gap.
        var allDates = policies.SelectMany(p => p.Dates).Distinct().Order().ToArray();
        WriteX(w, allDates);
        w.WriteStartArray("series");
        for (var i = 0; i < policies.Count; i++)
        {
            var p = policies[i];
            var v = values(p);
            var map = new Dictionary<DateOnly, double>(p.Dates.Count);
            for (var k = 0; k < p.Dates.Count; k++) map[p.Dates[k]] = v[k];
            // Colour and dash pattern both follow the policy, so lines stay apart in print and for colour-blind readers.
            WriteSeries(w, p.Name, allDates.Select(d => map.TryGetValue(d, out var x) ? x : double.NaN), i, dash: i);
        }
        w.WriteEndArray();
    }

    private static void WriteX(Utf8JsonWriter w, IEnumerable<DateOnly> dates)
    {
        w.WriteStartArray("x");
        foreach (var d in dates) w.WriteNumberValue(EpochMs(d));
        w.WriteEndArray();
    }

    /// <param name="dash">Index of the drawing script's dash pattern (0 solid), or null for a solid line.</param>
    private static void WriteSeries(Utf8JsonWriter w, string label, IEnumerable<double> values, int color, int? dash = null)
    {
        w.WriteStartObject();
        w.WriteString("label", label);
        w.WriteNumber("color", color);
        if (dash is { } d) w.WriteNumber("dash", d);
        w.WriteStartArray("y");
        foreach (var v in values) WriteValue(w, v);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    // Charts need about seven significant digits; float keeps the JSON (and the file) about half as large.
    private static void WriteValue(Utf8JsonWriter w, double v)
    {
        if (double.IsFinite(v) && Math.Abs(v) < float.MaxValue) w.WriteNumberValue((float)v);
        else w.WriteNullValue();
    }

    private static long EpochMs(DateOnly d) => (d.DayNumber - DateOnly.FromDateTime(DateTime.UnixEpoch).DayNumber) * 86_400_000L;

    private static int[] Thin(int count, int stride)
    {
        var rows = new List<int>(count / stride + 2);
        for (var i = 0; i < count; i += stride) rows.Add(i);
        if (rows[^1] != count - 1) rows.Add(count - 1);
        return [.. rows];
    }

    private static bool AllPositive(double[] values) => values.All(v => v > 0 && double.IsFinite(v));

    private static void Validate(PolicyRun p)
    {
        ArgumentNullException.ThrowIfNull(p);
        if (p.Dates.Count == 0) throw new ArgumentException($"policy '{p.Name}' has no dates");
        if (p.Values.Count != p.Dates.Count) throw new ArgumentException($"policy '{p.Name}' has {p.Dates.Count} dates but {p.Values.Count} values");
        for (var i = 1; i < p.Dates.Count; i++)
        {
            if (p.Dates[i] <= p.Dates[i - 1]) throw new ArgumentException($"policy '{p.Name}' dates are not strictly ascending at {i}");
        }
        if (p.Allocation is { } a)
        {
            if (a.Weights.Count != a.Assets.Count) throw new ArgumentException($"policy '{p.Name}' has {a.Assets.Count} assets but {a.Weights.Count} weight series");
            if (a.Weights.Any(s => s.Count != p.Dates.Count)) throw new ArgumentException($"policy '{p.Name}' has a weight series not aligned with its dates");
        }
        if (p.Drift is { } d && (d.Drift.Count != p.Dates.Count || (d.Band is { } band && band.Count != p.Dates.Count)))
            throw new ArgumentException($"policy '{p.Name}' has drift or band series not aligned with its dates");
    }

    private static void ValidateFrontier(FrontierChart f)
    {
        ArgumentNullException.ThrowIfNull(f);
        if (f.Id.Length == 0 || !f.Id.All(c => char.IsAsciiLetterOrDigit(c) || c == '-'))
            throw new ArgumentException($"frontier chart id '{f.Id}' must be letters, digits and dashes");
        if (f.TrackingErrorLabel.Length == 0) throw new ArgumentException("the frontier chart needs a tracking error label");
    }

    private static void ValidateMonteCarlo(MonteCarloChart mc)
    {
        if (mc.Years.Count == 0) throw new ArgumentException("the Monte Carlo chart has no steps");
        if (mc.Fan.Any(l => l.Values.Count != mc.Years.Count)) throw new ArgumentException("every fan line needs one value per step");
        foreach (var q in MonteCarloChart.FanQuantiles)
        {
            if (!mc.Fan.Any(l => l.Quantile == q)) throw new ArgumentException($"the fan chart needs the {q} quantile line");
        }
    }

    private static string Encode(string text) => WebUtility.HtmlEncode(text);

    private static string CommentSafe(string text) => text.Replace("*/", "* /", StringComparison.Ordinal);

    private static string ScriptSafe(string script)
    {
        if (script.Contains("</script", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException("an embedded script contains '</script' and cannot be inlined");
        // The source map is not shipped; without this line developer tools would try to fetch it.
        var map = script.LastIndexOf("//# sourceMappingURL=", StringComparison.Ordinal);
        return map < 0 ? script : script[..map];
    }

    private static string Resource(string name)
    {
        var full = "Ballast.Backtest.Reports." + name;
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(full)
            ?? throw new InvalidOperationException($"embedded resource {full} is missing from the build");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
