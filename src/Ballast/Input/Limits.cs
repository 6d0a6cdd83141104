using System.Globalization;

namespace Ballast.Input;

/// <summary>
/// The limits Ballast puts on its input, in one place: file sizes and nesting, list lengths, the range of every kind
/// of number and the calendar. Readers check them where each value is read, so a value outside them is a problem
/// with file, line and field, never an overflow or a crash later.
/// </summary>
/// <remarks>
/// <para>The number ranges are chosen so that every sum, product and quotient the engine forms stays far inside
/// <see cref="decimal"/> (about ±7.9e28). The planner multiplies two amounts when it splits money in proportion to
/// shortfalls (at most (2 × 1e13)² = 4e26 with a deposit as large as the portfolio); an amount times a quantity
/// (at most 1e12) is at most 1e25; an amount over a price (at least 1e-8) is at most 1e21 shares, and those shares
/// times a price (at most 1e9) are back to the amount; a lot's cost basis times the shares sold over its shares is
/// at most <see cref="MaxTotalCost"/> × 1e12 = 1e27. Weights and rates are at most 100%, so a weight times an amount
/// is an amount.</para>
/// <para>The calendar runs from <see cref="FirstDate"/> to <see cref="LastDate"/>: look schedules (at most
/// 100,000 days between rebalances), holding periods (a year and a day) and wash-sale windows (61 days) then never
/// leave the range of <see cref="DateOnly"/>.</para>
/// </remarks>
public static class Limits
{
    // Files and structure.

    /// <summary>The largest portfolio, experiment or policy file Ballast reads, in bytes (16 MiB).</summary>
    public const int MaxFileBytes = 16 * 1024 * 1024;

    /// <summary>The largest price file (CSV) Ballast reads, in bytes (64 MiB; the 20-year daily ETF file is 2 MB).</summary>
    public const long MaxPriceFileBytes = 64L * 1024 * 1024;

    /// <summary>How deeply lists and mappings may nest in a YAML or JSON file. Ballast's own files need 6.</summary>
    public const int MaxDepth = 64;

    /// <summary>The most values (scalars, lists and mappings, keys included) a YAML or JSON file may hold.</summary>
    public const int MaxNodes = 500_000;

    /// <summary>The most target weights in a portfolio file or experiment.</summary>
    public const int MaxTargets = 5_000;

    /// <summary>The most holdings in a portfolio file, over all its accounts.</summary>
    public const int MaxHoldings = 5_000;

    /// <summary>The most accounts in a household file.</summary>
    public const int MaxAccounts = 100;

    /// <summary>The most tax lots in a portfolio file, over all holdings.</summary>
    public const int MaxLots = 10_000;

    /// <summary>The most history transactions in a portfolio file, over all accounts.</summary>
    public const int MaxTransactions = 10_000;

    /// <summary>The most price columns (tickers) in a price file.</summary>
    public const int MaxPriceColumns = 10_000;

    /// <summary>The most data rows (dates) in a price file: more than 2,700 years of daily closes.</summary>
    public const int MaxPriceRows = 1_000_000;

    /// <summary>The most cells (rows × price columns) in a price file: 80 MB of closes in memory.</summary>
    public const int MaxPriceCells = 10_000_000;

    /// <summary>The most policies a tuning grid (absolute × relative × rail × look) may hold.</summary>
    public const int MaxTuneGrid = 10_000;

    // Numbers.

    /// <summary>
    /// The largest money amount (1e13): cash, a holding's value, a cost basis, a deposit, a reserve, initial capital, and
    /// a portfolio's total value. Ten trillion units: 10 trillion won, or 100 billion dollars in cents.
    /// </summary>
    public const decimal MaxAmount = 10_000_000_000_000m;

    /// <summary>The largest share quantity of one holding, lot or transaction.</summary>
    public const decimal MaxQuantity = 1_000_000_000_000m;

    /// <summary>The smallest share quantity other than 0: one unit of the finest quantity precision (12 decimals).</summary>
    public const decimal MinQuantity = 0.000_000_000_001m;

    /// <summary>The highest price per share (or index level).</summary>
    public const decimal MaxPrice = 1_000_000_000m;

    /// <summary>The lowest price per share (or index level) other than 0.</summary>
    public const decimal MinPrice = 0.000_000_01m;

    /// <summary>The smallest target weight other than 0: 0.000001%.</summary>
    public const decimal MinWeight = 0.000_000_01m;

    /// <summary>The largest cost in basis points (commission or half-spread): 100%.</summary>
    public const decimal MaxBps = 10_000m;

