using Ballast.Input;

namespace Ballast.Tests.Input;

/// <summary>
/// The ranges of <see cref="Limits"/> as <see cref="Values"/> applies them: each kind of number is refused outside
/// its range with a sentence that quotes the value as written and gives the bound.
/// </summary>
public sealed class NumberRangeTests
{
    private static string AmountError(string text, NumberRange range)
    {
        Assert.False(Values.TryParseAmount(text, range, out _, out var error));
        return error!;
    }

    private static string FractionError(string text, NumberRange range)
    {
        Assert.False(Values.TryParseFraction(text, range, out _, out var error));
        return error!;
    }

    [Theory]
    [InlineData("1e13", "a quantity of 1e13 is too large (at most 1,000,000,000,000)")]
    [InlineData("1e-13", "a quantity of 1e-13 is too small (give 0 or at least 0.000000000001)")]
    [InlineData("1e-40", "a quantity of 1e-40 is too small (give 0 or at least 0.000000000001)")]
    [InlineData("-3", "must not be negative (got -3)")]
    [InlineData("1e400", "1e400 is too large: at most 1,000,000,000,000")]
    [InlineData("NaN", "'NaN' is not a number")]
    [InlineData("Infinity", "'Infinity' is not a number")]
    public void Quantities(string text, string error) => Assert.Equal(error, AmountError(text, Limits.Quantity));

    [Theory]
    [InlineData("1e-28", "a price of 1e-28 is too small (at least 0.00000001)")]
    [InlineData("0", "price must be greater than zero (got 0)")]
    [InlineData("-5", "price must be greater than zero (got -5)")]
    [InlineData("2e9", "a price of 2e9 is too large (at most 1,000,000,000)")]
    public void Prices(string text, string error) => Assert.Equal(error, AmountError(text, Limits.Price));

    [Theory]
    [InlineData("1e14", "an amount of 1e14 is too large (at most 10,000,000,000,000)")]
    [InlineData("79228162514264337593543950336", "79228162514264337593543950336 is too large: at most 10,000,000,000,000")]
    public void Amounts(string text, string error) => Assert.Equal(error, AmountError(text, Limits.Amount));

    [Fact]
    public void SignedAmounts_GiveTheWholeRange() =>
        Assert.Equal("an amount of -2e13 is out of range (from -10,000,000,000,000 to 10,000,000,000,000)", AmountError("-2e13", Limits.SignedAmount));

    [Theory]
    [InlineData("0", 0)]
    [InlineData("-0", 0)]
    [InlineData("-0.00", 0)]
    [InlineData("1_000.5", 1000.5)]
    [InlineData("1e-12", 0.000000000001)]
    [InlineData("1e12", 1_000_000_000_000)]
    public void QuantitiesInRange_Parse(string text, double expected)
    {
        Assert.True(Values.TryParseAmount(text, Limits.Quantity, out var v, out _));
        Assert.Equal((decimal)expected, v);
        Assert.False(decimal.IsNegative(v));
    }

    [Theory]
    [InlineData("150%", "a weight of 150% is too large (at most 100%)")]
    [InlineData("1e27%", "a weight of 1e27% is too large (at most 100%)")]
    [InlineData("60", "60 is not a fraction; write 60% or 0.6")]
    [InlineData("1e-12%", "a weight of 1e-12% is too small (give 0 or at least 0.000001%)")]
    [InlineData("-5%", "must not be negative (got -5%)")]
    [InlineData("1e400%", "1e400% is too large: at most 100%")]
    public void Weights(string text, string error) => Assert.Equal(error, FractionError(text, Limits.Weight));

    [Theory]
    [InlineData("relative", "1e27", "a relative band of 1e27 is too large (at most 1,000%)")]
    [InlineData("rail", "100%", "a rail of 100% is too large (must be under 100%)")]
    [InlineData("reference", "0.0000001", "a reference volatility of 0.0000001 is too small (at least 0.01%)")]
    [InlineData("reference", "0", "reference volatility must be greater than zero (got 0)")]
    [InlineData("level", "20", "a volatility level of 20 is too large (at most 1,000%)")]
    [InlineData("any", "1e27", "a value of 1e27 is too large (at most 100,000%)")]
    public void PolicyFields(string field, string text, string error)
    {
        var range = field switch
        {
            "relative" => Limits.RelativeBand,
            "rail" => Limits.Rail,
            "reference" => Limits.VolatilityReference,
            "level" => Limits.VolatilityLevel,
            _ => Limits.AnyFraction,
        };
        Assert.Equal(error, FractionError(text, range));
    }

    [Theory]
    [InlineData("9999-12-31", "9999-12-31 is after 2999-12-31, the last date Ballast accepts")]
    [InlineData("3000-01-01", "3000-01-01 is after 2999-12-31, the last date Ballast accepts")]
    [InlineData("0001-01-01", "0001-01-01 is before 1800-01-01, the first date Ballast accepts")]
    [InlineData("2025-02-30", "'2025-02-30' is not a date (write YYYY-MM-DD)")]
    public void Dates_OutsideTheCalendar(string text, string error)
    {
        Assert.False(Values.TryParseDate(text, out _, out var e));
        Assert.Equal(error, e);
    }

    [Fact]
    public void TheCalendarsEnds_Parse()
    {
        Assert.True(Values.TryParseDate("1800-01-01", out var first, out _));
        Assert.True(Values.TryParseDate("2999-12-31", out var last, out _));
        Assert.Equal((Limits.FirstDate, Limits.LastDate), (first, last));
        // The date arithmetic the engine does from a date in range stays in the calendar.
        Assert.Equal(new DateOnly(3273, 10, 15), last.AddDays(100_000));
    }

    /// <summary>The claims of <see cref="Limits"/>' remarks: the largest products the engine forms fit in decimal.</summary>
    [Fact]
    public void TheLargestProducts_FitInDecimal()
    {
        var twoAmounts = 2 * Limits.MaxAmount;
        Assert.True(twoAmounts * twoAmounts < decimal.MaxValue / 100);
        Assert.True(Limits.MaxTotalCost * Limits.MaxQuantity < decimal.MaxValue / 50);
        Assert.True(Limits.MaxAmount / Limits.MinPrice < decimal.MaxValue / 1_000_000);
        Assert.True(Limits.MaxQuantity * Limits.MaxPrice < decimal.MaxValue / 1_000);
    }
}
