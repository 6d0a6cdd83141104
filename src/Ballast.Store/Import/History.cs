using Ballast.Input;
using Ballast.Store.Ledger;
using System.Data.Common;
using Ballast.Store.Data;

namespace Ballast.Store.Import;

/// <summary>A positions snapshot as stated: holdings by security and, when the file had a cash row, cash.</summary>
internal sealed record SnapshotState(string Date, Dictionary<long, long> Holdings, long? Cash);

/// <summary>
/// How transaction histories and positions snapshots combine. A snapshot states an account's holdings (and cash, when
/// given) at the start of its date: after every transaction dated before it, before the others dated on it (its own
/// adjustments and reconciliations, keyed <c>positions:</c> and <c>reconcile:</c>, belong to it). Transactions dated
/// before a snapshot are history that must reconcile to it:
/// when a transactions import adds such rows, an adjustment dated on the snapshot brings the ledger back to what the
/// snapshot states, and each is reported as a warning. So positions then history, or history then positions, end with
/// the same holdings and open lots, and <c>verify</c> checks that the ledger up to each snapshot's date agrees with it.
/// </summary>
internal sealed class History
{
    /// <summary>SQL condition (parameter <c>@date</c>) for the transactions a snapshot of that date does not include.</summary>
    internal const string NotBefore =
        "(trade_date > @date OR (trade_date = @date AND idempotency_key NOT LIKE 'positions:%' AND idempotency_key NOT LIKE 'reconcile:%'))";

    /// <summary>True when a snapshot of <paramref name="date"/> includes the transaction.</summary>
    internal static bool Includes(string date, string tradeDate, string key) =>
        string.CompareOrdinal(tradeDate, date) < 0 ||
        (tradeDate == date && (key.StartsWith("positions:", StringComparison.Ordinal) || key.StartsWith("reconcile:", StringComparison.Ordinal)));

    private readonly WriteScope _scope;
    private readonly Dictionary<long, List<SnapshotState>> _snapshots = [];
    /// <summary>Per account and snapshot date: quantity and cash changes of the transactions recorded before this import and dated after it.</summary>
    private readonly Dictionary<(long Account, string Date), (Dictionary<long, long> Holdings, long Cash)> _laterBefore = [];
    private readonly Dictionary<long, List<TxnDraft>> _added = [];

    /// <param name="rows">Accounts and dates of the transactions about to be added: snapshots dated after the earliest of an account's are reconciled.</param>
    public History(WriteScope scope, IReadOnlyCollection<long> accountIds, IEnumerable<(long Account, string Date)> rows)
    {
        _scope = scope;
        var earliest = new Dictionary<long, string>();
        foreach (var (account, date) in rows)
            if (!earliest.TryGetValue(account, out var e) || string.CompareOrdinal(date, e) < 0) earliest[account] = date;
        if (earliest.Count == 0) return;
        var after = earliest.Values.Min(StringComparer.Ordinal)!;
        foreach (var (account, list) in Load(scope, earliest.Keys.ToList(), after))
        {
            var relevant = list.Where(s => string.CompareOrdinal(s.Date, earliest[account]) > 0).ToList();
            if (relevant.Count == 0) continue;
            _snapshots[account] = relevant;
            foreach (var s in relevant)
            {
                var holdings = new Dictionary<long, long>();
                long cash = 0;
                foreach (var r in scope.Query(
                             $"SELECT security_id, SUM(quantity), SUM(cash) FROM transactions WHERE account_id = @account AND {NotBefore} GROUP BY security_id",
                             new { account, date = s.Date }, r => (SecurityId: r.LongOrNull(0), Quantity: Sum(r, 1), Cash: Sum(r, 2))))
                {
                    if (r.SecurityId is { } sec) holdings[sec] = r.Quantity;
                    cash += r.Cash;
                }
                _laterBefore[(account, s.Date)] = (holdings, cash);
            }
        }
    }

    /// <summary>The snapshots of these accounts, oldest first; of several on one date, the last recorded.</summary>
    /// <param name="after">Only snapshots dated after this (the earliest new transaction's date): older ones are not affected.</param>
    internal static Dictionary<long, List<SnapshotState>> Load(WriteScope scope, IReadOnlyCollection<long> accountIds, string after)
    {
        var rows = new List<SnapshotRow>();
        foreach (var chunk in accountIds.Chunk(500))
            rows.AddRange(scope.Query(SnapshotSql + " WHERE account_id IN @chunk AND date > @after", new { chunk, after }, ReadSnapshot));
        return Group(rows);
    }

    /// <summary>Every account's snapshots, oldest first; of several on one date, the last recorded.</summary>
    internal static Dictionary<long, List<SnapshotState>> Load(DbConnection c, DbTransaction? tx) => Group(c.Query(SnapshotSql, ReadSnapshot, tx));

    private const string SnapshotSql = "SELECT import_id, account_id, date, security_id, quantity FROM position_snapshots";

    private record struct SnapshotRow(long ImportId, long AccountId, string Date, long? SecurityId, long Quantity);

