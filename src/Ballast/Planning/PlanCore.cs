using System.Numerics;
using Ballast.Input;
using Ballast.Policies;

namespace Ballast.Planning;

/// <summary>
/// What the trigger said before planning: <see cref="Fires"/> when a look is due and the trigger (or the maximum
/// interval) fired on the book as it stands; <see cref="Force"/> when the caller rebalances whatever it says.
/// </summary>
internal readonly record struct Decision(bool Force, bool Fires, bool IntervalExceeded);

/// <summary>What a plan did, with its orders and the portfolio after them left in the workspace.</summary>
internal readonly record struct CoreOutcome<T>(PlanAction Action, T CashAfter, T Costs, int Trades);

/// <summary>
/// The planning rules, written once for any number type: <see cref="decimal"/> for every plan Ballast shows or
/// stores (exact), <see cref="double"/> for the simulation fast path (the backtest tests hold both to agree).
/// </summary>
/// <remarks>
/// Planning happens in two stages. First the ideal change of every asset's value is computed on the planning
/// base P (invested value plus the cash that may be invested: cash above the reserve, or all cash when cash is an
/// asset class). Then <see cref="Execution"/> turns those changes into orders: sells before buys, explicit
/// rounding to money and share precision, whole shares where required, the minimum trade, costs, and the rule
/// that cash never ends below the reserve.
/// </remarks>
internal static class PlanCore<T> where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
{
    private static readonly T Cent = T.CreateChecked(0.01m);
    private static readonly T Half = T.CreateChecked(0.5m);
    private static readonly T Far = T.CreateChecked(1_000_000m);

    /// <summary>
    /// Plans on the workspace's book. The policy's rebalance-to rule applies when <paramref name="d"/> forces it, or
    /// when the trigger fired and still fires once any cash flow is placed: a deposit or withdrawal is first placed by
    /// buying or selling only (by the cash-flow method), the trigger is judged again on the portfolio after it
    /// (<see cref="PlanWorkspace{T}.Facts"/>), and only if it still fires is the enlarged (or shrunk) portfolio
    /// rebalanced. Without a rebalance, idle cash is invested by buying only, or cash below the floor raised by selling only.
    /// </summary>
    public static CoreOutcome<T> Run(PlanWorkspace<T> w, in PlanSettings<T> s, in Decision d, T deposit, T withdraw, bool keepCash,
        IReadOnlyDictionary<string, decimal>? sellLimits, List<string>? warnings, IReadOnlyDictionary<string, decimal>? buyLimits = null)
    {
        var book = w.Book;
        var n = book.Count;
        w.EnsureCapacity(n);
        SetBuyCaps(w, buyLimits);
        var method = s.Method;
        var cashBefore = book.Cash + deposit;
        var cash = cashBefore - withdraw;
        if (-cash > book.Invested + s.Slack)
        {
            throw new InputException(new InputProblem(
                $"a withdrawal of {withdraw} is more than the portfolio holds ({book.Invested + cashBefore})", Field: "withdraw"));
        }
        // The lowest cash the plan may end with.
        var floor = keepCash ? T.Max(s.CashReserve, cash) : s.CashReserve;
        var (baseValue, dust) = BaseOf(book, s, cash, floor);

        var deltas = w.Deltas;
        deltas.AsSpan(0, n).Clear();
        var rebalance = d.Force || d.Fires;
        var flowFirst = false;
        var action = PlanAction.None;
        if (rebalance && !d.Force && (deposit > T.Zero || withdraw > T.Zero))
        {
            // Cash flows first: place the flow by buying or selling only, execute it (whole shares round), then ask
            // the trigger again on what the placement leaves.
            action = PlaceCash(w, s, book.Values, baseValue, cash, floor, dust, deposit, deltas);
            var trial = Execution.Run(w, deltas, cash, floor, s, raising: action == PlanAction.RaiseCash, null);
            if (w.Facts.Fires(w.ValuesAfter.AsSpan(0, n), trial.CashAfter, d.IntervalExceeded))
            {
                deltas.AsSpan(0, n).Clear();
                action = PlanAction.None;
            }
            else
            {
                rebalance = false;
                flowFirst = true;
            }
        }
        if (rebalance)
        {
            action = PlanAction.Rebalance;
            if (s.RebalanceTo == RebalanceTarget.Target) ToTarget(book, baseValue, deltas);
            else ToInnerRails(w, baseValue, s.Rail, method, dust, deltas);
        }
        else if (!flowFirst)
        {
            action = PlaceCash(w, s, book.Values, baseValue, cash, floor, dust, deposit, deltas);
        }
        if (flowFirst)
        {
            warnings?.Add(deposit > T.Zero
                ? "the trigger fired, but placing the deposit by buying only brings every asset back inside the policy: nothing is sold"
                : "the trigger fired, but raising the withdrawal by selling only brings every asset back inside the policy: nothing is bought");
        }

        ApplySellLimits(w, sellLimits, deltas, warnings);
        ApplyBuyLimits(w, deltas, warnings);
        // Each execution run reports its own warnings; only the run whose orders the plan keeps speaks.
        var mark = warnings?.Count ?? 0;
        var execution = Execution.Run(w, deltas, cash, floor, s, raising: action == PlanAction.RaiseCash, warnings);
        // Costs and rounding can leave cash a little short when the plan had to raise it; sell a little more.
        for (var attempt = 0; attempt < 3 && execution.CashAfter < floor - s.Slack && execution.CanSellMore; attempt++)
        {
            // Start again from what was actually traded (whole shares already rounded up), plus the shortfall.
            var start = w.Start;
            for (var i = 0; i < n; i++)
            {
                start[i] = w.ValuesAfter[i];
                deltas[i] = start[i] - book.Values[i];
            }
            SellOnly(w, start, baseValue, floor - execution.CashAfter, method, s.Costs, deltas);
            ApplySellLimits(w, sellLimits, deltas, null);
            ApplyBuyLimits(w, deltas, null);
            warnings?.RemoveRange(mark, warnings.Count - mark);
            execution = Execution.Run(w, deltas, cash, floor, s, raising: true, warnings);
        }
        if (execution.CashAfter < floor - s.Slack)
            warnings?.Add($"cash ends at {execution.CashAfter}, below the {floor} the plan must keep");

        if (execution.Trades == 0) action = PlanAction.None;
        return new CoreOutcome<T>(action, execution.CashAfter, execution.Costs, execution.Trades);
    }

