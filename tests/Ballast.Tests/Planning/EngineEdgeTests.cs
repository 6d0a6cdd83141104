using Ballast.Households;
using Ballast.Input;
using Ballast.Planning;

namespace Ballast.Tests.Planning;

/// <summary>In-range inputs at the edges of the limits that once overflowed decimal inside the engine.</summary>
public sealed class EngineEdgeTests
{
    private static Ballast.Portfolios.Portfolio Read(string text)
    {
        var read = PortfolioReader.Read("p.yaml", text);
        Assert.True(read.Problems.Count == 0, string.Join("; ", read.Problems));
        return read.Value!;
    }

    [Fact]
    public void RelativeMethod_TinyPlanningBase_RaisesTheReserveWithoutOverflow()
    {
        // A reserve of almost everything leaves a planning base of almost nothing: each excess is many million times
        // its goal, so the relative weights are capped instead of divided out.
        var portfolio = Read("""
            asOf: 2025-06-30
            cash: 0
            holdings: [ { ticker: AAA, value: 5000000000000 }, { ticker: BBB, value: 5000000000000 } ]
            targets: { AAA: 50%, BBB: 50% }
            policy: { trigger: never }
            execution: { cashReserve: 9999999999999.99999999999999, method: relative }
            """);

        var plan = Planner.Create(portfolio);

        Assert.Equal(PlanAction.RaiseCash, plan.Action);
        Assert.True(plan.CashAfter >= portfolio.Execution.CashReserve - 0.01m);
    }

    [Fact]
    public void GainBudget_OnAFlatSlope_DoesNotOverflow()
    {
        // A lot whose gain per share is a hair from zero: the budget's line is so flat that dividing by its slope would
        // leave decimal's range; the budget cannot bind, so the whole sell goes ahead.
        var portfolio = Read("""
            asOf: 2025-06-30
            holdings:
              - { ticker: AAA, quantity: 3, price: 3.333333333333333333333333333, lots: [ { acquired: 2020-01-02, quantity: 3, costBasis: 10 } ] }
            prices: { BBB: 1 }
            targets: { AAA: 50%, BBB: 50% }
            """);

        var tax = HouseholdPlanner.Create(portfolio, new PlanRequest { ForceRebalance = true }, new TaxPlanOptions { MaxRealizedGain = 100m });

        Assert.Contains(tax.Plan.Trades, t => t.Ticker == "AAA" && t.Side == TradeSide.Sell);
    }
}
