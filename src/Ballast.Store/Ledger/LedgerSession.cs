using Ballast.Store.Data;
using Ballast.Tax;

namespace Ballast.Store.Ledger;

/// <summary>A transaction about to be appended, in stored units (see <see cref="Scaled"/>).</summary>
internal sealed record TxnDraft(
    long AccountId, string Kind, string Date, long? SecurityId, long Quantity, long? Price, long Cash, long Fee,
    string Key, string? Ticker = null, string? Lots = null, string? ExecutionId = null, long? ProposalId = null,
    long? ImportId = null, string? Memo = null, long? Cost = null);

/// <summary>Projection state of one account: cash, holdings and open lots, with what changed.</summary>
internal sealed class AccountState(long accountId)
{
    public long AccountId { get; } = accountId;
    /// <summary><see cref="AccountId"/> boxed once, for the rows written for the account.</summary>
    public object BoxedId { get; } = accountId;
    public long Cash { get; set; }
    /// <summary>The account's lot selection method (<c>accounts.lot_method</c>) for sales that name no lots.</summary>
    public LotSelectionMethod LotMethod { get; set; } = LotSelectionMethod.Fifo;
    public string? LastRebalance { get; set; }
    public Dictionary<long, long> Holdings { get; } = [];
    public Dictionary<long, List<Lot>> OpenLots { get; } = [];
    public bool BalanceDirty { get; set; }
    public HashSet<long> DirtyHoldings { get; } = [];
    /// <summary>Securities that have a holdings row in the store (updated, not inserted, on flush).</summary>
    public HashSet<long> StoredHoldings { get; } = [];
    public List<Lot> DirtyLots { get; } = [];
}

internal sealed class Lot
{
    public long OpenTransactionId { get; init; }
    public long AccountId { get; init; }
    public long SecurityId { get; init; }
    public required string OpenDate { get; init; }
    public long Quantity { get; init; }
    public long Remaining { get; set; }
    public long? Cost { get; set; }
    public bool Dirty { get; set; }
    /// <summary>True when the lot has a row in the store (updated, not inserted, on flush).</summary>
    public bool Stored { get; set; }
}

/// <summary>
/// Applies new transactions to the projections of the accounts they touch and writes both in the
/// enclosing write transaction. Loads each account's state once, so a file of a million rows costs
/// a few bulk reads and bulk writes.
/// </summary>
internal sealed class LedgerSession(WriteScope scope)
{
    private const int LoadAllThreshold = 2000;
    private readonly Dictionary<long, AccountState> _states = [];
    private readonly List<object?[]> _newTransactions = [];
    private bool _loadedAll;

    /// <summary>Loads the projection state of these accounts (those not loaded yet).</summary>
    public void Load(IReadOnlyCollection<long> accountIds)
    {
        var missing = _loadedAll ? [] : accountIds.Where(a => !_states.ContainsKey(a)).Distinct().ToList();
        if (missing.Count == 0) return;
        foreach (var id in missing) _states[id] = new AccountState(id);
        if (missing.Count > LoadAllThreshold)
        {
            _loadedAll = true;
            Fill(null);
            return;
        }
        foreach (var chunk in missing.Chunk(500)) Fill(chunk);
    }

