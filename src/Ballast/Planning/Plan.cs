using Ballast.Drift;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Planning;

public enum TradeSide { Buy, Sell }

/// <summary>The text of a <see cref="TradeSide"/>.</summary>
public static class TradeSides
{
    /// <summary><c>buy</c> or <c>sell</c>, as every plan document, CSV and the store write it.</summary>
    public static string ToText(this TradeSide side) => side == TradeSide.Buy ? "buy" : "sell";
}

/// <summary>What a plan does.</summary>
public enum PlanAction
{
    /// <summary>No trades: within policy and no cash to place.</summary>
    None,
    /// <summary>The policy's rebalance-to rule was applied.</summary>
    Rebalance,
    /// <summary>Cash was invested by buying only.</summary>
    InvestCash,
    /// <summary>Cash was raised by selling only (a withdrawal, or cash below the reserve).</summary>
    RaiseCash,
}

/// <summary>One order. <see cref="Value"/> is the money traded (portfolio currency, rounded to the money precision);
/// <see cref="Quantity"/> the shares, when a price is known; <see cref="Cost"/> the estimated transaction cost.</summary>
public sealed record Trade(string Ticker, TradeSide Side, decimal Value, decimal? Quantity, decimal? Price, decimal Cost);

/// <summary>A position after the plan's trades. <paramref name="Basis"/> is the weighing base after the trades.</summary>
public sealed record HoldingAfter(string Ticker, decimal Value, decimal? Quantity, decimal Target, decimal Basis)
{
    /// <summary>Value / basis as a fraction, derived on access.</summary>
    public decimal Weight => Basis == 0 ? 0 : Value / Basis;
}

/// <summary>A plan's holdings after its trades, made into <see cref="HoldingAfter"/> objects only when read.</summary>
internal sealed class AfterRows(string[] tickers, decimal[] values, decimal?[] quantities, decimal[] targets, decimal basis)
    : Drift.BuiltOnRead<HoldingAfter>
{
    public override int Count => tickers.Length;

    protected override HoldingAfter[] Build()
    {
        var rows = new HoldingAfter[tickers.Length];
        for (var i = 0; i < rows.Length; i++) rows[i] = new HoldingAfter(tickers[i], values[i], quantities[i], targets[i], basis);
        return rows;
    }
}

/// <summary>What to plan besides the policy: money in or out, and whether to rebalance regardless of the trigger.</summary>
public sealed record PlanRequest
{
    public static PlanRequest None { get; } = new();

    /// <summary>Cash added before planning (a deposit or a dividend), never negative.</summary>
    public decimal Deposit { get; init; }
    /// <summary>Cash to take out, raised by selling what is needed, never negative.</summary>
    public decimal Withdraw { get; init; }
    /// <summary>Apply the policy's rebalance-to rule whatever the trigger says.</summary>
    public bool ForceRebalance { get; init; }
    /// <summary>Leave cash above the reserve uninvested.</summary>
    public bool KeepCash { get; init; }
    /// <summary>Overrides the portfolio's cash-flow method.</summary>
    public CashFlowMethod? Method { get; init; }

    /// <summary>
    /// The most that may be sold of each ticker, in the portfolio currency (a tax budget, lots that must not be sold
    /// yet). Tickers not named are unlimited. Buys shrink to what the limited sells and the cash can fund.
    /// </summary>
    public IReadOnlyDictionary<string, decimal>? SellLimits { get; init; }

    /// <summary>
    /// The most that may be bought of each ticker, in the portfolio currency (0: do not buy; a maximum weight's
    /// room). Tickers not named are unlimited. Every rebalance-to rule and cash-flow plan honours them, rounding
    /// included: what a limited buy cannot use goes to the other assets below target where the rule spreads money
    /// (inner rails, buying only), else stays cash.
    /// </summary>
    public IReadOnlyDictionary<string, decimal>? BuyLimits { get; init; }
}

/// <summary>A trade plan: the drift report it was based on, the trades (sells first), and the portfolio after them.</summary>
/// <param name="CashBefore">Cash before the plan, deposit included and withdrawal not yet taken.</param>
/// <param name="CashAfter">Cash after the trades, their costs and the withdrawal.</param>
public sealed record Plan(
    DriftReport Drift,
    PlanAction Action,
    IReadOnlyList<Trade> Trades,
    decimal CashBefore,
    decimal Deposit,
    decimal Withdraw,
    decimal CashAfter,
    decimal EstimatedCosts,
    IReadOnlyList<HoldingAfter> After,
    IReadOnlyList<string> Warnings)
{
    public bool HasTrades => Trades.Count > 0;

    /// <summary>The portfolio as it stands once the trades are done: new positions and cash. A rebalance sets
    /// <see cref="Portfolio.LastRebalanced"/> to the as-of date.</summary>
    public Portfolio ApplyTo(Portfolio portfolio)
    {
        var positions = new List<Position>(After.Count);
        foreach (var h in After)
            if (h.Ticker != Portfolio.CashTicker && (h.Value > 0 || h.Quantity > 0)) positions.Add(new Position(h.Ticker, h.Value, h.Quantity));
        return portfolio with
        {
            Positions = positions,
            Cash = CashAfter,
            LastRebalanced = Action == PlanAction.Rebalance ? portfolio.AsOf : portfolio.LastRebalanced,
        };
    }
}
