using System.Globalization;
using Ballast.Input;
using Ballast.Store;

namespace Ballast.Operations;

/// <summary>Which window proposals wait for a person's approval before their orders join a block.</summary>
public enum ApprovalRule
{
    /// <summary>None: a window's proposals are approved by the firm's rule as they are saved.</summary>
    None,
    /// <summary>Every window proposal waits for approval.</summary>
    All,
    /// <summary>A proposal whose gross traded value exceeds an amount waits; smaller ones are approved as they are saved.</summary>
    Above,
}

/// <summary>The firm's approval setting: <c>none</c>, <c>all</c> or <c>above AMOUNT CURRENCY</c>.</summary>
/// <param name="Amount">The threshold of <see cref="ApprovalRule.Above"/> (a proposal worth more waits).</param>
/// <param name="Currency">The threshold's ISO 4217 currency.</param>
public sealed record ApprovalSetting(ApprovalRule Rule, decimal Amount = 0m, string Currency = "")
{
    public static ApprovalSetting None { get; } = new(ApprovalRule.None);

    /// <summary>The stored text: <c>none</c>, <c>all</c>, <c>above 50000 USD</c>.</summary>
    public override string ToString() => Rule switch
    {
        ApprovalRule.All => "all",
        ApprovalRule.Above => $"above {Amount.ToString(CultureInfo.InvariantCulture)} {Currency}",
        _ => "none",
    };

    /// <summary>In words for reasons: <c>above 50,000 USD</c>.</summary>
    public string Describe() => Rule == ApprovalRule.Above ? $"above {FirmSettings.Money(Amount)} {Currency}" : ToString();
}

/// <summary>
/// The firm's settings, stored as text in the store's <c>firm_settings</c> (every change audited) and read here, the one gate: the
/// approval rule of window proposals, what a block's unfilled rest does by default after a fills import, and whether block orders
/// net buys against sells (stored and shown; <see cref="Blocks.BlockOrders.Gather"/> does not net yet).
/// </summary>
/// <param name="Approval">Which window proposals wait for approval (default <c>none</c>).</param>
/// <param name="Unfilled">The default of <c>blocks fills import --unfilled</c> (default <c>carry</c>).</param>
/// <param name="Netting">Netting of block orders (default off).</param>
public sealed record FirmSettings(ApprovalSetting Approval, UnfilledRest Unfilled, bool Netting)
{
    /// <summary>The settings of a store where none is set.</summary>
    public static FirmSettings Default { get; } = new(ApprovalSetting.None, UnfilledRest.Carry, false);

    /// <summary>Reads the stored settings (a key never set keeps its default).</summary>
    /// <exception cref="InputException">A stored value no longer reads (written by hand into the database).</exception>
    public static FirmSettings Load(BallastStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        var result = Default;
        foreach (var s in store.FirmSettingTexts())
        {
            result = s.Key switch
            {
                "approval" => result with { Approval = ParseApproval(s.Value, "approval") },
                "unfilled" => result with { Unfilled = ParseUnfilled(s.Value, "unfilled") },
                "netting" => result with { Netting = ParseNetting(s.Value, "netting") },
                _ => result,
            };
        }
        return result;
    }

    /// <summary>
    /// Validates and stores the settings given (null leaves one as it is), all or none, in one audited write. Returns the settings now.
    /// </summary>
    /// <exception cref="InputException">A bad value, naming its flag (<c>--approval</c>, <c>--unfilled</c>, <c>--netting</c>); nothing is written.</exception>
    public static FirmSettings Set(BallastStore store, string? approval = null, string? unfilled = null, string? netting = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        var problems = new List<InputProblem>();
        var changes = new List<(string, string)>();
        void Try(string key, string? text, Func<string, string, string> parse)
        {
            if (text is null) return;
            try { changes.Add((key, parse(text, "--" + key))); }
            catch (InputException e) { problems.AddRange(e.Problems); }
        }
        Try("approval", approval, (t, f) => ParseApproval(t, f).ToString());
        Try("unfilled", unfilled, (t, f) => ParseUnfilled(t, f) == UnfilledRest.Cancel ? "cancel" : "carry");
        Try("netting", netting, (t, f) => ParseNetting(t, f) ? "on" : "off");
        if (problems.Count > 0) throw new InputException(problems);
        if (changes.Count == 0)
            throw new InputException(new InputProblem("give at least one of --approval, --unfilled, --netting", Field: "--approval"));
        store.SetFirmSettings(changes);
        return Load(store);
    }

