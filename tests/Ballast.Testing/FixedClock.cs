namespace Ballast.Testing;

/// <summary>A clock that stays where the test puts it: 2025-10-01 12:00 UTC unless told otherwise.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public static readonly DateTimeOffset Default = new(2025, 10, 1, 12, 0, 0, TimeSpan.Zero);

    public FixedClock() : this(Default) { }

    public override DateTimeOffset GetUtcNow() => now;
}