    private static SnapshotRow ReadSnapshot(DbDataReader r) => new(r.GetInt64(0), r.GetInt64(1), r.GetString(2), r.LongOrNull(3), r.GetInt64(4));

    /// <summary>A SUM column as a 64-bit integer (SQLite gives an integer, PostgreSQL a numeric).</summary>
    internal static long Sum(DbDataReader r, int i) => r.IsDBNull(i) ? 0 : Convert.ToInt64(r.GetValue(i), System.Globalization.CultureInfo.InvariantCulture);

    private static Dictionary<long, List<SnapshotState>> Group(List<SnapshotRow> rows)
    {
        var result = new Dictionary<long, List<SnapshotState>>();
        foreach (var account in rows.GroupBy(r => r.AccountId))
        {
            var list = new List<SnapshotState>();
            foreach (var day in account.GroupBy(r => r.Date).OrderBy(g => g.Key, StringComparer.Ordinal))
            {
                var last = day.Max(r => r.ImportId);
                var holdings = new Dictionary<long, long>();
                long? cash = null;
                foreach (var r in day.Where(r => r.ImportId == last))
                {
                    if (r.SecurityId is { } sec) holdings[sec] = r.Quantity;
                    else cash = r.Quantity;
                }
                list.Add(new SnapshotState(day.Key, holdings, cash));
            }
            result[account.Key] = list;
        }
        return result;
    }

    /// <summary>Notes a transaction this import appended.</summary>
    public void Added(TxnDraft draft)
    {
        if (!_snapshots.ContainsKey(draft.AccountId)) return;
        if (!_added.TryGetValue(draft.AccountId, out var list)) _added[draft.AccountId] = list = [];
        list.Add(draft);
    }

    /// <summary>Appends the adjustments that bring each snapshot dated after the new history back to what it states; returns one warning per adjustment.</summary>
    public List<string> Reconcile(Dictionary<long, string> tickers, long importId, List<InputProblem> problems)
    {
        var warnings = new List<string>();
        foreach (var (account, snapshots) in _snapshots)
        {
            if (!_added.TryGetValue(account, out var added)) continue;
            var state = _scope.Ledger.State(account);
            var name = _scope.Query("SELECT name FROM accounts WHERE id = @account AND tenant_id = @tenant", new { account, tenant = _scope.Tenant }, r => r.GetString(0)).Single();
            foreach (var snap in snapshots)
            {
                var (laterHoldings, laterCash) = _laterBefore[(account, snap.Date)];
                var newLater = added.Where(d => !Includes(snap.Date, d.Date, d.Key)).ToList();
                long AsOf(long security) => state.Holdings.GetValueOrDefault(security) - laterHoldings.GetValueOrDefault(security)
                    - newLater.Where(d => d.SecurityId == security).Sum(d => d.Quantity);
                var securities = snap.Holdings.Keys.Union(state.Holdings.Keys).Union(laterHoldings.Keys).Order().ToList();
                foreach (var security in securities)
                {
                    var asOf = AsOf(security);
                    var want = snap.Holdings.GetValueOrDefault(security);
                    if (asOf == want) continue;
                    var ticker = tickers.GetValueOrDefault(security, "?");
                    var draft = new TxnDraft(account, "adjustment", snap.Date, security, want - asOf, null, 0, 0,
                        $"reconcile:{importId}:{snap.Date}:{security}", ticker, ImportId: importId, Memo: $"reconciles history to the positions of {snap.Date}");
                    var error = _scope.Ledger.Append(draft, out _);
                    if (error is not null) { problems.Add(new InputProblem($"account '{name}': reconciling the history to the positions of {snap.Date}: {error}", Field: "quantity")); continue; }
                    added.Add(draft);
                    warnings.Add($"account '{name}': the history before {snap.Date} gives {Scaled.Format(Scaled.Quantity(asOf))} {ticker}, the positions of {snap.Date} state " +
                                 $"{Scaled.Format(Scaled.Quantity(want))}; adjusted by {Scaled.Format(Scaled.Quantity(want - asOf))} on {snap.Date}");
                }
                if (snap.Cash is { } wantCash)
                {
                    var asOfCash = state.Cash - laterCash - newLater.Sum(d => d.Cash);
                    if (asOfCash == wantCash) continue;
                    var draft = new TxnDraft(account, "adjustment", snap.Date, null, 0, null, wantCash - asOfCash, 0,
                        $"reconcile:{importId}:{snap.Date}:cash", ImportId: importId, Memo: $"reconciles history to the positions of {snap.Date}: cash");
                    var error = _scope.Ledger.Append(draft, out _);
                    if (error is not null) { problems.Add(new InputProblem($"account '{name}': reconciling the history to the cash of {snap.Date}: {error}", Field: "amount")); continue; }
                    added.Add(draft);
                    warnings.Add($"account '{name}': the history before {snap.Date} gives cash {Scaled.Format(Scaled.Money(asOfCash))}, the positions of {snap.Date} state " +
                                 $"{Scaled.Format(Scaled.Money(wantCash))}; adjusted by {Scaled.Format(Scaled.Money(wantCash - asOfCash))} on {snap.Date}");
                }
            }
        }
        return warnings;
    }
}
