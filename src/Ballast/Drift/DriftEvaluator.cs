using System.Numerics;
using Ballast.Policies;
using Ballast.Portfolios;

namespace Ballast.Drift;

/// <summary>Computes weights, drift and bands, and decides whether the policy says to rebalance now.</summary>
public static class DriftEvaluator
{
    /// <summary>Evaluates <paramref name="portfolio"/> on its as-of date against its own policy.</summary>
    public static DriftReport Evaluate(Portfolio portfolio) => Evaluate(portfolio, portfolio.Policy);

    /// <summary>Evaluates <paramref name="portfolio"/> on its as-of date against <paramref name="policy"/>.</summary>
    public static DriftReport Evaluate(Portfolio portfolio, Policy policy)
    {
        var book = Ballast.Planning.Workspaces.Decimal.Book;
        Book.Fill(book, portfolio);
        return Evaluate(portfolio, policy, book);
    }

    internal static DriftReport Evaluate(Portfolio portfolio, Policy policy, Book<decimal> book)
    {
        var asOf = portfolio.AsOf;
        var cashIsAsset = book.CashIsAsset;
        var basis = cashIsAsset ? book.Invested + book.Cash : book.Invested;
        var trigger = policy.Trigger;
        var showBands = trigger.Kind == TriggerKind.Threshold || !trigger.Band.IsEmpty;
        var bandFactor = trigger.Volatility?.BandFactor(portfolio.RealizedVolatility) ?? 1m;

        var reasons = new List<Reason>();
        var warnings = new List<string>();
        var data = new DriftRowData[book.Count + (cashIsAsset ? 1 : 0)];
        var rows = new DriftRows(data, basis);
        List<Reason>? breaches = null;
        for (var i = 0; i < book.Count; i++)
        {
            ref var row = ref data[i];
            Row(ref row, book.Tickers[i], book.Values[i], book.HasQuantity[i] ? book.Quantities[i] : null, book.Targets[i], book.InTargets[i], basis, trigger, showBands, bandFactor);
            if (!row.InTargets)
            {
                var ticker = row.Ticker;
                warnings.Add($"{ticker} is held but has no target; a rebalance sells it in full");
                if (trigger.Kind != TriggerKind.Never) (breaches ??= []).Add(new Reason($"{ticker} is held but has no target"));
            }
            else if (row.Status != BandStatus.Within && trigger.Kind == TriggerKind.Threshold)
            {
                (breaches ??= []).Add(new Reason(rows, i));
            }
        }
        if (cashIsAsset)
        {
            ref var row = ref data[^1];
            Row(ref row, Portfolio.CashTicker, book.Cash, null, book.CashTarget, true, basis, trigger, showBands, bandFactor);
            if (row.Status != BandStatus.Within && trigger.Kind == TriggerKind.Threshold) (breaches ??= []).Add(new Reason(rows, data.Length - 1));
        }

        var previousLook = portfolio.LastLook ?? portfolio.LastRebalanced;
        var lookDue = policy.Look.IsDue(previousLook, asOf);
        DateOnly? nextLook = null;
        var needs = false;
        if (!lookDue)
        {
            nextLook = policy.Look.NextLook(previousLook!.Value);
            reasons.Add(new Reason(() => $"no look due ({policy.Look}) until {nextLook:yyyy-MM-dd}"));
        }
        else
        {
            var intervalExceeded = policy.Look.IntervalExceeded(portfolio.LastRebalanced, asOf);
            var vol = portfolio.RealizedVolatility;
            var level = trigger.Volatility?.Level;
            var volatilityKnown = vol is not null && level is not null;
            needs = Verdict.Needs(trigger.Kind, intervalExceeded, breaches is not null, volatilityKnown && vol > level);
            if (intervalExceeded)
                reasons.Add(new Reason(() => $"{asOf.DayNumber - portfolio.LastRebalanced!.Value.DayNumber} days since the last rebalance on {portfolio.LastRebalanced:yyyy-MM-dd} (at most {policy.Look.MaxIntervalDays})"));
            switch (trigger.Kind)
            {
                case TriggerKind.Always:
                    reasons.Add(new Reason(() => $"calendar rebalance at the {policy.Look} look"));
                    if (breaches is not null) reasons.AddRange(breaches);
                    break;
                case TriggerKind.Threshold:
                    if (breaches is not null) reasons.AddRange(breaches);
                    else if (!intervalExceeded) reasons.Add(new Reason("every asset is within its band"));
                    break;
                case TriggerKind.Volatility:
                    if (!volatilityKnown)
                        warnings.Add("the volatility trigger needs the portfolio's realized volatility and a level; it cannot fire without them");
                    else if (vol > level)
                        reasons.Add(new Reason(() => $"realized volatility {vol * 100:0.00}% is above {level * 100:0.00}%"));
                    else if (!intervalExceeded)
                        reasons.Add(new Reason(() => $"realized volatility {vol * 100:0.00}% is at or below {level * 100:0.00}%"));
                    break;
                case TriggerKind.Never:
                    if (!intervalExceeded) reasons.Add(new Reason("the policy never rebalances (buy and hold)"));
                    break;
            }
        }
        if (basis == 0 && book.Cash > 0) warnings.Add("nothing is invested yet; weights are all zero");

        return new DriftReport(asOf, book.Invested, book.Cash, book.Invested + book.Cash, rows, lookDue, nextLook, needs, reasons, warnings);
    }

