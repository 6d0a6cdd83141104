using Ballast.Input;
using Ballast.Store.Ledger;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>Positions snapshots and transaction histories combine one way, whichever is imported first.</summary>
public abstract partial class StoreSuite
{
    private const string SnapshotFile = """
        ticker,quantity,cost_basis
        BND,100,7250
        VTI,4,1200
        CASH,500,
        """;

    // 2023-2025 history: 134.96 BND bought, 34.96 sold; 4 VTI bought; cash ends at 4,095.42 by the history alone.
    private const string HistoryFile = """
        date,type,ticker,quantity,price,amount,fee
        2023-01-03,deposit,,,,12000,
        2023-01-04,buy,BND,134.96,70,,0
        2024-05-01,sell,BND,34.96,72,,0
        2025-02-03,buy,VTI,4,250,,0
        2025-03-01,dividend,BND,,,25.5,
        """;

    private static readonly DateOnly SnapshotDate = new(2025, 9, 30);

    private (IReadOnlyList<object> Lots, IReadOnlyDictionary<string, decimal> Holdings, decimal Cash, bool Verified) Outcome(BallastStore store)
    {
        var lots = store.Lots("alice-taxable").Where(l => l.Remaining != 0)
            .Select(l => (object)(l.Ticker, l.OpenDate, l.Quantity, l.Remaining, l.Cost)).ToList();
        var (cash, holdings) = store.Position("alice-taxable");
        var report = store.Verify();
        Assert.True(report.Ok, string.Join("\n", report.Differences));
        return (lots, holdings, cash, report.Ok);
    }

    [Fact]
    public void History_PositionsThenHistory_And_HistoryThenPositions_GiveTheSameLotsHoldingsAndVerify()
    {
        var first = Seeded();
        first.ImportPositions(WriteFile("snap.csv", SnapshotFile), "alice-taxable", asOf: SnapshotDate);
        var late = first.ImportTransactions(WriteFile("history.csv", HistoryFile), "alice-taxable");
        Assert.Contains(late.Notes!, n => n.StartsWith("warning:", StringComparison.Ordinal) && n.Contains("BND", StringComparison.Ordinal));
        var positionsFirst = Outcome(first);

        var second = SecondSeeded();
        second.ImportTransactions(WriteFile("history2.csv", HistoryFile), "alice-taxable");
        second.ImportPositions(WriteFile("snap2.csv", SnapshotFile), "alice-taxable", asOf: SnapshotDate);
        var historyFirst = Outcome(second);

        Assert.Equal(historyFirst.Holdings, positionsFirst.Holdings);
        Assert.Equal(historyFirst.Cash, positionsFirst.Cash);
        Assert.Equal(historyFirst.Lots, positionsFirst.Lots);
        // The broker's numbers hold, and the history's lots keep their own dates and basis.
        Assert.Equal(100m, positionsFirst.Holdings["BND"]);
        Assert.Equal(500m, positionsFirst.Cash);
        Assert.Contains(("BND", new DateOnly(2023, 1, 4), 134.96m, 100m, (decimal?)7000m), positionsFirst.Lots.Cast<(string, DateOnly, decimal, decimal, decimal?)>());
        Assert.Contains(("VTI", new DateOnly(2025, 2, 3), 4m, 4m, (decimal?)1000m), positionsFirst.Lots.Cast<(string, DateOnly, decimal, decimal, decimal?)>());
    }

