using Ballast.Input;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Tests.Policies;

public sealed class WriterTests
{
    private static string Example(string name) => Ballast.Testing.RepositoryPaths.Example(name);

    private static void AssertSame(Portfolio a, Portfolio b)
    {
        Assert.Equal(a.AsOf, b.AsOf);
        Assert.Equal(a.Currency, b.Currency);
        Assert.Equal(a.Cash, b.Cash);
        Assert.Equal(a.LastRebalanced, b.LastRebalanced);
        Assert.Equal(a.Positions, b.Positions);
        Assert.Equal(a.Targets, b.Targets);
        Assert.Equal(a.Execution, b.Execution);
        Assert.Equal(a.Policy.Look, b.Policy.Look);
        Assert.Equal(a.Policy.Trigger.Kind, b.Policy.Trigger.Kind);
        Assert.Equal(a.Policy.Trigger.Band, b.Policy.Trigger.Band);
        Assert.Equal(a.Policy.Trigger.Overrides ?? new Dictionary<string, BandSpec>(), b.Policy.Trigger.Overrides ?? new Dictionary<string, BandSpec>());
        Assert.Equal(a.Policy.Trigger.Volatility, b.Policy.Trigger.Volatility);
        Assert.Equal(a.Policy.RebalanceTo, b.Policy.RebalanceTo);
        Assert.Equal(a.Policy.Rail, b.Policy.Rail);
        foreach (var t in a.Targets)
            Assert.Equal(a.FindSecurity(t.Ticker)?.Price, b.FindSecurity(t.Ticker)?.Price);
    }

    [Theory]
    [InlineData("krw-portfolio.yaml", false)]
    [InlineData("krw-portfolio.yaml", true)]
    [InlineData("sixty-forty.yaml", false)]
    [InlineData("inner-rails.json", true)]
    public void WrittenPortfolio_ReadsBackTheSame(string example, bool json)
    {
        var original = PortfolioReader.ReadFile(Example(example)).GetOrThrow();

        var text = PortfolioWriter.Write(original, json);
        var again = PortfolioReader.Read(json ? "out.json" : "out.yaml", text).GetOrThrow();

        AssertSame(original, again);
    }

    [Fact]
    public void EveryPolicyPart_RoundTrips()
    {
        const string yaml = """
            asOf: 2025-06-30
            cash: 100
            holdings: [ { ticker: A, value: 500 }, { ticker: B, quantity: 4, price: 100, fractional: false } ]
            prices: { C: 12.5 }
            targets: { A: 40%, B: 40%, C: 20% }
            policy: { look: every 14 days, maxIntervalDays: 90, trigger: threshold, absolute: 5%, relative: 25%, bands: { C: { relative: 30% } }, rebalanceTo: inner-rail, rail: 5%, volatility: { window: 30, scaleBands: widen, reference: 12% } }
            execution: { minTrade: 25, cashReserve: 10, commission: 1, commissionBps: 2, halfSpreadBps: 3, method: equalize }
            """;
        var original = PortfolioReader.Read("in.yaml", yaml).GetOrThrow();

        AssertSame(original, PortfolioReader.Read("out.yaml", PortfolioWriter.Write(original, json: false)).GetOrThrow());
        AssertSame(original, PortfolioReader.Read("out.json", PortfolioWriter.Write(original, json: true)).GetOrThrow());
    }
}
