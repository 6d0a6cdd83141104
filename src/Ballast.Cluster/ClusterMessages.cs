using Ballast.Operations.Windows;

namespace Ballast.Cluster;

/// <summary>A trading calendar as it travels between silos: every field of <see cref="TradingCalendar"/>, so each silo computes the same windows and settlement dates.</summary>
[GenerateSerializer, Immutable]
public sealed class CalendarSpec
{
    [Id(0)] public required string TimeZoneId { get; init; }
    /// <summary>Each window as (day of week, local time in ticks).</summary>
    [Id(1)] public required (int Day, long At)[] Windows { get; init; }
    [Id(2)] public long CutOffTicks { get; init; }
    /// <summary>Holidays as <see cref="DateOnly.DayNumber"/>.</summary>
    [Id(3)] public int[] Holidays { get; init; } = [];
    [Id(4)] public int SettlementDays { get; init; } = 1;

    public static CalendarSpec Of(TradingCalendar calendar)
    {
        ArgumentNullException.ThrowIfNull(calendar);
        return new()
        {
            TimeZoneId = calendar.TimeZoneId,
            Windows = [.. calendar.Windows.Select(w => ((int)w.Day, w.At.Ticks))],
            CutOffTicks = calendar.CutOffBefore.Ticks,
            Holidays = [.. calendar.Holidays.Select(d => d.DayNumber).Order()],
            SettlementDays = calendar.SettlementDays,
        };
    }

    public TradingCalendar ToCalendar() => new(TimeZoneId, Windows.Select(w => new WindowTime((DayOfWeek)w.Day, new TimeOnly(w.At))),
        TimeSpan.FromTicks(CutOffTicks), Holidays.Select(DateOnly.FromDayNumber), SettlementDays);
}

/// <summary>A trading window as it travels between silos (<see cref="TradingWindow"/>).</summary>
[GenerateSerializer, Immutable]
public sealed class WindowSpec
{
    [Id(0)] public int Date { get; init; }
    [Id(1)] public long LocalTime { get; init; }
    [Id(2)] public long StartUtcTicks { get; init; }
    [Id(3)] public long CutOffUtcTicks { get; init; }

    public static WindowSpec Of(TradingWindow window) => new()
    {
        Date = window.Date.DayNumber,
        LocalTime = window.LocalTime.Ticks,
        StartUtcTicks = window.Start.UtcTicks,
        CutOffUtcTicks = window.CutOff.UtcTicks,
    };

    public TradingWindow ToWindow() => new(DateOnly.FromDayNumber(Date), new TimeOnly(LocalTime),
        new DateTimeOffset(StartUtcTicks, TimeSpan.Zero), new DateTimeOffset(CutOffUtcTicks, TimeSpan.Zero));
}

/// <summary>What the coordinator of a window is asked to run.</summary>
[GenerateSerializer, Immutable]
public sealed class ClusterWindowRequest
{
    /// <summary>The tenant (firm) whose accounts the window runs over.</summary>
    [Id(0)] public string Tenant { get; init; } = Ballast.Store.BallastStore.DefaultTenantName;
    [Id(1)] public required CalendarSpec Calendar { get; init; }
    [Id(2)] public required WindowSpec Window { get; init; }
    /// <summary>How many partitions the accounts are split into (<see cref="Ballast.Store.AccountPartition"/>).</summary>
    [Id(3)] public int Partitions { get; init; } = WindowCoordinator.DefaultPartitions;
    /// <summary>The engine version recorded on the proposals.</summary>
    [Id(4)] public required string EngineVersion { get; init; }
    /// <summary>Accounts per batch within a partition (<see cref="WindowRunner.BatchSize"/>).</summary>
    [Id(5)] public int BatchSize { get; init; } = 2000;

    /// <summary>The coordinator's key: one coordinator per tenant and window.</summary>
    public string Key => Tenant + "/" + WindowSpecId;

    private string WindowSpecId => Window.ToWindow().Id;

    /// <summary>A request for <paramref name="window"/> of <paramref name="calendar"/>.</summary>
    public static ClusterWindowRequest For(TradingCalendar calendar, TradingWindow window, int partitions, string engineVersion, string? tenant = null) => new()
    {
        Tenant = tenant ?? Ballast.Store.BallastStore.DefaultTenantName,
        Calendar = CalendarSpec.Of(calendar),
        Window = WindowSpec.Of(window),
        Partitions = partitions,
        EngineVersion = engineVersion,
    };
}

/// <summary>One partition's share of a begun run.</summary>
[GenerateSerializer, Immutable]
public sealed class PartitionWork
{
    [Id(0)] public required ClusterWindowRequest Request { get; init; }
    [Id(1)] public long RunId { get; init; }
    [Id(2)] public int Index { get; init; }
}

/// <summary>What a partition did.</summary>
/// <param name="Recorded">Accounts it recorded (0 when an earlier attempt had recorded them all).</param>
/// <param name="Silo">The silo it ran on.</param>
[GenerateSerializer, Immutable]
public sealed record PartitionReport([property: Id(0)] int Index, [property: Id(1)] long Recorded, [property: Id(2)] string Silo);

/// <summary>What a window run through the cluster did, or found already done (as <see cref="WindowRunResult"/> says it).</summary>
/// <param name="Attempts">Partition calls made: more than the partitions when some were retried (a silo died, a call failed).</param>
/// <param name="Silos">The silos partitions ran on.</param>
[GenerateSerializer, Immutable]
public sealed record ClusterRunReport(
    [property: Id(0)] long RunId, [property: Id(1)] string WindowId, [property: Id(2)] string Status, [property: Id(3)] bool AlreadyDone,
    [property: Id(4)] bool Resumed, [property: Id(5)] long Accounts, [property: Id(6)] long Evaluated, [property: Id(7)] long Rebalanced,
    [property: Id(8)] long Skipped, [property: Id(9)] int Partitions, [property: Id(10)] int Attempts, [property: Id(11)] string[] Silos);

/// <summary>
/// A failure of the store (or of the runner over it) as it crosses between silos and to a client: the store's own exceptions
/// (<see cref="Ballast.Store.StoreBusyException"/>, a driver's) have no Orleans codec, so a grain hands on their message and
/// kind in this one (<see cref="Of"/>), never the original as its inner exception.
/// </summary>
[GenerateSerializer]
public sealed class ClusterStoreException : Exception
{
    public ClusterStoreException() { }

    public ClusterStoreException(string message) : base(message) { }

    public ClusterStoreException(string message, Exception inner) : base(message, inner) { }

    /// <summary>The original exception's type name (<c>StoreBusyException</c>, <c>InputException</c>, <c>PostgresException</c>...).</summary>
    [Id(0)] public string Kind { get; init; } = "";

    /// <summary>True when the store was busy (its write lock not had within the busy timeout): calling again may succeed.</summary>
    [Id(1)] public bool Busy { get; init; }

    /// <summary>The exception that crosses the wire for <paramref name="error"/>: the same message and kind, no inner exception.</summary>
    public static ClusterStoreException Of(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error as ClusterStoreException ?? new(error.Message) { Kind = error.GetType().Name, Busy = error is Ballast.Store.StoreBusyException };
    }
}
