using System.Text;
using System.Text.RegularExpressions;

namespace Ballast.Testing;

/// <summary>
/// Makes malformed variants of a YAML or JSON input file for fuzz tests: numbers replaced by extreme or wrong
/// values, dates at the ends of the calendar, lines deleted, duplicated or re-indented, junk keys, truncation,
/// deep nesting, values swapped between scalar, mapping and list, unicode, very long strings and aliases.
/// Deterministic for a given <see cref="Random"/> seed.
/// </summary>
public sealed partial class InputMutator(Random random)
{
    /// <summary>The kinds of mutation, so a test can leave one out and say why.</summary>
    public enum Kind
    {
        Number, Date, DeleteLine, DuplicateLine, SwapLines, Indent, JunkKey, Truncate, Nest, SwapType, Unicode, LongString,
        Alias, RenameKey, FlipChar, DuplicateBlock,
    }

    private static readonly string[] Numbers =
    [
        "0", "-0", "-0.0", "1", "-1", "0.5", "1e15", "1e16", "999999999999999", "1000000000000001", "1e27", "1e28", "-1e27", "1e400", "-1e400",
        "79228162514264337593543950335", "79228162514264337593543950336", "1e-28", "1e-40", "0.000000000000000000000000000001", "1e12", "1e13",
        "1e-12", "1e-13", "1e9", "1e9.5", "1000000001", "1e-8", "1e-9", "NaN", "nan", "Infinity", "-Infinity", ".inf", "1_000", "0x10", "1,5",
        "150%", "100%", "0%", "-5%", "1e27%", "1e-28%", "1e30bp", "5bp", "5pp", "0.0001%", "1e-11%", "~", "null", "\"\"", "''", "abc", "9999-12-31",
        "12345678901234567890123456789012345678901234567890", "0.1234567890123456789012345678901234567890", "+5", "5e", "--5", " 5 ",
    ];

    private static readonly string[] Dates =
    [
        "9999-12-31", "0001-01-01", "2999-12-31", "3000-01-01", "1800-01-01", "1799-12-31", "2025-02-30", "2025-13-01", "2024-02-29",
        "2099-01-01", "1900-01-01", "20250101", "2025-1-1", "2025-06-30T00:00:00", "1", "-2025-01-01",
    ];

    private static readonly string[] Junk =
    [
        "junk: 1", "extra: { a: [1, 2, { b: c }] }", "? [a, b]\n  : 1", "!!binary aGVsbG8=", "<<: { a: 1 }", "\"quoted key\": x",
        "- loose item", "&anchor key: 1", "%YAML 1.2", "---", "...", "key: |\n  block\n  text", "key: >\n  folded", "tab:\tvalue",
    ];

    private static readonly string[] Scalars = ["x", "1", "[]", "{}", "[1, 2]", "{ a: 1 }", "[[[]]]", "{ quantity: 1 }", "- 1", "", "~", "!!str 5", "*nope"];

    private static readonly string[] Unicode =
    [
        "\u0000", "\uFEFF", "\u00E9", "\U0001F642", "\u202E", "\u200B", "\uD800", "\uDFFF", "\t", "\r", "\u0085", "\u2028", "\\u0000", "\u0130", "\u03A3",
    ];

    private static readonly string[] Keys =
    [
        "quantity", "value", "price", "cash", "targets", "model", "holdings", "lots", "accounts", "transactions", "costBasis", "acquired", "asOf",
        "policy", "execution", "prices", "securities", "initial", "cashFlows", "policies", "tax", "tune", "monteCarlo", "start", "end", "ticker",
    ];

    /// <summary>
    /// Applies one to three mutations of the kinds allowed by <paramref name="allowed"/> (all when null); a third of the
    /// time only numbers change, so that many variants still read and reach the engine.
    /// </summary>
    public string Mutate(string text, Func<Kind, bool>? allowed = null)
    {
        if (random.Next(3) == 0 && (allowed is null || allowed(Kind.Number)))
        {
            var changes = random.Next(1, 3);
            for (var i = 0; i < changes; i++) text = Apply(Kind.Number, text);
            return text;
        }
        var count = random.Next(1, 4);
        for (var i = 0; i < count; i++)
        {
            Kind kind;
            do kind = (Kind)random.Next(Enum.GetValues<Kind>().Length);
            while (allowed is not null && !allowed(kind));
            text = Apply(kind, text);
        }
        return text;
    }

