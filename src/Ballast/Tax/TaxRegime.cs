namespace Ballast.Tax;

/// <summary>How an estimated tax is rounded: to <paramref name="Decimals"/> decimals (0 to 10) with <paramref name="Mode"/>.</summary>
public sealed record TaxRounding(int Decimals, MidpointRounding Mode)
{
    /// <summary>Rounds an amount with this rule.</summary>
    public decimal Round(decimal amount)
    {
        if (Decimals is < 0 or > 10)
            throw new ArgumentOutOfRangeException(nameof(Decimals), Decimals, "tax rounding decimals must be between 0 and 10");
        return Math.Round(amount, Decimals, Mode);
    }
}

/// <summary>
/// How one class of securities is taxed. A security names its treatment; the regime lists the treatments.
/// </summary>
/// <param name="Name">The treatment's name, as securities refer to it (ordinal comparison).</param>
/// <param name="ShortTermRate">Rate on net short-term gains, a fraction between 0 and 1 (0.37 is 37%).</param>
/// <param name="LongTermRate">Rate on net long-term gains, a fraction between 0 and 1.</param>
/// <param name="AnnualExemption">Total net gain per calendar year that is not taxed, in the account currency; 0 or more.</param>
/// <param name="LossesOffsetGains">
/// True when the year's losses in this treatment net against its gains (first within a term, then across terms);
/// false when every gain is taxed and losses are ignored.
/// </param>
/// <param name="DividendRate">Rate on dividends, a fraction between 0 and 1; dividends get no exemption.</param>
public sealed record TaxTreatment(
    string Name,
    decimal ShortTermRate,
    decimal LongTermRate,
    decimal AnnualExemption,
    bool LossesOffsetGains,
    decimal DividendRate)
{
    internal void Validate()
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(Name);
        CheckRate(ShortTermRate, nameof(ShortTermRate));
        CheckRate(LongTermRate, nameof(LongTermRate));
        CheckRate(DividendRate, nameof(DividendRate));
        if (AnnualExemption < 0m)
            throw new ArgumentOutOfRangeException(nameof(AnnualExemption), AnnualExemption, $"treatment {Name}: the annual exemption must be 0 or more");
    }

    private void CheckRate(decimal rate, string name)
    {
        if (rate is < 0m or > 1m)
            throw new ArgumentOutOfRangeException(name, rate, $"treatment {Name}: a rate is a fraction between 0 and 1");
    }
}