    private void Fill(long[]? ids)
    {
        var where = ids is null ? "" : " WHERE account_id IN @ids";
        var accountWhere = ids is null ? "" : " WHERE id IN @ids";
        foreach (var a in scope.Query($"SELECT id, lot_method FROM accounts{accountWhere}", new { ids }, r => (Id: r.GetInt64(0), Method: r.GetString(1))))
            if (_states.TryGetValue(a.Id, out var s)) s.LotMethod = StoredLotMethods.Parse(a.Method);
        foreach (var b in scope.Query($"SELECT account_id, cash, last_rebalance FROM balances{where}", new { ids },
            r => (AccountId: r.GetInt64(0), Cash: r.GetInt64(1), LastRebalance: r.TextOrNull(2))))
        {
            if (!_states.TryGetValue(b.AccountId, out var s)) continue;
            s.Cash = b.Cash;
            s.LastRebalance = b.LastRebalance;
        }
        foreach (var h in scope.Query($"SELECT account_id, security_id, quantity FROM holdings{where}", new { ids },
            r => (AccountId: r.GetInt64(0), SecurityId: r.GetInt64(1), Quantity: r.GetInt64(2))))
        {
            if (!_states.TryGetValue(h.AccountId, out var s)) continue;
            s.Holdings[h.SecurityId] = h.Quantity;
            s.StoredHoldings.Add(h.SecurityId);
        }
        var lotWhere = ids is null ? " WHERE remaining <> 0" : where + " AND remaining <> 0";
        foreach (var l in scope.Query(
                     $"SELECT open_transaction_id, account_id, security_id, open_date, quantity, remaining, cost FROM lots{lotWhere} ORDER BY open_date, open_transaction_id", new { ids },
                     r => (OpenTransactionId: r.GetInt64(0), AccountId: r.GetInt64(1), SecurityId: r.GetInt64(2), OpenDate: r.GetString(3), Quantity: r.GetInt64(4),
                         Remaining: r.GetInt64(5), Cost: r.LongOrNull(6))))
        {
            if (!_states.TryGetValue(l.AccountId, out var s)) continue;
            StoreLots.Add(s, new Lot
            {
                OpenTransactionId = l.OpenTransactionId, AccountId = l.AccountId, SecurityId = l.SecurityId, OpenDate = l.OpenDate,
                Quantity = l.Quantity, Remaining = l.Remaining, Cost = l.Cost, Stored = true,
            });
        }
    }

    /// <summary>The loaded state of an account (call <see cref="Load"/> first).</summary>
    public AccountState State(long accountId) =>
        _states.TryGetValue(accountId, out var s) ? s : throw new InvalidOperationException($"account {accountId} was not loaded");

    /// <summary>Idempotency keys already in the ledger for these accounts.</summary>
    public HashSet<(long AccountId, string Key)> ExistingKeys(IReadOnlyCollection<long> accountIds)
    {
        var keys = new HashSet<(long, string)>();
        if (accountIds.Count > LoadAllThreshold)
        {
            var wanted = accountIds.ToHashSet();
            foreach (var k in scope.Query("SELECT account_id, idempotency_key FROM transactions", r => (AccountId: r.GetInt64(0), Key: r.GetString(1))))
                if (wanted.Contains(k.AccountId)) keys.Add(k);
            return keys;
        }
        foreach (var chunk in accountIds.Distinct().Chunk(500))
        {
            foreach (var k in scope.Query("SELECT account_id, idempotency_key FROM transactions WHERE account_id IN @chunk", new { chunk },
                r => (r.GetInt64(0), r.GetString(1))))
                keys.Add(k);
        }
        return keys;
    }

    /// <summary>Appends a transaction; returns an error sentence (and appends nothing) when the ledger rules refuse it.</summary>
    public string? Append(TxnDraft draft, out long id)
    {
        if (!_states.TryGetValue(draft.AccountId, out var state))
        {
            Load([draft.AccountId]);
            state = State(draft.AccountId);
        }
        id = scope.NextId("transactions");
        var error = LedgerRules.Apply(state, draft, id, out var lots);
        if (error is not null) return error;
        _newTransactions.Add(
        [
            id, state.BoxedId, draft.Kind, draft.Date, Boxed.Of(draft.SecurityId), draft.Quantity, draft.Price, Boxed.Of(draft.Cash), Boxed.Of(draft.Fee),
            lots, draft.Key, draft.ExecutionId, draft.ProposalId, Boxed.Of(draft.ImportId), draft.Memo, scope.Now, draft.Cost,
            null, // row_hash, chained when the rows are written
        ]);
        // Written in slices inside the same database transaction: atomicity is unchanged, memory stays flat.
        if (_newTransactions.Count >= WriteScope.SliceRows) FlushTransactions();
        return null;
    }