    /// <summary>Reads <c>none</c>, <c>all</c> or <c>above AMOUNT CURRENCY</c> (<c>above 50000 USD</c>, <c>above 50,000 usd</c>).</summary>
    /// <exception cref="InputException">Anything else, naming <paramref name="field"/>.</exception>
    public static ApprovalSetting ParseApproval(string text, string field = "--approval")
    {
        ArgumentNullException.ThrowIfNull(text);
        var parts = text.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length == 1 && parts[0].Equals("none", StringComparison.OrdinalIgnoreCase)) return ApprovalSetting.None;
        if (parts.Length == 1 && parts[0].Equals("all", StringComparison.OrdinalIgnoreCase)) return new(ApprovalRule.All);
        if (parts.Length == 3 && parts[0].Equals("above", StringComparison.OrdinalIgnoreCase))
        {
            if (!decimal.TryParse(parts[1], NumberStyles.AllowDecimalPoint | NumberStyles.AllowThousands, CultureInfo.InvariantCulture, out var amount) || amount <= 0
                || !Scaled.TryToStored(amount, Scaled.MoneyScale, out _))
                throw new InputException(new InputProblem($"'{text}': the amount '{parts[1]}' must be a positive number with at most 4 decimals", Field: field));
            var currency = parts[2].ToUpperInvariant();
            if (currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
                throw new InputException(new InputProblem($"'{text}': '{parts[2]}' is not an ISO 4217 currency code (USD, EUR)", Field: field));
            return new(ApprovalRule.Above, Scaled.Normalize(amount), currency);
        }
        throw new InputException(new InputProblem($"'{text}': none, all, or above AMOUNT CURRENCY (above 50000 USD)", Field: field));
    }

    /// <summary>Reads <c>carry</c> or <c>cancel</c>.</summary>
    public static UnfilledRest ParseUnfilled(string text, string field = "--unfilled") => text?.Trim().ToLowerInvariant() switch
    {
        "carry" => UnfilledRest.Carry,
        "cancel" => UnfilledRest.Cancel,
        _ => throw new InputException(new InputProblem($"'{text}': carry or cancel", Field: field)),
    };

    /// <summary>Reads <c>on</c> or <c>off</c>.</summary>
    public static bool ParseNetting(string text, string field = "--netting") => text?.Trim().ToLowerInvariant() switch
    {
        "on" => true,
        "off" => false,
        _ => throw new InputException(new InputProblem($"'{text}': on or off", Field: field)),
    };

    /// <summary>
    /// Whether a window proposal of <paramref name="gross"/> (its orders' quantity × price, in <paramref name="currency"/>) is approved by
    /// the rule as it is saved: the approval event's note when it is, else null and the reason it waits (<c>awaiting approval (...)</c>).
    /// <paramref name="toThreshold"/> converts an amount to the threshold's currency with the stored FX rates, or returns null.
    /// </summary>
    public (string? Approved, string? Waiting) Decide(decimal? gross, string currency, Func<decimal, string, string, decimal?> toThreshold)
    {
        ArgumentNullException.ThrowIfNull(toThreshold);
        switch (Approval.Rule)
        {
            case ApprovalRule.None:
                return ("approval none", null);
            case ApprovalRule.All:
                return (null, "awaiting approval (all proposals)");
        }
        var rule = Approval.Describe();
        if (gross is not { } g) return (null, $"awaiting approval ({rule}): an order has no price to value it");
        if (toThreshold(g, currency, Approval.Currency) is not { } value)
            return (null, $"awaiting approval ({rule}): no {currency}/{Approval.Currency} rate to value {Money(g)} {currency}");
        return value > Approval.Amount
            ? (null, $"awaiting approval ({rule}): trades {Money(value)} {Approval.Currency}")
            : ($"approval {Approval}: trades {Money(value)} {Approval.Currency}", null);
    }

    internal static string Money(decimal amount) =>
        decimal.Round(amount, 2, MidpointRounding.AwayFromZero).ToString(amount == decimal.Truncate(amount) ? "#,0" : "#,0.00", CultureInfo.InvariantCulture);
}