    /// <summary>Places cash without rebalancing, as <see cref="CashAction"/> says: by buying only or by selling only.</summary>
    private static PlanAction PlaceCash(PlanWorkspace<T> w, in PlanSettings<T> s, T[] values, T baseValue, T cash, T floor, T dust, T deposit, T[] deltas)
    {
        var action = CashAction(w.Book, s, baseValue, cash, floor, dust, deposit, out var amount, w.AnyBuyCap ? w.BuyCaps : null);
        if (action == PlanAction.InvestCash) BuyOnly(w, values, baseValue, amount, s.Method, deltas);
        else if (action == PlanAction.RaiseCash) SellOnly(w, values, baseValue, amount, s.Method, s.Costs, deltas);
        return action;
    }

    /// <summary>
    /// What a plan that does not rebalance does with cash: invest <paramref name="amount"/> (the cash above what must
    /// be kept, when a deposit brought it or <see cref="Drift.IdleCash"/> counts it idle), raise <paramref name="amount"/>
    /// (cash below the floor), or nothing. The simulation's pre-check asks the same question.
    /// </summary>
    internal static PlanAction CashAction(Portfolios.Book<T> book, in PlanSettings<T> s, T baseValue, T cash, T floor, T dust, T deposit, out T amount,
        T[]? buyCaps = null)
    {
        var keep = book.CashIsAsset ? T.Max(floor, book.CashTarget * baseValue) : floor;
        amount = cash - keep;
        // Spare cash is invested on its own only when some buy toward target could use it: in whole shares, a share
        // that fits and brings its asset at least as close to target (see Execution.CanInvest).
        if (amount >= dust && (book.CashIsAsset || deposit > T.Zero || Drift.IdleCash.Counts(amount, book.Invested, cash, dust, s.CashBand))
            && Execution.CanInvest(book, s, baseValue, amount, cash - floor, buyCaps))
            return PlanAction.InvestCash;
        amount = floor - cash;
        if (cash < floor - s.Slack) return PlanAction.RaiseCash;
        amount = T.Zero;
        return PlanAction.None;
    }

