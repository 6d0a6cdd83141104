using Ballast.Backtest.Engine;
using Ballast.Backtest.Reports;

namespace Ballast.Backtest.Tests.Reports;

/// <summary>The tuning report: grid points with the same results merged into one row and one dot, the frontier charts, the title.</summary>
public sealed class TuneReportTests
{
    private static readonly Lazy<(TuneOutcome History, BacktestReport Report)> Bands = new(() =>
    {
        var (experiment, history, _) = ExampleReports.TuneOutcomes("examples/tune-bands.yaml");
        return (history!, TuneReport.Build(experiment.Name, history, null));
    });

    [Fact]
    public void History_MergesGridPointsWithTheSameResults_IntoOneRowListingTheOthers()
    {
        var (history, report) = Bands.Value;
        var rows = report.Results!.Rows;
        var points = history.Points.ToDictionary(p => p.Policy.Name);

        // Every grid point is named exactly once: as a row or among the row's equivalent settings.
        var named = rows.SelectMany(r => r.SameAs.Prepend(r.Name.Replace(" (best)", "", StringComparison.Ordinal))).ToList();
        Assert.Equal(history.Points.Select(p => p.Policy.Name).Order(), named.Order());
        Assert.True(rows.Count < history.Points.Count);
        Assert.Contains(rows, r => r.SameAs.Count > 0);
        foreach (var row in rows)
        {
            var first = points[row.Name.Replace(" (best)", "", StringComparison.Ordinal)].Statistics;
            foreach (var other in row.SameAs.Select(n => points[n].Statistics))
            {
                Assert.Equal((first.Costs, first.TrackingError, first.Turnover, first.Rebalances, first.Cagr, first.FinalValue),
                    (other.Costs, other.TrackingError, other.Turnover, other.Rebalances, other.Cagr, other.FinalValue));
            }
        }
        // Rows with different results stay apart.
        var distinct = rows.Select(r => points[r.Name.Replace(" (best)", "", StringComparison.Ordinal)].Statistics).Select(s => (s.Costs, s.TrackingError)).ToList();
        Assert.Equal(distinct.Count, distinct.Distinct().Count());

        // On 60/40 a 10pp band and a band of 25 % of the target (15pp on stocks, 10pp on bonds) trade alike.
        var tenPp = rows.Single(r => r.Name == "monthly 25% of target rail 10%");
        Assert.Contains("monthly 10pp rail 10%", tenPp.SameAs);
    }

    [Fact]
    public void History_FrontierFirst_BestMarked_AndTheChartHasADotPerRow()
    {
        var (history, report) = Bands.Value;
        var rows = report.Results!.Rows;
        var frontier = Assert.Single(report.Frontiers!);

        Assert.Equal("Tuning: US 60/40 band tuning, 62 grid points on history", report.Title);
        Assert.Equal(["Policy", "Frontier", "Costs", "Tracking error", "Turnover/yr", "Rebalances", "CAGR"], report.Results.Columns);
        Assert.Null(report.Results.Groups);
        var best = Assert.Single(rows, r => r.Highlight);
        Assert.Equal(history.Best!.Policy.Name + " (best)", best.Name);
        var onFrontier = rows.TakeWhile(r => r.Cells[0] == "yes").Count();
        Assert.True(onFrontier > 1);
        Assert.All(rows.Skip(onFrontier), r => Assert.Equal("", r.Cells[0]));

        Assert.Equal(rows.Count, frontier.Points.Count);
        Assert.Equal(onFrontier, frontier.Points.Count(p => p.OnFrontier));
        var bestPoint = Assert.Single(frontier.Points, p => p.Best);
        Assert.Equal(history.Best.Policy.Name, bestPoint.Name);
        Assert.Equal(history.Best.Score, new TuneScore(bestPoint.Cost, bestPoint.TrackingError));
        Assert.Equal(0.02, frontier.MaxTrackingError);
        Assert.Equal(rows.Sum(r => r.SameAs.Count), frontier.Points.Sum(p => p.SameAs.Count));
    }

    [Fact]
    public void Both_HistoryAndPathsSideBySide_UnderAHeadingEach_WithAFrontierChartEach()
    {
        var (experiment, history, paths) = ExampleReports.TuneOutcomes("examples/tune-paths.yaml", paths: 30);

        var report = TuneReport.Build(experiment.Name, history, paths);

        Assert.Equal("Tuning: US 60/40 band tuning on history and paths, 10 grid points on history and paths", report.Title);
        Assert.Equal(["frontier-history", "frontier-paths"], report.Frontiers!.Select(f => f.Id));
        Assert.Equal(["", "History", "Paths"], report.Results!.Groups!.Select(g => g.Label));
        Assert.Equal(report.Results.Columns.Count, report.Results.Groups!.Sum(g => g.Span));
        Assert.Contains("30 × 30 years, bootstrap (blocks of 12), seed 7", report.Subtitle, StringComparison.Ordinal);
        Assert.Contains(report.Results.Rows, r => r.Name.EndsWith("(best on history)", StringComparison.Ordinal) || r.Name.Contains("(best on history) (best on paths)", StringComparison.Ordinal));
        Assert.Contains(report.Results.Rows, r => r.Name.EndsWith("(best on paths)", StringComparison.Ordinal));
    }
}
