using Ballast.Input;
using Ballast.Operations.Monitoring;
using Ballast.Policies;

namespace Ballast.Operations.Tests;

/// <summary>The shipped method: 25,000 and more every window, smaller accounts semiannually, six months' pause after a rebalance.</summary>
public class MonitoringScheduleTests
{
    private static readonly MonitoringSchedule Seed = MonitoringSchedule.Default;
    private static DateOnly D(string s) => DateOnly.Parse(s, System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void LargeAccount_IsLookedAtEveryWindow()
    {
        foreach (var window in new[] { "2026-03-02", "2026-03-04", "2026-03-06" })
        {
            var d = Seed.Decide(new MonitoringFacts(D(window), 30_000m, LastLook: D("2026-02-27")));
            Assert.Equal(MonitoringVerdict.Look, d.Verdict);
            Assert.Contains("25,000 USD or more: looked at every window", d.Reason);
        }
    }

    [Fact]
    public void SmallAccount_IsLookedAtOncePerHalfYear()
    {
        // Never looked at: due now.
        Assert.Equal(MonitoringVerdict.Look, Seed.Decide(new MonitoringFacts(D("2026-01-05"), 20_000m)).Verdict);
        // Looked at on 2026-01-05: not again until the second half-year starts.
        var notDue = Seed.Decide(new MonitoringFacts(D("2026-03-02"), 20_000m, LastLook: D("2026-01-05")));
        Assert.Equal(MonitoringVerdict.NotDue, notDue.Verdict);
        Assert.Equal("below 25,000 USD: looked at semiannual, last on 2026-01-05", notDue.Reason);
        Assert.Equal(MonitoringVerdict.NotDue, Seed.Decide(new MonitoringFacts(D("2026-06-30"), 20_000m, LastLook: D("2026-01-05"))).Verdict);
        Assert.Equal(MonitoringVerdict.Look, Seed.Decide(new MonitoringFacts(D("2026-07-01"), 20_000m, LastLook: D("2026-01-05"))).Verdict);
    }

    [Fact]
    public void TierBoundary_IsInclusive()
    {
        Assert.Same(Seed.Tiers[0], Seed.TierFor(25_000m));
        Assert.Same(Seed.Tiers[1], Seed.TierFor(24_999.99m));
        Assert.Same(Seed.Tiers[1], Seed.TierFor(0m));
    }

    [Fact]
    public void AfterARebalance_MonitoringPausesSixMonths_ForEveryTier()
    {
        var paused = Seed.Decide(new MonitoringFacts(D("2026-03-02"), 30_000m, LastRebalance: D("2026-01-05"), LastLook: D("2026-01-05")));
        Assert.Equal(MonitoringVerdict.Paused, paused.Verdict);
        Assert.Equal("rebalanced on 2026-01-05; monitoring pauses 6 months, until 2026-07-05", paused.Reason);
        Assert.False(paused.Evaluate);
        // The last day of the pause, then the first day after it.
        Assert.Equal(MonitoringVerdict.Paused, Seed.Decide(new MonitoringFacts(D("2026-07-04"), 30_000m, D("2026-01-05"), D("2026-01-05"))).Verdict);
        Assert.Equal(MonitoringVerdict.Look, Seed.Decide(new MonitoringFacts(D("2026-07-05"), 30_000m, D("2026-01-05"), D("2026-01-05"))).Verdict);
        // A small account after its pause still waits for its semiannual look: 2026-07-06 is in a new half-year.
        Assert.Equal(MonitoringVerdict.Paused, Seed.Decide(new MonitoringFacts(D("2026-06-01"), 20_000m, D("2026-01-05"), D("2026-01-05"))).Verdict);
        Assert.Equal(MonitoringVerdict.Look, Seed.Decide(new MonitoringFacts(D("2026-07-06"), 20_000m, D("2026-01-05"), D("2026-01-05"))).Verdict);
    }

    [Fact]
    public void ModelChangeAndCashFlow_AreEvaluatedDuringAPause()
    {
        var model = Seed.Decide(new MonitoringFacts(D("2026-03-02"), 20_000m, D("2026-01-05"), D("2026-01-05"), ModelChanged: true));
        Assert.Equal(MonitoringVerdict.ModelChange, model.Verdict);
        Assert.True(model.Evaluate);
        var cash = Seed.Decide(new MonitoringFacts(D("2026-03-02"), 20_000m, D("2026-01-05"), D("2026-01-05"), CashFlow: true));
        Assert.Equal(MonitoringVerdict.CashFlow, cash.Verdict);
        Assert.True(cash.Evaluate);
    }

    [Fact]
    public void Cooldown_AllowsOneAutomaticRunADay()
    {
        var again = Seed.Decide(new MonitoringFacts(D("2026-03-02"), 30_000m, LastRun: D("2026-03-02"), CashFlow: true));
        Assert.Equal(MonitoringVerdict.CoolingDown, again.Verdict);
        Assert.Equal("run on 2026-03-02; the 1 day cooldown ends on 2026-03-03", again.Reason);
        Assert.Equal(MonitoringVerdict.CashFlow, Seed.Decide(new MonitoringFacts(D("2026-03-03"), 30_000m, LastRun: D("2026-03-02"), CashFlow: true)).Verdict);
    }

    [Fact]
    public void BelowTheMinimum_NothingIsEvaluated_NotEvenCash()
    {
        var schedule = Seed with { MinimumAccountValue = 1_000m };
        var d = schedule.Decide(new MonitoringFacts(D("2026-03-02"), 999.99m, CashFlow: true));
        Assert.Equal(MonitoringVerdict.BelowMinimum, d.Verdict);
        Assert.Equal("worth 999.99 USD, below the minimum of 1,000 for a rebalance", d.Reason);
        Assert.Equal(MonitoringVerdict.CashFlow, schedule.Decide(new MonitoringFacts(D("2026-03-02"), 1_000m, CashFlow: true)).Verdict);
    }

    [Fact]
    public void TierPause_OverridesTheSchedulePause()
    {
        var schedule = Seed with
        {
            Tiers = [new MonitoringTier(25_000m, TierLook.EveryWindow, Period.OfDays(30)), new MonitoringTier(0m, TierLook.On(new LookSchedule(LookFrequency.Semiannual)))],
        };
        Assert.Equal(MonitoringVerdict.Look, schedule.Decide(new MonitoringFacts(D("2026-02-04"), 30_000m, D("2026-01-05"), D("2026-01-05"))).Verdict);
        Assert.Equal(MonitoringVerdict.Paused, schedule.Decide(new MonitoringFacts(D("2026-02-04"), 20_000m, D("2026-01-05"), D("2026-01-05"))).Verdict);
    }

    [Fact]
    public void Override_ReplacesOnlyTheFieldsItSets()
    {
        var account = Seed.With(new MonitoringOverride { Name = "client asks for 3 months", PauseAfterRebalance = Period.OfMonths(3) });
        Assert.Equal(Period.OfMonths(3), account.PauseAfterRebalance);
        Assert.Equal(Seed.Tiers, account.Tiers);
        Assert.Equal(Seed.Cooldown, account.Cooldown);
        Assert.Equal(MonitoringVerdict.Look, account.Decide(new MonitoringFacts(D("2026-04-06"), 30_000m, D("2026-01-05"), D("2026-01-05"))).Verdict);
    }

    [Fact]
    public void InvalidSchedules_CannotBeBuilt()
    {
        Assert.Throws<ArgumentException>(() => new MonitoringSchedule { Tiers = [new MonitoringTier(1_000m, TierLook.EveryWindow)] });
        Assert.Throws<ArgumentException>(() => new MonitoringSchedule { Tiers = [new MonitoringTier(0m, TierLook.EveryWindow), new MonitoringTier(0m, TierLook.EveryWindow)] });
        Assert.Throws<ArgumentException>(() => new MonitoringSchedule { Tiers = [] });
        Assert.Throws<ArgumentException>(() => new MonitoringSchedule { Currency = "usd" });
        Assert.Throws<ArgumentOutOfRangeException>(() => new MonitoringTier(-1m, TierLook.EveryWindow));
        Assert.Throws<ArgumentOutOfRangeException>(() => new MonitoringSchedule { MinimumOrderValue = -1m });
        Assert.Throws<ArgumentOutOfRangeException>(() => new Period(-1, 0));
    }

    [Theory]
    [InlineData("6 months", 6, 0, "6 months")]
    [InlineData("6m", 6, 0, "6 months")]
    [InlineData("1 month", 1, 0, "1 month")]
    [InlineData("10 days", 0, 10, "10 days")]
    [InlineData("1d", 0, 1, "1 day")]
    [InlineData("2 weeks", 0, 14, "2 weeks")]
    [InlineData("1 year", 12, 0, "1 year")]
    [InlineData("0", 0, 0, "none")]
    public void Period_ReadsAndSaysItself(string text, int months, int days, string shown)
    {
        Assert.True(Period.TryParse(text, out var p, out var error), error);
        Assert.Equal(new Period(months, days), p);
        Assert.Equal(shown, p.ToString());
    }

    [Theory]
    [InlineData("six months", "is not a period")]
    [InlineData("6 fortnights", "unknown unit 'fortnights'")]
    [InlineData("200 years", "longer than a hundred years")]
    [InlineData("-3 days", "is not a period")]
    public void Period_RefusesWhatItCannotRead(string text, string message)
    {
        Assert.False(Period.TryParse(text, out _, out var error));
        Assert.Contains(message, error);
    }

    [Fact]
    public void Period_AddsMonthsToTheMonthsLastDay()
    {
        Assert.Equal(D("2027-02-28"), Period.OfMonths(6).AddTo(D("2026-08-31")));
        Assert.Equal(D("2026-02-28"), Period.OfMonths(1).AddTo(D("2026-01-31")));
    }
}

public class MonitoringScheduleReaderTests
{
    [Fact]
    public void ShippedExample_IsTheDefaultMethod()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "examples", "schedule.yaml");
        var schedule = MonitoringScheduleReader.ReadSchedule(path, File.ReadAllText(path));
        Assert.Equal(MonitoringSchedule.Default.ToString(), schedule.ToString());
        Assert.Equal("default (USD): from 25,000: every window; from 0: semiannual; pause after a rebalance 6 months; cooldown 1 day", schedule.ToString());
    }

    [Fact]
    public void Override_ReadsOnlyWhatItNames()
    {
        var o = MonitoringScheduleReader.ReadOverride("acct.yaml", "pauseAfterRebalance: 3 months\nminimumOrderValue: 25\n");
        Assert.Equal(Period.OfMonths(3), o.PauseAfterRebalance);
        Assert.Equal(25m, o.MinimumOrderValue);
        Assert.Null(o.Tiers);
        Assert.Null(o.Cooldown);
    }

    [Fact]
    public void TierPause_AndEveryNDays_AreRead()
    {
        var s = MonitoringScheduleReader.ReadSchedule("s.yaml", """
            tiers:
              - { from: 100000, look: every window, pauseAfterRebalance: 30 days }
              - { from: 0, look: every 90 days }
            """);
        Assert.Equal(Period.OfDays(30), s.Tiers[0].PauseAfterRebalance);
        Assert.Equal(LookFrequency.EveryNDays, s.Tiers[1].Look.Calendar!.Value.Frequency);
        Assert.Equal(90, s.Tiers[1].Look.Calendar!.Value.EveryDays);
    }

    [Theory]
    [InlineData("pause: 6 months\n", 1, "pause", "unknown field")]
    [InlineData("currency: dollars\n", 1, "currency", "not a three-letter ISO 4217 code")]
    [InlineData("cooldown: soon\n", 1, "cooldown", "is not a period")]
    [InlineData("minimumAccountValue: -5\n", 1, "minimumAccountValue", "")]
    [InlineData("tiers:\n  - { from: 25000, look: every window }\n", 2, "tiers", "no tier starts at 0")]
    [InlineData("tiers:\n  - { from: 0, look: sometimes }\n", 2, "tiers[0].look", "unknown look 'sometimes'")]
    [InlineData("tiers:\n  - { look: daily }\n", 2, "tiers[0].from", "missing")]
    [InlineData("tiers:\n  - { from: 0, look: daily }\n  - { from: 0, look: monthly }\n", 3, "tiers[1].from", "tier 0 starts at the same value")]
    [InlineData("tiers: []\n", 1, "tiers", "at least one tier")]
    public void BadSchedules_NameTheFileLineAndField(string text, int line, string field, string message)
    {
        var e = Assert.Throws<InputException>(() => MonitoringScheduleReader.ReadSchedule("firm.yaml", text));
        var p = Assert.Single(e.Problems);
        Assert.Equal("firm.yaml", p.File);
        Assert.Equal(line, p.Line);
        Assert.Equal(field, p.Field);
        Assert.Contains(message, p.Message);
    }

    [Fact]
    public void NotYaml_IsOneProblem()
    {
        var e = Assert.Throws<InputException>(() => MonitoringScheduleReader.ReadSchedule("firm.yaml", "tiers: [unclosed\n"));
        Assert.Equal("firm.yaml", e.Problems[0].File);
    }
}
