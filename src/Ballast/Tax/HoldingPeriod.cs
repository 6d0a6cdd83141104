namespace Ballast.Tax;

/// <summary>Whether a realized gain or loss is short-term or long-term.</summary>
public enum HoldingTerm
{
    /// <summary>Held one year or less.</summary>
    ShortTerm,

    /// <summary>Held more than one year.</summary>
    LongTerm,
}

/// <summary>
/// The holding-period rule: a position is long-term when it is held more than one year, counting from
/// the day after the holding period starts and including the sale day. A lot whose holding period starts
/// on 2024-03-15 is short-term when sold on 2025-03-15 and long-term when sold on 2025-03-16.
/// </summary>
/// <remarks>
/// The one-year anniversary is the same month and day one year later. A Feb 29 start has no such day in
/// the next year; Ballast takes Feb 28 as its anniversary (what <see cref="DateOnly.AddYears"/> gives), so
/// a lot started on 2024-02-29 is short-term through 2025-02-28 and long-term from 2025-03-01. That is the
/// same "day after the anniversary" reading used for every other date, and it never calls a lot long-term
/// earlier than 366 days after its start.
/// </remarks>
public static class HoldingPeriod
{
    /// <summary>The term of a sale on <paramref name="sold"/> of a lot whose holding period starts on <paramref name="holdingPeriodStart"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The sale is before the start of the holding period.</exception>
    public static HoldingTerm Term(DateOnly holdingPeriodStart, DateOnly sold)
    {
        if (sold < holdingPeriodStart)
            throw new ArgumentOutOfRangeException(nameof(sold), sold, $"the sale date must be on or after the holding period start {holdingPeriodStart:yyyy-MM-dd}");
        return sold >= LongTermFrom(holdingPeriodStart) ? HoldingTerm.LongTerm : HoldingTerm.ShortTerm;
    }

    /// <summary>The first sale date on which a lot whose holding period starts on <paramref name="holdingPeriodStart"/> is long-term.</summary>
    public static DateOnly LongTermFrom(DateOnly holdingPeriodStart) => holdingPeriodStart.AddYears(1).AddDays(1);
}
