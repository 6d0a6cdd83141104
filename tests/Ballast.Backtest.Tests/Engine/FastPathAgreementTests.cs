using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Policies;
using Ballast.Policies.Triggers;
using Ballast.Portfolios;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>
/// The simulation fast path (the planning rules in double) against the exact engine (decimal, a real
/// <see cref="Portfolio"/> and <see cref="Ballast.Planning.Planner"/>) on random markets: every kind of policy,
/// costs, minimum trades, a reserve, cash as an asset, every cash-flow method, deposits, withdrawals, and a
/// withdrawal that takes everything. Both must give the same rebalance dates and values within 1e-9.
/// </summary>
public sealed class FastPathAgreementTests
{
    private static readonly LookSchedule Monthly = new(LookFrequency.Monthly);
    private static readonly LookSchedule Quarterly = new(LookFrequency.Quarterly);

    public static TheoryData<string> Policies => new(PolicyCases.Keys);

    private static readonly Dictionary<string, Policy> PolicyCases = new()
    {
        ["never"] = new(Monthly, Trigger.Never),
        ["monthly"] = new(Monthly, Trigger.Always),
        ["quarterly"] = new(Quarterly, Trigger.Always),
        ["daily 5pp"] = new(LookSchedule.Daily, Trigger.Threshold(0.05m, null)),
        ["daily 25%"] = new(LookSchedule.Daily, Trigger.Threshold(null, 0.25m)),
        ["daily 5/25"] = new(LookSchedule.Daily, Trigger.Threshold(0.05m, 0.25m)),
        ["overrides"] = new(LookSchedule.Daily, new Trigger(TriggerKind.Threshold, new BandSpec(0.05m, null),
            new Dictionary<string, BandSpec> { ["C"] = new(0.01m, null), ["CASH"] = new(0.02m, null) })),
        ["weekly rails"] = new(new LookSchedule(LookFrequency.Weekly), Trigger.Threshold(null, 0.20m), RebalanceTarget.InnerRail, 0.10m),
        ["hybrid"] = new(new LookSchedule(LookFrequency.Monthly) { MaxIntervalDays = 120 }, Trigger.Threshold(0.10m, null)),
        ["volatility"] = new(Monthly, new Trigger(TriggerKind.Volatility, volatility: new VolatilityRule(21, 0.12m))),
        ["vol bands"] = new(LookSchedule.Daily, new Trigger(TriggerKind.Threshold, new BandSpec(0.04m, null),
            volatility: new VolatilityRule(21, null, BandScaling.Widen, 0.15m))),
        ["performance spread"] = new(LookSchedule.Daily, new Trigger(TriggerKind.Performance, performance: new PerformanceRule("A", "B", 0.06m))),
        ["performance one"] = new(new LookSchedule(LookFrequency.Weekly), new Trigger(TriggerKind.Performance, performance: new PerformanceRule("C", null, 0.08m))),
        ["bands only per asset"] = new(LookSchedule.Daily, new Trigger(TriggerKind.Threshold, overrides: new Dictionary<string, BandSpec> { ["A"] = new(0.02m, null) })),
    };

    public static TheoryData<string, int> Cases()
    {
        var data = new TheoryData<string, int>();
        foreach (var p in PolicyCases.Keys)
            for (var setup = 0; setup < Setups.Length; setup++) data.Add(p, setup);
        return data;
    }

    private sealed record Setup(string Name, ExecutionOptions Execution, CashFlowSchedule? Flows, bool CashTarget, decimal Initial = 100_000m);

    private static readonly Setup[] Setups =
    [
        new("plain", ExecutionOptions.Default, null, false),
        new("costs", new ExecutionOptions { Costs = new CostModel(1m, 5m, 2m), MinTrade = 50m, CashReserve = 100m }, null, false),
        new("cash target", new ExecutionOptions { Costs = new CostModel(0m, 3m, 1m) }, null, true),
        new("deposits relative", new ExecutionOptions { Costs = new CostModel(0m, 2m, 0m), CashFlowMethod = CashFlowMethod.Relative },
            new CashFlowSchedule(700m, Monthly, CashFlowMethod.Relative), false),
        new("withdrawals equalize", new ExecutionOptions { Costs = new CostModel(0.5m, 0m, 3m), CashFlowMethod = CashFlowMethod.Equalize, MinTrade = 20m },
            new CashFlowSchedule(-450m, Monthly, CashFlowMethod.Equalize), false),
        new("runs dry", new ExecutionOptions { Costs = new CostModel(1m, 5m, 0m) }, new CashFlowSchedule(-9_000m, Monthly, null), false),
        new("yen", new ExecutionOptions { MoneyDecimals = 0, QuantityDecimals = 4, Costs = new CostModel(0m, 10m, 0m) }, null, false, 12_345_678m),
    ];

