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
        var book = Book.From(portfolio);
        return Evaluate(portfolio, policy, book);
    }

    internal static DriftReport Evaluate(Portfolio portfolio, Policy policy, Book book)
    {
        var asOf = portfolio.AsOf;
        var cashIsAsset = book.CashIsAsset;
        var basis = cashIsAsset ? book.Invested + book.Cash : book.Invested;
        var trigger = policy.Trigger;
        var showBands = trigger.Kind == TriggerKind.Threshold || !trigger.Band.IsEmpty;

        var reasons = new List<string>();
        var warnings = new List<string>();
        var rows = new PositionDrift[book.Count + (cashIsAsset ? 1 : 0)];
        var breaches = new List<string>();
        for (var i = 0; i < book.Count; i++)
        {
            var row = Row(book.Tickers[i], book.Values[i], book.Quantities[i], book.Targets[i], book.InTargets[i], basis, trigger, showBands);
            rows[i] = row;
            if (!row.InTargets)
            {
                warnings.Add($"{row.Ticker} is held but has no target; a rebalance sells it in full");
                if (trigger.Kind != TriggerKind.Never) breaches.Add($"{row.Ticker} is held but has no target");
            }
            else if (row.Status != BandStatus.Within && trigger.Kind == TriggerKind.Threshold)
            {
                breaches.Add(Breach(row));
            }
        }
        if (cashIsAsset)
        {
            var row = Row(Portfolio.CashTicker, book.Cash, null, book.CashTarget, true, basis, trigger, showBands);
            rows[^1] = row;
            if (row.Status != BandStatus.Within && trigger.Kind == TriggerKind.Threshold) breaches.Add(Breach(row));
        }

        var previousLook = portfolio.LastLook ?? portfolio.LastRebalanced;
        var lookDue = policy.Look.IsDue(previousLook, asOf);
        DateOnly? nextLook = null;
        var needs = false;
        if (!lookDue)
        {
            nextLook = policy.Look.NextLook(previousLook!.Value);
            reasons.Add($"no look due ({policy.Look}) until {nextLook:yyyy-MM-dd}");
        }
        else
        {
            if (policy.Look.IntervalExceeded(portfolio.LastRebalanced, asOf))
            {
                needs = true;
                reasons.Add($"{asOf.DayNumber - portfolio.LastRebalanced!.Value.DayNumber} days since the last rebalance on {portfolio.LastRebalanced:yyyy-MM-dd} (at most {policy.Look.MaxIntervalDays})");
            }
            switch (trigger.Kind)
            {
                case TriggerKind.Always:
                    needs = true;
                    reasons.Add($"calendar rebalance at the {policy.Look} look");
                    break;
                case TriggerKind.Threshold:
                    if (breaches.Count > 0)
                    {
                        needs = true;
                        reasons.AddRange(breaches);
                    }
                    else if (!needs)
                    {
                        reasons.Add("every asset is within its band");
                    }
                    break;
                case TriggerKind.Never:
                    if (!needs) reasons.Add("the policy never rebalances (buy and hold)");
                    break;
            }
            if (trigger.Kind == TriggerKind.Always && breaches.Count > 0) reasons.AddRange(breaches);
        }
        if (basis == 0 && book.Cash > 0) warnings.Add("nothing is invested yet; weights are all zero");

        return new DriftReport(asOf, book.Invested, book.Cash, book.Invested + book.Cash, rows, lookDue, nextLook, needs, reasons, warnings);
    }

    private static PositionDrift Row(string ticker, decimal value, decimal? quantity, decimal target, bool inTargets, decimal basis, Trigger trigger, bool showBands)
    {
        var weight = basis == 0 ? 0 : value / basis;
        var drift = weight - target;
        decimal? lower = null, upper = null;
        var status = BandStatus.Within;
        if (showBands)
        {
            // A holding without a target has a band of zero width: any amount of it is outside.
            var half = inTargets ? trigger.BandFor(ticker).HalfWidth(target) : 0m;
            if (half is { } h)
            {
                lower = Math.Max(0, target - h);
                upper = Math.Min(1, target + h);
                if (drift > h) status = BandStatus.Above;
                else if (drift < -h) status = BandStatus.Below;
            }
        }
        if (!inTargets && value > 0) status = BandStatus.Above;
        return new PositionDrift(ticker, value, quantity, weight, target, drift, lower, upper, status, inTargets);
    }

    private static string Breach(PositionDrift row) =>
        $"{row.Ticker} at {row.Weight * 100:0.00}% is {(row.Status == BandStatus.Above ? "above" : "below")} its band {row.Lower * 100:0.00}%..{row.Upper * 100:0.00}% (target {row.Target * 100:0.00}%)";
}
