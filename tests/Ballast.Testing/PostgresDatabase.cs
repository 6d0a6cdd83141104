using Ballast.Store;

namespace Ballast.Testing;

/// <summary>
/// A database created for one test on the PostgreSQL server named by <c>BALLAST_TEST_PG</c> (run <c>.ci/postgres.sh</c>),
/// dropped on dispose; the store, service and cluster tests all make theirs with it.
/// </summary>
public sealed class PostgresDatabase : IDisposable
{
    public const string Variable = "BALLAST_TEST_PG";
    private readonly string _admin;
    private readonly string _name = "ballast_test_" + Guid.NewGuid().ToString("N")[..16];

    public PostgresDatabase()
    {
        _admin = Environment.GetEnvironmentVariable(Variable)
            ?? throw new InvalidOperationException($"{Variable} is not set: the PostgreSQL tests need a server. Run: export {Variable}=\"$(.ci/postgres.sh)\" and test again.");
        using var c = new Npgsql.NpgsqlConnection(_admin);
        c.Open();
        using (var cmd = new Npgsql.NpgsqlCommand($"CREATE DATABASE {_name}", c)) cmd.ExecuteNonQuery();
        Location = new StoreLocation(StoreProvider.Postgres, new Npgsql.NpgsqlConnectionStringBuilder(_admin) { Database = _name }.ConnectionString);
    }

    public StoreLocation Location { get; }

    /// <summary>A second database, a copy of this one (PostgreSQL's <c>CREATE DATABASE ... TEMPLATE</c>): an identical store at once.</summary>
    public PostgresDatabase Copy()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        return new PostgresDatabase(this);
    }

    private PostgresDatabase(PostgresDatabase template)
    {
        _admin = template._admin;
        using var c = new Npgsql.NpgsqlConnection(_admin);
        c.Open();
        using (var cmd = new Npgsql.NpgsqlCommand($"CREATE DATABASE {_name} TEMPLATE {template._name}", c)) cmd.ExecuteNonQuery();
        Location = new StoreLocation(StoreProvider.Postgres, new Npgsql.NpgsqlConnectionStringBuilder(_admin) { Database = _name }.ConnectionString);
    }

    /// <summary>The first column of the first row of <paramref name="sql"/> as a 64-bit integer (0 for no row), read on a connection of its own.</summary>
    public long Scalar(string sql)
    {
        using var c = new Npgsql.NpgsqlConnection(Location.ConnectionString);
        c.Open();
        using var cmd = new Npgsql.NpgsqlCommand(sql, c);
        return Convert.ToInt64(cmd.ExecuteScalar() ?? 0L, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>A <c>postgres://</c> URL of the database, as <c>--db</c> takes it.</summary>
    public string Url
    {
        get
        {
            var b = new Npgsql.NpgsqlConnectionStringBuilder(Location.ConnectionString);
            return $"postgres://{Uri.EscapeDataString(b.Username!)}:{Uri.EscapeDataString(b.Password ?? "")}@{b.Host}:{b.Port}/{b.Database}";
        }
    }

    public void Dispose()
    {
        Npgsql.NpgsqlConnection.ClearAllPools();
        using var c = new Npgsql.NpgsqlConnection(_admin);
        c.Open();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var cmd = new Npgsql.NpgsqlCommand($"DROP DATABASE IF EXISTS {_name} WITH (FORCE)", c);
                cmd.ExecuteNonQuery();
                return;
            }
            catch (Npgsql.PostgresException) when (attempt < 5)
            {
                Thread.Sleep(200 * attempt); // a background worker may still be in the database
            }
        }
    }
}
