using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Ballast.Input;
using Ballast.Store.Data;
using Ballast.Store.Integrity;
using Ballast.Store.Ledger;
using Ballast.Store.Schema;
using Microsoft.Data.Sqlite;
using Npgsql;
using NpgsqlTypes;

namespace Ballast.Store
{
    /// <summary>What a restore wrote, and the verify of the restored store.</summary>
    public sealed record RestoreResult(long Rows, int Tables, VerifyReport Verify);

    public sealed partial class BallastStore
    {
        /// <summary>The <c>format</c> named by the first line of a store export.</summary>
        public const string ExportFormat = "ballast-store";

        /// <summary>The version of the export format this Ballast writes and reads.</summary>
        public const int ExportFormatVersion = 1;

        /// <summary>
        /// Writes the whole store as JSON lines (see the store README): a header with the format, its version and the schema
        /// version; then every table but <c>schema_version</c>, parents before the tables that refer to them, as a line naming the
        /// table and its columns followed by one JSON array per row, rows in the order of their columns' values; then an end line
        /// with the counts. Values are exactly as stored: integers stay integers, text stays text. Read from one snapshot of the
        /// store, so a write running meanwhile is either wholly in the export or not at all. Returns the tables and rows written.
        /// </summary>
        public (int Tables, long Rows) ExportStore(Stream output) => Read(c =>
        {
            using var tx = Provider == StoreProvider.Sqlite ? ((SqliteConnection)c).BeginTransaction(deferred: true) : c.BeginTransaction(IsolationLevel.RepeatableRead);
            var version = c.ScalarLong("SELECT MAX(version) FROM schema_version", tx) ?? 0;
            var tables = StoreCatalog.Tables(c, tx, Provider);
            using var w = new Utf8JsonWriter(output, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
            void EndLine()
            {
                w.Flush();
                output.WriteByte((byte)'\n');
                w.Reset();
            }
            w.WriteStartObject();
            w.WriteString("format", ExportFormat);
            w.WriteNumber("format_version", ExportFormatVersion);
            w.WriteNumber("schema_version", version);
            w.WriteString("exported_at", NowText());
            w.WriteString("database", Provider == StoreProvider.Sqlite ? $"SQLite {SqliteVersion}" : $"PostgreSQL {c.ServerVersion}");
            w.WriteEndObject();
            EndLine();
            long rows = 0;
            foreach (var table in tables)
            {
                var columns = StoreCatalog.Columns(c, tx, Provider, table);
                w.WriteStartObject();
                w.WriteString("table", table);
                w.WriteStartArray("columns");
                foreach (var col in columns) w.WriteStringValue(col.Name);
                w.WriteEndArray();
                w.WriteEndObject();
                EndLine();
                // Every column orders the rows; PostgreSQL compares text by bytes ("C") and puts NULL first, as SQLite does, so both give one order.
                var order = string.Join(", ", columns.Select(col => Provider == StoreProvider.Postgres && col.IsText ? $"{col.Name} COLLATE \"C\" NULLS FIRST" : Provider == StoreProvider.Postgres ? $"{col.Name} NULLS FIRST" : col.Name));
                using var reader = c.ExecuteReader($"SELECT {string.Join(", ", columns.Select(col => col.Name))} FROM {table} ORDER BY {order}", tx);
                while (reader.Read())
                {
                    w.WriteStartArray();
                    for (var i = 0; i < columns.Count; i++)
                    {
                        switch (reader.IsDBNull(i) ? null : reader.GetValue(i))
                        {
                            case null: w.WriteNullValue(); break;
                            case long l: w.WriteNumberValue(l); break;
                            case int n: w.WriteNumberValue(n); break;
                            case short s: w.WriteNumberValue(s); break;
                            case bool b: w.WriteBooleanValue(b); break;
                            case decimal d: w.WriteNumberValue(d); break;
                            case string text: w.WriteStringValue(text); break;
                            case var other:
                                throw new InvalidOperationException($"{table}.{columns[i].Name} holds a {other.GetType().Name} value; the store keeps only integers and text");
                        }
                    }
                    w.WriteEndArray();
                    EndLine();
                    rows++;
                }
            }
            w.WriteStartObject();
            w.WriteBoolean("end", true);
            w.WriteNumber("tables", tables.Count);
            w.WriteNumber("rows", rows);
            w.WriteEndObject();
            EndLine();
            tx.Commit();
            return (tables.Count, rows);
        });

        /// <summary>
        /// Restores an export written by <see cref="ExportStore"/> into an empty store: a new SQLite file, an empty PostgreSQL
        /// database, or a store that <c>ballast init</c> created and nothing else wrote to. Every row is written as exported, in one
        /// transaction with an audit row of its own (chained after the restored audit trail); then the store is verified.
        /// Refused with an <see cref="InputException"/> naming the file and line: another format or format version, another schema
        /// version, a table or column this schema does not have, a cut-off file; and a store that is not empty (field <c>--db</c>).
        /// </summary>
        public static RestoreResult Restore(StoreLocation location, StoreOptions options, string path, string? displayName = null)
        {
            var name = displayName ?? path;
            using var stream = OpenExport(path, name);
            using var lines = new StreamReader(stream, Encoding.UTF8);
            var header = ReadHeader(lines, name);
            BallastStore store;
            try
            {
                store = Open(location, options);
            }
            catch (StoreVersionException e) when (e.StoreVersion is null or 0)
            {
                store = Initialize(location, options);
            }
            var (tables, rows) = store.Write("restore", scope =>
            {
                var result = store.RestoreRows(scope, lines, name);
                // The restored rows must verify before they are kept: a changed, cut or hand-made export is refused whole.
                var check = VerifyIn(scope.Connection, scope.Transaction);
                if (!check.Ok)
                    throw new InputException(check.Differences.Take(20).Select(d => new InputProblem($"the export does not verify, so nothing was restored: {d}", name)).ToList());
                return (result, $"restored {result.Rows} rows of {result.Tables} tables from {Path.GetFileName(name)} (exported {header.ExportedAt} from {header.Database})");
            });
            return new RestoreResult(rows, tables, store.Verify());
        }

        private static FileStream OpenExport(string path, string name)
        {
            try
            {
                return File.OpenRead(path);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new InputException(new InputProblem($"cannot read {name}: {e.Message}", name));
            }
        }

        private sealed record ExportHeader(string ExportedAt, string Database);

        private static ExportHeader ReadHeader(StreamReader lines, string file)
        {
            InputException Bad(string message, string? field = null) => new(new InputProblem(message, file, 1, Field: field));
            var first = lines.ReadLine() ?? throw Bad($"{file} is empty; a store export starts with a '{ExportFormat}' header line");
            JsonElement root;
            try
            {
                using var doc = JsonDocument.Parse(first);
                root = doc.RootElement.Clone();
            }
            catch (JsonException)
            {
                throw Bad($"{file} is not a Ballast store export: its first line is not a JSON header");
            }
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("format", out var format) || format.ValueKind != JsonValueKind.String || format.GetString() != ExportFormat)
                throw Bad($"{file} is not a Ballast store export: its header does not name the format '{ExportFormat}'", "format");
            if (!root.TryGetProperty("format_version", out var fv) || fv.ValueKind != JsonValueKind.Number || !fv.TryGetInt32(out var formatVersion) || formatVersion != ExportFormatVersion)
                throw Bad($"{file} is in export format version {fv}; this Ballast reads version {ExportFormatVersion}", "format_version");
            if (!root.TryGetProperty("schema_version", out var sv) || sv.ValueKind != JsonValueKind.Number || !sv.TryGetInt32(out var schema) || schema != Migrations.Current)
                throw Bad($"{file} was exported from a store at schema version {sv}; this Ballast restores schema version {Migrations.Current} only. " +
                          "Restore it with the Ballast that exported it, run 'ballast init' there to migrate, and export again", "schema_version");
            return new ExportHeader(Text(root, "exported_at"), Text(root, "database"));

            static string Text(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "?";
        }

        private (int Tables, long Rows) RestoreRows(WriteScope scope, StreamReader lines, string file)
        {
            var c = scope.Connection;
            var tx = scope.Transaction;
            var expected = StoreCatalog.Tables(c, tx, Provider);
            // Empty: no row anywhere but the audit rows of the migrations that created the schema and the default tenant they made
            // (the export brings its own). The restore's audit row names no tenant: the tenants are the export's.
            scope.StoreWide = true;
            var filled = expected
                .Select(t => (Table: t, Rows: c.ScalarLong(t switch
                {
                    "audit" => "SELECT COUNT(*) FROM audit WHERE action <> 'migrate'",
                    "tenants" => $"SELECT COUNT(*) FROM tenants WHERE name <> '{DefaultTenantName}'",
                    _ => $"SELECT COUNT(*) FROM {t}",
                }, tx) ?? 0))
                .Where(t => t.Rows > 0).ToList();
            if (filled.Count > 0)
                throw new InputException(new InputProblem(
                    $"the store {Location} is not empty ({string.Join(", ", filled.Select(f => $"{f.Rows} {f.Table}"))}); a restore writes only into a new store: " +
                    "a new SQLite file or an empty PostgreSQL database", Field: "--db"));
            HashChain.WithoutAppendOnly(c, tx, Provider, "audit", () => c.Execute("DELETE FROM audit", tx));
            c.Execute("DELETE FROM tenants", tx);

            var done = new HashSet<string>(StringComparer.Ordinal);
            var lineNumber = 1;
            long rows = 0;
            string? table = null;
            IReadOnlyList<StoreCatalog.Column>? columns = null;
            var buffer = new List<object?[]>();
            void Drain()
            {
                if (buffer.Count > 0) InsertRows(scope, table!, columns!, buffer);
                buffer.Clear();
            }
            InputException Bad(string message, string? field = null) => new(new InputProblem(message, file, lineNumber, Field: field));
            while (lines.ReadLine() is { } line)
            {
                lineNumber++;
                JsonDocument doc;
                try { doc = JsonDocument.Parse(line); }
                catch (JsonException e) { throw Bad($"not a JSON line: {e.Message}"); }
                using (doc)
                {
                    var root = doc.RootElement;
                    if (root.ValueKind == JsonValueKind.Array)
                    {
                        if (columns is null) throw Bad("a row before any table line");
                        if (root.GetArrayLength() != columns.Count) throw Bad($"a row of {table} has {root.GetArrayLength()} values; the table line names {columns.Count} columns", table);
                        var values = new object?[columns.Count];
                        var i = 0;
                        foreach (var v in root.EnumerateArray())
                        {
                            values[i] = v.ValueKind switch
                            {
                                JsonValueKind.Null => null,
                                JsonValueKind.String => v.GetString(),
                                JsonValueKind.True => true,
                                JsonValueKind.False => false,
                                JsonValueKind.Number when v.TryGetInt64(out var l) => l,
                                _ => throw Bad($"{table}.{columns[i].Name}: {v.GetRawText()} is not a value the store keeps (an integer, text, true, false or null)", $"{table}.{columns[i].Name}"),
                            };
                            i++;
                        }
                        buffer.Add(values);
                        rows++;
                        if (buffer.Count >= 10_000) Drain();
                        continue;
                    }
                    if (root.ValueKind != JsonValueKind.Object) throw Bad("neither a table line nor a row");
                    Drain();
                    if (root.TryGetProperty("end", out _))
                    {
                        var missing = expected.Where(t => !done.Contains(t)).ToList();
                        if (missing.Count > 0) throw Bad($"the export has no table {string.Join(", ", missing)}, which schema version {Migrations.Current} has");
                        if (!root.TryGetProperty("rows", out var n) || !n.TryGetInt64(out var stated) || stated != rows)
                            throw Bad($"the end line states {(root.TryGetProperty("rows", out var s) ? s.GetRawText() : "no")} rows; the file has {rows}", "rows");
                        if (lines.ReadLine() is { Length: > 0 }) { lineNumber++; throw Bad("text after the end line"); }
                        return (done.Count, rows);
                    }
                    if (!root.TryGetProperty("table", out var t) || t.ValueKind != JsonValueKind.String) throw Bad("an object line that names no table", "table");
                    table = t.GetString()!;
                    if (!expected.Contains(table, StringComparer.Ordinal)) throw Bad($"table {table} is not in schema version {Migrations.Current}", "table");
                    if (!done.Add(table)) throw Bad($"table {table} appears twice", "table");
                    var target = StoreCatalog.Columns(c, tx, Provider, table).ToDictionary(col => col.Name, StringComparer.Ordinal);
                    if (!root.TryGetProperty("columns", out var cols) || cols.ValueKind != JsonValueKind.Array) throw Bad($"table {table} names no columns", "columns");
                    var named = cols.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString()! : "").ToList();
                    var unknown = named.Where(n => !target.ContainsKey(n)).ToList();
                    var absent = target.Keys.Where(n => !named.Contains(n, StringComparer.Ordinal)).ToList();
                    if (unknown.Count > 0 || absent.Count > 0 || named.Distinct(StringComparer.Ordinal).Count() != named.Count)
                        throw Bad($"table {table}: the export's columns ({string.Join(", ", named)}) are not this schema's ({string.Join(", ", target.Keys)})", "columns");
                    columns = named.Select(n => target[n]).ToList();
                }
            }
            lineNumber++;
            throw Bad($"{file} ends before its end line: the export is incomplete");
        }

