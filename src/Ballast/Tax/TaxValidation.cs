using Ballast.Input;

namespace Ballast.Tax;

/// <summary>
/// A lot as read from a portfolio file, before it becomes a <see cref="TaxLot"/>: shares, total cost basis
/// (wash-sale adjustment included), acquisition date and total wash-sale adjustment.
/// </summary>
public sealed record LotFields(decimal Quantity, decimal CostBasis, DateOnly Acquired, decimal WashSaleAdjustment = 0m);

/// <summary>
/// Checks of tax input that return every problem found, each with its field path. A parser adds the file,
/// line and column it knows with <c>problem with { File = ..., Line = ... }</c>.
/// </summary>
public static class TaxValidation
{
    /// <summary>
    /// Checks one holding's lots: each lot's quantity, basis, adjustment and acquisition date (not after
    /// <paramref name="asOf"/>), and that the quantities sum exactly to <paramref name="holdingQuantity"/>.
    /// </summary>
    /// <param name="holdingField">The holding's path, such as <c>accounts[0].holdings[1]</c>; lot fields are <c>{holdingField}.lots[i].field</c>.</param>
    /// <param name="holdingQuantity">The holding's share count.</param>
    /// <param name="lots">The holding's lots as read.</param>
    /// <param name="asOf">The date the portfolio is valued; no lot can be acquired after it.</param>
    public static IReadOnlyList<InputProblem> ValidateLots(string holdingField, decimal holdingQuantity, IReadOnlyList<LotFields> lots, DateOnly asOf)
    {
        ArgumentNullException.ThrowIfNull(lots);
        var problems = new List<InputProblem>();
        for (var i = 0; i < lots.Count; i++)
        {
            var lot = lots[i];
            var field = $"{holdingField}.lots[{i}]";
            if (lot.Quantity <= 0m)
                problems.Add(new InputProblem($"a lot's quantity must be greater than 0, not {lot.Quantity}", Field: $"{field}.quantity"));
            if (lot.CostBasis < 0m)
                problems.Add(new InputProblem($"a lot's cost basis must be 0 or more, not {lot.CostBasis}", Field: $"{field}.costBasis"));
            if (lot.WashSaleAdjustment < 0m || lot.WashSaleAdjustment > Math.Max(lot.CostBasis, 0m))
                problems.Add(new InputProblem($"the wash-sale adjustment must be between 0 and the lot's cost basis {lot.CostBasis}, not {lot.WashSaleAdjustment}", Field: $"{field}.washSaleAdjustment"));
            if (lot.Acquired > asOf)
                problems.Add(new InputProblem($"the lot was acquired on {lot.Acquired:yyyy-MM-dd}, after the portfolio's date {asOf:yyyy-MM-dd}", Field: $"{field}.acquired"));
        }
        if (lots.Count > 0)
        {
            var sum = lots.Sum(l => l.Quantity);
            if (sum != holdingQuantity)
                problems.Add(new InputProblem($"the lots add up to {sum} shares but the holding has {holdingQuantity}", Field: $"{holdingField}.lots"));
        }
        return problems;
    }

    /// <summary>
    /// Checks harvest substitute pairs (sold ticker, substitute): a pair must not point at itself, a substitute
    /// must not be substantially identical to the sold ticker (buying it would be a wash sale), and a ticker
    /// has at most one substitute. Problems are at <c>{field}[i]</c>.
    /// </summary>
    public static IReadOnlyList<InputProblem> ValidateSubstitutes(string field, IReadOnlyList<KeyValuePair<string, string>> pairs, IdenticalTickers identical)
    {
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(identical);
        var problems = new List<InputProblem>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < pairs.Count; i++)
        {
            var (from, to) = (pairs[i].Key, pairs[i].Value);
            var pairField = $"{field}[{i}]";
            if (string.IsNullOrWhiteSpace(from) || string.IsNullOrWhiteSpace(to))
            {
                problems.Add(new InputProblem("a substitute pair needs both a ticker and its substitute", Field: pairField));
                continue;
            }
            if (string.Equals(from, to, StringComparison.Ordinal))
                problems.Add(new InputProblem($"{from} cannot be its own substitute", Field: pairField));
            else if (identical.AreIdentical(from, to))
                problems.Add(new InputProblem($"{to} is declared substantially identical to {from}, so buying it after a loss sale of {from} would be a wash sale", Field: pairField));
            if (seen.TryGetValue(from, out var first))
                problems.Add(new InputProblem($"{from} already has a substitute at {field}[{first}]", Field: pairField));
            else
                seen[from] = i;
        }
        return problems;
    }

    /// <summary>
    /// Checks a security's treatment name against the regime; null (no treatment named) is fine and means the
    /// default. On failure the problem at <paramref name="field"/> lists the regime's treatments.
    /// </summary>
    public static InputProblem? ValidateTreatment(TaxRegime regime, string? treatment, string field)
    {
        ArgumentNullException.ThrowIfNull(regime);
        if (treatment is null || regime.FindTreatment(treatment) is not null) return null;
        return new InputProblem(
            $"'{treatment}' is not a treatment of the {regime.Name} regime; use one of {string.Join(", ", regime.Treatments.Select(t => t.Name))}", Field: field);
    }
}
