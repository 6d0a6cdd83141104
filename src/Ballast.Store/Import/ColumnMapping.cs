using Ballast.Input;
using Ballast.Store.Ledger;

namespace Ballast.Store.Import;

/// <summary>What a broker action does in Ballast's ledger.</summary>
public enum ActionEffect
{
    /// <summary>The rule's <see cref="ActionRule.Kind"/>; a null kind is a deposit when the amount is positive, a withdrawal when negative.</summary>
    Cash,
    /// <summary>Shares in or out without cash (journaled shares, stock dividends, splits and reverse splits): the quantity's sign says which.</summary>
    Shares,
    /// <summary>Recorded by the broker but no change for Ballast, such as sweeps into and out of a core money-market position held as cash.</summary>
    Ignore,
    /// <summary>An action Ballast does not model (options, mergers, spin-offs, name changes): refused unless skipped.</summary>
    NotModeled,
}

/// <summary>A text pattern in a broker's action column and what it means.</summary>
/// <param name="Contains">Case-insensitive text the action cell contains (or equals, when <paramref name="Exact"/>).</param>
/// <param name="Kind">The kind, or null for "deposit when the amount is positive, withdrawal when negative".</param>
/// <param name="Effect">Cash and trades by <paramref name="Kind"/> (the default), share movements, ignored rows or rows not modeled.</param>
public sealed record ActionRule(string Contains, TransactionKind? Kind, bool Exact = false, ActionEffect Effect = ActionEffect.Cash);

/// <summary>
/// How to read one CSV layout: which header holds each Ballast field. A header may list alternatives
/// separated by <c>|</c> (first present wins); the <c>fee</c> field may add several columns with <c>+</c>.
/// Fields of positions files: <c>account</c> (optional), <c>ticker</c>, <c>quantity</c>, <c>cost_basis</c> (optional, total),
/// <c>market_value</c> (optional, used for cash rows). Fields of transactions files: <c>account</c>, <c>date</c>, <c>action</c>,
/// <c>ticker</c>, <c>quantity</c>, <c>price</c>, <c>amount</c>, <c>fee</c>, <c>id</c> (broker transaction id), <c>lots</c>.
/// </summary>
public sealed partial record ColumnMapping
{
    /// <summary>Layout name, e.g. <c>schwab</c>.</summary>
    public required string Name { get; init; }

    /// <summary>Ballast field to CSV header (with <c>|</c> alternatives and <c>+</c> sums for fees).</summary>
    public required IReadOnlyDictionary<string, string> Columns { get; init; }

    /// <summary>Action patterns, first match wins (transactions only).</summary>
    public IReadOnlyList<ActionRule> Actions { get; init; } = [];

    /// <summary>Ticker cells that mean cash (positions only); a leading <c>*</c> matches any prefix (<c>***</c> means ends with <c>**</c>).</summary>
    public IReadOnlyList<string> CashSymbols { get; init; } = ["CASH"];

    /// <summary>Ticker cells of rows to ignore, such as totals and pending activity (case-insensitive prefix match).</summary>
    public IReadOnlyList<string> SkipSymbols { get; init; } = [];

    /// <summary>Symbols that look like options (<c>AAPL 02/16/2024 150.00 C</c>, <c>-AAPL240216C150</c>, OCC <c>AAPL  240216C00150000</c>) are not modeled.</summary>
    internal static bool IsOptionSymbol(string ticker) => OptionSymbol().IsMatch(ticker.Trim());

    [System.Text.RegularExpressions.GeneratedRegex(@"^(\S+ \d{2}/\d{2}/\d{4} [\d.]+ [CP]|-[A-Z.]+\d{6}[CP][\d.]+|[A-Z.]{1,6} *\d{6}[CP]\d{8})$")]
    private static partial System.Text.RegularExpressions.Regex OptionSymbol();

    /// <summary>Date format of the date column, or null to accept ISO and US month/day/year dates.</summary>
    public string? DateFormat { get; init; }

