using System.Globalization;
using Ballast.Planning;
using FsCheck;
using FsCheck.Fluent;

namespace Ballast.Tests.Planning;

/// <summary>The fast share quotient is decimal division truncated, to the digit and the scale.</summary>
public sealed class QuotientTests
{
    private static readonly int Runs = int.TryParse(Environment.GetEnvironmentVariable("BALLAST_PROPERTY_RUNS"), out var r) ? r * 20 : 20_000;

    private static string Slow(decimal a, decimal b, int d) => Math.Round(a / b, d, MidpointRounding.ToZero).ToString(CultureInfo.InvariantCulture);

    private static string Fast(decimal a, decimal b, int d) => Quotient.Truncated(a, b, d).ToString(CultureInfo.InvariantCulture);

    [Theory]
    [InlineData("1.00", "1", 6)]
    [InlineData("10.00", "2.00", 6)]
    [InlineData("5.00", "2", 6)]
    [InlineData("100.00", "4", 6)]
    [InlineData("100", "0.25", 6)]
    [InlineData("1234.56", "12.3456", 6)]
    [InlineData("1.00000000", "1", 6)]
    [InlineData("0.01", "3", 6)]
    [InlineData("0", "7.5", 6)]
    [InlineData("999999.99", "0.0001", 6)]
    [InlineData("79228162514264337593543950335", "1", 6)]
    [InlineData("12345.67", "4294967296", 6)]
    [InlineData("1", "3", 0)]
    [InlineData("1", "3", 12)]
    public void Known_cases_match_decimal_division(string a, string b, int d)
    {
        var x = decimal.Parse(a, CultureInfo.InvariantCulture);
        var y = decimal.Parse(b, CultureInfo.InvariantCulture);
        Assert.Equal(Slow(x, y, d), Fast(x, y, d));
    }

    [Fact]
    public void Random_amounts_and_prices_match_decimal_division()
    {
        var gen =
            from mantissa in Gen.Choose(0, int.MaxValue).Zip(Gen.Choose(0, 5000))
            from aScale in Gen.Choose(0, 8)
            from price in Gen.Choose(1, int.MaxValue)
            from bScale in Gen.Choose(0, 10)
            from d in Gen.Choose(0, 12)
            select (A: new decimal((long)mantissa.Item1 * mantissa.Item2) / Pow(aScale), B: price / Pow(bScale), D: d);
        Prop.ForAll(Arb.From(gen), c => Slow(c.A, c.B, c.D) == Fast(c.A, c.B, c.D))
            .Check(Config.QuickThrowOnFailure.WithMaxTest(Runs));
    }

    private static decimal Pow(int k)
    {
        var p = 1m;
        for (var i = 0; i < k; i++) p *= 10;
        return p;
    }
}
