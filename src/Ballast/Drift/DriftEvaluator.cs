using Ballast.Planning;
using Ballast.Policies;
using Ballast.Policies.Triggers;
using Ballast.Portfolios;

namespace Ballast.Drift;

/// <summary>Computes weights, drift and bands, and decides whether the policy says to act now.</summary>
public static class DriftEvaluator
{
    /// <summary>Evaluates <paramref name="portfolio"/> on its as-of date against its own policy.</summary>
    public static DriftReport Evaluate(Portfolio portfolio) => Evaluate(portfolio, portfolio.Policy);

    /// <summary>Evaluates <paramref name="portfolio"/> on its as-of date against <paramref name="policy"/>.</summary>
    public static DriftReport Evaluate(Portfolio portfolio, Policy policy)
    {
        var w = Workspaces.Decimal;
        Book.Fill(w.Book, portfolio);
        var ex = portfolio.Execution;
        return Evaluate(portfolio, policy, w.Book, w.Facts, new PlanSettings<decimal>(ex, policy, ex.CashFlowMethod));
    }

    /// <summary>
    /// Evaluates the portfolio laid out in <paramref name="book"/>, leaving the trigger's facts in <paramref name="facts"/>
    /// for the planner; <paramref name="settings"/> are the planner's, whose cash rule judges idle cash.
    /// </summary>
    internal static DriftReport Evaluate(Portfolio portfolio, Policy policy, Book<decimal> book, TriggerFacts<decimal> facts, in PlanSettings<decimal> settings)
    {
        var asOf = portfolio.AsOf;
        var cashIsAsset = book.CashIsAsset;
        var basis = cashIsAsset ? book.Invested + book.Cash : book.Invested;
        var market = portfolio.Market;
        facts.Prepare(policy, book, portfolio.Securities.Count == 0 ? null : t => portfolio.FindSecurity(t)?.AssetClass);
        facts.SetVolatility(market.RealizedVolatility);
        facts.SetPricesThen(market.PricesAtLastRebalance);
        var kind = policy.Trigger.Kind;

        var reasons = new List<Reason>();
        var warnings = new List<string>();
        var data = new DriftRowData[book.Count + (cashIsAsset ? 1 : 0)];
        var rows = new DriftRows(data, basis);
        List<Reason>? breaches = null;
        for (var i = 0; i < book.Count; i++)
        {
            ref var row = ref data[i];
            decimal? half = facts.HasBand[i] ? facts.HalfOf(i) : null;
            Row(ref row, book.Tickers[i], book.Values[i], book.HasQuantity[i] ? book.Quantities[i] : null, book.Targets[i], book.InTargets[i], basis, half);
            if (!row.InTargets)
            {
                var ticker = row.Ticker;
                warnings.Add($"{ticker} is held but has no target; a rebalance sells it in full");
                if (kind != TriggerKind.Never) (breaches ??= []).Add(new Reason($"{ticker} is held but has no target"));
            }
            else if (row.Status != BandStatus.Within)
            {
                (breaches ??= []).Add(new Reason(rows, i));
            }
        }
        if (cashIsAsset)
        {
            ref var row = ref data[^1];
            decimal? half = facts.HasCashBand ? facts.CashHalf * facts.BandFactor : null;
            Row(ref row, Portfolio.CashTicker, book.Cash, null, book.CashTarget, true, basis, half);
            if (row.Status != BandStatus.Within) (breaches ??= []).Add(new Reason(rows, data.Length - 1));
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
            needs = facts.Fires(book.Values.AsSpan(0, book.Count), book.Cash, intervalExceeded);
            if (intervalExceeded)
                reasons.Add(new Reason(() => $"{asOf.DayNumber - portfolio.LastRebalanced!.Value.DayNumber} days since the last rebalance on {portfolio.LastRebalanced:yyyy-MM-dd} (at most {policy.Look.MaxIntervalDays})"));
            facts.Rule.Explain(facts, new TriggerExplanation(reasons, warnings, breaches, intervalExceeded, needs));
        }

        // Cash is judged every day, whatever the look schedule, by the planner's own rule: idle cash is what a plan
        // would invest on its own, a shortfall what it would raise.
        var (baseValue, dust) = PlanCore<decimal>.BaseOf(book, settings, book.Cash, settings.CashReserve);
        var cashAction = PlanCore<decimal>.CashAction(book, settings, baseValue, book.Cash, settings.CashReserve, dust, 0m, out var amount);
        var idle = cashAction == PlanAction.InvestCash && !cashIsAsset ? amount : 0m;
        var shortfall = cashAction == PlanAction.RaiseCash ? amount : 0m;
        if (idle > 0)
        {
            var total = book.Invested + book.Cash;
            reasons.Add(new Reason(() => book.Invested == 0
                ? $"nothing is invested: {idle:#,0.##} of cash is waiting to be invested"
                : $"{idle:#,0.##} of cash above the reserve is not invested ({idle / total * 100:0.00}% of the portfolio{(policy.CashBand > 0 ? $", more than the {policy.CashBand * 100:0.##}% cash band" : "")})"));
        }
        if (shortfall > 0) reasons.Add(new Reason(() => $"cash {book.Cash:#,0.##} is below the {portfolio.Execution.CashReserve:#,0.##} reserve"));

        return new DriftReport(asOf, book.Invested, book.Cash, book.Invested + book.Cash, rows, lookDue, nextLook, needs, reasons, warnings)
        {
            IdleCash = idle,
            CashShortfall = shortfall,
        };
    }

    private static void Row(ref DriftRowData row, string ticker, decimal value, decimal? quantity, decimal target, bool inTargets, decimal basis, decimal? half)
    {
        var status = half is { } h ? Bands.Status(value, target, h, basis) : BandStatus.Within;
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