        private void InsertRows(WriteScope scope, string table, IReadOnlyList<StoreCatalog.Column> columns, List<object?[]> rows)
        {
            var names = string.Join(", ", columns.Select(col => col.Name));
            if (Provider == StoreProvider.Postgres)
            {
                using var importer = ((NpgsqlConnection)scope.Connection).BeginBinaryImport($"COPY {table} ({names}) FROM STDIN (FORMAT BINARY)");
                foreach (var row in rows)
                {
                    importer.StartRow();
                    for (var i = 0; i < row.Length; i++)
                    {
                        var col = columns[i];
                        switch (row[i])
                        {
                            case null: importer.WriteNull(); break;
                            case string s when col.IsText: importer.Write(s, NpgsqlDbType.Text); break;
                            case long l when col.Type is "bigint": importer.Write(l, NpgsqlDbType.Bigint); break;
                            case long l when col.Type is "integer" && l is >= int.MinValue and <= int.MaxValue: importer.Write((int)l, NpgsqlDbType.Integer); break;
                            case long l when col.Type is "smallint" && l is >= short.MinValue and <= short.MaxValue: importer.Write((short)l, NpgsqlDbType.Smallint); break;
                            case long l when col.Type is "boolean" && l is 0 or 1: importer.Write(l == 1, NpgsqlDbType.Boolean); break;
                            case bool b when col.Type is "boolean": importer.Write(b, NpgsqlDbType.Boolean); break;
                            case var v:
                                throw new InputException(new InputProblem($"{table}.{col.Name}: {v} does not fit the column's type {col.Type}", Field: $"{table}.{col.Name}"));
                        }
                    }
                }
                importer.Complete();
                return;
            }
            using var cmd = scope.Connection.CreateCommand();
            cmd.Transaction = scope.Transaction;
            cmd.CommandText = $"INSERT INTO {table} ({names}) VALUES ({string.Join(", ", columns.Select((_, i) => "@p" + i.ToString(CultureInfo.InvariantCulture)))})";
            var parameters = columns.Select((_, i) =>
            {
                var p = cmd.CreateParameter();
                p.ParameterName = "@p" + i.ToString(CultureInfo.InvariantCulture);
                cmd.Parameters.Add(p);
                return p;
            }).ToArray();
            foreach (var row in rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    // SQLite stores any value in any column: check each against its declared type, as PostgreSQL's copy does.
                    var col = columns[i];
                    var fits = row[i] switch
                    {
                        null => true,
                        string => col.IsText,
                        long or bool => !col.IsText,
                        _ => false,
                    };
                    if (!fits)
                        throw new InputException(new InputProblem($"{table}.{col.Name}: {row[i]} does not fit the column's type {col.Type}", Field: $"{table}.{col.Name}"));
                    parameters[i].Value = row[i] switch { null => DBNull.Value, bool b => b ? 1L : 0L, var v => v };
                }
                cmd.ExecuteNonQuery();
            }
        }
    }
}

