using System.Text;
using Ballast.Store.Ledger;
using Dapper;

namespace Ballast.Store.Tests;

public abstract partial class StoreSuite
{
    /// <summary>A store with tickers T0..T9 priced and <paramref name="accounts"/> accounts; returns the path of a positions file of accounts x 10 rows.</summary>
    protected string LargePositions(BallastStore store, int accounts)
    {
        var prices = new StringBuilder("date,ticker,close\n");
        for (var t = 0; t < 10; t++) prices.Append($"2025-09-30,T{t},{10 + t}\n");
        store.ImportPrices(WriteFile("tickers.csv", prices.ToString()));
        var list = new StringBuilder("account,type,currency\n");
        var positions = new StringBuilder("account,ticker,quantity,cost_basis\n");
        for (var a = 0; a < accounts; a++)
        {
            list.Append($"big-{a:D6},taxable,USD\n");
            for (var t = 0; t < 10; t++) positions.Append($"big-{a:D6},T{t},{a % 97 + t + 1},{(a % 97 + t + 1) * 10}\n");
        }
        store.ImportAccounts(WriteFile("big-accounts.csv", list.ToString()));
        return WriteFile("big-positions.csv", positions.ToString());
    }

    private string HelperLocation => Location.Provider == StoreProvider.Sqlite ? Location.SqlitePath! : Location.ConnectionString;

    [Fact]
    public void CrashSafety_ImportKilledPartway_StoreHoldsNoneOrAllRows_AndVerifies()
    {
        var store = NewStore();
        const int Accounts = 20_000;
        var file = LargePositions(store, Accounts);
        var before = Fingerprint(store);

        using (var child = ImporterProcess.Start(HelperLocation, "positions", file))
        {
            Assert.True(child.WaitForLine("progress transactions:", TimeSpan.FromSeconds(60)), "the import never reached its writes: " + child.Stderr);
            Assert.True(child.KillNow(), "the import finished before it could be killed");
        }

        var reopened = BallastStore.Open(Location, Options());
        Assert.True(reopened.Verify().Ok, string.Join("\n", reopened.Verify().Differences));
        var rows = Count(reopened, "transactions");
        Assert.True(rows == 0 || rows == Accounts * 10, $"{rows} rows: neither none nor all");
        if (rows == 0) Assert.Equal(before, Fingerprint(reopened));

        // The same import, run to the end, then holds every row once.
        using (var again = ImporterProcess.Start(HelperLocation, "positions", file))
            Assert.Equal(0, again.WaitForExit(TimeSpan.FromMinutes(3)));
        Assert.Equal(Accounts * 10, Count(reopened, "transactions"));
        Assert.True(reopened.Verify().Ok);
    }
}

