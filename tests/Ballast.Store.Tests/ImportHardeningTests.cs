using Ballast.Input;
using Ballast.Store.Import;
using Ballast.Store.Ledger;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>Imports lose nothing and wrap nothing: each item of the import hardening, on both backends.</summary>
public abstract partial class StoreSuite
{
    private static InputException Refused(BallastStore store, Action act)
    {
        var before = Fingerprint(store);
        var e = Assert.Throws<InputException>(act);
        Assert.Equal(before, Fingerprint(store));
        return e;
    }

    [Fact]
    public void Csv_UnterminatedQuote_IsRefusedNamingFileAndLine_NotSilentlyDroppingRows()
    {
        var store = Seeded();
        store.ImportPositions(WriteFile("first.csv", "ticker,quantity\nVTI,10\nBND,5\nVXUS,3\n"), "alice-taxable");
        var file = WriteFile("quote.csv", "ticker,quantity\nVTI,10\n\"BND,5\nVXUS,3\n");
        var e = Refused(store, () => store.ImportPositions(file, "alice-taxable"));
        var p = Assert.Single(e.Problems);
        Assert.Equal(file, p.File);
        Assert.Equal(3, p.Line);
        Assert.Contains("never closed", p.Message, StringComparison.Ordinal);
        Assert.Equal(3, store.Position("alice-taxable").Holdings.Count); // nothing was closed
        var tx = WriteFile("quote-tx.csv", "date,type,ticker,quantity,price,amount,fee\n2025-09-01,deposit,,,,\"100,\n2025-09-02,deposit,,,,5,\n");
        Assert.Equal(2, Assert.Single(Refused(store, () => store.ImportTransactions(tx, "alice-taxable")).Problems).Line);
    }

