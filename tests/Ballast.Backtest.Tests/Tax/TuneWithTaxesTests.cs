using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Tax;

namespace Ballast.Backtest.Tests.Tax;

/// <summary>With a tax section, the tuner's frontier and best point weigh costs plus estimated taxes.</summary>
public sealed class TuneWithTaxesTests
{
    // Five years of month-starts: A trends up with swings, B oscillates, so narrow bands sell A's gains often and wide
    // bands rarely. There are no trading costs, so without taxes every policy would cost 0.
    private static Market SwingingMarket()
    {
        var dates = Enumerable.Range(0, 60).Select(i => new DateOnly(2015, 1, 1).AddMonths(i)).ToArray();
        var a = dates.Select((_, t) => 100 * Math.Pow(1.015, t) * (1 + 0.12 * Math.Sin(t * 0.9))).ToArray();
        var b = dates.Select((_, t) => 100 * (1 + 0.08 * Math.Cos(t * 0.5))).ToArray();
        return new Market(dates, ["A", "B"], [a, b]);
    }

    private static Experiment Experiment(TaxSettings? tax) => new()
    {
        File = "exp.yaml",
        PricesPath = "prices.csv",
        Initial = 100_000m,
        Targets = [new TargetWeight("A", 0.60m), new TargetWeight("B", 0.40m)],
        Policies = [],
        Tune = new TuneSettings([0.02m, 0.05m, 0.10m, 0.20m], [null], [null], [new LookSchedule(LookFrequency.Monthly)], 0.05),
        Tax = tax,
    };

    [Fact]
    public void Frontier_WeighsCostsPlusTaxes()
    {
        var outcome = Tuner.Run(Experiment(new TaxSettings(TaxRegime.Us(0.37m, 0.20m), LotSelectionMethod.Fifo, new Dictionary<string, string>())), SwingingMarket());

        Assert.True(outcome.IncludesTaxes);
        var points = outcome.Points;
        Assert.All(points, p => Assert.Equal(0, p.Statistics.Costs));
        Assert.All(points, p => Assert.NotNull(p.Statistics.Taxes));
        // The bands trade differently, so their taxes differ: the frontier is a real trade-off, not a tie on zero costs.
        Assert.True(points.Select(p => p.Statistics.Taxes!.Tax).Distinct().Count() > 1);
        foreach (var p in points)
        {
            var dominated = points.Any(o => o != p
                && o.Statistics.CostsAndTaxes <= p.Statistics.CostsAndTaxes && o.Statistics.TrackingError <= p.Statistics.TrackingError
                && (o.Statistics.CostsAndTaxes < p.Statistics.CostsAndTaxes || o.Statistics.TrackingError < p.Statistics.TrackingError));
            Assert.Equal(!dominated, p.OnFrontier);
        }
        Assert.True(points.Count(p => p.OnFrontier) > 1);
        var best = Assert.IsType<TunePoint>(outcome.Best);
        var eligible = points.Where(p => p.Statistics.TrackingError <= 0.05).ToList();
        Assert.Equal(eligible.Min(p => p.Statistics.CostsAndTaxes), best.Statistics.CostsAndTaxes);
    }

    [Fact]
    public void WithoutATaxSection_TheFrontierIsCostsAlone()
    {
        var outcome = Tuner.Run(Experiment(null), SwingingMarket());

        Assert.False(outcome.IncludesTaxes);
        Assert.All(outcome.Points, p => Assert.Null(p.Statistics.Taxes));
        // Every point costs 0, so only the lowest tracking error is undominated.
        var lowest = outcome.Points.Min(p => p.Statistics.TrackingError);
        Assert.All(outcome.Points, p => Assert.Equal(p.Statistics.TrackingError == lowest, p.OnFrontier));
    }
}
