using System.Text.Json;

namespace Ballast.Cli.Tests;

/// <summary>
/// lots, tax, harvest and plan's tax flags on stored accounts (a real SQLite store built through imports) give what the
/// same accounts written as a household portfolio file give.
/// </summary>
public sealed class StoredTaxCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;

    // The store's transaction ids, in import order: joint 1-5, solo 6-8, ira 9-10; a lot's id is its buy's id.
    private const string Household = """
        asOf: 2025-06-30
        currency: USD
        policy: { look: daily, trigger: threshold, absolute: 5% }
        prices: { BND: 72, VTI: 300, VXUS: 60 }
        targets: { BND: 20%, VTI: 60%, VXUS: 20% }
        taxRegime: { kind: us, shortTermRate: 37%, longTermRate: 20% }
        identical: [[VXUS, IXUS]]
        substitutes: { VXUS: VEU, BND: AGG }
        harvest: { minLossPercent: 5%, minLoss: 100 }
        accounts:
          - name: ira
            type: tax-deferred
            cash: 6000
            holdings:
              - { ticker: BND, quantity: 300 }
            transactions:
              - { date: 2024-01-02, type: buy, ticker: BND, quantity: 300, price: 80, lotId: "10" }
          - name: joint
            type: taxable
            lotSelection: hifo
            cash: 27850
            holdings:
              - { ticker: VTI, quantity: 80 }
              - { ticker: VXUS, quantity: 100 }
            transactions:
              - { date: 2024-01-02, type: buy, ticker: VTI, quantity: 100, price: 200, lotId: "2" }
              - { date: 2024-01-02, type: buy, ticker: VXUS, quantity: 150, price: 70, lotId: "3" }
              - { date: 2025-02-10, type: sell, ticker: VTI, quantity: 20, price: 280 }
              - { date: 2025-06-10, type: sell, ticker: VXUS, quantity: 50, price: 55 }
          - name: solo
            type: taxable
            cash: 10350
            holdings:
              - { ticker: BND, quantity: 100 }
              - { ticker: VXUS, quantity: 30 }
            transactions:
              - { date: 2024-03-01, type: buy, ticker: BND, quantity: 100, price: 80, lotId: "7" }
              - { date: 2025-06-20, type: buy, ticker: VXUS, quantity: 30, price: 55, lotId: "8" }
        """;

    public StoredTaxCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Write("prices.csv", "date,BND,VTI,VXUS\n2024-01-02,80,200,70\n2025-06-30,72,300,60\n");
        _cli.Write("policy.yaml", "{ look: daily, trigger: threshold, absolute: 5% }\n");
        _cli.Write("accounts.csv", "account,type,currency,household,model,lot_method\njoint,taxable,USD,smith,core,hifo\nsolo,taxable,USD,smith,core,\nira,tax-deferred,USD,smith,core,fifo\n");
        _cli.Write("joint.csv", "date,type,ticker,quantity,price,amount,fee\n2024-01-02,deposit,,,,50000,\n2024-01-02,buy,VTI,100,200,,0\n2024-01-02,buy,VXUS,150,70,,0\n2025-02-10,sell,VTI,20,280,,0\n2025-06-10,sell,VXUS,50,55,,0\n");
        _cli.Write("solo.csv", "date,type,ticker,quantity,price,amount,fee\n2024-01-02,deposit,,,,20000,\n2024-03-01,buy,BND,100,80,,0\n2025-06-20,buy,VXUS,30,55,,0\n");
        _cli.Write("ira.csv", "date,type,ticker,quantity,price,amount,fee\n2024-01-02,deposit,,,,30000,\n2024-01-02,buy,BND,300,80,,0\n");
        _cli.Write("tax.yaml", "taxRegime: { kind: us, shortTermRate: 37%, longTermRate: 20% }\nidentical: [[VXUS, IXUS]]\nsubstitutes: { VXUS: VEU, BND: AGG }\nharvest: { minLossPercent: 5%, minLoss: 100 }\n");
        _cli.Write("household.yaml", Household);
        // joint alone, as a one-account household file.
        var joint = Household[..Household.IndexOf("accounts:", StringComparison.Ordinal)] + "accounts:\n" +
            Household[Household.IndexOf("  - name: joint", StringComparison.Ordinal)..Household.IndexOf("  - name: solo", StringComparison.Ordinal)];
        _cli.Write("joint.yaml", joint);
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("model", "set", "core", "--targets", "BND=20%,VTI=60%,VXUS=20%", "--policy-file", "policy.yaml");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "transactions", "joint.csv", "--account", "joint");
        Ok("import", "transactions", "solo.csv", "--account", "solo");
        Ok("import", "transactions", "ira.csv", "--account", "ira");
        Ok("households", "tax", "smith", "tax.yaml");
    }

    public void Dispose() => _cli.Dispose();

    private string Ok(params string[] args)
    {
        var (exit, stdout, stderr) = _cli.Run([.. args, "--db", _db]);
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    private string File(params string[] args)
    {
        var (exit, stdout, stderr) = _cli.Run(args);
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    [Theory]
    [InlineData("plan", "--tax-aware")]
    [InlineData("plan", "--max-realized-gain", "100")]
    [InlineData("plan", "--no-short-term-gains")]
    [InlineData("lots")]
    [InlineData("harvest")]
    [InlineData("tax", "--year", "2025")]
    [InlineData("tax", "--year", "2024")]
    public void StoredHousehold_GivesWhatTheHouseholdFileGives(string command, params string[] flags)
    {
        var stored = Ok([command, "--household", "smith", "--as-of", "2025-06-30", "--json", .. flags]);
        var file = File([command, "household.yaml", "--json", .. flags]);
        Assert.Equal(file, stored);
    }

    [Theory]
    [InlineData("plan", "--tax-aware")]
    [InlineData("plan", "--max-realized-gain", "0")]
    [InlineData("lots")]
    [InlineData("harvest")]
    [InlineData("tax", "--year", "2025")]
    public void StoredAccount_GivesWhatTheOneAccountFileGives(string command, params string[] flags)
    {
        var stored = Ok([command, "--account", "joint", "--as-of", "2025-06-30", "--json", .. flags]);
        var file = File([command, "joint.yaml", "--json", .. flags]);
        Assert.Equal(file, stored);
    }

    [Fact]
    public void AWashSaleAcrossTwoStoredAccounts_IsHeldBack()
    {
        // joint sold VXUS at a loss on 2025-06-10; solo bought VXUS on 2025-06-20: the loss is disallowed into solo's lot.
        using var tax = JsonDocument.Parse(Ok("tax", "--household", "smith", "--as-of", "2025-06-30", "--year", "2025", "--json"));
        Assert.Equal(450m, tax.RootElement.GetProperty("disallowedLosses").GetDecimal());
        // Harvesting joint's VXUS loss now would be a wash sale with solo's purchase: held back.
        using var harvest = JsonDocument.Parse(Ok("harvest", "--household", "smith", "--as-of", "2025-06-30", "--json"));
        var held = Assert.Single(harvest.RootElement.GetProperty("heldBack").EnumerateArray(), h => h.GetProperty("account").GetString() == "joint");
        Assert.Equal("VXUS", held.GetProperty("ticker").GetString());
        Assert.Equal("2025-07-20", held.GetProperty("until").GetString());
        // The household plan buys no VXUS within the window of joint's loss sale, in any account.
        using var plan = JsonDocument.Parse(Ok("plan", "--household", "smith", "--as-of", "2025-06-30", "--json"));
        Assert.DoesNotContain(plan.RootElement.GetProperty("trades").EnumerateArray(), t => t.GetProperty("ticker").GetString() == "VXUS" && t.GetProperty("side").GetString() == "buy");
    }

    [Fact]
    public void TaxCommands_UnderAll_GiveOneResultPerHousehold()
    {
        using var lots = JsonDocument.Parse(Ok("lots", "--all", "--as-of", "2025-06-30", "--json"));
        var result = Assert.Single(lots.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal("smith", result.GetProperty("name").GetString());
        Assert.Equal(5, result.GetProperty("lots").GetArrayLength());
        Assert.Contains("== smith", Ok("harvest", "--all", "--as-of", "2025-06-30"));
    }

    [Fact]
    public void Lots_OfAnAccountWithoutAModel_AreListed_ButItIsNotPlanned()
    {
        _cli.Write("dana.csv", "account,type,currency,lot_method\ndana,taxable,USD,lifo\n");
        Ok("import", "accounts", "dana.csv");
        _cli.Write("dana-tx.csv", "date,type,ticker,quantity,price,amount,fee\n2024-01-02,deposit,,,,5000,\n2024-01-02,buy,VTI,10,200,,0\n2025-06-30,buy,VTI,5,300,,0\n");
        Ok("import", "transactions", "dana-tx.csv", "--account", "dana");
        using var lots = JsonDocument.Parse(Ok("lots", "--account", "dana", "--as-of", "2025-06-30", "--json"));
        Assert.Equal(2, lots.RootElement.GetProperty("lots").GetArrayLength());
        var (exit, _, stderr) = _cli.Run("plan", "--account", "dana", "--as-of", "2025-06-30", "--tax-aware", "--db", _db);
        Assert.Equal(2, exit);
        Assert.Contains("dana follows no model", stderr);
    }

    [Fact]
    public void PlanHouseholdSave_RecordsOneProposalPerAccountWithTrades()
    {
        using var plan = JsonDocument.Parse(Ok("plan", "--household", "smith", "--as-of", "2025-06-30", "--json"));
        var trading = plan.RootElement.GetProperty("accounts").EnumerateArray().Where(a => a.GetProperty("trades").GetArrayLength() > 0)
            .Select(a => a.GetProperty("name").GetString()!).Order().ToArray();
        Assert.NotEmpty(trading);
        var (exit, _, stderr) = _cli.Run("plan", "--household", "smith", "--as-of", "2025-06-30", "--save", "--db", _db);
        Assert.Equal(0, exit);
        Assert.Equal(trading.Length, stderr.Split('\n').Count(l => l.StartsWith("saved proposal ", StringComparison.Ordinal)));
        var list = Ok("proposals", "list");
        foreach (var account in trading) Assert.Contains(account, list);
    }

    [Fact]
    public void LotMethod_IsShownAndSet_AndAChangeLeavesPastSalesAlone()
    {
        Assert.Contains("solo: lot method fifo", Ok("accounts", "lot-method", "solo"));
        Assert.Contains("ira: lot method hifo", Ok("accounts", "lot-method", "ira", "hifo"));
        using (var list = JsonDocument.Parse(Ok("accounts", "list", "--json")))
        {
            var methods = list.RootElement.EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!, a => a.GetProperty("lotMethod").GetString());
            Assert.Equal(("hifo", "hifo", "fifo"), (methods["ira"], methods["joint"], methods["solo"]));
        }
        // joint has sold by hifo; the sales recorded their lots, so switching to fifo leaves its open lots as they are.
        var lots = Ok("lots", "--account", "joint", "--json");
        Assert.Contains("joint: lot method fifo", Ok("accounts", "lot-method", "joint", "fifo"));
        Assert.Equal(lots, Ok("lots", "--account", "joint", "--json"));
        var (exit, _, stderr) = _cli.Run("accounts", "lot-method", "solo", "specific", "--db", _db);
        Assert.Equal(2, exit);
        Assert.Contains("use one of fifo, lifo, hifo, tax-min", stderr);
    }

    [Fact]
    public void HouseholdTax_RefusesBadSettings_NamingTheField()
    {
        _cli.Write("bad.yaml", "taxRegime: { kind: us, shortTermRate: 137% }\n");
        var (exit, _, stderr) = _cli.Run("households", "tax", "smith", "bad.yaml", "--db", _db);
        Assert.Equal(2, exit);
        Assert.Contains("bad.yaml", stderr);
        Assert.Contains("shortTermRate", stderr);
        Assert.Contains("substitutes", Ok("households", "tax", "smith"));
    }
}
