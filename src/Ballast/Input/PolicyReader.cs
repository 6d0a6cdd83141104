using Ballast.Policies;
using YamlDotNet.RepresentationModel;

namespace Ballast.Input;

/// <summary>
/// Reads the <c>policy:</c> vocabulary, shared by portfolio files and backtest experiments:
/// <c>look</c>, <c>maxIntervalDays</c>, <c>trigger</c>, <c>absolute</c>, <c>relative</c>, <c>bands</c>, <c>rebalanceTo</c>, <c>rail</c>.
/// </summary>
public static class PolicyReader
{
    public static readonly string[] Fields = ["look", "maxIntervalDays", "trigger", "absolute", "relative", "bands", "rebalanceTo", "rail", "volatility"];

    public const string LookWords = "daily, weekly, biweekly, monthly, quarterly, semiannual, annual, or 'every N days'";
    public const string TriggerWords = "never, always, calendar, threshold, volatility";
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

    /// <summary>Reads a policy mapping; missing parts take the defaults of <see cref="Policy.Default"/>.</summary>
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
        var maxInterval = doc.Integer(map, "maxIntervalDays", path, 1, 100_000);
        look = look with { MaxIntervalDays = maxInterval };

        var absolute = doc.Fraction(map, "absolute", path);
        var relative = doc.Fraction(map, "relative", path);
        var kind = TriggerKind.Threshold;
        var triggerNode = Document.Get(map, "trigger");
        if (triggerNode is not null && doc.Scalar(triggerNode, Document.Join(path, "trigger")) is { } triggerText)
        {
            if (TryParseTrigger(triggerText, out var k)) kind = k;
            else doc.Error(triggerNode, Document.Join(path, "trigger"), $"unknown trigger '{triggerText}'; expected {TriggerWords}");
        }
        if (kind == TriggerKind.Threshold && absolute is null && relative is null && Document.Get(map, "bands") is null)
        {
            absolute = Policy.Default.Trigger.Band.Absolute;
            relative = Policy.Default.Trigger.Band.Relative;
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
                var spec = new BandSpec(doc.Fraction(band, "absolute", field), doc.Fraction(band, "relative", field));
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
        var rail = doc.Fraction(map, "rail", path) ?? 0.10m;
        VolatilityRule? volatility = null;
        if (Document.Get(map, "volatility") is { } volNode && doc.Mapping(volNode, Document.Join(path, "volatility")) is { } vm)
        {
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
            volatility = new VolatilityRule(
                doc.Integer(vm, "window", vpath, 2, 10_000) ?? 21,
                doc.Fraction(vm, "level", vpath),
                scaling,
                doc.Fraction(vm, "reference", vpath) ?? 0.15m);
            if (volatility.Reference <= 0) doc.Error(vm, Document.Join(vpath, "reference"), "must be greater than zero");
        }
        if (kind == TriggerKind.Volatility && volatility?.Level is null)
            doc.Error(triggerNode ?? map, Document.Join(path, "volatility.level"), "a volatility trigger needs volatility: { level: ... }");
        return new Policy(look, new Trigger(kind, new BandSpec(absolute, relative), overrides, volatility), to, rail);
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
        if (int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 10_000)
        {
            look = new LookSchedule(LookFrequency.EveryNDays, n);
            return true;
        }
        return false;
    }

    public static bool TryParseTrigger(string text, out TriggerKind kind)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "never" or "none" or "buy-and-hold": kind = TriggerKind.Never; return true;
            case "always" or "calendar": kind = TriggerKind.Always; return true;
            case "threshold" or "band" or "bands": kind = TriggerKind.Threshold; return true;
            case "volatility": kind = TriggerKind.Volatility; return true;
            default: kind = default; return false;
        }
    }

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
