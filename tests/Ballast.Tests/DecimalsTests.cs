using System.Globalization;

namespace Ballast.Tests;

/// <summary><see cref="Decimals.Shortest"/> is the exact value at its smallest scale: what dividing by 1 with 28 zeros gives, digit for digit.</summary>
public sealed class DecimalsTests
{
    [Theory]
    [InlineData("1.2500", "1.25")]
    [InlineData("40.00", "40")]
    [InlineData("-0.000100", "-0.0001")]
    [InlineData("0.0000", "0")]
    [InlineData("-0.00", "0")]
    [InlineData("123", "123")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("7922816251426433759354395033.0", "7922816251426433759354395033")]
    [InlineData("0.0000000000000000000000000010", "0.000000000000000000000000001")]
    public void Shortest_DropsTrailingZerosOnly(string value, string expected)
    {
        var shortest = Decimals.Shortest(decimal.Parse(value, CultureInfo.InvariantCulture));

        Assert.Equal(expected, shortest.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(decimal.Parse(value, CultureInfo.InvariantCulture), shortest);
    }

    [Fact]
    public void Shortest_AgreesWithTheDivisionOnRandomValuesOfEveryScale()
    {
        var random = new Random(20261206);
        for (var i = 0; i < 200_000; i++)
        {
            var scale = (byte)random.Next(0, 29);
            // Mantissas of every width (64-bit and the full 96), many with trailing zeros.
            var hi = random.Next(4) == 0 ? random.Next() : 0;
            var mid = random.Next(2) == 0 ? random.Next() : 0;
            var lo = random.Next();
            var value = new decimal(lo, mid, hi, random.Next(2) == 0, scale);
            if (random.Next(3) == 0) value = Math.Round(value, random.Next(0, 8), MidpointRounding.AwayFromZero) * 1.000m;

            var expected = value == 0m ? 0m : value / 1.0000000000000000000000000000m;
            var shortest = Decimals.Shortest(value);

            Assert.Equal(expected.ToString(CultureInfo.InvariantCulture), shortest.ToString(CultureInfo.InvariantCulture));
            Assert.Equal(expected.Scale, shortest.Scale);
        }
    }
}