    /// <summary>Fields that must have a column in the file.</summary>
    public IReadOnlyList<string> Required { get; init; } = [];

    /// <summary>
    /// Returns a copy with some fields mapped to other headers: <c>"ticker=Symbol,quantity=Shares"</c>.
    /// </summary>
    /// <exception cref="InputException">The text is not a list of field=Header pairs.</exception>
    public ColumnMapping With(string? overrides)
    {
        if (string.IsNullOrWhiteSpace(overrides)) return this;
        var columns = new Dictionary<string, string>(Columns, StringComparer.OrdinalIgnoreCase);
        foreach (var pair in overrides.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var kv = pair.Split('=', 2, StringSplitOptions.TrimEntries);
            if (kv.Length != 2 || kv[0].Length == 0 || kv[1].Length == 0)
                throw new InputException(new InputProblem($"'{pair}' is not field=Column Header", Field: "--map"));
            columns[kv[0].ToLowerInvariant()] = kv[1];
        }
        return this with { Name = Name + "+map", Columns = columns };
    }

    // Loops rather than LINQ: asked of every row of a positions file (eleven million for a million accounts).
    internal bool IsCash(string ticker)
    {
        for (var i = 0; i < CashSymbols.Count; i++)
        {
            var p = CashSymbols[i];
            if (p.StartsWith('*') ? ticker.AsSpan().EndsWith(p.AsSpan(1), StringComparison.OrdinalIgnoreCase) : ticker.Equals(p, StringComparison.OrdinalIgnoreCase))
                return true;
        }
        return false;
    }

