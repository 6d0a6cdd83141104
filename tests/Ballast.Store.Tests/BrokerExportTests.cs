using Ballast.Input;
using Ballast.Store.Import;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>
/// Public sample broker exports (see BrokerExports/README.md for where each comes from), each imported as the README says:
/// as found, with <c>--skip-unknown</c>, with <c>--map</c>, or after opening positions for shares bought before the export begins.
/// </summary>
public abstract partial class StoreSuite
{
    private static string Export(string name) => Path.Combine(AppContext.BaseDirectory, "BrokerExports", name);

    /// <summary>A store whose clock is 2026-06-01, with accounts mapped to the exports' broker account numbers.</summary>
    private BallastStore CorpusStore(string prices = "")
    {
        var store = BallastStore.Initialize(Location, Options() with { Time = new FixedClock(new DateTimeOffset(2026, 6, 1, 12, 0, 0, TimeSpan.Zero)) });
        store.ImportAccounts(WriteFile("corpus-accounts.csv", """
            account,type,currency,broker_account
            chuck-individual,taxable,USD,XXXX-1234
            chuck-roth,tax-free,USD,XXXX-5678
            fido-a,taxable,USD,Z00000000
            fido-b,tax-deferred,USD,Z00000001
            fido-main,taxable,USD,U12349876
            fido-ira,tax-deferred,USD,111111111
            fido-hsa,tax-free,USD,222222222
            fido-brokerage,taxable,USD,333333333
            fido-cma,taxable,USD,444444444
            fido-529,tax-free,USD,555555555
            vanguard-529,tax-free,USD,535672845-01
            schwab,taxable,USD,
            ibkr,taxable,USD,
            """));
        if (prices.Length > 0)
            store.ImportPrices(WriteFile("corpus-prices.csv", "date,ticker,close\n" + string.Concat(prices.Split(' ').Select(t => $"2021-01-04,{t},10\n"))));
        return store;
    }

    private static void Ok(BallastStore store)
    {
        var report = store.Verify();
        Assert.True(report.Ok, string.Join("\n", report.Differences));
    }

    [Fact]
    public void Export_SchwabPositionsIndividual_ImportsAsFound_WithItsPricesAndBasis()
    {
        var store = CorpusStore();
        var result = store.ImportPositions(Export("schwab-positions-individual.csv"), "chuck-individual", Layouts.SchwabPositions, new DateOnly(2021, 9, 26));
        Assert.Equal(2, result.Added);
        var (cash, holdings) = store.Position("chuck-individual");
        Assert.Equal(961m, holdings["SCHB"]);
        Assert.Equal(42.82m, cash);
        Assert.Equal(100975.73m, store.Lots("chuck-individual").Single().Cost);
        Assert.Equal(117.42m, store.LatestPrices(new DateOnly(2021, 9, 26))["SCHB"].Close);
        Ok(store);
    }

    [Fact]
    public void Export_SchwabPositionsAllAccounts_RoutesEachSectionByAccountNumber_AndRefusesAccountFlag()
    {
        var store = CorpusStore();
        var file = Export("schwab-positions-all-accounts.csv");
        var e = Assert.Throws<InputException>(() => store.ImportPositions(file, "chuck-individual", Layouts.SchwabPositions, new DateOnly(2021, 9, 26)));
        Assert.Contains("holds 2 accounts (XXXX-1234, XXXX-5678)", Assert.Single(e.Problems).Message, StringComparison.Ordinal);
        store.ImportPositions(file, null, Layouts.SchwabPositions, new DateOnly(2021, 9, 26));
        Assert.Equal(961m, store.Position("chuck-individual").Holdings["SCHB"]);
        var roth = store.Position("chuck-roth");
        Assert.Equal(new Dictionary<string, decimal> { ["IAU"] = 50m, ["VOO"] = 10m }, roth.Holdings);
        Assert.Equal(42.82m, roth.Cash);
        Ok(store);
    }

