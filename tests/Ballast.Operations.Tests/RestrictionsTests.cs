using Ballast.Operations.Accounts;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Store;

namespace Ballast.Operations.Tests;

/// <summary><see cref="Restrictions.Apply"/>: restrictions become the engine's limits, or a skip with its reason.</summary>
public sealed class RestrictionsTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 2, 12, 0, 0, TimeSpan.Zero);

    private static Portfolio Portfolio(decimal vti, decimal bnd, decimal vxus, decimal cash = 0) => new()
    {
        AsOf = new DateOnly(2026, 1, 2),
        Cash = cash,
        Positions = [new Position("VTI", vti), new Position("BND", bnd), new Position("VXUS", vxus)],
        Targets = [new TargetWeight("VTI", 0.5m), new TargetWeight("BND", 0.3m), new TargetWeight("VXUS", 0.2m)],
        Policy = new Policy(LookSchedule.Daily, Trigger.Always),
    };

    private static AccountRestrictions Of(params StoredRestriction[] restrictions) => new(null, restrictions);

    private static StoredRestriction R(RestrictionScope scope, string ticker, RestrictionKind kind, decimal? weight = null) =>
        new(scope, scope == RestrictionScope.Firm ? "" : "x", ticker, kind, weight, null, At, "tester");

    [Fact]
    public void NoRestrictions_LeaveTheRequestAsItIs()
    {
        var p = Portfolio(5_000, 3_000, 2_000);
        var r = Restrictions.Apply(p, AccountRestrictions.None, PlanRequest.None, "core");
        Assert.Same(p, r.Portfolio);
        Assert.Same(PlanRequest.None, r.Request);
        Assert.Null(r.Skip);
    }

    [Fact]
    public void AMaximumWeight_IsABuyLimit_OfItsRoomAfterTheCashFlow_AndLowersATargetAboveIt_SpreadingTheExcessProRata()
    {
        // 4,000 / 3,000 / 2,000 and a deposit of 1,000: 10,000 after it. At most 45 % VTI: 4,500 − 4,000 = 500 may be bought.
        var p = Portfolio(4_000, 3_000, 2_000);
        var r = Restrictions.Apply(p, Of(R(RestrictionScope.Household, "VTI", RestrictionKind.MaxWeight, 0.45m),
            R(RestrictionScope.Account, "VTI", RestrictionKind.MaxWeight, 0.6m)), new PlanRequest { Deposit = 1_000m }, "core");

        Assert.Equal(500m, r.Request.BuyLimits!["VTI"]);
        // The tightest weight wins; VTI's 50 % target becomes 45 %, BND and VXUS share the 5 % as 3:2.
        Assert.Equal([0.45m, 0.33m, 0.22m], r.Portfolio.Targets.Select(t => t.Weight));
        Assert.Equal(1m, r.Portfolio.Targets.Sum(t => t.Weight));
        Assert.False(r.Request.ForceRebalance);
        Assert.Equal(["max-weight VTI 45%"], r.Notes);
    }

    [Fact]
    public void AnAccountAboveItsMaximumWeight_IsRebalancedToTarget()
    {
        var p = Portfolio(6_000, 2_500, 1_500) with { Policy = new Policy(LookSchedule.Daily, Trigger.Threshold(null, 0.2m), RebalanceTarget.InnerRail, 0.1m) };
        var r = Restrictions.Apply(p, Of(R(RestrictionScope.Account, "VTI", RestrictionKind.MaxWeight, 0.5m)), PlanRequest.None, "core");

        Assert.True(r.Request.ForceRebalance);
        Assert.Equal(RebalanceTarget.Target, r.Portfolio.Policy.RebalanceTo);
        var plan = Planner.Create(r.Portfolio, r.Request);
        Assert.Equal(1_000m, plan.Trades.Single(t => t.Ticker == "VTI").Value);
        Assert.Equal(["max-weight VTI 50% (above it: sold down)"], r.Notes);
    }

    [Fact]
    public void DoNotBuyAndDoNotSell_AreLimitsOfZero_AndRestrictionsOnTickersTheAccountNeverTouchesAreLeftOut()
    {
        var p = Portfolio(5_000, 3_000, 2_000);
        var r = Restrictions.Apply(p, Of(R(RestrictionScope.Firm, "VXUS", RestrictionKind.DoNotBuy), R(RestrictionScope.Account, "BND", RestrictionKind.DoNotSell),
            R(RestrictionScope.Firm, "GLD", RestrictionKind.DoNotBuy)), new PlanRequest { SellLimits = new Dictionary<string, decimal> { ["VTI"] = 100m } }, "core");

        Assert.Equal(0m, r.Request.BuyLimits!["VXUS"]);
        Assert.Equal(new Dictionary<string, decimal> { ["VTI"] = 100m, ["BND"] = 0m }, r.Request.SellLimits);
        Assert.Equal(["do-not-buy VXUS", "do-not-sell BND"], r.Notes);
    }

    [Fact]
    public void AHold_AndAnUntradableTarget_SkipTheAccountWithTheirReasons()
    {
        var p = Portfolio(5_000, 3_000, 2_000);
        Assert.Equal(("hold: client on the phone", "hold"),
            Restrictions.Apply(p, new AccountRestrictions("client on the phone", []), PlanRequest.None, "core") is var held ? (held.Skip, held.SkipKind) : default);
        var r = Restrictions.Apply(p, Of(R(RestrictionScope.Firm, "VXUS", RestrictionKind.Untradable)), PlanRequest.None, "core");
        Assert.Equal(("restricted: model core needs adjustment: VXUS is untradable", "restricted"), (r.Skip, r.SkipKind));
    }
}
