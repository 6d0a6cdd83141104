namespace Ballast.Store.Data;

/// <summary>
/// Boxed 64-bit integers for the rows of bulk writes (<see cref="WriteScope.Insert"/> takes <c>object?[]</c> rows): the small values
/// that recur in every row (security ids, zero fees and amounts, an import's id) boxed once. A million-account positions import boxed
/// 5 GB of integers, a fifth of what it allocated, and what a batch holds until it is written lives through collections.
/// </summary>
internal static class Boxed
{
    private const int Smallest = -1, Count = 4097;

    private static readonly object[] Small = [.. Enumerable.Range(Smallest, Count).Select(v => (object)(long)v)];

    public static object Of(long value) => value >= Smallest && value < Smallest + Count ? Small[value - Smallest] : value;

    public static object? Of(long? value) => value is { } v ? Of(v) : null;
}
