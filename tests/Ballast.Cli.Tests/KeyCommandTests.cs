using System.Text.Json;
using Ballast.Store;

namespace Ballast.Cli.Tests;

/// <summary><c>ballast keys create|list|revoke</c> and the checks <c>ballast serve</c> makes before it listens.</summary>
public sealed class KeyCommandTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public KeyCommandTests()
    {
        _cli.Db = Path.Combine(_cli.Directory, "firm.db");
        _cli.Ok("init");
    }

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void KeysCreate_PrintsTheKeyAloneOnTheLastLine_ListShowsOnlyItsPrefix_RevokeStopsIt()
    {
        var output = _cli.Ok("keys", "create", "--tenant", "acme", "--role", "trader");
        var lines = output.TrimEnd('\n').Split('\n');
        Assert.Equal("tenant acme created", lines[0]);
        var key = lines[^1];
        Assert.Matches("^blst_[A-Za-z0-9_-]{43}$", key);
        Assert.DoesNotContain("tenant acme created", _cli.Ok("keys", "create", "--tenant", "acme", "--role", "viewer"), StringComparison.Ordinal);

        var list = _cli.Ok("keys", "list");
        Assert.Contains(key[..11] + "…", list, StringComparison.Ordinal);
        Assert.DoesNotContain(key, list, StringComparison.Ordinal);
        var json = JsonDocument.Parse(_cli.Ok("keys", "list", "--json")).RootElement;
        Assert.Equal(2, json.GetArrayLength());
        Assert.Equal("trader", json[0].GetProperty("role").GetString());
        Assert.Equal(JsonValueKind.Null, json[0].GetProperty("revokedAt").ValueKind);

        var store = BallastStore.Open(new StoreLocation(StoreProvider.Sqlite, $"Data Source={_cli.Db}"));
        Assert.NotNull(store.Authenticate(key));
        Assert.Contains("API key 1", _cli.Ok("keys", "revoke", "1"), StringComparison.Ordinal);
        Assert.Null(store.Authenticate(key));
        var (exit, _, err) = _cli.Run("keys", "revoke", "1");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("already revoked", err, StringComparison.Ordinal);
    }

    [Fact]
    public void KeysCreate_RefusesAnUnknownRole_AndServeABadUrl()
    {
        var (exit, _, err) = _cli.Run("keys", "create", "--tenant", "acme", "--role", "owner");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--role: unknown role 'owner'; roles: viewer, trader, approver, admin", err, StringComparison.Ordinal);
        (exit, _, err) = _cli.Run("serve", "--urls", "ftp://127.0.0.1:1");
        Assert.Equal(ExitCodes.BadInput, exit);
        Assert.Contains("--urls", err, StringComparison.Ordinal);
    }
}
