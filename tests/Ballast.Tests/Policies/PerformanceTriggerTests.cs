using Ballast.Drift;
using Ballast.Input;
using Ballast.Planning;

namespace Ballast.Tests.Policies;

/// <summary>
/// The performance trigger live: the return since the last rebalance of an asset or asset class, or the spread
/// between two of them, against a level. Figures worked by hand in the comments.
/// </summary>
public sealed class PerformanceTriggerTests
{
    // Stocks are VTI (40%) and VXUS (20%), bonds BND (40%). Since the last rebalance on 2025-01-02:
    // VTI 200 → 240 is +20%, VXUS 60 → 63 is +5%, BND 80 → 76 is −5%.
    // Stocks, weighted by target: (40 × 20% + 20 × 5%) / 60 = 15%; bonds −5%; spread 15 − (−5) = 20 pp.
    private static string File(string performance, string pricesThen = "pricesAtLastRebalance: { VTI: 200, VXUS: 60, BND: 80 }") => $$"""
        asOf: 2025-06-30
        lastRebalanced: 2025-01-02
        holdings:
          - { ticker: VTI, quantity: 100, price: 240 }
          - { ticker: VXUS, quantity: 100, price: 63 }
          - { ticker: BND, quantity: 200, price: 76 }
        securities: { VTI: { assetClass: stocks }, VXUS: { assetClass: stocks }, BND: { assetClass: bonds } }
        targets: { VTI: 40%, VXUS: 20%, BND: 40% }
        {{pricesThen}}
        policy: { look: monthly, trigger: performance, performance: {{performance}} }
        """;

    private static Ballast.Portfolios.Portfolio Read(string text)
    {
        var read = PortfolioReader.Read("p.yaml", text);
        Assert.True(read.Problems.Count == 0, string.Join("; ", read.Problems));
        return read.Value!;
    }

    [Fact]
    public void StocksBeatBondsByTwentyPoints_FiresAtFifteen()
    {
        var report = DriftEvaluator.Evaluate(Read(File("{ leader: stocks, laggard: bonds, level: 15% }")));

        Assert.True(report.NeedsRebalancing);
        Assert.Contains("stocks returned 15.00% and bonds -5.00% since the last rebalance: a spread of 20.00pp, beyond ±15.00pp", report.Reasons);
    }

    [Fact]
    public void SpreadExactlyOnTheLevel_DoesNotFire()
    {
        // 20 pp is not strictly beyond ±20 pp.
        var report = DriftEvaluator.Evaluate(Read(File("{ leader: stocks, laggard: bonds, level: 20% }")));

        Assert.False(report.NeedsRebalancing);
        Assert.Contains(report.Reasons, r => r.Contains("within ±20.00pp", StringComparison.Ordinal));
    }

    [Theory]
    // One leg: VTI's own +20% against ±15% fires, against ±25% does not; BND's −5% is beyond ±4%, either direction counts.
    [InlineData("VTI", "15%", true)]
    [InlineData("VTI", "25%", false)]
    [InlineData("BND", "4%", true)]
    public void OneAsset_ReturnAgainstTheLevel(string leader, string level, bool fires)
    {
        var report = DriftEvaluator.Evaluate(Read(File($"{{ leader: {leader}, level: {level} }}")));

        Assert.Equal(fires, report.NeedsRebalancing);
    }

    [Fact]
    public void Fired_PlansTheRebalanceToTarget()
    {
        // Total 24,000 + 6,300 + 15,200 = 45,500: VTI to 18,200 (sell 5,800), VXUS to 9,100 (buy 2,800), BND to 18,200 (buy 3,000).
        var plan = Planner.Create(Read(File("{ leader: stocks, laggard: bonds, level: 15% }")));

        Assert.Equal(PlanAction.Rebalance, plan.Action);
        Assert.Equal((TradeSide.Sell, 5_800m), (plan.Trades[0].Side, plan.Trades[0].Value));
        Assert.Equal(2_800m, plan.Trades.Single(t => t.Ticker == "VXUS").Value);
        Assert.Equal(3_000m, plan.Trades.Single(t => t.Ticker == "BND").Value);
    }

    [Fact]
    public void WithoutPricesThen_CannotFire_AndSaysSo()
    {
        var report = DriftEvaluator.Evaluate(Read(File("{ leader: stocks, laggard: bonds, level: 1% }", pricesThen: "")));

        Assert.False(report.NeedsRebalancing);
        Assert.Contains(report.Warnings, w => w.Contains("needs the prices at the last rebalance", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("{ leader: gold, level: 15% }", "policy.performance.leader", "neither a target ticker nor the asset class")]
    [InlineData("{ leader: stocks, laggard: stocks, level: 15% }", "policy.performance.laggard", "two different groups")]
    [InlineData("{ leader: stocks, level: 0% }", "policy.performance.level", "must be greater than zero")]
    [InlineData("{ leader: stocks, level: 1e27 }", "policy.performance.level", "is too large (at most 1,000%)")]
    [InlineData("{ level: 15% }", "policy.performance.leader", "missing")]
    public void BadSettings_AreRefusedNamingTheField(string performance, string field, string message)
    {
        var read = PortfolioReader.Read("p.yaml", File(performance));

        Assert.Null(read.Value);
        Assert.Contains(read.Problems, p => p.Field == field && p.Message.Contains(message, StringComparison.Ordinal));
    }

    [Fact]
    public void PerformanceTrigger_WithoutItsSettings_IsRefused()
    {
        var read = PortfolioReader.Read("p.yaml", File("{ leader: stocks, level: 15% }").Replace("trigger: performance, performance: { leader: stocks, level: 15% }", "trigger: performance"));

        Assert.Contains(read.Problems, p => p.Field == "policy.performance");
    }
}
