using Ballast.Input;
using Ballast.Portfolios;
using Ballast.Tax;

namespace Ballast.Households;

/// <summary>How an account's gains are taxed.</summary>
public enum AccountType
{
    /// <summary>Gains and losses are realized for tax when sold (file word <c>taxable</c>).</summary>
    Taxable,

    /// <summary>No tax on trades inside the account (file word <c>tax-deferred</c>, such as a traditional IRA).</summary>
    TaxDeferred,

    /// <summary>No tax on trades inside the account (file word <c>tax-free</c>, such as a Roth IRA).</summary>
    TaxFree,
}

/// <summary>One account of a household as read from the file.</summary>
/// <param name="Name">The account's name, distinct within the household.</param>
/// <param name="Type">Taxable, tax-deferred or tax-free.</param>
/// <param name="Cash">Cash held in the account, in the portfolio currency, 0 or more.</param>
/// <param name="Holdings">The account's positions (values in the portfolio currency).</param>
/// <param name="LotSelection">The order in which this account's sells consume lots.</param>
public sealed record Account(string Name, AccountType Type, decimal Cash, IReadOnlyList<Position> Holdings, LotSelectionMethod LotSelection)
{
    /// <summary>True for a taxable account, whose sells realize gains.</summary>
    public bool IsTaxable => Type == AccountType.Taxable;

    /// <summary>The file word for an account type.</summary>
    public static string TypeWord(AccountType type) => type switch
    {
        AccountType.TaxDeferred => "tax-deferred",
        AccountType.TaxFree => "tax-free",
        _ => "taxable",
    };
}

/// <summary>Realized gains of the as-of year before the plan, given in the file (totals, portfolio currency; negative for a net loss).</summary>
public sealed record RealizedYearToDate(decimal ShortTerm, decimal LongTerm);

/// <summary>
/// The tax side of a portfolio file: the accounts with their lots, the history, the regime and the harvest settings.
/// A file without <c>accounts:</c> is one taxable account named <see cref="SingleAccountName"/>.
/// </summary>
public sealed record TaxProfile
{
    /// <summary>The name of the one account of a file that lists no accounts.</summary>
    public const string SingleAccountName = "main";

    /// <summary>The regime; US 37% short-term, 20% long-term when the file names none.</summary>
    public required TaxRegime Regime { get; init; }

    /// <summary>Each ticker's treatment name in <see cref="Regime"/>; tickers not listed get the regime's default.</summary>
    public IReadOnlyDictionary<string, string> TreatmentByTicker { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>The accounts, in file order; at least one.</summary>
    public required IReadOnlyList<Account> Accounts { get; init; }

    /// <summary>The history, all accounts.</summary>
    public IReadOnlyList<LedgerTransaction> Transactions { get; init; } = [];

    /// <summary>The history replayed over the lots given under the holdings: the open lots on the as-of date, sales and wash sales.</summary>
    public required LedgerResult History { get; init; }

    /// <summary>Groups of substantially identical tickers, across all accounts.</summary>
    public IdenticalTickers Identical { get; init; } = IdenticalTickers.None;

    /// <summary>The ticker to buy after harvesting a loss of the key ticker.</summary>
    public IReadOnlyDictionary<string, string> Substitutes { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Harvest thresholds from the file (default 5% and 100).</summary>
    public HarvestThresholds Harvest { get; init; } = HarvestThresholds.Default;

    /// <summary>When given, replaces the year-to-date gains computed from the as-of year's transactions.</summary>
    public RealizedYearToDate? RealizedYearToDate { get; init; }

    /// <summary>Whether a household plan may move cash between accounts.</summary>
    public bool AllowCashTransfers { get; init; }

    /// <summary>Money decimals for splitting lots (the portfolio's execution setting).</summary>
    public int MoneyDecimals { get; init; } = 2;

    /// <summary>The lot selector for this household's money precision.</summary>
    public LotSelector Selector => new(MoneyDecimals);

    /// <summary>The treatment of <paramref name="ticker"/>.</summary>
    public string TreatmentOf(string ticker) => Regime.TreatmentOf(ticker, TreatmentByTicker);

    /// <summary>
    /// The realized gains of <paramref name="year"/> before any plan: <see cref="RealizedYearToDate"/> when the file gives it
    /// (under the regime's default treatment), else the recognized gains of that year's sales in the history.
    /// </summary>
    public IReadOnlyList<RealizedGain> YearToDate(int year)
    {
        if (RealizedYearToDate is { } given)
            return
            [
                new RealizedGain(Regime.DefaultTreatment, HoldingTerm.ShortTerm, given.ShortTerm),
                new RealizedGain(Regime.DefaultTreatment, HoldingTerm.LongTerm, given.LongTerm),
            ];
        return History.RealizedGains(year, Regime, TreatmentByTicker);
    }

    /// <summary>Loss sales of the history (one per sale with lots sold at a loss; the loss is the sum of those lots' losses).</summary>
    public IReadOnlyList<LossSale> PastLossSales() =>
        [.. History.Sales
            .Select(s => (Sale: s, Loss: s.Lots.Where(l => l.Gain < 0m).Sum(l => -l.Gain)))
            .Where(x => x.Loss > 0m)
            .Select(x => new LossSale(x.Sale.Ticker, x.Sale.Account, x.Sale.Date, x.Loss))];

    /// <summary>A profile for a portfolio with no tax data: one taxable account, no lots, US defaults.</summary>
    public static TaxProfile Plain(Portfolio portfolio) => new()
    {
        Regime = TaxSettingsReader.DefaultRegime,
        Accounts = [new Account(SingleAccountName, AccountType.Taxable, portfolio.Cash, portfolio.Positions, LotSelectionMethod.Fifo)],
        History = new LedgerResult([], [], [], []),
        MoneyDecimals = portfolio.Execution.MoneyDecimals,
    };
}
