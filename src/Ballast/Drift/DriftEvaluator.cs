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
        var bandFactor = trigger.Volatility?.BandFactor(portfolio.RealizedVolatility) ?? 1m;

        var reasons = new List<Reason>();
        var warnings = new List<string>();
        var rows = new PositionDrift[book.Count + (cashIsAsset ? 1 : 0)];
        var breaches = new List<Reason>();
        for (var i = 0; i < book.Count; i++)
        {
            var row = Row(book.Tickers[i], book.Values[i], book.Quantities[i], book.Targets[i], book.InTargets[i], basis, trigger, showBands, bandFactor);
            rows[i] = row;
            if (!row.InTargets)
            {
                warnings.Add($"{row.Ticker} is held but has no target; a rebalance sells it in full");
                if (trigger.Kind != TriggerKind.Never) breaches.Add(new Reason($"{row.Ticker} is held but has no target"));
            }
            else if (row.Status != BandStatus.Within && trigger.Kind == TriggerKind.Threshold)
            {
                breaches.Add(Breach(row));
            }
        }
        if (cashIsAsset)
        {
            var row = Row(Portfolio.CashTicker, book.Cash, null, book.CashTarget, true, basis, trigger, showBands, bandFactor);
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
            reasons.Add(new Reason(() => $"no look due ({policy.Look}) until {nextLook:yyyy-MM-dd}"));
        }
        else
        {
            if (policy.Look.IntervalExceeded(portfolio.LastRebalanced, asOf))
            {
                needs = true;
                reasons.Add(new Reason(() => $"{asOf.DayNumber - portfolio.LastRebalanced!.Value.DayNumber} days since the last rebalance on {portfolio.LastRebalanced:yyyy-MM-dd} (at most {policy.Look.MaxIntervalDays})"));
            }
            switch (trigger.Kind)
            {
                case TriggerKind.Always:
                    needs = true;
                    reasons.Add(new Reason(() => $"calendar rebalance at the {policy.Look} look"));
                    break;
                case TriggerKind.Threshold:
                    if (breaches.Count > 0)
                    {
                        needs = true;
                        reasons.AddRange(breaches);
                    }
                    else if (!needs)
                    {
                        reasons.Add(new Reason("every asset is within its band"));
                    }
                    break;
                case TriggerKind.Volatility:
                    var level = trigger.Volatility?.Level;
                    if (portfolio.RealizedVolatility is not { } vol || level is null)
                    {
                        warnings.Add("the volatility trigger needs the portfolio's realized volatility and a level; it cannot fire without them");
                    }
                    else if (vol > level)
                    {
                        needs = true;
                        reasons.Add(new Reason(() => $"realized volatility {vol * 100:0.00}% is above {level * 100:0.00}%"));
                    }
                    else if (!needs)
                    {
                        reasons.Add(new Reason(() => $"realized volatility {vol * 100:0.00}% is at or below {level * 100:0.00}%"));
                    }
                    break;
                case TriggerKind.Never:
                    if (!needs) reasons.Add(new Reason("the policy never rebalances (buy and hold)"));
                    break;
            }
            if (trigger.Kind == TriggerKind.Always && breaches.Count > 0) reasons.AddRange(breaches);
        }
        if (basis == 0 && book.Cash > 0) warnings.Add("nothing is invested yet; weights are all zero");

        return new DriftReport(asOf, book.Invested, book.Cash, book.Invested + book.Cash, rows, lookDue, nextLook, needs, reasons, warnings);
    }

    private static PositionDrift Row(string ticker, decimal value, decimal? quantity, decimal target, bool inTargets, decimal basis, Trigger trigger, bool showBands, decimal bandFactor)
    {
        decimal? half = null;
        var status = BandStatus.Within;
        if (showBands)
        {
            // A holding without a target has a band of zero width: any amount of it is outside.
            half = inTargets ? trigger.BandFor(ticker).HalfWidth(target) * bandFactor : 0m;
            // Compared in money, not weights: weight > target + h  ⇔  value > (target + h) × basis, which needs no
            // division, so a weight exactly on the band edge is never pushed outside by rounding.
            if (half is { } h && basis > 0)
            {
                if (value > (target + h) * basis) status = BandStatus.Above;
                else if (value < (target - h) * basis) status = BandStatus.Below;
            }
        }
        if (!inTargets && value > 0) status = BandStatus.Above;
        return new PositionDrift(ticker, value, quantity, target, basis, half, status, inTargets);
    }

    private static Reason Breach(PositionDrift row) => new(() =>
        $"{row.Ticker} at {row.Weight * 100:0.00}% is {(row.Status == BandStatus.Above ? "above" : "below")} its band {row.Lower * 100:0.00}%..{row.Upper * 100:0.00}% (target {row.Target * 100:0.00}%)");
}
