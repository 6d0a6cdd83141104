using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Ballast.Input;

namespace Ballast.Cli.Store;

/// <summary>
/// The flags that set stored execution settings (<c>model set</c>, <c>accounts set</c>): an <c>--execution-file</c> holding a
/// portfolio file's <c>execution:</c> block, and one flag per field with the plan flags' names. They build the block's text;
/// whether it is valid is the engine reader's call, made by the store when it writes.
/// </summary>
internal sealed class ExecutionSettings
{
    public Option<string?> File { get; } = new("--execution-file") { Description = "File holding a portfolio file's execution: block (replaces the stored settings)" };
    public Option<string?> WholeShares { get; } = new("--whole-shares") { Description = "Trade whole shares only: on or off" };
    public Option<string?> MinTrade { get; } = new("--min-trade") { Description = "Drop trades worth less than this (account currency)" };
    public Option<string?> Reserve { get; } = new("--reserve") { Description = "Cash to keep uninvested (account currency)" };
    public Option<string?> Commission { get; } = new("--commission") { Description = "Fixed commission per trade (account currency)" };
    public Option<string?> CommissionBps { get; } = new("--commission-bps") { Description = "Commission in basis points of the trade value" };
    public Option<string?> HalfSpreadBps { get; } = new("--half-spread-bps") { Description = "Half the bid-ask spread, in basis points" };
    public Option<string?> Method { get; } = new("--method") { Description = "Method for buy-only and sell-only plans: proportional, relative, equalize" };
    public Option<string?> MoneyDecimals { get; } = new("--money-decimals") { Description = "Decimal places of money amounts in plans (0 to 8)" };
    public Option<string?> QuantityDecimals { get; } = new("--quantity-decimals") { Description = "Decimal places of fractional share quantities (0 to 12)" };

    /// <summary>Each field flag with the execution block field it sets.</summary>
    private IEnumerable<(Option<string?> Flag, string Field)> Fields =>
    [
        (WholeShares, "wholeShares"), (MinTrade, "minTrade"), (Reserve, "cashReserve"), (Commission, "commission"), (CommissionBps, "commissionBps"),
        (HalfSpreadBps, "halfSpreadBps"), (Method, "method"), (MoneyDecimals, "moneyDecimals"), (QuantityDecimals, "quantityDecimals"),
    ];

    public void AddTo(Command command)
    {
        command.Options.Add(File);
        foreach (var (flag, _) in Fields) command.Options.Add(flag);
    }

    /// <summary>True when any execution flag or the file is given.</summary>
    public bool Given(ParseResult parse) => parse.GetValue(File) is not null || Fields.Any(f => parse.GetValue(f.Flag) is not null);

    /// <summary>
    /// The settings' text: <paramref name="current"/> (or the file's text, which replaces it) with the given flags' fields set.
    /// </summary>
    public string? Build(ParseResult parse, CliContext ctx, string? current)
    {
        var text = current;
        if (parse.GetValue(File) is { } path)
        {
            var problems = new List<InputProblem>();
            text = Document.ReadFile(ctx.ResolvePath(path), path, problems) ?? throw new InputException(problems);
            // The file's own problems are reported against the file, with its lines.
            PortfolioReader.ReadExecutionText(path, text).GetOrThrow();
        }
        var given = Fields.Where(f => parse.GetValue(f.Flag) is not null).ToList();
        if (given.Count == 0) return string.IsNullOrWhiteSpace(text) ? null : text;
        var fields = PortfolioReader.ExecutionTextFields(text)?.ToList()
            ?? throw new InputException(new InputProblem("the stored execution settings are not a mapping of fields; replace them with --execution-file", Field: File.Name));
        foreach (var (flag, field) in given)
        {
            var value = parse.GetValue(flag)!.Trim();
            var i = fields.FindIndex(f => f.Key == field);
            if (i >= 0) fields[i] = new(field, value);
            else fields.Add(new(field, value));
        }
        var built = PortfolioReader.ExecutionText(fields);
        // A flag's bad value is named by the flag, not by the line of text built from it.
        var read = PortfolioReader.ReadExecutionText("execution settings", built);
        if (!read.Ok)
        {
            var byField = Fields.ToDictionary(f => "execution." + f.Field, f => f.Flag.Name, StringComparer.Ordinal);
            throw new InputException(read.Problems.Select(p => p.Field is { } f && byField.TryGetValue(f, out var flag) && given.Any(g => g.Flag.Name == flag)
                ? new InputProblem(p.Message, Field: flag)
                : p).ToList());
        }
        return built;
    }

    /// <summary>Writes stored settings as a JSON object: true/false as booleans, numbers as numbers, other values as strings.</summary>
    public static void WriteJson(Utf8JsonWriter w, string name, string? text)
    {
        if (text is null) return;
        w.WriteStartObject(name);
        foreach (var (key, value) in PortfolioReader.ExecutionTextFields(text) ?? [])
        {
            if (value.ToLowerInvariant() is "true" or "yes" or "on") w.WriteBoolean(key, true);
            else if (value.ToLowerInvariant() is "false" or "no" or "off") w.WriteBoolean(key, false);
            else if (decimal.TryParse(value, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d)) w.WriteNumber(key, d);
            else w.WriteString(key, value);
        }
        w.WriteEndObject();
    }

    /// <summary>One line for tables: <c>wholeShares=true, minTrade=100</c>; empty for none.</summary>
    public static string Short(string? text) =>
        string.Join(", ", (PortfolioReader.ExecutionTextFields(text) ?? []).Select(f => $"{f.Key}={f.Value}"));
}
