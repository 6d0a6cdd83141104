using Ballast.Input;
using Ballast.Store.Ledger;
using Ballast.Store.Data;

namespace Ballast.Store;

public sealed partial class BallastStore
{
    /// <summary>Creates an account (and its household when missing). Returns its id.</summary>
    /// <exception cref="InputException">The name is taken, the currency is not three letters or the model does not exist.</exception>
    public long AddAccount(NewAccount account) => Write("account", scope =>
    {
        var id = AddAccount(scope, account, null, null);
        return (id, $"added account {account.Name} ({account.Type.ToText()}, {account.Currency})");
    });

    internal static long AddAccount(WriteScope scope, NewAccount a, string? file, int? line)
    {
        var problems = new List<InputProblem>();
        if (string.IsNullOrWhiteSpace(a.Name)) problems.Add(new("an account needs a name", file, line, Field: "account"));
        if (a.Currency is null || a.Currency.Length != 3 || !a.Currency.All(char.IsAsciiLetter))
            problems.Add(new($"currency '{a.Currency}' is not a three-letter ISO 4217 code", file, line, Field: "currency"));
        if (scope.ScalarLong("SELECT id FROM accounts WHERE tenant_id = @tenant AND name = @n", new { tenant = scope.Tenant, n = a.Name }) is not null)
            problems.Add(new($"account '{a.Name}' already exists", file, line, Field: "account"));
        long? modelId = null;
        if (a.Model is not null)
        {
            modelId = scope.ScalarLong("SELECT id FROM models WHERE tenant_id = @tenant AND name = @n", new { tenant = scope.Tenant, n = a.Model });
            if (modelId is null) problems.Add(new($"model '{a.Model}' does not exist; create it with 'ballast model set'", file, line, Field: "model"));
        }
        if (problems.Count > 0) throw new InputException(problems);
        long? householdId = a.Household is null ? null : HouseholdId(scope, a.Household);
        var id = scope.NextId("accounts");
        scope.Execute("INSERT INTO accounts (id, name, household_id, type, currency, model_id, policy, created_at, lot_method, tenant_id) VALUES (@id, @name, @h, @type, @cur, @m, @p, @at, @lm, @tenant)",
            new { id, tenant = scope.Tenant, name = a.Name, h = householdId, type = a.Type.ToText(), cur = a.Currency!.ToUpperInvariant(), m = modelId, p = a.Policy, at = scope.Now, lm = Ballast.Tax.LotSelectionMethods.ToWord(a.LotMethod) });
        scope.Execute("INSERT INTO balances (account_id, cash, last_rebalance) VALUES (@id, 0, NULL)", new { id });
        return id;
    }

    internal static long HouseholdId(WriteScope scope, string name)
    {
        var existing = scope.ScalarLong("SELECT id FROM households WHERE tenant_id = @tenant AND name = @name", new { tenant = scope.Tenant, name });
        if (existing is not null) return existing.Value;
        var id = scope.NextId("households");
        scope.Execute("INSERT INTO households (id, name, created_at, tenant_id) VALUES (@id, @name, @at, @tenant)", new { id, name, at = scope.Now, tenant = scope.Tenant });
        return id;
    }

    /// <summary>Adds a security when its ticker is new. Returns its id.</summary>
    public long AddSecurity(string ticker, string? name = null) => Write("security", scope =>
    {
        var id = SecurityId(scope, NormalizeTicker(ticker), name);
        return (id, $"added security {ticker}");
    });

    internal static string NormalizeTicker(string ticker) => ticker.Trim().ToUpperInvariant();

    internal static long SecurityId(WriteScope scope, string ticker, string? name = null)
    {
        var existing = scope.ScalarLong("SELECT id FROM securities WHERE ticker = @ticker", new { ticker });
        if (existing is not null) return existing.Value;
        var id = scope.NextId("securities");
        scope.Execute("INSERT INTO securities (id, ticker, name, created_at) VALUES (@id, @ticker, @name, @at)", new { id, ticker, name, at = scope.Now });
        return id;
    }

    /// <summary>Assigns a model (and optionally the account's own policy text) to an account. Null model removes it.</summary>
    public void AssignModel(string account, string? model, string? policy = null) => Write("model assign", scope =>
    {
        var accountId = scope.ScalarLong("SELECT id FROM accounts WHERE tenant_id = @tenant AND name = @account", new { tenant = scope.Tenant, account })
            ?? throw new InputException(new InputProblem($"account '{account}' does not exist", Field: "--account"));
        long? modelId = null;
        if (model is not null)
        {
            modelId = scope.ScalarLong("SELECT id FROM models WHERE tenant_id = @tenant AND name = @model", new { tenant = scope.Tenant, model })
                ?? throw new InputException(new InputProblem($"model '{model}' does not exist", Field: "--model"));
        }
        scope.Execute("UPDATE accounts SET model_id = @modelId, policy = @policy WHERE id = @accountId AND tenant_id = @tenant", new { modelId, policy, accountId, tenant = scope.Tenant });
        return (0, $"account {account} now follows model {model ?? "(none)"}{(policy is null ? "" : " with its own policy")}");
    });

