using Ballast.Drift;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Testing;

namespace Ballast.Tests.Policies;

/// <summary>Idle cash is drift: cash above the reserve that waits to be invested is a reason to act, and a plan invests it.</summary>
public sealed class IdleCashTests
{
    [Fact]
    public void NothingInvested_IsBelowEveryBand_AndNeedsAction()
    {
        // Cash 10,000 with targets 60/40 and nothing bought: both weights are 0%, below bands of 55%..65% and 35%..45%.
        var portfolio = new PortfolioBuilder().Cash(10_000m).Target("VOO", 60).Target("BND", 40).Build();

        var report = DriftEvaluator.Evaluate(portfolio);

        Assert.All(report.Positions, p => Assert.Equal(BandStatus.Below, p.Status));
        Assert.True(report.NeedsRebalancing);
        Assert.True(report.NeedsAction);
        Assert.Equal(10_000m, report.IdleCash);
        Assert.Contains(report.Reasons, r => r.Contains("nothing is invested", StringComparison.Ordinal));
        var plan = Planner.Create(portfolio);
        Assert.Equal(6_000m, plan.Trades.Single(t => t.Ticker == "VOO").Value);
        Assert.Equal(4_000m, plan.Trades.Single(t => t.Ticker == "BND").Value);
    }

    [Theory]
    // 10,000 invested at target. With the default cash band of 0, any cash above a cent per asset is idle; with a
    // 2% band, cash counts only beyond 2% of the whole: 100 of 10,100 is 0.99% (left alone), 300 of 10,300 is 2.91%.
    [InlineData(0, 100, true)]
    [InlineData(0.02, 100, false)]
    [InlineData(0.02, 300, true)]
    [InlineData(0, 0.01, false)]
    public void CashBand_DecidesWhenCashIsIdle(decimal cashBand, decimal cash, bool idle)
    {
        var policy = new Policy(new LookSchedule(LookFrequency.Quarterly), Trigger.Threshold(0.05m, 0.25m)) { CashBand = cashBand };
        var portfolio = new PortfolioBuilder().Value("VOO", 6_000m).Value("BND", 4_000m).Cash(cash)
            .Target("VOO", 60).Target("BND", 40).Policy(policy).LastRebalanced(new DateOnly(2025, 6, 2)).Build();

        var report = DriftEvaluator.Evaluate(portfolio);
        var plan = Planner.Create(portfolio);

        Assert.False(report.NeedsRebalancing); // no look is due until July, and nothing is outside its band
        Assert.Equal(idle, report.NeedsAction);
        Assert.Equal(idle ? cash : 0m, report.IdleCash);
        // check and plan agree: the plan invests exactly the cash the check calls idle.
        Assert.Equal(idle, plan.HasTrades);
        if (idle) Assert.Equal(PlanAction.InvestCash, plan.Action);
    }

    [Fact]
    public void CashBelowTheReserve_NeedsAction()
    {
        var portfolio = new PortfolioBuilder().Value("VOO", 6_000m).Value("BND", 4_000m).Cash(50m)
            .Target("VOO", 60).Target("BND", 40).Execution(new ExecutionOptions { CashReserve = 200m }).Build();

        var report = DriftEvaluator.Evaluate(portfolio);

        Assert.Equal(150m, report.CashShortfall);
        Assert.True(report.NeedsAction);
        Assert.Equal(PlanAction.RaiseCash, Planner.Create(portfolio).Action);
    }
}
