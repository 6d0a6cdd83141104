using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Ballast.Input;

namespace Ballast.Cli;

/// <summary>
/// Building blocks for flags with ranges: a bad value is a usage error naming the flag (exit 2), found when the
/// command line is parsed, before anything runs.
/// </summary>
internal static class Flags
{
    /// <summary><c>--json</c>: one JSON document instead of tables.</summary>
    public static Option<bool> Json() => new("--json") { Description = "Print one JSON document instead of tables" };

    /// <summary>An optional whole-number flag that must lie in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static Option<int?> Int(string name, string description, int min, int max) =>
        new(name) { Description = description, CustomParser = r => ParseWhole(r, name, min, max) is { } v ? (int)v : null };

    /// <summary>A whole-number flag with a default, which must lie in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static Option<int> Int(string name, string description, int min, int max, int defaultValue) =>
        new(name)
        {
            Description = description,
            DefaultValueFactory = _ => defaultValue,
            CustomParser = r => ParseWhole(r, name, min, max) is { } v ? (int)v : defaultValue,
        };

    /// <summary>A whole-number argument (such as an id) that must lie in <paramref name="min"/>..<paramref name="max"/>.</summary>
    public static Argument<long> Long(string name, string description, long min, long max) =>
        new(name) { Description = description, CustomParser = r => ParseWhole(r, name, min, max) ?? 0 };

    /// <summary>An amount argument: a number up to <see cref="Values.MaxAmount"/>, greater than zero.</summary>
    public static Argument<decimal> PositiveAmount(string name, string description) =>
        new(name)
        {
            Description = description,
            CustomParser = r =>
            {
                var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
                if (!TryAmount(text, out var v, out var error)) r.AddError($"{name}: {error}");
                else if (v <= 0) r.AddError($"{name}: must be greater than zero (got {text})");
                else return v;
                return 0;
            },
        };

    private static long? ParseWhole(ArgumentResult r, string name, long min, long max)
    {
        var text = r.Tokens.Count == 1 ? r.Tokens[0].Value : "";
        string N(long n) => n.ToString("#,0", CultureInfo.InvariantCulture);
        if (!long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var v))
            r.AddError($"{name}: '{text}' is not a whole number from {N(min)} to {N(max)}");
        else if (v < min)
            r.AddError(min == 0 ? $"{name} must not be negative (got {text})" : $"{name} must be at least {N(min)} (got {text})");
        else if (v > max)
            r.AddError($"{name} must be at most {N(max)} (got {text})");
        else
            return v;
        return null;
    }

    /// <summary>
    /// Parses an amount as the portfolio file does (up to <see cref="Values.MaxAmount"/>). <c>-0</c> is zero: decimal
    /// keeps the sign of a negative zero, and the engine's argument checks take it for a negative number.
    /// </summary>
    public static bool TryAmount(string text, out decimal value, out string? error)
    {
        if (!Values.TryParseAmount(text, out value, out error)) return false;
        if (value == 0m) value = 0m;
        return true;
    }

    /// <summary>An amount flag: null when absent; a problem naming the flag when not a number, too large or negative.</summary>
    public static decimal? Amount(ParseResult parse, Option<string?> option, List<InputProblem> problems)
    {
        if (parse.GetValue(option) is not { } text) return null;
        if (!TryAmount(text, out var v, out var error)) { problems.Add(new InputProblem(error!, Field: option.Name)); return null; }
        if (v < 0) { problems.Add(new InputProblem($"must not be negative (got {text})", Field: option.Name)); return null; }
        return v;
    }

    /// <summary>A fraction flag (5%, 500bp, 0.05) from 0 to <paramref name="max"/>: null when absent, else a problem naming the flag.</summary>
    public static decimal? Fraction(ParseResult parse, Option<string?> option, List<InputProblem> problems, decimal max)
    {
        if (parse.GetValue(option) is not { } text) return null;
        if (!Values.TryParseFraction(text, out var v, out var error)) { problems.Add(new InputProblem(error!, Field: option.Name)); return null; }
        if (v < 0 || v > max)
        {
            problems.Add(new InputProblem($"must be from 0% to {max * 100:0.##}% (got {text})", Field: option.Name));
            return null;
        }
        return v == 0m ? 0m : v;
    }

    /// <summary>
    /// The value of <paramref name="option"/> for a validator, or the default when its text could not be converted
    /// (that is reported as a parse error of its own; reading it would throw).
    /// </summary>
    public static T? Value<T>(CommandResult result, Option<T> option)
    {
        if (result.GetResult(option) is { } r && !r.Implicit && HasErrors(r)) return default;
        try
        {
            return result.GetValue(option);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    /// <summary>As <see cref="Value{T}(CommandResult, Option{T})"/> for an argument.</summary>
    public static T? Value<T>(CommandResult result, Argument<T> argument)
    {
        try
        {
            return result.GetValue(argument);
        }
        catch (InvalidOperationException)
        {
            return default;
        }
    }

    /// <summary>True when the option appears on the command line (not only through its default).</summary>
    public static bool Given(CommandResult result, Option option) => result.GetResult(option) is { Implicit: false };

    private static bool HasErrors(OptionResult r) => r.Errors.Any();

    /// <summary>
    /// Checks before a run that <paramref name="path"/> can be written: its folder exists, it is not a folder, and it
    /// can be opened for writing. Nothing is left behind: an existing file is not changed, a new one is removed.
    /// </summary>
    public static InputProblem? CheckWritable(string path, string shown, string flag)
    {
        if (string.IsNullOrWhiteSpace(shown)) return new InputProblem("the path is empty; give a file name", Field: flag);
        try
        {
            if (Directory.Exists(path)) return new InputProblem($"{shown} is a folder; give a file name", Field: flag);
            var folder = Path.GetDirectoryName(path);
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
                return new InputProblem($"cannot write {shown}: the folder {(string.IsNullOrEmpty(folder) ? shown : folder)} does not exist", Field: flag);
            if (File.Exists(path))
            {
                using (new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite)) { }
            }
            else
            {
                using (new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.DeleteOnClose)) { }
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException or System.Security.SecurityException)
        {
            return new InputProblem($"cannot write {shown}: {OneLine(e.Message)}", Field: flag);
        }
    }

    /// <summary>
    /// Writes an output file named on the command line; a failure the check before the run could not foresee (a full
    /// disk, a special file) is an input problem naming the path, not an internal error.
    /// </summary>
    public static void WriteOutput(string path, string shown, string flag, Action<string> write)
    {
        try
        {
            write(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputException(new InputProblem($"cannot write {shown}: {OneLine(e.Message)}", Field: flag));
        }
    }

    /// <summary>A message on one line.</summary>
    public static string OneLine(string message) =>
        string.Join(' ', message.Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
}
