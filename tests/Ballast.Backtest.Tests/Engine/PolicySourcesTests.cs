using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Input;
using Ballast.Policies;

namespace Ballast.Backtest.Tests.Engine;

/// <summary>
/// One policy text means one policy whatever reads it: a portfolio file, the command line's policy flags, a model's
/// stored text, or a backtest experiment. The case is the one that used to differ: a threshold trigger with a band for
/// one asset only, which must keep the 5/25 default band for the others everywhere.
/// </summary>
public sealed class PolicySourcesTests
{
    private const string Text = "{ look: monthly, trigger: threshold, bands: { US_STOCKS: { absolute: 2% } } }";

    private static Policy FromFile(string policy, Func<string, string?>? flags = null)
    {
        var read = PortfolioReader.Read("p.yaml", $$"""
            asOf: 2023-09-01
            holdings: [ { ticker: US_STOCKS, value: 600 }, { ticker: US_10Y, value: 400 } ]
            targets: { US_STOCKS: 60%, US_10Y: 40% }
            policy: {{policy}}
            """);
        Assert.True(read.Problems.Count == 0, string.Join("; ", read.Problems));
        if (flags is null) return read.Value!.Policy;
        var problems = new List<InputProblem>();
        var overrides = PolicyReader.ReadOverrides(flags, problems);
        Assert.Empty(problems);
        return overrides.ApplyTo(read.Value!.Policy);
    }

    private static Experiment FromExperiment(string policy) => ExperimentReader.Parse($$"""
        prices: data/us_stocks_bonds_monthly.csv
        format: monthly-index
        initial: 100000
        targets: { US_STOCKS: 60%, US_10Y: 40% }
        policies:
          p: {{policy}}
        """, "exp.yaml", TestPaths.InRepo("examples"));

    [Fact]
    public void OneText_EverySource_SamePolicy()
    {
        var file = FromFile(Text);
        var stored = PolicyReader.ReadText("stored policy", Text).Value!;
        var experiment = FromExperiment(Text).Policies.Single().Policy;
        // The flags say what the text says about the look and the trigger; the band override comes from the file.
        var flags = FromFile("{ trigger: never, bands: { US_STOCKS: { absolute: 2% } } }",
            name => name switch { "--look" => "monthly", "--trigger" => "threshold", _ => null });

        Assert.Equal(file, stored);
        Assert.Equal(file, experiment);
        Assert.Equal(file, flags);
        foreach (var policy in new[] { file, stored, experiment, flags })
        {
            Assert.Equal(new BandSpec(0.02m, null), policy.Trigger.BandFor("US_STOCKS"));
            Assert.Equal(Policy.DefaultBand, policy.Trigger.BandFor("US_10Y"));
        }
    }

    [Fact]
    public void OneText_BacktestsLikeTheSameTextWrittenOut()
    {
        // The band override and the default band written out in full give the same run over 1926-2023.
        var implicitDefault = FromExperiment(Text);
        var written = FromExperiment("{ look: monthly, trigger: threshold, absolute: 5%, relative: 25%, bands: { US_STOCKS: { absolute: 2% } } }");
        var market = Market.From(implicitDefault, ExperimentReader.LoadPrices(implicitDefault));
        var backtester = Backtester.For(implicitDefault, market);

        var a = backtester.Run("implicit", implicitDefault.Policies.Single().Policy);
        var b = backtester.Run("written", written.Policies.Single().Policy);

        Assert.Equal(b.RebalanceDates, a.RebalanceDates);
        Assert.True(a.Rebalances > 60, $"{a.Rebalances} rebalances");
    }

    [Theory]
    [InlineData("--relative", "500", "a relative band of 500 is too large (at most 1,000%)")]
    [InlineData("--absolute", "150%", "an absolute band of 150% is too large (at most 100%)")]
    [InlineData("--rail", "1", "a rail of 1 is too large (must be under 100%)")]
    [InlineData("--max-interval", "0", "whole number of days")]
    [InlineData("--trigger", "sometimes", "unknown trigger")]
    public void Flags_HaveTheFileFieldsRanges(string flag, string value, string message)
    {
        var problems = new List<InputProblem>();

        PolicyReader.ReadOverrides(name => name == flag ? value : null, problems);

        Assert.Contains(problems, p => p.Field == flag && p.Message.Contains(message, StringComparison.Ordinal));
    }
}
