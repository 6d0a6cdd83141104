using Dapper;
using Ballast.Households;
using Ballast.Input;
using Ballast.Planning;
using Ballast.Store.Ledger;
using Ballast.Tax;
using AccountType = Ballast.Store.Ledger.AccountType;

namespace Ballast.Store.Tests;

/// <summary>Stored accounts' lots, lot methods and tax settings, and stored households as engine tax portfolios.</summary>
public abstract partial class StoreSuite
{
    private static readonly DateOnly TaxAsOf = new(2025, 6, 30);

    /// <summary>The smith household as a portfolio file; lot ids are the store's buy transaction ids (see <see cref="TaxHousehold"/>).</summary>
    private const string TaxHouseholdFile = """
        asOf: 2025-06-30
        currency: USD
        policy: { look: daily, trigger: threshold, absolute: 5% }
        prices: { BND: 72, VTI: 300, VXUS: 60 }
        targets: { BND: 20%, VTI: 60%, VXUS: 20% }
        taxRegime: { kind: us, shortTermRate: 37%, longTermRate: 20% }
        identical: [[VXUS, IXUS]]
        substitutes: { VXUS: VEU, BND: AGG }
        accounts:
          - name: ira
            type: tax-deferred
            cash: 6000
            holdings:
              - { ticker: BND, quantity: 300 }
            transactions:
              - { date: 2024-01-02, type: buy, ticker: BND, quantity: 300, price: 80, lotId: "11" }
          - name: joint
            type: taxable
            lotSelection: hifo
            cash: 27850
            holdings:
              - { ticker: VTI, quantity: 80 }
              - { ticker: VXUS, quantity: 100 }
            transactions:
              - { date: 2024-01-02, type: buy, ticker: VTI, quantity: 60, price: 200, lotId: "2" }
              - { date: 2024-01-02, type: buy, ticker: VXUS, quantity: 150, price: 70, lotId: "3" }
              - { date: 2024-06-03, type: buy, ticker: VTI, quantity: 40, price: 200, lotId: "4" }
              - { date: 2025-02-10, type: sell, ticker: VTI, quantity: 20, price: 280 }
              - { date: 2025-06-10, type: sell, ticker: VXUS, quantity: 50, price: 55 }
          - name: solo
            type: taxable
            cash: 10350
            holdings:
              - { ticker: BND, quantity: 100 }
              - { ticker: VXUS, quantity: 30 }
            transactions:
              - { date: 2024-03-01, type: buy, ticker: BND, quantity: 100, price: 80, lotId: "8" }
              - { date: 2025-06-20, type: buy, ticker: VXUS, quantity: 30, price: 55, lotId: "9" }
        """;

    /// <summary>The same household built in the store: accounts, deposits and imported trades. Transaction ids: joint 1-6, solo 7-9, ira 10-11 (deposits first).</summary>
    private BallastStore TaxHousehold()
    {
        var store = NewStore();
        store.ImportPrices(WriteFile("tax-prices.csv", "date,BND,VTI,VXUS\n2024-01-02,80,200,70\n2025-06-30,72,300,60\n"));
        store.SetModel("core", new Dictionary<string, decimal> { ["BND"] = 0.2m, ["VTI"] = 0.6m, ["VXUS"] = 0.2m }, "{ look: daily, trigger: threshold, absolute: 5% }");
        store.AddAccount(new NewAccount("joint", AccountType.Taxable, "USD", "smith", "core", LotMethod: LotSelectionMethod.Hifo));
        store.AddAccount(new NewAccount("solo", AccountType.Taxable, "USD", "smith", "core"));
        store.AddAccount(new NewAccount("ira", AccountType.TaxDeferred, "USD", "smith", "core"));
        store.Deposit("joint", 50000m, new DateOnly(2024, 1, 2));
        store.ImportTransactions(WriteFile("joint.csv", """
            date,type,ticker,quantity,price,amount,fee
            2024-01-02,buy,VTI,60,200,,0
            2024-01-02,buy,VXUS,150,70,,0
            2024-06-03,buy,VTI,40,200,,0
            2025-02-10,sell,VTI,20,280,,0
            2025-06-10,sell,VXUS,50,55,,0
            """), "joint");
        store.Deposit("solo", 20000m, new DateOnly(2024, 1, 2));
        store.ImportTransactions(WriteFile("solo.csv", "date,type,ticker,quantity,price,amount,fee\n2024-03-01,buy,BND,100,80,,0\n2025-06-20,buy,VXUS,30,55,,0\n"), "solo");
        store.Deposit("ira", 30000m, new DateOnly(2024, 1, 2));
        store.ImportTransactions(WriteFile("ira.csv", "date,type,ticker,quantity,price,amount,fee\n2024-01-02,buy,BND,300,80,,0\n"), "ira");
        store.SetHouseholdTax("smith", "taxRegime: { kind: us, shortTermRate: 37%, longTermRate: 20% }\nidentical: [[VXUS, IXUS]]\nsubstitutes: { VXUS: VEU, BND: AGG }\n");
        return store;
    }

