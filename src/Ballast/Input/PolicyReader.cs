using Ballast.Policies;
using Ballast.Policies.Triggers;
using YamlDotNet.RepresentationModel;

namespace Ballast.Input;

/// <summary>
/// Reads the <c>policy:</c> vocabulary, shared by portfolio files, stored models, backtest experiments and the
/// command line's policy flags: <c>look</c>, <c>maxIntervalDays</c>, <c>trigger</c>, <c>absolute</c>, <c>relative</c>,
/// <c>bands</c>, <c>rebalanceTo</c>, <c>rail</c>, <c>volatility</c>, <c>performance</c>, <c>cashBand</c>.
/// </summary>
/// <remarks>
/// Every source goes through the same ranges (<see cref="Limits"/>) and builds the policy with the engine's
/// validating constructors, whose defaults (the 5/25 band of a threshold trigger, the 10% rail, the 21-period
/// volatility window) live in the engine alone. The rules that depend on the targets (rails inside bands, bands and
/// performance groups that name targets, a level for a volatility trigger) are checked by
/// <see cref="PortfolioValidator.ValidatePolicy"/>, which every source calls next.
/// </remarks>
public static class PolicyReader
{
    public static readonly string[] Fields = ["look", "maxIntervalDays", "trigger", "absolute", "relative", "bands", "rebalanceTo", "rail", "volatility", "performance", "cashBand"];

    public const string LookWords = "daily, weekly, biweekly, monthly, quarterly, semiannual, annual, or 'every N days'";
    public static string TriggerWords => TriggerRule.Words + " (calendar means always)";
    public const string RebalanceToWords = "target, inner-rail";

    /// <summary>Reads a policy written on its own (the text of a <c>policy:</c> block, as models store it).</summary>
    public static ReadResult<Policy> ReadText(string source, string text)
    {
        var problems = new List<InputProblem>();
        if (string.IsNullOrWhiteSpace(text)) return new ReadResult<Policy>(Policy.Default, problems);
        var doc = Document.Parse(source, text, problems);
        if (doc is null || doc.Mapping(doc.Root, "policy") is not { } map) return new ReadResult<Policy>(null, problems);
        var policy = Read(doc, map, "policy");
        return new ReadResult<Policy>(problems.Count == 0 ? policy : null, problems);
    }

    /// <summary>Reads a policy mapping; missing parts take the engine's defaults (<see cref="Policy.Default"/>).</summary>
    public static Policy Read(Document doc, YamlMappingNode map, string path)
    {
        doc.CheckFields(map, path, Fields);
        var look = LookSchedule.Daily;
        var lookNode = Document.Get(map, "look");
        if (lookNode is not null && doc.Scalar(lookNode, Document.Join(path, "look")) is { } lookText)
        {
            if (TryParseLook(lookText, out var l)) look = l;
            else doc.Error(lookNode, Document.Join(path, "look"), $"unknown look '{lookText}'; expected {LookWords}");
        }
        var maxInterval = doc.Integer(map, "maxIntervalDays", path, 1, LookSchedule.MaxIntervalLimit);
        look = look with { MaxIntervalDays = maxInterval };

        var absolute = doc.Fraction(map, "absolute", path, Limits.AbsoluteBand);
        var relative = doc.Fraction(map, "relative", path, Limits.RelativeBand);
        var kind = TriggerKind.Threshold;
        var triggerNode = Document.Get(map, "trigger");
        if (triggerNode is not null && doc.Scalar(triggerNode, Document.Join(path, "trigger")) is { } triggerText)
        {
            if (TryParseTrigger(triggerText, out var k)) kind = k;
            else doc.Error(triggerNode, Document.Join(path, "trigger"), $"unknown trigger '{triggerText}'; expected {TriggerWords}");
        }

        Dictionary<string, BandSpec>? overrides = null;
        if (Document.Get(map, "bands") is { } bandsNode && doc.Mapping(bandsNode, Document.Join(path, "bands")) is { } bands)
        {
            overrides = new Dictionary<string, BandSpec>(StringComparer.Ordinal);
            foreach (var (key, value) in bands.Children)
            {
                var ticker = ((key as YamlScalarNode)?.Value ?? "").Trim().ToUpperInvariant();
                var field = Document.Join(Document.Join(path, "bands"), ticker);
                if (doc.Mapping(value, field) is not { } band) continue;
                doc.CheckFields(band, field, "absolute", "relative");
                var spec = new BandSpec(doc.Fraction(band, "absolute", field, Limits.AbsoluteBand), doc.Fraction(band, "relative", field, Limits.RelativeBand));
                if (spec.IsEmpty) doc.Error(value, field, "a band override needs absolute or relative");
                if (!overrides.TryAdd(ticker, spec)) doc.Error(key, field, "appears twice");
            }
        }

        var to = RebalanceTarget.Target;
        var toNode = Document.Get(map, "rebalanceTo");
        if (toNode is not null && doc.Scalar(toNode, Document.Join(path, "rebalanceTo")) is { } toText)
        {
            if (TryParseRebalanceTo(toText, out var t)) to = t;
            else doc.Error(toNode, Document.Join(path, "rebalanceTo"), $"unknown rebalance-to rule '{toText}'; expected {RebalanceToWords}");
        }
        var rail = doc.Fraction(map, "rail", path, Limits.Rail) ?? Policy.DefaultRail;
        var cashBand = doc.Fraction(map, "cashBand", path, Limits.CashBand) ?? 0m;
        var volatility = ReadVolatility(doc, map, path);
        var performance = ReadPerformance(doc, map, path);
        var trigger = new Trigger(kind, new BandSpec(absolute, relative), overrides, volatility, performance);
        return new Policy(look, trigger, to, rail) { CashBand = cashBand };
    }

