namespace Ballast.Tax;

/// <summary>A realized gain (negative: loss) of <paramref name="Amount"/> in total, in the account currency, under a treatment and term.</summary>
public sealed record RealizedGain(string Treatment, HoldingTerm Term, decimal Amount);

/// <summary>Dividends of <paramref name="Amount"/> in total (0 or more), in the account currency, under a treatment.</summary>
public sealed record DividendIncome(string Treatment, decimal Amount);

/// <summary>One treatment's part of a year's tax. Amounts are totals in the account currency.</summary>
/// <param name="Treatment">The treatment's name.</param>
/// <param name="NetShortTerm">Short-term gains after netting (losses included when the treatment nets them), before the exemption; may be negative.</param>
/// <param name="NetLongTerm">Long-term gains after netting, before the exemption; may be negative.</param>
/// <param name="ExemptionUsed">The part of the annual exemption that absorbed gains.</param>
/// <param name="TaxableShortTerm">Short-term gains taxed at the short-term rate.</param>
/// <param name="TaxableLongTerm">Long-term gains taxed at the long-term rate.</param>
/// <param name="Dividends">Dividends taxed at the dividend rate.</param>
/// <param name="Tax">The treatment's tax, rounded with the regime's rounding.</param>
public sealed record TreatmentTax(
    string Treatment,
    decimal NetShortTerm,
    decimal NetLongTerm,
    decimal ExemptionUsed,
    decimal TaxableShortTerm,
    decimal TaxableLongTerm,
    decimal Dividends,
    decimal Tax);

/// <summary>A year's estimated tax: the sum of the treatments' rounded taxes.</summary>
public sealed record TaxEstimate(IReadOnlyList<TreatmentTax> Treatments)
{
    /// <summary>Total estimated tax, in the account currency.</summary>
    public decimal Total => Treatments.Sum(t => t.Tax);
}

/// <summary>The tax a plan adds to a year: the year's estimate without and with the plan's realized gains.</summary>
public sealed record PlanTaxEstimate(TaxEstimate YearToDate, TaxEstimate WithPlan)
{
    /// <summary>Tax the plan adds (negative when its losses lower the year's tax), in the account currency.</summary>
    public decimal Incremental => WithPlan.Total - YearToDate.Total;
}

/// <summary>
/// Computes a year's tax from realized gains by treatment and term, following only the regime's data.
/// </summary>
/// <remarks>
/// Per treatment: when losses offset gains, short-term amounts are summed, long-term amounts are summed, and a
/// net loss in one term reduces a net gain in the other (the order of US netting); otherwise only gains are
/// summed. A remaining net loss is not carried anywhere (no carryforward, no deduction against other income).
/// The annual exemption is applied first to the term with the higher rate (the short-term one on a tie),
/// which is the order that leaves the least tax. Tax is
/// <c>taxableShort × shortRate + taxableLong × longRate + dividends × dividendRate</c>, rounded once per
/// treatment with <see cref="TaxRegime.Rounding"/>; the total is the sum of the rounded treatment taxes.
/// </remarks>
public static class TaxCalculator
{
    /// <summary>The year's estimated tax on <paramref name="gains"/> and <paramref name="dividends"/>.</summary>
    /// <exception cref="ArgumentException">A gain or dividend names a treatment the regime lacks, or the regime is inconsistent.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A negative dividend, or a regime value out of range.</exception>
    public static TaxEstimate Estimate(TaxRegime regime, IEnumerable<RealizedGain> gains, IEnumerable<DividendIncome>? dividends = null)
    {
        ArgumentNullException.ThrowIfNull(regime);
        ArgumentNullException.ThrowIfNull(gains);
        regime.Validate();
        var gainList = gains.ToList();
        var dividendList = dividends?.ToList() ?? [];
        foreach (var g in gainList) regime.Treatment(g.Treatment);
        foreach (var d in dividendList)
        {
            regime.Treatment(d.Treatment);
            if (d.Amount < 0m)
                throw new ArgumentOutOfRangeException(nameof(dividends), d.Amount, "dividends must be 0 or more");
        }

        var results = new List<TreatmentTax>();
        foreach (var treatment in regime.Treatments)
        {
            var mine = gainList.Where(g => g.Treatment == treatment.Name).ToList();
            var myDividends = dividendList.Where(d => d.Treatment == treatment.Name).Sum(d => d.Amount);
            if (mine.Count == 0 && myDividends == 0m) continue;
            results.Add(ForTreatment(regime, treatment, mine, myDividends));
        }
        return new TaxEstimate(results);
    }

    /// <summary>
    /// The tax of a plan given the year's realized gains so far: estimates without and with
    /// <paramref name="planned"/>; <see cref="PlanTaxEstimate.Incremental"/> is what the plan adds.
    /// </summary>
    public static PlanTaxEstimate EstimatePlan(TaxRegime regime, IEnumerable<RealizedGain> yearToDate, IEnumerable<RealizedGain> planned,
        IEnumerable<DividendIncome>? dividends = null)
    {
        ArgumentNullException.ThrowIfNull(yearToDate);
        ArgumentNullException.ThrowIfNull(planned);
        var before = yearToDate.ToList();
        var dividendList = dividends?.ToList();
        return new PlanTaxEstimate(Estimate(regime, before, dividendList), Estimate(regime, [.. before, .. planned], dividendList));
    }

    private static TreatmentTax ForTreatment(TaxRegime regime, TaxTreatment treatment, List<RealizedGain> gains, decimal dividends)
    {
        decimal shortTerm, longTerm;
        if (treatment.LossesOffsetGains)
        {
            shortTerm = gains.Where(g => g.Term == HoldingTerm.ShortTerm).Sum(g => g.Amount);
            longTerm = gains.Where(g => g.Term == HoldingTerm.LongTerm).Sum(g => g.Amount);
            if (shortTerm < 0m && longTerm > 0m)
            {
                var used = Math.Min(-shortTerm, longTerm);
                shortTerm += used;
                longTerm -= used;
            }
            else if (longTerm < 0m && shortTerm > 0m)
            {
                var used = Math.Min(-longTerm, shortTerm);
                longTerm += used;
                shortTerm -= used;
            }
        }
        else
        {
            shortTerm = gains.Where(g => g.Term == HoldingTerm.ShortTerm && g.Amount > 0m).Sum(g => g.Amount);
            longTerm = gains.Where(g => g.Term == HoldingTerm.LongTerm && g.Amount > 0m).Sum(g => g.Amount);
        }

        var taxableShort = Math.Max(shortTerm, 0m);
        var taxableLong = Math.Max(longTerm, 0m);
        var exemption = treatment.AnnualExemption;
        decimal Absorb(ref decimal taxable)
        {
            var used = Math.Min(exemption, taxable);
            taxable -= used;
            exemption -= used;
            return used;
        }
        decimal exemptionUsed;
        if (treatment.ShortTermRate >= treatment.LongTermRate)
            exemptionUsed = Absorb(ref taxableShort) + Absorb(ref taxableLong);
        else
            exemptionUsed = Absorb(ref taxableLong) + Absorb(ref taxableShort);

        var tax = taxableShort * treatment.ShortTermRate + taxableLong * treatment.LongTermRate + dividends * treatment.DividendRate;
        return new TreatmentTax(treatment.Name, shortTerm, longTerm, exemptionUsed, taxableShort, taxableLong, dividends, regime.Rounding.Round(tax));
    }
}
