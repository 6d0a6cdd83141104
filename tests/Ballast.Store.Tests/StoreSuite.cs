using System.Data.Common;
using Ballast.Input;
using Ballast.Store.Import;
using Ballast.Store.Ledger;
using Ballast.Store.Schema;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>The store tests. Abstract: <see cref="SqliteStoreTests"/> and <see cref="PostgresStoreTests"/> run each one.</summary>
public abstract partial class StoreSuite : StoreTestBase
{
    private const string SharedData = "../shared/data/etf_daily";

    /// <summary>A store with prices for VTI, BND, VXUS, SPY and two accounts (alice-taxable, alice-ira) in household alice.</summary>
    private BallastStore Seeded(string actor = "tester")
    {
        var store = NewStore(actor);
        store.ImportPrices(WriteFile("prices.csv", """
            date,ticker,close
            2025-09-29,VTI,300.00
            2025-09-29,BND,72.50
            2025-09-29,VXUS,65.00
            2025-09-30,VTI,310.25
            2025-09-30,BND,72.75
            2025-09-30,VXUS,66.10
            2025-09-30,SPY,660
            """));
        store.AddAccount(new NewAccount("alice-taxable", AccountType.Taxable, "USD", "alice"));
        store.AddAccount(new NewAccount("alice-ira", AccountType.TaxDeferred, "USD", "alice"));
        return store;
    }

    [Fact]
    public void Initialize_NewStore_IsAtCurrentSchemaVersion()
    {
        var store = NewStore();
        Assert.Equal(Migrations.Current, store.SchemaVersion);
        Assert.Equal(Migrations.Current, BallastStore.Open(Location, Options()).SchemaVersion);
        // Initializing twice is harmless.
        Assert.Equal(Migrations.Current, BallastStore.Initialize(Location, Options()).SchemaVersion);
    }

    [Fact]
    public void Open_StoreFromNewerVersion_IsRefusedWithClearMessage()
    {
        var store = NewStore();
        store.Read(c => c.Execute("INSERT INTO schema_version (version, description, applied_at) VALUES (999, 'future', '2030-01-01T00:00:00.000Z')"));
        var e = Assert.Throws<StoreVersionException>(() => BallastStore.Open(Location, Options()));
        Assert.Equal(999, e.StoreVersion);
        Assert.Contains("newer", e.Message, StringComparison.Ordinal);
        Assert.Throws<StoreVersionException>(() => BallastStore.Initialize(Location, Options()));
    }

