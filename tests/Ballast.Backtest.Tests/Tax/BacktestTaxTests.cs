using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.Tax;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Tax;

namespace Ballast.Backtest.Tests.Tax;

/// <summary>
/// Taxes of a backtest small enough to check by hand. A and B start at 100; 10,000 is invested 50/50 on
/// 2020-01-02 and rebalanced to target at each annual look; US rates of 30% short-term and 15% long-term; no costs.
/// Every trade below is exact (no rounding of values or quantities), which the test checks first.
/// </summary>
/// <remarks>
/// <code>
///             A     B    before the look            trades
/// 2020-01-02  100   100                             buy 50 A (lot A1, 5,000), buy 50 B (lot B1, 5,000)
/// 2021-01-04  200   125  A 10,000, B 6,250          sell 9.375 A for 1,875; buy 15 B (lot B2, 1,875 = 125 a share)
/// 2022-01-03  160   200  A 6,500,  B 13,000         sell 16.25 B for 3,250; buy 20.3125 A (lot A2, 3,250 = 160 a share)
/// 2023-01-03  128   48   A 7,800,  B 2,340          sell 21.328125 A for 2,730; buy 56.875 B
/// </code>
/// A lot is long-term from the day after its first anniversary: A1 and B1 (2020-01-02) are long-term at every later
/// look; B2 (2021-01-04) is short-term on 2022-01-03, A2 (2022-01-03) on 2023-01-03.
/// </remarks>
public sealed class BacktestTaxTests
{
    private static readonly DateOnly[] Dates = [new(2020, 1, 2), new(2021, 1, 4), new(2022, 1, 3), new(2023, 1, 3)];
    private static readonly Market Market = new(Dates, ["A", "B"], [[100, 200, 160, 128], [100, 125, 200, 48]]);

    private static PolicyRunResult Run()
    {
        var targets = new[] { new TargetWeight("A", 0.50m), new TargetWeight("B", 0.50m) };
        var backtester = new Backtester(Market, targets, ExecutionOptions.Default, 10_000m);
        return backtester.Run("annual", new Policy(new LookSchedule(LookFrequency.Annual), Trigger.Always), new BacktestOptions { RecordLedger = true });
    }

    private static TaxSettings Us(LotSelectionMethod method) =>
        new(TaxRegime.Us(0.30m, 0.15m), method, new Dictionary<string, string>());

    [Fact]
    public void TheRun_TradesExactlyAsTheTableSays()
    {
        var ledger = Run().Ledger;

        Assert.Equal(4, ledger.Count);
        Assert.Equal([new Trade("A", TradeSide.Buy, 5_000m, 50m, 100m, 0m), new Trade("B", TradeSide.Buy, 5_000m, 50m, 100m, 0m)], ledger[0].Trades);
        Assert.Equal([new Trade("A", TradeSide.Sell, 1_875m, 9.375m, 200m, 0m), new Trade("B", TradeSide.Buy, 1_875m, 15m, 125m, 0m)], ledger[1].Trades);
        Assert.Equal([new Trade("B", TradeSide.Sell, 3_250m, 16.25m, 200m, 0m), new Trade("A", TradeSide.Buy, 3_250m, 20.3125m, 160m, 0m)], ledger[2].Trades);
        Assert.Equal([new Trade("A", TradeSide.Sell, 2_730m, 21.328125m, 128m, 0m), new Trade("B", TradeSide.Buy, 2_730m, 56.875m, 48m, 0m)], ledger[3].Trades);
    }

    // FIFO always sells the 2020 lots, at 100 a share, so every gain is long-term:
    // 2021: A1 gives 9.375 shares, basis 937.50, for 1,875: 937.50; tax 15% = 140.625, 140.63 rounded to the cent.
    // 2022: B1 gives 16.25 shares, basis 1,625, for 3,250: 1,625; tax 243.75.
    // 2023: A1 gives 21.328125 of its 40.625 shares, basis 4,062.50 × 0.525 = 2,132.8125, 2,132.81 rounded; for 2,730:
    //       597.19; tax 89.5785, 89.58.
    [Fact]
    public void Fifo_LongTermGainsAndTaxPerYear_ByHand()
    {
        var taxes = BacktestTaxes.Estimate(Run(), Market, Us(LotSelectionMethod.Fifo), 2);

        Assert.Equal(
        [
            new TaxYear(2020, 0m, 0m, 0m, 0m),
            new TaxYear(2021, 0m, 937.50m, 0m, 140.63m),
            new TaxYear(2022, 0m, 1_625m, 0m, 243.75m),
            new TaxYear(2023, 0m, 597.19m, 0m, 89.58m),
        ], taxes.Years);
        Assert.Equal((0m, 3_159.69m, 473.96m), (taxes.ShortTerm, taxes.LongTerm, taxes.Tax));
    }

