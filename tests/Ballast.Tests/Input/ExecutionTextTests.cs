using Ballast.Input;
using Ballast.Policies;

namespace Ballast.Tests.Input;

/// <summary>Execution settings kept as the text of an <c>execution:</c> block (stored models and accounts), read by the file's reader.</summary>
public sealed class ExecutionTextTests
{
    [Fact]
    public void ReadExecutionText_ReadsOverABaseline_FieldsLeftOutKeepTheBaseline()
    {
        var model = PortfolioReader.ReadExecutionText("model", "wholeShares: true\nminTrade: 100\ncashReserve: 50\n").GetOrThrow();
        var account = PortfolioReader.ReadExecutionText("account", "minTrade: 600\nmoneyDecimals: 0\n", model).GetOrThrow();
        Assert.Equal((true, 600m, 50m, 0), (account.WholeShares, account.MinTrade, account.CashReserve, account.MoneyDecimals));
        Assert.Same(model, PortfolioReader.ReadExecutionText("account", "  \n", model).Value);
        Assert.Equal(ExecutionOptions.Default, PortfolioReader.ReadExecutionText("none", null).Value);
    }

    [Theory]
    [InlineData("minTrade: -1\n", "execution.minTrade")]
    [InlineData("moneyDecimals: 9\n", "execution.moneyDecimals")]
    [InlineData("wholeShare: true\n", "execution.wholeShare")]
    [InlineData("[1, 2]\n", "execution")]
    public void ReadExecutionText_RefusesWhatAFileWouldRefuse(string text, string field)
    {
        var read = PortfolioReader.ReadExecutionText("settings", text);
        Assert.False(read.Ok);
        Assert.Contains(read.Problems, p => p.Field is { } f && f.StartsWith(field, StringComparison.Ordinal));
    }

    [Fact]
    public void ExecutionText_RoundTripsFields_QuotingWhatIsNotPlain()
    {
        var text = PortfolioReader.ExecutionText([new("minTrade", "100"), new("method", "x\ny: 1"), new("commission", "%5")]);
        Assert.Equal("minTrade: 100\nmethod: \"x\\ny: 1\"\ncommission: \"%5\"\n", text);
        Assert.Equal([new("minTrade", "100"), new("method", "x\ny: 1"), new("commission", "%5")], PortfolioReader.ExecutionTextFields(text));
        Assert.Empty(PortfolioReader.ExecutionTextFields(null)!);
        Assert.Null(PortfolioReader.ExecutionTextFields("a: [1]"));
    }
}
