using Ballast.Input;
using Ballast.Store;

namespace Ballast.Operations.Tests;

/// <summary>The firm's settings as text, and the approval rule applied to a proposal's gross traded value.</summary>
public class FirmSettingsTests
{
    /// <summary>EUR to USD at 1.10 (a stored EURUSD rate); no other pair.</summary>
    private static decimal? ToUsd(decimal amount, string from, string to) =>
        from == to ? amount : (from, to) == ("EUR", "USD") ? amount * 1.10m : null;

    [Theory]
    [InlineData("none", ApprovalRule.None, 0, "", "none")]
    [InlineData(" ALL ", ApprovalRule.All, 0, "", "all")]
    [InlineData("above 50000 USD", ApprovalRule.Above, 50000, "USD", "above 50000 USD")]
    [InlineData("above 50,000.50 eur", ApprovalRule.Above, 50000.5, "EUR", "above 50000.5 EUR")]
    public void ParseApproval_ReadsEachForm_AndWritesItBackTheSame(string text, ApprovalRule rule, double amount, string currency, string stored)
    {
        var a = FirmSettings.ParseApproval(text);
        Assert.Equal((rule, (decimal)amount, currency), (a.Rule, a.Amount, a.Currency));
        Assert.Equal(stored, a.ToString());
        Assert.Equal(a, FirmSettings.ParseApproval(a.ToString()));
    }

    [Theory]
    [InlineData("")]
    [InlineData("some")]
    [InlineData("above")]
    [InlineData("above 50000")]
    [InlineData("above 0 USD")]
    [InlineData("above -1 USD")]
    [InlineData("above 1.00001 USD")]
    [InlineData("above 50000 US")]
    [InlineData("above 50000 dollars")]
    [InlineData("all the proposals")]
    public void ParseApproval_RefusesAnythingElse_NamingTheFlag(string text)
    {
        var e = Assert.Throws<InputException>(() => FirmSettings.ParseApproval(text));
        Assert.Equal("--approval", Assert.Single(e.Problems).Field);
    }

    [Fact]
    public void UnfilledAndNetting_ReadTheirWords_AndRefuseOthersNamingTheFlag()
    {
        Assert.Equal(UnfilledRest.Cancel, FirmSettings.ParseUnfilled("Cancel"));
        Assert.Equal(UnfilledRest.Carry, FirmSettings.ParseUnfilled("carry"));
        Assert.True(FirmSettings.ParseNetting("on"));
        Assert.False(FirmSettings.ParseNetting("OFF"));
        Assert.Equal("--unfilled", Assert.Throws<InputException>(() => FirmSettings.ParseUnfilled("keep")).Problems[0].Field);
        Assert.Equal("--netting", Assert.Throws<InputException>(() => FirmSettings.ParseNetting("yes")).Problems[0].Field);
    }

    [Fact]
    public void Decide_None_ApprovesEveryProposal_All_HoldsEveryOne()
    {
        Assert.Equal(("approval none", (string?)null), FirmSettings.Default.Decide(1_000_000m, "USD", ToUsd));
        var all = FirmSettings.Default with { Approval = new ApprovalSetting(ApprovalRule.All) };
        Assert.Equal(((string?)null, "awaiting approval (all proposals)"), all.Decide(1m, "USD", ToUsd));
    }

    [Fact]
    public void Decide_Above_ComparesTheGrossValueInTheThresholdsCurrency_AndHoldsWhatItCannotValue()
    {
        var above = FirmSettings.Default with { Approval = FirmSettings.ParseApproval("above 50000 USD") };
        Assert.Equal(("approval above 50000 USD: trades 12,000 USD", (string?)null), above.Decide(12_000m, "USD", ToUsd));
        Assert.Equal(("approval above 50000 USD: trades 50,000 USD", (string?)null), above.Decide(50_000m, "USD", ToUsd)); // not above: approved
        Assert.Equal(((string?)null, "awaiting approval (above 50,000 USD): trades 50,000.01 USD"), above.Decide(50_000.01m, "USD", ToUsd));
        // 46,000 EUR at 1.10 is 50,600 USD: above.
        Assert.Equal(((string?)null, "awaiting approval (above 50,000 USD): trades 50,600 USD"), above.Decide(46_000m, "EUR", ToUsd));
        Assert.Equal(((string?)null, "awaiting approval (above 50,000 USD): no KRW/USD rate to value 1,000,000 KRW"), above.Decide(1_000_000m, "KRW", ToUsd));
        Assert.Equal(((string?)null, "awaiting approval (above 50,000 USD): an order has no price to value it"), above.Decide(null, "USD", ToUsd));
    }
}
