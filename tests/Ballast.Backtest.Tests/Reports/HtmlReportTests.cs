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
        // growth, drawdown, 2 × allocation, 2 × drift, fan, terminal histogram.
        Assert.Equal(8, Html.Split("<canvas").Length - 1);
        Assert.Contains("id=\"allocation-2\"", Html, StringComparison.Ordinal);
        Assert.Contains("id=\"drift-1\"", Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_ResultsTableHasOneRowPerPolicy()
    {
        Assert.Equal(3, Html.Split("<tr><td>").Length - 1);
        Assert.Contains("<th>Max drawdown</th>", Html, StringComparison.Ordinal);
    }

    [Fact]
    public void Render_MisalignedSeries_Throws()
    {
        var bad = new BacktestReport("x", [new PolicyRun("p", [new DateOnly(2020, 1, 1), new DateOnly(2020, 2, 1)], [1.0])]);

        Assert.Throws<ArgumentException>(() => HtmlReport.Render(bad));
    }
}
