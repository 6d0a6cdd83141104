using Ballast.Drift;
using Ballast.Portfolios;

namespace Ballast.Planning;

/// <summary>
/// Turns a portfolio and its policy into trades. One implementation serves the command line, batch runs,
/// the store and the backtester.
/// </summary>
/// <remarks>
/// Planning happens in two stages. First the ideal change of every asset's value is computed in exact decimal
/// arithmetic on the planning base P (invested value plus the cash that may be invested: cash above the reserve,
/// or all cash when cash is an asset class). Then execution turns those changes into orders: sells before buys,
/// explicit rounding to money and share precision, whole shares where required, the minimum trade, costs, and
/// the rule that cash never ends below the reserve. The rules themselves live in <see cref="PlanCore{T}"/>.
/// </remarks>
public static class Planner
{
    public static Plan Create(Portfolio portfolio) => Create(portfolio, PlanRequest.None);

    public static Plan Create(Portfolio portfolio, PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(request);
        // Compared, not sign-tested: a deposit of -0 is no deposit.
        if (request.Deposit < 0) throw new ArgumentOutOfRangeException(nameof(request), request.Deposit, "a deposit must not be negative");
        if (request.Withdraw < 0) throw new ArgumentOutOfRangeException(nameof(request), request.Withdraw, "a withdrawal must not be negative");

        var w = Workspaces.Decimal;
        var book = w.Book;
        Book.Fill(book, portfolio);
        var ex = portfolio.Execution;
        var settings = new PlanSettings<decimal>(ex, portfolio.Policy, request.Method ?? ex.CashFlowMethod);
        var drift = DriftEvaluator.Evaluate(portfolio, portfolio.Policy, book, w.Facts, settings);
        var warnings = new List<string>(drift.Warnings);
        var decision = new Decision(request.ForceRebalance, drift.NeedsRebalancing,
            drift.LookDue && portfolio.Policy.Look.IntervalExceeded(portfolio.LastRebalanced, portfolio.AsOf));
        var outcome = PlanCore<decimal>.Run(w, settings, decision,
            request.Deposit, request.Withdraw, request.KeepCash, request.SellLimits, warnings, request.BuyLimits);
        return new Plan(drift, outcome.Action, Trades(w, outcome.Trades), book.Cash + request.Deposit, request.Deposit, request.Withdraw,
            outcome.CashAfter, outcome.Costs, After(w, outcome.CashAfter), warnings);
    }

    /// <summary>The workspace's orders as trades: sells first, then buys, each in asset order.</summary>
    private static Trade[] Trades(PlanWorkspace<decimal> w, int count)
    {
        var book = w.Book;
        var trades = new Trade[count];
        var k = 0;
        foreach (var move in (ReadOnlySpan<Move>)[Move.Sell, Move.Buy])
        {
            var side = move == Move.Sell ? TradeSide.Sell : TradeSide.Buy;
            for (var i = 0; i < book.Count; i++)
            {
                if (w.Moves[i] != move) continue;
                var price = book.Prices[i];
                trades[k++] = new Trade(book.Tickers[i], side, w.TradeValues[i], w.TradeHasQuantity[i] ? w.TradeQuantities[i] : null,
                    price > 0 ? price : null, w.TradeCosts[i]);
            }
        }
        return trades;
    }

    private static AfterRows After(PlanWorkspace<decimal> w, decimal cashAfter)
    {
        var book = w.Book;
        var values = w.ValuesAfter;
        decimal invested = 0;
        var count = book.CashIsAsset ? 1 : 0;
        for (var i = 0; i < book.Count; i++)
        {
            invested += values[i];
            if (values[i] != 0 || book.InTargets[i]) count++;
        }
        var basis = book.CashIsAsset ? invested + cashAfter : invested;
        var tickers = new string[count];
        var amounts = new decimal[count];
        var quantities = new decimal?[count];
        var targets = new decimal[count];
        var k = 0;
        for (var i = 0; i < book.Count; i++)
        {
            if (values[i] == 0 && !book.InTargets[i]) continue;
            tickers[k] = book.Tickers[i];
            amounts[k] = values[i];
            quantities[k] = w.HasQuantityAfter[i] ? w.QuantitiesAfter[i] : null;
            targets[k] = book.Targets[i];
            k++;
        }
        if (book.CashIsAsset)
        {
            tickers[k] = Portfolio.CashTicker;
            amounts[k] = cashAfter;
            targets[k] = book.CashTarget;
        }
        return new AfterRows(tickers, amounts, quantities, targets, basis);
    }
}
