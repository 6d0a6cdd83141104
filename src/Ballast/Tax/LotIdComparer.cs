namespace Ballast.Tax;

/// <summary>
/// Orders lot ids the way a person reads them: runs of digits by their value, everything else by ordinal character,
/// so <c>lot-9</c> comes before <c>lot-10</c> and a store's transaction ids keep their numeric order. Ids that read the
/// same (<c>07</c> and <c>7</c>) fall back to ordinal order, so the order is total and deterministic.
/// </summary>
public sealed class LotIdComparer : IComparer<string>
{
    public static readonly LotIdComparer Instance = new();

    private LotIdComparer() { }

    public int Compare(string? x, string? y)
    {
        if (ReferenceEquals(x, y)) return 0;
        if (x is null) return -1;
        if (y is null) return 1;
        int i = 0, j = 0;
        while (i < x.Length && j < y.Length)
        {
            if (char.IsAsciiDigit(x[i]) && char.IsAsciiDigit(y[j]))
            {
                var si = i; var sj = j;
                while (si < x.Length && x[si] == '0') si++;
                while (sj < y.Length && y[sj] == '0') sj++;
                var ei = si; var ej = sj;
                while (ei < x.Length && char.IsAsciiDigit(x[ei])) ei++;
                while (ej < y.Length && char.IsAsciiDigit(y[ej])) ej++;
                // More significant digits is the larger number; the same count compares digit by digit.
                if (ei - si != ej - sj) return (ei - si).CompareTo(ej - sj);
                var c = string.CompareOrdinal(x, si, y, sj, ei - si);
                if (c != 0) return c;
                i = ei; j = ej;
                continue;
            }
            if (x[i] != y[j]) return x[i].CompareTo(y[j]);
            i++; j++;
        }
        var rest = (x.Length - i).CompareTo(y.Length - j);
        return rest != 0 ? rest : string.CompareOrdinal(x, y);
    }
}
