using Ballast.Input;
using Ballast.Planning;

namespace Ballast.Tests.Input;

/// <summary>
/// Every number of a portfolio file is checked against its range where it is read, so a value that would overflow
/// the engine later is a problem with file, line and field; lists have a length limit; the lots and purchases of a
/// file a total cost limit.
/// </summary>
public sealed class PortfolioLimitsTests
{
    private const string Base = """
        asOf: 2025-06-30
        cash: 100
        holdings:
          - { ticker: AAA, quantity: 10, price: 12.5 }
          - { ticker: BBB, value: 800 }
        targets: { AAA: 50%, BBB: 50% }
        """;

    private static InputProblem Single(string text, ReadOptions? options = null)
    {
        var result = PortfolioReader.Read("p.yaml", text, options);
        Assert.False(result.Ok);
        return Assert.Single(result.Problems);
    }

    [Theory]
    [InlineData("quantity: 10,", "quantity: 1e13,", "4:30: holdings[0].quantity: a quantity of 1e13 is too large (at most 1,000,000,000,000)")]
    [InlineData("quantity: 10,", "quantity: 1e-28,", "4:30: holdings[0].quantity: a quantity of 1e-28 is too small (give 0 or at least 0.000000000001)")]
    [InlineData("price: 12.5", "price: 1e-28", "4:41: holdings[0].price: a price of 1e-28 is too small (at least 0.00000001)")]
    [InlineData("price: 12.5", "price: 0", "4:41: holdings[0].price: price must be greater than zero (got 0)")]
    [InlineData("value: 800", "value: 1e27", "5:27: holdings[1].value: an amount of 1e27 is too large (at most 10,000,000,000,000)")]
    [InlineData("cash: 100", "cash: 79228162514264337593543950336", "2:7: cash: 79228162514264337593543950336 is too large: at most 10,000,000,000,000")]
    [InlineData("cash: 100", "cash: -0.01", "2:7: cash: must not be negative (got -0.01)")]
    [InlineData("BBB: 50% }", "BBB: 1e27% }", "6:27: targets.BBB: a weight of 1e27% is too large (at most 100%)")]
    [InlineData("asOf: 2025-06-30", "asOf: 9999-12-31", "1:7: asOf: 9999-12-31 is after 2999-12-31, the last date Ballast accepts")]
    public void OutOfRange_IsAProblemAtTheValue(string from, string to, string expected) =>
        Assert.Equal("p.yaml:" + expected, Single(Base.Replace(from, to, StringComparison.Ordinal)).ToString());

    [Fact]
    public void QuantityTimesPrice_AboveTheLargestAmount_IsAProblem() =>
        Assert.Equal("p.yaml:4:5: holdings[0].quantity: quantity × price = 125000000000000 is too large: Ballast accepts amounts up to 10,000,000,000,000",
            Single(Base.Replace("quantity: 10, price: 12.5", "quantity: 1000000000000, price: 125", StringComparison.Ordinal)).ToString());

    [Theory]
    [InlineData("commissionBps: 20000", "execution.commissionBps: a cost of 20000 is too large (at most 10,000)")]
    [InlineData("minTrade: 1e14", "execution.minTrade: an amount of 1e14 is too large (at most 10,000,000,000,000)")]
    [InlineData("cashReserve: -1", "execution.cashReserve: must not be negative (got -1)")]
    public void ExecutionFields_HaveRanges(string field, string expected) =>
        Assert.EndsWith(expected, Single(Base + $"\nexecution: {{ {field} }}\n").ToString(), StringComparison.Ordinal);

    [Fact]
    public void InRangeExtremes_ReadAndPlan()
    {
        var text = """
            asOf: 2999-12-31
            lastRebalanced: 1800-01-01
            cash: 1000000000000
            holdings:
              - { ticker: AAA, quantity: 1000000000000, price: 0.00000001 }
              - { ticker: BBB, quantity: 0.000000000001, price: 1000000000 }
            targets: { AAA: 0.000001%, BBB: 99.999999% }
            policy: { look: annual, maxIntervalDays: 100000 }
            execution: { moneyDecimals: 8, quantityDecimals: 12 }
            """;
        var portfolio = PortfolioReader.Read("p.yaml", text).GetOrThrow();

        var plan = Planner.Create(portfolio, new PlanRequest { Deposit = Limits.MaxAmount, ForceRebalance = true });

        Assert.NotEmpty(plan.Trades);
    }

