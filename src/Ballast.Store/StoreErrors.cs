namespace Ballast.Store;

/// <summary>
/// The store could not be written or read now but may succeed if retried: an SQLite file locked by
/// another process past the busy timeout, a PostgreSQL serialization failure or a lost connection.
/// Nothing was written. The CLI maps it to exit code 3.
/// </summary>
public sealed class StoreBusyException : Exception
{
    public StoreBusyException(string message, Exception? inner = null) : base(message, inner) { }
}

/// <summary>
/// The store's schema does not match this version of Ballast: written by a newer version (refused),
/// or older than this version and not yet migrated with <c>ballast init</c>, or not a Ballast store.
/// </summary>
public sealed class StoreVersionException : Exception
{
    public StoreVersionException(string message, int? storeVersion) : base(message) => StoreVersion = storeVersion;

    /// <summary>The schema version recorded in the store, or null when it has none.</summary>
    public int? StoreVersion { get; }
}

/// <summary>
/// The store cannot be opened or written, and retrying will not help until something is fixed: wrong PostgreSQL
/// credentials or privileges, a database that does not exist, a file that is not an SQLite database, a read-only or
/// unopenable file. Nothing was written. The CLI maps it to exit code 2.
/// </summary>
public sealed class StoreUnavailableException : Exception
{
    public StoreUnavailableException(string message, Exception? inner = null) : base(message, inner) { }
}