    /// <summary>
    /// The planning base P (invested value plus the cash that may be invested: cash above <paramref name="floor"/>, or all
    /// cash when cash is an asset class) and the dust: cash of less than one money unit per asset is what rounding left
    /// from earlier trades, and is not invested on its own.
    /// </summary>
    internal static (T Base, T Dust) BaseOf(Portfolios.Book<T> book, in PlanSettings<T> s, T cash, T floor)
    {
        var spare = book.CashIsAsset ? cash : cash - floor;
        return (T.Max(T.Zero, book.Invested + spare), T.CreateTruncating(book.Count) * s.Unit);
    }

    /// <summary>Reads the plan's buy limits into the workspace's caps, by asset; none leaves the caps unread.</summary>
    private static void SetBuyCaps(PlanWorkspace<T> w, IReadOnlyDictionary<string, decimal>? limits)
    {
        w.AnyBuyCap = false;
        if (limits is null || limits.Count == 0) return;
        var book = w.Book;
        for (var i = 0; i < book.Count; i++)
        {
            if (limits.TryGetValue(book.Tickers[i], out var limit))
            {
                w.BuyCaps[i] = T.CreateChecked(Math.Max(0, limit));
                w.AnyBuyCap = true;
            }
            else w.BuyCaps[i] = T.MaxValue;
        }
    }

    /// <summary>Caps every buy at its limit: the cash it cannot use stays cash (the modes that spread money already
    /// spread it over the others).</summary>
    private static void ApplyBuyLimits(PlanWorkspace<T> w, T[] deltas, List<string>? warnings)
    {
        if (!w.AnyBuyCap) return;
        var book = w.Book;
        for (var i = 0; i < book.Count; i++)
        {
            var cap = w.BuyCaps[i];
            if (deltas[i] <= cap) continue;
            if (deltas[i] - cap >= Cent)
                warnings?.Add(cap == T.Zero
                    ? $"buy of {book.Tickers[i]} not allowed ({deltas[i]:0.##} left undone)"
                    : $"buy of {book.Tickers[i]} limited to {cap} ({deltas[i] - cap:0.##} left undone)");
            deltas[i] = cap;
        }
    }

    private static void ApplySellLimits(PlanWorkspace<T> w, IReadOnlyDictionary<string, decimal>? limits, T[] deltas, List<string>? warnings)
    {
        if (limits is null || limits.Count == 0) return;
        var book = w.Book;
        for (var i = 0; i < book.Count; i++)
        {
            if (deltas[i] >= T.Zero || !limits.TryGetValue(book.Tickers[i], out var limit)) continue;
            var allowed = T.CreateChecked(Math.Max(0, limit));
            if (deltas[i] >= -allowed) continue;
            warnings?.Add($"sell of {book.Tickers[i]} limited to {allowed} ({-deltas[i] - allowed:0.##} left undone)");
            deltas[i] = -allowed;
        }
    }

    /// <summary>Full rebalance: every asset to target × P; assets without a target to zero.</summary>
    private static void ToTarget(Portfolios.Book<T> book, T baseValue, T[] deltas)
    {
        for (var i = 0; i < book.Count; i++) deltas[i] = book.Targets[i] * baseValue - book.Values[i];
    }

