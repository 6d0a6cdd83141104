using System.Buffers;
using System.Data.Common;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Ballast.Store.Data;

namespace Ballast.Store.Integrity;

/// <summary>
/// The hash chains over the ledger (<c>transactions</c>) and the audit trail (<c>audit</c>). Each row's <c>row_hash</c> is
/// the lowercase hex SHA-256 of the UTF-8 text
/// <code>
/// ballast-chain-v1\n
/// TABLE\n
/// PREVIOUS\n          (row_hash of the row with the next lower id; empty for the first row)
/// name=VALUE\n        (one line per column that is not NULL, columns in ordinal order of their names, row_hash excluded)
/// </code>
/// where VALUE is <c>i</c> followed by the decimal digits of an integer (with <c>-</c> when negative), or <c>t</c>, the
/// number of UTF-8 bytes of a text, <c>:</c> and the text itself. Leaving out NULL columns means a column added later (NULL
/// in older rows) does not change the hash of the rows written before it; every column a row has is covered.
/// </summary>
internal static class HashChain
{
    public const string Column = "row_hash";
    public const string Transactions = "transactions";
    public const string Audit = "audit";

    /// <summary>The tables that carry a chain.</summary>
    public static readonly string[] Tables = [Transactions, Audit];

    /// <summary>The hash of one row: <paramref name="columns"/> and <paramref name="values"/> in the same order (any order of columns).</summary>
    /// <remarks>
    /// Called once per ledger row written (eleven million for a million accounts' opening positions), so the text is built
    /// as UTF-8 in a reused buffer, with the columns' name order kept for the last column list seen: nothing is allocated but
    /// the hex result.
    /// </remarks>
    public static string Hash(string table, string? previous, IReadOnlyList<string> columns, IReadOnlyList<object?> values)
    {
        var order = NameOrder(columns);
        var text = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        text.ResetWrittenCount();
        Append(text, "ballast-chain-v1\n"u8);
        AppendText(text, table);
        Append(text, "\n"u8);
        if (previous is not null) AppendText(text, previous);
        Append(text, "\n"u8);
        foreach (var i in order)
        {
            var name = columns[i];
            if (name == Column) continue;
            var value = values[i];
            if (value is null or DBNull) continue;
            AppendText(text, name);
            Append(text, "="u8);
            switch (value)
            {
                case long l: Append(text, "i"u8); AppendInteger(text, l); break;
                case int n: Append(text, "i"u8); AppendInteger(text, n); break;
                case short sh: Append(text, "i"u8); AppendInteger(text, sh); break;
                case bool b: Append(text, b ? "i1"u8 : "i0"u8); break;
                case string t:
                    Append(text, "t"u8);
                    AppendInteger(text, Encoding.UTF8.GetByteCount(t));
                    Append(text, ":"u8);
                    AppendText(text, t);
                    break;
                default: throw new InvalidOperationException($"{table}.{name}: a {value.GetType().Name} value cannot be hashed; the store keeps integers and text");
            }
            Append(text, "\n"u8);
        }
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        // One hasher a thread, reset after each row: the one-shot SHA256.HashData sets up and frees the platform's digest state on
        // every call, which cost as much as hashing the row.
        var sha = t_sha256 ??= IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        sha.AppendData(text.WrittenSpan);
        sha.GetHashAndReset(hash);
        return Convert.ToHexStringLower(hash);
    }

    [ThreadStatic] private static IncrementalHash? t_sha256;
    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static IReadOnlyList<string>? t_lastColumns;
    [ThreadStatic] private static int[]? t_lastOrder;

    /// <summary>The positions of <paramref name="columns"/> in ordinal order of their names (kept for the same list seen again).</summary>
    private static int[] NameOrder(IReadOnlyList<string> columns)
    {
        if (ReferenceEquals(columns, t_lastColumns) && t_lastOrder is { } known) return known;
        var order = new int[columns.Count];
        for (var i = 0; i < order.Length; i++) order[i] = i;
        Array.Sort(order, (a, b) => string.CompareOrdinal(columns[a], columns[b]));
        t_lastColumns = columns;
        t_lastOrder = order;
        return order;
    }

    private static void Append(ArrayBufferWriter<byte> to, ReadOnlySpan<byte> bytes) => to.Write(bytes);

    private static void AppendText(ArrayBufferWriter<byte> to, string text)
    {
        var span = to.GetSpan(Encoding.UTF8.GetMaxByteCount(text.Length));
        to.Advance(Encoding.UTF8.GetBytes(text, span));
    }

    private static void AppendInteger(ArrayBufferWriter<byte> to, long value)
    {
        var span = to.GetSpan(20);
        if (!value.TryFormat(span, out var written, default, CultureInfo.InvariantCulture)) throw new InvalidOperationException("an integer did not fit its buffer");
        to.Advance(written);
    }

    /// <summary>The <c>row_hash</c> of the row with the highest id of <paramref name="table"/>, or null when it is empty.</summary>
    public static string? Head(DbConnection c, DbTransaction? tx, string table) =>
        c.Query($"SELECT {Column} FROM {table} WHERE id = (SELECT MAX(id) FROM {table})", r => r.TextOrNull(0), tx).FirstOrDefault();

