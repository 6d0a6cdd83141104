using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Tax;

namespace Ballast.Backtest.Experiments;

/// <summary>How a price file is laid out.</summary>
public enum PriceFormat
{
    /// <summary>One wide CSV <c>date,T1,T2,...</c> of adjusted closes (empty cell: no price that day).</summary>
    Wide,
    /// <summary>A folder of per-ticker files <c>{TICKER}.csv</c> with columns <c>date,close</c>.</summary>
    PerTicker,
    /// <summary>A monthly total-return index file (dates on the 1st, no gaps, no empty cells).</summary>
    MonthlyIndex,
}

/// <summary>A rebalancing policy with the name it is reported under.</summary>
public sealed record NamedPolicy(string Name, Policy Policy);

/// <summary>
/// A recurring cash flow: <see cref="Amount"/> (currency units; negative for a withdrawal) on the first date of
/// every new period of <see cref="Every"/> after the start (the same rule as a look schedule), placed by the
/// engine with <see cref="Method"/> unless the date is also a rebalance.
/// </summary>
public sealed record CashFlowSchedule(decimal Amount, LookSchedule Every, CashFlowMethod? Method);

/// <summary>Monte Carlo settings: the generator, its block length (periods), horizon (years), seed and path count.</summary>
public sealed record MonteCarloSettings(string Method = "bootstrap", int BlockLength = 12, int Years = 30, ulong Seed = 1, int Paths = 1000)
{
    /// <summary>Line and column of <c>monteCarlo.method</c> (else of <c>monteCarlo</c>) in the experiment file, for problems with the fit.</summary>
    public (int Line, int Column)? MethodAt { get; init; }
}

/// <summary>Where a tuning grid is evaluated.</summary>
public enum TuneEvaluation
{
    /// <summary>On the experiment's price history (the default).</summary>
    History,
    /// <summary>On Monte Carlo paths drawn with the experiment's <see cref="Experiment.MonteCarlo"/> settings.</summary>
    Paths,
    /// <summary>On history and on Monte Carlo paths, each with its own frontier and best policy.</summary>
    Both,
}

/// <summary>
/// A tuning grid: every combination of <see cref="Absolute"/> × <see cref="Relative"/> bands (fractions; null
/// means "not used"), <see cref="Rails"/> (null: rebalance to target) and <see cref="Looks"/>, judged by
/// <see cref="MaxTrackingError"/> (annualized fraction): the best policy is the cheapest under it.
/// </summary>
public sealed record TuneSettings(
    IReadOnlyList<decimal?> Absolute,
    IReadOnlyList<decimal?> Relative,
    IReadOnlyList<decimal?> Rails,
    IReadOnlyList<LookSchedule> Looks,
    double MaxTrackingError)
{
    /// <summary>Where the grid is evaluated: history (default), Monte Carlo paths, or both.</summary>
    public TuneEvaluation Evaluate { get; init; } = TuneEvaluation.History;

    /// <summary>True when the grid runs on history.</summary>
    public bool OnHistory => Evaluate is TuneEvaluation.History or TuneEvaluation.Both;

    /// <summary>True when the grid runs on Monte Carlo paths.</summary>
    public bool OnPaths => Evaluate is TuneEvaluation.Paths or TuneEvaluation.Both;

    /// <summary>Line and column of <c>tune.evaluate</c> (else of <c>tune</c>) in the experiment file, for problems with the command line.</summary>
    public (int Line, int Column)? EvaluateAt { get; init; }
}

/// <summary>
/// How a backtest estimates taxes: the engine's <see cref="TaxRegime"/>, the order in which sells consume lots
/// (any method but <see cref="LotSelectionMethod.Specific"/>), and each ticker's treatment in the regime (tickers
/// not listed get the regime's default treatment).
/// </summary>
public sealed record TaxSettings(TaxRegime Regime, LotSelectionMethod LotSelection, IReadOnlyDictionary<string, string> TreatmentByTicker)
{
    /// <summary>The treatment name of <paramref name="ticker"/> in <see cref="Regime"/>.</summary>
    public string TreatmentOf(string ticker) => Regime.TreatmentOf(ticker, TreatmentByTicker);
}

/// <summary>
/// A backtest experiment as read from YAML or JSON: price data, the period, starting capital, targets,
/// execution (costs, whole shares), cash flows, the cash rate and the policies to compare.
/// All money in the portfolio currency; rates and weights as fractions.
/// </summary>
public sealed record Experiment
{
    /// <summary>The experiment file (as given), for messages.</summary>
    public required string File { get; init; }
    /// <summary>Report title.</summary>
    public string Name { get; init; } = "Backtest";
    /// <summary>Absolute path of the price data (file or folder).</summary>
    public required string PricesPath { get; init; }
    public PriceFormat PriceFormat { get; init; } = PriceFormat.Wide;
    /// <summary>First date to use (inclusive), or null for the first date with prices for every target.</summary>
    public DateOnly? Start { get; init; }
    /// <summary>Last date to use (inclusive), or null for the last date.</summary>
    public DateOnly? End { get; init; }
    /// <summary>Starting capital, invested at target weights at the first close.</summary>
    public decimal Initial { get; init; } = 100_000m;
    public required IReadOnlyList<TargetWeight> Targets { get; init; }
    public ExecutionOptions Execution { get; init; } = ExecutionOptions.Default;
    public CashFlowSchedule? CashFlows { get; init; }
    /// <summary>Constant annual rate earned by cash (a fraction per year), also the Sharpe ratio's risk-free rate.</summary>
    public double CashRate { get; init; }
    /// <summary>A ticker of the price data whose returns cash earns instead of <see cref="CashRate"/>, or null.</summary>
    public string? CashSeries { get; init; }
    public required IReadOnlyList<NamedPolicy> Policies { get; init; }
    public MonteCarloSettings? MonteCarlo { get; init; }
    /// <summary>Line and column of the <c>start</c> (else <c>end</c>) field in <see cref="File"/>, for date-range problems.</summary>
    public (int Line, int Column, string Field)? RangeAt { get; init; }
    public TuneSettings? Tune { get; init; }
    /// <summary>The tax section, or null when the experiment estimates no taxes.</summary>
    public TaxSettings? Tax { get; init; }

    /// <summary>The target tickers other than CASH, in target order.</summary>
    public IReadOnlyList<string> Assets => [.. Targets.Where(t => t.Ticker != Portfolio.CashTicker).Select(t => t.Ticker)];
}