    [Theory]
    [MemberData(nameof(Cases))]
    public void FastPath_MatchesTheExactEngine(string policyName, int setupIndex)
    {
        var setup = Setups[setupIndex];
        var market = RandomMarket(seed: 17 * setupIndex + policyName.Length);
        TargetWeight[] targets = setup.CashTarget
            ? [new("A", 0.4m), new("B", 0.3m), new("C", 0.2m), new("CASH", 0.1m)]
            : [new("A", 0.5m), new("B", 0.3m), new("C", 0.2m)];
        var backtester = new Backtester(market, targets, setup.Execution, setup.Initial, setup.Flows);
        var policy = PolicyCases[policyName];

        var fast = backtester.Run(policyName, policy);
        var exact = backtester.Run(policyName, policy, new BacktestOptions { Exact = true });

        Assert.Equal(exact.Depleted, fast.Depleted);
        Assert.Equal(exact.RebalanceDates, fast.RebalanceDates);
        Assert.Equal(exact.EngineCalls, fast.EngineCalls);
        for (var t = 0; t < exact.Values.Length; t++)
        {
            var tolerance = 1e-9 * Math.Max(1, Math.Abs(exact.Values[t]));
            Assert.True(Math.Abs(exact.Values[t] - fast.Values[t]) <= tolerance,
                $"{setup.Name}, row {t}: exact {exact.Values[t]:R}, fast {fast.Values[t]:R}");
        }
        Assert.Equal(exact.Costs, fast.Costs, 1e-6 * Math.Max(1, exact.Costs));
        Assert.Equal(exact.TurnoverPerYear, fast.TurnoverPerYear, 1e-9);
    }

    [Theory]
    [InlineData("performance spread")]
    [InlineData("performance one")]
    [InlineData("bands only per asset")]
    public void NewerPolicies_DoTradeOnTheRandomMarkets(string policyName)
    {
        // The agreement above would hold trivially for a policy that never fires; these do.
        var run = new Backtester(RandomMarket(5), [new("A", 0.5m), new("B", 0.3m), new("C", 0.2m)], ExecutionOptions.Default, 100_000m)
            .Run(policyName, PolicyCases[policyName]);
        Assert.InRange(run.Rebalances, 1, int.MaxValue);
    }

    [Fact]
    public void RunsDry_TheWithdrawalThatTakesEverythingEndsTheRun()
    {
        var market = RandomMarket(3);
        var flows = new CashFlowSchedule(-9_000m, Monthly, null);
        var run = new Backtester(market, [new("A", 0.5m), new("B", 0.3m), new("C", 0.2m)], ExecutionOptions.Default, 100_000m, flows)
            .Run("monthly", new Policy(Monthly, Trigger.Always));
        Assert.NotNull(run.Depleted);
        var row = Array.IndexOf(market.Dates, run.Depleted!.Value);
        Assert.True(run.Values[row - 1] > 0);
        Assert.All(run.Values[row..], v => Assert.Equal(0, v));
        // The index keeps the return of the last day and stays there.
        Assert.All(run.Index[(row + 1)..], x => Assert.Equal(run.Index[row], x));
    }

    /// <summary>Three assets on weekdays for two years: random walks with 1 % daily moves, one of them with a crash; cash earns 2 % a year.</summary>
    private static Market RandomMarket(int seed)
    {
        var random = new Random(seed);
        var dates = new List<DateOnly>();
        for (var d = new DateOnly(2020, 1, 1); dates.Count < 520; d = d.AddDays(1))
            if (d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday)) dates.Add(d);
        var closes = new double[3][];
        double[] drift = [0.0004, 0.0001, 0.0002];
        double[] vol = [0.012, 0.004, 0.02];
        double[] start = [431.27, 87.13, 19.99];
        for (var a = 0; a < 3; a++)
        {
            closes[a] = new double[dates.Count];
            closes[a][0] = start[a];
            for (var t = 1; t < dates.Count; t++)
            {
                var shock = (random.NextDouble() + random.NextDouble() + random.NextDouble() - 1.5) * 2 * vol[a];
                if (a == 2 && t is > 200 and < 215) shock -= 0.03;
                closes[a][t] = closes[a][t - 1] * (1 + drift[a] + shock);
            }
        }
        var growth = new double[dates.Count];
        growth[0] = 1;
        for (var t = 1; t < growth.Length; t++) growth[t] = Math.Pow(1.02, (dates[t].DayNumber - dates[t - 1].DayNumber) / 365.25);
        return new Market(dates, ["A", "B", "C"], closes, growth);
    }
}