    private static StoredTaxPortfolio StoredTax(BallastStore store, string? account = null, string? household = "smith")
    {
        var converter = new StoredPortfolios(TaxAsOf);
        var accounts = store.ReadAccounts(new SnapshotQuery(TaxAsOf, account, account is null ? household : null)).Select(converter.Convert).ToList();
        return store.TaxPortfolio(account ?? household!, household, accounts);
    }

    private static Ballast.Portfolios.Portfolio FromFile(string text)
    {
        var read = PortfolioReader.Read("household.yaml", text);
        Assert.True(read.Ok, string.Join("; ", read.Problems));
        return read.Value!;
    }

    private static decimal N(decimal d) => d / 1.0000000000000000000000000000m;

    private static object Summary(TaxPlan plan) => string.Join("\n", [
        plan.Strategy, $"{N(plan.ShortTermGain)} {N(plan.LongTermGain)} {N(plan.EstimatedTax)}",
        .. plan.Accounts.SelectMany(a => a.Trades.Select(t =>
            $"{a.Account.Name} {t.Trade.Side} {t.Trade.Ticker} {N(t.Trade.Quantity ?? 0)} {N(t.Trade.Value)} " +
            string.Join(",", t.Lots?.Slices.Select(s => $"{s.LotId}:{N(s.Quantity)}:{N(s.CostBasis)}:{s.Term}") ?? []))),
        .. plan.Warnings, .. plan.Transfers.Select(x => $"{x.From}->{x.To} {x.Amount}")]);

    [Fact]
    public void StoredHousehold_IsTheTaxPortfolioItsHouseholdFileGives()
    {
        var store = TaxHousehold();
        var stored = StoredTax(store);
        Assert.Null(stored.Error);
        var file = FromFile(TaxHouseholdFile);
        var (s, f) = (stored.Portfolio!.Tax!, file.Tax!);

        Assert.Equal(f.History.OpenLots, s.History.OpenLots);
        Assert.Equal(f.History.WashSales, s.History.WashSales);
        Assert.Equal(f.History.Sales.Select(x => (x.Date, x.Account, x.Ticker, x.Quantity, x.Proceeds, x.CostBasis, x.DisallowedLoss)),
            s.History.Sales.Select(x => (x.Date, x.Account, x.Ticker, x.Quantity, x.Proceeds, x.CostBasis, x.DisallowedLoss)));
        Assert.Equal(f.Accounts.Select(a => (a.Name, a.Type, a.Cash, a.LotSelection)), s.Accounts.Select(a => (a.Name, a.Type, a.Cash, a.LotSelection)));
        Assert.Equal(file.Positions, stored.Portfolio.Positions);
        Assert.Equal(file.Cash, stored.Portfolio.Cash);
        // HIFO: joint's 2025-02-10 sale took the costlier... both VTI lots cost 200, so the tie goes to the earlier lot, as the engine orders it.
        Assert.Equal(["2", "4"], s.History.OpenLots.Where(l => l.Account == "joint" && l.Ticker == "VTI").Select(l => l.Id));
        Assert.Equal(40m, s.History.OpenLots.Single(l => l.Id == "2").Quantity);
        // joint's VXUS loss (750) is disallowed into solo's purchase ten days later: a wash sale across two stored accounts.
        var wash = Assert.Single(s.History.WashSales);
        Assert.Equal(("joint", "solo", 450m), (s.History.Sales[1].Account, wash.ReplacementAccount, wash.DisallowedLoss));

        foreach (var options in new[]
                 {
                     new TaxPlanOptions { TaxAware = true },
                     new TaxPlanOptions { MaxRealizedGain = 0m },
                     new TaxPlanOptions { MaxRealizedGain = 500m, NoShortTermGains = true },
                     new TaxPlanOptions(),
                 })
        {
            var fromStore = HouseholdPlanner.Create(stored.Portfolio, new PlanRequest(), options);
            var fromFile = HouseholdPlanner.Create(file, new PlanRequest(), options);
            Assert.Equal(Summary(fromFile), Summary(fromStore));
            // The household buys no VXUS while joint's loss sale is in its window, in any account.
            Assert.DoesNotContain(fromStore.Accounts.SelectMany(a => a.Trades), t => t.Trade.Ticker == "VXUS" && t.Trade.Side == TradeSide.Buy);
        }
    }

