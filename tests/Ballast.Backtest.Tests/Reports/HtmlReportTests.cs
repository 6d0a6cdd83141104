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
        // growth, drawdown, 2 × allocation, 2 × drift, a fan per simulated policy (2), one terminal-wealth chart.
        Assert.Equal(9, Html.Split("<canvas").Length - 1);
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
