using System.Globalization;
using YamlDotNet.RepresentationModel;

namespace Ballast.Input;

/// <summary>A target weight as the file wrote it: the ticker, the fraction read, the text and its node.</summary>
internal sealed record WeightAsWritten(string Ticker, decimal Weight, string Text, YamlNode Node);

/// <summary>A weight that looks like a typo, and a sentence saying why (it starts with the weight's text).</summary>
internal sealed record WeightTypo(WeightAsWritten Weight, string Hint);

/// <summary>
/// Finds the target weight that most likely makes weights miss 100%: <c>GLD: 1</c> (a bare 1 is 100%) among
/// <c>VOO: 60%</c>-style percentages. Used only when the weights do not sum to 100%.
/// </summary>
internal static class WeightTypos
{
    private enum Notation { Fraction, Percent, BasisPoints }

    /// <summary>
    /// The likely typo among <paramref name="weights"/> (which sum to <paramref name="sum"/>, not 100%), or null.
    /// In order: the one weight that, read in the other notation (a bare 1 as 1%, or 0.4% as 0.4), makes the sum
    /// 100%; else the one bare 1 (100%) among several weights; else the one weight written unlike all the others.
    /// </summary>
    public static WeightTypo? Find(IReadOnlyList<WeightAsWritten> weights, decimal sum)
    {
        if (weights.Count < 2) return null;
        WeightTypo? fix = null;
        var fixes = 0;
        foreach (var w in weights)
        {
            var notation = Of(w.Text);
            decimal? other = notation switch
            {
                Notation.Fraction => w.Weight / 100,
                Notation.Percent when w.Weight * 100 <= 1 => w.Weight * 100,
                _ => null,
            };
            if (other is not { } o || w.Weight == 0 || Math.Abs(sum - w.Weight + o - 1) > PortfolioValidator.TargetTolerance) continue;
            fixes++;
            var written = notation == Notation.Fraction ? $"{Number(w.Text)}%" : Number(w.Text);
            fix = new WeightTypo(w, $"{w.Text} is read as {Percent(w.Weight)}, but as {written} the weights would sum to 100%");
        }
        if (fixes == 1) return fix;

        var ones = weights.Where(w => Of(w.Text) == Notation.Fraction && w.Weight == 1).ToList();
        if (ones.Count == 1)
            return new WeightTypo(ones[0], $"{ones[0].Text} is read as 100% (a bare number is a fraction); did you mean {Number(ones[0].Text)}%?");

        var groups = weights.GroupBy(w => Of(w.Text)).ToList();
        if (groups.Count == 2 && groups.FirstOrDefault(g => g.Count() == 1) is { } lone && weights.Count >= 3)
        {
            var w = lone.Single();
            var others = groups.First(g => g.Key != lone.Key).Key switch
            {
                Notation.Fraction => "fractions",
                Notation.Percent => "percentages",
                _ => "basis points",
            };
            return new WeightTypo(w, $"{w.Text} is read as {Percent(w.Weight)}, while the other weights are written as {others}");
        }
        return null;
    }

    /// <summary>A fraction as a percentage: up to 4 decimals (<c>190%</c>, <c>33.3333%</c>), more for a tiny one (<c>0.0000005%</c>).</summary>
    public static string Percent(decimal fraction)
    {
        var percent = fraction * 100;
        var format = percent != 0 && Math.Abs(percent) < 0.0001m ? "0.##########" : "0.####";
        return percent.ToString(format, CultureInfo.InvariantCulture) + "%";
    }

    private static Notation Of(string text) =>
        text.EndsWith('%') || text.EndsWith("pp", StringComparison.OrdinalIgnoreCase) ? Notation.Percent
        : text.EndsWith("bp", StringComparison.OrdinalIgnoreCase) || text.EndsWith("bps", StringComparison.OrdinalIgnoreCase) ? Notation.BasisPoints
        : Notation.Fraction;

    /// <summary>The number of a weight's text without its unit.</summary>
    private static string Number(string text) => text.TrimEnd('%', 'p', 'P').Trim();
}