    [Fact]
    public void StoredAccount_AloneIsItsOneAccountFile()
    {
        var store = TaxHousehold();
        var stored = StoredTax(store, account: "joint");
        var text = TaxHouseholdFile[..TaxHouseholdFile.IndexOf("  - name: ira", StringComparison.Ordinal)]
            + TaxHouseholdFile[TaxHouseholdFile.IndexOf("  - name: joint", StringComparison.Ordinal)..TaxHouseholdFile.IndexOf("  - name: solo", StringComparison.Ordinal)];
        var file = FromFile(text);
        Assert.Equal(file.Tax!.History.OpenLots, stored.Portfolio!.Tax!.History.OpenLots);
        var options = new TaxPlanOptions { TaxAware = true };
        Assert.Equal(Summary(HouseholdPlanner.Create(file, new PlanRequest(), options)), Summary(HouseholdPlanner.Create(stored.Portfolio, new PlanRequest(), options)));
        Assert.Equal(file.Tax.History.Realized(2025), stored.Portfolio.Tax.History.Realized(2025));
    }

    [Fact]
    public void Sells_ConsumeLotsByTheAccountsMethod_ThroughTheEngine()
    {
        var store = NewStore();
        store.ImportPrices(WriteFile("p.csv", "date,VTI\n2025-01-02,100\n"));
        foreach (var (name, method) in new[] { ("f", LotSelectionMethod.Fifo), ("l", LotSelectionMethod.Lifo), ("h", LotSelectionMethod.Hifo), ("t", LotSelectionMethod.TaxMinimizing) })
        {
            store.AddAccount(new NewAccount(name, AccountType.Taxable, "USD", LotMethod: method));
            store.Deposit(name, 10000m, new DateOnly(2024, 1, 2));
            // Lots: 2024-01-02 at 100 (long-term gain at 130), 2024-06-03 at 150 (loss), 2025-01-02 at 120 (short-term gain).
            store.ImportTransactions(WriteFile(name + ".csv", """
                date,type,ticker,quantity,price,amount,fee
                2024-01-02,buy,VTI,10,100,,0
                2024-06-03,buy,VTI,10,150,,0
                2025-01-02,buy,VTI,10,120,,0
                2025-03-03,sell,VTI,3,130,,0
                """), name);
        }
        decimal[] Remaining(string account) => [.. store.Lots(account).OrderBy(l => l.OpenDate).Select(l => l.Remaining)];
        Assert.Equal([7m, 10m, 10m], Remaining("f"));
        Assert.Equal([10m, 10m, 7m], Remaining("l"));
        Assert.Equal([10m, 7m, 10m], Remaining("h"));
        Assert.Equal([10m, 7m, 10m], Remaining("t"));
        // The engine's split: 7/10 of 1,500 stays with the lot.
        Assert.Equal(1050m, store.Lots("h").Single(l => l.OpenDate == new DateOnly(2024, 6, 3)).Cost);
        Assert.True(store.Verify().Ok, string.Join("; ", store.Verify().Differences));
        var lots = new[] { "f", "l", "h", "t" }.SelectMany(store.Lots).ToList();
        Assert.True(store.RebuildProjections().Ok);
        Assert.Equal(lots, new[] { "f", "l", "h", "t" }.SelectMany(store.Lots).ToList());
    }

