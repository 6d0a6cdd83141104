using Ballast.Operations.Windows;
using Ballast.Store;
using Ballast.Store.Schema;

namespace Ballast.Cluster.Tests;

/// <summary>Partitions of a window's accounts, and a partition run twice, on PostgreSQL (the cluster's store) and SQLite.</summary>
public sealed class PartitionTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-partition-test-").FullName;
    private readonly PostgresDatabase _pg = new();

    public void Dispose()
    {
        _pg.Dispose();
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { }
    }

    private StoreLocation Sqlite => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(_directory, "ballast.db")}");

    [Fact]
    public void TheHash_IsFixedArithmetic_TheSameInCSharpAndInBothDatabases_AndSpreadsTheAccounts()
    {
        // Fixed values: the hash must never change between builds, or a resumed run would split its accounts differently.
        Assert.Equal([0, 0, 3, 6, 4, 3], new long[] { 0, 127, 128, 1000, 100_000, 1_000_000 }.Select(id => AccountPartition.Of(id, 7)));
        // A partition is made of whole blocks of consecutive ids, and the blocks of 100,000 ids spread evenly over 24 partitions.
        Assert.All(Enumerable.Range(0, 1000), b => Assert.Single(Enumerable.Range(0, (int)AccountPartition.BlockSize)
            .Select(i => AccountPartition.Of(b * AccountPartition.BlockSize + i, 24)).Distinct()));
        var sizes = Enumerable.Range(1, 100_000).GroupBy(id => AccountPartition.Of(id, 24)).Select(g => g.Count()).ToList();
        Assert.Equal(24, sizes.Count);
        Assert.InRange(sizes.Min(), 100_000 / 24 * 3 / 4, 100_000 / 24);
        Assert.InRange(sizes.Max(), 100_000 / 24, 100_000 / 24 * 5 / 4);
        foreach (var location in new[] { _pg.Location, Sqlite })
        {
            var store = Book.Load(location, 1000, _directory);
            var all = store.ReadAccounts(new SnapshotQuery(Book.Window.Date)).Select(a => a.AccountId).ToList();
            var seen = new List<long>();
            foreach (var i in Enumerable.Range(0, 7))
            {
                var part = new AccountPartition(i, 7);
                var ids = store.ReadAccounts(new SnapshotQuery(Book.Window.Date, Partition: part)).Select(a => a.AccountId).ToList();
                // The database's arithmetic is C#'s: each account read in a partition is in it, and none is left out of it.
                Assert.Equal(all.Where(part.Contains), ids);
                seen.AddRange(ids);
            }
            Assert.Equal(all.Order(), seen.Order());
            Assert.True(all.Select(id => AccountPartition.Of(id, 7)).Distinct().Count() >= 5, "1,000 accounts fall in most of 7 partitions");
        }
    }

    [Fact]
    public void APartitionRunTwice_OrTwoAtOnce_ChangesNothing_AndThePartitionsTogetherGiveTheSingleRun()
    {
        var store = Book.Load(_pg.Location, 1000, _directory);
        var window = Book.Window;
        var runner = new WindowRunner(store, "test") { BatchSize = 50 };
        var (run, resumed, done) = runner.Begin(window);
        Assert.False(resumed);
        Assert.Null(done);
        var first = new AccountPartition(0, 3);
        var recorded = runner.RunPartition(Book.Calendar, window, run.Id, first);
        Assert.True(recorded > 100);
        var before = Book.Read(store, window.Id, gather: false);

        // Again, and twice at once: nothing is added.
        Assert.Equal(0, runner.RunPartition(Book.Calendar, window, run.Id, first));
        Parallel.For(0, 2, _ => runner.RunPartition(Book.Calendar, window, run.Id, first));
        var after = Book.Read(store, window.Id, gather: false);
        Assert.Equal(before.Verdicts, after.Verdicts);
        Assert.Equal(before.Proposals, after.Proposals);

        // The other two partitions, the second one twice at once, then the run finishes as a single-process run does.
        Parallel.Invoke(
            () => runner.RunPartition(Book.Calendar, window, run.Id, new AccountPartition(1, 3)),
            () => runner.RunPartition(Book.Calendar, window, run.Id, new AccountPartition(2, 3)),
            () => runner.RunPartition(Book.Calendar, window, run.Id, new AccountPartition(2, 3)));
        var finished = runner.Finish(run, resumed, System.Diagnostics.Stopwatch.GetTimestamp());
        Assert.Equal(1000, finished.Run.Accounts);
        Assert.Equal(1000, store.WindowRunAccounts(run.Id).Select(a => a.AccountId).Distinct().Count());

        var single = Book.Load(new StoreLocation(StoreProvider.Sqlite, $"Data Source={Path.Combine(_directory, "single.db")}"), 1000, _directory);
        new WindowRunner(single, "test").Run(Book.Calendar, window);
        var expected = Book.Read(single, window.Id);
        var actual = Book.Read(store, window.Id);
        Assert.Equal(expected.Run, actual.Run);
        Assert.Equal(expected.Verdicts, actual.Verdicts);
        Assert.Equal(expected.Proposals, actual.Proposals);
        Assert.Equal(expected.Blocks, actual.Blocks);
    }

    [Fact]
    public void Migration15_CreatesTheOrleansTablesOnPostgres_AndNothingOnSqlite()
    {
        var pg = BallastStore.Initialize(_pg.Location);
        Assert.Equal(Migrations.Current, pg.SchemaVersion);
        using (var c = new Npgsql.NpgsqlConnection(_pg.Location.ConnectionString))
        {
            c.Open();
            using var cmd = new Npgsql.NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_name LIKE 'orleans%' ORDER BY table_name", c);
            using var r = cmd.ExecuteReader();
            var tables = new List<string>();
            while (r.Read()) tables.Add(r.GetString(0));
            Assert.Equal(["orleansmembershiptable", "orleansmembershipversiontable", "orleansquery", "orleansreminderstable"], tables);
        }
        using (var c = new Npgsql.NpgsqlConnection(_pg.Location.ConnectionString))
        {
            c.Open();
            using var cmd = new Npgsql.NpgsqlCommand("SELECT COUNT(*) FROM orleansquery", c);
            Assert.Equal(16L, (long)cmd.ExecuteScalar()!);
        }
        var lite = BallastStore.Initialize(Sqlite);
        Assert.Equal(Migrations.Current, lite.SchemaVersion);
        using var s = new Microsoft.Data.Sqlite.SqliteConnection(Sqlite.ConnectionString);
        s.Open();
        using var q = s.CreateCommand();
        q.CommandText = "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'orleans%'";
        Assert.Equal(0L, (long)q.ExecuteScalar()!);
    }
}
