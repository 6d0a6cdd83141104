using Ballast.Testing;

namespace Ballast.Cli.Tests;

/// <summary>check and plan with the triggers that need market facts, idle cash, and cash flows placed first.</summary>
public sealed class TriggerCommandTests
{
    [Fact]
    public void VolatilityTrigger_FiresOnTheShippedHistory()
    {
        // examples/volatility-check.yaml holds 52,000 / 48,000 of US_STOCKS / US_10Y on 2008-12-01. Valued at the last
        // 13 monthly closes of examples/data/us_stocks_bonds_monthly.csv (2007-12-01 .. 2008-12-01), its 12 monthly
        // returns have a sample standard deviation that, times √12, is 0.153123583856848 (worked out separately from
        // the CSV): above the 12% level.
        using var cli = new CliRunner();

        var (exit, stdout, stderr) = cli.Run("check", RepositoryPaths.Example("volatility-check.yaml"), "--json");

        Assert.Equal(1, exit);
        Assert.Equal("", stderr);
        Assert.Contains("realized volatility 15.31% is above 12.00%", stdout);
    }

    [Fact]
    public void VolatilityTrigger_WithoutHistory_WarnsThatItCannotFire()
    {
        using var cli = new CliRunner();
        var file = cli.Write("p.yaml", """
            asOf: 2025-06-30
            holdings: [ { ticker: VOO, value: 600 }, { ticker: BND, value: 400 } ]
            targets: { VOO: 60%, BND: 40% }
            policy: { trigger: volatility, volatility: { level: 20% } }
            """);

        var (exit, stdout, _) = cli.Run("check", file);

        Assert.Equal(0, exit);
        Assert.Contains("needs the portfolio's realized volatility", stdout);
    }

    [Fact]
    public void TriggerVolatilityFlag_WithoutLevel_IsTheSameErrorAsInAFile()
    {
        using var cli = new CliRunner();
        var file = cli.Write("p.yaml", """
            asOf: 2025-06-30
            holdings: [ { ticker: VOO, value: 600 }, { ticker: BND, value: 400 } ]
            targets: { VOO: 60%, BND: 40% }
            """);
        var inFile = cli.Write("q.yaml", File.ReadAllText(file) + "\npolicy: { trigger: volatility }\n");

        var flag = cli.Run("check", file, "--trigger", "volatility");
        var written = cli.Run("check", inFile);

        Assert.Equal(2, flag.Exit);
        Assert.Equal(2, written.Exit);
        Assert.Contains("policy.volatility.level: a volatility trigger needs volatility: { level: ... }", flag.Err);
        Assert.Contains("policy.volatility.level: a volatility trigger needs volatility: { level: ... }", written.Err);
    }

    [Fact]
    public void NothingInvested_CheckExitsOne_AndPlanInvests()
    {
        using var cli = new CliRunner();
        var file = cli.Write("p.yaml", """
            asOf: 2025-06-30
            cash: 10000
            targets: { VOO: 60%, BND: 40% }
            """);

        var check = cli.Run("check", file);
        var plan = cli.Run("plan", file, "--csv");

        Assert.Equal(1, check.Exit);
        Assert.Contains("nothing is invested: 10,000 of cash is waiting to be invested", check.Out);
        Assert.Contains("VOO,buy,,6000.00", plan.Out);
        Assert.Contains("BND,buy,,4000.00", plan.Out);
    }

    [Fact]
    public void KrwDeposit_BuysOnly_WithTheFilesOwnPolicy()
    {
        using var cli = new CliRunner();

        var (exit, stdout, _) = cli.Run("plan", RepositoryPaths.Example("krw-portfolio.yaml"), "--deposit", "1000000", "--csv");

        Assert.Equal(0, exit);
        Assert.Equal(
            "ticker,side,quantity,value\nKODEX200,buy,,357142.86\nTLT,buy,,428571.43\nGLD,buy,,214285.71\n",
            stdout.Replace("\r\n", "\n"));
    }

    [Fact]
    public void StoredAccount_VolatilityTrigger_ReadsTheStoresPrices()
    {
        // 10 VTI and 40 BND at 300 and 75 on 2025-06-30: 3,000 each. Valued at the store's closes
        // (VTI 300, 330, 297, 300; BND 75 throughout) the account is worth 6,000, 6,300, 5,970, 6,000: daily returns of
        // +5%, −5.24% and +0.50%, whose sample standard deviation annualized with √252 is 81.46%, above 30%.
        using var cli = new CliRunner();
        var db = Path.Combine(cli.Directory, "ballast.db");
        cli.Write("prices.csv", "date,VTI,BND\n2025-06-25,300,75\n2025-06-26,330,75\n2025-06-27,297,75\n2025-06-30,300,75\n");
        cli.Write("policy.yaml", "{ look: daily, trigger: volatility, volatility: { window: 3, level: 30% } }\n");
        cli.Write("accounts.csv", "account,type,currency,household,model\ncarol,taxable,USD,,calm\n");
        cli.Write("positions.csv", "account,ticker,quantity,cost_basis\ncarol,VTI,10,2500\ncarol,BND,40,3000\n");
        void Ok(params string[] args)
        {
            var r = cli.Run([.. args, "--db", db]);
            Assert.True(r.Exit == 0, $"ballast {string.Join(' ', args)}: {r.Err}");
        }
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("model", "set", "calm", "--targets", "VTI=50%,BND=50%", "--policy-file", "policy.yaml");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "positions", "positions.csv", "--as-of", "2025-06-30");

        var (exit, stdout, stderr) = cli.Run("check", "--account", "carol", "--as-of", "2025-06-30", "--db", db);

        Assert.True(exit == 1, stderr);
        Assert.Contains("realized volatility 81.46% is above 30.00%", stdout);
    }
}