    /// <summary>Applies one mutation of <paramref name="kind"/>.</summary>
    public string Apply(Kind kind, string text)
    {
        var lines = text.Split('\n').ToList();
        switch (kind)
        {
            case Kind.Number:
                // Half the time a number of any size Ballast might accept, with the unit of the number it replaces, so
                // that mutated files often still read and the engine meets extreme but valid values.
                return random.Next(2) == 0
                    ? ReplaceOne(NumberPattern(), text, () => Pick(Numbers))
                    : ReplaceOne(NumberPattern(), text, m => Plausible() + Unit(m));
            case Kind.Date:
                return ReplaceOne(DatePattern(), text, () => Pick(Dates));
            case Kind.DeleteLine when lines.Count > 1:
                lines.RemoveAt(random.Next(lines.Count));
                return string.Join('\n', lines);
            case Kind.DuplicateLine:
            {
                var i = random.Next(lines.Count);
                lines.Insert(i, lines[i]);
                return string.Join('\n', lines);
            }
            case Kind.SwapLines when lines.Count > 1:
            {
                int a = random.Next(lines.Count), b = random.Next(lines.Count);
                (lines[a], lines[b]) = (lines[b], lines[a]);
                return string.Join('\n', lines);
            }
            case Kind.Indent:
            {
                var i = random.Next(lines.Count);
                lines[i] = random.Next(2) == 0 ? new string(' ', random.Next(1, 9)) + lines[i] : lines[i].TrimStart();
                return string.Join('\n', lines);
            }
            case Kind.JunkKey:
            {
                var i = random.Next(lines.Count + 1);
                lines.Insert(i, new string(' ', random.Next(0, 3) * 2) + Pick(Junk));
                return string.Join('\n', lines);
            }
            case Kind.Truncate:
                return text[..random.Next(text.Length + 1)];
            case Kind.Nest:
            {
                var depth = random.Next(4) switch { 0 => 100_000, 1 => random.Next(60, 70), _ => random.Next(1, 200) };
                var nested = random.Next(3) switch
                {
                    0 => new string('[', depth) + new string(']', depth),
                    1 => string.Concat(Enumerable.Repeat("{a: ", depth)) + "1" + new string('}', depth),
                    _ => new string('[', depth),
                };
                return ReplaceOne(ValuePattern(), text, () => " " + nested);
            }
            case Kind.SwapType:
                return ReplaceOne(ValuePattern(), text, () => " " + Pick(Scalars));
            case Kind.Unicode:
            {
                var at = random.Next(text.Length + 1);
                return text[..at] + Pick(Unicode) + text[at..];
            }
            case Kind.LongString:
            {
                var s = new string((char)('a' + random.Next(26)), random.Next(2) == 0 ? 100_000 : 1_000);
                return random.Next(2) == 0 ? ReplaceOne(ValuePattern(), text, () => " " + s) : ReplaceOne(KeyPattern(), text, () => s + ":");
            }
            case Kind.Alias:
            {
                var patterns = new[]
                {
                    " &a [*a]", " &b { x: *b }", " *undefined", " &c [1]\n? *c\n: 1",
                    " &l0 [1,1,1,1,1,1,1,1,1,1]\nl1: &l1 [*l0,*l0,*l0,*l0,*l0,*l0,*l0,*l0,*l0,*l0]\nl2: &l2 [*l1,*l1,*l1,*l1,*l1,*l1,*l1,*l1,*l1,*l1]\nl3: [*l2,*l2,*l2,*l2,*l2,*l2,*l2,*l2,*l2,*l2]",
                    " &s 5",
                };
                return ReplaceOne(ValuePattern(), text, () => Pick(patterns));
            }
            case Kind.RenameKey:
                return ReplaceOne(KeyPattern(), text, () => Pick(Keys) + ":");
            case Kind.FlipChar when text.Length > 0:
            {
                var sb = new StringBuilder(text);
                var at = random.Next(sb.Length);
                sb[at] = "{}[]:,-&*!|>'\"#% \n0123456789."[random.Next(29)];
                return sb.ToString();
            }
            case Kind.DuplicateBlock when lines.Count > 2:
            {
                var start = random.Next(lines.Count);
                var length = Math.Min(lines.Count - start, random.Next(1, 12));
                var block = lines.GetRange(start, length);
                var times = random.Next(1, 4);
                for (var t = 0; t < times; t++) lines.InsertRange(start, block);
                return string.Join('\n', lines);
            }
            default:
                return text;
        }
    }

    private string Pick(string[] items) => items[random.Next(items.Length)];

    /// <summary>A number from 1e-13 to 1e14 with up to 6 significant digits, or 0.</summary>
    private string Plausible()
    {
        if (random.Next(10) == 0) return "0";
        var mantissa = random.Next(1, 1_000_000);
        var exponent = random.Next(-18, 10);
        return (mantissa * (decimal)Math.Pow(10, exponent)).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    private static string Unit(string number) =>
        number.EndsWith('%') ? "%" : number.EndsWith("bp", StringComparison.Ordinal) ? "bp" : number.EndsWith("pp", StringComparison.Ordinal) ? "pp" : "";

    private string ReplaceOne(Regex pattern, string text, Func<string> replacement) => ReplaceOne(pattern, text, _ => replacement());

    private string ReplaceOne(Regex pattern, string text, Func<string, string> replacement)
    {
        var matches = pattern.Matches(text);
        if (matches.Count == 0) return text;
        var m = matches[random.Next(matches.Count)];
        return text[..m.Index] + replacement(m.Value) + text[(m.Index + m.Length)..];
    }

    // A number in a value position, optionally with a unit.
    [GeneratedRegex(@"(?<=[:\[,{]\s*""?)-?\d+(\.\d+)?([eE][-+]?\d+)?(%|bp|pp)?(?=""?\s*([,}\]\n#]|$))", RegexOptions.Multiline)]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"\d{4}-\d{2}-\d{2}")]
    private static partial Regex DatePattern();

    // What follows "key:" up to the end of the line or the next separator of a flow collection.
    [GeneratedRegex(@"(?<=:)[ ][^,}\]\n]*", RegexOptions.Multiline)]
    private static partial Regex ValuePattern();

    [GeneratedRegex(@"[A-Za-z_""][A-Za-z0-9_""]*:(?=\s)")]
    private static partial Regex KeyPattern();
}