    private static VolatilityRule? ReadVolatility(Document doc, YamlMappingNode map, string path)
    {
        if (Document.Get(map, "volatility") is not { } volNode || doc.Mapping(volNode, Document.Join(path, "volatility")) is not { } vm) return null;
        var vpath = Document.Join(path, "volatility");
        doc.CheckFields(vm, vpath, "window", "level", "scaleBands", "reference");
        var scaling = BandScaling.None;
        if (Document.Get(vm, "scaleBands") is { } sb && doc.Scalar(sb, Document.Join(vpath, "scaleBands")) is { } sbText)
        {
            switch (sbText.Trim().ToLowerInvariant())
            {
                case "none": break;
                case "widen": scaling = BandScaling.Widen; break;
                case "tighten": scaling = BandScaling.Tighten; break;
                default: doc.Error(sb, Document.Join(vpath, "scaleBands"), $"unknown band scaling '{sbText}'; expected none, widen, tighten"); break;
            }
        }
        return new VolatilityRule(
            doc.Integer(vm, "window", vpath, 2, VolatilityRule.MaxWindow) ?? 21,
            doc.Fraction(vm, "level", vpath, Limits.VolatilityLevel),
            scaling,
            doc.Fraction(vm, "reference", vpath, Limits.VolatilityReference) ?? 0.15m);
    }

    private static PerformanceRule? ReadPerformance(Document doc, YamlMappingNode map, string path)
    {
        if (Document.Get(map, "performance") is not { } node || doc.Mapping(node, Document.Join(path, "performance")) is not { } pm) return null;
        var ppath = Document.Join(path, "performance");
        doc.CheckFields(pm, ppath, "leader", "laggard", "level");
        string? Group(string key) =>
            Document.Get(pm, key) is { } n && doc.Scalar(n, Document.Join(ppath, key)) is { } text && text.Trim().Length > 0 ? text.Trim() : null;
        var leader = Group("leader");
        var laggard = Group("laggard");
        var level = doc.Fraction(pm, "level", ppath, Limits.PerformanceLevel);
        if (leader is null) doc.Error(node, Document.Join(ppath, "leader"), "missing: the ticker or asset class whose return since the last rebalance is judged");
        if (level is null && Document.Get(pm, "level") is null) doc.Error(node, Document.Join(ppath, "level"), "missing: the return or spread beyond which to rebalance, e.g. 15%");
        if (leader is not null && laggard is not null && string.Equals(leader, laggard, StringComparison.OrdinalIgnoreCase))
        {
            doc.Error(Document.Get(pm, "laggard"), Document.Join(ppath, "laggard"), "a spread compares two different groups");
            return null;
        }
        return leader is not null && level is { } l ? new PerformanceRule(leader, laggard, l) : null;
    }

    /// <summary>Policy settings given on the command line, each already checked against the same range as its file field.</summary>
    public sealed record Overrides
    {
        public LookSchedule? Look { get; init; }
        public int? MaxIntervalDays { get; init; }
        public TriggerKind? Kind { get; init; }
        public decimal? Absolute { get; init; }
        public decimal? Relative { get; init; }
        public decimal? Rail { get; init; }
        public RebalanceTarget? RebalanceTo { get; init; }

        /// <summary>
        /// <paramref name="policy"/> with these settings in place. A band given here replaces the policy's whole default
        /// band (<c>--absolute 3%</c> is a 3 pp band, not the smaller of 3 pp and the file's relative band); the engine
        /// gives a threshold trigger without a band its default band, as it does for a file.
        /// </summary>
        public Policy ApplyTo(Policy policy)
        {
            var look = Look is { } l ? l with { MaxIntervalDays = policy.Look.MaxIntervalDays } : policy.Look;
            if (MaxIntervalDays is not null) look = look with { MaxIntervalDays = MaxIntervalDays };
            var trigger = policy.Trigger with { Kind = Kind ?? policy.Trigger.Kind };
            if (Absolute is not null || Relative is not null) trigger = trigger with { Band = new BandSpec(Absolute, Relative) };
            return policy with { Look = look, Trigger = trigger, RebalanceTo = RebalanceTo ?? policy.RebalanceTo, Rail = Rail ?? policy.Rail };
        }
    }

