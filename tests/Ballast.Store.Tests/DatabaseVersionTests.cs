using Ballast.Store.Data;
using Microsoft.Data.Sqlite;

namespace Ballast.Store.Tests;

/// <summary>The SQLite library the store embeds, and the database version a store reports.</summary>
public sealed class SqliteVersionTests
{
    [Fact]
    public void The_store_reports_the_SQLite_version_it_embeds()
    {
        var version = BallastStore.SqliteVersion;
        Assert.Matches(@"^3\.\d+\.\d+$", version);
        // The bundle moved from SQLite 3.35.5 (2021) to a current one; the README names the exact version.
        Assert.True(Version.Parse(version) >= new Version(3, 46), $"SQLite {version} is older than 3.46");

        using var c = new SqliteConnection("Data Source=:memory:");
        c.Open();
        Assert.Equal(version, c.Query("SELECT sqlite_version()", r => r.GetString(0)).Single());
    }

    [Fact]
    public void A_list_after_IN_becomes_one_parameter_per_element_on_SQLite()
    {
        using var c = new SqliteConnection("Data Source=:memory:");
        c.Open();
        c.Execute("CREATE TABLE t (id INTEGER NOT NULL, name TEXT NULL)");
        c.Execute("INSERT INTO t VALUES (1, 'a'), (2, NULL), (3, 'c')");
        Assert.Equal([1L, 3L], c.Query("SELECT id FROM t WHERE id IN @ids ORDER BY id", new { ids = new long[] { 3, 1, 9 } }, r => r.GetInt64(0)));
        Assert.Empty(c.Query("SELECT id FROM t WHERE id IN @ids", new { ids = Array.Empty<long>() }, r => r.GetInt64(0)));
        Assert.Equal([(2L, (string?)null)], c.Query("SELECT id, name FROM t WHERE @name IS NULL AND name IS NULL", new { name = (string?)null },
            r => (r.GetInt64(0), r.TextOrNull(1))));
        Assert.Equal(3, c.ScalarLong("SELECT COUNT(*) FROM t WHERE name = @name OR id >= @id", new { name = "a", id = 2 }));
    }
}

public abstract partial class StoreSuite
{
    [Fact]
    public void The_store_names_its_database_and_version()
    {
        var store = NewStore();
        var expected = Location.Provider == StoreProvider.Sqlite ? $"SQLite {BallastStore.SqliteVersion}" : "PostgreSQL ";
        Assert.StartsWith(expected, store.DatabaseVersion, StringComparison.Ordinal);
        Assert.Matches(@"\d+\.\d+", store.DatabaseVersion);
    }
}
