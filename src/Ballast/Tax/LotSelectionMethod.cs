using Ballast.Input;

namespace Ballast.Tax;

/// <summary>The order in which a sell consumes an account's lots of a ticker.</summary>
public enum LotSelectionMethod
{
    /// <summary>First in, first out: earliest acquisition date first (file word <c>fifo</c>).</summary>
    Fifo,

    /// <summary>Last in, first out: latest acquisition date first (file word <c>lifo</c>).</summary>
    Lifo,

    /// <summary>Highest cost basis per share first (file word <c>hifo</c>).</summary>
    Hifo,

    /// <summary>
    /// Tax-minimizing (file word <c>tax-min</c>): losses first, largest loss per share first; then long-term
    /// gains, smallest gain per share first; then short-term gains, smallest gain per share first.
    /// A lot that sells at exactly its basis counts as a gain of 0.
    /// </summary>
    TaxMinimizing,

    /// <summary>The sell names the lots and quantities it consumes (file word <c>specific</c>).</summary>
    Specific,
}

/// <summary>The words the portfolio file uses for <see cref="LotSelectionMethod"/>.</summary>
public static class LotSelectionMethods
{
    /// <summary>The accepted words, in the order they are listed to a user.</summary>
    public static IReadOnlyList<string> Words { get; } = ["fifo", "lifo", "hifo", "tax-min", "specific"];

    /// <summary>The file word for a method.</summary>
    public static string ToWord(this LotSelectionMethod method) => method switch
    {
        LotSelectionMethod.Fifo => "fifo",
        LotSelectionMethod.Lifo => "lifo",
        LotSelectionMethod.Hifo => "hifo",
        LotSelectionMethod.TaxMinimizing => "tax-min",
        LotSelectionMethod.Specific => "specific",
        _ => throw new ArgumentOutOfRangeException(nameof(method), method, "unknown lot selection method"),
    };

    /// <summary>
    /// Reads a lot-selection word (case-insensitive, surrounding spaces ignored). On failure returns false
    /// and a problem for <paramref name="field"/> that lists the allowed words.
    /// </summary>
    public static bool TryParse(string? word, string field, out LotSelectionMethod method, out InputProblem? problem)
    {
        var normalized = word?.Trim().ToLowerInvariant();
        foreach (var candidate in Enum.GetValues<LotSelectionMethod>())
        {
            if (candidate.ToWord() == normalized)
            {
                method = candidate;
                problem = null;
                return true;
            }
        }

        method = default;
        var shown = string.IsNullOrWhiteSpace(word) ? "an empty value" : $"'{word}'";
        problem = new InputProblem($"{shown} is not a lot selection method; use one of {string.Join(", ", Words)}", Field: field);
        return false;
    }
}