    // HIFO sells the dearest lot first:
    // 2021: A has one lot: as FIFO, 937.50 long-term, tax 140.63.
    // 2022: B2 (125 a share, short-term) first: 15 shares get 3,250 × 15 / 16.25 = 3,000 of the proceeds against a
    //       1,875 basis: 1,125 short-term; then 1.25 shares of B1 for 250 against 125: 125 long-term.
    //       Tax 1,125 × 30% + 125 × 15% = 337.50 + 18.75 = 356.25.
    // 2023: A2 (160 a share, short-term) first: all 20.3125 shares for 2,600 against 3,250: a 650 short-term loss;
    //       then 1.015625 shares of A1 for 130 against 101.5625, 101.56 rounded: 28.44 long-term. The short-term loss
    //       offsets the long-term gain; the 621.56 left is a net loss: no tax, and nothing carried into later years.
    [Fact]
    public void Hifo_SplitsTermsAndNetsTheLoss_ByHand()
    {
        var taxes = BacktestTaxes.Estimate(Run(), Market, Us(LotSelectionMethod.Hifo), 2);

        Assert.Equal(
        [
            new TaxYear(2020, 0m, 0m, 0m, 0m),
            new TaxYear(2021, 0m, 937.50m, 0m, 140.63m),
            new TaxYear(2022, 1_125m, 125m, 0m, 356.25m),
            new TaxYear(2023, -650m, 28.44m, 0m, 0m),
        ], taxes.Years);
        Assert.Equal((475m, 1_090.94m, 496.88m), (taxes.ShortTerm, taxes.LongTerm, taxes.Tax));
    }

    // In a market that rose from the purchase, HIFO realizes no more gain than FIFO (here 1,565.94 against 3,159.69),
    // yet it can cost more tax, because the dear lots it sells are the recent, short-term ones.
    [Fact]
    public void LotSelection_ChangesTheFigures_HifoRealizesLessThanFifo()
    {
        var run = Run();
        var fifo = BacktestTaxes.Estimate(run, Market, Us(LotSelectionMethod.Fifo), 2);
        var hifo = BacktestTaxes.Estimate(run, Market, Us(LotSelectionMethod.Hifo), 2);
        var lifo = BacktestTaxes.Estimate(run, Market, Us(LotSelectionMethod.Lifo), 2);

        Assert.True(hifo.ShortTerm + hifo.LongTerm <= fifo.ShortTerm + fifo.LongTerm);
        Assert.Equal(1_565.94m, hifo.ShortTerm + hifo.LongTerm);
        Assert.True(hifo.Tax > fifo.Tax);
        // LIFO sells the newest lots, which here are also the dearest: the same lots as HIFO.
        Assert.Equal(hifo.Years, lifo.Years);
    }

    // The Korean preset taxes overseas ETFs (its default) at 22% of each year's net gain above 2,500,000, and domestic
    // equity ETFs not at all; tax is truncated to whole won.
    [Fact]
    public void Korea_ExemptionAndTreatments_FollowTheRegime()
    {
        var targets = new[] { new TargetWeight("A", 0.50m), new TargetWeight("B", 0.50m) };
        PolicyRunResult RunWith(decimal initial) => new Backtester(Market, targets, ExecutionOptions.Default, initial)
            .Run("annual", new Policy(new LookSchedule(LookFrequency.Annual), Trigger.Always), new BacktestOptions { RecordLedger = true });
        static TaxSettings Korea(LotSelectionMethod method, Dictionary<string, string> treatments) => new(TaxRegime.Korea(), method, treatments);

        // A thousand times the table (10,000,000 invested): FIFO's gains of 937,500, 1,625,000 and 597,187.50 are each
        // under the exemption: no tax.
        var overseas = BacktestTaxes.Estimate(RunWith(10_000_000m), Market, Korea(LotSelectionMethod.Fifo, []), 2);
        Assert.Equal([937_500m, 1_625_000m, 597_187.50m], overseas.Years.Skip(1).Select(y => y.LongTerm));
        Assert.Equal(0m, overseas.Tax);

        // Three thousand times (30,000,000) with HIFO: 2021 gains 2,812,500 on A, 22% of 312,500 above the exemption =
        // 68,750; 2022 gains 3,750,000 on B, 22% of 1,250,000 = 275,000; 2023 is a net loss.
        var tripled = RunWith(30_000_000m);
        var hifo = BacktestTaxes.Estimate(tripled, Market, Korea(LotSelectionMethod.Hifo, []), 2);
        Assert.Equal([0m, 68_750m, 275_000m, 0m], hifo.Years.Select(y => y.Tax));
        // With B a domestic equity ETF, 2022 (which sold only B) pays nothing.
        var domesticB = BacktestTaxes.Estimate(tripled, Market, Korea(LotSelectionMethod.Hifo, new() { ["B"] = TaxRegime.KoreaDomesticEquity }), 2);
        Assert.Equal([0m, 68_750m, 0m, 0m], domesticB.Years.Select(y => y.Tax));
    }

