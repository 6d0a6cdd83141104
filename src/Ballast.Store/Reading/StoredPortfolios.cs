using Ballast.Input;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Store;

/// <summary>An account read from the store, as the engine sees it, or why it cannot be checked.</summary>
/// <param name="Conversions">The held and target securities whose closes were converted from their currency to the account's.</param>
public sealed record StoredPortfolio(AccountSnapshot Account, Portfolio? Portfolio, IReadOnlyList<string> Warnings, string? Error,
    IReadOnlyList<PriceConversion>? Conversions = null);

/// <summary>A security priced in an account's currency through an FX rate: <paramref name="Price"/> per share in the account's currency.</summary>
public sealed record PriceConversion(string Ticker, FxConversion Fx, decimal Price);

/// <summary>
/// Turns account snapshots from the store into engine portfolios: holdings and every target priced from the store's
/// closes on or before the as-of date (so an account converts the same alone or among others), the model's targets and
/// the account's (or model's) policy. Policies are parsed once per distinct text, since thousands of accounts share a few models.
/// </summary>
public sealed class StoredPortfolios(DateOnly asOf, int staleDays, Func<Policy, Policy> policyOverride, Func<ExecutionOptions, ExecutionOptions> executionOverride)
{
    private readonly Dictionary<string, (Policy? Policy, string? Error)> _policies = new(StringComparer.Ordinal);
    private readonly Dictionary<IReadOnlyDictionary<string, decimal>, IReadOnlyList<TargetWeight>> _targets = new(ReferenceEqualityComparer.Instance);
    // A policy's target-dependent rules (per-asset bands, inner rails inside the bands), checked once per policy and model.
    private readonly Dictionary<(Policy, IReadOnlyList<TargetWeight>), string?> _policyChecks = new();
    private readonly ExecutionOptions _execution = executionOverride(ExecutionOptions.Default);
    // Execution settings per (model text, account text): read once, the account's over the model's, then the flags.
    private readonly Dictionary<(string, string), (ExecutionOptions? Execution, string? Error)> _executions = new();
    private readonly Dictionary<string, Security> _securities = new(StringComparer.Ordinal);

    /// <summary>
    /// Adds market facts (price history) to a portfolio whose policy's triggers need them (volatility, performance);
    /// null leaves such portfolios without them.
    /// </summary>
    public Func<Portfolio, Portfolio>? MarketFacts { get; set; }

    /// <summary>
    /// When true, an account that follows no model converts with no targets (for reading its lots and tax history, which need
    /// no model); when false (the default) such an account is an error, since there is nothing to check or plan it against.
    /// </summary>
    public bool ModelOptional { get; set; }

    /// <summary>Converts every account with the same prices and settings.</summary>
    public StoredPortfolios(DateOnly asOf) : this(asOf, int.MaxValue, p => p, e => e) { }

