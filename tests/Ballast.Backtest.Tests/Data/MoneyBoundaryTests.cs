using Ballast.Backtest.Data;

namespace Ballast.Backtest.Tests.Data;

public sealed class MoneyBoundaryTests
{
    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    [InlineData(1e30)]
    public void ToDecimal_NonFiniteOrHuge_Throws(double value)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => MoneyBoundary.ToDecimal(value, "close"));

        Assert.Equal("close", ex.ParamName);
    }

    [Fact]
    public void ToDecimal_FiniteValue_RoundTrips()
    {
        Assert.Equal(123.25m, MoneyBoundary.ToDecimal(123.25, "close"));
        Assert.Equal(123.25, MoneyBoundary.ToDouble(123.25m));
    }
}