    internal bool IsSkipped(string ticker)
    {
        for (var i = 0; i < SkipSymbols.Count; i++)
            if (ticker.StartsWith(SkipSymbols[i], StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>The header used in <paramref name="file"/> for a field (first alternative present), or null.</summary>
    internal string? HeaderIn(CsvFile file, string field)
    {
        if (!Columns.TryGetValue(field, out var spec)) return null;
        return spec.Split('|').Select(h => h.Trim()).FirstOrDefault(file.Has);
    }

    /// <summary>Header specs of the required fields (alternatives separated by <c>|</c>).</summary>
    internal string[] RequiredColumns => Required.Select(f => Columns[f]).ToArray();
}

/// <summary>
/// Built-in layouts. <c>ballast</c> is Ballast's own; <c>schwab</c> and <c>fidelity</c> are layouts like
/// the CSV exports of Charles Schwab's and Fidelity's web sites (column names as those exports
/// commonly show them; exact broker formats change and are not verified here: use <c>--map</c> to adjust).
/// </summary>
public static class Layouts
{
    /// <summary>Positions: <c>account,ticker,quantity,cost_basis</c>; a <c>CASH</c> row holds cash in quantity.</summary>
    public static ColumnMapping BallastPositions { get; } = new()
    {
        Name = "ballast",
        Columns = Map(("account", "account"), ("ticker", "ticker"), ("quantity", "quantity"), ("cost_basis", "cost_basis"), ("market_value", "market_value"), ("price", "price")),
        Required = ["ticker", "quantity"],
    };

    /// <summary>Transactions: <c>date,type,ticker,quantity,price,amount,fee,id,lots,account</c> with types named as <see cref="TransactionKind"/>.</summary>
    public static ColumnMapping BallastTransactions { get; } = new()
    {
        Name = "ballast",
        Columns = Map(("account", "account"), ("date", "date"), ("action", "type"), ("ticker", "ticker"), ("quantity", "quantity"),
            ("price", "price"), ("amount", "amount"), ("fee", "fee"), ("id", "id"), ("lots", "lots")),
        Actions = Enum.GetValues<TransactionKind>().Select(k => new ActionRule(k.ToText(), k, Exact: true)).ToList(),
        Required = ["date", "action"],
    };

    /// <summary>Positions like Schwab's export: title line, then "Symbol","Description","Quantity" (or "Qty (Quantity)"),"Price",…,"Market Value","Cost Basis"; "Cash &amp; Cash Investments" and "Account Total" rows. All-accounts exports put each account's title line ("Individual ...1234") and header above its rows.</summary>
    public static ColumnMapping SchwabPositions { get; } = new()
    {
        Name = "schwab",
        Columns = Map(("ticker", "Symbol"), ("quantity", "Quantity|Qty (Quantity)"), ("cost_basis", "Cost Basis|Cost Basis (Cost Basis)"),
            ("market_value", "Market Value|Mkt Val (Market Value)"), ("price", "Price")),
        CashSymbols = ["Cash & Cash Investments", "Cash & Money Market"],
        SkipSymbols = ["Account Total", "Positions Total"],
        Required = ["ticker"],
    };

    /// <summary>Transactions like Schwab's export: "Date","Action","Symbol","Description","Quantity","Price","Fees &amp; Comm","Amount".</summary>
    public static ColumnMapping SchwabTransactions { get; } = new()
    {
        Name = "schwab",
        Columns = Map(("date", "Date"), ("action", "Action"), ("ticker", "Symbol"), ("quantity", "Quantity"), ("price", "Price"),
            ("fee", "Fees & Comm"), ("amount", "Amount")),
        Actions =
        [
            // Options and corporate actions Ballast does not model, before the trades they resemble.
            new("to Open", null, Effect: ActionEffect.NotModeled), new("to Close", null, Effect: ActionEffect.NotModeled),
            new("Expired", null, Effect: ActionEffect.NotModeled), new("Assigned", null, Effect: ActionEffect.NotModeled),
            new("Exercise", null, Effect: ActionEffect.NotModeled), new("Sell Short", null, Effect: ActionEffect.NotModeled),
            new("Spin-off", null, Effect: ActionEffect.NotModeled), new("Merger", null, Effect: ActionEffect.NotModeled),
            new("Name Change", null, Effect: ActionEffect.NotModeled), new("Conversion", null, Effect: ActionEffect.NotModeled),
            // Share movements without cash.
            new("Journaled Shares", null, Effect: ActionEffect.Shares), new("Stock Div Dist", null, Effect: ActionEffect.Shares),
            new("Stock Split", null, Effect: ActionEffect.Shares), new("Reverse Split", null, Effect: ActionEffect.Shares),
            new("Stock Plan Activity", null, Effect: ActionEffect.Shares),
            // Trades, income and charges.
            new("Reinvest Shares", TransactionKind.Buy), new("Reinvest", TransactionKind.Dividend),
            new("Buy", TransactionKind.Buy, Exact: true), new("Sell", TransactionKind.Sell, Exact: true),
            new("Cap Gain", TransactionKind.Dividend), new("Dividend", TransactionKind.Dividend), new("Div", TransactionKind.Dividend),
            new("Interest", TransactionKind.Dividend),
            new("Fee", TransactionKind.Fee), new("Foreign Tax", TransactionKind.Fee), new("Tax", TransactionKind.Fee),
            new("MoneyLink", null), new("Journal", null), new("Wire", null), new("Transfer", null), new("Check", null),
            new("Deposit", null), new("Direct", null), new("Cash In Lieu", null),
        ],
        Required = ["date", "action", "amount"],
    };

    /// <summary>Positions like Fidelity's export: "Account Number","Account Name","Symbol","Description","Quantity","Last Price",…,"Current Value",…,"Cost Basis Total" (or "Cost Basis"); money-market core positions end in <c>**</c>.</summary>
    public static ColumnMapping FidelityPositions { get; } = new()
    {
        Name = "fidelity",
        Columns = Map(("account", "Account Number"), ("ticker", "Symbol"), ("quantity", "Quantity"), ("cost_basis", "Cost Basis Total|Cost Basis"),
            ("market_value", "Current Value"), ("price", "Last Price")),
        CashSymbols = ["***", "Cash"],
        SkipSymbols = ["Pending Activity", "Account Total", "Subtotal"],
        Required = ["ticker"],
    };

    /// <summary>Transactions like Fidelity's export: "Run Date","Account","Account Number","Action","Symbol",…,"Quantity","Price ($)","Commission ($)","Fees ($)",…,"Amount ($)"; the 2025 headers without "($)" too.</summary>
    public static ColumnMapping FidelityTransactions { get; } = new()
    {
        Name = "fidelity",
        Columns = Map(("account", "Account Number"), ("date", "Run Date"), ("action", "Action"), ("ticker", "Symbol"), ("quantity", "Quantity"),
            ("price", "Price ($)|Price"), ("fee", "Commission ($)|Commission+Fees ($)|Fees"), ("amount", "Amount ($)|Amount")),
        Actions =
        [
            new("OPENING TRANSACTION", null, Effect: ActionEffect.NotModeled), new("CLOSING TRANSACTION", null, Effect: ActionEffect.NotModeled),
            new("EXPIRED", null, Effect: ActionEffect.NotModeled), new("ASSIGNED", null, Effect: ActionEffect.NotModeled),
            new("EXERCISE", null, Effect: ActionEffect.NotModeled), new("MERGER", null, Effect: ActionEffect.NotModeled),
            new("SPIN", null, Effect: ActionEffect.NotModeled), new("REDEMPTION PAYOUT", null, Effect: ActionEffect.NotModeled),
            new("EXCHANGED", null, Effect: ActionEffect.NotModeled), new("NAME CHANGE", null, Effect: ActionEffect.NotModeled),
            new("REDEMPTION FROM CORE ACCOUNT", null, Effect: ActionEffect.Ignore), new("PURCHASE INTO CORE ACCOUNT", null, Effect: ActionEffect.Ignore),
            new("JOURNALED", null, Effect: ActionEffect.Shares), new("STOCK DIVIDEND", null, Effect: ActionEffect.Shares),
            new("SPLIT", null, Effect: ActionEffect.Shares),
            new("YOU BOUGHT", TransactionKind.Buy), new("YOU SOLD", TransactionKind.Sell), new("REINVESTMENT", TransactionKind.Buy),
            new("DIVIDEND RECEIVED", TransactionKind.Dividend), new("CAP GAIN", TransactionKind.Dividend), new("INTEREST", TransactionKind.Dividend),
            new("MUNI EXEMPT INT", TransactionKind.Dividend),
            new("FOREIGN TAX", TransactionKind.Fee), new("NON-RESIDENT TAX", TransactionKind.Fee), new("FEE", TransactionKind.Fee),
            new("Electronic Funds Transfer", null), new("TRANSFER", null), new("CONTRIBUTION", null), new("DISTRIBUTION", null),
            new("CHECK", null), new("DIRECT DEPOSIT", null), new("DIRECT DEBIT", null), new("DEPOSIT", null), new("WIRE", null),
        ],
        Required = ["date", "action", "amount"],
    };

    /// <summary>The positions layout of that name (<c>ballast</c>, <c>schwab</c>, <c>fidelity</c>).</summary>
    public static ColumnMapping Positions(string? name) => Pick(name, BallastPositions, SchwabPositions, FidelityPositions);

    /// <summary>The transactions layout of that name (<c>ballast</c>, <c>schwab</c>, <c>fidelity</c>).</summary>
    public static ColumnMapping Transactions(string? name) => Pick(name, BallastTransactions, SchwabTransactions, FidelityTransactions);

    private static ColumnMapping Pick(string? name, params ColumnMapping[] layouts) =>
        layouts.FirstOrDefault(l => l.Name.Equals(name ?? "ballast", StringComparison.OrdinalIgnoreCase))
        ?? throw new InputException(new InputProblem($"unknown layout '{name}'; built-in layouts are ballast, schwab and fidelity", Field: "--layout"));

    private static Dictionary<string, string> Map(params (string Field, string Header)[] pairs) =>
        pairs.ToDictionary(p => p.Field, p => p.Header, StringComparer.OrdinalIgnoreCase);
}