/// <summary>Two processes writing one SQLite file at once.</summary>
public sealed class SqliteConcurrencyTests : StoreTestBase
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "shared.db")}");

    private string DepositsFile(string name, int rows)
    {
        var sb = new StringBuilder("date,type,amount,id\n");
        for (var i = 0; i < rows; i++) sb.Append($"2025-09-01,deposit,{i + 1}.25,{name}-{i}\n");
        return WriteFile(name + ".csv", sb.ToString());
    }

    private static long Rows(BallastStore store, string account) =>
        store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.name = @account", new { account }));

    [Fact]
    public void TwoProcessesImportingAtOnce_BothSucceedOrOneFailsRetryably_NothingLostOrDoubled()
    {
        var store = NewStore();
        store.AddAccount(new NewAccount("one", AccountType.Taxable, "USD"));
        store.AddAccount(new NewAccount("two", AccountType.Taxable, "USD"));
        const int RowCount = 40_000;
        var files = new[] { ("one", DepositsFile("one", RowCount)), ("two", DepositsFile("two", RowCount)) };
        var path = Location.SqlitePath!;

        var children = files.Select(f => (f.Item1, f.Item2, Process: ImporterProcess.Start(path, "transactions", f.Item2, f.Item1))).ToList();
        var codes = children.Select(c => (c.Item1, c.Item2, Code: c.Process.WaitForExit(TimeSpan.FromMinutes(2)), c.Process.Stderr)).ToList();
        foreach (var c in children) c.Process.Dispose();

        foreach (var (account, file, code, stderr) in codes)
        {
            Assert.True(code is 0 or 3, $"{account}: exit {code}: {stderr}");
            if (code == 3)
            {
                Assert.Contains("retryable", stderr, StringComparison.Ordinal);
                Assert.Equal(0, Rows(store, account));
                using var retry = ImporterProcess.Start(path, "transactions", file, account);
                Assert.Equal(0, retry.WaitForExit(TimeSpan.FromMinutes(2)));
            }
            Assert.Equal(RowCount, Rows(store, account));
        }
        // Both again: every row already there, nothing doubled.
        foreach (var (account, file) in files)
        {
            using var again = ImporterProcess.Start(path, "transactions", file, account);
            Assert.Equal(0, again.WaitForExit(TimeSpan.FromMinutes(2)));
            Assert.Equal(RowCount, Rows(store, account));
        }
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void WriterBlockedPastBusyTimeout_FailsWithRetryableMessage_AndWritesNothing()
    {
        var store = NewStore();
        store.AddAccount(new NewAccount("slow", AccountType.Taxable, "USD"));
        store.AddAccount(new NewAccount("quick", AccountType.Taxable, "USD"));
        var big = DepositsFile("slow", 300_000);
        var small = DepositsFile("quick", 10);
        var path = Location.SqlitePath!;

        using var slow = ImporterProcess.Start(path, "transactions", big, "slow");
        Assert.True(slow.WaitForLine("progress transactions:", TimeSpan.FromSeconds(60)), slow.Stderr);
        using var quick = ImporterProcess.Start(path, "transactions", small, "quick", "--busy-ms", "1");
        var quickCode = quick.WaitForExit(TimeSpan.FromMinutes(1));
        Assert.Equal(0, slow.WaitForExit(TimeSpan.FromMinutes(2)));

        Assert.Equal(3, quickCode);
        Assert.Contains("locked by another process", quick.Stderr, StringComparison.Ordinal);
        Assert.Equal(0, Rows(store, "quick"));
        Assert.Equal(300_000, Rows(store, "slow"));
        Assert.True(store.Verify().Ok);
    }
}

public abstract partial class StoreSuite
{
    [Fact]
    public void ImportPositions_Streamed_ProblemAfterTheFirstBatch_WritesNothing_AnUngroupedFileEndsTheSame_AndAgainAddsNothing()
    {
        // 2,500 accounts: more than one batch of the streaming import (2,000 accounts), so the first batch is written before the bad row is read.
        var store = NewStore();
        var file = LargePositions(store, 2_500);
        var lines = File.ReadAllLines(file);
        var bad = WriteFile("bad-positions.csv", string.Join("\n", lines.Append("big-002499,T1,abc,1")) + "\n");
        var before = Fingerprint(store);
        var e = Assert.Throws<Ballast.Input.InputException>(() => store.ImportPositions(bad, asOf: new DateOnly(2025, 9, 30)));
        var problem = Assert.Single(e.Problems);
        Assert.Equal(lines.Length + 1, problem.Line);
        Assert.Equal("quantity", problem.Field);
        Assert.Contains("'abc'", problem.Message, StringComparison.Ordinal);
        Assert.Equal(before, Fingerprint(store));

        // The same rows with one account's rows split (it comes back after its batch): read again as one batch, same holdings.
        var split = lines.Take(1).Concat(lines.Skip(1).Where(l => !l.StartsWith("big-000000,T9,", StringComparison.Ordinal)))
            .Append(lines.Single(l => l.StartsWith("big-000000,T9,", StringComparison.Ordinal)));
        var ungrouped = WriteFile("ungrouped-positions.csv", string.Join("\n", split) + "\n");
        var result = store.ImportPositions(ungrouped, asOf: new DateOnly(2025, 9, 30));
        Assert.Equal(25_000, result.Added);
        Assert.Equal(25_000, Count(store, "transactions"));
        Assert.Equal(25_000, Count(store, "holdings"));
        Assert.True(store.Verify().Ok, string.Join("\n", store.Verify().Differences));

        // The grouped file states the same positions: nothing is added or recorded.
        var after = Fingerprint(store);
        var again = store.ImportPositions(file, asOf: new DateOnly(2025, 9, 30));
        Assert.Equal(0, again.Added);
        Assert.Equal(after, Fingerprint(store));
    }
}