/// <summary>
/// A tax regime as data: its treatments, the one securities get when they name none, how tax is rounded and
/// whether the wash-sale rule applies. <see cref="TaxCalculator"/> reads it; there are no per-country code paths.
/// </summary>
/// <param name="Name">A label for reports.</param>
/// <param name="Treatments">The treatments; names distinct, at least one.</param>
/// <param name="DefaultTreatment">The treatment of a security that names none; must be in <paramref name="Treatments"/>.</param>
/// <param name="Rounding">How each treatment's tax is rounded.</param>
/// <param name="WashSaleWindowDays">
/// Days before and after a loss sale in which buying a substantially identical security disallows the loss
/// (30 in the US), or null when the regime has no wash-sale rule.
/// </param>
public sealed record TaxRegime(
    string Name,
    IReadOnlyList<TaxTreatment> Treatments,
    string DefaultTreatment,
    TaxRounding Rounding,
    int? WashSaleWindowDays)
{
    /// <summary>The US preset's only treatment.</summary>
    public const string UsTaxable = "us-taxable";

    /// <summary>The Korean preset's treatment for overseas-listed ETFs (its default).</summary>
    public const string KoreaOverseas = "kr-overseas";

    /// <summary>The Korean preset's treatment for domestic equity ETFs.</summary>
    public const string KoreaDomesticEquity = "kr-domestic-equity";

    /// <summary>
    /// US federal capital gains as one treatment <see cref="UsTaxable"/>: short- and long-term rates given as
    /// fractions, losses net against gains, no exemption, a 30-day wash-sale window, tax rounded to cents
    /// (midpoint away from zero). Dividends are taxed at <paramref name="dividendRate"/>, by default the
    /// long-term rate (qualified dividends).
    /// </summary>
    public static TaxRegime Us(decimal shortTermRate, decimal longTermRate, decimal? dividendRate = null) => Create(
        "US",
        [new TaxTreatment(UsTaxable, shortTermRate, longTermRate, 0m, LossesOffsetGains: true, dividendRate ?? longTermRate)],
        UsTaxable,
        new TaxRounding(2, MidpointRounding.AwayFromZero),
        washSaleWindowDays: 30);

    /// <summary>
    /// Korea for an individual investor: overseas-listed ETFs (<see cref="KoreaOverseas"/>, the default) pay 22%
    /// on the year's net gains above a 2,500,000 KRW exemption, with losses netting against gains; domestic
    /// equity ETFs (<see cref="KoreaDomesticEquity"/>) pay no capital gains tax. Dividends pay 15.4% in both.
    /// There is no wash-sale rule. Tax is truncated to whole won (<see cref="MidpointRounding.ToZero"/>).
    /// </summary>
    public static TaxRegime Korea() => Create(
        "KR",
        [
            new TaxTreatment(KoreaOverseas, 0.22m, 0.22m, 2_500_000m, LossesOffsetGains: true, 0.154m),
            new TaxTreatment(KoreaDomesticEquity, 0m, 0m, 0m, LossesOffsetGains: true, 0.154m),
        ],
        KoreaOverseas,
        new TaxRounding(0, MidpointRounding.ToZero),
        washSaleWindowDays: null);

    /// <summary>Creates a regime, checking that it is consistent.</summary>
    /// <exception cref="ArgumentException">No treatments, duplicate names, or an unknown default.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A rate outside 0 to 1, a negative exemption, bad rounding or window.</exception>
    public static TaxRegime Create(string name, IReadOnlyList<TaxTreatment> treatments, string defaultTreatment, TaxRounding rounding, int? washSaleWindowDays)
    {
        var regime = new TaxRegime(name, treatments, defaultTreatment, rounding, washSaleWindowDays);
        regime.Validate();
        return regime;
    }

    /// <summary>Checks the invariants <see cref="Create"/> checks; call it on a regime built another way.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Treatments);
        ArgumentNullException.ThrowIfNull(Rounding);
        if (Treatments.Count == 0)
            throw new ArgumentException("a tax regime needs at least one treatment", nameof(Treatments));
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var t in Treatments)
        {
            ArgumentNullException.ThrowIfNull(t, nameof(Treatments));
            t.Validate();
            if (!names.Add(t.Name))
                throw new ArgumentException($"treatment {t.Name} is listed twice", nameof(Treatments));
        }
        if (!names.Contains(DefaultTreatment))
            throw new ArgumentException($"the default treatment {DefaultTreatment} is not one of {string.Join(", ", names)}", nameof(DefaultTreatment));
        if (Rounding.Decimals is < 0 or > 10)
            throw new ArgumentOutOfRangeException(nameof(Rounding), Rounding.Decimals, "tax rounding decimals must be between 0 and 10");
        if (WashSaleWindowDays is < 0)
            throw new ArgumentOutOfRangeException(nameof(WashSaleWindowDays), WashSaleWindowDays, "the wash-sale window must be 0 days or more");
    }

    /// <summary>The treatment named <paramref name="name"/>, or null.</summary>
    public TaxTreatment? FindTreatment(string? name) =>
        Treatments.FirstOrDefault(t => string.Equals(t.Name, name, StringComparison.Ordinal));

    /// <summary>The treatment named <paramref name="name"/>, or the default treatment when the name is null.</summary>
    /// <exception cref="ArgumentException">No treatment has that name.</exception>
    public TaxTreatment Treatment(string? name) =>
        FindTreatment(name ?? DefaultTreatment)
        ?? throw new ArgumentException($"{Name} has no treatment {name}; it has {string.Join(", ", Treatments.Select(t => t.Name))}", nameof(name));

    /// <summary>
    /// The treatment name for <paramref name="ticker"/>: its entry in <paramref name="treatmentByTicker"/>, else the default.
    /// </summary>
    public string TreatmentOf(string ticker, IReadOnlyDictionary<string, string>? treatmentByTicker) =>
        treatmentByTicker is not null && treatmentByTicker.TryGetValue(ticker, out var name) ? name : DefaultTreatment;
}
