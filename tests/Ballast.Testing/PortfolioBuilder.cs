using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Testing;

/// <summary>Builds portfolios for tests and benchmarks: value holdings, priced holdings, targets in percent.</summary>
public sealed class PortfolioBuilder
{
    private readonly List<Position> _positions = [];
    private readonly List<TargetWeight> _targets = [];
    private readonly Dictionary<string, Security> _securities = new(StringComparer.Ordinal);
    private DateOnly _asOf = new(2025, 6, 30);
    private DateOnly? _lastRebalanced;
    private decimal _cash;
    private Policy _policy = Ballast.Policies.Policy.Default;
    private ExecutionOptions _execution = ExecutionOptions.Default;
    private string _currency = "USD";

    public PortfolioBuilder Value(string ticker, decimal value)
    {
        _positions.Add(new Position(ticker, value));
        return this;
    }

    public PortfolioBuilder Shares(string ticker, decimal quantity, decimal price, bool fractional = true)
    {
        _positions.Add(new Position(ticker, quantity * price, quantity));
        _securities[ticker] = new Security(ticker, price, fractional);
        return this;
    }

    public PortfolioBuilder Price(string ticker, decimal price, bool fractional = true)
    {
        _securities[ticker] = new Security(ticker, price, fractional);
        return this;
    }

    /// <summary>Target weight in percent (30 means 30%).</summary>
    public PortfolioBuilder Target(string ticker, decimal percent)
    {
        _targets.Add(new TargetWeight(ticker, percent / 100m));
        return this;
    }

    public PortfolioBuilder Cash(decimal cash) { _cash = cash; return this; }
    public PortfolioBuilder Currency(string currency) { _currency = currency; return this; }
    public PortfolioBuilder AsOf(DateOnly date) { _asOf = date; return this; }
    public PortfolioBuilder LastRebalanced(DateOnly date) { _lastRebalanced = date; return this; }
    public PortfolioBuilder Policy(Policy policy) { _policy = policy; return this; }
    public PortfolioBuilder Execution(ExecutionOptions execution) { _execution = execution; return this; }

    public Portfolio Build() => new()
    {
        AsOf = _asOf, Currency = _currency, Cash = _cash, LastRebalanced = _lastRebalanced,
        Positions = [.. _positions], Targets = [.. _targets],
        Securities = new Dictionary<string, Security>(_securities, StringComparer.Ordinal),
        Policy = _policy, Execution = _execution,
    };

    /// <summary>The KRW example: KODEX200 2,800,000 / VOO 4,800,000 / TLT 1,600,000 / GLD 800,000, targets 30/40/20/10.</summary>
    public static PortfolioBuilder KrwExample() => new PortfolioBuilder()
        .Currency("KRW")
        .Value("KODEX200", 2_800_000m).Value("VOO", 4_800_000m).Value("TLT", 1_600_000m).Value("GLD", 800_000m)
        .Target("KODEX200", 30).Target("VOO", 40).Target("TLT", 20).Target("GLD", 10);
}
