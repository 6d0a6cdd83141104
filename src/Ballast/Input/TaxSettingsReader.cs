using Ballast.Tax;
using YamlDotNet.RepresentationModel;

namespace Ballast.Input;

/// <summary>
/// Reads the tax vocabulary shared by portfolio files and backtest experiments: a regime
/// (<c>{ kind: us, shortTermRate, longTermRate, dividendRate }</c> or <c>{ kind: kr }</c>), a lot-selection word
/// and a security's treatment. Problems go to the document with line, column and field.
/// </summary>
public static class TaxSettingsReader
{
    /// <summary>The fields of a regime mapping.</summary>
    public static readonly string[] RegimeFields = ["kind", "shortTermRate", "longTermRate", "dividendRate"];

    /// <summary>The regime of a file that names none: US, 37% short-term and 20% long-term.</summary>
    public static TaxRegime DefaultRegime => TaxRegime.Us(0.37m, 0.20m);

    /// <summary>
    /// Reads the regime mapping at <paramref name="node"/> (reported as <paramref name="field"/>). A <c>us</c> regime's
    /// rates default to 37% and 20%; <c>kr</c> has fixed rates. On a problem returns <see cref="DefaultRegime"/>.
    /// </summary>
    public static TaxRegime ReadRegime(Document doc, YamlNode node, string field)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(node);
        var fallback = DefaultRegime;
        if (doc.Mapping(node, field) is not { } m) return fallback;
        doc.CheckFields(m, field, RegimeFields);
        var kindField = Document.Join(field, "kind");
        var kindNode = Document.Get(m, "kind");
        var kind = kindNode is null ? null : doc.Scalar(kindNode, kindField)?.Trim().ToLowerInvariant();
        switch (kind)
        {
            case "us":
                var st = Rate(doc, m, field, "shortTermRate") ?? 0.37m;
                var lt = Rate(doc, m, field, "longTermRate") ?? 0.20m;
                var dv = Rate(doc, m, field, "dividendRate");
                return TaxRegime.Us(st, lt, dv);
            case "kr":
                foreach (var f in new[] { "shortTermRate", "longTermRate", "dividendRate" })
                    if (Document.Get(m, f) is { } n) doc.Error(n, Document.Join(field, f), "the kr regime has fixed rates; remove this field");
                return TaxRegime.Korea();
            case null:
                if (kindNode is null) doc.Error(m, kindField, "missing: give us or kr");
                return fallback;
            default:
                doc.Error(kindNode, kindField, $"unknown tax regime '{kind}'; expected us, kr");
                return fallback;
        }
    }

    /// <summary>The <c>lotSelection</c> word of <paramref name="map"/>, or null when it is absent or wrong (a problem is reported).</summary>
    public static LotSelectionMethod? ReadLotSelection(Document doc, YamlMappingNode map, string path)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(map);
        if (Document.Get(map, "lotSelection") is not { } node) return null;
        var field = Document.Join(path, "lotSelection");
        if (doc.Scalar(node, field) is not { } text) return null;
        if (LotSelectionMethods.TryParse(text, field, out var method, out var problem)) return method;
        doc.Error(node, field, problem!.Message);
        return null;
    }

    /// <summary>
    /// The treatment named by the scalar at <paramref name="node"/>: a treatment of <paramref name="regime"/> by its
    /// full name (<c>kr-domestic-equity</c>) or without the regime's prefix (<c>domestic-equity</c>); null with a
    /// problem that lists the regime's treatments otherwise.
    /// </summary>
    public static string? ReadTreatment(Document doc, TaxRegime regime, YamlNode node, string field)
    {
        ArgumentNullException.ThrowIfNull(doc);
        ArgumentNullException.ThrowIfNull(regime);
        ArgumentNullException.ThrowIfNull(node);
        if (doc.Scalar(node, field) is not { } text) return null;
        var name = text.Trim();
        var resolved = regime.FindTreatment(name)?.Name ?? regime.FindTreatment($"{regime.Name.ToLowerInvariant()}-{name}")?.Name;
        if (resolved is not null) return resolved;
        var shown = regime.Treatments.Select(t => t.Name[(regime.Name.Length + 1)..]);
        doc.Error(node, field, $"'{name}' is not a treatment of the {regime.Name} regime; use one of {string.Join(", ", shown)}");
        return null;
    }

    /// <summary>A tax rate from 0% to 100%; a bare 37 is almost always 37% written without its sign, and the message says so.</summary>
    private static decimal? Rate(Document doc, YamlMappingNode m, string path, string key) => doc.Fraction(m, key, path, Limits.Rate);
}
