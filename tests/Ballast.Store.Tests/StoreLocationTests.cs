using Ballast.Input;
using Npgsql;

namespace Ballast.Store.Tests;

public sealed class StoreLocationTests
{
    private static string? NoEnvironment(string _) => null;

    [Fact]
    public void Resolve_Nothing_IsBallastDbInWorkingDirectory()
    {
        var location = StoreLocation.Resolve(null, NoEnvironment, "/work/x");
        Assert.Equal(StoreProvider.Sqlite, location.Provider);
        Assert.Equal("/work/x/ballast.db", location.SqlitePath);
    }

    [Fact]
    public void Resolve_EnvironmentVariable_UsedWhenNoFlag_FlagWins()
    {
        string? Env(string name) => name == "BALLAST_DB" ? "/data/env.db" : null;
        Assert.Equal("/data/env.db", StoreLocation.Resolve(null, Env, "/w").SqlitePath);
        Assert.Equal("/w/flag.db", StoreLocation.Resolve("flag.db", Env, "/w").SqlitePath);
    }

    [Fact]
    public void Parse_PostgresUrl_BecomesConnectionString()
    {
        var location = StoreLocation.Parse("postgres://ann:p%40ss@db.example:6543/ledger?sslmode=disable", "/w");
        Assert.Equal(StoreProvider.Postgres, location.Provider);
        var b = new NpgsqlConnectionStringBuilder(location.ConnectionString);
        Assert.Equal(("db.example", 6543, "ledger", "ann", "p@ss"), (b.Host, b.Port, b.Database, b.Username, b.Password));
        Assert.Equal(SslMode.Disable, b.SslMode);
        Assert.Equal("postgres://ann@db.example:6543/ledger", location.ToString());
    }

    [Fact]
    public void Parse_KeyValueConnectionString_IsPostgres()
    {
        var location = StoreLocation.Parse("Host=localhost;Database=ballast", "/w");
        Assert.Equal(StoreProvider.Postgres, location.Provider);
        Assert.Equal(5432, new NpgsqlConnectionStringBuilder(location.ConnectionString).Port);
    }

    [Fact]
    public void Parse_BadUrl_IsInputProblemOnDbFlag()
    {
        var e = Assert.Throws<InputException>(() => StoreLocation.Parse("postgres://", "/w"));
        Assert.Equal("--db", e.Problems[0].Field);
    }

    [Fact]
    public void Scaled_StoresExactly_AndRefusesExtraDecimals()
    {
        Assert.True(Scaled.TryToStored(1234.5678m, Scaled.MoneyScale, out var money));
        Assert.Equal(12_345_678L, money);
        Assert.False(Scaled.TryToStored(0.00001m, Scaled.MoneyScale, out _));
        Assert.Equal(0.1m + 0.2m, Scaled.Money(Scaled.Money(0.1m) + Scaled.Money(0.2m)));
        Assert.Equal(1.0001m, Scaled.Money(Scaled.Money(1.00005m))); // half away from zero
        Assert.Equal(3.3333m, Scaled.Money(Scaled.Notional(3_333_333, 1_000_000))); // 3.333333 shares at 1.00
    }
}