    private static void Row(ref DriftRowData row, string ticker, decimal value, decimal? quantity, decimal target, bool inTargets, decimal basis, Trigger trigger, bool showBands, decimal bandFactor)
    {
        decimal? half = null;
        var status = BandStatus.Within;
        if (showBands)
        {
            // A holding without a target has a band of zero width: any amount of it is outside.
            half = inTargets ? trigger.BandFor(ticker).HalfWidth(target) : 0m;
            if (half is { } h)
            {
                if (bandFactor != 1)
                {
                    h *= bandFactor;
                    half = h;
                }
                status = Verdict.Status(value, target, h, basis);
            }
        }
        if (!inTargets && value > 0) status = BandStatus.Above;
        row.Ticker = ticker;
        row.Value = value;
        row.Quantity = quantity;
        row.Target = target;
        row.HalfWidth = half;
        row.Status = status;
        row.InTargets = inTargets;
    }
}

/// <summary>
/// The trigger's rules, written once for any number type: where a value stands against its band, and whether a
/// look rebalances. The drift report and the simulation fast path both decide through these.
/// </summary>
internal static class Verdict
{
    /// <summary>
    /// Where <paramref name="value"/> stands against the band target ± half of <paramref name="basis"/>. Compared in
    /// money, not weights: weight &gt; target + h ⇔ value &gt; (target + h) × basis, which needs no division, so a
    /// weight exactly on the band edge is never pushed outside by rounding. A breach is strictly outside.
    /// </summary>
    public static BandStatus Status<T>(T value, T target, T half, T basis) where T : INumber<T>
    {
        if (basis <= T.Zero) return BandStatus.Within;
        // value > (target + h) × basis ⇔ value − target × basis > h × basis, and the same below: one product each.
        var over = value - target * basis;
        var edge = half * basis;
        if (over > edge) return BandStatus.Above;
        if (-over > edge) return BandStatus.Below;
        return BandStatus.Within;
    }

    /// <summary>
    /// Whether a look that is due rebalances: always after the maximum interval; otherwise by the trigger
    /// (<paramref name="breach"/>: some asset outside its band or held without a target; <paramref name="volatilityAbove"/>:
    /// realized volatility above the trigger's level).
    /// </summary>
    public static bool Needs(TriggerKind kind, bool intervalExceeded, bool breach, bool volatilityAbove) =>
        intervalExceeded || kind switch
        {
            TriggerKind.Always => true,
            TriggerKind.Threshold => breach,
            TriggerKind.Volatility => volatilityAbove,
            _ => false,
        };
}