    [Fact]
    public void Export_FidelityPositionsTwoAccounts_RoutesRowsByAccountNumber()
    {
        var store = CorpusStore();
        var file = Export("fidelity-positions-two-accounts.csv");
        Assert.Throws<InputException>(() => store.ImportPositions(file, "fido-a", Layouts.FidelityPositions, new DateOnly(2021, 7, 30)));
        store.ImportPositions(file, null, Layouts.FidelityPositions, new DateOnly(2021, 7, 30));
        Assert.Equal(900m, store.Position("fido-a").Holdings["VWO"]);
        Assert.Equal(800m, store.Position("fido-b").Holdings["VOO"]);
        Assert.Equal(38362.05m, store.Lots("fido-b").Single().Cost);
        Assert.Equal(50.922m, store.LatestPrices(new DateOnly(2021, 7, 30))["VWO"].Close);
        Ok(store);
    }

    [Fact]
    public void Export_FidelityStatement_NeedsMap_AndAgreesWithItsOwnHistory()
    {
        var store = CorpusStore();
        var mapping = Layouts.FidelityPositions.With("ticker=Symbol/CUSIP,price=Price,market_value=Ending Value,cost_basis=Cost Basis");
        store.ImportPositions(Export("fidelity-statement-2025.csv"), "fido-main", mapping, new DateOnly(2025, 12, 31));
        Assert.Equal(200.8724m, store.Position("fido-main").Holdings["VT"]);
        Assert.Equal(0.61m, store.Position("fido-main").Holdings["QPIFQ"]);
        // The same account's history for December ends at the statement's 200.8724 VT: reconciling it keeps the statement's
        // numbers and replaces the stand-in lot with the history's own lots.
        var history = store.ImportTransactions(Export("fidelity-history-2025.csv"), null, Layouts.FidelityTransactions);
        Assert.Equal(16, history.Added);
        Assert.Equal(200.8724m, store.Position("fido-main").Holdings["VT"]);
        Assert.Equal([new DateOnly(2025, 12, 15), new DateOnly(2025, 12, 23), new DateOnly(2025, 12, 24)],
            store.Lots("fido-main").Where(l => l.Ticker == "VT" && l.Remaining != 0).Select(l => l.OpenDate).Distinct().Order().ToList());
        Ok(store);
    }

    [Fact]
    public void Export_FidelityHistory2025_ImportsAsFound_RoutedByAccountNumber()
    {
        var store = CorpusStore("VT");
        var result = store.ImportTransactions(Export("fidelity-history-2025.csv"), null, Layouts.FidelityTransactions);
        Assert.Equal(16, result.Added);
        var (cash, holdings) = store.Position("fido-main");
        Assert.Equal(200.8724m, holdings["VT"]);
        Assert.Equal(-28499.01m + 1.65m + 144.98m - 21.75m, cash); // buys, interest, dividend, non-resident tax
        Assert.Equal(0, store.ImportTransactions(Export("fidelity-history-2025.csv"), null, Layouts.FidelityTransactions).Added);
        Ok(store);
    }

