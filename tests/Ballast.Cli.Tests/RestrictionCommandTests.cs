using System.Text.Json;
using Spectre.Console;

namespace Ballast.Cli.Tests;

/// <summary><c>ballast restrictions</c>, <c>window hold --household</c>, and <c>plan</c>/<c>check</c> over stored accounts under restrictions.</summary>
public sealed class RestrictionCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();
    private readonly string _db;

    public RestrictionCommandTests()
    {
        _db = Path.Combine(_cli.Directory, "ballast.db");
        _cli.Db = _db;
        _cli.Now = new(2026, 3, 2, 16, 0, 0, TimeSpan.Zero);
        _cli.Width = 200;
        _cli.Write("prices.csv", "date,VTI,BND,VXUS\n2026-02-26,100,100,100\n");
        _cli.Write("policy.yaml", "{ look: daily, trigger: threshold, relative: 20% }\n");
        _cli.Write("accounts.csv", "account,type,currency,household,model\nfree,taxable,USD,,core\nlimited,taxable,USD,smith,core\nspouse,taxable,USD,smith,core\n");
        _cli.Write("positions.csv", "account,ticker,quantity,cost_basis\nfree,VTI,240,1\nfree,BND,60,1\nlimited,VTI,240,1\nlimited,BND,60,1\nspouse,VTI,240,1\nspouse,BND,60,1\n");
        _cli.Write("calendar.yaml", "timeZone: America/New_York\nwindows:\n  - days: [mon, wed, fri]\n    at: \"10:00\"\ncutOff: 30 minutes\nsettlement: T+1\n");
        Ok("init");
        Ok("prices", "import", "prices.csv");
        Ok("model", "set", "core", "--targets", "VTI=60%,BND=40%", "--policy-file", "policy.yaml");
        Ok("import", "accounts", "accounts.csv");
        Ok("import", "positions", "positions.csv", "--as-of", "2026-02-26");
    }

    public void Dispose() => _cli.Dispose();

    private (int Exit, string Out, string Err) Run(params string[] args) => _cli.Run(args);

    private string Ok(params string[] args) => _cli.Ok(args);

    private void Refused(string field, string message, params string[] args)
    {
        var (exit, stdout, stderr) = Run(args);
        Assert.True(exit == 2, $"ballast {string.Join(' ', args)} exited {exit}: {stderr}");
        Assert.Contains($"{field}: {message}", stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stderr, StringComparison.Ordinal);
        Assert.Equal("", stdout);
    }


    private static JsonElement Trades(string planJson) => JsonDocument.Parse(planJson).RootElement.GetProperty("trades");

    [Fact]
    public void PlanAccount_HonoursADoNotBuyRestriction_AndSaysSo()
    {
        var before = Ok("plan", "--account", "limited", "--json");
        Assert.Contains(Trades(before).EnumerateArray(), t => t.GetProperty("ticker").GetString() == "BND" && t.GetProperty("side").GetString() == "buy");

        Assert.Equal("do-not-buy BND on account limited: client's request\n", Ok("restrictions", "add", "--account", "limited", "--ticker", "BND", "--do-not-buy", "--reason", "client's request"));
        var (exit, stdout, stderr) = Run("plan", "--account", "limited", "--json");

        Assert.Equal(0, exit);
        Assert.DoesNotContain(Trades(stdout).EnumerateArray(), t => t.GetProperty("ticker").GetString() == "BND" && t.GetProperty("side").GetString() == "buy");
        Assert.Contains(Trades(stdout).EnumerateArray(), t => t.GetProperty("ticker").GetString() == "VTI" && t.GetProperty("side").GetString() == "sell");
        Assert.Contains("ballast: limited: restricted by do-not-buy BND", stderr, StringComparison.Ordinal);
        // Another account is planned as before: its output does not change.
        Assert.Equal(Ok("plan", "--account", "free", "--json"), before.Replace("limited", "free", StringComparison.Ordinal));
    }

    [Fact]
    public void PlanAll_SkipsAHeldHousehold_AndAnAccountOnAModelTargetingAnUntradableSecurity()
    {
        Assert.Equal("household smith held: estate\n", Ok("window", "hold", "--household", "smith", "--reason", "estate"));

        var (exit, stdout, stderr) = Run("plan", "--all", "--csv");

        Assert.Equal(1, exit);
        Assert.Contains("free,VTI,sell", stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("limited,", stdout, StringComparison.Ordinal);
        Assert.Contains("ballast: not planned: limited: hold: household smith: estate", stderr, StringComparison.Ordinal);
        Assert.Contains("ballast: not planned: spouse: hold: household smith: estate", stderr, StringComparison.Ordinal);

        Ok("window", "hold", "--household", "smith", "--clear");
        Ok("restrictions", "add", "--firm", "--ticker", "BND", "--untradable", "--reason", "halted");
        var check = Run("check", "--all");
        Assert.Equal(1, check.Exit);
        Assert.Contains("restricted: model core needs adjustment: BND is untradable", check.Out, StringComparison.Ordinal);
        Assert.Contains("model core needs adjustment: BND is untradable", Ok("restrictions", "list"), StringComparison.Ordinal);
    }

    [Fact]
    public void Restrictions_AddListRemove()
    {
        Ok("restrictions", "add", "--household", "smith", "--ticker", "vti", "--max-weight", "25%");
        Ok("restrictions", "add", "--account", "free", "--ticker", "BND", "--do-not-sell");

        var json = JsonDocument.Parse(Ok("restrictions", "list", "--account", "limited", "--json")).RootElement;
        var only = Assert.Single(json.GetProperty("restrictions").EnumerateArray());
        Assert.Equal(("household", "smith", "VTI", "max-weight"), (only.GetProperty("scope").GetString(), only.GetProperty("name").GetString(),
            only.GetProperty("ticker").GetString(), only.GetProperty("kind").GetString()));
        Assert.Equal(0.25m, only.GetProperty("maxWeight").GetDecimal());
        Assert.Contains("do-not-sell BND", Ok("restrictions", "list"), StringComparison.Ordinal);

        Assert.Equal("removed max-weight VTI on household smith\n", Ok("restrictions", "remove", "--household", "smith", "--ticker", "VTI", "--max-weight"));
        Assert.Equal("no restrictions\n", Ok("restrictions", "list", "--account", "limited"));
    }

    [Fact]
    public void Restrictions_BadInput_ExitsTwoNamingTheField()
    {
        Refused("--account", "no account named 'nobody'", "restrictions", "add", "--account", "nobody", "--ticker", "VTI", "--do-not-buy");
        Refused("--household", "no household named 'nobody'", "restrictions", "add", "--household", "nobody", "--ticker", "VTI", "--do-not-buy");
        Refused("--ticker", "no security with ticker 'ZZZ'", "restrictions", "add", "--account", "free", "--ticker", "ZZZ", "--do-not-buy");
        Refused("--max-weight", "must be from 0% to 100% (got 150%)", "restrictions", "add", "--account", "free", "--ticker", "VTI", "--max-weight", "150%");
        Refused("--max-weight", "must be from 0% to 100% (got -5%)", "restrictions", "add", "--account", "free", "--ticker", "VTI", "--max-weight", "-5%");
        Refused("--untradable", "an untradable security is firm-wide: use --firm", "restrictions", "add", "--account", "free", "--ticker", "VTI", "--untradable");
        Refused("--do-not-buy", "give one of", "restrictions", "add", "--account", "free", "--ticker", "VTI");
        Refused("--account", "give one of --account, --household or --firm", "restrictions", "add", "--ticker", "VTI", "--do-not-buy");
        Refused("--account", "no account named 'nobody'", "restrictions", "list", "--account", "nobody");
        Refused("--household", "no household named 'nobody'", "window", "hold", "--household", "nobody", "--reason", "x");
        Assert.Equal("no restrictions\n", Ok("restrictions", "list"));
    }
}
