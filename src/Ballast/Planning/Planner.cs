using Ballast.Drift;
using Ballast.Input;
using Ballast.Policies;
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
/// the rule that cash never ends below the reserve.
/// </remarks>
public static class Planner
{
    public static Plan Create(Portfolio portfolio) => Create(portfolio, PlanRequest.None);

    public static Plan Create(Portfolio portfolio, PlanRequest request)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Deposit);
        ArgumentOutOfRangeException.ThrowIfNegative(request.Withdraw);

        var book = Book.From(portfolio);
        var policy = portfolio.Policy;
        var drift = DriftEvaluator.Evaluate(portfolio, policy, book);
        var ex = portfolio.Execution;
        var method = request.Method ?? ex.CashFlowMethod;
        var n = book.Count;

        var cashBefore = portfolio.Cash + request.Deposit;
        var cash = cashBefore - request.Withdraw;
        if (-cash > book.Invested)
        {
            throw new InputException(new InputProblem(
                $"a withdrawal of {request.Withdraw} is more than the portfolio holds ({book.Invested + cashBefore})", Field: "withdraw"));
        }
        // The lowest cash the plan may end with.
        var floor = request.KeepCash ? Math.Max(ex.CashReserve, cash) : ex.CashReserve;
        var spare = book.CashIsAsset ? cash : cash - floor;
        // Cash of less than one money unit per asset is what rounding left from earlier trades: it is not invested on its own.
        var dust = book.Count * Execution.Unit(ex.MoneyDecimals);
        var baseValue = book.Invested + spare;
        if (baseValue < 0) baseValue = 0;

        var deltas = new decimal[n];
        PlanAction action;
        if (request.ForceRebalance || drift.NeedsRebalancing)
        {
            action = PlanAction.Rebalance;
            if (policy.RebalanceTo == RebalanceTarget.Target) ToTarget(book, baseValue, deltas);
            else ToInnerRails(book, baseValue, policy.Rail, method, dust, deltas);
        }
        else
        {
            var keep = book.CashIsAsset ? Math.Max(floor, book.CashTarget * baseValue) : floor;
            var available = cash - keep;
            if (available >= dust)
            {
                action = PlanAction.InvestCash;
                BuyOnly(book, book.Values, baseValue, available, method, deltas);
            }
            else if (cash < floor)
            {
                action = PlanAction.RaiseCash;
                SellOnly(book, book.Values, baseValue, floor - cash, method, ex.Costs, deltas);
            }
            else
            {
                action = PlanAction.None;
            }
        }

        var warnings = new List<string>(drift.Warnings);
        ApplySellLimits(book, request.SellLimits, deltas, warnings);
        // Each execution run reports its own warnings; only the run whose orders the plan keeps speaks.
        var executionWarnings = new List<string>();
        var execution = Execution.Run(book, deltas, cash, floor, ex, raising: action == PlanAction.RaiseCash, executionWarnings);
        // Costs and rounding can leave cash a little short when the plan had to raise it; sell a little more.
        for (var attempt = 0; attempt < 3 && execution.CashAfter < floor && execution.CanSellMore; attempt++)
        {
            // Start again from what was actually traded (whole shares already rounded up), plus the shortfall.
            for (var i = 0; i < n; i++) deltas[i] = execution.ValuesAfter[i] - book.Values[i];
            SellOnly(book, execution.ValuesAfter, baseValue, floor - execution.CashAfter, method, ex.Costs, deltas);
            ApplySellLimits(book, request.SellLimits, deltas, null);
            executionWarnings = [];
            execution = Execution.Run(book, deltas, cash, floor, ex, raising: true, executionWarnings);
        }
        warnings.AddRange(executionWarnings);
        if (execution.CashAfter < floor)
            warnings.Add($"cash ends at {execution.CashAfter}, below the {floor} the plan must keep");

        if (execution.Trades.Count == 0 && action != PlanAction.None) action = PlanAction.None;
        return new Plan(drift, action, execution.Trades, cashBefore, request.Deposit, request.Withdraw,
            execution.CashAfter, execution.Costs, After(book, execution), warnings);
    }

    private static void ApplySellLimits(Book book, IReadOnlyDictionary<string, decimal>? limits, decimal[] deltas, List<string>? warnings)
    {
        if (limits is null || limits.Count == 0) return;
        for (var i = 0; i < book.Count; i++)
        {
            if (deltas[i] >= 0 || !limits.TryGetValue(book.Tickers[i], out var limit)) continue;
            var cap = -Math.Max(0, limit);
            if (deltas[i] >= cap) continue;
            warnings?.Add($"sell of {book.Tickers[i]} limited to {Math.Max(0, limit)} ({-deltas[i] - Math.Max(0, limit):0.##} left undone)");
            deltas[i] = cap;
        }
    }

    /// <summary>Full rebalance: every asset to target × P; assets without a target to zero.</summary>
    private static void ToTarget(Book book, decimal baseValue, decimal[] deltas)
    {
        for (var i = 0; i < book.Count; i++) deltas[i] = book.Targets[i] * baseValue - book.Values[i];
    }

    /// <summary>
    /// Tolerance bands with inner rails: sell every asset above its upper rail target × (1 + r) × P down to the
    /// rail; then the proceeds plus spare cash buy the assets below target, up to target when the money covers all
    /// shortfalls, else in proportion to each one's relative distance from target, never past target.
    /// </summary>
    private static void ToInnerRails(Book book, decimal baseValue, decimal rail, CashFlowMethod method, decimal dust, decimal[] deltas)
    {
        var n = book.Count;
        decimal proceeds = 0;
        var after = new decimal[n];
        for (var i = 0; i < n; i++)
        {
            var upper = book.Targets[i] * (1 + rail) * baseValue;
            var v = book.Values[i];
            if (v > upper)
            {
                deltas[i] = upper - v;
                proceeds += v - upper;
            }
            after[i] = v + deltas[i];
        }
        var money = proceeds + (baseValue - book.Invested);
        if (money >= 0 && money < dust) return;
        if (money < 0)
        {
            // Selling to the rails does not raise the cash the plan needs: take the rest from what is still above target.
            SellOnly(book, after, baseValue, -money, method, default, deltas);
            return;
        }
        var gaps = new decimal[n];
        var weights = new decimal[n];
        decimal gapSum = 0;
        for (var i = 0; i < n; i++)
        {
            var goal = book.Targets[i] * baseValue;
            if (after[i] >= goal || goal == 0) continue;
            gaps[i] = goal - after[i];
            weights[i] = gaps[i] / goal;
            gapSum += gaps[i];
        }
        var buys = money >= gapSum ? gaps : Allocation.Proportional(money, weights, gaps);
        for (var i = 0; i < n; i++) deltas[i] += buys[i];
    }

    /// <summary>Invests <paramref name="amount"/> by buying only, spread by <paramref name="method"/> over the shortfalls at base P.</summary>
    private static void BuyOnly(Book book, decimal[] values, decimal baseValue, decimal amount, CashFlowMethod method, decimal[] deltas)
    {
        var n = book.Count;
        var gaps = new decimal[n];
        var goals = new decimal[n];
        for (var i = 0; i < n; i++)
        {
            goals[i] = book.Targets[i] * baseValue;
            gaps[i] = Math.Max(0, goals[i] - values[i]);
        }
        var buys = Spread(amount, gaps, goals, method);
        for (var i = 0; i < n; i++) deltas[i] += buys[i];
    }

    /// <summary>
    /// Raises <paramref name="amount"/> (net of estimated costs) by selling only: first what the targets do not name,
    /// then the excesses over target at base P spread by <paramref name="method"/>, then, if that is not enough,
    /// the rest in proportion to what is left.
    /// </summary>
    private static void SellOnly(Book book, decimal[] values, decimal baseValue, decimal amount, CashFlowMethod method, CostModel costs, decimal[] deltas)
    {
        var n = book.Count;
        // Gross the amount up for costs: fixed costs per sell and the proportional rate, plus one money unit per
        // sell for rounding. Two passes settle the number of sells.
        var gross = amount;
        decimal[] sells = [];
        for (var pass = 0; pass < 2; pass++)
        {
            sells = SellAllocation(book, values, baseValue, gross, method);
            var count = 0;
            foreach (var s in sells) if (s > 0) count++;
            gross = (amount + count * (costs.FixedPerTrade + 0.01m)) / (1 - Math.Min(0.5m, costs.Rate));
            if (costs.IsZero) break;
        }
        for (var i = 0; i < n; i++) deltas[i] -= sells[i];
    }

    private static decimal[] SellAllocation(Book book, decimal[] values, decimal baseValue, decimal amount, CashFlowMethod method)
    {
        var n = book.Count;
        var sells = new decimal[n];
        var left = amount;
        // Holdings without a target go first, in full.
        for (var i = 0; i < n && left > 0; i++)
        {
            if (book.InTargets[i] || values[i] <= 0) continue;
            sells[i] = Math.Min(values[i], left);
            left -= sells[i];
        }
        if (left <= 0) return sells;
        var excess = new decimal[n];
        var goals = new decimal[n];
        for (var i = 0; i < n; i++)
        {
            if (!book.InTargets[i]) continue;
            goals[i] = book.Targets[i] * baseValue;
            excess[i] = Math.Max(0, values[i] - goals[i]);
        }
        var spread = Spread(left, excess, goals, method);
        for (var i = 0; i < n; i++)
        {
            sells[i] += spread[i];
            left -= spread[i];
        }
        if (left > 0)
        {
            var rest = new decimal[n];
            for (var i = 0; i < n; i++) rest[i] = values[i] - sells[i];
            var more = Allocation.Proportional(left, rest, rest);
            for (var i = 0; i < n; i++) sells[i] += more[i];
        }
        return sells;
    }

    /// <summary>Spreads an amount over gaps (shortfalls or excesses) by a cash-flow method; goals are target × P.</summary>
    private static decimal[] Spread(decimal amount, decimal[] gaps, decimal[] goals, CashFlowMethod method)
    {
        switch (method)
        {
            case CashFlowMethod.Proportional:
                return Allocation.Proportional(amount, gaps, gaps);
            case CashFlowMethod.Relative:
                var weights = new decimal[gaps.Length];
                for (var i = 0; i < gaps.Length; i++)
                    weights[i] = gaps[i] <= 0 ? 0 : goals[i] > 0 ? gaps[i] / goals[i] : 1_000_000m;
                return Allocation.Proportional(amount, weights, gaps);
            case CashFlowMethod.Equalize:
                return Allocation.Equalize(amount, gaps, goals);
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "unknown cash-flow method");
        }
    }

    private static List<HoldingAfter> After(Book book, Execution.Result execution)
    {
        var values = execution.ValuesAfter;
        decimal invested = 0;
        foreach (var v in values) invested += v;
        var basis = book.CashIsAsset ? invested + execution.CashAfter : invested;
        var list = new List<HoldingAfter>(book.Count + 1);
        for (var i = 0; i < book.Count; i++)
        {
            if (values[i] == 0 && !book.InTargets[i]) continue;
            list.Add(new HoldingAfter(book.Tickers[i], values[i], execution.QuantitiesAfter[i], book.Targets[i], basis));
        }
        if (book.CashIsAsset)
            list.Add(new HoldingAfter(Portfolio.CashTicker, execution.CashAfter, null, book.CashTarget, basis));
        return list;
    }
}