    [Fact]
    public void Sums_PastTheScaledRange_AreRefused_NeverWrapped()
    {
        var store = Seeded();
        var deposits = WriteFile("huge.csv", "date,type,ticker,quantity,price,amount,fee\n2025-09-01,deposit,,,,922337203685477,\n2025-09-02,deposit,,,,922337203685477,\n");
        var e = Refused(store, () => store.ImportTransactions(deposits, "alice-taxable"));
        Assert.Contains("largest amount", Assert.Single(e.Problems).Message, StringComparison.Ordinal);
        Assert.Equal(0m, store.Position("alice-taxable").Cash);
        var cash = WriteFile("cash.csv", "ticker,quantity\nCASH,922337203685477\nCASH,922337203685477\n");
        Assert.Contains("largest amount", Assert.Single(Refused(store, () => store.ImportPositions(cash, "alice-taxable")).Problems).Message, StringComparison.Ordinal);
        var lots = WriteFile("lots.csv", "ticker,quantity\nVTI,9223372036854\nVTI,9223372036854\n");
        Assert.Contains("largest quantity", Assert.Single(Refused(store, () => store.ImportPositions(lots, "alice-taxable")).Problems).Message, StringComparison.Ordinal);
        store.Deposit("alice-taxable", 922337203685477m, Today, "big-1");
        Assert.Contains("largest amount", Assert.Throws<InputException>(() => store.Deposit("alice-taxable", 922337203685477m, Today, "big-2")).Message, StringComparison.Ordinal);
        Assert.Equal(922337203685477m, store.Position("alice-taxable").Cash);
        Assert.True(store.Verify().Ok);
        // A basis of 10,000,000 on a millionth of a share is a price of 10^13 a share: past the store's prices, refused.
        var sliver = WriteFile("sliver.csv", "ticker,quantity,cost_basis\nVTI,0.000001,10000000\n");
        var p = Assert.Single(Refused(store, () => store.ImportPositions(sliver, "alice-taxable")).Problems);
        Assert.Equal((2, "cost_basis"), (p.Line, p.Field));
        Assert.Contains("too large a price", p.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AccountsImport_WithMoreBrokerNumbersThanSqliteTakesParameters_Imports()
    {
        // 33,000 accounts with broker numbers: past SQLite's 32,766 parameters, so the lookups cannot bind one per name.
        var store = NewStore();
        var csv = new System.Text.StringBuilder("account,type,currency,household,model,broker_account\n");
        for (var i = 0; i < 33_000; i++) csv.Append(System.Globalization.CultureInfo.InvariantCulture, $"acct-{i},taxable,USD,,,X{i:D6}\n");
        var result = store.ImportAccounts(WriteFile("many.csv", csv.ToString()));
        Assert.Equal(33_000, result.Added);
        Assert.Equal(33_000L, Count(store, "account_numbers"));
    }

    [Fact]
    public void Price_ThatRoundsToZeroAtTheStoreScale_IsRefused()
    {
        var store = Seeded();
        var file = WriteFile("tiny.csv", "date,ticker,close\n2025-09-30,PENNY,0.0000004\n");
        var e = Refused(store, () => store.ImportPrices(file));
        var p = Assert.Single(e.Problems);
        Assert.Equal(2, p.Line);
        Assert.Contains("rounds to 0", p.Message, StringComparison.Ordinal);
        Assert.Contains("PENNY", p.Message, StringComparison.Ordinal);
        Assert.Throws<InputException>(() => store.SetPrice("PENNY", Today, 0.0000004m));
        var tx = WriteFile("tiny-buy.csv", "date,type,ticker,quantity,price,amount,fee\n2025-09-01,deposit,,,,100,\n2025-09-02,buy,VTI,1,0.0000004,,0\n");
        Assert.Contains("rounds to 0", Assert.Single(Refused(store, () => store.ImportTransactions(tx, "alice-taxable")).Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Header_MissingColumns_IsOneProblem_EvenWhenTheHeaderIsHuge()
    {
        var store = Seeded();
        var wide = "h" + string.Join(",h", Enumerable.Range(0, 200_000)) + "\n1\n";
        var file = WriteFile("wide.csv", wide);
        var e = Refused(store, () => store.ImportTransactions(file, "alice-taxable"));
        var p = Assert.Single(e.Problems);
        Assert.Contains("missing columns 'date', 'type'", p.Message, StringComparison.Ordinal);
        Assert.True(p.Message.Length < 1_000, $"message of {p.Message.Length} characters");
        Assert.True(e.Message.Length < 1_000);
    }

    [Fact]
    public void Header_AfterLine20_AndNulInAField_AreCleanInputErrors()
    {
        var store = Seeded();
        var late = WriteFile("late.csv", string.Concat(Enumerable.Repeat("note,\n", 25)) + "ticker,quantity\nVTI,1\n");
        var p = Assert.Single(Refused(store, () => store.ImportPositions(late, "alice-taxable")).Problems);
        Assert.Contains("line 26", p.Message, StringComparison.Ordinal);
        Assert.Contains("first 20 lines", p.Message, StringComparison.Ordinal);
        var nul = WriteFile("nul.csv", "account,type,currency\nbad\0name,taxable,USD\n");
        var n = Assert.Single(Refused(store, () => store.ImportAccounts(nul)).Problems);
        Assert.Equal(2, n.Line);
        Assert.Contains("NUL", n.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Reimport_ThatChangesNothing_AddsNoImportAndNoAuditRow()
    {
        var store = Seeded();
        var accounts = WriteFile("accounts.csv", "account,type,currency\nbob,taxable,USD\n");
        var prices = WriteFile("p2.csv", "date,ticker,close\n2025-09-30,VTI,310.25\n2025-09-30,BND,72.75\n");
        var positions = WriteFile("pos.csv", "ticker,quantity\nVTI,10\nCASH,100\n");
        var tx = WriteFile("tx.csv", "date,type,ticker,quantity,price,amount,fee\n2025-09-01,deposit,,,,1000,\n2025-09-02,buy,BND,2,72.5,,0\n");
        store.ImportAccounts(accounts);
        store.ImportPositions(positions, "bob");
        store.ImportTransactions(tx, "alice-taxable");
        var before = (Count(store, "imports"), Count(store, "audit"), Fingerprint(store));
        Assert.Equal(0, store.ImportAccounts(accounts).Added);
        Assert.Equal(0, store.ImportPrices(prices).Added);
        Assert.Equal(0, store.ImportPositions(positions, "bob").Added);
        Assert.Equal(0, store.ImportTransactions(tx, "alice-taxable").Added);
        Assert.Equal(before, (Count(store, "imports"), Count(store, "audit"), Fingerprint(store)));
    }

    [Fact]
    public void IdempotencyKey_ReusedWithOtherContents_IsRefusedAsAConflictNamingTheKey()
    {
        var store = Seeded();
        store.ImportTransactions(WriteFile("a.csv", "date,type,ticker,quantity,price,amount,fee,id\n2025-09-01,deposit,,,,1000,,T-17\n"), "alice-taxable");
        var changed = WriteFile("b.csv", "date,type,ticker,quantity,price,amount,fee,id\n2025-09-01,deposit,,,,2000,,T-17\n");
        var p = Assert.Single(Refused(store, () => store.ImportTransactions(changed, "alice-taxable")).Problems);
        Assert.Contains("'T-17'", p.Message, StringComparison.Ordinal);
        Assert.Contains("other contents", p.Message, StringComparison.Ordinal);
        store.Deposit("alice-taxable", 50m, Today, "dep-9");
        var e = Assert.Throws<InputException>(() => store.Deposit("alice-taxable", 60m, Today, "dep-9"));
        Assert.Contains("'dep-9'", e.Message, StringComparison.Ordinal);
        Assert.Contains("conflict", e.Message, StringComparison.Ordinal);
        Assert.Equal(1050m, store.Position("alice-taxable").Cash);
    }

    [Fact]
    public void BrokerId_TwiceInOneFile_IsOneTransaction_AndWithOtherContentsAConflict()
    {
        var store = Seeded();
        var before = store.Position("alice-taxable").Cash;
        // The same row twice under one id (a duplicated export line) is one transaction.
        store.ImportTransactions(WriteFile("dup.csv", "date,type,ticker,quantity,price,amount,fee,id\n2025-09-01,deposit,,,,1000,,T-1\n2025-09-01,deposit,,,,1000,,T-1\n"), "alice-taxable");
        var cash = store.Position("alice-taxable").Cash;
        Assert.Equal(before + 1000m, cash);
        // Two different rows under one id are refused, naming both lines, and nothing is written.
        var clash = WriteFile("clash.csv", "date,type,ticker,quantity,price,amount,fee,id\n2025-09-02,deposit,,,,500,,T-2\n2025-09-02,deposit,,,,7,,T-2\n");
        var p = Assert.Single(Refused(store, () => store.ImportTransactions(clash, "alice-taxable")).Problems);
        Assert.Equal(3, p.Line);
        Assert.Contains("'T-2' is also on line 2 with other contents", p.Message, StringComparison.Ordinal);
        Assert.Equal(cash, store.Position("alice-taxable").Cash);
    }

    [Fact]
    public void Messages_NameTheRealReasonAndTheTicker_NeverInternalIds()
    {
        var store = Seeded();
        var big = WriteFile("big.csv", "ticker,quantity\nVTI,1e13\n");
        var p = Assert.Single(Refused(store, () => store.ImportPositions(big, "alice-taxable")).Problems);
        Assert.Contains("quantity of VTI 10000000000000 is too large", p.Message, StringComparison.Ordinal);
        var fine = WriteFile("fine.csv", "ticker,quantity\nVTI,1.0000001\n");
        Assert.Contains("more than 6 decimals", Assert.Single(Refused(store, () => store.ImportPositions(fine, "alice-taxable")).Problems).Message, StringComparison.Ordinal);
        store.ImportPositions(WriteFile("held.csv", "ticker,quantity\nVTI,5\n"), "alice-taxable", asOf: new DateOnly(2025, 9, 1));
        var sell = WriteFile("sell.csv", "date,type,ticker,quantity,price,amount,fee\n2025-09-10,sell,VTI,7,300,,0\n");
        var s = Assert.Single(Refused(store, () => store.ImportTransactions(sell, "alice-taxable")).Problems);
        Assert.Contains("VTI", s.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("security ", s.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Positions_OptionsAndUnpricedTickers_AreListedAndRefused_OrSkippedAndRecordedWithSkipUnknown()
    {
        var store = Seeded();
        var file = WriteFile("opt.csv", "ticker,quantity\nVTI,3\nAAPL 08/16/2025 220.00 C,2\nZZZZ,5\nNEWCO,4,\n");
        var refused = Refused(store, () => store.ImportPositions(file, "alice-taxable"));
        Assert.Equal(3, Assert.Single(refused.Problems).Line); // the option: every such row is listed before the store is read
        var result = store.ImportPositions(file, "alice-taxable", skipUnknown: true);
        Assert.Equal(["skipped line 3: option position 'AAPL 08/16/2025 220.00 C' is not modeled",
            "skipped line 4: unknown ticker 'ZZZZ' without a price", "skipped line 5: unknown ticker 'NEWCO' without a price"], result.Notes);
        Assert.Equal(new Dictionary<string, decimal> { ["VTI"] = 3m }, store.Position("alice-taxable").Holdings);
        Assert.Equal(3, store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM import_skipped")));
        // A price in the file makes a new ticker known.
        store.ImportPositions(WriteFile("priced.csv", "ticker,quantity,price\nVTI,3,310\nNEWCO,4,12.5\n"), "alice-taxable");
        Assert.Equal(4m, store.Position("alice-taxable").Holdings["NEWCO"]);
        Assert.Equal(12.5m, store.LatestPrices(Today)["NEWCO"].Close);
        Assert.Equal(310m, store.LatestPrices(Today)["VTI"].Close); // the file's price, for the as-of date only
        Assert.Equal(310.25m, store.LatestPrices(new DateOnly(2025, 9, 30))["VTI"].Close);
        // When the store has a close for the as-of date, it is kept.
        store.ImportPositions(WriteFile("repriced.csv", "ticker,quantity,price\nVTI,3,999\nNEWCO,4,12.5\n"), "alice-taxable");
        Assert.Equal(310m, store.LatestPrices(Today)["VTI"].Close);
    }
}
