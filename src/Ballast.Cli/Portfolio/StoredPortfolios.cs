using Ballast.Input;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Store;

namespace Ballast.Cli.Portfolio;

/// <summary>An account read from the store, as the engine sees it, or why it cannot be checked.</summary>
internal sealed record StoredPortfolio(AccountSnapshot Account, Ballast.Portfolios.Portfolio? Portfolio, IReadOnlyList<string> Warnings, string? Error);

/// <summary>
/// Turns account snapshots from the store into engine portfolios: holdings at their latest prices, the model's targets
/// and the account's (or model's) policy. Policies are parsed once per distinct text, since thousands of accounts
/// share a few models.
/// </summary>
internal sealed class StoredPortfolios(DateOnly asOf, int staleDays, Func<Policy, Policy> policyOverride, Func<ExecutionOptions, ExecutionOptions> executionOverride)
{
    private readonly Dictionary<string, (Policy? Policy, string? Error)> _policies = new(StringComparer.Ordinal);
    private readonly Dictionary<IReadOnlyDictionary<string, decimal>, IReadOnlyList<TargetWeight>> _targets = new(ReferenceEqualityComparer.Instance);
    // A policy's target-dependent rules (per-asset bands, inner rails inside the bands), checked once per policy and model.
    private readonly Dictionary<(Policy, IReadOnlyList<TargetWeight>), string?> _policyChecks = new();
    private readonly ExecutionOptions _execution = executionOverride(ExecutionOptions.Default);
    private readonly Dictionary<string, Security> _securities = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ballast.Backtest.Data.PriceTable> _histories = new(StringComparer.Ordinal);

    /// <summary>
    /// Reads the store's closes of some tickers up to the as-of date, for policies whose triggers need market facts
    /// (volatility, performance); null when no store is at hand.
    /// </summary>
    public Func<IReadOnlyCollection<string>, IReadOnlyList<PriceQuote>>? PriceHistory { get; set; }

    public StoredPortfolio Convert(AccountSnapshot a)
    {
        if (a.Targets is null || a.Targets.Count == 0)
            return new StoredPortfolio(a, null, [], $"{a.Name} follows no model: assign one with 'ballast model assign'");
        var (policy, policyError) = PolicyFor(a.Policy);
        if (policy is null) return new StoredPortfolio(a, null, [], $"{a.Name}: the stored policy is not valid: {policyError}");

        List<string>? warnings = null;
        var positions = new Position[a.Holdings.Count];
        // Every account sees the same latest prices on the as-of date, so one securities table serves them all;
        // an account whose price for a ticker differs gets a table of its own.
        var securities = _securities;
        for (var i = 0; i < a.Holdings.Count; i++)
        {
            var h = a.Holdings[i];
            if (h.Price is not { } price)
                return new StoredPortfolio(a, null, [], $"{a.Name}: {h.Ticker} has no price on or before {asOf:yyyy-MM-dd}: import prices first");
            if (h.PriceDate is { } d && asOf.DayNumber - d.DayNumber > staleDays)
                (warnings ??= []).Add($"{h.Ticker}'s latest price is from {d:yyyy-MM-dd}, more than {staleDays} days before {asOf:yyyy-MM-dd}");
            positions[i] = new Position(h.Ticker, h.Quantity * price, h.Quantity);
            if (!securities.TryGetValue(h.Ticker, out var known))
            {
                securities[h.Ticker] = new Security(h.Ticker, price);
            }
            else if (known.Price != price)
            {
                if (ReferenceEquals(securities, _securities)) securities = new Dictionary<string, Security>(_securities, StringComparer.Ordinal);
                securities[h.Ticker] = new Security(h.Ticker, price);
            }
        }
        if (!_targets.TryGetValue(a.Targets, out var targets))
        {
            targets = a.Targets.Select(t => new TargetWeight(t.Key, t.Value)).ToList();
            _targets[a.Targets] = targets;
        }
        if (!_policyChecks.TryGetValue((policy, targets), out var policyProblem))
        {
            var problems = new List<InputProblem>();
            PortfolioValidator.ValidatePolicy(policy, targets, null, problems);
            _policyChecks[(policy, targets)] = policyProblem = problems.Count > 0 ? string.Join("; ", problems) : null;
        }
        if (policyProblem is not null) return new StoredPortfolio(a, null, [], $"{a.Name}: the stored policy is not valid: {policyProblem}");
        var portfolio = new Ballast.Portfolios.Portfolio
        {
            AsOf = asOf, Currency = a.Currency, Cash = a.Cash, LastRebalanced = a.LastRebalance,
            Positions = positions, Targets = targets, Securities = securities, Policy = policy, Execution = _execution,
        };
        if (NeedsMarketFacts(policy) && PriceHistory is not null)
            portfolio = portfolio with { Market = Ballast.Backtest.Data.LiveMarket.From(History(portfolio), portfolio) };
        return new StoredPortfolio(a, portfolio, (IReadOnlyList<string>?)warnings ?? [], null);
    }

    private static bool NeedsMarketFacts(Policy policy) =>
        policy.Trigger.Kind is TriggerKind.Volatility or TriggerKind.Performance || policy.Trigger.Volatility is { Scaling: not BandScaling.None };

    /// <summary>The store's price history of the portfolio's tickers, read once per set of tickers (accounts on one model share it).</summary>
    private Ballast.Backtest.Data.PriceTable History(Ballast.Portfolios.Portfolio p)
    {
        var tickers = p.Targets.Select(t => t.Ticker).Concat(p.Positions.Select(x => x.Ticker))
            .Where(t => t != Ballast.Portfolios.Portfolio.CashTicker).Distinct().Order(StringComparer.Ordinal).ToList();
        var key = string.Join(',', tickers);
        if (_histories.TryGetValue(key, out var cached)) return cached;
        var quotes = PriceHistory!(tickers);
        var dates = quotes.Select(q => q.Date).Distinct().Order().ToList();
        var row = dates.Select((d, i) => (d, i)).ToDictionary(x => x.d, x => x.i);
        var columns = tickers.Select(_ => Enumerable.Repeat(double.NaN, dates.Count).ToArray()).ToList();
        var column = tickers.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        foreach (var q in quotes) columns[column[q.Ticker]][row[q.Date]] = (double)q.Close;
        return _histories[key] = new Ballast.Backtest.Data.PriceTable("the store's prices", dates, tickers, columns);
    }

    private (Policy?, string?) PolicyFor(string? text)
    {
        var key = text ?? "";
        if (_policies.TryGetValue(key, out var cached)) return cached;
        var read = PolicyReader.ReadText("stored policy", key);
        var entry = read.Ok
            ? (policyOverride(read.Value!), (string?)null)
            : ((Policy?)null, string.Join("; ", read.Problems.Select(p => p.ToString())));
        _policies[key] = entry;
        return entry;
    }
}
