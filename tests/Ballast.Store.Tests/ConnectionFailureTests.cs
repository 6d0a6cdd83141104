using Npgsql;

namespace Ballast.Store.Tests;

/// <summary>PostgreSQL connection failures that need fixing first are <see cref="StoreUnavailableException"/>, never a driver exception.</summary>
public sealed class ConnectionFailureTests
{
    private static string Admin => Environment.GetEnvironmentVariable(PostgresDatabase.Variable)
        ?? throw new InvalidOperationException($"{PostgresDatabase.Variable} is not set: run .ci/postgres.sh");

    private static StoreLocation With(Action<NpgsqlConnectionStringBuilder> change)
    {
        var b = new NpgsqlConnectionStringBuilder(Admin);
        change(b);
        return new StoreLocation(StoreProvider.Postgres, b.ConnectionString);
    }

    [Fact]
    public void WrongPassword_IsUnavailable_OnOpenAndInitialize()
    {
        var location = With(b => b.Password = "not-the-password");
        var open = Assert.Throws<StoreUnavailableException>(() => BallastStore.Open(location));
        Assert.Contains("cannot log in", open.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("not-the-password", open.Message, StringComparison.Ordinal);
        Assert.Throws<StoreUnavailableException>(() => BallastStore.Initialize(location));
    }

    [Fact]
    public void MissingDatabase_IsUnavailable_AndSaysToCreateIt()
    {
        var location = With(b => b.Database = "ballast_missing_" + Guid.NewGuid().ToString("N")[..8]);
        var e = Assert.Throws<StoreUnavailableException>(() => BallastStore.Initialize(location));
        Assert.Contains("does not exist; create the database", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnreachableHost_IsBusy_SoRetryable()
    {
        var location = With(b => { b.Port = 1; b.Timeout = 2; });
        Assert.Throws<StoreBusyException>(() => BallastStore.Open(location));
    }

    [Fact]
    public void ATextFileAsAnSqliteStore_IsUnavailable()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, "not a database\n");
            var location = new StoreLocation(StoreProvider.Sqlite, $"Data Source={path}");
            Assert.Throws<StoreUnavailableException>(() => BallastStore.Open(location));
            Assert.Throws<StoreUnavailableException>(() => BallastStore.Initialize(location));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