    /// <summary>The columns of a ledger row, <c>row_hash</c> last (the hash leaves it out).</summary>
    private static readonly string[] TransactionColumns =
        ["id", "account_id", "kind", "trade_date", "security_id", "quantity", "price", "cash", "fee", "lots", "idempotency_key", "execution_id", "proposal_id", "import_id", "memo", "recorded_at", "cost",
         Integrity.HashChain.Column];

    private string? _chainHead;
    private bool _chainLoaded;

    private void FlushTransactions()
    {
        if (_newTransactions.Count == 0) return;
        // Every row is chained to the one before it (ids increase in append order): see HashChain.
        if (!_chainLoaded)
        {
            _chainHead = Integrity.HashChain.Head(scope.Connection, scope.Transaction, Integrity.HashChain.Transactions);
            _chainLoaded = true;
        }
        foreach (var row in _newTransactions)
            row[^1] = _chainHead = Integrity.HashChain.Hash(Integrity.HashChain.Transactions, _chainHead, TransactionColumns, row);
        scope.Insert("transactions", TransactionColumns, _newTransactions);
        _newTransactions.Clear();
    }

    /// <summary>Writes everything and drops the loaded accounts' states: a streaming import's next batch starts empty, so memory stays flat.</summary>
    public void FlushAndForget()
    {
        Flush();
        _states.Clear();
        _loadedAll = false;
    }

    public void Flush()
    {
        FlushTransactions();
        // Rows go out in slices so a million-row flush never holds them all at once (nor a list on the large object heap).
        const int Slice = WriteScope.SliceRows;
        string[] lotColumns = ["open_transaction_id", "account_id", "security_id", "open_date", "quantity", "remaining", "cost"];
        string[] holdingColumns = ["account_id", "security_id", "quantity"];
        var newLots = new List<object?[]>();
        var changedLots = new List<object?[]>();
        var newHoldings = new List<object?[]>();
        var changedHoldings = new List<object?[]>();
        var balances = new List<object?[]>();
        void Drain(bool all)
        {
            if (all || newLots.Count >= Slice) { scope.Insert("lots", lotColumns, newLots); newLots.Clear(); }
            if (all || changedLots.Count >= Slice) { scope.Upsert("lots", lotColumns, 1, changedLots); changedLots.Clear(); }
            if (all || newHoldings.Count >= Slice) { scope.Insert("holdings", holdingColumns, newHoldings); newHoldings.Clear(); }
            if (all || changedHoldings.Count >= Slice) { scope.Upsert("holdings", holdingColumns, 2, changedHoldings); changedHoldings.Clear(); }
        }
        foreach (var s in _states.Values)
        {
            foreach (var l in s.DirtyLots)
            {
                if (!l.Dirty) continue;
                l.Dirty = false;
                (l.Stored ? changedLots : newLots).Add([l.OpenTransactionId, s.BoxedId, Boxed.Of(l.SecurityId), l.OpenDate, l.Quantity, l.Remaining, l.Cost]);
                l.Stored = true;
            }
            s.DirtyLots.Clear();
            foreach (var sec in s.DirtyHoldings)
                (s.StoredHoldings.Add(sec) ? newHoldings : changedHoldings).Add([s.BoxedId, Boxed.Of(sec), s.Holdings.GetValueOrDefault(sec)]);
            s.DirtyHoldings.Clear();
            if (s.BalanceDirty) balances.Add([s.BoxedId, s.Cash, s.LastRebalance]);
            s.BalanceDirty = false;
            Drain(all: false);
        }
        Drain(all: true);
        scope.Upsert("balances", ["account_id", "cash", "last_rebalance"], 1, balances);
    }
}

