using System.Collections;
using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;

namespace Ballast.Store.Data;

/// <summary>
/// The store's SQL calls: commands with named parameters taken from an object's public properties (usually an
/// anonymous type, <c>new { account, id = 3 }</c>), rows read by an explicit function of the reader, and scalars.
/// Nothing is generated at run time, so the store runs the same under JIT and in a Native AOT build: parameter types
/// are kept for reflection by their annotation, and rows are built by the caller's code, not by reflection.
/// </summary>
/// <remarks>
/// A parameter is bound only when the SQL names it (<c>@name</c>). A list (any enumerable but a string) after
/// <c>IN</c> expands to one parameter per element for SQLite, <c>IN (@ids0, @ids1, ...)</c>; PostgreSQL queries
/// say <c>= ANY(@ids)</c> instead (<see cref="WriteScope"/> rewrites them) and get the list as one array.
/// </remarks>
internal static partial class Sql
{
    private const DynamicallyAccessedMemberTypes ParameterMembers = DynamicallyAccessedMemberTypes.PublicProperties;

    public static int Execute(this DbConnection c, string sql, DbTransaction? transaction = null)
    {
        using var lease = Lease(c, sql, transaction);
        return lease.Command.ExecuteNonQuery();
    }

    public static int Execute<[DynamicallyAccessedMembers(ParameterMembers)] TParam>(this DbConnection c, string sql, TParam param, DbTransaction? transaction = null)
    {
        using var lease = Lease(c, sql, param, transaction);
        return lease.Command.ExecuteNonQuery();
    }

    /// <summary>Every row, read by <paramref name="row"/> (buffered: the reader is closed when this returns).</summary>
    public static List<T> Query<T>(this DbConnection c, string sql, Func<DbDataReader, T> row, DbTransaction? transaction = null)
    {
        using var lease = Lease(c, sql, transaction);
        return ReadAll(lease.Command, row);
    }

    /// <summary>Every row, read by <paramref name="row"/> (buffered: the reader is closed when this returns).</summary>
    public static List<T> Query<[DynamicallyAccessedMembers(ParameterMembers)] TParam, T>(this DbConnection c, string sql, TParam param, Func<DbDataReader, T> row,
        DbTransaction? transaction = null)
    {
        using var lease = Lease(c, sql, param, transaction);
        return ReadAll(lease.Command, row);
    }

    /// <summary>The first column of the first row as a 64-bit integer; null for no row or SQL NULL.</summary>
    public static long? ScalarLong(this DbConnection c, string sql, DbTransaction? transaction = null)
    {
        using var lease = Lease(c, sql, transaction);
        return AsLong(lease.Command.ExecuteScalar());
    }

    /// <summary>The first column of the first row as a 64-bit integer; null for no row or SQL NULL.</summary>
    public static long? ScalarLong<[DynamicallyAccessedMembers(ParameterMembers)] TParam>(this DbConnection c, string sql, TParam param, DbTransaction? transaction = null)
    {
        using var lease = Lease(c, sql, param, transaction);
        return AsLong(lease.Command.ExecuteScalar());
    }

    /// <summary>A reader over the rows; the caller disposes it before the connection.</summary>
    public static DbDataReader ExecuteReader(this DbConnection c, string sql, DbTransaction? transaction = null)
    {
        var cmd = Command(c, sql, transaction);
        return cmd.ExecuteReader(CommandBehavior.Default);
    }

    /// <summary>A reader over the rows; the caller disposes it before the connection.</summary>
    public static DbDataReader ExecuteReader<[DynamicallyAccessedMembers(ParameterMembers)] TParam>(this DbConnection c, string sql, TParam param,
        DbTransaction? transaction = null)
    {
        var cmd = Command(c, sql, param, transaction);
        return cmd.ExecuteReader(CommandBehavior.Default);
    }

