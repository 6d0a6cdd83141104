namespace Ballast.Tax;

/// <summary>
/// The household's declared groups of substantially identical tickers. A ticker is always identical to
/// itself; groups that share a ticker merge (identity is transitive). Tickers compare ordinally.
/// </summary>
public sealed class IdenticalTickers
{
    private readonly Dictionary<string, int> _groupOf = new(StringComparer.Ordinal);

    /// <summary>No groups: each ticker is identical only to itself.</summary>
    public static IdenticalTickers None { get; } = new([]);

    /// <summary>Builds the relation from groups of tickers (for example <c>[["VOO", "IVV", "SPLG"]]</c>).</summary>
    /// <exception cref="ArgumentException">A ticker is null or empty.</exception>
    public IdenticalTickers(IEnumerable<IEnumerable<string>> groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        var parent = new List<int>();
        int Find(int i)
        {
            while (parent[i] != i) i = parent[i] = parent[parent[i]];
            return i;
        }

        foreach (var group in groups)
        {
            ArgumentNullException.ThrowIfNull(group, nameof(groups));
            int? first = null;
            foreach (var ticker in group)
            {
                ArgumentException.ThrowIfNullOrWhiteSpace(ticker, nameof(groups));
                if (!_groupOf.TryGetValue(ticker, out var id))
                {
                    id = parent.Count;
                    parent.Add(id);
                    _groupOf[ticker] = id;
                }
                if (first is null) first = Find(id);
                else parent[Find(id)] = first.Value;
            }
        }
        foreach (var ticker in _groupOf.Keys.ToList()) _groupOf[ticker] = Find(_groupOf[ticker]);
    }

    /// <summary>True when <paramref name="a"/> and <paramref name="b"/> are the same ticker or in one group.</summary>
    public bool AreIdentical(string a, string b) =>
        string.Equals(a, b, StringComparison.Ordinal)
        || (_groupOf.TryGetValue(a, out var ga) && _groupOf.TryGetValue(b, out var gb) && ga == gb);
}
