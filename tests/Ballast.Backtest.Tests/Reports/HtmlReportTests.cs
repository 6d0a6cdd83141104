using System.Text.Json;
using Ballast.Backtest.Reports;

namespace Ballast.Backtest.Tests.Reports;

public sealed class HtmlReportTests
{
    private static readonly string Html = HtmlReport.Render(ReportSamples.Build(monteCarloPaths: 200));

    [Fact]
    public void Render_UserTextCannotBreakOutOfHtmlOrScript()
    {
        Assert.DoesNotContain("<script>alert", Html, StringComparison.Ordinal);
        Assert.DoesNotContain("</script><script>", Html, StringComparison.Ordinal);
        Assert.Contains("Sawtooth &lt;/script&gt;&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;co&#39;", Html, StringComparison.Ordinal);
        Assert.Contains("\\u003C/script\\u003E", Html, StringComparison.Ordinal);
        Assert.Contains("stocks \\u003CA\\u003E", Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_IsSelfContainedWithNoExternalReferences()
    {
        Assert.DoesNotContain("<script src", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<link", Html, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("<img", Html, StringComparison.OrdinalIgnoreCase);
        Assert.Contains("default-src 'none'", Html, StringComparison.Ordinal);
        Assert.Contains("Chart.js 4.6.1", Html, StringComparison.Ordinal);
        Assert.Contains("Permission is hereby granted", Html, StringComparison.Ordinal); // Chart.js MIT licence travels with the code
        Assert.Equal(3, Html.Split("<script").Length - 1); // data, Chart.js, drawing script
    }

    [Fact]
    public void Render_HasOneCanvasPerChart()
    {
        // growth, relative growth, drawdown, 2 × allocation, 2 × drift, a fan per simulated policy (2), one terminal-wealth chart.
        Assert.Equal(10, Html.Split("<canvas").Length - 1);
        Assert.Contains("id=\"relative\"", Html, StringComparison.Ordinal);
        Assert.Contains("id=\"allocation-2\"", Html, StringComparison.Ordinal);
        Assert.Contains("id=\"drift-1\"", Html, StringComparison.Ordinal);
        Assert.Contains("id=\"fan-0\"", Html, StringComparison.Ordinal);
        Assert.Contains("id=\"fan-1\"", Html, StringComparison.Ordinal);
        Assert.Contains("id=\"terminal\"", Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MonteCarlo_AFanPerPolicyOnOneScale_AndTheirTerminalWealthOnOneChart()
    {
        var report = ReportSamples.Build(monteCarloPaths: 200);
        using var data = ChartData(HtmlReport.Render(report));
        var charts = data.RootElement.GetProperty("charts").EnumerateArray().ToList();
        var fans = charts.Where(c => c.GetProperty("kind").GetString() == "fan").ToList();
        var simulations = report.MonteCarlo!;

        Assert.Equal(simulations.Count, fans.Count);
        Assert.Equal(["fan-0", "fan-1"], fans.Select(f => f.GetProperty("id").GetString()));
        Assert.Equal([0, 1], fans.Select(f => f.GetProperty("color").GetInt32()));
        // One scale: the bounds span every fan, and each fan's own lines lie inside them.
        var everyValue = simulations.SelectMany(s => s.Fan.SelectMany(l => l.Values).Append(s.StartingWealth)).ToArray();
        foreach (var f in fans)
        {
            Assert.Equal(fans[0].GetProperty("log").GetBoolean(), f.GetProperty("log").GetBoolean());
            Assert.Equal(everyValue.Min(), f.GetProperty("yMin").GetDouble(), 1e-6 * everyValue.Min());
            Assert.Equal(everyValue.Max(), f.GetProperty("yMax").GetDouble(), 1e-6 * everyValue.Max());
        }
        // Rebalancing narrows the fan, so the two policies' bounds differ and the shared scale is not one policy's own.
        Assert.True(simulations[1].Fan[^1].Values[^1] < simulations[0].Fan[^1].Values[^1]);

        var terminal = charts.Single(c => c.GetProperty("id").GetString() == "terminal");
        var series = terminal.GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(simulations.Select(s => s.Name), series.Select(s => s.GetProperty("label").GetString()));
        for (var i = 0; i < series.Count; i++)
        {
            // Shares of the policy's paths: inside the range they add up to what is neither below nor above it.
            var bins = simulations[i].TerminalHistogram;
            var inside = 1 - (bins.Underflow + bins.Overflow) / (double)simulations[i].Paths;
            Assert.Equal(inside, series[i].GetProperty("shares").EnumerateArray().Sum(v => v.GetDouble()), 1e-5);
            Assert.Equal(bins.LowerEdges.Count, series[i].GetProperty("edges").GetArrayLength());
        }
    }

    [Fact]
    public void Render_ResultsTableHasOneRowPerPolicy()
    {
        Assert.Equal(3, Html.Split("<tr><td>").Length - 1);
        Assert.Contains("<th>Max drawdown</th>", Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_DriftLineHasItsPolicysColour()
    {
        using var data = ChartData(Html);
        var charts = data.RootElement.GetProperty("charts").EnumerateArray().ToList();

        // Policies 1 and 2 of the sample have drift charts; each drift line takes the policy's growth-line colour.
        foreach (var i in new[] { 1, 2 })
        {
            var drift = charts.Single(c => c.GetProperty("id").GetString() == $"drift-{i}").GetProperty("series")[0];
            Assert.Equal(i, drift.GetProperty("color").GetInt32());
        }
    }

    [Fact]
    public void Render_TitleAndSubtitleAreTheReports_WithNoGenericSubtitle()
    {
        Assert.Contains("<h1>Ballast backtest: US stocks and bonds since 1990</h1>\n<p class=\"note\">Monthly total-return indices since 1990; the third policy is synthetic.</p>", Html, StringComparison.Ordinal);
        Assert.DoesNotContain("Past and simulated returns", Html, StringComparison.Ordinal);
        Assert.DoesNotContain("<p class=\"note\"></p>", HtmlReport.Render(new BacktestReport("no subtitle", [])), StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Drift_BandOnlyForPoliciesWithBands_InANeutralInk()
    {
        using var data = ChartData(Html);
        var charts = data.RootElement.GetProperty("charts").EnumerateArray().ToList();
        string[] Labels(string id) => [.. charts.Single(c => c.GetProperty("id").GetString() == id).GetProperty("series").EnumerateArray().Select(s => s.GetProperty("label").GetString()!)];

        // Policy 1 is bought and held (no band); policy 2, the sawtooth, has a 5 % band.
        Assert.Equal(["drift"], Labels("drift-1"));
        Assert.Equal(["drift", "band"], Labels("drift-2"));
        var band = charts.Single(c => c.GetProperty("id").GetString() == "drift-2").GetProperty("series")[1];
        Assert.Equal(-1, band.GetProperty("color").GetInt32());
        Assert.Contains("<h2>Drift from target: 60/40, buy and hold</h2>", Html, StringComparison.Ordinal);
        Assert.Contains("This policy has no bands", Html, StringComparison.Ordinal);
        Assert.Contains("<h2>Drift against band: Sawtooth", Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Drift_BandsThatDifferByAsset_AreAFlatLineEach()
    {
        // Two assets drift alike, so the band of the asset that drifted most flips between their bands (8pp and 12pp).
        var dates = Enumerable.Range(0, 24).Select(m => new DateOnly(2000, 1, 1).AddMonths(m)).ToArray();
        var band = dates.Select((_, i) => i % 2 == 0 ? 0.08 : 0.12).ToArray();
        var run = new PolicyRun("rails", dates, dates.Select(_ => 100.0).ToArray()) { Drift = new DriftSeries(dates.Select(_ => 0.01).ToArray(), band) };

        var html = HtmlReport.Render(new BacktestReport("bands", [run]));

        using var data = ChartData(html);
        var series = data.RootElement.GetProperty("charts").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "drift-0").GetProperty("series").EnumerateArray().ToList();
        Assert.Equal(["drift", "band 8%", "band 12%"], series.Select(s => s.GetProperty("label").GetString()));
        Assert.All(series[2].GetProperty("y").EnumerateArray(), v => Assert.Equal(0.12, v.GetDouble(), 1e-7));
        Assert.Contains("the bands of the assets (8% and 12% either side of target)", html, StringComparison.Ordinal);
        // Many distinct values are drawn as they come.
        Assert.Null(HtmlReport.BandLevels([0.01, 0.02, 0.03, 0.04, 0.05]));
        Assert.Equal([0.05], HtmlReport.BandLevels([0.05, double.NaN, 0.05])!);
    }

    [Fact]
    public void Render_PolicyCharts_GiveEachPolicyItsColourAndDash_AndCompareWithBuyAndHold()
    {
        using var data = ChartData(Html);
        var charts = data.RootElement.GetProperty("charts").EnumerateArray().ToList();
        foreach (var id in new[] { "growth", "relative", "drawdown" })
        {
            var chart = charts.Single(c => c.GetProperty("id").GetString() == id);
            Assert.True(chart.GetProperty("linked").GetBoolean());
            var series = chart.GetProperty("series").EnumerateArray().ToList();
            Assert.Equal([0, 1, 2], series.Select(x => x.GetProperty("color").GetInt32()));
            Assert.Equal([0, 1, 2], series.Select(x => x.GetProperty("dash").GetInt32()));
        }

        // The first buy-and-hold policy (here the first policy) is the reference: its own line is 0, the others their ratio minus one.
        var report = ReportSamples.Build(monteCarloPaths: 200);
        var relative = charts.Single(c => c.GetProperty("id").GetString() == "relative");
        Assert.Equal(0, relative.GetProperty("baseline").GetInt32());
        var mixed = relative.GetProperty("series")[1].GetProperty("y").EnumerateArray().Select(v => v.GetDouble()).ToArray();
        var p = report.Policies;
        Assert.Equal(p[1].Values[^1] / p[0].Values[^1] - 1, mixed[^1], 1e-6);
        Assert.All(relative.GetProperty("series")[0].GetProperty("y").EnumerateArray(), v => Assert.Equal(0, v.GetDouble()));
        Assert.Contains("<h2>Growth relative to US stocks, buy and hold</h2>", Html, StringComparison.Ordinal);

        // Without a buy-and-hold policy the first policy is the reference.
        Assert.Equal(2, HtmlReport.Baseline([p[2], p[0] with { BuyAndHold = false }, p[1]]));
        Assert.Equal(0, HtmlReport.Baseline([p[2], p[0] with { BuyAndHold = false }]));
    }

    [Fact]
    public void Render_Table_GroupHeadingsAndMergedRows()
    {
        var table = new ResultsTable(["Policy", "Costs", "Costs (mean)"],
            [new ResultsRow("monthly 10pp (best)", ["1.00", "2.00"]) { SameAs = ["monthly 25% of target", "monthly <10pp/25%>"], Highlight = true }, new ResultsRow("quarterly 2pp", ["3.00", "4.00"])])
        {
            Groups = [new("", 1), new("History", 1), new("Paths", 1)],
        };

        var html = HtmlReport.Render(new BacktestReport("t", [], Results: table));

        Assert.Contains("<tr class=\"groups\"><th></th><th class=\"group\">History</th><th class=\"group\">Paths</th></tr>", html, StringComparison.Ordinal);
        Assert.Contains("<tr class=\"best\"><td>monthly 10pp (best)<div class=\"same-as\">Same results: monthly 25% of target, monthly &lt;10pp/25%&gt;</div></td><td>1.00</td>", html, StringComparison.Ordinal);
        Assert.Contains("<tr><td>quarterly 2pp</td><td>3.00</td><td>4.00</td></tr>", html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_Frontier_WritesEveryFinitePointWithItsFlagsAndEquivalents()
    {
        var chart = new FrontierChart("frontier-history", "Frontier", "Costs", "Tracking error", 0.02,
        [
            new FrontierPoint("a", [], 0.01, 300, OnFrontier: true, Best: true),
            new FrontierPoint("b", ["b2", "b3"], 0.005, 500, OnFrontier: true, Best: false),
            new FrontierPoint("c", [], 0.03, 900, OnFrontier: false, Best: false),
            new FrontierPoint("no tracking error", [], double.NaN, 100, OnFrontier: false, Best: false),
        ]);

        var html = HtmlReport.Render(new BacktestReport("t", []) { Frontiers = [chart] });

        using var data = ChartData(html);
        var spec = data.RootElement.GetProperty("charts").EnumerateArray().Single();
        Assert.Equal("frontier", spec.GetProperty("kind").GetString());
        Assert.Equal(0.02, spec.GetProperty("objective").GetDouble(), 1e-7);
        var points = spec.GetProperty("points").EnumerateArray().ToList();
        Assert.Equal(["a", "b", "c"], points.Select(p => p.GetProperty("name").GetString()));
        Assert.True(points[0].GetProperty("best").GetBoolean());
        Assert.False(points[2].TryGetProperty("frontier", out _));
        Assert.Equal(["b2", "b3"], points[1].GetProperty("sameAs").EnumerateArray().Select(n => n.GetString()));
        Assert.Contains("2 grid points with the same results as another share its dot", html, StringComparison.Ordinal);
        Assert.Contains("The diamond is the best: the cheapest at tracking error ≤ 2%, a.", html, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => HtmlReport.Render(new BacktestReport("t", []) { Frontiers = [chart with { Id = "x\" onload=\"" }] }));
    }

    [Theory]
    [InlineData(1, "lines", "A dashed line marks the rebalance.")]
    [InlineData(40, "lines", "Dashed lines mark the 40 rebalances.")]
    [InlineData(41, "strip", "Ticks on the strip above the chart mark the 41 rebalances.")]
    [InlineData(119, "strip", "Ticks on the strip above the chart mark the 119 rebalances.")]
    public void Render_ManyRebalances_BecomeTicksOnAStripAboveTheAllocation(int rebalances, string style, string note)
    {
        // 120 monthly closes; the policy rebalances on the first `rebalances` closes after the start.
        var dates = Enumerable.Range(0, 120).Select(m => new DateOnly(2000, 1, 1).AddMonths(m)).ToArray();
        var weights = dates.Select(_ => 0.5).ToArray();
        var run = new PolicyRun("monthly", dates, dates.Select((_, i) => 100.0 + i).ToArray())
        {
            Allocation = new AllocationSeries(["A", "B"], [weights, weights], dates[1..(rebalances + 1)]),
        };

        var html = HtmlReport.Render(new BacktestReport("markers", [run]));

        using var data = ChartData(html);
        var allocation = data.RootElement.GetProperty("charts").EnumerateArray().Single(c => c.GetProperty("id").GetString() == "allocation-0");
        Assert.Equal(style, allocation.GetProperty("markerStyle").GetString());
        Assert.Equal(rebalances, allocation.GetProperty("markers").GetArrayLength());
        Assert.Contains($"<p class=\"note\">{note}</p>", html, StringComparison.Ordinal);
    }

    /// <summary>The JSON the drawing script reads: the data block of the rendered page.</summary>
    private static JsonDocument ChartData(string html)
    {
        const string open = "<script type=\"application/json\" id=\"ballast-report-data\">";
        var start = html.IndexOf(open, StringComparison.Ordinal) + open.Length;
        var end = html.IndexOf("</script>", start, StringComparison.Ordinal);
        return JsonDocument.Parse(html[start..end]);
    }

    [Fact]
    public void Render_MisalignedSeries_Throws()
    {
        var bad = new BacktestReport("x", [new PolicyRun("p", [new DateOnly(2020, 1, 1), new DateOnly(2020, 2, 1)], [1.0])]);

        Assert.Throws<ArgumentException>(() => HtmlReport.Render(bad));
    }
}
