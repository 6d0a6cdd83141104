using Ballast.Backtest.Experiments;
using Ballast.Backtest.Statistics;
using Ballast.Backtest.Tax;
using Ballast.Portfolios;

namespace Ballast.Backtest.Engine;

/// <summary>
/// The headline results of one policy, all fractions except <see cref="FinalValue"/> and <see cref="Costs"/>
/// (currency units) and <see cref="Rebalances"/> (a count). Returns, volatility, ratios, drawdown and tracking
/// error are measured on the time-weighted index, so cash flows do not count as gains. <see cref="Taxes"/> holds the
/// realized gains and estimated tax when the experiment has a tax section.
/// </summary>
public sealed record PolicyStatistics(
    string Name,
    double FinalValue,
    double TotalReturn,
    double Cagr,
    double Volatility,
    double Sharpe,
    double Sortino,
    double MaxDrawdown,
    int Rebalances,
    double Turnover,
    double Costs,
    double TrackingError,
    double AverageDrift,
    double MaxDrift,
    double ShareOutsideBands)
{
    /// <summary>Realized gains and estimated tax per year (currency units), or null when the experiment estimates no taxes.</summary>
    public TaxSummary? Taxes { get; init; }

    /// <summary><see cref="Costs"/> plus the estimated tax over all years (currency units); just the costs without a tax section.</summary>
    public double CostsAndTaxes => Costs + (double)(Taxes?.Tax ?? 0m);
}

/// <summary>Everything one backtest run produced: the market, the at-target reference index, and per policy its run and statistics.</summary>
public sealed record BacktestOutcome(Experiment Experiment, Market Market, double[] Reference, IReadOnlyList<PolicyRunResult> Runs, IReadOnlyList<PolicyStatistics> Statistics);

/// <summary>Runs every policy of an experiment on the same market and computes their statistics.</summary>
public static class ExperimentRunner
{
    /// <summary>
    /// Runs each policy (in parallel on all cores); <paramref name="progress"/> is told each finished policy's name.
    /// With a tax section, every run records its ledger and its trades are replayed for the taxes.
    /// </summary>
    public static BacktestOutcome Run(Experiment experiment, Market market, BacktestOptions? options = null, Action<string>? progress = null)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        ArgumentNullException.ThrowIfNull(market);
        var backtester = Backtester.For(experiment, market);
        var reference = ReferenceIndex(market, experiment.Targets);
        var tax = experiment.Tax;
        if (tax is not null) options = (options ?? BacktestOptions.Default) with { RecordLedger = true };
        var runs = new PolicyRunResult[experiment.Policies.Count];
        var taxes = new TaxSummary?[runs.Length];
        Parallel.For(0, runs.Length, i =>
        {
            var p = experiment.Policies[i];
            runs[i] = backtester.Run(p.Name, p.Policy, options);
            if (tax is not null) taxes[i] = BacktestTaxes.Estimate(runs[i], market, tax, experiment.Execution.MoneyDecimals);
            progress?.Invoke(p.Name);
        });
        var stats = runs.Select((r, i) => Summarize(r, market, reference, experiment.CashRate) with { Taxes = taxes[i] }).ToArray();
        return new BacktestOutcome(experiment, market, reference, runs, stats);
    }

    /// <summary>Statistics of one run against the reference index.</summary>
    public static PolicyStatistics Summarize(PolicyRunResult run, Market market, double[] reference, double cashRate)
    {
        ArgumentNullException.ThrowIfNull(run);
        ArgumentNullException.ThrowIfNull(market);
        var dates = market.Dates;
        var idx = run.Index;
        var hasRatios = dates.Length >= 3;
        return new PolicyStatistics(
            run.Name,
            run.Values[^1],
            Performance.TotalReturn(idx),
            Performance.Cagr(dates, idx),
            hasRatios ? Performance.AnnualizedVolatility(dates, idx) : double.NaN,
            hasRatios ? Performance.Sharpe(dates, idx, cashRate) : double.NaN,
            hasRatios ? Performance.Sortino(dates, idx) : double.NaN,
            Performance.MaxDrawdown(idx).Depth,
            run.Rebalances,
            run.TurnoverPerYear,
            run.Costs,
            hasRatios ? Performance.TrackingError(dates, idx, reference) : double.NaN,
            run.AverageDrift,
            run.MaxDrift,
            run.ShareOutsideBands);
    }

    /// <summary>
    /// The value index (1 at the first close) of a portfolio held exactly at its target weights at every close,
    /// with no costs: r_t = Σ w_i × (close_i,t / close_i,t−1 − 1) + w_cash × (cash growth_t − 1).
    /// </summary>
    public static double[] ReferenceIndex(Market market, IReadOnlyList<TargetWeight> targets)
    {
        ArgumentNullException.ThrowIfNull(market);
        ArgumentNullException.ThrowIfNull(targets);
        var r = new double[market.Count];
        ReferenceIndex(market, ReferenceWeights.Of(market.Assets, targets), r);
        return r;
    }

    /// <summary>The at-target index of <see cref="ReferenceIndex(Market, IReadOnlyList{TargetWeight})"/> written into <paramref name="index"/> (one value per date), allocating nothing.</summary>
    internal static void ReferenceIndex(Market market, ReferenceWeights weights, Span<double> index)
    {
        if (index.Length != market.Count) throw new ArgumentException($"the market has {market.Count} dates, the index {index.Length}", nameof(index));
        var w = weights.Assets;
        var cashWeight = weights.Cash;
        index[0] = 1;
        for (var t = 1; t < index.Length; t++)
        {
            var growth = cashWeight * market.CashGrowth[t];
            for (var i = 0; i < w.Length; i++) growth += w[i] * (market.Closes[i][t] / market.Closes[i][t - 1]);
            index[t] = index[t - 1] * growth;
        }
    }
}

/// <summary>Target weights as doubles in a market's asset order, and the weight of cash (a CASH target), for the at-target index.</summary>
internal sealed record ReferenceWeights(double[] Assets, double Cash)
{
    public static ReferenceWeights Of(string[] assets, IReadOnlyList<TargetWeight> targets)
    {
        var w = new double[assets.Length];
        double cash = 0;
        foreach (var t in targets)
        {
            if (t.Ticker == Portfolio.CashTicker) cash = (double)t.Weight;
            else w[Array.IndexOf(assets, t.Ticker)] = (double)t.Weight;
        }
        return new ReferenceWeights(w, cash);
    }
}