    /// <summary>
    /// Tolerance bands with inner rails: sell every asset above its upper rail target × (1 + r) × P down to the
    /// rail; then the proceeds plus spare cash buy the assets below target, up to target when the money covers all
    /// shortfalls, else in proportion to each one's relative distance from target, never past target.
    /// </summary>
    private static void ToInnerRails(PlanWorkspace<T> w, T baseValue, T rail, CashFlowMethod method, T dust, T[] deltas)
    {
        var book = w.Book;
        var n = book.Count;
        var proceeds = T.Zero;
        var after = w.Start;
        var railFactor = T.One + rail;
        for (var i = 0; i < n; i++)
        {
            var upper = book.Targets[i] * railFactor * baseValue;
            var v = book.Values[i];
            if (v > upper)
            {
                deltas[i] = upper - v;
                proceeds += v - upper;
            }
            after[i] = v + deltas[i];
        }
        var money = proceeds + (baseValue - book.Invested);
        if (money >= T.Zero && money < dust) return;
        if (money < T.Zero)
        {
            // Selling to the rails does not raise the cash the plan needs: take the rest from what is still above target.
            SellOnly(w, after, baseValue, -money, method, null, deltas);
            return;
        }
        var gaps = w.Gaps;
        var weights = w.Weights;
        var gapSum = T.Zero;
        for (var i = 0; i < n; i++)
        {
            gaps[i] = T.Zero;
            weights[i] = T.Zero;
            var goal = book.Targets[i] * baseValue;
            if (after[i] >= goal || goal == T.Zero) continue;
            gaps[i] = goal - after[i];
            weights[i] = gaps[i] / goal;
            // A buy limit caps the buy; the money it cannot use goes to the others below target, never past it.
            if (w.AnyBuyCap) gaps[i] = T.Min(gaps[i], w.BuyCaps[i]);
            gapSum += gaps[i];
        }
        if (money >= gapSum)
        {
            for (var i = 0; i < n; i++) deltas[i] += gaps[i];
            return;
        }
        var buys = w.Split.AsSpan(0, n);
        Allocation.Proportional<T>(money, weights.AsSpan(0, n), gaps.AsSpan(0, n), buys);
        for (var i = 0; i < n; i++) deltas[i] += buys[i];
    }

    /// <summary>Invests <paramref name="amount"/> by buying only, spread by <paramref name="method"/> over the shortfalls at base P.</summary>
    private static void BuyOnly(PlanWorkspace<T> w, T[] values, T baseValue, T amount, CashFlowMethod method, T[] deltas)
    {
        var book = w.Book;
        var n = book.Count;
        var gaps = w.Gaps;
        var goals = w.Goals;
        for (var i = 0; i < n; i++)
        {
            goals[i] = book.Targets[i] * baseValue;
            gaps[i] = T.Max(T.Zero, goals[i] - values[i]);
        }
        var buys = w.Split.AsSpan(0, n);
        if (w.AnyBuyCap) SpreadCapped(w, amount, gaps.AsSpan(0, n), goals.AsSpan(0, n), method, buys);
        else Spread(w, amount, gaps.AsSpan(0, n), goals.AsSpan(0, n), method, buys);
        for (var i = 0; i < n; i++) deltas[i] += buys[i];
    }

    /// <summary>
    /// <see cref="Spread"/> of buys under the workspace's buy caps: an asset whose share would pass its cap gets the cap
    /// and leaves the spread, and the rest is spread again over the others (their gaps still cap them), until no share
    /// passes a cap. What no gap can take stays unspent.
    /// </summary>
    private static void SpreadCapped(PlanWorkspace<T> w, T amount, Span<T> gaps, ReadOnlySpan<T> goals, CashFlowMethod method, Span<T> result)
    {
        var n = gaps.Length;
        var caps = w.BuyCaps;
        Span<T> fixedBuys = n <= 64 ? stackalloc T[n] : new T[n];
        fixedBuys.Clear();
        var left = amount;
        // Every pass fixes at least one asset or ends, so at most n + 1 passes.
        for (var pass = 0; pass <= n; pass++)
        {
            Spread(w, left, gaps, goals, method, result);
            var capped = false;
            for (var i = 0; i < n; i++)
            {
                if (result[i] <= caps[i]) continue;
                fixedBuys[i] = caps[i];
                left -= caps[i];
                gaps[i] = T.Zero;
                capped = true;
            }
            if (!capped || left <= T.Zero) break;
        }
        // A capped asset's gap is zero from then on, so its share in the last spread is zero.
        for (var i = 0; i < n; i++) result[i] += fixedBuys[i];
    }