    [Fact]
    public void Export_FidelityAllAccounts2025_HeadersWithoutDollar_NeedSkipUnknownAndOpeningPositions()
    {
        var store = CorpusStore("BND VTEB WM VVV");
        var file = Export("fidelity-all-accounts-2025.csv");
        var refused = Assert.Throws<InputException>(() => store.ImportTransactions(file, null, Layouts.FidelityTransactions));
        Assert.Equal([16, 17], refused.Problems.Select(p => p.Line!.Value).ToArray()); // REDEMPTION PAYOUT and MERGER, listed together
        Assert.Throws<InputException>(() => store.ImportTransactions(file, "fido-brokerage", Layouts.FidelityTransactions, skipUnknown: true));
        var noOpening = Assert.Throws<InputException>(() => store.ImportTransactions(file, null, Layouts.FidelityTransactions, skipUnknown: true));
        Assert.Contains("sell of 341 VVV on 2025-11-24", Assert.Single(noOpening.Problems).Message, StringComparison.Ordinal);
        store.ImportPositions(WriteFile("opening.csv", "ticker,quantity\nVVV,341\n"), "fido-brokerage", asOf: new DateOnly(2025, 11, 1));
        var result = store.ImportTransactions(file, null, Layouts.FidelityTransactions, skipUnknown: true);
        Assert.Equal(["skipped line 16: 'REDEMPTION PAYOUT HOUSTON TEX UTIL SYS REV REF BDS SER. 05.00000% 11/15/2025 2015D (Cash)' of 44244CCF2 is not modeled",
                "skipped line 17: 'MERGER MER FROM 54211N101#REOR M0051702100001 LONDON STOCK EXCHANGE GROUP SPON ADS... (LSEGY) (Margin)' of LSEGY is not modeled",
                "skipped line 22: unknown ticker '412003AD7'"],
            result.Notes!.Where(n => n.StartsWith("skipped", StringComparison.Ordinal)).ToArray());
        Assert.Equal(9.598m, store.Position("fido-ira").Holdings["BND"]);
        Assert.Equal(73.459m, store.Position("fido-brokerage").Holdings["VTEB"]);
        Assert.False(store.Position("fido-brokerage").Holdings.ContainsKey("VVV"));
        Assert.Equal(8613.36m + 37592.63m + 760.05m - 612.5m, store.Position("fido-cma").Cash);
        Assert.Equal(3, store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM import_skipped")));
        Ok(store);
    }

    [Fact]
    public void Export_SchwabBrokerage_SellsSharesBoughtBeforeTheExport_NeedsOpeningPositions()
    {
        var store = CorpusStore("BND");
        var file = Export("schwab-transactions-brokerage.csv");
        var e = Assert.Throws<InputException>(() => store.ImportTransactions(file, "schwab", Layouts.SchwabTransactions));
        Assert.Contains("sell of 10.065 BND on 2023-04-18 exceeds the 0.0249 held", Assert.Single(e.Problems).Message, StringComparison.Ordinal);
        store.ImportPositions(WriteFile("opening.csv", "ticker,quantity\nBND,20\n"), "schwab", asOf: new DateOnly(2022, 12, 1));
        var result = store.ImportTransactions(file, "schwab", Layouts.SchwabTransactions);
        Assert.Equal(11, result.Added);
        Assert.Equal(20m - 10.065m + 0.0249m + 45m, store.Position("schwab").Holdings["BND"]);
        Ok(store);
    }

    [Fact]
    public void Export_SchwabOptions_NeedSkipUnknown_EveryOptionRowListed()
    {
        var store = CorpusStore("AAPL MSFT SNAP DELL RKLB");
        var file = Export("schwab-transactions-options.csv");
        var e = Assert.Throws<InputException>(() => store.ImportTransactions(file, "schwab", Layouts.SchwabTransactions));
        Assert.Equal([8, 9, 10, 12, 13, 15, 16, 18, 19, 20, 21, 22, 23], e.Problems.Select(p => p.Line!.Value).ToArray());
        var result = store.ImportTransactions(file, "schwab", Layouts.SchwabTransactions, skipUnknown: true);
        Assert.Equal(9, result.Added);
        Assert.Equal(13, result.Notes!.Count(n => n.StartsWith("skipped", StringComparison.Ordinal)));
        Assert.Equal(new Dictionary<string, decimal> { ["AAPL"] = 5m, ["MSFT"] = 5m, ["RKLB"] = 1000m, ["SNAP"] = 100m }, store.Position("schwab").Holdings);
        Ok(store);
    }

    [Fact]
    public void Export_SchwabStockPlan_SellBeforeItsBuy_IsRefused_ThenImportsWithOpeningPositions()
    {
        var store = CorpusStore("AAPL MSFT GOOGL");
        var file = Export("schwab-transactions-stock-plan.csv");
        var e = Assert.Throws<InputException>(() => store.ImportTransactions(file, "schwab", Layouts.SchwabTransactions));
        var p = Assert.Single(e.Problems);
        Assert.Equal(10, p.Line);
        Assert.Contains("sell of 50 GOOGL on 2024-04-12", p.Message, StringComparison.Ordinal);
        store.ImportPositions(WriteFile("opening.csv", "ticker,quantity\nGOOGL,50\n"), "schwab", asOf: new DateOnly(2024, 1, 2));
        store.ImportTransactions(file, "schwab", Layouts.SchwabTransactions);
        Assert.Equal(new Dictionary<string, decimal> { ["AAPL"] = 50m, ["GOOGL"] = 100m, ["MSFT"] = 30m }, store.Position("schwab").Holdings);
        Ok(store);
    }

    [Fact]
    public void Export_SchwabCorporateActions_ShareMovementsApplied_MergersAndSpinOffsNeedSkipUnknown()
    {
        var store = CorpusStore("SPY NFRIX FIHBX SWVXX SNSXX SNAXX VNQ GBDC ARCC TCPC TSLX NMFC FMGIX VEA VWO DGLRX AVGO TNXP AMC");
        var file = Export("schwab-transactions-corporate-actions.csv");
        var e = Assert.Throws<InputException>(() => store.ImportTransactions(file, "schwab", Layouts.SchwabTransactions));
        Assert.Equal(7, e.Problems.Count); // spin-off, two merger rows, two name-change rows, two conversion rows
        store.ImportPositions(WriteFile("opening.csv", "ticker,quantity\nFIHBX,600\nSNAXX,500135\nDGLRX,900\n"), "schwab", asOf: new DateOnly(2022, 12, 31));
        var result = store.ImportTransactions(file, "schwab", Layouts.SchwabTransactions, skipUnknown: true);
        Assert.Equal(8, result.Notes!.Count(n => n.StartsWith("skipped", StringComparison.Ordinal)));
        Assert.Contains("skipped line 111: unknown ticker '890260854'", result.Notes!);
        var holdings = store.Position("schwab").Holdings;
        Assert.Equal(10m, holdings["AVGO"]); // 1 bought, 9 from the split
        Assert.Equal(4m, holdings["AMC"]); // stock dividend
        Assert.Equal(1m, holdings["TNXP"]); // the new shares of the reverse split
        Assert.Equal(900m + 4.546m - 877m, holdings["DGLRX"]); // journaled out
        Ok(store);
    }

    [Fact]
    public void Export_Vanguard529_PositionsAndTransactions_NeedMap()
    {
        var store = CorpusStore();
        var file = Export("vanguard-529-download.csv");
        store.ImportPositions(file, null, Layouts.FidelityPositions.With("account=Fund Account Number,ticker=Fund Name,quantity=Shares,price=Price,market_value=Total Value"),
            new DateOnly(2023, 9, 10));
        var fund = "VANGUARD TARGET ENROLLMENT 2040/2041 PORTFOLIO";
        Assert.Equal(348.5265m, store.Position("vanguard-529").Holdings[fund]);
        Assert.Equal(9.45m, store.LatestPrices(new DateOnly(2023, 9, 10))[fund].Close);
        var tx = store.ImportTransactions(file, null, Layouts.FidelityTransactions.With("account=Account Number,date=Trade Date,action=Transaction Type,amount=Net Amount"));
        Assert.Equal(8, tx.Added);
        Ok(store);
    }

    [Fact]
    public void Export_IbkrFlexTrades_NeedMapAndSkipUnknown_ForCurrencyExchanges()
    {
        var store = CorpusStore("CH0111762537 US9220427424");
        var mapping = Layouts.SchwabTransactions.With("date=TradeDate,action=Buy/Sell,ticker=ISIN,quantity=Quantity,price=TradePrice,amount=TradeMoney,fee=IBCommission");
        var file = Export("ibkr-flex-trades.csv");
        Assert.Equal(3, Assert.Throws<InputException>(() => store.ImportTransactions(file, "ibkr", mapping)).Problems.Count);
        var result = store.ImportTransactions(file, "ibkr", mapping, skipUnknown: true);
        Assert.Equal(8, result.Added);
        Assert.Equal(new Dictionary<string, decimal> { ["CH0111762537"] = 7m, ["US9220427424"] = 323m }, store.Position("ibkr").Holdings);
        Ok(store);
    }

    [Fact]
    public void Export_IbkrFlexDividends_ImportWithMap()
    {
        var store = CorpusStore();
        var result = store.ImportTransactions(Export("ibkr-flex-dividends.csv"), "ibkr", Layouts.SchwabTransactions.With("date=SettleDate,action=Type,ticker=ISIN,amount=Amount"));
        Assert.Equal(11, result.Added);
        Assert.Equal(821.69m, store.Position("ibkr").Cash);
        Ok(store);
    }
}
