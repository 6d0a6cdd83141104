using System.Text.Json;

namespace Ballast.Cli.Tests;

/// <summary>lots, tax, harvest and the tax side of plan, through the command line.</summary>
public sealed class TaxCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static string Example(string name) => Ballast.Testing.RepositoryPaths.Example(name);

    private JsonDocument Json(params string[] args)
    {
        var (exit, stdout, stderr) = _cli.Run(args);
        Assert.True(exit is 0 or 1, $"exit {exit}: {stderr}");
        return JsonDocument.Parse(stdout);
    }

    private const string WashSale = """
        asOf: 2025-03-31
        taxRegime: { kind: us, shortTermRate: 37%, longTermRate: 20% }
        holdings:
          - { ticker: XYZ, quantity: 100, price: 8.5 }
        targets: { XYZ: 100% }
        transactions:
          - { date: 2025-01-02, type: buy, ticker: XYZ, quantity: 100, price: 10 }
          - { date: 2025-02-03, type: sell, ticker: XYZ, quantity: 100, price: 7.5 }
          - { date: 2025-02-20, type: buy, ticker: XYZ, quantity: 100, price: 8 }
        """;

    [Fact]
    public void Lots_WashSaleGolden_DisallowedLossMovesIntoTheReplacementBasis()
    {
        _cli.Write("wash.yaml", WashSale);
        using var doc = Json("lots", "wash.yaml", "--json");
        var lots = doc.RootElement.GetProperty("lots");
        Assert.Equal(1, lots.GetArrayLength());
        var lot = lots[0];
        Assert.Equal("XYZ", lot.GetProperty("ticker").GetString());
        Assert.Equal("main", lot.GetProperty("account").GetString());
        Assert.Equal("2025-02-20", lot.GetProperty("acquired").GetString());
        Assert.Equal(100m, lot.GetProperty("quantity").GetDecimal());
        Assert.Equal(1050m, lot.GetProperty("costBasis").GetDecimal());
        Assert.Equal(250m, lot.GetProperty("washSaleAdjustment").GetDecimal());
        // Held 32 days (2025-01-02 to 2025-02-03): the replacement's holding period starts 32 days before 2025-02-20.
        Assert.Equal("2025-01-19", lot.GetProperty("holdingPeriodStart").GetString());
    }

    [Fact]
    public void Tax_WashSaleGolden_RecognizesNothingAndReportsTheDisallowedLoss()
    {
        _cli.Write("wash.yaml", WashSale);
        using var doc = Json("tax", "wash.yaml", "--year", "2025", "--json");
        var root = doc.RootElement;
        Assert.Equal(0m, root.GetProperty("realized").GetProperty("short").GetDecimal());
        Assert.Equal(0m, root.GetProperty("realized").GetProperty("long").GetDecimal());
        Assert.Equal(250m, root.GetProperty("disallowedLosses").GetDecimal());
        Assert.Equal(0m, root.GetProperty("estimatedTax").GetDecimal());
        var sale = root.GetProperty("sales")[0];
        Assert.Equal(-250m, sale.GetProperty("gain").GetDecimal());
    }

    [Theory]
    [InlineData("2024-06-30", "short")] // exactly one year: short-term
    [InlineData("2024-06-29", "long")]  // one year and a day: long-term
    public void Tax_HoldingPeriodBoundary(string acquired, string term)
    {
        _cli.Write("hp.yaml", $$"""
            asOf: 2025-07-01
            taxRegime: { kind: us, shortTermRate: 37%, longTermRate: 20% }
            holdings:
              - ticker: ABC
                quantity: 10
                price: 200
                lots:
                  - { acquired: {{acquired}}, quantity: 20, costBasis: 2000 }
            targets: { ABC: 100% }
            transactions:
              - { date: 2025-06-30, type: sell, ticker: ABC, quantity: 10, price: 200 }
            """);
        using var doc = Json("tax", "hp.yaml", "--json");
        var realized = doc.RootElement.GetProperty("realized");
        Assert.Equal(1000m, realized.GetProperty(term).GetDecimal());
        Assert.Equal(0m, realized.GetProperty(term == "short" ? "long" : "short").GetDecimal());
        Assert.Equal(term == "short" ? 370m : 200m, doc.RootElement.GetProperty("estimatedTax").GetDecimal());
    }

    [Theory]
    [InlineData(10_000_000, 1_650_000)]
    [InlineData(3_000_000, 110_000)]
    public void Tax_KoreanOverseasGolden(long gain, long tax)
    {
        _cli.Write("kr.yaml", $$"""
            asOf: 2025-12-31
            currency: KRW
            taxRegime: { kind: kr }
            securities: { VOO: { treatment: overseas }, KODEX: { treatment: domestic-equity } }
            execution: { moneyDecimals: 0 }
            holdings:
              - { ticker: VOO, quantity: 10, price: 1000000 }
              - { ticker: KODEX, quantity: 100, price: 10000 }
            targets: { VOO: 50%, KODEX: 50% }
            transactions:
              - { date: 2025-01-10, type: buy, ticker: VOO, quantity: 20, price: 1000000 }
              - { date: 2025-03-10, type: sell, ticker: VOO, quantity: 10, price: {{1_000_000 + gain / 10}} }
              - { date: 2025-01-10, type: buy, ticker: KODEX, quantity: 200, price: 10000 }
              - { date: 2025-03-10, type: sell, ticker: KODEX, quantity: 100, price: 20000 }
            """);
        using var doc = Json("tax", "kr.yaml", "--json");
        // The domestic-equity gain of 1,000,000 is not taxed; the overseas gain above the 2,500,000 exemption pays 22%.
        Assert.Equal(gain + 1_000_000m, doc.RootElement.GetProperty("realized").GetProperty("short").GetDecimal());
        Assert.Equal(tax, doc.RootElement.GetProperty("estimatedTax").GetDecimal());
    }

    [Fact]
    public void Plan_HouseholdExample_PutsEveryTradeInTheIra()
    {
        using var doc = Json("plan", Example("household.yaml"), "--json");
        var root = doc.RootElement;
        Assert.True(root.GetProperty("trades").GetArrayLength() >= 2);
        var accounts = root.GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        Assert.Equal(["joint", "solo", "ira"], accounts.Keys);
        Assert.Equal(0, accounts["joint"].GetProperty("trades").GetArrayLength());
        Assert.Equal(0, accounts["solo"].GetProperty("trades").GetArrayLength());
        Assert.Equal("tax-deferred", accounts["ira"].GetProperty("type").GetString());
        var iraTrades = accounts["ira"].GetProperty("trades");
        Assert.Equal(root.GetProperty("trades").GetArrayLength(), iraTrades.GetArrayLength());
        Assert.Contains(iraTrades.EnumerateArray(), t => t.GetProperty("side").GetString() == "sell" && t.GetProperty("ticker").GetString() == "BND");
        Assert.Equal(0m, root.GetProperty("estimatedTax").GetDecimal());
        Assert.Equal(0m, root.GetProperty("realizedGain").GetProperty("short").GetDecimal());
        Assert.Equal(0m, root.GetProperty("realizedGain").GetProperty("long").GetDecimal());
        Assert.Empty(root.GetProperty("transfers").EnumerateArray());
        // No account spends cash it does not have.
        foreach (var a in accounts.Values) Assert.True(a.GetProperty("cashAfter").GetDecimal() >= 0m);
    }

    [Fact]
    public void Plan_HouseholdExample_TableListsEachAccount()
    {
        var (exit, stdout, _) = _cli.Run("plan", Example("household.yaml"));
        Assert.Equal(0, exit);
        Assert.Contains("ira (tax-deferred)", stdout);
        Assert.Contains("joint (taxable)", stdout);
        Assert.Contains("Estimated tax: 0.00", stdout);
    }

    [Fact]
    public void Harvest_HouseholdExample_RespectsThePurchaseTenDaysEarlierInTheOtherAccount()
    {
        using var doc = Json("harvest", Example("household.yaml"), "--json");
        var root = doc.RootElement;
        var candidate = Assert.Single(root.GetProperty("candidates").EnumerateArray());
        Assert.Equal("BND", candidate.GetProperty("ticker").GetString());
        Assert.Equal("solo", candidate.GetProperty("account").GetString());
        Assert.Equal(100m, candidate.GetProperty("quantity").GetDecimal());
        Assert.Equal(800m, candidate.GetProperty("loss").GetDecimal());
        Assert.Equal("AGG", candidate.GetProperty("substitute").GetString());
        var held = Assert.Single(root.GetProperty("heldBack").EnumerateArray());
        Assert.Equal("VXUS", held.GetProperty("ticker").GetString());
        Assert.Equal("joint", held.GetProperty("account").GetString());
        Assert.Equal("2025-07-20", held.GetProperty("until").GetString());
        // The 2,400 long-term gain of February absorbs the loss: 800 × 20%.
        Assert.Equal(160m, root.GetProperty("estimatedTaxSaved").GetDecimal());
    }

    [Fact]
    public void Harvest_Thresholds_FromFlagsOverrideTheFile()
    {
        using var doc = Json("harvest", Example("household.yaml"), "--min-loss", "1000", "--json");
        Assert.Empty(doc.RootElement.GetProperty("candidates").EnumerateArray());
        Assert.Equal(0m, doc.RootElement.GetProperty("estimatedTaxSaved").GetDecimal());
    }

    private const string Taxable = """
        asOf: 2025-06-30
        taxRegime: { kind: us, shortTermRate: 37%, longTermRate: 20% }
        lotSelection: fifo
        holdings:
          - ticker: AAA
            quantity: 100
            price: 100
            lots:
              - { acquired: 2020-01-02, quantity: 50, costBasis: 2500 }
              - { acquired: 2025-01-02, quantity: 50, costBasis: 6000 }
          - ticker: BBB
            quantity: 20
            price: 100
            lots:
              - { acquired: 2020-01-02, quantity: 20, costBasis: 2000 }
        targets: { AAA: 50%, BBB: 50% }
        """;

    [Fact]
    public void Plan_SellListsItsLots_AndGainIsProceedsMinusBasis()
    {
        _cli.Write("t.yaml", Taxable);
        using var doc = Json("plan", "t.yaml", "--json");
        var root = doc.RootElement;
        var sell = root.GetProperty("trades").EnumerateArray().Single(t => t.GetProperty("side").GetString() == "sell");
        Assert.Equal("AAA", sell.GetProperty("ticker").GetString());
        Assert.Equal(40m, sell.GetProperty("quantity").GetDecimal());
        var lot = Assert.Single(sell.GetProperty("lots").EnumerateArray()); // FIFO: the 2020 lot
        Assert.Equal("2020-01-02", lot.GetProperty("acquired").GetString());
        Assert.Equal(40m, lot.GetProperty("quantity").GetDecimal());
        Assert.Equal(2000m, lot.GetProperty("costBasis").GetDecimal());
        Assert.Equal(2000m, lot.GetProperty("gain").GetDecimal());
        Assert.Equal("long", lot.GetProperty("term").GetString());
        Assert.Equal(sell.GetProperty("value").GetDecimal() - 2000m, lot.GetProperty("gain").GetDecimal());
        Assert.Equal(2000m, root.GetProperty("realizedGain").GetProperty("long").GetDecimal());
        Assert.Equal(400m, root.GetProperty("estimatedTax").GetDecimal());
        Assert.False(root.TryGetProperty("accounts", out _));
    }

    [Fact]
    public void Plan_TaxAware_SellsTheLossLotInstead()
    {
        _cli.Write("t.yaml", Taxable);
        using var doc = Json("plan", "t.yaml", "--tax-aware", "--json");
        var root = doc.RootElement;
        var sell = root.GetProperty("trades").EnumerateArray().Single(t => t.GetProperty("side").GetString() == "sell");
        var lot = Assert.Single(sell.GetProperty("lots").EnumerateArray());
        Assert.Equal("2025-01-02", lot.GetProperty("acquired").GetString());
        Assert.Equal(-800m, lot.GetProperty("gain").GetDecimal());
        Assert.Equal("short", lot.GetProperty("term").GetString());
        // A net loss with no other gains this year adds no tax (the plain plan's FIFO sale would add 400).
        Assert.Equal(0m, root.GetProperty("estimatedTax").GetDecimal());
        Assert.Equal("tax-min lots", root.GetProperty("taxStrategy").GetString());
    }

    [Fact]
    public void Plan_MaxRealizedGain_TradesAsFarAsTheBudgetAllowsAndSaysWhatIsLeft()
    {
        _cli.Write("t.yaml", Taxable);
        using var doc = Json("plan", "t.yaml", "--max-realized-gain", "500", "--json");
        var root = doc.RootElement;
        var gain = root.GetProperty("realizedGain").GetProperty("short").GetDecimal() + root.GetProperty("realizedGain").GetProperty("long").GetDecimal();
        Assert.True(gain <= 500m, $"gain {gain}");
        Assert.True(gain > 400m, $"gain {gain} leaves budget unused");
        var sell = root.GetProperty("trades").EnumerateArray().Single(t => t.GetProperty("side").GetString() == "sell");
        Assert.True(sell.GetProperty("quantity").GetDecimal() < 40m);
        Assert.Contains(root.GetProperty("warnings").EnumerateArray(), w => w.GetString()!.Contains("left undone", StringComparison.Ordinal));
    }

    [Fact]
    public void Plan_NoShortTermGains_KeepsShortTermGainAtOrBelowZero()
    {
        _cli.Write("s.yaml", """
            asOf: 2025-06-30
            lotSelection: lifo
            holdings:
              - ticker: AAA
                quantity: 100
                price: 100
                lots:
                  - { acquired: 2025-03-03, quantity: 100, costBasis: 5000 }
              - { ticker: BBB, quantity: 20, price: 100 }
            targets: { AAA: 50%, BBB: 50% }
            """);
        using var plain = Json("plan", "s.yaml", "--json");
        Assert.True(plain.RootElement.GetProperty("realizedGain").GetProperty("short").GetDecimal() > 0m);
        using var doc = Json("plan", "s.yaml", "--no-short-term-gains", "--json");
        Assert.True(doc.RootElement.GetProperty("realizedGain").GetProperty("short").GetDecimal() <= 0m);
        Assert.DoesNotContain(doc.RootElement.GetProperty("trades").EnumerateArray(), t => t.GetProperty("side").GetString() == "sell");
    }

    [Fact]
    public void Plan_TaxAware_UsesTheDepositInsteadOfASaleWhenThatSatisfiesTheBands()
    {
        _cli.Write("d.yaml", """
            asOf: 2025-06-30
            taxRegime: { kind: us, shortTermRate: 37%, longTermRate: 20% }
            policy: { trigger: threshold, absolute: 5% }
            holdings:
              - ticker: AAA
                quantity: 60
                price: 100
                lots: [{ acquired: 2020-01-02, quantity: 60, costBasis: 600 }]
              - { ticker: BBB, quantity: 40, price: 100 }
            targets: { AAA: 50%, BBB: 50% }
            """);
        using var plain = Json("plan", "d.yaml", "--deposit", "1500", "--rebalance", "--json");
        Assert.Contains(plain.RootElement.GetProperty("trades").EnumerateArray(), t => t.GetProperty("side").GetString() == "sell");
        Assert.True(plain.RootElement.GetProperty("estimatedTax").GetDecimal() > 0m);
        using var doc = Json("plan", "d.yaml", "--deposit", "1500", "--rebalance", "--tax-aware", "--json");
        var root = doc.RootElement;
        Assert.Equal("buy only", root.GetProperty("taxStrategy").GetString());
        Assert.DoesNotContain(root.GetProperty("trades").EnumerateArray(), t => t.GetProperty("side").GetString() == "sell");
        Assert.Equal(0m, root.GetProperty("estimatedTax").GetDecimal());
        // After buying 1,500 of BBB: AAA 6,000 of 11,500 = 52.2%, inside 45%..55%.
        Assert.All(root.GetProperty("after").EnumerateArray(), h => Assert.InRange(h.GetProperty("weight").GetDecimal(), 0.45m, 0.55m));
    }

    [Fact]
    public void Check_HouseholdExample_WeighsTheHouseholdAsAWhole()
    {
        using var doc = Json("check", Example("household.yaml"), "--json");
        var root = doc.RootElement;
        Assert.True(root.GetProperty("needsRebalancing").GetBoolean());
        // Cash and holdings summed over the three accounts: 1,200 of cash; VXUS 150 + 30 shares.
        Assert.Equal(1200m, root.GetProperty("cash").GetDecimal());
        var vxus = root.GetProperty("positions").EnumerateArray().Single(p => p.GetProperty("ticker").GetString() == "VXUS");
        Assert.Equal(180m, vxus.GetProperty("quantity").GetDecimal());
    }

    [Fact]
    public void UnknownFieldsStayRejected_InAccountsLotsAndTransactions()
    {
        _cli.Write("u.yaml", """
            asOf: 2025-06-30
            lotz: []
            accounts:
              - name: a
                type: taxable
                kind: x
                holdings:
                  - ticker: VTI
                    quantity: 1
                    price: 300
                    lots: [{ acquired: 2024-01-02, quantity: 1, costBasis: 200, basis: 1 }]
                transactions:
                  - { date: 2025-01-02, type: buy, ticker: VTI, quantity: 1, price: 300, fee: 1 }
            targets: { VTI: 100% }
            """);
        var (exit, stdout, stderr) = _cli.Run("lots", "u.yaml");
        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("u.yaml:2:1: lotz: unknown field", stderr);
        Assert.Contains("accounts[0].kind: unknown field", stderr);
        Assert.Contains("accounts[0].holdings[0].lots[0].basis: unknown field", stderr);
        Assert.Contains("accounts[0].transactions[0].fee: unknown field", stderr);
    }

    [Fact]
    public void Plan_WithoutTaxData_KeepsTheOldShape()
    {
        _cli.Write("p.yaml", """
            asOf: 2025-06-30
            holdings:
              - { ticker: AAA, quantity: 100, price: 100 }
              - { ticker: BBB, quantity: 20, price: 100 }
            targets: { AAA: 50%, BBB: 50% }
            """);
        using var doc = Json("plan", "p.yaml", "--json");
        Assert.False(doc.RootElement.TryGetProperty("estimatedTax", out _));
        Assert.False(doc.RootElement.GetProperty("trades")[0].TryGetProperty("lots", out _));
    }
}