    [Fact]
    public void LotMethod_AppliesToLaterSales_ThePastOnesKeepTheirRecordedLots_AndSettingsAreChecked()
    {
        var store = TaxHousehold();
        Assert.Equal(LotSelectionMethod.Hifo, store.LotMethod("joint"));
        store.SetLotMethod("solo", LotSelectionMethod.Lifo);
        Assert.Equal(LotSelectionMethod.Lifo, store.LotMethod("solo"));
        // joint has sold by hifo; its sales recorded the lots they took, so a new method changes nothing already done.
        Assert.Contains(store.Transactions("joint"), t => t.Kind == Ballast.Store.Ledger.TransactionKind.Sell);
        Assert.Equal(0L, store.Read(c => c.ExecuteScalar<long>(
            "SELECT COUNT(*) FROM transactions t JOIN accounts a ON a.id = t.account_id WHERE a.name = 'joint' AND t.quantity < 0 AND t.lots IS NULL")));
        var lots = store.Lots("joint");
        store.SetLotMethod("joint", LotSelectionMethod.Fifo);
        Assert.Equal(lots, store.Lots("joint"));
        Assert.True(store.Verify().Ok);
        var before = Fingerprint(store);
        Assert.Throws<InputException>(() => store.SetLotMethod("solo", LotSelectionMethod.Specific));
        var bad = Assert.Throws<InputException>(() => store.SetHouseholdTax("smith", "taxRegime: { kind: us, shortTermRate: 137% }\n", "bad.yaml"));
        Assert.Contains(bad.Problems, p => p.File == "bad.yaml" && p.Line == 1 && p.Field!.Contains("shortTermRate", StringComparison.Ordinal));
        Assert.Throws<InputException>(() => store.SetHouseholdTax("nobody", null));
        Assert.Equal(before, Fingerprint(store));
        Assert.Contains("VEU", store.HouseholdTax("smith"));
        // A sale that names its lots was not consumed by the method: the method may still change, and verify agrees.
        var lot = store.Lots("solo").First(l => l.Ticker == "BND").OpenTransactionId;
        store.ImportTransactions(WriteFile("named.csv", $"date,type,ticker,quantity,price,amount,fee,lots\n2025-06-25,sell,BND,10,72,,0,{lot}\n"), "solo");
        store.SetLotMethod("solo", LotSelectionMethod.Hifo);
        Assert.True(store.Verify().Ok);
    }
    [Fact]
    public void PositionsAdjustments_AreLotsButNeitherSalesNorPurchases()
    {
        var store = TaxHousehold();
        // A snapshot of solo with fewer BND and more VXUS than the ledger: a reducing and a positive adjustment.
        store.ImportPositions(WriteFile("solo-snap.csv", "ticker,quantity,cost_basis\nBND,60,4800\nVXUS,40,2500\nCASH,10350,\n"), "solo", asOf: new DateOnly(2025, 6, 25));
        var stored = StoredTax(store);
        Assert.Null(stored.Error);
        var history = stored.Portfolio!.Tax!.History;
        Assert.Empty(history.Problems);
        // No sale was made by the snapshot: the year's sales are joint's two.
        Assert.Equal(["joint", "joint"], history.Sales.Select(s => s.Account));
        var soloLots = history.OpenLots.Where(l => l.Account == "solo").ToList();
        Assert.Equal(60m, soloLots.Where(l => l.Ticker == "BND").Sum(l => l.Quantity));
        Assert.Equal(4800m, soloLots.Where(l => l.Ticker == "BND").Sum(l => l.CostBasis));
        Assert.Equal(40m, soloLots.Where(l => l.Ticker == "VXUS").Sum(l => l.Quantity));
        // The stand-in lot is no purchase: only solo's real VXUS buy is in the history.
        Assert.Single(stored.Portfolio.Tax.Transactions, t => t.Account == "solo" && t.Ticker == "VXUS");
        // The store's own lots agree.
        Assert.Equal(soloLots.OrderBy(l => l.Id).Select(l => (l.Ticker, l.Quantity)),
            store.Lots("solo").Where(l => l.Remaining != 0).OrderBy(l => l.OpenTransactionId.ToString(System.Globalization.CultureInfo.InvariantCulture), StringComparer.Ordinal)
                .Select(l => (l.Ticker, l.Remaining)));
    }
}