    /// <summary>All accounts, by name.</summary>
    public IReadOnlyList<AccountInfo> Accounts() => Read(c => c.Query(
            """
            SELECT a.id, a.name, h.name, a.type, a.currency, m.name, a.policy
            FROM accounts a LEFT JOIN households h ON h.id = a.household_id LEFT JOIN models m ON m.id = a.model_id
            WHERE a.tenant_id = @tenant
            ORDER BY a.name
            """, new { tenant = Tenant },
                r => (Id: r.GetInt64(0), Name: r.GetString(1), Household: r.TextOrNull(2), Type: r.GetString(3),
                      Currency: r.GetString(4), Model: r.TextOrNull(5), Policy: r.TextOrNull(6)))
        .Select(r => new AccountInfo(r.Id, r.Name, r.Household, LedgerNames.TryParseAccountType(r.Type, out var t) ? t : AccountType.Taxable, r.Currency, r.Model, r.Policy))
        .ToList());

    /// <summary>Records a deposit of <paramref name="amount"/> (currency units, positive, at most 4 decimals). Returns the transaction id.</summary>
    /// <param name="idempotencyKey">Repeat-safe key; a second call with the same key records nothing and returns the first id. Null for a new key.</param>
    public long Deposit(string account, decimal amount, DateOnly date, string? idempotencyKey = null, string? memo = null) =>
        CashMovement(account, amount, date, idempotencyKey, memo, TransactionKind.Deposit);

    /// <summary>Records a withdrawal of <paramref name="amount"/> (positive). Refused when cash would go below zero.</summary>
    public long Withdraw(string account, decimal amount, DateOnly date, string? idempotencyKey = null, string? memo = null) =>
        CashMovement(account, amount, date, idempotencyKey, memo, TransactionKind.Withdrawal);

    private long CashMovement(string account, decimal amount, DateOnly date, string? key, string? memo, TransactionKind kind) =>
        Write(kind.ToText(), scope =>
        {
            var problems = new List<InputProblem>();
            var accountId = scope.ScalarLong("SELECT id FROM accounts WHERE tenant_id = @tenant AND name = @account", new { tenant = scope.Tenant, account });
            if (accountId is null) problems.Add(new($"account '{account}' does not exist", Field: "--account"));
            long stored = 0;
            if (amount <= 0) problems.Add(new($"amount {amount} must be positive", Field: "amount"));
            else if (Import.ScaledInput.Exact(amount, Scaled.MoneyScale, "amount", out stored) is { } tooBig) problems.Add(new(tooBig, Field: "amount"));
            else stored = kind == TransactionKind.Withdrawal ? -stored : stored;
            if (date > scope.Store.Today) problems.Add(new($"date {FormatDate(date)} is in the future", Field: "--date"));
            if (problems.Count > 0) throw new InputException(problems);
            key ??= $"{kind.ToText()}:{Guid.NewGuid():N}";
            var existing = scope.Query("SELECT id, kind, trade_date, cash FROM transactions WHERE account_id = @a AND idempotency_key = @key", new { a = accountId, key },
                r => (Id: r.GetInt64(0), Kind: r.GetString(1), Date: r.GetString(2), Cash: r.GetInt64(3)));
            if (existing.Count > 0)
            {
                var old = existing[0];
                if (old.Kind != kind.ToText() || old.Date != FormatDate(date) || old.Cash != stored)
                    throw new InputException(new InputProblem(
                        $"idempotency key '{key}' was used before for a {old.Kind} of {Scaled.Format(Scaled.Money(Math.Abs(old.Cash)))} on {old.Date}; " +
                        $"this {kind.ToText()} of {amount} on {FormatDate(date)} differs, so it is refused as a conflict (use a new key)", Field: "--key"));
                return (old.Id, $"{kind.ToText()} {key} for {account} was already recorded");
            }
            var ledger = scope.Ledger;
            ledger.Load([accountId!.Value]);
            if (kind == TransactionKind.Withdrawal && ledger.State(accountId.Value).Cash + stored < 0)
                throw new InputException(new InputProblem($"withdrawing {amount} would leave {account} with negative cash ({Scaled.Money(ledger.State(accountId.Value).Cash)} available)", Field: "amount"));
            var error = ledger.Append(new TxnDraft(accountId.Value, kind.ToText(), FormatDate(date), null, 0, null, stored, 0, key, Memo: memo), out var id);
            if (error is not null) throw new InputException(new InputProblem(error, Field: "amount"));
            return (id, $"{kind.ToText()} of {amount} to {account} on {FormatDate(date)}");
        });

