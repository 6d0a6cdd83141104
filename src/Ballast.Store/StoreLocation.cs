using Ballast.Input;
using Npgsql;

namespace Ballast.Store;

/// <summary>Which database engine holds a store.</summary>
public enum StoreProvider
{
    /// <summary>An SQLite file (the default: <c>ballast.db</c> in the working directory).</summary>
    Sqlite,
    /// <summary>A PostgreSQL database.</summary>
    Postgres,
}

/// <summary>
/// Where a store lives: a provider and an ADO.NET connection string. Built from <c>--db</c>, the
/// <c>BALLAST_DB</c> environment variable or the default <c>ballast.db</c> by <see cref="Resolve"/>.
/// </summary>
public sealed record StoreLocation(StoreProvider Provider, string ConnectionString)
{
    /// <summary>File name used when neither <c>--db</c> nor <c>BALLAST_DB</c> is given.</summary>
    public const string DefaultFileName = "ballast.db";

    /// <summary>Name of the environment variable that names the store when <c>--db</c> is absent.</summary>
    public const string EnvironmentVariable = "BALLAST_DB";

    /// <summary>
    /// Chooses the store from a <c>--db</c> value (may be null), then <c>BALLAST_DB</c>, then
    /// <c>ballast.db</c> in <paramref name="workingDirectory"/>.
    /// </summary>
    public static StoreLocation Resolve(string? db, Func<string, string?> environment, string workingDirectory)
    {
        var value = string.IsNullOrWhiteSpace(db) ? environment(EnvironmentVariable) : db;
        if (string.IsNullOrWhiteSpace(value)) value = DefaultFileName;
        return Parse(value, workingDirectory);
    }

    /// <summary>
    /// Parses one of: a <c>postgres://user:pass@host:port/db</c> (or <c>postgresql://</c>) URL; a
    /// key/value PostgreSQL connection string (<c>Host=...;Database=...</c>); an SQLite connection string
    /// (<c>Data Source=...</c>); otherwise a path to an SQLite file, resolved against <paramref name="workingDirectory"/>.
    /// </summary>
    /// <exception cref="InputException">The value is a URL or connection string that cannot be read.</exception>
    public static StoreLocation Parse(string value, string workingDirectory)
    {
        ArgumentNullException.ThrowIfNull(value);
        var text = value.Trim();
        if (text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new StoreLocation(StoreProvider.Postgres, FromUrl(text));
        if (text.Contains('=', StringComparison.Ordinal) && text.Contains(';', StringComparison.Ordinal) || text.StartsWith("Host=", StringComparison.OrdinalIgnoreCase))
        {
            if (text.Contains("Data Source", StringComparison.OrdinalIgnoreCase) || text.Contains("DataSource", StringComparison.OrdinalIgnoreCase))
                return new StoreLocation(StoreProvider.Sqlite, text);
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(text);
                if (string.IsNullOrEmpty(builder.Host)) throw new InputException(new InputProblem("a PostgreSQL connection string needs Host=", Field: "--db"));
                return new StoreLocation(StoreProvider.Postgres, builder.ConnectionString);
            }
            catch (ArgumentException e)
            {
                throw new InputException(new InputProblem($"cannot read the connection string: {e.Message}", Field: "--db"));
            }
        }
        var path = Path.GetFullPath(text, workingDirectory);
        return new StoreLocation(StoreProvider.Sqlite, $"Data Source={path}");
    }

    /// <summary>Converts <c>postgres://user:password@host:port/database?key=value</c> to an Npgsql connection string.</summary>
    public static string FromUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new InputException(new InputProblem($"'{url}' is not a postgres://user:password@host:port/database URL", Field: "--db"));
        var builder = new NpgsqlConnectionStringBuilder { Host = uri.Host, Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port };
        var database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (database.Length > 0) builder.Database = database;
        if (uri.UserInfo.Length > 0)
        {
            var parts = uri.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]);
            var val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            try
            {
                builder[key.Equals("sslmode", StringComparison.OrdinalIgnoreCase) ? "SSL Mode" : key] = val;
            }
            catch (ArgumentException)
            {
                throw new InputException(new InputProblem($"unknown connection option '{key}' in the URL", Field: "--db"));
            }
        }
        return builder.ConnectionString;
    }

    /// <summary>The SQLite file path, or null for PostgreSQL.</summary>
    public string? SqlitePath =>
        Provider == StoreProvider.Sqlite ? new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(ConnectionString).DataSource : null;

    /// <summary>A description safe to print: the file, or host/port/database without the password.</summary>
    public override string ToString()
    {
        if (Provider == StoreProvider.Sqlite) return SqlitePath ?? ConnectionString;
        var b = new NpgsqlConnectionStringBuilder(ConnectionString);
        return $"postgres://{b.Username}@{b.Host}:{b.Port}/{b.Database}";
    }
}
