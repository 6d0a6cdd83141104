namespace Ballast.Drift;

/// <summary>Where a weight stands against its band.</summary>
public enum BandStatus { Within, Above, Below }

/// <summary>
/// One row of a drift report. Weights, targets, drift and band edges are fractions of the weighing base
/// (the invested value, or invested value plus cash when cash is an asset class). Weight, drift and band edges
/// are derived on access, so that batch checks that only need the status do no division.
/// </summary>
/// <param name="Basis">The weighing base, in the portfolio currency.</param>
/// <param name="HalfWidth">Band half-width as a fraction, or null when the policy has no band.</param>
/// <param name="InTargets">False for a holding the targets do not name (it is sold in full by a rebalance).</param>
public sealed record PositionDrift(
    string Ticker, decimal Value, decimal? Quantity, decimal Target, decimal Basis, decimal? HalfWidth, BandStatus Status, bool InTargets)
{
    /// <summary>Value / basis; 0 when the basis is 0.</summary>
    public decimal Weight => Basis == 0 ? 0 : Value / Basis;

    /// <summary>Weight minus target: positive when overweight.</summary>
    public decimal Drift => Weight - Target;

    /// <summary>Lower band edge (not below 0), or null when the policy has no band.</summary>
    public decimal? Lower => HalfWidth is { } h ? Math.Max(0, Target - h) : null;

    /// <summary>Upper band edge (not above 1), or null when the policy has no band.</summary>
    public decimal? Upper => HalfWidth is { } h ? Math.Min(1, Target + h) : null;
}

/// <summary>The numbers of one drift row, kept until the row itself is asked for.</summary>
internal struct DriftRowData
{
    public string Ticker;
    public decimal Value;
    public decimal? Quantity;
    public decimal Target;
    public decimal? HalfWidth;
    public BandStatus Status;
    public bool InTargets;
}

/// <summary>
/// A read-only list whose items are built from plain data the first time any of them is read: a batch check or a
/// plan that needs only totals and the verdict never builds them.
/// </summary>
internal abstract class BuiltOnRead<T> : IReadOnlyList<T>
{
    private T[]? _items;

    public abstract int Count { get; }

    public T this[int index] => Items[index];

    private T[] Items => _items ??= Build();

    /// <summary>Builds every item once.</summary>
    protected abstract T[] Build();

    public IEnumerator<T> GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
}

/// <summary>A drift report's rows, made into <see cref="PositionDrift"/> objects only when read.</summary>
internal sealed class DriftRows(DriftRowData[] data, decimal basis) : BuiltOnRead<PositionDrift>
{
    public override int Count => data.Length;

    protected override PositionDrift[] Build()
    {
        var rows = new PositionDrift[data.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            ref readonly var d = ref data[i];
            rows[i] = new PositionDrift(d.Ticker, d.Value, d.Quantity, d.Target, basis, d.HalfWidth, d.Status, d.InTargets);
        }
        return rows;
    }
}

/// <summary>A reason for the verdict of a drift report, formatted only when shown.</summary>
public sealed class Reason
{
    private readonly Func<string>? _format;
    private string? _text;

    public Reason(Func<string> format) => _format = format;

    public Reason(string text) => _text = text;

    private readonly DriftRows? _rows;
    private readonly int _row;

    /// <summary>A position outside its band: row <paramref name="row"/> of <paramref name="rows"/>.</summary>
    internal Reason(DriftRows rows, int row)
    {
        _rows = rows;
        _row = row;
    }

    public override string ToString() => _text ??= _rows is { } rows ? Breach(rows[_row]) : _format!();

    private static string Breach(PositionDrift row) =>
        $"{row.Ticker} at {row.Weight * 100:0.00}% is {(row.Status == BandStatus.Above ? "above" : "below")} its band {row.Lower * 100:0.00}%..{row.Upper * 100:0.00}% (target {row.Target * 100:0.00}%)";
}

/// <summary>The state of a portfolio against its policy on its as-of date.</summary>
/// <param name="InvestedValue">Sum of position values, cash excluded.</param>
/// <param name="TotalValue">Invested value plus cash.</param>
/// <param name="LookDue">Whether the look schedule says to examine the portfolio on the as-of date.</param>
/// <param name="NextLook">The next date a look is due, when the look is not due now.</param>
/// <param name="Why">Why the portfolio needs rebalancing, or why not.</param>
public sealed record DriftReport(
    DateOnly AsOf,
    decimal InvestedValue,
    decimal Cash,
    decimal TotalValue,
    IReadOnlyList<PositionDrift> Positions,
    bool LookDue,
    DateOnly? NextLook,
    bool NeedsRebalancing,
    IReadOnlyList<Reason> Why,
    IReadOnlyList<string> Warnings)
{
    private IReadOnlyList<string>? _reasons;

    /// <summary>Cash above the reserve that waits to be invested (see the policy's cash band), or 0.</summary>
    public decimal IdleCash { get; init; }

    /// <summary>How far cash is below the reserve, or 0.</summary>
    public decimal CashShortfall { get; init; }

    /// <summary>True when something should be done now: the policy says to rebalance, idle cash waits to be invested, or cash is below the reserve.</summary>
    public bool NeedsAction => NeedsRebalancing || IdleCash > 0 || CashShortfall > 0;

    /// <summary>The reasons as sentences.</summary>
    public IReadOnlyList<string> Reasons => _reasons ??= Why.Select(r => r.ToString()).ToList();

    /// <summary>The largest absolute drift over all positions, as a fraction.</summary>
    public decimal MaxAbsoluteDrift
    {
        get
        {
            decimal m = 0;
            foreach (var p in Positions) m = Math.Max(m, Math.Abs(p.Drift));
            return m;
        }
    }
}
