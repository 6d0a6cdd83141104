using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.Tax;
using Ballast.Planning;
using Ballast.Tax;

namespace Ballast.Backtest.Tests.Tax;

/// <summary>
/// The shipped tax example (examples/backtest-taxes.yaml, SPY/AGG daily from ../shared/data) with its taxes pinned,
/// and the bookkeeping identity every lot order must keep on its thousands of trades.
/// </summary>
public sealed class ExampleTaxTests
{
    private static readonly Lazy<BacktestOutcome> Outcome = new(() =>
    {
        var experiment = ExperimentReader.Load(TestPaths.InRepo("examples/backtest-taxes.yaml"), "backtest-taxes.yaml");
        return ExperimentRunner.Run(experiment, Market.From(experiment, ExperimentReader.LoadPrices(experiment)));
    });

    // policy, realized short-term, realized long-term, estimated tax (HIFO, US 37%/20%), rounded to whole dollars
    public static TheoryData<string, decimal, decimal, decimal> Pinned => new()
    {
        { "buy and hold", 0m, 0m, 0m },
        { "monthly", 29_870m, 103_816m, 32_387m },
        { "quarterly", 29_926m, 104_388m, 32_084m },
        { "annual", 11_499m, 113_909m, 27_648m },
        // The 2009-06-01 deposit is placed first and cures the breach: the rebalance moves to 2009-08-04.
        { "daily 5/25", 18_154m, 122_776m, 31_576m },
        { "weekly 20/10 rails", 557m, 107_473m, 21_701m },
    };

    [Theory]
    [MemberData(nameof(Pinned))]
    public void Example_TaxesArePinned(string policy, decimal shortTerm, decimal longTerm, decimal tax)
    {
        var taxes = Outcome.Value.Statistics.Single(s => s.Name == policy).Taxes!;

        Assert.Equal((shortTerm, longTerm, tax), (Whole(taxes.ShortTerm), Whole(taxes.LongTerm), Whole(taxes.Tax)));
        Assert.Equal(22, taxes.Years.Count); // 2004 to 2025, every year listed
    }

    // Whatever order lots are sold in, what was realized plus the basis still open is what the trades paid and received:
    // Σ recognized gains − Σ open basis = Σ proceeds − Σ purchases. Wash sales move a disallowed loss into a later lot's
    // basis and out of the recognized loss, so they cancel too. And the lot order changes what is realized.
    [Fact]
    public void EveryLotOrder_KeepsTheBookkeepingIdentity()
    {
        var outcome = Outcome.Value;
        var regime = outcome.Experiment.Tax!.Regime;
        foreach (var run in outcome.Runs.Where(r => r.Rebalances > 0))
        {
            var transactions = BacktestTaxes.Transactions(run.Ledger);
            var cashFlow = transactions.Sum(t => t.Kind == TransactionKind.Sell ? t.Total!.Value : -t.Total!.Value);
            var realized = new List<decimal>();
            foreach (var method in new[] { LotSelectionMethod.Fifo, LotSelectionMethod.Lifo, LotSelectionMethod.Hifo, LotSelectionMethod.TaxMinimizing })
            {
                var result = BacktestTaxes.Replay(run.Ledger, outcome.Market.Assets, new TaxSettings(regime, method, new Dictionary<string, string>()), 2);
                var recognized = result.Sales.Sum(s => s.ShortTermGain + s.LongTermGain);
                Assert.Equal(cashFlow, recognized - result.OpenLots.Sum(l => l.CostBasis));
                realized.Add(recognized);
            }
            Assert.True(realized.Distinct().Count() > 1, $"{run.Name}: every lot order realized {realized[0]}");
            // SPY and AGG rose over the period: selling the dearest lots first realizes the least gain.
            Assert.True(realized[2] <= realized[0], $"{run.Name}: HIFO {realized[2]} against FIFO {realized[0]}");
        }
    }

    [Fact]
    public void Example_IsTheSpyAggExampleWithATaxSection()
    {
        var experiment = ExperimentReader.Load(TestPaths.InRepo("examples/backtest-spy-agg.yaml"), "backtest-spy-agg.yaml");
        // A taxed run records its ledger, which plans in exact decimal: compare with the exact untaxed run.
        var plain = ExperimentRunner.Run(experiment, Market.From(experiment, ExperimentReader.LoadPrices(experiment)), new BacktestOptions { Exact = true });

        Assert.Equal(plain.Statistics.Select(s => s with { }), Outcome.Value.Statistics.Select(s => s with { Taxes = null }));
        Assert.All(plain.Runs, r => Assert.Empty(r.Ledger)); // without a tax section nothing is recorded
        Assert.All(Outcome.Value.Runs, r => Assert.Equal(PlanAction.Rebalance, r.Ledger[0].Action));
    }

    private static decimal Whole(decimal v) => Math.Round(v, 0, MidpointRounding.AwayFromZero);
}