    /// <summary>
    /// Raises <paramref name="amount"/> (net of estimated costs) by selling only: first what the targets do not name,
    /// then the excesses over target at base P spread by <paramref name="method"/>, then, if that is not enough,
    /// the rest in proportion to what is left. <paramref name="costs"/> (fixed per trade, rate, money unit) are
    /// those the sells will pay, or null for none.
    /// </summary>
    private static void SellOnly(PlanWorkspace<T> w, T[] values, T baseValue, T amount, CashFlowMethod method, (T Fixed, T Rate, T Unit)? costs, T[] deltas)
    {
        var n = w.Book.Count;
        // Gross the amount up for costs: fixed costs per sell and the proportional rate, plus one money unit per
        // sell for rounding. Two passes settle the number of sells.
        var gross = amount;
        var sells = w.Sells;
        for (var pass = 0; pass < 2; pass++)
        {
            SellAllocation(w, values, baseValue, gross, method, sells);
            if (costs is not { } c) break;
            var count = 0;
            // Sells of less than a money unit are rounding residue that execution drops: they pay no cost.
            for (var i = 0; i < n; i++) if (sells[i] >= c.Unit) count++;
            gross = (amount + T.CreateTruncating(count) * (c.Fixed + Cent)) / (T.One - T.Min(Half, c.Rate));
        }
        for (var i = 0; i < n; i++) deltas[i] -= sells[i];
    }

    private static void SellAllocation(PlanWorkspace<T> w, T[] values, T baseValue, T amount, CashFlowMethod method, T[] sells)
    {
        var book = w.Book;
        var n = book.Count;
        sells.AsSpan(0, n).Clear();
        var left = amount;
        // Holdings without a target go first, in full.
        for (var i = 0; i < n && left > T.Zero; i++)
        {
            if (book.InTargets[i] || values[i] <= T.Zero) continue;
            sells[i] = T.Min(values[i], left);
            left -= sells[i];
        }
        if (left <= T.Zero) return;
        var excess = w.Gaps;
        var goals = w.Goals;
        for (var i = 0; i < n; i++)
        {
            excess[i] = T.Zero;
            goals[i] = T.Zero;
            if (!book.InTargets[i]) continue;
            goals[i] = book.Targets[i] * baseValue;
            excess[i] = T.Max(T.Zero, values[i] - goals[i]);
        }
        var spread = w.Split.AsSpan(0, n);
        Spread(w, left, excess.AsSpan(0, n), goals.AsSpan(0, n), method, spread);
        for (var i = 0; i < n; i++)
        {
            sells[i] += spread[i];
            left -= spread[i];
        }
        if (left > T.Zero)
        {
            // What is left of each holding weighs the rest of the sells and caps them.
            var rest = w.Gaps;
            for (var i = 0; i < n; i++) rest[i] = values[i] - sells[i];
            var more = w.Split.AsSpan(0, n);
            Allocation.Proportional<T>(left, rest.AsSpan(0, n), rest.AsSpan(0, n), more);
            for (var i = 0; i < n; i++) sells[i] += more[i];
        }
    }

    /// <summary>Spreads an amount over gaps (shortfalls or excesses) by a cash-flow method into <paramref name="result"/>; goals are target × P.</summary>
    private static void Spread(PlanWorkspace<T> w, T amount, ReadOnlySpan<T> gaps, ReadOnlySpan<T> goals, CashFlowMethod method, Span<T> result)
    {
        switch (method)
        {
            case CashFlowMethod.Proportional:
                Allocation.Proportional(amount, gaps, gaps, result);
                return;
            case CashFlowMethod.Relative:
                var weights = w.Weights.AsSpan(0, gaps.Length);
                for (var i = 0; i < gaps.Length; i++)
                    // A gap many times its goal (a tiny planning base) weighs as Far, without a quotient that could overflow.
                    weights[i] = gaps[i] <= T.Zero ? T.Zero : goals[i] > T.Zero && gaps[i] < goals[i] * Far ? gaps[i] / goals[i] : Far;
                Allocation.Proportional<T>(amount, weights, gaps, result);
                return;
            case CashFlowMethod.Equalize:
                Allocation.Equalize(amount, gaps, goals, result);
                return;
            default:
                throw new ArgumentOutOfRangeException(nameof(method), method, "unknown cash-flow method");
        }
    }
}