    [Fact]
    public void MoreHoldingsThanTheLimit_IsOneProblem()
    {
        var holdings = string.Join('\n', Enumerable.Range(0, Limits.MaxHoldings + 1).Select(i => $"  - {{ ticker: T{i}, value: 1 }}"));
        var p = Single($"asOf: 2025-06-30\nholdings:\n{holdings}\ntargets: {{ T0: 100% }}\n");

        Assert.Equal("p.yaml:3:3: holdings: lists 5,001 holdings; Ballast reads at most 5,000", p.ToString());
    }

    [Fact]
    public void MoreTargetsThanTheLimit_IsOneProblem()
    {
        var targets = string.Join(", ", Enumerable.Range(0, Limits.MaxTargets + 1).Select(i => $"T{i}: 0%"));
        var p = Single($"asOf: 2025-06-30\ncash: 1\ntargets: {{ {targets} }}\n");

        Assert.Equal("p.yaml:3:10: targets: lists 5,001 target weights; Ballast reads at most 5,000", p.ToString());
    }

    private const string Lots = """
        asOf: 2025-06-30
        holdings:
          - ticker: AAA
            quantity: 10
            price: 10
            lots:
              - { acquired: 2020-01-15, quantity: 10, costBasis: 50 }
        targets: { AAA: 100% }
        """;

    [Theory]
    [InlineData("quantity: 10, costBasis", "quantity: 1e-20, costBasis", "7:43: holdings[0].lots[0].quantity: a quantity of 1e-20 is too small (at least 0.000000000001)")]
    [InlineData("quantity: 10, costBasis", "quantity: 0, costBasis", "7:43: holdings[0].lots[0].quantity: quantity must be greater than zero (got 0)")]
    [InlineData("costBasis: 50", "costBasis: 1e20", "7:58: holdings[0].lots[0].costBasis: an amount of 1e20 is too large (at most 10,000,000,000,000)")]
    [InlineData("acquired: 2020-01-15", "acquired: 0001-01-01", "7:21: holdings[0].lots[0].acquired: 0001-01-01 is before 1800-01-01, the first date Ballast accepts")]
    public void LotFields_HaveRanges(string from, string to, string expected) =>
        Assert.Equal("p.yaml:" + expected, Single(Lots.Replace(from, to, StringComparison.Ordinal)).ToString());

    [Fact]
    public void ATransactionWhoseTotalIsTooLarge_IsAProblemAtItsPrice()
    {
        var text = Lots + "\ntransactions:\n  - { date: 2021-01-04, type: buy, ticker: AAA, quantity: 1000000000000, price: 1000000 }\n";
        var problems = PortfolioReader.Read("p.yaml", text).Problems;

        Assert.Contains(problems, p => p.ToString().StartsWith(
            "p.yaml:10:81: transactions[0].price: quantity × price = 1000000000000000000 is too large", StringComparison.Ordinal));
    }

    [Fact]
    public void LotsAndPurchasesAboveTheTotalCostLimit_AreAProblem()
    {
        // 101 buys of 10,000,000,000,000 each: every one in range, together above 1e15.
        var buys = string.Join('\n', Enumerable.Range(0, 101).Select(i => $"  - {{ date: 2021-01-04, type: buy, ticker: AAA, quantity: 1000000, price: 10000000 }}"));
        var problems = PortfolioReader.Read("p.yaml", Lots + $"\ntransactions:\n{buys}\n").Problems;

        Assert.Contains(problems, p => p.Field == "transactions" && p.Message.StartsWith(
            "the lots' cost bases and the purchases add up to 1,010,000,000,000,050; Ballast accepts at most 1,000,000,000,000,000", StringComparison.Ordinal));
    }
}