    /// <summary>A second, independent store for the same test (SQLite: another file; PostgreSQL: another database).</summary>
    private BallastStore SecondSeeded()
    {
        var location = Location.Provider == StoreProvider.Sqlite
            ? new StoreLocation(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "second.db")}")
            : SecondPostgres();
        var store = BallastStore.Initialize(location, Options());
        store.ImportPrices(WriteFile("prices-second.csv", "date,ticker,close\n2025-09-30,VTI,310.25\n2025-09-30,BND,72.75\n2025-09-30,VXUS,66.10\n"));
        store.AddAccount(new NewAccount("alice-taxable", AccountType.Taxable, "USD", "alice"));
        return store;
    }

    private PostgresDatabase? _second;

    private StoreLocation SecondPostgres() => (_second ??= new PostgresDatabase()).Location;

    public override void Dispose()
    {
        _second?.Dispose();
        base.Dispose();
    }

    [Fact]
    public void History_SellBeforeItsLot_IsRefused_EvenWhenAPositionsSnapshotHoldsTheShares()
    {
        var store = Seeded();
        store.ImportPositions(WriteFile("snap.csv", "ticker,quantity\nBND,100\n"), "alice-taxable", asOf: SnapshotDate);
        var sell = WriteFile("early-sell.csv", "date,type,ticker,quantity,price,amount,fee\n2023-06-01,sell,BND,10,70,,0\n");
        var e = Assert.Throws<InputException>(() => store.ImportTransactions(sell, "alice-taxable"));
        var p = Assert.Single(e.Problems);
        Assert.Equal(2, p.Line);
        Assert.Contains("sell of 10 BND on 2023-06-01", p.Message, StringComparison.Ordinal);
        Assert.Contains("acquired after it", p.Message, StringComparison.Ordinal);
        Assert.Equal(100m, store.Position("alice-taxable").Holdings["BND"]);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Verify_ReportsALedgerThatNoLongerAgreesWithItsPositionsSnapshot()
    {
        var store = Seeded();
        store.ImportPositions(WriteFile("snap.csv", "ticker,quantity\nBND,100\n"), "alice-taxable", asOf: SnapshotDate);
        // A row appended behind Ballast's back, dated before the snapshot, and projected as if it were genuine.
        store.Read(c => c.Execute("""
            INSERT INTO transactions (id, account_id, kind, trade_date, security_id, quantity, price, cash, fee, idempotency_key, recorded_at)
            SELECT 999, a.id, 'adjustment', '2025-01-01', s.id, 5000000, NULL, 0, 0, 'tampered', '2025-10-01T00:00:00.000Z'
            FROM accounts a, securities s WHERE a.name = 'alice-taxable' AND s.ticker = 'BND'
            """));
        // The row has no place in the hash chain: the projections are not rebuilt from it, and verify names it.
        Assert.Throws<StoreIntegrityException>(() => store.RebuildProjections());
        var report = store.Verify();
        Assert.False(report.Ok);
        Assert.Contains(report.Differences, d => d.Contains("alice-taxable: the positions of 2025-09-30 state 100 BND, the ledger before that date gives 105", StringComparison.Ordinal));
        Assert.Contains("transactions row 999: has no hash: it was written outside Ballast", report.Differences);
    }

    [Fact]
    public void History_OpeningPositionsImportedAfterTheCurrentOnes_KeepEverySnapshotTrue()
    {
        var store = Seeded();
        store.ImportPositions(WriteFile("now.csv", "ticker,quantity\nBND,100\n"), "alice-taxable", asOf: SnapshotDate);
        var opening = store.ImportPositions(WriteFile("opening.csv", "ticker,quantity\nBND,30\n"), "alice-taxable", asOf: new DateOnly(2023, 1, 2));
        Assert.Contains(opening.Notes!, n => n.Contains("adjusted by -30 on 2025-09-30", StringComparison.Ordinal));
        Assert.Equal(100m, store.Position("alice-taxable").Holdings["BND"]);
        store.ImportTransactions(WriteFile("buys.csv", "date,type,ticker,quantity,price,amount,fee\n2024-01-02,buy,BND,70,71,,0\n"), "alice-taxable");
        Assert.Equal(100m, store.Position("alice-taxable").Holdings["BND"]);
        Assert.Equal([(new DateOnly(2023, 1, 2), 30m), (new DateOnly(2024, 1, 2), 70m)],
            store.Lots("alice-taxable").Where(l => l.Remaining != 0).Select(l => (l.OpenDate, l.Remaining)).ToArray());
        Assert.True(store.Verify().Ok, string.Join("\n", store.Verify().Differences));
    }
}
