using System.Data.Common;
using System.Globalization;
using Ballast.Store.Data;
using Ballast.Store.Integrity;

namespace Ballast.Store
{
    /// <summary>The newest row of a hash chain: what to keep outside the database to notice the newest rows being removed.</summary>
    public sealed record ChainHead(string Table, long Rows, long? LastId, string? Hash);

    /// <summary>
    /// The ledger's or the audit trail's hash chain does not match their rows: a row was changed or removed outside Ballast.
    /// Raised by <see cref="BallastStore.RebuildProjections"/>, which will not rebuild the projections from such a ledger.
    /// </summary>
    public sealed class StoreIntegrityException(string message) : Exception(message);

    public sealed partial class BallastStore
    {
        /// <summary>The head of each hash chain (transactions, audit): row count, newest id and its hash.</summary>
        public IReadOnlyList<ChainHead> ChainHeads() => Read(c => HashChain.Tables.Select(t =>
        {
            var rows = c.ScalarLong($"SELECT COUNT(*) FROM {t}") ?? 0;
            var last = c.Query($"SELECT id, row_hash FROM {t} WHERE id = (SELECT MAX(id) FROM {t})", r => (Id: (long?)r.GetInt64(0), Hash: r.TextOrNull(1))).FirstOrDefault();
            return new ChainHead(t, rows, last.Id, last.Hash);
        }).ToList());

        /// <summary>
        /// Checks the hash chains: every row's hash covers its content and the hash of the row before it; audit ids run from 1
        /// without gaps (every write adds one, and a failed write adds none); the newest audit row names the ledger's newest hash.
        /// </summary>
        internal static void CheckChains(DbConnection c, DbTransaction? tx, List<string> problems)
        {
            const int Max = 100;
            void Add(string p) { if (problems.Count < Max) problems.Add(p); }
            var ledgerHashes = new Dictionary<string, long>(StringComparer.Ordinal);
            var ledgerHead = CheckChain(c, tx, HashChain.Transactions, Add, out _, out _, ledgerHashes);
            CheckChain(c, tx, HashChain.Audit, Add, out var auditRows, out var newestLedgerHead, ledgerHashes);
            if (auditRows == 0)
            {
                Add("audit: the audit trail is empty, but every write to the store (its creation included) records a row: rows were removed outside Ballast");
                return;
            }
            if (newestLedgerHead.Known && newestLedgerHead.Value != ledgerHead)
                Add($"transactions: the newest audit row records the ledger ending at hash {newestLedgerHead.Value ?? "(empty ledger)"}, " +
                    $"the ledger ends at {ledgerHead ?? "(no rows)"}: its newest rows were removed or added outside Ballast");
        }

        /// <summary>Checks one chain; returns the stored hash of its newest row.</summary>
        /// <remarks>
        /// The ledger's walk fills <paramref name="ledgerHashes"/> (hash to row id); the audit's walk checks that every audit row's
        /// <c>ledger_head</c> is the hash of a ledger row, never an older one than the audit row before it names: so ledger rows cut
        /// from the end and hidden by a later write are still reported.
        /// </remarks>
        private static string? CheckChain(DbConnection c, DbTransaction? tx, string table, Action<string> add, out long rows,
            out (bool Known, string? Value) newestLedgerHead, Dictionary<string, long> ledgerHashes)
        {
            long headId = 0;
            rows = 0;
            newestLedgerHead = (false, null);
            string? previous = null;
            long expectedId = 1;
            using var reader = c.ExecuteReader($"SELECT * FROM {table} ORDER BY id", transaction: tx);
            var columns = Enumerable.Range(0, reader.FieldCount).Select(reader.GetName).ToArray();
            int idAt = Array.IndexOf(columns, "id"), hashAt = Array.IndexOf(columns, HashChain.Column), headAt = Array.IndexOf(columns, "ledger_head");
            var values = new object?[columns.Length];
            while (reader.Read())
            {
                rows++;
                for (var i = 0; i < values.Length; i++) values[i] = reader.IsDBNull(i) ? null : reader.GetValue(i);
                var id = reader.GetInt64(idAt);
                var stored = values[hashAt] as string;
                if (table == HashChain.Audit)
                {
                    if (id != expectedId)
                        add(id > expectedId
                            ? $"audit: rows {Id(expectedId)} to {Id(id - 1)} are missing: removed outside Ballast"
                            : $"audit: row {Id(id)} is out of order");
                    expectedId = id + 1;
                    newestLedgerHead = (true, values[headAt] as string);
                    if (values[headAt] is string head)
                    {
                        if (!ledgerHashes.TryGetValue(head, out var at))
                            add($"audit row {Id(id)}: records the ledger ending at hash {head}, which no ledger row has: ledger rows were removed or changed outside Ballast");
                        else if (at < headId)
                            add($"audit row {Id(id)}: records the ledger ending at row {Id(at)}, before row {Id(headId)} that an earlier audit row names: ledger rows were removed outside Ballast");
                        else headId = at;
                    }
                }
                else if (stored is not null)
                {
                    ledgerHashes[stored] = id;
                }
                if (stored is null)
                    add($"{table} row {Id(id)}: has no hash: it was written outside Ballast");
                else if (HashChain.Hash(table, previous, columns, values) != stored)
                    add($"{table} row {Id(id)}: its hash does not cover its content and the row before it: the row was changed, or rows before it removed, outside Ballast");
                previous = stored; // each row is checked against the stored hash before it, so one change is reported once
            }
            return previous;
        }

        private static string Id(long id) => id.ToString(CultureInfo.InvariantCulture);
    }
}