    /// <summary>
    /// Appends an audit row chained to the previous one, with the ledger's head at this moment. On a store migrated only up to
    /// a version before the chain, the row is written without hash (the migration that adds the chain computes it).
    /// </summary>
    /// <param name="tenant">The tenant the write was made for; null for a store-wide row (a migration). Rows written before migration 14
    /// have no tenant: the hash leaves NULL columns out, so their hashes, computed without the column, still hold.</param>
    public static void AppendAudit(DbConnection c, DbTransaction tx, string at, string actor, string action, string summary, long? tenant)
    {
        if (!HasColumn(c, tx, Audit, Column))
        {
            c.Execute("INSERT INTO audit (id, at, actor, action, summary) VALUES ((SELECT COALESCE(MAX(id), 0) + 1 FROM audit), @at, @actor, @action, @summary)",
                new { at, actor, action, summary }, tx);
            return;
        }
        var last = c.Query("SELECT id, row_hash FROM audit WHERE id = (SELECT MAX(id) FROM audit)", r => (Id: r.GetInt64(0), Hash: r.TextOrNull(1)), tx).FirstOrDefault();
        var id = last.Id + 1;
        var ledgerHead = Head(c, tx, Transactions);
        if (tenant is null)
        {
            string[] columns = ["id", "at", "actor", "action", "summary", "ledger_head"];
            var hash = Hash(Audit, last.Hash, columns, [id, at, actor, action, summary, ledgerHead]);
            c.Execute("INSERT INTO audit (id, at, actor, action, summary, ledger_head, row_hash) VALUES (@id, @at, @actor, @action, @summary, @ledgerHead, @hash)",
                new { id, at, actor, action, summary, ledgerHead, hash }, tx);
            return;
        }
        string[] tenantColumns = ["id", "at", "actor", "action", "summary", "ledger_head", "tenant_id"];
        var tenantHash = Hash(Audit, last.Hash, tenantColumns, [id, at, actor, action, summary, ledgerHead, tenant.Value]);
        c.Execute("INSERT INTO audit (id, at, actor, action, summary, ledger_head, row_hash, tenant_id) VALUES (@id, @at, @actor, @action, @summary, @ledgerHead, @tenantHash, @tenantId)",
            new { id, at, actor, action, summary, ledgerHead, tenantHash, tenantId = tenant.Value }, tx);
    }

    /// <summary>Whether <paramref name="table"/> has a column named <paramref name="column"/>.</summary>
    public static bool HasColumn(DbConnection c, DbTransaction? tx, string table, string column) =>
        c is Microsoft.Data.Sqlite.SqliteConnection
            ? c.ScalarLong("SELECT COUNT(*) FROM pragma_table_info(@table) WHERE name = @column", new { table, column }, tx) > 0
            // The catalog itself, not information_schema's view of it (1.5 ms a read; every write's audit row asks).
            : c.ScalarLong("SELECT COUNT(*) FROM pg_attribute WHERE attrelid = to_regclass(@table) AND attname = @column AND attnum > 0 AND NOT attisdropped",
                new { table, column }, tx) > 0;

    /// <summary>
    /// Computes <c>row_hash</c> for every row of <paramref name="table"/> in id order (migration 6: the rows written before the chain).
    /// The append-only triggers are lifted for this one statement set inside the migration's transaction and put back.
    /// </summary>
    public static void Backfill(DbConnection c, DbTransaction tx, StoreProvider provider, string table)
    {
        var rows = new List<(long Id, string Hash)>();
        string? previous = null;
        using (var reader = c.ExecuteReader($"SELECT * FROM {table} ORDER BY id", transaction: tx))
        {
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            var id = Array.IndexOf(columns, "id");
            var values = new object?[columns.Length];
            while (reader.Read())
            {
                for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                previous = Hash(table, previous, columns, values);
                rows.Add((reader.GetInt64(id), previous));
            }
        }
        if (rows.Count == 0) return;
        WithoutAppendOnly(c, tx, provider, table, () =>
        {
            foreach (var (id, hash) in rows) c.Execute($"UPDATE {table} SET row_hash = @hash WHERE id = @id", new { hash, id }, tx);
        });
    }

    /// <summary>Runs <paramref name="work"/> with the UPDATE/DELETE refusals of an append-only table lifted, inside the caller's transaction.</summary>
    internal static void WithoutAppendOnly(DbConnection c, DbTransaction tx, StoreProvider provider, string table, Action work)
    {
        if (provider == StoreProvider.Postgres)
        {
            c.Execute($"ALTER TABLE {table} DISABLE TRIGGER {table}_append_only", tx);
            work();
            c.Execute($"ALTER TABLE {table} ENABLE TRIGGER {table}_append_only", tx);
            return;
        }
        var restore = AppendOnlyGuards.Lift(c, tx, table, "no_update", "no_delete");
        work();
        foreach (var sql in restore) c.Execute(sql, tx);
    }
}
