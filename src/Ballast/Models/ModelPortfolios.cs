using Ballast.Portfolios;

namespace Ballast.Models;

/// <summary>
/// Built-in model portfolios usable in place of <c>targets</c> with <c>model: NAME</c>. Weights are fractions.
/// </summary>
public static class ModelPortfolios
{
    private static readonly Dictionary<string, TargetWeight[]> Models = new(StringComparer.OrdinalIgnoreCase)
    {
        ["60-40"] = [new("VOO", 0.60m), new("BND", 0.40m)],
        ["conservative"] = [new("VOO", 0.20m), new("VEA", 0.10m), new("BND", 0.50m), new("SHY", 0.20m)],
        ["balanced"] = [new("VOO", 0.35m), new("VEA", 0.15m), new("BND", 0.40m), new("GLD", 0.10m)],
        ["aggressive"] = [new("VOO", 0.55m), new("VEA", 0.25m), new("VWO", 0.10m), new("BND", 0.10m)],
        ["all-weather"] = [new("VOO", 0.30m), new("TLT", 0.40m), new("IEF", 0.15m), new("GLD", 0.075m), new("DBC", 0.075m)],
    };

    private static readonly Dictionary<string, string> Aliases = new(StringComparer.OrdinalIgnoreCase)
    {
        ["60/40"] = "60-40", ["sixty-forty"] = "60-40", ["allweather"] = "all-weather", ["all weather"] = "all-weather",
    };

    /// <summary>Canonical model names.</summary>
    public static IReadOnlyCollection<string> Names => Models.Keys;

    public static bool TryGet(string name, out IReadOnlyList<TargetWeight> targets)
    {
        if (Aliases.TryGetValue(name, out var canonical)) name = canonical;
        if (Models.TryGetValue(name, out var t))
        {
            targets = t;
            return true;
        }
        targets = [];
        return false;
    }
}