/// <summary>What each transaction kind does to cash, holdings and lots, and what it must satisfy.</summary>
internal static class LedgerRules
{
    /// <param name="lots">The lots column to record: the lots a specific-lot or adjustment sale consumed (<c>id:quantity</c>), else as given.</param>
    public static string? Apply(AccountState s, TxnDraft t, long id, out string? lots)
    {
        lots = t.Lots;
        var ticker = t.Ticker ?? (t.SecurityId is not null ? "shares" : "");
        switch (t.Kind)
        {
            case "deposit" when t.Cash <= 0: return "a deposit must add cash (positive amount)";
            case "withdrawal" when t.Cash >= 0: return "a withdrawal must remove cash (positive amount withdrawn)";
            case "buy" or "sell" when t.SecurityId is null: return $"a {t.Kind} needs a ticker";
            case "buy" when t.Quantity <= 0: return "a buy needs a positive quantity";
            case "sell" when t.Quantity >= 0: return "a sell needs a positive quantity sold";
        }
        if (t.SecurityId is { } security && t.Quantity != 0)
        {
            var held = s.Holdings.GetValueOrDefault(security);
            long after;
            try { after = checked(held + t.Quantity); }
            catch (OverflowException) { return $"{t.Kind} of {Scaled.Format(Scaled.Quantity(t.Quantity))} {ticker} would take the holding past the largest quantity the store can hold"; }
            if (t.Quantity < 0)
            {
                if (held < -t.Quantity)
                    return $"{t.Kind} of {Scaled.Format(Scaled.Quantity(-t.Quantity))} {ticker} on {t.Date} exceeds the {Scaled.Format(Scaled.Quantity(held))} held";
                // Proceeds order tax-min lots: quantity times price when the price is known, else the cash received before fees.
                long proceeds;
                try { proceeds = t.Price is { } sp ? Scaled.Notional(-t.Quantity, sp) : Math.Max(0, checked(t.Cash + t.Fee)); }
                catch (OverflowException) { return $"{t.Kind} of {Scaled.Format(Scaled.Quantity(-t.Quantity))} {ticker} on {t.Date}: its quantity x price is too large an amount for the store"; }
                var error = StoreLots.Consume(s, security, -t.Quantity, proceeds, t.Lots, t.Date, t.Kind == "adjustment", out var consumed);
                lots = consumed ?? t.Lots;
                if (error is not null) return $"{t.Kind} of {Scaled.Format(Scaled.Quantity(-t.Quantity))} {ticker} on {t.Date}: {error}";
            }
            else
            {
                long? cost;
                try { cost = t.Cost ?? (t.Kind == "buy" ? checked(-t.Cash) : t.Price is { } p ? Scaled.Notional(t.Quantity, p) : null); }
                catch (OverflowException) { return $"{t.Kind} of {Scaled.Format(Scaled.Quantity(t.Quantity))} {ticker} on {t.Date}: its quantity x price is too large an amount for the store"; }
                StoreLots.Open(s, new Lot
                {
                    OpenTransactionId = id, AccountId = s.AccountId, SecurityId = security, OpenDate = t.Date,
                    Quantity = t.Quantity, Remaining = t.Quantity, Cost = cost,
                });
            }
            s.Holdings[security] = after;
            s.DirtyHoldings.Add(security);
        }
        if (t.Cash != 0)
        {
            try { s.Cash = checked(s.Cash + t.Cash); }
            catch (OverflowException) { return $"{t.Kind} of {Scaled.Format(Scaled.Money(t.Cash))} would take cash past the largest amount the store can hold"; }
            s.BalanceDirty = true;
        }
        // A fill no longer sets the last rebalance: a rebalance is done when its proposal is filled in full or cancelled
        // by a person, which the store reads from the proposals (see BallastStore.ProposalStates), not from one fill.
        return null;
    }
}
