using System.Text.Json;

namespace Ballast.Cli.Tests;

/// <summary>
/// The command line acts for the <c>default</c> tenant; <c>--tenant NAME</c> or <c>BALLAST_TENANT</c> picks another existing
/// tenant (one made by <c>ballast keys create --tenant NAME</c>), and an unknown one is refused with exit 2.
/// </summary>
public sealed class TenantCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public TenantCommandTests()
    {
        _cli.Db = Path.Combine(_cli.Directory, "firms.db");
        _cli.Ok("init");
    }

    public void Dispose() => _cli.Dispose();

    private Dictionary<string, decimal> Cash(params string[] args) =>
        JsonDocument.Parse(_cli.Ok(["accounts", "list", "--json", .. args])).RootElement.EnumerateArray()
            .ToDictionary(a => a.GetProperty("name").GetString()!, a => a.GetProperty("cash").GetDecimal());

    [Fact]
    public void Tenant_OptionOrVariable_PicksTheFirmsBook_TheSameNamesLiveInEach_AndAnUnknownTenantIsExit2()
    {
        Assert.Contains("tenant acme created", _cli.Ok("keys", "create", "--tenant", "acme", "--role", "admin"), StringComparison.Ordinal);
        _cli.Write("accounts.csv", "account,type,currency,household\nalice,taxable,USD,smith\n");
        _cli.Write("acme.csv", "account,type,currency,household\nalice,taxable,USD,smith\nbob,tax-free,USD,jones\n");
        _cli.Ok("import", "accounts", "accounts.csv");
        _cli.Ok("import", "accounts", "acme.csv", "--tenant", "acme");
        _cli.Ok("deposit", "100", "--account", "alice", "--date", "2025-06-30");
        _cli.Ok("deposit", "250", "--account", "alice", "--date", "2025-06-30", "--tenant", "acme");

        Assert.Equal(new Dictionary<string, decimal> { ["alice"] = 100m }, Cash());
        Assert.Equal(new Dictionary<string, decimal> { ["alice"] = 100m }, Cash("--tenant", "default"));
        Assert.Equal(new Dictionary<string, decimal> { ["alice"] = 250m, ["bob"] = 0m }, Cash("--tenant", "acme"));
        _cli.Environment["BALLAST_TENANT"] = "acme";
        Assert.Equal(new Dictionary<string, decimal> { ["alice"] = 250m, ["bob"] = 0m }, Cash());
        Assert.Equal(new Dictionary<string, decimal> { ["alice"] = 100m }, Cash("--tenant", "default")); // the option wins
        _cli.Environment.Remove("BALLAST_TENANT");

        // Another tenant's account is as missing as one no tenant has.
        var (exit, _, err) = _cli.Run("deposit", "1", "--account", "bob", "--date", "2025-06-30");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("account 'bob' does not exist", err, StringComparison.Ordinal);

        (exit, var stdout, err) = _cli.Run("accounts", "list", "--tenant", "nope");
        Assert.Equal((ExitCodes.BadInput, ""), (exit, stdout));
        Assert.Contains("--tenant: no tenant named 'nope'", err, StringComparison.Ordinal);
        _cli.Environment["BALLAST_TENANT"] = "nope";
        (exit, _, err) = _cli.Run("accounts", "list");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("BALLAST_TENANT: no tenant named 'nope'", err, StringComparison.Ordinal);
        // Commands on the whole store take no tenant: verify checks every tenant's book, keys name their tenant themselves.
        Assert.Contains("ok:", _cli.Ok("verify"), StringComparison.Ordinal);
        Assert.Contains("tenant beta created", _cli.Ok("keys", "create", "--tenant", "beta", "--role", "viewer"), StringComparison.Ordinal);
    }
}
