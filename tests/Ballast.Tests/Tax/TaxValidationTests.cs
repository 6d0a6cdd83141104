using static Ballast.Tax.Tests.TaxTestData;

namespace Ballast.Tax.Tests;

public sealed class TaxValidationTests
{
    private const string Holding = "accounts[0].holdings[1]";

    [Fact]
    public void ValidateLots_ReportsEveryProblemWithItsField()
    {
        LotFields[] lots =
        [
            new(10m, 1000m, D("2024-01-02")),
            new(-1m, 100m, D("2024-01-03")),
            new(5m, 500m, D("2025-07-01")),
            new(5m, 50m, D("2024-01-04"), WashSaleAdjustment: 60m),
        ];

        var problems = TaxValidation.ValidateLots(Holding, 20m, lots, asOf: D("2025-06-30"));

        Assert.Equal(
            [$"{Holding}.lots[1].quantity", $"{Holding}.lots[2].acquired", $"{Holding}.lots[3].washSaleAdjustment", $"{Holding}.lots"],
            problems.Select(p => p.Field));
        Assert.Contains("add up to 19", problems[^1].Message);
    }

    [Fact]
    public void ValidateLots_ConsistentLots_NoProblems() =>
        Assert.Empty(TaxValidation.ValidateLots(Holding, 15.5m, [new(10m, 1000m, D("2024-01-02")), new(5.5m, 600m, D("2025-06-30"))], D("2025-06-30")));

    [Fact]
    public void ValidateSubstitutes_SelfPairIdenticalAndDuplicate_Reported()
    {
        KeyValuePair<string, string>[] pairs = [new("VOO", "IVV"), new("BND", "BND"), new("VTI", "ITOT"), new("VOO", "SPLG")];

        var problems = TaxValidation.ValidateSubstitutes("taxLossHarvesting.substitutes", pairs, new IdenticalTickers([["VTI", "ITOT"]]));

        Assert.Equal(
            ["taxLossHarvesting.substitutes[1]", "taxLossHarvesting.substitutes[2]", "taxLossHarvesting.substitutes[3]"],
            problems.Select(p => p.Field));
        Assert.Contains("its own substitute", problems[0].Message);
    }

    [Theory]
    [InlineData("fifo", LotSelectionMethod.Fifo)]
    [InlineData(" LIFO ", LotSelectionMethod.Lifo)]
    [InlineData("hifo", LotSelectionMethod.Hifo)]
    [InlineData("tax-min", LotSelectionMethod.TaxMinimizing)]
    [InlineData("Specific", LotSelectionMethod.Specific)]
    public void TryParse_KnownWords(string word, LotSelectionMethod expected)
    {
        Assert.True(LotSelectionMethods.TryParse(word, "accounts[0].lotSelection", out var method, out var problem));
        Assert.Equal(expected, method);
        Assert.Null(problem);
        Assert.Equal(word.Trim().ToLowerInvariant(), method.ToWord());
    }

    [Theory]
    [InlineData("average")]
    [InlineData("")]
    [InlineData(null)]
    public void TryParse_UnknownWord_ProblemListsAllowedWords(string? word)
    {
        Assert.False(LotSelectionMethods.TryParse(word, "accounts[2].lotSelection", out _, out var problem));

        Assert.NotNull(problem);
        Assert.Equal("accounts[2].lotSelection", problem.Field);
        Assert.Contains("fifo, lifo, hifo, tax-min, specific", problem.Message);
    }

    [Fact]
    public void ValidateTreatment_UnknownName_ListsTheRegimesTreatments()
    {
        var regime = TaxRegime.Korea();

        Assert.Null(TaxValidation.ValidateTreatment(regime, null, "securities[0].treatment"));
        Assert.Null(TaxValidation.ValidateTreatment(regime, TaxRegime.KoreaDomesticEquity, "securities[0].treatment"));
        var problem = TaxValidation.ValidateTreatment(regime, "us-taxable", "securities[3].treatment");
        Assert.NotNull(problem);
        Assert.Equal("securities[3].treatment", problem.Field);
        Assert.Contains("kr-overseas, kr-domestic-equity", problem.Message);
    }

    [Fact]
    public void IdenticalTickers_GroupsSharingATicker_Merge()
    {
        var groups = new IdenticalTickers([["VOO", "IVV"], ["SPLG", "IVV"], ["VTI", "ITOT"]]);

        Assert.True(groups.AreIdentical("VOO", "SPLG"));
        Assert.True(groups.AreIdentical("BND", "BND"));
        Assert.False(groups.AreIdentical("VOO", "VTI"));
        Assert.False(groups.AreIdentical("VOO", "voo"));
    }
}
