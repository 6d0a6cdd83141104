namespace Ballast.Store.Ledger;

/// <summary>How an account is taxed.</summary>
public enum AccountType
{
    /// <summary>Gains and income taxed as they happen (stored as <c>taxable</c>).</summary>
    Taxable,
    /// <summary>Taxed on withdrawal, e.g. a traditional IRA or 401(k) (stored as <c>tax-deferred</c>).</summary>
    TaxDeferred,
    /// <summary>Not taxed, e.g. a Roth IRA (stored as <c>tax-free</c>).</summary>
    TaxFree,
}

/// <summary>What a ledger transaction does. Corrections are new transactions, never edits.</summary>
public enum TransactionKind
{
    /// <summary>Cash in (positive cash).</summary>
    Deposit,
    /// <summary>Cash out (negative cash).</summary>
    Withdrawal,
    /// <summary>Shares in, cash out; opens a lot.</summary>
    Buy,
    /// <summary>Shares out, cash in; closes lots by the account's lot method (fifo unless set) unless the transaction names lots.</summary>
    Sell,
    /// <summary>Cash income, optionally naming the security that paid it.</summary>
    Dividend,
    /// <summary>Cash charged by the broker or adviser.</summary>
    Fee,
    /// <summary>Brings holdings or cash to a broker's reported positions (from a positions import); no trade.</summary>
    Adjustment,
}

/// <summary>Text forms of the ledger enums as stored and as typed on the command line.</summary>
public static class LedgerNames
{
    public static string ToText(this AccountType type) => type switch
    {
        AccountType.Taxable => "taxable",
        AccountType.TaxDeferred => "tax-deferred",
        AccountType.TaxFree => "tax-free",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "taxable, tax-deferred or tax-free"),
    };

    public static bool TryParseAccountType(string? text, out AccountType type)
    {
        switch (text?.Trim().ToLowerInvariant().Replace('_', '-'))
        {
            case "taxable": type = AccountType.Taxable; return true;
            case "tax-deferred" or "taxdeferred" or "deferred": type = AccountType.TaxDeferred; return true;
            case "tax-free" or "taxfree" or "free": type = AccountType.TaxFree; return true;
            default: type = default; return false;
        }
    }

    public static string ToText(this TransactionKind kind) => kind switch
    {
        TransactionKind.Deposit => "deposit",
        TransactionKind.Withdrawal => "withdrawal",
        TransactionKind.Buy => "buy",
        TransactionKind.Sell => "sell",
        TransactionKind.Dividend => "dividend",
        TransactionKind.Fee => "fee",
        TransactionKind.Adjustment => "adjustment",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "a known transaction kind"),
    };

    public static bool TryParseKind(string? text, out TransactionKind kind)
    {
        foreach (var k in Enum.GetValues<TransactionKind>())
        {
            if (string.Equals(k.ToText(), text?.Trim(), StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
        }
        kind = default;
        return false;
    }
}

/// <summary>A new account.</summary>
/// <param name="Name">Unique account name, e.g. <c>joint-taxable</c>.</param>
/// <param name="Type">Tax treatment.</param>
/// <param name="Currency">ISO 4217 code of its cash and prices, e.g. <c>USD</c>.</param>
/// <param name="Household">Household name; created when missing. Null for none.</param>
/// <param name="Model">Model name the account follows (must exist), or null.</param>
/// <param name="Policy">The account's own portfolio-file <c>policy:</c> block text, overriding the model's; null to use the model's.</param>
/// <param name="LotMethod">The order in which its sales that name no lots consume lots: fifo (the default), lifo, hifo or tax-min.</param>
public sealed record NewAccount(string Name, AccountType Type, string Currency, string? Household = null, string? Model = null, string? Policy = null,
    Ballast.Tax.LotSelectionMethod LotMethod = Ballast.Tax.LotSelectionMethod.Fifo);

/// <summary>
/// The lot selection methods a stored account may have, as the engine names them (<see cref="Ballast.Tax.LotSelectionMethods"/>):
/// fifo, lifo, hifo and tax-min. <c>specific</c> is not an account method in the store: a sale names its lots instead.
/// </summary>
public static class StoredLotMethods
{
    /// <summary>The accepted words.</summary>
    public static IReadOnlyList<string> Words { get; } = ["fifo", "lifo", "hifo", "tax-min"];

    /// <summary>Reads a method word; false with a message listing the words when it is not one of <see cref="Words"/>.</summary>
    public static bool TryParse(string? text, out Ballast.Tax.LotSelectionMethod method, out string? error)
    {
        if (Ballast.Tax.LotSelectionMethods.TryParse(text, "lot_method", out method, out _) && method != Ballast.Tax.LotSelectionMethod.Specific)
        {
            error = null;
            return true;
        }
        var shown = string.IsNullOrWhiteSpace(text) ? "an empty value" : $"'{text}'";
        error = $"{shown} is not a lot method for a stored account; use one of {string.Join(", ", Words)} (a sale names specific lots itself)";
        return false;
    }

    internal static Ballast.Tax.LotSelectionMethod Parse(string stored) =>
        TryParse(stored, out var m, out _) ? m : Ballast.Tax.LotSelectionMethod.Fifo;
}

/// <summary>An account as stored.</summary>
public sealed record AccountInfo(long Id, string Name, string? Household, AccountType Type, string Currency, string? Model, string? Policy);

/// <summary>One ledger transaction as stored. Amounts in the account currency; quantities in shares.</summary>
/// <param name="Quantity">Signed change in shares held (positive for buys).</param>
/// <param name="Price">Per-share price, or null.</param>
/// <param name="Cash">Signed change in cash, fees included (negative for buys).</param>
/// <param name="Fee">Fees and commissions included in <paramref name="Cash"/>, as a positive amount.</param>
public sealed record LedgerEntry(
    long Id, string Account, TransactionKind Kind, DateOnly Date, string? Ticker, decimal Quantity, decimal? Price,
    decimal Cash, decimal Fee, string IdempotencyKey, string? ExecutionId, long? ProposalId, string? Memo, DateTimeOffset RecordedAt);

/// <summary>A lot derived from the ledger: opened by a buy (or a positive adjustment), reduced by sells.</summary>
/// <param name="OpenTransactionId">The transaction that opened it; also the lot's identity.</param>
/// <param name="Quantity">Shares opened.</param>
/// <param name="Remaining">Shares still open.</param>
/// <param name="Cost">Cost basis of the remaining shares in the account currency, fees included; null when unknown.</param>
public sealed record LotInfo(long OpenTransactionId, string Ticker, DateOnly OpenDate, decimal Quantity, decimal Remaining, decimal? Cost);

/// <summary>Outcome of <see cref="BallastStore.Verify"/>: projections compared with a replay of the ledger.</summary>
/// <param name="Transactions">Ledger transactions replayed.</param>
/// <param name="Accounts">Accounts checked.</param>
/// <param name="Differences">One sentence per mismatch; empty when the projections agree with the ledger.</param>
public sealed record VerifyReport(long Transactions, int Accounts, IReadOnlyList<string> Differences)
{
    public bool Ok => Differences.Count == 0;
}
