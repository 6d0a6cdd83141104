using System.Text.Json;

namespace Ballast.Cli.Tests;

/// <summary>The stored-account workflow through the command line, on a real SQLite store.</summary>
public sealed class StoreCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;

    public StoreCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Write("prices.csv", "date,VTI,BND\n2025-06-27,300,75\n2025-06-30,310,74\n");
        _cli.Write("policy.yaml", "{ look: daily, trigger: threshold, absolute: 5% }\n");
        _cli.Write("accounts.csv", "account,type,currency,household,model\nalice,taxable,USD,smith,sixty\nbob,tax-deferred,USD,smith,sixty\n");
        // alice: 20 VTI (6,200) + 53 BND (3,922) = 10,122 → 61.3% VTI, within 5pp.
        // bob: 30 VTI (9,300) + 10 BND (740) = 10,040 → 92.6% VTI, far outside.
        _cli.Write("positions.csv", "account,ticker,quantity,cost_basis\nalice,VTI,20,5000\nalice,BND,53,4000\nalice,CASH,0,\nbob,VTI,30,7000\nbob,BND,10,800\nbob,CASH,0,\n");
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("model", "set", "sixty", "--targets", "VTI=60%,BND=40%", "--policy-file", "policy.yaml");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "positions", "positions.csv", "--as-of", "2025-06-30");
    }

    public void Dispose() => _cli.Dispose();

    private (int Exit, string Out, string Err) Run(params string[] args) => _cli.Run([.. args, "--db", _db]);

    private string Ok(params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);
        Assert.True(exit == 0, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        return stdout;
    }

    [Fact]
    public void CheckAll_ListsTheAccountsThatBreach_AndExitsOne()
    {
        var (exit, stdout, _) = Run("check", "--all", "--as-of", "2025-06-30", "--json");

        Assert.Equal(1, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(2, doc.RootElement.GetProperty("accounts").GetInt32());
        Assert.Equal(1, doc.RootElement.GetProperty("needRebalancing").GetInt32());
        var only = Assert.Single(doc.RootElement.GetProperty("results").EnumerateArray());
        Assert.Equal("bob", only.GetProperty("account").GetString());
        Assert.Contains(only.GetProperty("reasons").EnumerateArray(), r => r.GetString()!.StartsWith("VTI at 92.63% is above its band", StringComparison.Ordinal));
    }

    [Fact]
    public void CheckModel_ListsEveryAccountOnTheModelWithItsVerdict()
    {
        var (exit, stdout, _) = Run("check", "--model", "sixty", "--as-of", "2025-06-30");

        Assert.Equal(1, exit);
        Assert.Contains("1 of 2 accounts need rebalancing", stdout);
        Assert.Matches(@"\| bob +\| smith +\| rebalance ", stdout);
        Assert.Matches(@"\| alice +\| smith +\| within ", stdout);
    }

    [Fact]
    public void ModelChange_MakesAccountsBreach()
    {
        Assert.Equal(1, Run("check", "--model", "sixty", "--as-of", "2025-06-30").Exit);
        Ok("model", "set", "sixty", "--targets", "VTI=40%,BND=60%", "--policy-file", "policy.yaml");

        var (exit, stdout, _) = Run("check", "--model", "sixty", "--as-of", "2025-06-30");

        Assert.Equal(1, exit);
        Assert.Contains("2 of 2 accounts need rebalancing", stdout);
    }

    [Fact]
    public void CheckAccount_IsTheSameReportAsAFile()
    {
        var (exit, stdout, _) = Run("check", "--account", "alice", "--as-of", "2025-06-30", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.False(doc.RootElement.GetProperty("needsRebalancing").GetBoolean());
        Assert.Equal(10_122m, doc.RootElement.GetProperty("totalValue").GetDecimal());
    }

    [Fact]
    public void PlanSave_RecordsAProposal_OrdersExport_AndFillsAreIdempotent()
    {
        var (exit, stdout, stderr) = Run("plan", "--account", "bob", "--as-of", "2025-06-30", "--save", "--csv");
        Assert.Equal(0, exit);
        Assert.Contains("bob,VTI,sell,", stdout);
        var id = stderr.Trim().Split(' ').Last();

        var orders = Ok("orders", "export", id, "--csv");
        Assert.Contains("bob,VTI,sell", orders);

        _cli.Write("fills.csv", "execution_id,account,date,ticker,side,quantity,price\nX-1,bob,2025-06-30,VTI,sell,10,310\nX-2,bob,2025-06-30,BND,buy,40,74\n");
        Ok("fills", "import", "fills.csv");
        var again = Ok("fills", "import", "fills.csv");
        Assert.Contains("0 fills recorded, 2 refused as duplicates", again);
        Ok("verify");

        var history = Ok("history", "--account", "bob");
        Assert.Contains("X-1", history);
        var after = Run("check", "--account", "bob", "--as-of", "2025-06-30", "--json");
        using var doc = JsonDocument.Parse(after.Out);
        var quantities = doc.RootElement.GetProperty("positions").EnumerateArray().ToDictionary(p => p.GetProperty("ticker").GetString()!, p => p.GetProperty("quantity").GetDecimal());
        Assert.Equal(20m, quantities["VTI"]);
        Assert.Equal(50m, quantities["BND"]);
        Assert.Contains("proposal", Ok("audit"));
    }

    [Fact]
    public void PlanAll_SkipsAnAccountWithoutAModel_NamingIt_PlansAndSavesTheOthers_AndExitsOne()
    {
        _cli.Write("carol.csv", "account,type,currency,household,model\ncarol,taxable,USD,,\n");
        Ok("import", "accounts", "carol.csv");

        var (exit, stdout, stderr) = Run("plan", "--all", "--as-of", "2025-06-30", "--json", "--save");

        Assert.Equal(1, exit);
        using var doc = JsonDocument.Parse(stdout);
        Assert.Equal(["alice", "bob"], doc.RootElement.GetProperty("accounts").EnumerateArray().Select(a => a.GetProperty("account").GetString()));
        var skipped = Assert.Single(doc.RootElement.GetProperty("skipped").EnumerateArray());
        Assert.Equal("carol", skipped.GetProperty("account").GetString());
        Assert.Contains("follows no model", skipped.GetProperty("reason").GetString());
        Assert.Contains("ballast: not planned: carol: carol follows no model", stderr);
        Assert.Contains("saved proposal 1", stderr);
        Assert.Contains("account bob", Ok("proposals", "list"));
        // One account asked for by name is still an error.
        var (one, _, err) = Run("plan", "--account", "carol", "--as-of", "2025-06-30");
        Assert.Equal(2, one);
        Assert.Contains("--account: carol follows no model", err);
    }

    [Fact]
    public void UnknownAccount_IsBadInput()
    {
        var (exit, stdout, stderr) = Run("check", "--account", "nobody", "--as-of", "2025-06-30");

        Assert.Equal(2, exit);
        Assert.Equal("", stdout);
        Assert.Contains("--account: no account named 'nobody'", stderr);
    }

    [Fact]
    public void FileAndStoreSelection_Together_IsBadInput()
    {
        _cli.Write("p.yaml", "asOf: 2025-06-30\nholdings: []\ncash: 1\ntargets: { A: 100% }\n");
        var (exit, _, stderr) = Run("check", "p.yaml", "--all");

        Assert.Equal(2, exit);
        Assert.Contains("not both", stderr);
    }

    [Fact]
    public void InvalidModelPolicy_IsRefusedWhenTheModelIsSet()
    {
        _cli.Write("bad-policy.yaml", "{ trigger: sometimes }\n");
        var (exit, _, stderr) = Run("model", "set", "odd", "--targets", "VTI=100%", "--policy-file", "bad-policy.yaml");

        Assert.Equal(2, exit);
        Assert.Contains("bad-policy.yaml:1:", stderr);
        Assert.Contains("unknown trigger 'sometimes'", stderr);
    }

    [Fact]
    public void ModelPolicy_WithPerAssetBands_IsCheckedAgainstTheModelsTargets()
    {
        // VTI has a band of its own: valid, since VTI is one of the model's targets.
        _cli.Write("banded.yaml", "{ look: daily, trigger: threshold, absolute: 5%, bands: { VTI: { absolute: 1% } } }\n");
        Ok("model", "set", "sixty", "--targets", "VTI=60%,BND=40%", "--policy-file", "banded.yaml");
        var (exit, stdout, stderr) = Run("check", "--account", "alice", "--as-of", "2025-06-30");
        Assert.DoesNotContain("not valid", stdout + stderr);
        Assert.Equal(1, exit); // 61.3% VTI is outside its own ±1pp band
        Assert.Contains("VTI", stdout);

        // A band for a ticker the model does not hold is refused for the accounts on that model.
        _cli.Write("stray.yaml", "{ look: daily, trigger: threshold, absolute: 5%, bands: { QQQ: { absolute: 2% } } }\n");
        Ok("model", "set", "sixty", "--targets", "VTI=60%,BND=40%", "--policy-file", "stray.yaml");
        var (_, stdout2, stderr2) = Run("check", "--account", "alice", "--as-of", "2025-06-30");
        Assert.Contains("policy.bands.QQQ", stdout2 + stderr2);
    }

    [Fact]
    public void ExportedAccount_IsAPortfolioFileThatChecksTheSame()
    {
        Ok("export", "bob.yaml", "--account", "bob", "--as-of", "2025-06-30");

        var fromFile = _cli.Run("check", "bob.yaml", "--json");
        var fromStore = Run("check", "--account", "bob", "--as-of", "2025-06-30", "--json");

        Assert.Equal(1, fromFile.Exit);
        Assert.Equal(fromStore.Out, fromFile.Out);
    }

    [Fact]
    public void ExportWithoutAccount_WritesOneFilePerAccount()
    {
        Ok("export", "--portfolios", "all/", "--as-of", "2025-06-30");

        Assert.True(File.Exists(Path.Combine(_cli.Directory, "all", "alice.yaml")));
        Assert.Equal(0, _cli.Run("check", "all/alice.yaml").Exit);
        Assert.Equal(1, _cli.Run("check", "all/bob.yaml").Exit);
    }

    [Fact]
    public void PlanHousehold_Json_IsTheHouseholdPlannersPlan()
    {
        // A household is planned as one portfolio by the household planner: the trades go where tax allows (bob's IRA),
        // each account's part is listed, and no cash moves between accounts.
        var (exit, stdout, _) = Run("plan", "--household", "smith", "--as-of", "2025-06-30", "--json");

        Assert.Equal(0, exit);
        using var doc = JsonDocument.Parse(stdout);
        var accounts = doc.RootElement.GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("name").GetString()!);
        Assert.Equal(["alice", "bob"], accounts.Keys.Order().ToArray());
        Assert.Equal("tax-deferred", accounts["bob"].GetProperty("type").GetString());
        Assert.Empty(doc.RootElement.GetProperty("transfers").EnumerateArray());
        Assert.Equal(0m, doc.RootElement.GetProperty("realizedGain").GetProperty("short").GetDecimal() + doc.RootElement.GetProperty("realizedGain").GetProperty("long").GetDecimal());
        Assert.Contains(accounts["bob"].GetProperty("trades").EnumerateArray(), t => t.GetProperty("ticker").GetString() == "VTI" && t.GetProperty("side").GetString() == "sell");
        Assert.Empty(accounts["alice"].GetProperty("trades").EnumerateArray());
    }
}