    [Fact]
    public void Open_UninitializedDatabase_AsksForInit()
    {
        var e = Assert.Throws<StoreVersionException>(() => BallastStore.Open(Location, Options()));
        Assert.Contains("ballast init", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ledger_UpdateOrDelete_IsRefusedByTheDatabase()
    {
        var store = Seeded();
        store.Deposit("alice-taxable", 1000m, Today);
        Assert.ThrowsAny<DbException>(() => store.Read(c => c.Execute("UPDATE transactions SET cash = 0")));
        Assert.ThrowsAny<DbException>(() => store.Read(c => c.Execute("DELETE FROM transactions")));
        Assert.ThrowsAny<DbException>(() => store.Read(c => c.Execute("DELETE FROM audit")));
        Assert.Equal(1, Count(store, "transactions"));
    }

    [Fact]
    public void DepositAndWithdraw_UpdateCashExactly_AndKeysMakeThemRepeatSafe()
    {
        var store = Seeded();
        var first = store.Deposit("alice-taxable", 1000.10m, Today, "dep-1");
        var again = store.Deposit("alice-taxable", 1000.10m, Today, "dep-1");
        store.Withdraw("alice-taxable", 0.2m, Today);
        Assert.Equal(first, again);
        Assert.Equal(999.9m, store.Position("alice-taxable").Cash);
        Assert.Equal(2, store.Transactions("alice-taxable").Count);
        var e = Assert.Throws<InputException>(() => store.Withdraw("alice-taxable", 5000m, Today));
        Assert.Contains("negative cash", e.Message, StringComparison.Ordinal);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Prices_LongWideAndOneTickerFiles_LatestOnOrBeforeDateWins()
    {
        var store = NewStore();
        store.ImportPrices(WriteFile("long.csv", "date,ticker,close\n2025-09-01,AAA,10\n2025-09-02,AAA,11\n"));
        store.ImportPrices(WriteFile("wide.csv", "date,AAA,BBB\n2025-09-03,12,\n2025-09-04,,20.5\n"));
        store.ImportPrices(WriteFile("CCC.csv", "date,close\n2025-09-05,24.313047409057617\n"));
        var latest = store.LatestPrices(new DateOnly(2025, 9, 30));
        Assert.Equal(new PriceQuote("AAA", new DateOnly(2025, 9, 3), 12m), latest["AAA"]);
        Assert.Equal(20.5m, latest["BBB"].Close);
        Assert.Equal(24.313047m, latest["CCC"].Close); // rounded half away from zero to 6 decimals
        Assert.Equal(11m, store.LatestPrices(new DateOnly(2025, 9, 2))["AAA"].Close);
        // A re-import of the same file changes nothing; a corrected price replaces the old one.
        Assert.Equal(0, store.ImportPrices(Path.Combine(Directory, "long.csv")).Added);
        store.ImportPrices(WriteFile("fix.csv", "date,ticker,close\n2025-09-03,AAA,12.5\n"));
        Assert.Equal(12.5m, store.LatestPrices(new DateOnly(2025, 9, 30))["AAA"].Close);
    }

    [Fact]
    public void Prices_SharedEtfFiles_ImportWideAndPerTicker()
    {
        var dir = FindShared();
        var store = BallastStore.Initialize(Location, Options() with { Time = new FixedClock(new DateTimeOffset(2026, 9, 1, 0, 0, 0, TimeSpan.Zero)) });
        var wide = store.ImportPrices(Path.Combine(dir, "etf_adj_close_wide.csv"));
        Assert.True(wide.Added > 100_000, wide.Summary);
        var again = store.ImportPrices(Path.Combine(dir, "AGG.csv"));
        Assert.Equal(0, again.Added); // same closes as the wide file
        var latest = store.LatestPrices(new DateOnly(2025, 9, 26));
        Assert.Equal(21, latest.Count);
        Assert.Equal(new DateOnly(2025, 9, 26), latest["SPY"].Date);
    }

    private static string FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, SharedData);
            if (System.IO.Directory.Exists(candidate)) return Path.GetFullPath(candidate);
        }
        throw new DirectoryNotFoundException($"{SharedData} not found above {AppContext.BaseDirectory}");
    }

    [Fact]
    public void Prices_StaleOnesAreReportedForHeldSecurities()
    {
        var store = Seeded();
        store.ImportPositions(WriteFile("p.csv", "ticker,quantity\nVTI,10\nBND,5\n"), "alice-taxable");
        store.SetPrice("BND", new DateOnly(2025, 10, 1), 73m);
        var stale = store.StalePrices(Today, maxAgeDays: 0);
        Assert.Equal(["VTI"], stale.Select(s => s.Ticker));
        Assert.Empty(store.StalePrices(Today, maxAgeDays: 5));
    }