    /// <summary>
    /// The most cost basis a file's lots and purchases may bring in together (1e15, a hundred times the largest amount).
    /// Wash sales only move a loss from a sold lot to another, so no lot's basis can exceed it, and a basis times the
    /// shares of a sale stays inside decimal.
    /// </summary>
    public const decimal MaxTotalCost = 1_000_000_000_000_000m;

    // Dates.

    /// <summary>The first date Ballast accepts.</summary>
    public static readonly DateOnly FirstDate = new(1800, 1, 1);

    /// <summary>The last date Ballast accepts.</summary>
    public static readonly DateOnly LastDate = new(2999, 12, 31);

    // Ranges of the values the readers read.

    /// <summary>A money amount that is never negative: cash, values, reserves, minimum trades, fixed costs, bases.</summary>
    public static readonly NumberRange Amount = new("amount", 0m, MaxAmount);

    /// <summary>A money amount that may be negative: a withdrawal as a cash flow, realized gains so far.</summary>
    public static readonly NumberRange SignedAmount = new("amount", -MaxAmount, MaxAmount);

    /// <summary>A share quantity: 0, or from <see cref="MinQuantity"/> to <see cref="MaxQuantity"/>.</summary>
    public static readonly NumberRange Quantity = new("quantity", 0m, MaxQuantity, MinQuantity);

    /// <summary>A share quantity that cannot be 0: a lot's or a transaction's shares.</summary>
    public static readonly NumberRange PositiveQuantity = new("quantity", MinQuantity, MaxQuantity);

    /// <summary>A price per share or index level, never 0: <see cref="MinPrice"/> to <see cref="MaxPrice"/>.</summary>
    public static readonly NumberRange Price = new("price", MinPrice, MaxPrice);

    /// <summary>A transaction's price per share, which may be 0 (shares received for nothing).</summary>
    public static readonly NumberRange TradePrice = new("price", 0m, MaxPrice, MinPrice);

    /// <summary>A target weight: 0, or <see cref="MinWeight"/> to 100%.</summary>
    public static readonly NumberRange Weight = new("weight", 0m, 1m, MinWeight, Percent: true);

    /// <summary>A rate or share from 0% to 100%: tax rates, loss thresholds, a cash rate.</summary>
    public static readonly NumberRange Rate = new("rate", 0m, 1m, Percent: true);

    /// <summary>A cost in basis points, 0 to <see cref="MaxBps"/>.</summary>
    public static readonly NumberRange Bps = new("cost", 0m, MaxBps);

    /// <summary>
    /// Any fraction whose reader states no narrower range: 0 to 100,000%. Wide enough for every setting, narrow
    /// enough that the fraction times any amount or weight stays inside decimal.
    /// </summary>
    public static readonly NumberRange AnyFraction = new("value", 0m, 1_000m, Percent: true);

    // Policy fields (read by PolicyReader and the experiment's tune grid).

    /// <summary>An absolute band half-width: 0 to 100 percentage points.</summary>
    public static readonly NumberRange AbsoluteBand = new("absolute band", 0m, 1m, Percent: true);

    /// <summary>A relative band half-width, a share of the target: 0 to 1,000%.</summary>
    public static readonly NumberRange RelativeBand = new("relative band", 0m, 10m, Percent: true);

    /// <summary>A relative inner rail: from 0% to under 100% of the target.</summary>
    public static readonly NumberRange Rail = new("rail", 0m, 1m, Percent: true, MaxExclusive: true);

    /// <summary>An annualized volatility level that fires a volatility trigger: 0 to 1,000%.</summary>
    public static readonly NumberRange VolatilityLevel = new("volatility level", 0m, 10m, Percent: true);

    /// <summary>
    /// The reference volatility of scaled bands: 0.01% to 1,000%. The band factor divides by it, so it has a floor
    /// (realized volatility over it then stays inside decimal whatever the prices).
    /// </summary>
    public static readonly NumberRange VolatilityReference = new("reference volatility", 0.0001m, 10m, Percent: true);

    /// <summary>The return or spread beyond which a performance trigger fires: 0.01% to 1,000%.</summary>
    public static readonly NumberRange PerformanceLevel = new("performance level", 0.0001m, 10m, Percent: true);

    /// <summary>The idle cash a policy tolerates, a share of the portfolio: 0 to 100%.</summary>
    public static readonly NumberRange CashBand = new("cash band", 0m, 1m, Percent: true);

    /// <summary>An annualized tracking error: 0 to 1,000%.</summary>
    public static readonly NumberRange TrackingError = new("tracking error", 0m, 10m, Percent: true);

