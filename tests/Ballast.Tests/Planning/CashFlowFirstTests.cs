using Ballast.Planning;
using Ballast.Policies;
using Ballast.Testing;

namespace Ballast.Tests.Planning;

/// <summary>
/// Cash flows first: a deposit or withdrawal is placed by buying or selling only, the trigger is judged on the
/// portfolio after it, and only if it still fires is the enlarged portfolio rebalanced. Every case starts from a
/// portfolio whose 5/25 trigger fires before the flow. Figures are worked out by hand in the comments.
/// </summary>
public sealed class CashFlowFirstTests
{
    // Targets 50/30/20 with 5/25 bands: A ±min(5pp, 12.5pp) = 45%..55%, B ±min(5pp, 7.5pp) = 25%..35%,
    // C ±min(5pp, 5pp) = 15%..25%.
    private static PortfolioBuilder Abc(decimal a, decimal b, decimal c) => new PortfolioBuilder()
        .Value("A", a).Value("B", b).Value("C", c)
        .Target("A", 50).Target("B", 30).Target("C", 20)
        .Policy(new Policy(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m)));

    private static Dictionary<string, (TradeSide Side, decimal Value)> ByTicker(Plan plan) =>
        plan.Trades.ToDictionary(t => t.Ticker, t => (t.Side, t.Value));

    // A 580 / B 260 / C 160 of 1,000: A at 58% is above 55%, so the trigger fires. A deposit of 150 makes 1,150, with
    // goals A 575, B 345, C 230: shortfalls B 85, C 70 (A is over its goal). Placing 150 by buying only leaves A at
    // 580 / 1,150 = 50.43%, inside its band, so nothing is sold.
    //   proportional: 150 × 85/155 = 82.258… → 82.26 and 150 × 70/155 = 67.741… → 67.74;
    //   relative: weights 85/345 = 0.2464 and 70/230 = 0.3043 would give C 82.89, over its 70 shortfall, so C gets 70
    //     and B the other 80;
    //   equalize: both end at the same share of their goal: 575(1 − k) − 420 = 150 → 1 − k = 570/575, so
    //     B 345 × 570/575 − 260 = 82 and C 230 × 570/575 − 160 = 68. 570/575 is a repeating decimal, so in decimal
    //     the two come to a hair under 82 and 68: rounded toward zero they are 81.99 and 67.99, and the one whole cent
    //     left goes to the larger remainder (C's); the last cent stays in cash, less than a cent per asset.
    [Theory]
    [InlineData(CashFlowMethod.Proportional, 82.26, 67.74, 0)]
    [InlineData(CashFlowMethod.Relative, 80, 70, 0)]
    [InlineData(CashFlowMethod.Equalize, 81.99, 68, 0.01)]
    public void Deposit_ThatBringsEveryAssetInside_SellsNothing(CashFlowMethod method, decimal buyB, decimal buyC, decimal cashAfter)
    {
        var portfolio = Abc(580, 260, 160).Build();
        Assert.True(Planner.Create(portfolio).Drift.NeedsRebalancing);

        var plan = Planner.Create(portfolio, new PlanRequest { Deposit = 150, Method = method });

        Assert.Equal(PlanAction.InvestCash, plan.Action);
        Assert.DoesNotContain(plan.Trades, t => t.Side == TradeSide.Sell);
        var trades = ByTicker(plan);
        Assert.Equal((TradeSide.Buy, buyB), trades["B"]);
        Assert.Equal((TradeSide.Buy, buyC), trades["C"]);
        Assert.False(trades.ContainsKey("A"));
        Assert.Equal(cashAfter, plan.CashAfter);
        Assert.Contains(plan.Warnings, w => w.Contains("nothing is sold", StringComparison.Ordinal));
    }

    // A 560 / B 300 / C 140 of 1,000: A at 56% is above 55%. Withdrawing 100 leaves 900, goals A 450, B 270, C 180:
    // excesses A 110, B 30. Raising 100 by selling only (a sell that raises cash rounds up to the cent, so cash never
    // ends short):
    //   proportional: A 100 × 110/140 = 78.571… → 78.58, B 21.428… → 21.43 (cash ends at 0.01);
    //   relative: weights 110/450 = 0.2444 and 30/270 = 0.1111 would give B 31.25, over its 30 excess, so B 30, A 70;
    //   equalize: 860 − 720(1 + k) = 100 → 1 + k = 760/720, so A ends at 475 (sell 85) and B at 285 (sell 15).
    // Every case leaves A at most 490 / 900 = 54.4%, B at most 30.95% and C at 140 / 900 = 15.6%: inside, so nothing is bought.
    [Theory]
    [InlineData(CashFlowMethod.Proportional, 78.58, 21.43, 0.01)]
    [InlineData(CashFlowMethod.Relative, 70, 30, 0)]
    [InlineData(CashFlowMethod.Equalize, 85, 15, 0)]
    public void Withdrawal_RaisedBySellingOverweights_BuysNothing(CashFlowMethod method, decimal sellA, decimal sellB, decimal cashAfter)
    {
        var portfolio = Abc(560, 300, 140).Build();
        Assert.True(Planner.Create(portfolio).Drift.NeedsRebalancing);

        var plan = Planner.Create(portfolio, new PlanRequest { Withdraw = 100, Method = method });

        Assert.Equal(PlanAction.RaiseCash, plan.Action);
        Assert.DoesNotContain(plan.Trades, t => t.Side == TradeSide.Buy);
        var trades = ByTicker(plan);
        Assert.Equal((TradeSide.Sell, sellA), trades["A"]);
        Assert.Equal((TradeSide.Sell, sellB), trades["B"]);
        Assert.Equal(cashAfter, plan.CashAfter);
    }

    // A 580 / B 260 / C 160 with a deposit of 20: 1,020 in all, goals A 510, B 306, C 204. Buying only would leave A at
    // 580 / 1,020 = 56.9%, still above 55%, so the trigger still fires and the enlarged portfolio is rebalanced to
    // target: sell A 70, buy B 46 and C 44, whatever the cash-flow method.
    [Theory]
    [InlineData(CashFlowMethod.Proportional)]
    [InlineData(CashFlowMethod.Relative)]
    [InlineData(CashFlowMethod.Equalize)]
    public void Deposit_TooSmallToCure_IsPlacedThenTheRestRebalanced(CashFlowMethod method)
    {
        var portfolio = Abc(580, 260, 160).Build();

        var plan = Planner.Create(portfolio, new PlanRequest { Deposit = 20, Method = method });

        Assert.Equal(PlanAction.Rebalance, plan.Action);
        var trades = ByTicker(plan);
        Assert.Equal((TradeSide.Sell, 70m), trades["A"]);
        Assert.Equal((TradeSide.Buy, 46m), trades["B"]);
        Assert.Equal((TradeSide.Buy, 44m), trades["C"]);
        Assert.Equal(0m, plan.CashAfter);
    }

    // The README's example with the file's own quarterly 5/25 policy: VOO at 48% is above its 35%..45% band, but a
    // deposit of 1,000,000 placed by buying only (357,142.86 / 0 / 428,571.43 / 214,285.71, see GoldenPlanTests)
    // leaves VOO at 4,800,000 / 11,000,000 = 43.6%, inside: nothing is sold.
    [Fact]
    public void KrwExample_Deposit_BuysOnlyWithTheFilesOwnPolicy()
    {
        var read = Ballast.Input.PortfolioReader.ReadFile(RepositoryPaths.Example("krw-portfolio.yaml"));
        var portfolio = read.Value!;
        Assert.True(Planner.Create(portfolio).Drift.NeedsRebalancing);

        var plan = Planner.Create(portfolio, new PlanRequest { Deposit = 1_000_000m });

        var trades = ByTicker(plan);
        Assert.Equal(3, trades.Count);
        Assert.Equal((TradeSide.Buy, 357_142.86m), trades["KODEX200"]);
        Assert.Equal((TradeSide.Buy, 428_571.43m), trades["TLT"]);
        Assert.Equal((TradeSide.Buy, 214_285.71m), trades["GLD"]);
    }

    // --rebalance still forces the rule on the enlarged portfolio: 11,000,000 at 30/40/20/10.
    [Fact]
    public void ForcedRebalance_WithDeposit_RebalancesTheEnlargedPortfolio()
    {
        var portfolio = PortfolioBuilder.KrwExample().Build();

        var plan = Planner.Create(portfolio, new PlanRequest { Deposit = 1_000_000m, ForceRebalance = true });

        var trades = ByTicker(plan);
        Assert.Equal((TradeSide.Buy, 500_000m), trades["KODEX200"]);
        Assert.Equal((TradeSide.Sell, 400_000m), trades["VOO"]);
        Assert.Equal((TradeSide.Buy, 600_000m), trades["TLT"]);
        Assert.Equal((TradeSide.Buy, 300_000m), trades["GLD"]);
    }
}
