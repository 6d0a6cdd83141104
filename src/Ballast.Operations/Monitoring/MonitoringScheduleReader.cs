using Ballast.Input;
using YamlDotNet.RepresentationModel;

namespace Ballast.Operations.Monitoring;

/// <summary>
/// Reads a monitoring schedule (YAML or JSON). Every field is optional; a firm's schedule starts from one tier that
/// looks at every window with no pause, no cooldown and no minimums, and a model's or an account's file overrides
/// only the fields it names. Problems carry the file, line, column and field.
/// </summary>
/// <example>
/// <code>
/// name: robo
/// currency: USD
/// tiers:
///   - { from: 25000, look: every window }
///   - { from: 0, look: semiannual }
/// pauseAfterRebalance: 6 months
/// cooldown: 1 day
/// minimumAccountValue: 500
/// minimumOrderValue: 10
/// </code>
/// </example>
public static class MonitoringScheduleReader
{
    /// <summary>The fields of a schedule.</summary>
    public static readonly string[] Fields = ["name", "currency", "tiers", "pauseAfterRebalance", "cooldown", "minimumAccountValue", "minimumOrderValue"];

    /// <summary>The fields of a tier.</summary>
    public static readonly string[] TierFields = ["from", "look", "pauseAfterRebalance"];

    /// <summary>At most this many tiers.</summary>
    public const int MaxTiers = 100;

    /// <summary>A firm's schedule: the file's fields over the plain schedule.</summary>
    public static MonitoringSchedule ReadSchedule(string file, string text)
    {
        var o = ReadOverride(file, text);
        return new MonitoringSchedule().With(o);
    }

    /// <summary>The fields a file sets, for a model's or an account's override.</summary>
    /// <exception cref="InputException">The file is not a valid schedule; every problem is listed.</exception>
    public static MonitoringOverride ReadOverride(string file, string text)
    {
        var problems = new List<InputProblem>();
        var doc = Document.Parse(file, text, problems);
        if (doc is null) throw new InputException(problems);
        var result = Read(doc, doc.Root, "");
        if (problems.Count > 0 || result is null) throw new InputException(problems.Count > 0 ? problems : [new InputProblem("not a schedule", file)]);
        return result;
    }

    /// <summary>Reads the schedule mapping at <paramref name="node"/> (reported under <paramref name="path"/>); problems go to the document.</summary>
    public static MonitoringOverride? Read(Document doc, YamlNode node, string path)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(node);
        if (doc.Mapping(node, path.Length == 0 ? "schedule" : path) is not { } map) return null;
        doc.CheckFields(map, path, Fields);
        string? currency = null;
        if (Document.Get(map, "currency") is { } currencyNode && doc.Scalar(currencyNode, Document.Join(path, "currency")) is { } c)
        {
            var code = c.Trim().ToUpperInvariant();
            if (code.Length == 3 && code.All(char.IsAsciiLetterUpper)) currency = code;
            else doc.Error(currencyNode, Document.Join(path, "currency"), $"'{c}' is not a three-letter ISO 4217 code");
        }
        var tiers = Document.Get(map, "tiers") is { } tiersNode ? ReadTiers(doc, tiersNode, Document.Join(path, "tiers")) : null;
        return new MonitoringOverride
        {
            Name = doc.String(map, "name", path)?.Trim() is { Length: > 0 } name ? name : null,
            Currency = currency,
            Tiers = tiers,
            PauseAfterRebalance = ReadPeriod(doc, map, "pauseAfterRebalance", path),
            Cooldown = ReadPeriod(doc, map, "cooldown", path),
            MinimumAccountValue = doc.Amount(map, "minimumAccountValue", path),
            MinimumOrderValue = doc.Amount(map, "minimumOrderValue", path),
        };
    }

    private static List<MonitoringTier>? ReadTiers(Document doc, YamlNode node, string field)
    {
        if (doc.Sequence(node, field) is not { } list) return null;
        if (list.Children.Count == 0)
        {
            doc.Error(list, field, "a schedule needs at least one tier");
            return null;
        }
        if (!doc.WithinCount(list, field, "tiers", list.Children.Count, MaxTiers)) return null;
        var tiers = new List<MonitoringTier>();
        var seen = new Dictionary<decimal, int>();
        var ok = true;
        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"{field}[{i}]";
            if (doc.Mapping(list.Children[i], path) is not { } m) { ok = false; continue; }
            doc.CheckFields(m, path, TierFields);
            var fromNode = Document.Get(m, "from");
            var from = doc.Amount(m, "from", path);
            if (fromNode is null) { doc.Error(m, Document.Join(path, "from"), "missing: the smallest account value in the tier (0 for the last)"); ok = false; }
            else if (from is null) ok = false;
            else if (seen.TryGetValue(from.Value, out var other)) { doc.Error(fromNode, Document.Join(path, "from"), $"tier {other} starts at the same value"); ok = false; }
            else seen[from.Value] = i;
            TierLook look = TierLook.EveryWindow;
            if (Document.Get(m, "look") is not { } lookNode) { doc.Error(m, Document.Join(path, "look"), "missing: every window, or a look such as monthly, quarterly, semiannual, every 30 days"); ok = false; }
            else if (doc.Scalar(lookNode, Document.Join(path, "look")) is { } text)
            {
                if (TryParseLook(text, out var l)) look = l;
                else { doc.Error(lookNode, Document.Join(path, "look"), $"unknown look '{text}'; expected every window, daily, weekly, biweekly, monthly, quarterly, semiannual, annual or every N days"); ok = false; }
            }
            var pause = ReadPeriod(doc, m, "pauseAfterRebalance", path);
            if (from is { } f) tiers.Add(new MonitoringTier(f, look, pause));
        }
        if (ok && !seen.ContainsKey(0m))
        {
            doc.Error(list, field, "no tier starts at 0: give the smallest accounts a tier with from: 0");
            ok = false;
        }
        return ok ? tiers : null;
    }

    /// <summary><c>every window</c> (or <c>window</c>, <c>each window</c>), else a look the policy file knows.</summary>
    public static bool TryParseLook(string text, out TierLook look)
    {
        var s = text.Trim().ToLowerInvariant();
        if (s is "every window" or "each window" or "window" or "every trading window")
        {
            look = TierLook.EveryWindow;
            return true;
        }
        if (PolicyReader.TryParseLook(s, out var schedule))
        {
            look = TierLook.On(schedule);
            return true;
        }
        look = default;
        return false;
    }

    private static Period? ReadPeriod(Document doc, YamlMappingNode map, string key, string path)
    {
        if (Document.Get(map, key) is not { } node) return null;
        var field = Document.Join(path, key);
        if (doc.Scalar(node, field) is not { } text) return null;
        if (Period.TryParse(text, out var p, out var error)) return p;
        doc.Error(node, field, error!);
        return null;
    }
}