    /// <summary>A reader over the rows, opened asynchronously.</summary>
    public static async Task<DbDataReader> ExecuteReaderAsync<[DynamicallyAccessedMembers(ParameterMembers)] TParam>(this DbConnection c, string sql, TParam param,
        CancellationToken cancellationToken)
    {
        var cmd = Command(c, sql, param, null);
        return await cmd.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Column <paramref name="i"/> as text, or null for SQL NULL.</summary>
    public static string? TextOrNull(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    /// <summary>Column <paramref name="i"/> as a 64-bit integer, or null for SQL NULL.</summary>
    public static long? LongOrNull(this DbDataReader r, int i) => r.IsDBNull(i) ? null : r.GetInt64(i);

    private static List<T> ReadAll<T>(DbCommand cmd, Func<DbDataReader, T> row)
    {
        var rows = new List<T>();
        using var reader = cmd.ExecuteReader();
        while (reader.Read()) rows.Add(row(reader));
        return rows;
    }

    private static long? AsLong(object? value) => value switch
    {
        null or DBNull => null,
        long l => l,
        int i => i,
        bool b => b ? 1 : 0,
        _ => Convert.ToInt64(value, CultureInfo.InvariantCulture),
    };

    /// <summary>The compiled commands of a connection that keeps them (<see cref="ReaderPool"/>), by SQL text.</summary>
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbConnection, Dictionary<string, KeptCommand>> Kept = [];

    /// <summary>The most commands a connection keeps: the store's reads are a few dozen texts; anything beyond runs uncached.</summary>
    private const int MaxKept = 256;

    private sealed class KeptCommand(DbCommand command)
    {
        public DbCommand Command { get; } = command;
        public bool InUse { get; set; }
    }

    /// <summary>From now on <paramref name="c"/> keeps the commands run on it outside a transaction, compiled, for the next run of the same SQL.</summary>
    public static void KeepCommands(DbConnection c) => Kept.AddOrUpdate(c, new Dictionary<string, KeptCommand>(StringComparer.Ordinal));

    /// <summary>Disposes the commands <paramref name="c"/> kept (before the connection closes).</summary>
    public static void ForgetCommands(DbConnection c)
    {
        if (!Kept.TryGetValue(c, out var kept)) return;
        foreach (var k in kept.Values) k.Command.Dispose();
        Kept.Remove(c);
    }

    /// <summary>A command to run and then give back: a kept one is reset for its next run, any other is disposed.</summary>
    private readonly struct CommandLease(DbCommand command, KeptCommand? kept) : IDisposable
    {
        public DbCommand Command { get; } = command;

        public void Dispose()
        {
            if (kept is null) Command.Dispose();
            else kept.InUse = false;
        }
    }

    private static CommandLease Lease(DbConnection c, string sql, DbTransaction? transaction) =>
        transaction is null && KeptFor(c, sql) is { } kept ? new(kept.Command, kept) : new(Command(c, sql, transaction), null);

    private static CommandLease Lease<[DynamicallyAccessedMembers(ParameterMembers)] TParam>(DbConnection c, string sql, TParam param, DbTransaction? transaction)
    {
        if (transaction is not null || ParameterList<TParam>.HasList(param) || KeptFor(c, sql) is not { } kept) return new(Command(c, sql, param, transaction), null);
        kept.Command.Parameters.Clear();
        Bind(kept.Command, sql, param);
        return new(kept.Command, kept);
    }

    /// <summary>The command <paramref name="c"/> keeps for <paramref name="sql"/>, marked in use; null when it keeps none or it is in use (a nested run).</summary>
    private static KeptCommand? KeptFor(DbConnection c, string sql)
    {
        if (!Kept.TryGetValue(c, out var kept)) return null;
        if (!kept.TryGetValue(sql, out var k))
        {
            if (kept.Count >= MaxKept) return null;
            var cmd = c.CreateCommand();
            cmd.CommandText = sql;
            kept[sql] = k = new KeptCommand(cmd);
        }
        if (k.InUse) return null;
        k.InUse = true;
        return k;
    }

    private static DbCommand Command(DbConnection c, string sql, DbTransaction? transaction)
    {
        var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = transaction;
        return cmd;
    }

    private static DbCommand Command<[DynamicallyAccessedMembers(ParameterMembers)] TParam>(DbConnection c, string sql, TParam param, DbTransaction? transaction)
    {
        var cmd = Command(c, sql, transaction);
        if (param is null) return cmd;
        cmd.CommandText = Bind(cmd, sql, param);
        return cmd;
    }

    /// <summary>Adds the parameters <paramref name="sql"/> names from <paramref name="param"/>; returns the SQL with its lists expanded.</summary>
    private static string Bind<[DynamicallyAccessedMembers(ParameterMembers)] TParam>(DbCommand cmd, string sql, TParam param)
    {
        if (param is null) return sql;
        var properties = ParameterList<TParam>.Properties;
        var named = ParameterList<TParam>.Named(sql);
        for (var i = 0; i < properties.Length; i++)
        {
            if (!named[i]) continue;
            var p = properties[i];
            var value = p.Property.GetValue(param);
            if (value is IEnumerable list and not string && ListAfterIn(p.Name).IsMatch(sql))
            {
                sql = Expand(cmd, sql, p.Name, list);
                continue;
            }
            var parameter = cmd.CreateParameter();
            parameter.ParameterName = "@" + p.Name;
            parameter.Value = value ?? DBNull.Value;
            if (p.DbType is { } type) parameter.DbType = type;
            cmd.Parameters.Add(parameter);
        }
        return sql;
    }

    /// <summary>Lists longer than this go to SQLite as one JSON array (<c>json_each</c>), under its limit of 32,766 parameters.</summary>
    private const int LongList = 500;

    /// <summary>
    /// Replaces <c>IN @name</c> (SQLite has no arrays): a list of up to <see cref="LongList"/> integers by its literals
    /// (<see cref="IntegerList"/>), any other list by one parameter per element, or, longer, by
    /// <c>IN (SELECT value FROM json_each(@name))</c> with the list as one JSON array, so any length works. (Longer lists of literals
    /// cost more: a window over a million accounts read its facts 15 times slower with its 2,000 ids a batch written out, and a
    /// block of 100,000 proposals took 400 MB more to parse.)
    /// </summary>
    private static string Expand(DbCommand cmd, string sql, string name, IEnumerable list)
    {
        if (cmd is Microsoft.Data.Sqlite.SqliteCommand)
        {
            var items = list.Cast<object?>().ToList();
            if (items.Count is > 0 and <= LongList && items.All(i => i is long or int))
                return ListAfterIn(name).Replace(sql, IntegerList(items));
            if (items.Count > LongList && items.All(i => i is long or int or string))
            {
                var json = new System.Text.StringBuilder("[");
                foreach (var item in items)
                {
                    if (json.Length > 1) json.Append(',');
                    if (item is string text) json.Append(System.Text.Json.JsonSerializer.Serialize(text, SqlJson.Default.String));
                    else json.Append(Convert.ToInt64(item, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                }
                json.Append(']');
                var parameter = cmd.CreateParameter();
                parameter.ParameterName = "@" + name;
                parameter.Value = json.ToString();
                parameter.DbType = DbType.String;
                cmd.Parameters.Add(parameter);
                return ListAfterIn(name).Replace(sql, $"IN (SELECT value FROM json_each(@{name}))");
            }
            list = items;
        }
        var names = new List<string>();
        foreach (var item in list)
        {
            var parameter = cmd.CreateParameter();
            parameter.ParameterName = $"@{name}{names.Count}";
            parameter.Value = item ?? DBNull.Value;
            if (item is not null && TypeOf(item.GetType()) is { } type) parameter.DbType = type;
            cmd.Parameters.Add(parameter);
            names.Add(parameter.ParameterName);
        }
        var replacement = names.Count == 0 ? "IN (SELECT NULL WHERE 1 = 0)" : $"IN ({string.Join(", ", names)})";
        return ListAfterIn(name).Replace(sql, replacement);
    }

    /// <summary>
    /// <c>IN (1, 2, 3)</c>: a list of integers goes into the SQL text as literals. SQLite finds a named parameter by comparing its name
    /// with every name before it, so binding a batch of 500 ids one parameter each cost 125,000 name comparisons, a second and a half
    /// of a 100,000-account import; integers written in invariant digits cannot change what the statement means.
    /// </summary>
    private static string IntegerList(List<object?> items)
    {
        var text = new System.Text.StringBuilder("IN (", 4 + 12 * items.Count);
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) text.Append(", ");
            text.Append(Convert.ToInt64(items[i], CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
        }
        return text.Append(')').ToString();
    }

    private static bool Names(string sql, string name)
    {
        for (var at = sql.IndexOf("@" + name, StringComparison.OrdinalIgnoreCase); at >= 0; at = sql.IndexOf("@" + name, at + 1, StringComparison.OrdinalIgnoreCase))
        {
            var end = at + 1 + name.Length;
            if (end == sql.Length || !(char.IsLetterOrDigit(sql[end]) || sql[end] == '_')) return true;
        }
        return false;
    }

    private static readonly ConcurrentDictionary<string, Regex> InLists = new(StringComparer.Ordinal);

    private static Regex ListAfterIn(string name) =>
        InLists.GetOrAdd(name, n => new Regex($@"\bIN\s+@{Regex.Escape(n)}\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant));

    private static DbType? TypeOf(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(string) => DbType.String,
        var t when t == typeof(long) => DbType.Int64,
        var t when t == typeof(int) => DbType.Int32,
        var t when t == typeof(bool) => DbType.Boolean,
        var t when t == typeof(double) => DbType.Double,
        var t when t == typeof(decimal) => DbType.Decimal,
        _ => null,
    };

    private sealed record ParameterProperty(string Name, PropertyInfo Property, DbType? DbType);

    /// <summary>The readable public properties of a parameter type, found once per type.</summary>
    private static class ParameterList<[DynamicallyAccessedMembers(ParameterMembers)] TParam>
    {
        public static readonly ParameterProperty[] Properties = typeof(TParam).GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(p => p.CanRead && p.GetIndexParameters().Length == 0)
            .Select(p => new ParameterProperty(p.Name, p, TypeOf(p.PropertyType)))
            .ToArray();

        /// <summary>True when some property may hold a list (such a command's SQL depends on the list's length, so it is not kept).</summary>
        private static readonly bool MayHoldList = Properties.Any(p => p.Property.PropertyType != typeof(string) && typeof(IEnumerable).IsAssignableFrom(p.Property.PropertyType)
            || p.Property.PropertyType == typeof(object));

        public static bool HasList(TParam param) => MayHoldList && param is not null;

        private static readonly ConcurrentDictionary<string, bool[]> NamedBy = new(StringComparer.Ordinal);

        /// <summary>Which of <see cref="Properties"/> <paramref name="sql"/> names as parameters, worked out once per SQL text.</summary>
        public static bool[] Named(string sql) =>
            NamedBy.TryGetValue(sql, out var named) ? named
            : NamedBy.Count < 4096 ? NamedBy.GetOrAdd(sql, text => [.. Properties.Select(p => Names(text, p.Name))])
            : [.. Properties.Select(p => Names(sql, p.Name))];
    }
}

/// <summary>Source-generated JSON for the store's SQL layer (no reflection, for Native AOT).</summary>
[System.Text.Json.Serialization.JsonSerializable(typeof(string))]
internal sealed partial class SqlJson : System.Text.Json.Serialization.JsonSerializerContext;