    /// <summary>
    /// Reads policy flags: <paramref name="flag"/> gives the text of a flag (<c>--look</c>, <c>--max-interval</c>,
    /// <c>--trigger</c>, <c>--absolute</c>, <c>--relative</c>, <c>--rail</c>, <c>--to</c>) or null when absent. Each
    /// value goes through the same words and ranges as its file field; problems name the flag.
    /// </summary>
    public static Overrides ReadOverrides(Func<string, string?> flag, List<InputProblem> problems)
    {
        LookSchedule? look = null;
        if (flag("--look") is { } lookText)
        {
            if (TryParseLook(lookText, out var l)) look = l;
            else problems.Add(new InputProblem($"unknown look '{lookText}'; expected {LookWords}", Field: "--look"));
        }
        int? maxInterval = null;
        if (flag("--max-interval") is { } maxText)
        {
            if (int.TryParse(maxText, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var m) && m is >= 1 and <= LookSchedule.MaxIntervalLimit) maxInterval = m;
            else problems.Add(new InputProblem($"'{maxText}' is not a whole number of days from 1 to {LookSchedule.MaxIntervalLimit:#,0}", Field: "--max-interval"));
        }
        TriggerKind? kind = null;
        if (flag("--trigger") is { } triggerText)
        {
            if (TryParseTrigger(triggerText, out var k)) kind = k;
            else problems.Add(new InputProblem($"unknown trigger '{triggerText}'; expected {TriggerWords}", Field: "--trigger"));
        }
        RebalanceTarget? to = null;
        if (flag("--to") is { } toText)
        {
            if (TryParseRebalanceTo(toText, out var t)) to = t;
            else problems.Add(new InputProblem($"unknown rebalance-to rule '{toText}'; expected {RebalanceToWords}", Field: "--to"));
        }
        decimal? Fraction(string name, NumberRange range)
        {
            if (flag(name) is not { } text) return null;
            if (!Values.TryParseFraction(text, out var v, out var error) || !range.Check(v, text, out error))
            {
                problems.Add(new InputProblem(error!, Field: name));
                return null;
            }
            return v;
        }
        return new Overrides
        {
            Look = look, MaxIntervalDays = maxInterval, Kind = kind, RebalanceTo = to,
            Absolute = Fraction("--absolute", Limits.AbsoluteBand),
            Relative = Fraction("--relative", Limits.RelativeBand),
            Rail = Fraction("--rail", Limits.Rail),
        };
    }

    public static bool TryParseLook(string text, out LookSchedule look)
    {
        var s = text.Trim().ToLowerInvariant();
        look = s switch
        {
            "daily" or "day" or "every day" => new LookSchedule(LookFrequency.Daily),
            "weekly" => new LookSchedule(LookFrequency.Weekly),
            "biweekly" or "fortnightly" => new LookSchedule(LookFrequency.Biweekly),
            "monthly" => new LookSchedule(LookFrequency.Monthly),
            "quarterly" => new LookSchedule(LookFrequency.Quarterly),
            "semiannual" or "semiannually" or "semi-annual" => new LookSchedule(LookFrequency.Semiannual),
            "annual" or "annually" or "yearly" => new LookSchedule(LookFrequency.Annual),
            _ => default,
        };
        if (s is "daily" or "day" or "every day" or "weekly" or "biweekly" or "fortnightly" or "monthly" or "quarterly"
            or "semiannual" or "semiannually" or "semi-annual" or "annual" or "annually" or "yearly") return true;
        // "every 14 days", "14d", "14 days"
        var digits = s.Replace("every", "", StringComparison.Ordinal).Replace("days", "", StringComparison.Ordinal)
            .Replace("day", "", StringComparison.Ordinal).TrimEnd('d').Trim();
        if (int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= LookSchedule.MaxEveryDays)
        {
            look = new LookSchedule(LookFrequency.EveryNDays, n);
            return true;
        }
        return false;
    }

    public static bool TryParseTrigger(string text, out TriggerKind kind) => TriggerRule.TryParse(text, out kind);

    public static bool TryParseRebalanceTo(string text, out RebalanceTarget to)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "target" or "full": to = RebalanceTarget.Target; return true;
            case "inner-rail" or "inner-rails" or "rail" or "rails": to = RebalanceTarget.InnerRail; return true;
            default: to = default; return false;
        }
    }

    public static bool TryParseMethod(string text, out CashFlowMethod method)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "proportional": method = CashFlowMethod.Proportional; return true;
            case "relative": method = CashFlowMethod.Relative; return true;
            case "equalize" or "equalise" or "minimax": method = CashFlowMethod.Equalize; return true;
            default: method = default; return false;
        }
    }
}