    public StoredPortfolio Convert(AccountSnapshot a)
    {
        if ((a.Targets is null || a.Targets.Count == 0) && !ModelOptional)
            return new StoredPortfolio(a, null, [], $"{a.Name} follows no model: assign one with 'ballast model assign'");
        var modelTargets = a.Targets ?? NoTargets;
        var (policy, policyError) = PolicyFor(a.Policy);
        if (policy is null) return new StoredPortfolio(a, null, [], $"{a.Name}: the stored policy is not valid: {policyError}");
        var (execution, executionError) = ExecutionFor(a.ModelExecution, a.Execution);
        if (execution is null) return new StoredPortfolio(a, null, [], $"{a.Name}: the stored execution settings are not valid: {executionError}");

        List<string>? warnings = null;
        List<PriceConversion>? conversions = null;
        var positions = new Position[a.Holdings.Count];
        // Every account sees the same latest prices on the as-of date, so one securities table serves them all;
        // an account whose price for a ticker differs gets a table of its own.
        var securities = _securities;
        for (var i = 0; i < a.Holdings.Count; i++)
        {
            var h = a.Holdings[i];
            if (FxProblem(a, h.Ticker, h.Fx, h.Price, ref warnings, ref conversions) is { } fxError) return new StoredPortfolio(a, null, [], fxError);
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
        foreach (var ticker in modelTargets.Keys)
        {
            if (ticker == Portfolio.CashTicker || a.Holdings.Any(h => h.Ticker == ticker)) continue;
            if (a.TargetPrices?.GetValueOrDefault(ticker) is not { } quote)
                return new StoredPortfolio(a, null, [], $"{a.Name}: target {ticker} has no price on or before {asOf:yyyy-MM-dd}: import prices first");
            if (FxProblem(a, ticker, quote.Fx, quote.Close, ref warnings, ref conversions) is { } fxError) return new StoredPortfolio(a, null, [], fxError);
            if (asOf.DayNumber - quote.Date.DayNumber > staleDays)
                (warnings ??= []).Add($"{ticker}'s latest price is from {quote.Date:yyyy-MM-dd}, more than {staleDays} days before {asOf:yyyy-MM-dd}");
            if (!securities.TryGetValue(ticker, out var known))
            {
                securities[ticker] = new Security(ticker, quote.Close);
            }
            else if (known.Price != quote.Close)
            {
                if (ReferenceEquals(securities, _securities)) securities = new Dictionary<string, Security>(_securities, StringComparer.Ordinal);
                securities[ticker] = new Security(ticker, quote.Close);
            }
        }
        if (a.ModelChangedOn is { } changed)
            (warnings ??= []).Add($"model {a.Model} changed (version {a.ModelVersion}, {changed:yyyy-MM-dd}) since the last rebalance: a look is due whatever the schedule");
        if (!_targets.TryGetValue(modelTargets, out var targets))
        {
            targets = modelTargets.Select(t => new TargetWeight(t.Key, t.Value)).ToList();
            _targets[modelTargets] = targets;
        }
        if (!_policyChecks.TryGetValue((policy, targets), out var policyProblem))
        {
            var problems = new List<InputProblem>();
            PortfolioValidator.ValidatePolicy(policy, targets, null, problems);
            _policyChecks[(policy, targets)] = policyProblem = problems.Count > 0 ? string.Join("; ", problems) : null;
        }
        if (policyProblem is not null) return new StoredPortfolio(a, null, [], $"{a.Name}: the stored policy is not valid: {policyProblem}");
        var portfolio = new Portfolio
        {
            AsOf = asOf, Currency = a.Currency, Cash = a.Cash, LastRebalanced = a.LastRebalance,
            // A model change is a look owed now: no previous look counts against the new targets.
            LastLook = a.ModelChangedOn is null ? null : DateOnly.MinValue,
            Positions = positions, Targets = targets, Securities = securities, Policy = policy, Execution = execution,
        };
        if (NeedsMarketFacts(policy) && MarketFacts is not null) portfolio = MarketFacts(portfolio);
        return new StoredPortfolio(a, portfolio, (IReadOnlyList<string>?)warnings ?? [], null, conversions);
    }

    /// <summary>
    /// A close converted from the security's currency: an error when no rate converts it or the price leaves the engine's range;
    /// otherwise a line naming the conversion (and one more when the rate is stale), so that a plan says how it priced the security.
    /// </summary>
    private string? FxProblem(AccountSnapshot a, string ticker, FxConversion? fx, decimal? price, ref List<string>? warnings, ref List<PriceConversion>? conversions)
    {
        if (fx is null) return null;
        if (fx.Rate is not { } rate)
            return $"{a.Name}: no {fx.Pair} rate (nor {fx.To}{fx.From}) on or before {asOf:yyyy-MM-dd} to price {ticker} ({fx.From}) in {fx.To}: import FX rates with 'ballast fx import'";
        if (price is not { } p || p <= 0 || p > Limits.MaxPrice)
            return $"{a.Name}: {ticker} at {Scaled.Format(fx.Close)} {fx.From} converts to {(price is { } x ? Scaled.Format(x) : "nothing")} {fx.To} with {rate.Pair} {Scaled.Format(rate.Rate)}, "
                + $"outside the prices the engine takes ({Limits.MinPrice} to {Limits.MaxPrice:#,0})";
        (conversions ??= []).Add(new PriceConversion(ticker, fx, p));
        (warnings ??= []).Add($"{ticker} is priced in {fx.To}: {Scaled.Format(fx.Close)} {fx.From} {(fx.Inverse ? "/" : "x")} {rate.Pair} {Scaled.Format(rate.Rate)} ({rate.Date:yyyy-MM-dd}) = {Scaled.Format(p)} {fx.To}");
        if (asOf.DayNumber - rate.Date.DayNumber > staleDays)
            warnings.Add($"the {rate.Pair} rate is from {rate.Date:yyyy-MM-dd}, more than {staleDays} days before {asOf:yyyy-MM-dd}");
        return null;
    }

    /// <summary>The model's execution settings, the account's over them, then the command's overrides.</summary>
    private (ExecutionOptions?, string?) ExecutionFor(string? model, string? account)
    {
        if (model is null && account is null) return (_execution, null);
        var key = (model ?? "", account ?? "");
        if (_executions.TryGetValue(key, out var cached)) return cached;
        var fromModel = PortfolioReader.ReadExecutionText("model execution settings", model);
        var read = fromModel.Ok ? PortfolioReader.ReadExecutionText("account execution settings", account, fromModel.Value) : fromModel;
        var entry = read.Ok
            ? (executionOverride(read.Value!), (string?)null)
            : ((ExecutionOptions?)null, string.Join("; ", read.Problems.Select(p => p.ToString())));
        _executions[key] = entry;
        return entry;
    }

    private static readonly IReadOnlyDictionary<string, decimal> NoTargets = new Dictionary<string, decimal>(StringComparer.Ordinal);

    private static bool NeedsMarketFacts(Policy policy) =>
        policy.Trigger.Kind is TriggerKind.Volatility or TriggerKind.Performance || policy.Trigger.Volatility is { Scaling: not BandScaling.None };

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
