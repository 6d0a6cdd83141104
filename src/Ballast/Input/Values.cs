using System.Globalization;

namespace Ballast.Input;

/// <summary>Parsing of the small value syntaxes the portfolio file and the command line share.</summary>
public static class Values
{
    /// <summary>The largest money amount or quantity Ballast accepts, so that sums and products of a portfolio's
    /// amounts stay far inside the range of <see cref="decimal"/>.</summary>
    public const decimal MaxAmount = 1_000_000_000_000_000m;

    /// <summary>
    /// Parses a fraction written as a percentage (<c>5%</c>), percentage points (<c>5pp</c>), basis points
    /// (<c>500bp</c>) or a plain fraction (<c>0.05</c>). Returns an error sentence on failure.
    /// </summary>
    public static bool TryParseFraction(string text, out decimal value, out string? error)
    {
        var s = text.Trim();
        decimal scale = 1;
        string suffix;
        if (s.EndsWith('%')) { scale = 0.01m; suffix = "%"; }
        else if (s.EndsWith("pp", StringComparison.OrdinalIgnoreCase)) { scale = 0.01m; suffix = "pp"; }
        else if (s.EndsWith("bps", StringComparison.OrdinalIgnoreCase)) { scale = 0.0001m; suffix = "bps"; }
        else if (s.EndsWith("bp", StringComparison.OrdinalIgnoreCase)) { scale = 0.0001m; suffix = "bp"; }
        else suffix = "";
        var number = s[..^suffix.Length].Trim();
        if (!decimal.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var v))
        {
            value = 0;
            error = $"'{text}' is not a percentage (write 5%, 500bp or 0.05)";
            return false;
        }
        value = v * scale;
        error = null;
        return true;
    }

    /// <summary>Parses a plain decimal number (invariant culture, exponent allowed). Rejects amounts beyond <see cref="MaxAmount"/>.</summary>
    public static bool TryParseAmount(string text, out decimal value, out string? error)
    {
        var s = text.Trim().Replace("_", "", StringComparison.Ordinal);
        if (!decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            error = LooksNumeric(s)
                ? $"'{text}' is too large: Ballast accepts amounts up to {MaxAmount:#,0}"
                : $"'{text}' is not a number";
            return false;
        }
        if (Math.Abs(value) > MaxAmount)
        {
            error = $"{text} is too large: Ballast accepts amounts up to {MaxAmount:#,0}";
            return false;
        }
        error = null;
        return true;
    }

    public static bool TryParseDate(string text, out DateOnly value, out string? error)
    {
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value))
        {
            error = null;
            return true;
        }
        error = $"'{text}' is not a date (write YYYY-MM-DD)";
        return false;
    }

    private static bool LooksNumeric(string s)
    {
        if (s.Length == 0) return false;
        foreach (var c in s)
            if (!(char.IsDigit(c) || c is '.' or '-' or '+' or 'e' or 'E')) return false;
        return true;
    }
}
