using System.Globalization;

namespace Ballast.Input;

/// <summary>Parsing of the small value syntaxes the portfolio file and the command line share.</summary>
public static class Values
{
    /// <summary>The largest money amount Ballast accepts (<see cref="Limits.MaxAmount"/>), so that sums and products of
    /// a portfolio's amounts stay far inside the range of <see cref="decimal"/>.</summary>
    public const decimal MaxAmount = Limits.MaxAmount;

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
        value = Canonical(v * scale);
        error = null;
        return true;
    }

    /// <summary>
    /// Parses a fraction as <see cref="TryParseFraction(string, out decimal, out string?)"/> does and checks it against
    /// <paramref name="range"/>; a bare number above 1 where the range ends at 100% gets the hint <c>write 60% or 0.6</c>.
    /// </summary>
    public static bool TryParseFraction(string text, NumberRange range, out decimal value, out string? error)
    {
        if (!TryParseFraction(text, out value, out error))
        {
            var number = text.Trim().TrimEnd('%', 'b', 'B', 'p', 'P', 's', 'S').Trim();
            if (LooksNumeric(number))
                error = number.StartsWith('-') ? $"must not be negative (got {text.Trim()})" : $"{text.Trim()} is too large: at most {range.Show(range.Max)}";
            return false;
        }
        return range.Check(value, text, out error);
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
        value = Canonical(value);
        if (Math.Abs(value) > MaxAmount)
        {
            error = $"{text} is too large: Ballast accepts amounts up to {MaxAmount:#,0}";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>Parses a plain decimal number (invariant culture, exponent and <c>_</c> separators allowed) and checks it against <paramref name="range"/>.</summary>
    public static bool TryParseAmount(string text, NumberRange range, out decimal value, out string? error)
    {
        var s = text.Trim().Replace("_", "", StringComparison.Ordinal);
        if (!decimal.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
        {
            error = !LooksNumeric(s) ? $"'{text}' is not a number"
                : s.StartsWith('-') && range.Min < 0 ? $"{text.Trim()} is out of range: from {range.Show(range.Min)} to {range.Show(range.Max)}"
                : s.StartsWith('-') ? $"must not be negative (got {text.Trim()})"
                : $"{text.Trim()} is too large: at most {range.Show(range.Max)}";
            return false;
        }
        value = Canonical(value);
        return range.Check(value, text, out error);
    }

    /// <summary>
    /// Parses an ISO date (<c>yyyy-MM-dd</c>) from <see cref="Limits.FirstDate"/> to <see cref="Limits.LastDate"/>:
    /// dates outside would let date arithmetic (next looks, holding periods, wash-sale windows) leave the calendar.
    /// </summary>
    public static bool TryParseDate(string text, out DateOnly value, out string? error)
    {
        if (DateOnly.TryParseExact(text.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value))
            return Limits.CheckDate(value, out error);
        error = $"'{text}' is not a date (write YYYY-MM-DD)";
        return false;
    }

    /// <summary>0 without sign or scale for any zero (<c>-0</c>, <c>0.00</c>, or a number too small for decimal), else the value.</summary>
    private static decimal Canonical(decimal value) => value == 0m ? 0m : value;

    private static bool LooksNumeric(string s)
    {
        var digits = false;
        foreach (var c in s)
        {
            if (c is >= '0' and <= '9') digits = true;
            else if (c is not ('.' or '-' or '+' or 'e' or 'E')) return false;
        }
        return digits;
    }
}
