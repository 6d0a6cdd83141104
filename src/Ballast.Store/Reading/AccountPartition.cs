using System.Globalization;

namespace Ballast.Store;

/// <summary>
/// One of <see cref="Count"/> parts of a tenant's accounts, by a stable hash of the account id's block (<see cref="BlockSize"/>
/// consecutive ids): the same account falls in the same part on every machine and in every process (the hash is fixed
/// arithmetic, never <c>string.GetHashCode</c>), and a part is made of runs of consecutive ids, so the store reads a batch
/// of its accounts' facts by a few id ranges rather than id by id. A window run over a cluster evaluates each part on its
/// own (<c>WindowRunner.RunPartition</c>).
/// </summary>
/// <param name="Index">Which part, 0 to <paramref name="Count"/> - 1.</param>
/// <param name="Count">How many parts, 1 to <see cref="MaxCount"/>.</param>
public sealed record AccountPartition(int Index, int Count)
{
    /// <summary>The most parts a window is split into.</summary>
    public const int MaxCount = 4096;

    /// <summary>
    /// Consecutive account ids that always fall in the same part: ids 0 to 127 in one, 128 to 255 in one, and so on. Large
    /// enough that a batch of a part's accounts is a few ranges of ids, small enough that the blocks of 100,000 accounts
    /// spread evenly over some tens of parts.
    /// </summary>
    public const long BlockSize = 128;

    private const long Modulus = 2147483648L, Multiplier = 1103515245L, Increment = 12345L, Shift = 65536L;

    /// <summary>
    /// The part an account id falls in: one step of a 31-bit linear congruential generator over the id's block
    /// (<c>id / </c><see cref="BlockSize"/>), its high bits modulo the count.
    /// </summary>
    public static int Of(long accountId, int count)
    {
        Check(0, count);
        var h = (Math.Abs(accountId / BlockSize % Modulus) * Multiplier + Increment) % Modulus;
        return (int)(h / Shift % count);
    }

    /// <summary>True when <paramref name="accountId"/> is in this part.</summary>
    public bool Contains(long accountId) => Of(accountId, Count) == Index;

    /// <summary>
    /// The same test in SQL over a non-negative id column (SQLite and PostgreSQL compute it alike in 64-bit integers, their
    /// integer division truncating as C#'s does: the product stays below 2^62). The numbers are this record's, checked, so
    /// they are written into the text.
    /// </summary>
    public string Sql(string idColumn)
    {
        Check(Index, Count);
        return string.Create(CultureInfo.InvariantCulture,
            $"((({idColumn} / {BlockSize} % {Modulus}) * {Multiplier} + {Increment}) % {Modulus}) / {Shift} % {Count} = {Index}");
    }

    private static void Check(int index, int count)
    {
        if (count is < 1 or > MaxCount) throw new ArgumentOutOfRangeException(nameof(count), count, $"a window is split into 1 to {MaxCount} partitions");
        if (index < 0 || index >= count) throw new ArgumentOutOfRangeException(nameof(index), index, $"a partition is 0 to {count - 1}");
    }

    public override string ToString() => $"partition {Index + 1} of {Count}";
}