    // Costs belong to the gain: a buy's basis is its value plus its cost, a sell's proceeds its value minus its cost.
    [Fact]
    public void Costs_RaiseTheBasisAndLowerTheProceeds()
    {
        var d0 = new DateOnly(2024, 3, 1);
        var d1 = new DateOnly(2024, 9, 2);
        LedgerEntry[] ledger =
        [
            new(0, d0, PlanAction.Rebalance, [new Trade("A", TradeSide.Buy, 1_000m, 10m, 100m, 2m)], 0m, 0m, 0m, [10m]),
            new(1, d1, PlanAction.Rebalance, [new Trade("A", TradeSide.Sell, 600m, 5m, 120m, 1.50m)], 0m, 0m, 600m, [5m]),
        ];

        var transactions = BacktestTaxes.Transactions(ledger);
        Assert.Equal([1_002m, 598.50m], transactions.Select(t => t.Total));

        // Five of ten shares take half the 1,002 basis, 501: 598.50 − 501 = 97.50 short-term; tax 30% = 29.25.
        var taxes = BacktestTaxes.Estimate(ledger, ["A"], d0, d1, Us(LotSelectionMethod.Fifo), 2);
        Assert.Equal([new TaxYear(2024, 97.50m, 0m, 0m, 29.25m)], taxes.Years);
    }

    // The US wash-sale rule applies to the run's own purchases. 10 A are bought at 100 on 2024-01-02 and a deposit buys
    // 2 more at 90 on 2024-01-16; FIFO then sells the first 10 at 80, a 200 loss.
        [Fact]
    public void WashSales_FromTheRunsOwnPurchases_DisallowTheLoss()
    {
        var d0 = new DateOnly(2024, 1, 2);
        var d1 = new DateOnly(2024, 1, 16);
        var d2 = new DateOnly(2024, 6, 3);
        LedgerEntry[] ledger =
        [
            new(0, d0, PlanAction.Rebalance, [new Trade("A", TradeSide.Buy, 1_000m, 10m, 100m, 0m)], 0m, 0m, 0m, [10m]),
            new(1, d1, PlanAction.InvestCash, [new Trade("A", TradeSide.Buy, 180m, 2m, 90m, 0m)], 180m, 0m, 0m, [12m]),
            new(2, d2, PlanAction.Rebalance, [new Trade("A", TradeSide.Sell, 800m, 10m, 80m, 0m)], 0m, 0m, 800m, [2m]),
        ];

        var taxes = BacktestTaxes.Estimate(ledger, ["A"], d0, d2, Us(LotSelectionMethod.Fifo), 2);

        // The sale on 2024-06-03 is more than 30 days after the 2024-01-16 purchase: the 200 loss stands.
        Assert.Equal([new TaxYear(2024, -200m, 0m, 0m, 0m)], taxes.Years);

        LedgerEntry[] soon = [ledger[0], ledger[1], ledger[2] with { Date = new DateOnly(2024, 2, 1) }];
        var washed = BacktestTaxes.Estimate(soon, ["A"], d0, new DateOnly(2024, 2, 1), Us(LotSelectionMethod.Fifo), 2);
        // Sold 16 days after buying 2 identical shares: 2 of the 10 shares are replaced, so 200 × 2 / 10 = 40 is disallowed.
        Assert.Equal([new TaxYear(2024, -160m, 0m, 40m, 0m)], washed.Years);
    }

    [Fact]
    public void ALedgerThatDoesNotMatchTheQuantities_IsRefused()
    {
        var d0 = new DateOnly(2024, 1, 2);
        LedgerEntry[] ledger = [new(0, d0, PlanAction.Rebalance, [new Trade("A", TradeSide.Buy, 1_000m, 10m, 100m, 0m)], 0m, 0m, 0m, [9m])];

        var e = Assert.Throws<InvalidOperationException>(() => BacktestTaxes.Replay(ledger, ["A"], Us(LotSelectionMethod.Fifo), 2));
        Assert.Contains("add up to 10 shares but the run holds 9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ARunWithoutALedger_IsRefused()
    {
        var targets = new[] { new TargetWeight("A", 0.50m), new TargetWeight("B", 0.50m) };
        var run = new Backtester(Market, targets, ExecutionOptions.Default, 10_000m).Run("annual", new Policy(new LookSchedule(LookFrequency.Annual), Trigger.Always));

        Assert.Throws<ArgumentException>(() => BacktestTaxes.Estimate(run, Market, Us(LotSelectionMethod.Fifo), 2));
    }
}
