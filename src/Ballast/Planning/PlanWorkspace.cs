using System.Numerics;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Planning;

/// <summary>
/// The planner's settings in its number type, worked out once: money and share precision, minimum trade,
/// reserve, costs, cash-flow method and rebalance-to rule.
/// </summary>
internal readonly struct PlanSettings<T> where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
{
    public readonly int MoneyDecimals;
    public readonly int QuantityDecimals;
    /// <summary>One unit of the last money decimal: 0.01 for two decimals.</summary>
    public readonly T Unit;
    /// <summary>Money units in one: 100 for two decimals.</summary>
    public readonly T UnitsPerWhole;
    public readonly T MinTrade;
    public readonly T CashReserve;
    public readonly T FixedCost;
    /// <summary>Proportional cost rate, a fraction of the trade value.</summary>
    public readonly T CostRate;
    public readonly bool CostsAreZero;
    public readonly bool HasFixedCost;
    public readonly CashFlowMethod Method;
    public readonly RebalanceTarget RebalanceTo;
    public readonly T Rail;
    /// <summary>The policy's cash band: idle cash up to this share of the portfolio is left alone.</summary>
    public readonly T CashBand;
    /// <summary>
    /// How far below a limit a cash amount may fall and still count as on it: 0 in decimal, where sums are exact;
    /// a ten-thousandth of the money unit in double, whose sums carry rounding noise far below that.
    /// </summary>
    public readonly T Slack;

    public PlanSettings(ExecutionOptions ex, Policy policy, CashFlowMethod method)
    {
        MoneyDecimals = ex.MoneyDecimals;
        QuantityDecimals = ex.QuantityDecimals;
        Unit = T.CreateChecked(Execution.Unit(ex.MoneyDecimals));
        UnitsPerWhole = T.CreateChecked(Execution.UnitsPerWhole(ex.MoneyDecimals));
        MinTrade = T.CreateChecked(ex.MinTrade);
        CashReserve = T.CreateChecked(ex.CashReserve);
        FixedCost = T.CreateChecked(ex.Costs.FixedPerTrade);
        CostRate = T.CreateChecked(ex.Costs.Rate);
        CostsAreZero = ex.Costs.IsZero;
        HasFixedCost = ex.Costs.FixedPerTrade != 0;
        Method = method;
        RebalanceTo = policy.RebalanceTo;
        Rail = T.CreateChecked(policy.Rail);
        CashBand = T.CreateChecked(policy.CashBand);
        Slack = typeof(T) == typeof(decimal) ? T.Zero : Unit * T.CreateChecked(0.0001m);
    }

    /// <summary>Fixed cost and rate of the trades with the money unit, or null when trading is free.</summary>
    public (T Fixed, T Rate, T Unit)? Costs => CostsAreZero ? null : (FixedCost, CostRate, Unit);

    /// <summary>The cost of a trade of <paramref name="value"/>: fixed plus the rate, rounded up to the money unit.</summary>
    public T CostOf(T value) => value <= T.Zero ? T.Zero : CostOfPositive(value);

    /// <summary><see cref="CostOf"/> of a trade known to be worth more than zero.</summary>
    public T CostOfPositive(T value)
    {
        if (CostsAreZero) return T.Zero;
        var cost = value * CostRate;
        if (HasFixedCost) cost += FixedCost;
        return Rounding.Round(cost, MoneyDecimals, MidpointRounding.ToPositiveInfinity);
    }
}

/// <summary>What a plan's trade does to one asset.</summary>
internal enum Move : byte { None, Sell, Buy }

/// <summary>
/// A book and every scratch array of one plan, reused from plan to plan on the same thread so that planning
/// allocates only its results. The outputs of the last execution (<see cref="Moves"/> and the arrays after it)
/// stay valid until the next plan on the workspace.
/// </summary>
internal sealed class PlanWorkspace<T> where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
{
    public readonly Book<T> Book = new();
    /// <summary>What the trigger looks at, for the verdict before a cash flow and again after it.</summary>
    public readonly Policies.Triggers.TriggerFacts<T> Facts = new();

    // Ideal stage.
    public T[] Deltas = [];
    public T[] Start = [];
    public T[] Gaps = [];
    public T[] Weights = [];
    public T[] Goals = [];
    public T[] Split = [];
    public T[] Sells = [];
    /// <summary>The most each asset may buy (<see cref="PlanRequest.BuyLimits"/>), valid when <see cref="AnyBuyCap"/>;
    /// unlimited assets hold <c>T.MaxValue</c>.</summary>
    public T[] BuyCaps = [];
    /// <summary>Whether this plan has buy limits; without them the caps are not read.</summary>
    public bool AnyBuyCap;

    // Execution.
    /// <summary>The assets that may sell in this execution, in asset order (the first entries).</summary>
    public int[] Sellers = [];
    /// <summary>The assets that may buy in this execution, in asset order (the first entries).</summary>
    public int[] Buyers = [];
    public T[] Buys = [];
    public T[] BuyQuantities = [];
    public bool[] WholeBuy = [];
    public T[] Outlay = [];
    public T[] Remainders = [];
    /// <summary>Buys dropped below the minimum trade, kept for the warning (0 when none); cleared after each use.</summary>
    public T[] Dropped = [];

    // Outputs: one trade at most per asset, sells before buys in asset order.
    public Move[] Moves = [];
    public T[] TradeValues = [];
    public T[] TradeQuantities = [];
    public bool[] TradeHasQuantity = [];
    public T[] TradeCosts = [];
    public T[] ValuesAfter = [];
    public T[] QuantitiesAfter = [];
    public bool[] HasQuantityAfter = [];

    /// <summary>The most asset <paramref name="i"/> may buy in this plan.</summary>
    public T BuyCap(int i) => AnyBuyCap ? BuyCaps[i] : T.MaxValue;

    /// <summary>Makes every array at least <paramref name="n"/> long (the book's arrays are sized by their own fill).</summary>
    public void EnsureCapacity(int n)
    {
        if (Deltas.Length >= n) return;
        Deltas = new T[n];
        Start = new T[n];
        Gaps = new T[n];
        Weights = new T[n];
        Goals = new T[n];
        Split = new T[n];
        Sells = new T[n];
        BuyCaps = new T[n];
        Sellers = new int[n];
        Buyers = new int[n];
        Buys = new T[n];
        BuyQuantities = new T[n];
        WholeBuy = new bool[n];
        Outlay = new T[n];
        Remainders = new T[n];
        Dropped = new T[n];
        Moves = new Move[n];
        TradeValues = new T[n];
        TradeQuantities = new T[n];
        TradeHasQuantity = new bool[n];
        TradeCosts = new T[n];
        ValuesAfter = new T[n];
        QuantitiesAfter = new T[n];
        HasQuantityAfter = new bool[n];
    }
}

/// <summary>Each thread's decimal workspace, for the planner and the drift report.</summary>
internal static class Workspaces
{
    [ThreadStatic] private static PlanWorkspace<decimal>? t_decimal;

    public static PlanWorkspace<decimal> Decimal => t_decimal ??= new PlanWorkspace<decimal>();
}