    /// <summary>Checks that <paramref name="date"/> lies within <see cref="FirstDate"/>..<see cref="LastDate"/>.</summary>
    public static bool CheckDate(DateOnly date, out string? error)
    {
        error = date < FirstDate
            ? $"{date:yyyy-MM-dd} is before {FirstDate:yyyy-MM-dd}, the first date Ballast accepts"
            : date > LastDate
                ? $"{date:yyyy-MM-dd} is after {LastDate:yyyy-MM-dd}, the last date Ballast accepts"
                : null;
        return error is null;
    }

    /// <summary>A problem sentence for a list longer than <paramref name="max"/>: "lists 6,000 holdings; Ballast reads at most 5,000".</summary>
    public static string TooMany(string what, int count, int max) =>
        string.Create(CultureInfo.InvariantCulture, $"lists {count:#,0} {what}; Ballast reads at most {max:#,0}");
}

/// <summary>
/// The range of one kind of number: from <see cref="Min"/> to <see cref="Max"/> (or under it, when
/// <see cref="MaxExclusive"/>), and, when <see cref="SmallestNonZero"/> is set, either 0 or at least that far from 0.
/// <see cref="Noun"/> names the kind in messages ("a quantity of 1e13 is too large (at most 1,000,000,000,000)");
/// <see cref="Percent"/> shows its bounds as percentages.
/// </summary>
public readonly record struct NumberRange(string Noun, decimal Min, decimal Max, decimal SmallestNonZero = 0m, bool Percent = false, bool MaxExclusive = false)
{
    /// <summary>
    /// Checks <paramref name="value"/>, parsed from <paramref name="text"/> (quoted in the message). A number that
    /// parsed to 0 although its digits are not all 0 was too small for decimal, and is reported as too small.
    /// </summary>
    public bool Check(decimal value, string text, out string? error)
    {
        var shown = text.Trim();
        var a = Article(Noun);
        if (value == 0m && !IsZeroText(shown))
        {
            var least = SmallestNonZero > 0 ? SmallestNonZero : Min > 0 ? Min : 0m;
            error = least > 0
                ? $"{a} {Noun} of {shown} is too small ({(Min <= 0 ? "give 0 or " : "")}at least {Show(least)})"
                : $"{shown} is too small to be told from 0; write 0";
            return false;
        }
        if (MaxExclusive ? value >= Max : value > Max)
        {
            error = Percent && Max <= 1m && value > 1m && IsBare(shown)
                ? $"{shown} is not a fraction; write {shown}% or {value / 100}"
                : $"{a} {Noun} of {shown} is too large ({(MaxExclusive ? "must be under" : "at most")} {Show(Max)})";
            return false;
        }
        if (value < Min)
        {
            error = Min == 0m ? $"must not be negative (got {shown})"
                : Min > 0m && value <= 0m ? $"{Noun} must be greater than zero (got {shown})"
                : Min > 0m ? $"{a} {Noun} of {shown} is too small (at least {Show(Min)})"
                : $"{a} {Noun} of {shown} is out of range (from {Show(Min)} to {Show(Max)})";
            return false;
        }
        if (SmallestNonZero > 0m && value != 0m && Math.Abs(value) < SmallestNonZero)
        {
            error = $"{a} {Noun} of {shown} is too small (give 0 or at least {Show(SmallestNonZero)})";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>A bound as shown in messages: <c>1,000,000,000,000</c>, <c>0.00000001</c>, or <c>100%</c> for a percentage.</summary>
    public string Show(decimal bound) => Percent
        ? (bound * 100).ToString("#,0.##########", CultureInfo.InvariantCulture) + "%"
        : bound.ToString("#,0.############", CultureInfo.InvariantCulture);

    private static string Article(string noun) => noun.Length > 0 && "aeiou".Contains(noun[0], StringComparison.Ordinal) ? "an" : "a";

    /// <summary>True when <paramref name="text"/> has no unit (%, bp, pp): a bare number.</summary>
    private static bool IsBare(string text) =>
        !text.EndsWith('%') && !text.EndsWith("bp", StringComparison.OrdinalIgnoreCase) && !text.EndsWith("bps", StringComparison.OrdinalIgnoreCase)
        && !text.EndsWith("pp", StringComparison.OrdinalIgnoreCase);

    /// <summary>True when every digit of the number's mantissa is 0 (its exponent does not matter).</summary>
    private static bool IsZeroText(string text)
    {
        foreach (var c in text)
        {
            if (c is 'e' or 'E') break;
            if (c is >= '1' and <= '9') return false;
        }
        return true;
    }
}
