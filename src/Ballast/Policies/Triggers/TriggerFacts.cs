using System.Numerics;
using Ballast.Portfolios;

namespace Ballast.Policies.Triggers;

/// <summary>
/// What a trigger looks at, laid out per book entry in the planner's number type: the bands (worked out once per
/// policy and book), the volatility and the prices at the last rebalance (set at each look). The drift report fills
/// it from a <see cref="Portfolio"/> and its <see cref="MarketInputs"/>; the simulation fast path keeps one per run
/// and sets the market facts at each look through <see cref="Planning.SeriesPlanner"/>.
/// </summary>
internal sealed class TriggerFacts<T> where T : unmanaged, IFloatingPoint<T>, IMinMaxValue<T>
{
    public Policy Policy = Policy.Default;
    public TriggerRule Rule = TriggerRule.For(TriggerKind.Threshold);
    public Book<T> Book = null!;

    /// <summary>Band half-widths per entry at their stated width; meaningful where <see cref="HasBand"/>.</summary>
    public T[] Halves = [];
    public bool[] HasBand = [];
    public bool HasCashBand;
    public T CashHalf;
    /// <summary>What volatility scaling multiplies every half-width by at this look (1 without scaling).</summary>
    public T BandFactor = T.One;

    public bool VolatilityKnown;
    /// <summary>Annualized realized volatility, a fraction, where <see cref="VolatilityKnown"/>.</summary>
    public T Volatility;
    public bool LevelKnown;
    public T Level;

    /// <summary>Prices per entry at the last rebalance, 0 where unknown.</summary>
    public T[] PricesThen = [];
    /// <summary>Performance groups: each entry's weight in the leading group and in the lagging group (0 when not a member).</summary>
    public T[] LeaderWeights = [];
    public T[] LaggardWeights = [];
    public bool HasLaggard;
    public T PerformanceLevel;

    private void EnsureCapacity(int n)
    {
        if (Halves.Length >= n) return;
        Halves = new T[n];
        HasBand = new bool[n];
        PricesThen = new T[n];
        LeaderWeights = new T[n];
        LaggardWeights = new T[n];
    }

    /// <summary>Works out the bands and performance groups of <paramref name="policy"/> for the entries of <paramref name="book"/>.</summary>
    /// <param name="assetClass">The asset class of a ticker, for performance groups named by class, or null.</param>
    public void Prepare(Policy policy, Book<T> book, Func<string, string?>? assetClass)
    {
        Policy = policy;
        var trigger = policy.Trigger;
        Rule = trigger.Rule;
        Book = book;
        var n = book.Count;
        EnsureCapacity(n);
        var bands = trigger.HasBands;
        for (var i = 0; i < n; i++)
        {
            HasBand[i] = false;
            Halves[i] = T.Zero;
            PricesThen[i] = T.Zero;
            if (!bands) continue;
            if (!book.InTargets[i])
            {
                // A holding without a target has a band of zero width: any amount of it is outside.
                HasBand[i] = true;
                continue;
            }
            if (trigger.BandFor(book.Tickers[i]).HalfWidth(decimal.CreateChecked(book.Targets[i])) is { } h)
            {
                Halves[i] = T.CreateChecked(h);
                HasBand[i] = true;
            }
        }
        HasCashBand = false;
        if (bands && book.CashIsAsset && trigger.BandFor(Portfolio.CashTicker).HalfWidth(decimal.CreateChecked(book.CashTarget)) is { } ch)
        {
            HasCashBand = true;
            CashHalf = T.CreateChecked(ch);
        }
        BandFactor = T.One;
        VolatilityKnown = false;
        LevelKnown = trigger.Volatility?.Level is not null;
        Level = LevelKnown ? T.CreateChecked(trigger.Volatility!.Level!.Value) : T.Zero;
        PerformanceTrigger.PrepareGroups(this, trigger.Performance, assetClass);
    }

    /// <summary>Sets the realized volatility of this look (null: unknown) and the band factor it gives.</summary>
    public void SetVolatility(T? volatility)
    {
        VolatilityKnown = volatility is not null;
        Volatility = volatility ?? T.Zero;
        BandFactor = Policy.Trigger.Volatility is { Scaling: not BandScaling.None } rule
            ? VolatilityTrigger.BandFactor(rule, volatility)
            : T.One;
    }

    /// <summary>Takes the prices at the last rebalance from <paramref name="prices"/> by ticker (missing: unknown).</summary>
    public void SetPricesThen(IReadOnlyDictionary<string, decimal>? prices)
    {
        for (var i = 0; i < Book.Count; i++)
            PricesThen[i] = prices is not null && prices.TryGetValue(Book.Tickers[i], out var p) && p > 0 ? T.CreateChecked(p) : T.Zero;
    }

    /// <summary>The weighing base of <paramref name="values"/> and <paramref name="cash"/>.</summary>
    public T Basis(ReadOnlySpan<T> values, T cash)
    {
        var invested = T.Zero;
        for (var i = 0; i < Book.Count; i++) invested += values[i];
        return Book.CashIsAsset ? invested + cash : invested;
    }

    /// <summary>The half-width in force for entry <paramref name="i"/> at this look.</summary>
    public T HalfOf(int i) => BandFactor == T.One ? Halves[i] : Halves[i] * BandFactor;

    /// <summary>Whether a look that is due rebalances on <paramref name="values"/> and <paramref name="cash"/>:
    /// always once the maximum interval has passed, otherwise as the trigger says.</summary>
    public bool Fires(ReadOnlySpan<T> values, T cash, bool intervalExceeded) =>
        intervalExceeded || Rule.Fires(this, values, cash);
}