    /// <summary>Ledger transactions of one account (or all when null), oldest first.</summary>
    public IReadOnlyList<LedgerEntry> Transactions(string? account = null) => Read(c => c.Query(
            """
            SELECT t.id, a.name AS account, t.kind, t.trade_date, s.ticker, t.quantity, t.price, t.cash, t.fee, t.idempotency_key, t.execution_id, t.proposal_id, t.memo, t.recorded_at
            FROM transactions t JOIN accounts a ON a.id = t.account_id LEFT JOIN securities s ON s.id = t.security_id
            WHERE a.tenant_id = @tenant AND (@account IS NULL OR a.name = @account)
            ORDER BY t.trade_date, t.id
            """, new { tenant = Tenant, account }, r => new TxnRow(r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3), r.TextOrNull(4), r.GetInt64(5), r.LongOrNull(6),
                r.GetInt64(7), r.GetInt64(8), r.GetString(9), r.TextOrNull(10), r.LongOrNull(11), r.TextOrNull(12), r.GetString(13)))
        .Select(r => new LedgerEntry(r.Id, r.Account, LedgerNames.TryParseKind(r.Kind, out var k) ? k : TransactionKind.Adjustment, ParseDate(r.TradeDate), r.Ticker,
            Scaled.Quantity(r.Quantity), r.Price is null ? null : Scaled.Price(r.Price.Value), Scaled.Money(r.Cash), Scaled.Money(r.Fee), r.IdempotencyKey,
            r.ExecutionId, r.ProposalId, r.Memo, ParseInstant(r.RecordedAt)))
        .ToList());

    private sealed record TxnRow(long Id, string Account, string Kind, string TradeDate, string? Ticker, long Quantity, long? Price, long Cash, long Fee,
        string IdempotencyKey, string? ExecutionId, long? ProposalId, string? Memo, string RecordedAt);

    /// <summary>Current holdings (shares) and cash (currency units) of an account, from the projections.</summary>
    public (decimal Cash, IReadOnlyDictionary<string, decimal> Holdings) Position(string account) => Read(c =>
    {
        var cash = c.ScalarLong("SELECT b.cash FROM balances b JOIN accounts a ON a.id = b.account_id WHERE a.tenant_id = @tenant AND a.name = @account", new { tenant = Tenant, account })
            ?? throw new InputException(new InputProblem($"account '{account}' does not exist", Field: "--account"));
        var holdings = c.Query(
                "SELECT s.ticker, h.quantity FROM holdings h JOIN accounts a ON a.id = h.account_id JOIN securities s ON s.id = h.security_id WHERE a.tenant_id = @tenant AND a.name = @account AND h.quantity <> 0 ORDER BY s.ticker",
                new { tenant = Tenant, account }, r => (Ticker: r.GetString(0), Quantity: r.GetInt64(1)))
            .ToDictionary(h => h.Ticker, h => Scaled.Quantity(h.Quantity));
        return (Scaled.Money(cash), (IReadOnlyDictionary<string, decimal>)holdings);
    });

    /// <summary>Lots of an account derived from the ledger, open ones first by open date.</summary>
    public IReadOnlyList<LotInfo> Lots(string account) => Read(c => c.Query(
            """
            SELECT l.open_transaction_id, s.ticker, l.open_date, l.quantity, l.remaining, l.cost
            FROM lots l JOIN accounts a ON a.id = l.account_id JOIN securities s ON s.id = l.security_id
            WHERE a.tenant_id = @tenant AND a.name = @account ORDER BY l.remaining = 0, l.open_date, l.open_transaction_id
            """, new { tenant = Tenant, account },
                r => (Id: r.GetInt64(0), Ticker: r.GetString(1), OpenDate: r.GetString(2), Quantity: r.GetInt64(3), Remaining: r.GetInt64(4), Cost: r.LongOrNull(5)))
        .Select(l => new LotInfo(l.Id, l.Ticker, ParseDate(l.OpenDate), Scaled.Quantity(l.Quantity), Scaled.Quantity(l.Remaining), l.Cost is null ? null : Scaled.Money(l.Cost.Value)))
        .ToList());
}
