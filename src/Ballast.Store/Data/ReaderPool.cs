using System.Collections.Concurrent;
using System.Data.Common;

namespace Ballast.Store.Data;

/// <summary>
/// Open SQLite connections kept for reads by a long-running host (<see cref="StoreOptions.PooledConnections"/>): a read rents
/// one, runs, and gives it back, so it neither opens the file nor compiles its SQL again. Each connection keeps the commands it
/// has run, compiled (<see cref="Sql"/> reuses them while the connection lives). At most <see cref="Capacity"/> idle connections
/// are kept; more are closed when given back. A read that fails closes its connection rather than return it.
/// </summary>
internal sealed class ReaderPool(Func<DbConnection> open, int capacity) : IDisposable
{
    private readonly ConcurrentBag<DbConnection> _idle = [];
    private int _idleCount;
    private bool _disposed;

    /// <summary>The most idle connections kept.</summary>
    public int Capacity { get; } = capacity;

    public T Run<T>(Func<DbConnection, T> work)
    {
        DbConnection c;
        if (_idle.TryTake(out var idle))
        {
            Interlocked.Decrement(ref _idleCount);
            c = idle;
        }
        else
        {
            c = open();
            Sql.KeepCommands(c);
        }
        T result;
        try
        {
            result = work(c);
        }
        catch
        {
            Close(c);
            throw;
        }
        if (Volatile.Read(ref _disposed) || Interlocked.Increment(ref _idleCount) > Capacity)
        {
            if (!Volatile.Read(ref _disposed)) Interlocked.Decrement(ref _idleCount);
            Close(c);
        }
        else _idle.Add(c);
        return result;
    }

    private static void Close(DbConnection c)
    {
        Sql.ForgetCommands(c);
        c.Dispose();
    }

    public void Dispose()
    {
        Volatile.Write(ref _disposed, true);
        while (_idle.TryTake(out var c)) Close(c);
    }
}