    [Fact]
    public void ImportPositions_SameFileTwice_LedgerUnchanged()
    {
        var store = Seeded();
        var file = WriteFile("positions.csv", """
            ticker,quantity,cost_basis
            VTI,10.5,3000
            BND,20,1400.00
            CASH,1234.56,
            """);
        var first = store.ImportPositions(file, "alice-taxable");
        var ledger = store.Transactions();
        var lots = store.Lots("alice-taxable");
        var second = store.ImportPositions(file, "alice-taxable");
        Assert.Equal(3, first.Added);
        Assert.Equal(0, second.Added);
        Assert.Equal(ledger, store.Transactions());
        Assert.Equal(lots, store.Lots("alice-taxable"));
        var (cash, holdings) = store.Position("alice-taxable");
        Assert.Equal(1234.56m, cash);
        Assert.Equal(10.5m, holdings["VTI"]);
        Assert.Equal(20m, holdings["BND"]);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void ImportPositions_NewSnapshot_AdjustsToIt_AndClosesMissingPositions()
    {
        var store = Seeded();
        store.ImportPositions(WriteFile("a.csv", "ticker,quantity\nVTI,10\nBND,20\n"), "alice-taxable");
        store.ImportPositions(WriteFile("b.csv", "ticker,quantity\nVTI,12\n"), "alice-taxable");
        var holdings = store.Position("alice-taxable").Holdings;
        Assert.Equal(12m, holdings["VTI"]);
        Assert.False(holdings.ContainsKey("BND"));
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void ImportTransactions_SameFileTwice_LedgerUnchanged_IdenticalRowsKeptApart()
    {
        var store = Seeded();
        var file = WriteFile("tx.csv", """
            date,type,ticker,quantity,price,amount,fee
            2025-09-01,deposit,,,,10000,
            2025-09-02,buy,VTI,10,300,,1
            2025-09-03,dividend,VTI,,,12.5,
            2025-09-03,dividend,VTI,,,12.5,
            2025-09-04,sell,VTI,4,305,,0
            2025-09-05,fee,,,,2.25,
            """);
        var first = store.ImportTransactions(file, "alice-taxable");
        var ledger = store.Transactions("alice-taxable");
        var second = store.ImportTransactions(file, "alice-taxable");
        Assert.Equal(6, first.Added);
        Assert.Equal(0, second.Added);
        Assert.Equal(6, second.Skipped);
        Assert.Equal(ledger, store.Transactions("alice-taxable"));
        // 10000 - (3000 + 1) + 25 + 1220 - 2.25
        Assert.Equal(8241.75m, store.Position("alice-taxable").Cash);
        Assert.Equal(6m, store.Position("alice-taxable").Holdings["VTI"]);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void ImportTransactions_SchwabLikeLayout_NewestFirst_IsReadOldestFirst()
    {
        var store = Seeded();
        var file = WriteFile("schwab.csv", """
            "Transactions  for account XXXX-1234 as of 10/01/2025 10:00 AM ET"
            "Date","Action","Symbol","Description","Quantity","Price","Fees & Comm","Amount"
            "09/20/2025","Sell","VTI","VANGUARD TOTAL STOCK","2","$305.00","$0.00","$610.00"
            "09/15/2025 as of 09/14/2025","Qualified Dividend","VTI","VANGUARD TOTAL STOCK","","","","$7.10"
            "09/10/2025","Buy","VTI","VANGUARD TOTAL STOCK","10","$300.00","$1.00","-$3,001.00"
            "09/01/2025","MoneyLink Transfer","","Tfr BANK","","","","$5,000.00"
            "Transactions Total","","","","","","","$2,616.10"
            """);
        var result = store.ImportTransactions(file, "alice-taxable", Layouts.SchwabTransactions);
        Assert.Equal(4, result.Added);
        var (cash, holdings) = store.Position("alice-taxable");
        Assert.Equal(5000m - 3001m + 7.10m + 610m, cash);
        Assert.Equal(8m, holdings["VTI"]);
        Assert.Equal(0, store.ImportTransactions(file, "alice-taxable", Layouts.SchwabTransactions).Added);
    }

    [Fact]
    public void ImportTransactions_FidelityLikeLayout_FeesAddUp()
    {
        var store = Seeded();
        var file = WriteFile("fidelity.csv", """

            Run Date,Account,Action,Symbol,Security Description,Security Type,Quantity,Price ($),Commission ($),Fees ($),Accrued Interest ($),Amount ($),Settlement Date
            09/02/2025,"IRA X123",Electronic Funds Transfer Received (Cash),,No Description,Cash,0,,,,,2000,
            09/03/2025,"IRA X123",YOU BOUGHT VANGUARD TOTAL BOND MARKET ETF (BND) (Cash),BND,BND,Cash,20,72.5,0.5,0.05,,-1450.55,09/04/2025
            09/30/2025,"IRA X123",DIVIDEND RECEIVED VANGUARD TOTAL BOND (BND) (Cash),BND,BND,Cash,0,,,,,4.2,

            "The data and information in this spreadsheet is provided to you solely for your use."
            """);
        var result = store.ImportTransactions(file, "alice-ira", Layouts.FidelityTransactions);
        Assert.Equal(3, result.Added);
        var (cash, holdings) = store.Position("alice-ira");
        Assert.Equal(2000m - 1450.55m + 4.2m, cash);
        Assert.Equal(20m, holdings["BND"]);
        var buy = Assert.Single(store.Transactions("alice-ira"), t => t.Kind == TransactionKind.Buy);
        Assert.Equal(0.55m, buy.Fee);
    }

    [Fact]
    public void ImportPositions_SchwabAndFidelityLikeLayouts()
    {
        var store = Seeded();
        store.ImportPositions(WriteFile("schwab-pos.csv", """
            "Positions for account Individual ...1234 as of 10:00 AM ET, 2025/10/01"
            "Symbol","Description","Quantity","Price","Price Change %","Market Value","Cost Basis"
            "VTI","VANGUARD TOTAL STOCK","12","$310.25","0.5%","$3,723.00","$3,200.00"
            "Cash & Cash Investments","--","--","--","--","$512.34","--"
            "Account Total","--","--","--","--","$4,235.34","$3,200.00"
            """), "alice-taxable", Layouts.SchwabPositions);
        Assert.Equal(12m, store.Position("alice-taxable").Holdings["VTI"]);
        Assert.Equal(512.34m, store.Position("alice-taxable").Cash);
        store.ImportPositions(WriteFile("fidelity-pos.csv", """
            Account Number,Account Name,Symbol,Description,Quantity,Last Price,Last Price Change,Current Value,Today's Gain/Loss Dollar,Cost Basis Total
            X123,IRA,SPAXX**,HELD IN MONEY MARKET,,,,$100.50,,
            X123,IRA,BND,VANGUARD TOTAL BOND,30,$72.75,+$0.10,$2182.50,$3.00,$2100.00
            X123,IRA,Pending Activity,,,,,$10.00,,

            "Date downloaded Oct-01-2025"
            """), "alice-ira", Layouts.FidelityPositions);
        Assert.Equal(30m, store.Position("alice-ira").Holdings["BND"]);
        Assert.Equal(100.50m, store.Position("alice-ira").Cash);
        Assert.Equal(2100m, store.Lots("alice-ira").Single().Cost);
    }

    [Fact]
    public void ColumnMapping_MapsAnyBrokersHeaders()
    {
        var store = Seeded();
        var mapping = Layouts.BallastPositions.With("ticker=Instrument,quantity=Units");
        store.ImportPositions(WriteFile("other.csv", "Instrument,Units\nVXUS,7\n"), "alice-taxable", mapping);
        Assert.Equal(7m, store.Position("alice-taxable").Holdings["VXUS"]);
    }

    [Fact]
    public void Sells_CloseLotsFifo_OrNamedLots()
    {
        var store = Seeded();
        store.Deposit("alice-taxable", 100_000m, new DateOnly(2025, 1, 1));
        var l1 = store.RecordFill(new Fill("e1", "alice-taxable", new DateOnly(2025, 2, 1), "VTI", OrderSide.Buy, 10, 200m));
        var l2 = store.RecordFill(new Fill("e2", "alice-taxable", new DateOnly(2025, 3, 1), "VTI", OrderSide.Buy, 10, 250m));
        var l3 = store.RecordFill(new Fill("e3", "alice-taxable", new DateOnly(2025, 4, 1), "VTI", OrderSide.Buy, 10, 300m));
        store.RecordFill(new Fill("e4", "alice-taxable", new DateOnly(2025, 5, 1), "VTI", OrderSide.Sell, 15, 310m)); // FIFO: all of lot 1, half of lot 2
        store.ImportTransactions(WriteFile("named.csv", "date,type,ticker,quantity,price,amount,fee,lots\n2025-06-01,sell,VTI,5,320,,0," + l3 + "\n"), "alice-taxable");
        var lots = store.Lots("alice-taxable").ToDictionary(l => l.OpenTransactionId);
        Assert.Equal(0m, lots[l1].Remaining);
        Assert.Equal(5m, lots[l2].Remaining);
        Assert.Equal(1250m, lots[l2].Cost);
        Assert.Equal(5m, lots[l3].Remaining);
        Assert.Equal(1500m, lots[l3].Cost);
        Assert.Equal(10m, store.Position("alice-taxable").Holdings["VTI"]);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Sells_Fifo_TakeTheOldestAcquisitionFirst_EvenWhenItWasRecordedLater()
    {
        var store = Seeded();
        store.Deposit("alice-taxable", 100_000m, new DateOnly(2025, 1, 1));
        var march = store.RecordFill(new Fill("b1", "alice-taxable", new DateOnly(2025, 3, 1), "VTI", OrderSide.Buy, 10, 250m));
        var january = store.RecordFill(new Fill("b2", "alice-taxable", new DateOnly(2025, 1, 15), "VTI", OrderSide.Buy, 10, 200m)); // backdated
        store.RecordFill(new Fill("s1", "alice-taxable", new DateOnly(2025, 5, 1), "VTI", OrderSide.Sell, 4, 310m));
        var lots = store.Lots("alice-taxable").ToDictionary(l => l.OpenTransactionId);
        Assert.Equal(6m, lots[january].Remaining);
        Assert.Equal(1200m, lots[january].Cost);
        Assert.Equal(10m, lots[march].Remaining);
        // Replaying the ledger in transaction order reaches the same lots.
        Assert.True(store.Verify().Ok, string.Join("\n", store.Verify().Differences));
    }

    [Fact]
    public void Fills_PartialFillsRecorded_SameFileTwiceUnchanged_DuplicateExecutionRefused()
    {
        var store = Seeded();
        store.Deposit("alice-taxable", 10_000m, new DateOnly(2025, 9, 1));
        var proposal = store.SaveProposal(new NewProposal("account alice-taxable", "0.1.0", "bands: 5%", "{}", "{\"trades\":1}",
            [new ProposedOrder("alice-taxable", "VTI", OrderSide.Buy, 20, 310.25m)]));
        var file = WriteFile("fills.csv", $"""
            execution_id,account,date,ticker,side,quantity,price,fee,proposal
            X-1,alice-taxable,2025-09-30,VTI,buy,12,310.00,0.50,{proposal}
            X-2,alice-taxable,2025-09-30,VTI,buy,8,310.10,0.50,{proposal}
            """);
        var first = store.ImportFills(file);
        var ledger = store.Transactions("alice-taxable");
        var second = store.ImportFills(file);
        Assert.Equal(2, first.Added);
        Assert.Equal(0, second.Added);
        Assert.Equal(2, second.Skipped);
        Assert.Equal(ledger, store.Transactions("alice-taxable"));
        Assert.Equal(20m, store.Position("alice-taxable").Holdings["VTI"]);
        // 10000 - (12*310 + 0.5) - (8*310.10 + 0.5)
        Assert.Equal(3798.2m, store.Position("alice-taxable").Cash);
        var e = Assert.Throws<InputException>(() => store.RecordFill(new Fill("X-1", "alice-taxable", new DateOnly(2025, 9, 30), "VTI", OrderSide.Buy, 12, 310m)));
        Assert.Contains("already recorded", e.Message, StringComparison.Ordinal);
        var snapshot = store.ReadAccounts(new SnapshotQuery(Today, Account: "alice-taxable")).Single();
        Assert.Equal(new DateOnly(2025, 9, 30), snapshot.LastRebalance);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Proposals_StoreInputsPlanAndOrders_ExportOrdersCsv_AppearInHistory()
    {
        var store = Seeded();
        var id = store.SaveProposal(new NewProposal("household alice", "0.1.0", "policy: {}", "{\"in\":1}", "{\"plan\":2}",
            [new ProposedOrder("alice-taxable", "VTI", OrderSide.Sell, 1.5m, 310.25m), new ProposedOrder("alice-ira", "BND", OrderSide.Buy, 4, null)]));
        var p = store.GetProposal(id);
        Assert.Equal("{\"plan\":2}", p.PlanJson);
        Assert.Equal("0.1.0", p.EngineVersion);
        Assert.Equal(2, p.Orders.Count);
        var csv = new StringWriter();
        store.WriteOrdersCsv(id, csv);
        Assert.Equal($"proposal,line,account,ticker,side,quantity,price\n{id},1,alice-taxable,VTI,sell,1.5,310.25\n{id},2,alice-ira,BND,buy,4,\n",
            csv.ToString().ReplaceLineEndings("\n"));
        Assert.Contains(store.History("alice-ira"), h => h.Kind == "proposal" && h.Id == id);
        Assert.Throws<InputException>(() => store.GetProposal(id + 100));
    }

    [Fact]
    public void Models_SetCreatesVersions_AccountsOnModelAreFound()
    {
        var store = Seeded();
        Assert.Equal(1, store.SetModel("balanced", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, "bands: 5%"));
        Assert.Equal(1, store.SetModel("balanced", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, "bands: 5%"));
        Assert.Equal(2, store.SetModel("balanced", new Dictionary<string, decimal> { ["VTI"] = 0.5m, ["BND"] = 0.3m, ["VXUS"] = 0.2m }, "bands: 5%"));
        store.AssignModel("alice-ira", "balanced");
        Assert.Equal(["alice-ira"], store.AccountsOnModel("balanced"));
        Assert.Equal(0.6m, store.GetModel("balanced", 1)!.Targets["VTI"]);
        Assert.Equal(0.2m, store.GetModel("balanced")!.Targets["VXUS"]);
        var e = Assert.Throws<InputException>(() => store.SetModel("bad", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["NOPE"] = 0.3m }));
        Assert.Contains(e.Problems, p => p.Message.Contains("unknown ticker 'NOPE'", StringComparison.Ordinal));
        Assert.Contains(e.Problems, p => p.Message.Contains("sum to 0.9", StringComparison.Ordinal));
    }

    [Fact]
    public void Snapshots_StreamAccountsWithHoldingsPricesTargetsAndPolicy()
    {
        var store = Seeded();
        store.SetModel("balanced", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, "bands: 5%");
        store.AssignModel("alice-taxable", "balanced");
        store.ImportPositions(WriteFile("p.csv", "ticker,quantity\nVTI,10\nBND,20\nCASH,100\n"), "alice-taxable");
        var all = store.ReadAccounts(new SnapshotQuery(Today)).ToList();
        Assert.Equal(["alice-taxable", "alice-ira"], all.Select(a => a.Name));
        var a = all[0];
        Assert.Equal("alice", a.Household);
        Assert.Equal(100m, a.Cash);
        Assert.Equal(new HoldingSnapshot("VTI", 10m, 310.25m, new DateOnly(2025, 9, 30)), a.Holdings.Single(h => h.Ticker == "VTI"));
        Assert.Equal(0.4m, a.Targets!["BND"]);
        Assert.Equal("bands: 5%", a.Policy);
        Assert.Empty(all[1].Holdings);
        var onModel = store.ReadAccountsAsync(new SnapshotQuery(Today, Model: "balanced")).ToBlockingEnumerable().ToList();
        Assert.Equal("alice-taxable", Assert.Single(onModel).Name);
        Assert.Contains("\"VTI\": 10", store.ExportJson(Today, "alice-taxable"), StringComparison.Ordinal);
    }

    [Fact]
    public void Verify_FindsTamperedProjection_AndRebuildRepairsIt()
    {
        var store = Seeded();
        store.ImportPositions(WriteFile("p.csv", "ticker,quantity\nVTI,10\nCASH,50\n"), "alice-taxable");
        Assert.True(store.Verify().Ok);
        store.Read(c => c.Execute("UPDATE holdings SET quantity = quantity + 1000000"));
        var report = store.Verify();
        Assert.False(report.Ok);
        Assert.True(report.Differences.Any(d => d.Contains("holds 11", StringComparison.Ordinal)), string.Join("\n", report.Differences));
        Assert.True(store.RebuildProjections().Ok);
        Assert.Equal(10m, store.Position("alice-taxable").Holdings["VTI"]);
    }

    [Fact]
    public void Audit_RecordsEveryWriteWithActorAndSummary()
    {
        var store = Seeded(actor: "ops-bot");
        store.SetModel("m", new Dictionary<string, decimal> { ["VTI"] = 1m });
        var audit = store.Audit();
        Assert.Equal("model set", audit[0].Action);
        Assert.Equal("ops-bot", audit[0].Actor);
        Assert.Contains("VTI 1", audit[0].Summary, StringComparison.Ordinal);
        Assert.Contains(audit, a => a.Action == "import prices" && a.Summary.Contains("prices.csv", StringComparison.Ordinal));
        Assert.All(audit, a => Assert.Equal(FixedClock.Default, a.At));
    }

    // Bad input: each names file, line and field, and leaves the store as it was.

    [Fact]
    public void BadInput_MissingColumn_NamesHeaderLine()
    {
        var store = Seeded();
        var file = WriteFile("nocol.csv", "ticker,shares\nVTI,10\n");
        AssertRefused(store, () => store.ImportPositions(file, "alice-taxable"), file, 1, "quantity", "missing column");
    }

    [Fact]
    public void BadInput_NonNumericQuantityOnLine37_NamesLine37()
    {
        var store = Seeded();
        var lines = new List<string> { "date,type,ticker,quantity,price,amount,fee", "2025-09-01,deposit,,,,100000," };
        for (var i = 3; i <= 40; i++) lines.Add(i == 37 ? "2025-09-02,buy,VTI,ten,300,,0" : "2025-09-02,buy,VTI,1,300,,0");
        var file = WriteFile("tx37.csv", string.Join("\n", lines) + "\n");
        AssertRefused(store, () => store.ImportTransactions(file, "alice-taxable"), file, 37, "quantity", "'ten' is not a number");
        var positions = WriteFile("pos37.csv", "ticker,quantity\n" + string.Concat(Enumerable.Range(2, 38).Select(i => i == 37 ? "VTI,1x\n" : "BND,1\n")));
        AssertRefused(store, () => store.ImportPositions(positions, "alice-taxable"), positions, 37, "quantity", "not a number");
    }

    [Fact]
    public void BadInput_UnknownTicker_NamesLineAndTicker()
    {
        var store = Seeded();
        var file = WriteFile("unknown.csv", "ticker,quantity\nVTI,1\nZZZZ,5\n");
        AssertRefused(store, () => store.ImportPositions(file, "alice-taxable"), file, 3, "ticker", "unknown ticker 'ZZZZ'");
        var fills = WriteFile("fills.csv", "execution_id,account,date,ticker,side,quantity,price\nE1,alice-taxable,2025-09-30,ZZZZ,buy,1,10\n");
        AssertRefused(store, () => store.ImportFills(fills), fills, 2, "ticker", "unknown ticker");
    }

    [Fact]
    public void BadInput_DateInTheFuture_ByTheInjectedClock()
    {
        var store = Seeded();
        var file = WriteFile("future.csv", "date,type,ticker,quantity,price,amount,fee\n2025-09-01,deposit,,,,100,\n2025-10-02,deposit,,,,100,\n");
        AssertRefused(store, () => store.ImportTransactions(file, "alice-taxable"), file, 3, "date", "in the future");
        var prices = WriteFile("future-prices.csv", "date,ticker,close\n2025-10-02,VTI,1\n");
        AssertRefused(store, () => store.ImportPrices(prices), prices, 2, "date", "in the future");
    }

    [Fact]
    public void BadInput_AccountThatDoesNotExist()
    {
        var store = Seeded();
        var file = WriteFile("accounts.csv", "account,ticker,quantity\nalice-taxable,VTI,1\nbob-roth,VTI,2\n");
        AssertRefused(store, () => store.ImportPositions(file), file, 3, "account", "account 'bob-roth' does not exist");
        var tx = WriteFile("tx.csv", "date,type,amount\n2025-09-01,deposit,100\n");
        AssertRefused(store, () => store.ImportTransactions(tx, "nobody"), tx, null, "--account", "does not exist");
    }

    [Fact]
    public void BadInput_SellMoreThanHeld_RollsBackTheWholeFile()
    {
        var store = Seeded();
        var file = WriteFile("oversell.csv", "date,type,ticker,quantity,price,amount,fee\n2025-09-01,deposit,,,,1000,\n2025-09-02,buy,VTI,1,300,,0\n2025-09-03,sell,VTI,2,300,,0\n");
        AssertRefused(store, () => store.ImportTransactions(file, "alice-taxable"), file, 4, "quantity", "exceeds");
        Assert.Equal(0, Count(store, "transactions"));
    }

    [Fact]
    public void ImportAccounts_Bulk_IsIdempotent()
    {
        var store = NewStore();
        var file = WriteFile("accounts.csv", "account,type,currency,household\na1,taxable,USD,h1\na2,tax-free,usd,h1\na3,tax-deferred,EUR,\n");
        Assert.Equal(3, store.ImportAccounts(file).Added);
        Assert.Equal(0, store.ImportAccounts(file).Added);
        Assert.Equal(["a1", "a2", "a3"], store.Accounts().Select(a => a.Name));
        Assert.Equal("h1", store.Accounts()[1].Household);
        Assert.Equal(AccountType.TaxFree, store.Accounts()[1].Type);
    }

    [Fact]
    public void BulkPositions_ManyAccounts_LoadAndStreamBack()
    {
        var store = Seeded();
        const int Accounts = 3000;
        var accounts = new System.Text.StringBuilder("account,type,currency,household\n");
        var positions = new System.Text.StringBuilder("account,ticker,quantity\n");
        for (var i = 0; i < Accounts; i++)
        {
            accounts.Append($"acct-{i:D5},taxable,USD,house-{i / 2}\n");
            positions.Append($"acct-{i:D5},VTI,{i + 1}\nacct-{i:D5},BND,{i + 0.5m}\nacct-{i:D5},CASH,{i}.25\n");
        }
        store.ImportAccounts(WriteFile("accounts.csv", accounts.ToString()));
        var result = store.ImportPositions(WriteFile("positions.csv", positions.ToString()));
        Assert.Equal(3 * Accounts, result.Added);
        var snapshots = store.ReadAccounts(new SnapshotQuery(Today)).Where(s => s.Name.StartsWith("acct-", StringComparison.Ordinal)).ToList();
        Assert.Equal(Accounts, snapshots.Count);
        Assert.Equal(2999.25m, snapshots[^1].Cash);
        Assert.Equal(3000m, snapshots[^1].Holdings.Single(h => h.Ticker == "VTI").Quantity);
        Assert.Equal(Accounts * 2, Count(store, "holdings"));
        Assert.True(store.Verify().Ok);
        Assert.Equal(0, store.ImportPositions(Path.Combine(Directory, "positions.csv")).Added);
    }
}
