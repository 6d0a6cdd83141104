using Ballast.Policies;
using Ballast.Policies.Triggers;

namespace Ballast.Tests.Policies;

/// <summary>The policy's value types check their ranges where they are built, so none can exist out of range.</summary>
public sealed class PolicyValueTests
{
    [Theory]
    [InlineData(-0.01, null)]
    [InlineData(1.01, null)]
    [InlineData(null, -0.5)]
    [InlineData(null, 10.5)]
    public void BandSpec_OutOfRange_Throws(double? absolute, double? relative) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new BandSpec((decimal?)absolute, (decimal?)relative));

    [Fact]
    public void LookSchedule_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new LookSchedule(LookFrequency.EveryNDays, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new LookSchedule(LookFrequency.EveryNDays, 10_001));
        Assert.Throws<ArgumentOutOfRangeException>(() => LookSchedule.Daily with { MaxIntervalDays = 0 });
        Assert.Throws<ArgumentOutOfRangeException>(() => new LookSchedule((LookFrequency)99));
    }

    [Fact]
    public void LookSchedule_NextLookAtTheEndOfTheCalendar_StaysOnIt()
    {
        Assert.Equal(DateOnly.MaxValue, new LookSchedule(LookFrequency.Annual).NextLook(DateOnly.MaxValue));
        Assert.Equal(DateOnly.MaxValue, new LookSchedule(LookFrequency.EveryNDays, 10_000).NextLook(new DateOnly(9990, 1, 1)));
    }

    [Fact]
    public void VolatilityRule_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new VolatilityRule(1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VolatilityRule(21, -0.1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VolatilityRule(21, 11m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new VolatilityRule(21, 0.2m, BandScaling.Widen, 0m));
    }

    [Fact]
    public void Policy_RailAndCashBand_OutOfRange_Throw()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Policy(LookSchedule.Daily, Trigger.Always, RebalanceTarget.InnerRail, 1m));
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy.Default with { Rail = -0.1m });
        Assert.Throws<ArgumentOutOfRangeException>(() => Policy.Default with { CashBand = 1.5m });
    }

    [Fact]
    public void PerformanceRule_OutOfRange_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerformanceRule("VTI", null, 0m));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PerformanceRule("VTI", null, 11m));
        Assert.Throws<ArgumentException>(() => new PerformanceRule("stocks", "STOCKS", 0.1m));
    }

    [Fact]
    public void ThresholdWithoutBand_HasTheDefaultBand_WhoeverBuildsIt()
    {
        var bare = new Trigger(TriggerKind.Threshold);
        var fromNever = Trigger.Never with { Kind = TriggerKind.Threshold };

        Assert.Equal(Policy.DefaultBand, bare.Band);
        Assert.Equal(Policy.DefaultBand, fromNever.Band);
        Assert.Equal(bare, fromNever);
        Assert.True(new Trigger(TriggerKind.Never).Band.IsEmpty);
    }

    [Fact]
    public void EveryTriggerKind_HasItsRule_AndItsWord()
    {
        foreach (var kind in Enum.GetValues<TriggerKind>())
        {
            var rule = TriggerRule.For(kind);
            Assert.Equal(kind, rule.Kind);
            Assert.True(TriggerRule.TryParse(rule.Word, out var parsed));
            Assert.Equal(kind, parsed);
        }
    }
}
