using Ballast.Input;

namespace Ballast.Tests.Input;

/// <summary>
/// A target weight that looks like a typo (<c>GLD: 1</c>, which is 100%, among percentages) is named: in the "weights
/// sum to" problem, or as a warning when <see cref="ReadOptions.Normalize"/> rescales the weights.
/// </summary>
public sealed class WeightTypoTests
{
    private static string File(string targets) => $"asOf: 2025-06-30\ncash: 1000\ntargets: {targets}\n";

    [Theory]
    [InlineData("{ VOO: 60%, BND: 39%, GLD: 1 }", "GLD: 1 is read as 100%, but as 1% the weights would sum to 100%")]
    [InlineData("{ VOO: 60%, BND: 30%, GLD: 1 }", "GLD: 1 is read as 100% (a bare number is a fraction); did you mean 1%?")]
    [InlineData("{ VOO: 0.6, BND: 0.39, GLD: 1 }", "GLD: 1 is read as 100%, but as 1% the weights would sum to 100%")]
    [InlineData("{ VOO: 0.6, BND: 0.4% }", "BND: 0.4% is read as 0.4%, but as 0.4 the weights would sum to 100%")]
    [InlineData("{ VOO: 60%, BND: 20%, VXUS: 15%, GLD: 0.5 }", "GLD: 0.5 is read as 50%, while the other weights are written as percentages")]
    public void WithoutNormalize_TheSumProblemNamesTheLikelyCulprit(string targets, string culprit)
    {
        var result = PortfolioReader.Read("p.yaml", File(targets));

        var p = Assert.Single(result.Problems);
        Assert.Equal((3, "targets"), (p.Line, p.Field));
        Assert.StartsWith("weights sum to ", p.Message, StringComparison.Ordinal);
        Assert.EndsWith($"(use --normalize to rescale them). Likely culprit: {culprit}", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void WithNormalize_TheLikelyTypoIsAWarningAtTheWeight()
    {
        var result = PortfolioReader.Read("p.yaml", File("{ VOO: 60%, BND: 39%, GLD: 1 }"), new ReadOptions(Normalize: true));

        Assert.True(result.Ok);
        var w = Assert.Single(result.Warnings);
        Assert.Equal("p.yaml:3:37: targets.GLD: 1 is read as 100%, but as 1% the weights would sum to 100% (--normalize rescaled weights that sum to 199%)", w.ToString());
        Assert.Equal(1m / 1.99m, result.Value!.Targets.Single(t => t.Ticker == "GLD").Weight);
    }

    [Theory]
    [InlineData("{ VOO: 60%, BND: 30% }")]             // off, but nothing stands out
    [InlineData("{ VOO: 0.6, BND: 40% }")]             // mixed notation, but it sums to 100%
    [InlineData("{ VOO: 600bp, BND: 9400bp }")]
    public void NoTypo_NoCulpritAndNoWarning(string targets)
    {
        var normalized = PortfolioReader.Read("p.yaml", File(targets), new ReadOptions(Normalize: true));
        var plain = PortfolioReader.Read("p.yaml", File(targets));

        Assert.Empty(normalized.Warnings);
        Assert.DoesNotContain(plain.Problems, p => p.Message.Contains("culprit", StringComparison.Ordinal));
    }

    [Fact]
    public void NormalizingIntoAWeightTooSmall_IsAProblem()
    {
        // 0.000001% of a total of 200.000001% is below the smallest weight.
        var result = PortfolioReader.Read("p.yaml", File("{ VOO: 100%, VTI: 100%, BND: 0.000001% }"), new ReadOptions(Normalize: true));

        Assert.Equal("p.yaml:3:39: targets.BND: rescaled to 0.0000005%, below the smallest weight Ballast accepts (0.000001%)", Assert.Single(result.Problems).ToString());
    }
}
