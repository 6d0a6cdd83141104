using System.Data.Common;
using Ballast.Store.Import;
using Ballast.Store.Ledger;
using Ballast.Store.Data;

namespace Ballast.Store;

public sealed partial class BallastStore
{
    /// <summary>
    /// Replays the whole ledger in order and compares the result with the stored projections
    /// (holdings, cash, last rebalance date, lots), and checks that the ledger up to each positions snapshot's date
    /// agrees with what the snapshot states. A sale that would take shares acquired after it fails the replay. Reads only.
    /// </summary>
    public VerifyReport Verify() => Read(c => VerifyIn(c, null));

    /// <summary>Every check of <see cref="Verify"/>, on a connection (and the transaction it is in, if any).</summary>
    internal static VerifyReport VerifyIn(DbConnection c, DbTransaction? tx)
    {
        var (replayed, count, differences) = Replay(c, tx);
        Compare(c, tx, replayed, differences);
        CheckSnapshots(c, tx, differences);
        CheckChains(c, tx, differences);
        return new VerifyReport(count, replayed.Count, differences);
    }

    /// <summary>For every positions snapshot, the ledger's holdings (and cash, when the snapshot states it) up to its date must equal it.</summary>
    private static void CheckSnapshots(DbConnection c, DbTransaction? tx, List<string> differences)
    {
        var snapshots = Import.History.Load(c, tx);
        if (snapshots.Count == 0) return;
        var names = Names(c, tx);
        var tickers = c.Query("SELECT id, ticker FROM securities", r => (Id: r.GetInt64(0), Ticker: r.GetString(1)), tx).ToDictionary(s => s.Id, s => s.Ticker);
        // One pass over the ledger, account by account (as the replay reads it), for the accounts that have snapshots.
        var rows = new List<(string Date, long? SecurityId, long Quantity, long Cash, string Key)>();
        long current = -1;
        var seen = new HashSet<long>();
        void Check()
        {
            if (!snapshots.TryGetValue(current, out var list)) return;
            foreach (var snap in list)
            {
                var upTo = rows.Where(r => Import.History.Includes(snap.Date, r.Date, r.Key)).ToList();
                var held = upTo.Where(r => r.SecurityId is not null).GroupBy(r => r.SecurityId!.Value).ToDictionary(g => g.Key, g => g.Sum(r => r.Quantity));
                var name = names.GetValueOrDefault(current, current.ToString(System.Globalization.CultureInfo.InvariantCulture));
                foreach (var security in snap.Holdings.Keys.Union(held.Keys).Order())
                {
                    var want = snap.Holdings.GetValueOrDefault(security);
                    var have = held.GetValueOrDefault(security);
                    if (want != have && differences.Count < 100)
                        differences.Add($"account {name}: the positions of {snap.Date} state {Scaled.Format(Scaled.Quantity(want))} {tickers.GetValueOrDefault(security, "?")}, " +
                                        $"the ledger before that date gives {Scaled.Format(Scaled.Quantity(have))}");
                }
                if (snap.Cash is { } cash && upTo.Sum(r => r.Cash) != cash && differences.Count < 100)
                    differences.Add($"account {name}: the positions of {snap.Date} state cash {Scaled.Format(Scaled.Money(cash))}, " +
                                    $"the ledger before that date gives {Scaled.Format(Scaled.Money(upTo.Sum(r => r.Cash)))}");
            }
        }
        using (var reader = c.ExecuteReader("SELECT account_id, trade_date, security_id, quantity, cash, idempotency_key FROM transactions ORDER BY account_id", tx))
        {
            while (reader.Read())
            {
                var account = reader.GetInt64(0);
                seen.Add(account);
                if (account != current)
                {
                    Check();
                    rows.Clear();
                    current = account;
                }
                if (!snapshots.ContainsKey(account)) continue;
                rows.Add((reader.GetString(1), reader.IsDBNull(2) ? null : reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4), reader.GetString(5)));
            }
        }
        Check();
        // Accounts with a snapshot but no transactions at all.
        foreach (var account in snapshots.Keys.Where(a => !seen.Contains(a)).ToList())
        {
            current = account;
            rows.Clear();
            Check();
        }
    }

    private static Dictionary<long, string> Names(DbConnection c, DbTransaction? tx) =>
        c.Query("SELECT id, name FROM accounts", r => (Id: r.GetInt64(0), Name: r.GetString(1)), tx).ToDictionary(a => a.Id, a => a.Name);

    /// <summary>Discards the projections and rebuilds them from the ledger, in one write. Returns the check of the result.</summary>
    public VerifyReport RebuildProjections()
    {
        Write("rebuild", scope =>
        {
            var broken = new List<string>();
            CheckChains(scope.Connection, scope.Transaction, broken);
            if (broken.Count > 0)
                throw new StoreIntegrityException($"the ledger's hash chain is broken ({broken[0]}{(broken.Count > 1 ? $"; and {broken.Count - 1} more" : "")}); " +
                    "the projections are not rebuilt from a ledger changed outside Ballast: restore the store from an export");
            var (replayed, count, problems) = Replay(scope.Connection, scope.Transaction);
            if (problems.Count > 0) throw new InvalidOperationException("the ledger cannot be replayed: " + string.Join("; ", problems));
            scope.Execute("DELETE FROM lots");
            scope.Execute("DELETE FROM holdings");
            scope.Execute("DELETE FROM balances");
            scope.Insert("balances", ["account_id", "cash", "last_rebalance"],
                replayed.Values.Select(s => new object?[] { s.AccountId, s.Cash, s.LastRebalance }).ToList());
            scope.Insert("holdings", ["account_id", "security_id", "quantity"],
                replayed.Values.SelectMany(s => s.Holdings.Where(h => h.Value != 0).Select(h => new object?[] { s.AccountId, h.Key, h.Value })).ToList());
            scope.Insert("lots", ["open_transaction_id", "account_id", "security_id", "open_date", "quantity", "remaining", "cost"],
                replayed.Values.SelectMany(s => s.DirtyLots).Select(l => new object?[] { l.OpenTransactionId, l.AccountId, l.SecurityId, l.OpenDate, l.Quantity, l.Remaining, l.Cost }).ToList());
            return (0, $"rebuilt projections of {replayed.Count} accounts from {count} transactions");
        });
        return Verify();
    }

    private static (Dictionary<long, AccountState> States, long Count, List<string> Problems) Replay(DbConnection c, DbTransaction? tx)
    {
        var states = new Dictionary<long, AccountState>();
        foreach (var a in c.Query("SELECT id, lot_method FROM accounts", r => (Id: r.GetInt64(0), Method: r.GetString(1)), tx))
            states[a.Id] = new AccountState(a.Id) { LotMethod = StoredLotMethods.Parse(a.Method) };
        var problems = new List<string>();
        long count = 0;
        using var reader = c.ExecuteReader(
            "SELECT id, account_id, kind, trade_date, security_id, quantity, price, cash, fee, lots, proposal_id, cost FROM transactions ORDER BY account_id, id",
            transaction: tx);
        while (reader.Read())
        {
            count++;
            var id = reader.GetInt64(0);
            var draft = new TxnDraft(
                reader.GetInt64(1), reader.GetString(2), reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetInt64(4),
                reader.GetInt64(5), reader.IsDBNull(6) ? null : reader.GetInt64(6), reader.GetInt64(7), reader.GetInt64(8), "",
                Lots: reader.IsDBNull(9) ? null : reader.GetString(9), ProposalId: reader.IsDBNull(10) ? null : reader.GetInt64(10),
                Cost: reader.IsDBNull(11) ? null : reader.GetInt64(11));
            if (!states.TryGetValue(draft.AccountId, out var s)) states[draft.AccountId] = s = new AccountState(draft.AccountId);
            var error = LedgerRules.Apply(s, draft, id, out _);
            if (error is not null) problems.Add($"transaction {id}: the ledger refuses it on replay: {error}");
        }
        return (states, count, problems);
    }

    private static void Compare(DbConnection c, DbTransaction? tx, Dictionary<long, AccountState> replayed, List<string> differences)
    {
        const int Max = 100;
        void Add(string d) { if (differences.Count < Max) differences.Add(d); }

        var names = c.Query("SELECT id, name FROM accounts", r => (Id: r.GetInt64(0), Name: r.GetString(1)), tx).ToDictionary(a => a.Id, a => a.Name);
        var tickers = c.Query("SELECT id, ticker FROM securities", r => (Id: r.GetInt64(0), Ticker: r.GetString(1)), tx).ToDictionary(s => s.Id, s => s.Ticker);
        string A(long id) => names.TryGetValue(id, out var n) ? n : $"#{id}";
        string T(long id) => tickers.TryGetValue(id, out var t) ? t : $"security #{id}";
        var balances = c.Query("SELECT account_id, cash, last_rebalance FROM balances", r => (AccountId: r.GetInt64(0), Cash: r.GetInt64(1), LastRebalance: r.TextOrNull(2)), tx)
            .ToDictionary(b => b.AccountId);
        foreach (var s in replayed.Values)
        {
            balances.Remove(s.AccountId, out var b);
            if (b.Cash != s.Cash) Add($"account {A(s.AccountId)}: cash is {Scaled.Money(b.Cash)} in the projection, {Scaled.Money(s.Cash)} by the ledger");
            if (b.LastRebalance != s.LastRebalance) Add($"account {A(s.AccountId)}: last rebalance is {b.LastRebalance ?? "none"} in the projection, {s.LastRebalance ?? "none"} by the ledger");
        }
        foreach (var extra in balances.Keys) Add($"account #{extra}: has a cash projection but no account");

        var expected = new Dictionary<(long, long), long>();
        foreach (var s in replayed.Values)
            foreach (var h in s.Holdings.Where(h => h.Value != 0)) expected[(s.AccountId, h.Key)] = h.Value;
        using (var reader = c.ExecuteReader("SELECT account_id, security_id, quantity FROM holdings WHERE quantity <> 0", transaction: tx))
        {
            while (reader.Read())
            {
                var key = (reader.GetInt64(0), reader.GetInt64(1));
                var q = reader.GetInt64(2);
                if (!expected.Remove(key, out var e)) Add($"account {A(key.Item1)}: holds {Scaled.Quantity(q)} {T(key.Item2)} in the projection, none by the ledger");
                else if (e != q) Add($"account {A(key.Item1)}: holds {Scaled.Quantity(q)} {T(key.Item2)} in the projection, {Scaled.Quantity(e)} by the ledger");
            }
        }
        foreach (var missing in expected) Add($"account {A(missing.Key.Item1)}: holds {Scaled.Quantity(missing.Value)} {T(missing.Key.Item2)} by the ledger, none in the projection");

        var lots = new Dictionary<long, Lot>();
        foreach (var s in replayed.Values)
            foreach (var l in s.DirtyLots) lots[l.OpenTransactionId] = l;
        using (var reader = c.ExecuteReader("SELECT open_transaction_id, remaining, cost FROM lots", transaction: tx))
        {
            while (reader.Read())
            {
                var id = reader.GetInt64(0);
                long? cost = reader.IsDBNull(2) ? null : reader.GetInt64(2);
                if (!lots.Remove(id, out var l)) Add($"lot {id}: in the projection but not opened by the ledger");
                else if (l.Remaining != reader.GetInt64(1) || l.Cost != cost) Add($"lot {id}: remaining {Scaled.Quantity(reader.GetInt64(1))} in the projection, {Scaled.Quantity(l.Remaining)} by the ledger");
            }
        }
        foreach (var l in lots.Keys) Add($"lot {l}: opened by the ledger but missing from the projection");
    }
}