namespace Ballast.Store.Integrity
{
    /// <summary>The store's tables and columns as the database describes them, so an export carries whatever the migrations created.</summary>
    internal static class StoreCatalog
    {
        /// <param name="Type">The declared type, lower case (<c>bigint</c>, <c>integer</c>, <c>text</c>, ...).</param>
        public sealed record Column(string Name, string Type)
        {
            public bool IsText => Type is "text" or "character varying" or "varchar" || Type.StartsWith("varchar", StringComparison.Ordinal);
        }

        /// <summary>Every table but <c>schema_version</c>, each after the tables its foreign keys refer to, ties by name.</summary>
        public static List<string> Tables(DbConnection c, DbTransaction? tx, StoreProvider provider)
        {
            List<string> names;
            List<(string Child, string Parent)> references;
            if (provider == StoreProvider.Sqlite)
            {
                names = c.Query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_version' ORDER BY name", r => r.GetString(0), tx);
                references = names.SelectMany(t => c.Query("SELECT \"table\" FROM pragma_foreign_key_list(@t)", new { t }, r => (t, r.GetString(0)), tx)).ToList();
            }
            else
            {
                names = c.Query("""
                    SELECT table_name FROM information_schema.tables
                    WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name <> 'schema_version' ORDER BY table_name
                    """, r => r.GetString(0), tx);
                references = c.Query("""
                    SELECT ch.relname, pa.relname FROM pg_constraint co
                    JOIN pg_class ch ON ch.oid = co.conrelid JOIN pg_class pa ON pa.oid = co.confrelid JOIN pg_namespace n ON n.oid = ch.relnamespace
                    WHERE co.contype = 'f' AND n.nspname = current_schema()
                    """, r => (r.GetString(0), r.GetString(1)), tx);
                references.AddRange(Schema.StatementForeignKeys.AllReferences);
            }
            // The Orleans cluster's tables (migration 15) are the silos' working state, not the firm's book: no export carries them.
            names.RemoveAll(Schema.OrleansTables.IsOrleans);
            names.Sort(StringComparer.Ordinal);
            var ordered = new List<string>();
            var placed = new HashSet<string>(StringComparer.Ordinal);
            while (ordered.Count < names.Count)
            {
                var next = names.FirstOrDefault(t => !placed.Contains(t) &&
                    references.Where(r => r.Child == t && r.Parent != t).All(r => placed.Contains(r.Parent) || !names.Contains(r.Parent)))
                    ?? throw new InvalidOperationException("the store's foreign keys form a cycle");
                ordered.Add(next);
                placed.Add(next);
            }
            return ordered;
        }

        /// <summary>A table's columns in their declared order.</summary>
        public static List<Column> Columns(DbConnection c, DbTransaction? tx, StoreProvider provider, string table) =>
            provider == StoreProvider.Sqlite
                ? c.Query("SELECT name, type FROM pragma_table_info(@table) ORDER BY cid", new { table }, r => new Column(r.GetString(0), r.GetString(1).ToLowerInvariant()), tx)
                : c.Query("""
                    SELECT column_name, data_type FROM information_schema.columns
                    WHERE table_schema = current_schema() AND table_name = @table ORDER BY ordinal_position
                    """, new { table }, r => new Column(r.GetString(0), r.GetString(1).ToLowerInvariant()), tx);
    }
}
