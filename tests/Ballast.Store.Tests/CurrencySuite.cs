using Ballast.Input;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Store.Ledger;

namespace Ballast.Store.Tests;

/// <summary>Security currencies, FX rates and stored execution settings, on both providers.</summary>
public abstract partial class StoreSuite
{
    /// <summary>
    /// VTI and BND in USD (closes of 2025-09-30: 331.25 and 72.10), USDKRW rates for 2025-09-26 and 2025-09-29, a KRW account
    /// <c>kr</c> holding 10 VTI and 5,000,000 won, following model <c>kr-core</c> (VTI 60 %, BND 40 %).
    /// </summary>
    private BallastStore KrwAccount()
    {
        var store = NewStore();
        store.ImportPrices(WriteFile("usd.csv", """
            date,ticker,close,currency
            2025-09-25,VTI,320,USD
            2025-09-30,VTI,331.25,USD
            2025-09-30,BND,72.10,USD
            """));
        store.ImportFx(WriteFile("fx.csv", """
            date,pair,rate
            2025-09-26,USDKRW,1380.5
            2025-09-29,USDKRW,1390.25
            """));
        store.SetModel("kr-core", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m });
        store.AddAccount(new NewAccount("kr", AccountType.Taxable, "KRW", Model: "kr-core"));
        store.Deposit("kr", 9_000_000m, new DateOnly(2025, 9, 1));
        store.RecordFill(new Fill("kr-1", "kr", new DateOnly(2025, 9, 2), "VTI", OrderSide.Buy, 10, 400_000m));
        return store;
    }

    [Fact]
    public void Fx_ImportStoresRatesExactly_ListsCoverage_ReimportChangesNothing()
    {
        var store = NewStore();
        var file = WriteFile("fx.csv", "date,pair,rate\n2025-09-29,usd/krw,1390.25\n2025-09-30,USDKRW,1391.12345678\n2025-09-30,EURUSD,1.0725\n");
        var result = store.ImportFx(file);
        Assert.Equal(3, result.Added);
        var latest = store.LatestFxRates(new DateOnly(2025, 9, 30));
        Assert.Equal(1391.12345678m, latest["USDKRW"].Rate);
        Assert.Equal(1.0725m, latest["EURUSD"].Rate);
        Assert.Equal(1390.25m, store.LatestFxRates(new DateOnly(2025, 9, 29))["USDKRW"].Rate);
        var coverage = store.ListFx(Today);
        Assert.Equal(["EURUSD", "USDKRW"], coverage.Select(c => c.Pair));
        var krw = coverage[1];
        Assert.Equal((2, new DateOnly(2025, 9, 29), new DateOnly(2025, 9, 30), 1391.12345678m), (krw.Rates, krw.First, krw.Last, krw.Latest));
        var before = Fingerprint(store);
        Assert.Equal(0, store.ImportFx(file).Added);
        Assert.Equal(before, Fingerprint(store));
    }

    [Theory]
    [InlineData("2025-09-30,USDKRW,1380.123456789", 2, "rate", "more than 8 decimals")]
    [InlineData("2025-09-30,USDKRW,0", 2, "rate", "not a positive number")]
    [InlineData("2025-09-30,USDKRW,abc", 2, "rate", "not a positive number")]
    [InlineData("2025-09-30,USDUSD,1", 2, "pair", "not a currency pair")]
    [InlineData("2025-09-30,USD-KRW,1", 2, "pair", "not a currency pair")]
    [InlineData("2025-10-02,USDKRW,1380", 2, "date", "in the future")]
    [InlineData("2025-09-31,USDKRW,1380", 2, "date", "not a date")]
    [InlineData("2025-09-30,USDKRW,99999999999", 2, "rate", "too large")]
    public void Fx_BadRow_RefusesWholeFile_NamingFileLineAndField(string row, int line, string field, string message)
    {
        var store = NewStore();
        store.ImportFx(WriteFile("ok.csv", "date,pair,rate\n2025-09-29,USDKRW,1390\n"));
        var file = WriteFile("fx.csv", $"date,pair,rate\n{row}\n2025-09-30,EURUSD,1.07\n");
        var before = store.ListFx(Today);
        AssertRefused(store, () => store.ImportFx(file), file, line, field, message);
        Assert.Equal(before, store.ListFx(Today));
    }

    [Fact]
    public void Fx_SamePairAndDateTwiceWithDifferentRates_Refused()
    {
        var store = NewStore();
        var file = WriteFile("fx.csv", "date,pair,rate\n2025-09-30,USDKRW,1390\n2025-09-30,USDKRW,1391\n");
        AssertRefused(store, () => store.ImportFx(file), file, 3, "rate", "appears twice");
    }

    [Fact]
    public void Prices_Currency_FromColumnOrFlag_SetOnce()
    {
        var store = NewStore();
        store.ImportPrices(WriteFile("a.csv", "date,ticker,close,currency\n2025-09-30,VTI,331.25,usd\n2025-09-30,OLD,10,\n"));
        store.ImportPrices(WriteFile("b.csv", "date,SAMSUNG\n2025-09-30,71000\n"), currency: "KRW");
        var listed = store.ListPrices(Today).ToDictionary(p => p.Ticker, p => p.Currency);
        Assert.Equal("USD", listed["VTI"]);
        Assert.Null(listed["OLD"]);
        Assert.Equal("KRW", listed["SAMSUNG"]);
        // A stated currency is filled in for a security without one, even when its closes are unchanged.
        store.ImportPrices(WriteFile("c.csv", "date,ticker,close\n2025-09-30,OLD,10\n"), currency: "EUR");
        Assert.Equal("EUR", store.ListPrices(Today).Single(p => p.Ticker == "OLD").Currency);
        // Another currency for a security that has one refuses the file, writing nothing.
        AssertRefused(store, () => store.ImportPrices(WriteFile("d.csv", "date,ticker,close,currency\n2025-09-30,BND,72,USD\n2025-09-30,VTI,332,EUR\n")),
            Path.Combine(Directory, "d.csv"), 3, "currency", "VTI is stored in USD, not EUR");
        Assert.DoesNotContain(store.ListPrices(Today), p => p.Ticker == "BND");
        AssertRefused(store, () => store.ImportPrices(WriteFile("e.csv", "date,ticker,close,currency\n2025-09-30,X,1,USD\n2025-09-30,X,1,EUR\n")),
            Path.Combine(Directory, "e.csv"), 3, "currency", "a security has one currency");
        AssertRefused(store, () => store.ImportPrices(WriteFile("f.csv", "date,ticker,close,currency\n2025-09-30,X,1,dollars\n")),
            Path.Combine(Directory, "f.csv"), 2, "currency", "not a three-letter");
        var e = Assert.Throws<InputException>(() => store.ImportPrices(WriteFile("g.csv", "date,SAMSUNG\n2025-09-30,72000\n"), currency: "USD"));
        Assert.Equal("--currency", Assert.Single(e.Problems).Field);
        Assert.Equal(71000m, store.LatestPrices(Today)["SAMSUNG"].Close);
    }

    [Fact]
    public void Fx_KrwAccountHoldingUsdTicker_IsValuedThroughTheRateOnOrBeforeTheAsOfDate()
    {
        var store = KrwAccount();
        var snapshot = store.ReadAccounts(new SnapshotQuery(Today, Account: "kr")).Single();
        var vti = Assert.Single(snapshot.Holdings);
        // 331.25 USD x 1,390.25 (the rate of 2025-09-29, the latest on or before 2025-10-01) = 460,520.3125 KRW a share.
        Assert.Equal(460_520.3125m, vti.Price);
        Assert.Equal(("USD", "KRW", "USDKRW", new DateOnly(2025, 9, 29), 1390.25m, 331.25m),
            (vti.Fx!.From, vti.Fx.To, vti.Fx.Rate!.Pair, vti.Fx.Rate.Date, vti.Fx.Rate.Rate, vti.Fx.Close));
        // 72.10 x 1,390.25 = 100,237.025 KRW.
        Assert.Equal(100_237.025m, snapshot.TargetPrices!["BND"].Close);

        var stored = new StoredPortfolios(Today).Convert(snapshot);
        Assert.True(stored.Portfolio is not null, stored.Error);
        var p = stored.Portfolio!;
        Assert.Equal("KRW", p.Currency);
        Assert.Equal(4_605_203.125m, Assert.Single(p.Positions).Value);
        Assert.Equal(460_520.3125m, p.FindSecurity("VTI")!.Price);
        Assert.Equal(100_237.025m, p.FindSecurity("BND")!.Price);
        Assert.Contains(stored.Warnings, w => w.Contains("VTI is priced in KRW: 331.25 USD x USDKRW 1390.25 (2025-09-29) = 460520.3125 KRW", StringComparison.Ordinal));
        Assert.Contains(stored.Warnings, w => w.StartsWith("BND is priced in KRW", StringComparison.Ordinal));

        // Orders are in shares, priced in the account's currency: 5,000,000 won buys about 37.9 BND, not 69,000.
        var plan = Planner.Create(p);
        var bnd = plan.Trades.Single(t => t.Ticker == "BND");
        Assert.Equal(100_237.025m, bnd.Price);
        Assert.InRange(bnd.Quantity!.Value, 37m, 39m);

        // A rate older than the stale limit is warned about.
        var strict = new StoredPortfolios(Today, 1, x => x, x => x).Convert(snapshot);
        Assert.Contains("the USDKRW rate is from 2025-09-29, more than 1 days before 2025-10-01", strict.Warnings);

        // An earlier as-of date takes the rate on or before it: 320 x 1,380.5.
        var earlier = store.ReadAccounts(new SnapshotQuery(new DateOnly(2025, 9, 27), Account: "kr")).Single();
        Assert.Equal(441_760m, Assert.Single(earlier.Holdings).Price);
    }

    [Fact]
    public void Fx_InversePair_DividesTheClose()
    {
        var store = NewStore();
        store.ImportPrices(WriteFile("p.csv", "date,ticker,close,currency\n2025-09-30,SAMSUNG,71000,KRW\n2025-09-30,VTI,331.25,USD\n"));
        store.ImportFx(WriteFile("fx.csv", "date,pair,rate\n2025-09-30,USDKRW,1400\n"));
        store.SetModel("m", new Dictionary<string, decimal> { ["SAMSUNG"] = 0.5m, ["VTI"] = 0.5m });
        store.AddAccount(new NewAccount("us", AccountType.Taxable, "USD", Model: "m"));
        store.Deposit("us", 1000m, new DateOnly(2025, 9, 1));
        var stored = new StoredPortfolios(Today).Convert(store.ReadAccounts(new SnapshotQuery(Today, Account: "us")).Single());
        Assert.True(stored.Portfolio is not null, stored.Error);
        // 71,000 KRW / 1,400 = 50.714285714... USD, rounded half away from zero to 6 decimals.
        Assert.Equal(50.714286m, stored.Portfolio!.FindSecurity("SAMSUNG")!.Price);
        Assert.Equal(331.25m, stored.Portfolio.FindSecurity("VTI")!.Price);
        Assert.Contains(stored.Warnings, w => w.Contains("71000 KRW / USDKRW 1400 (2025-09-30) = 50.714286 USD", StringComparison.Ordinal));
    }

    [Fact]
    public void Fx_ConvertedPriceOutsideTheEnginesRange_Refused()
    {
        var store = NewStore();
        store.ImportPrices(WriteFile("p.csv", "date,ticker,close,currency\n2025-09-30,BIG,1000000,USD\n"));
        store.ImportFx(WriteFile("fx.csv", "date,pair,rate\n2025-09-30,USDKRW,1400\n"));
        store.SetModel("m", new Dictionary<string, decimal> { ["BIG"] = 1m });
        store.AddAccount(new NewAccount("kr", AccountType.Taxable, "KRW", Model: "m"));
        store.Deposit("kr", 1000m, new DateOnly(2025, 9, 1));
        var stored = new StoredPortfolios(Today).Convert(store.ReadAccounts(new SnapshotQuery(Today, Account: "kr")).Single());
        Assert.Null(stored.Portfolio);
        Assert.Contains("BIG at 1000000 USD converts to 1400000000 KRW with USDKRW 1400, outside the prices the engine takes", stored.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fx_MissingRate_RefusesThePlanNamingPairAndDate_NeverOneToOne()
    {
        var store = KrwAccount();
        // Before the first USDKRW rate (2025-09-26), VTI's close of 2025-09-25 cannot be converted.
        var asOf = new DateOnly(2025, 9, 25);
        var stored = new StoredPortfolios(asOf).Convert(store.ReadAccounts(new SnapshotQuery(asOf, Account: "kr")).Single());
        Assert.Null(stored.Portfolio);
        Assert.Contains("no USDKRW rate (nor KRWUSD) on or before 2025-09-25", stored.Error, StringComparison.Ordinal);
        Assert.Contains("VTI (USD) in KRW", stored.Error, StringComparison.Ordinal);
        Assert.Null(Assert.Single(store.ReadAccounts(new SnapshotQuery(asOf, Account: "kr")).Single().Holdings).Price);

        // A target the account does not hold needs a rate too.
        var other = store;
        other.ImportPrices(WriteFile("ewy.csv", "date,ticker,close,currency\n2025-09-30,EWY,60,USD\n"));
        other.SetModel("m", new Dictionary<string, decimal> { ["EWY"] = 1m });
        other.AddAccount(new NewAccount("eu", AccountType.Taxable, "EUR", Model: "m"));
        other.Deposit("eu", 1000m, new DateOnly(2025, 9, 1));
        var target = new StoredPortfolios(Today).Convert(other.ReadAccounts(new SnapshotQuery(Today, Account: "eu")).Single());
        Assert.Null(target.Portfolio);
        Assert.Contains("no USDEUR rate (nor EURUSD) on or before 2025-10-01 to price EWY (USD) in EUR", target.Error, StringComparison.Ordinal);
    }

    [Fact]
    public void Fx_SecurityWithoutCurrency_IsPricedAsTheAccountsCurrency()
    {
        var store = Seeded();
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 1m });
        store.AssignModel("alice-taxable", "core");
        var stored = new StoredPortfolios(Today).Convert(store.ReadAccounts(new SnapshotQuery(Today, Account: "alice-taxable")).Single());
        Assert.Equal(310.25m, stored.Portfolio!.FindSecurity("VTI")!.Price);
        Assert.Empty(stored.Warnings);
    }

    private const string ExecutionPrices = """
        date,ticker,close
        2025-09-30,VTI,310.25
        2025-09-30,BND,72.75
        2025-09-30,VXUS,66.10
        """;

    /// <summary>An account holding 20 VTI and 3,000 cash, following <c>mix</c> (VTI 50 %, BND 30 %, VXUS 20 %).</summary>
    private BallastStore ExecutionStore(string? modelExecution, string? accountExecution)
    {
        var store = NewStore();
        store.ImportPrices(WriteFile("prices.csv", ExecutionPrices));
        store.SetModel("mix", new Dictionary<string, decimal> { ["VTI"] = 0.5m, ["BND"] = 0.3m, ["VXUS"] = 0.2m }, execution: modelExecution);
        store.AddAccount(new NewAccount("acct", AccountType.Taxable, "USD", Model: "mix"));
        store.Deposit("acct", 9205m, new DateOnly(2025, 9, 1));
        store.RecordFill(new Fill("e-1", "acct", new DateOnly(2025, 9, 2), "VTI", OrderSide.Buy, 20, 310.25m));
        if (accountExecution is not null) store.SetAccountExecution("acct", accountExecution);
        return store;
    }

    private static string Trades(Plan plan) =>
        string.Join("; ", plan.Trades.Select(t => $"{t.Side} {t.Quantity} {t.Ticker} {Scaled.Format(t.Value)} at {Scaled.Format(t.Price ?? 0)} cost {Scaled.Format(t.Cost)}"));

    [Fact]
    public void Execution_StoredAccountWithWholeSharesAndMinimumTrade_PlansExactlyAsTheSamePortfolioFile()
    {
        // The model says whole shares and a minimum trade of 100; the account raises the minimum to 1,855 and adds a commission.
        var store = ExecutionStore("wholeShares: true\nminTrade: 100\n", "minTrade: 1855\ncommission: 1.5\n");
        var stored = new StoredPortfolios(Today).Convert(store.ReadAccounts(new SnapshotQuery(Today, Account: "acct")).Single());
        Assert.True(stored.Portfolio is not null, stored.Error);
        var execution = stored.Portfolio!.Execution;
        Assert.Equal((true, 1855m, 1.5m), (execution.WholeShares, execution.MinTrade, execution.Costs.FixedPerTrade));

        var file = PortfolioReader.Read("acct.yaml", """
            asOf: 2025-10-01
            currency: USD
            cash: 3000
            holdings:
              - { ticker: VTI, quantity: 20 }
            prices: { VTI: 310.25, BND: 72.75, VXUS: 66.10 }
            targets: { VTI: 50%, BND: 30%, VXUS: 20% }
            execution:
              wholeShares: true
              minTrade: 1855
              commission: 1.5
            """).GetOrThrow();
        Assert.Equal(file.Cash, stored.Portfolio.Cash);
        var fromStore = Planner.Create(stored.Portfolio);
        var fromFile = Planner.Create(file);
        Assert.Equal(Trades(fromFile), Trades(fromStore));
        // Whole shares only, none under 1,855: the minimum changes the plan (VXUS's 28 shares, 1,850.80, become 29).
        Assert.NotEmpty(fromStore.Trades);
        Assert.All(fromStore.Trades, t => Assert.Equal(decimal.Truncate(t.Quantity!.Value), t.Quantity.Value));
        Assert.All(fromStore.Trades, t => Assert.True(t.Value >= 1855m, Trades(fromStore)));
        var unlimited = Planner.Create(stored.Portfolio with { Execution = execution with { MinTrade = 0 } });
        Assert.NotEqual(Trades(unlimited), Trades(fromStore));
        Assert.Equal(fromFile.CashAfter, fromStore.CashAfter);
    }

    [Fact]
    public void Execution_AccountOverridesModel_FlagsOverrideBoth()
    {
        var store = ExecutionStore("wholeShares: true\nminTrade: 100\ncashReserve: 50\n", "minTrade: 600\n");
        var snapshot = store.ReadAccounts(new SnapshotQuery(Today, Account: "acct")).Single();
        Assert.Equal("wholeShares: true\nminTrade: 100\ncashReserve: 50\n", snapshot.ModelExecution);
        Assert.Equal("minTrade: 600\n", snapshot.Execution);
        var plain = new StoredPortfolios(Today).Convert(snapshot).Portfolio!.Execution;
        Assert.Equal((true, 600m, 50m), (plain.WholeShares, plain.MinTrade, plain.CashReserve));
        var flagged = new StoredPortfolios(Today, int.MaxValue, p => p, x => x with { MinTrade = 0, CashReserve = 10 }).Convert(snapshot).Portfolio!.Execution;
        Assert.Equal((true, 0m, 10m), (flagged.WholeShares, flagged.MinTrade, flagged.CashReserve));

        // Without settings anywhere the engine's defaults apply.
        Assert.Equal(ExecutionOptions.Default, new StoredPortfolios(Today).Convert(snapshot with { ModelExecution = null, Execution = null }).Portfolio!.Execution);

        // Removing the account's own settings leaves the model's.
        store.SetAccountExecution("acct", null);
        Assert.Equal(100m, new StoredPortfolios(Today).Convert(store.ReadAccounts(new SnapshotQuery(Today, Account: "acct")).Single()).Portfolio!.Execution.MinTrade);
        Assert.Null(store.ListAccounts().Single().Execution);
    }

    [Fact]
    public void Execution_ListedAndVersioned_BadTextRefusedByTheEngineReader()
    {
        var store = ExecutionStore("wholeShares: true\n", "minTrade: 600\n");
        Assert.Equal("minTrade: 600\n", store.ListAccounts().Single().Execution);
        Assert.Equal("wholeShares: true\n", store.GetModel("mix")!.Execution);
        Assert.Equal("wholeShares: true\n", Assert.Single(store.ListModels("mix").Single().Versions).Execution);
        var targets = new Dictionary<string, decimal> { ["VTI"] = 0.5m, ["BND"] = 0.3m, ["VXUS"] = 0.2m };
        // The same targets with other settings are a new version; the same again changes nothing.
        Assert.Equal(2, store.SetModel("mix", targets, execution: "wholeShares: true\nmoneyDecimals: 0\n"));
        Assert.Equal(2, store.SetModel("mix", targets, execution: "wholeShares: true\nmoneyDecimals: 0\n"));
        Assert.Equal(0, new StoredPortfolios(Today).Convert(store.ReadAccounts(new SnapshotQuery(Today, Account: "acct")).Single()).Portfolio!.Execution.MoneyDecimals);

        var before = Fingerprint(store);
        var e = Assert.Throws<InputException>(() => store.SetAccountExecution("acct", "minTrade: -5\n"));
        Assert.Contains(e.Problems, p => p.Field == "execution.minTrade");
        e = Assert.Throws<InputException>(() => store.SetAccountExecution("acct", "wholeShare: true\n"));
        Assert.Contains(e.Problems, p => p.Message.Contains("wholeShare", StringComparison.Ordinal));
        e = Assert.Throws<InputException>(() => store.SetModel("mix", targets, execution: "moneyDecimals: 9\n"));
        Assert.Contains(e.Problems, p => p.Field == "execution.moneyDecimals");
        e = Assert.Throws<InputException>(() => store.SetAccountExecution("nobody", "minTrade: 5\n"));
        Assert.Equal("ACCOUNT", Assert.Single(e.Problems).Field);
        Assert.Equal(before, Fingerprint(store));
        Assert.Equal("minTrade: 600\n", store.ListAccounts().Single().Execution);
    }
}
