using Ballast.Input;
using Ballast.Planning;

namespace Ballast.Households.Tests;

/// <summary>Distribution of household trades over accounts, cash rules and the wash-sale guard on buys.</summary>
public sealed class HouseholdPlannerTests
{
    private static Ballast.Portfolios.Portfolio Read(string yaml) => PortfolioReader.Read("h.yaml", yaml).GetOrThrow();

    private static AccountPlan Account(TaxPlan plan, string name) => plan.Accounts.Single(a => a.Account.Name == name);

    private const string TwoAccounts = """
        asOf: 2025-06-30
        prices: { AAA: 100, BBB: 100 }
        targets: { AAA: 50%, BBB: 50% }
        accounts:
          - name: brokerage
            type: taxable
            cash: {0}
            holdings:
              - ticker: AAA
                quantity: 50
                lots: [{ acquired: 2020-01-02, quantity: 50, costBasis: 1000 }]
          - name: roth
            type: tax-free
            cash: 0
            holdings:
              - { ticker: AAA, quantity: 50 }
        {1}
        """;

    private static string Household(decimal brokerageCash, bool transfers) =>
        TwoAccounts.Replace("{0}", brokerageCash.ToString(System.Globalization.CultureInfo.InvariantCulture))
            .Replace("{1}", transfers ? "allowCashTransfers: true" : "");

    [Fact]
    public void Sells_ComeFromTheTaxFreeAccountFirst_AndItsProceedsBuyThere()
    {
        var plan = HouseholdPlanner.Create(Read(Household(0, false)), PlanRequest.None);
        var roth = Account(plan, "roth");
        Assert.Equal(2, roth.Trades.Count);
        Assert.Equal((TradeSide.Sell, "AAA", 5000m), (roth.Trades[0].Trade.Side, roth.Trades[0].Trade.Ticker, roth.Trades[0].Trade.Value));
        Assert.Equal((TradeSide.Buy, "BBB", 5000m), (roth.Trades[1].Trade.Side, roth.Trades[1].Trade.Ticker, roth.Trades[1].Trade.Value));
        Assert.Null(roth.Trades[0].Lots);
        Assert.Empty(Account(plan, "brokerage").Trades);
        Assert.Equal(0m, plan.RealizedGain);
        Assert.Equal(0m, plan.EstimatedTax);
    }

    [Fact]
    public void CashStaysInItsAccount_UnlessTheFileAllowsTransfers()
    {
        // 10,000 of cash in the brokerage account and nothing to sell in the Roth beyond its AAA.
        var yaml = Household(10_000, false).Replace("targets: { AAA: 50%, BBB: 50% }", "targets: { AAA: 25%, BBB: 75% }");
        var plan = HouseholdPlanner.Create(Read(yaml), PlanRequest.None);
        foreach (var a in plan.Accounts) Assert.True(a.CashAfter >= 0m);
        Assert.Empty(plan.Transfers);
        // The brokerage's cash buys in the brokerage; the Roth spends only its own proceeds.
        var roth = Account(plan, "roth");
        Assert.Equal(roth.Trades.Where(t => t.Trade.Side == TradeSide.Sell).Sum(t => t.Trade.Value), roth.Trades.Where(t => t.Trade.Side == TradeSide.Buy).Sum(t => t.Trade.Value));
        Assert.Contains(Account(plan, "brokerage").Trades, t => t.Trade.Side == TradeSide.Buy);
    }

    private const string SplitCash = """
        asOf: 2025-06-30
        prices: { AAA: 100, BBB: 100 }
        targets: { AAA: 50%, BBB: 50% }
        execution: { wholeShares: true }
        accounts:
          - { name: ira, type: tax-deferred, cash: 50, holdings: [{ ticker: AAA, quantity: 1 }] }
          - { name: cashbox, type: taxable, cash: 50, holdings: [] }

        """;

    [Fact]
    public void WithoutTransfers_ABuyNoSingleAccountCanPayIsLeftUndoneWithAWarning()
    {
        // The household has 100 in cash for one share of BBB, but 50 sits in each account.
        var plan = HouseholdPlanner.Create(Read(SplitCash), new PlanRequest { ForceRebalance = true });
        Assert.Empty(plan.Accounts.SelectMany(a => a.Trades));
        Assert.Empty(plan.Transfers);
        Assert.Contains(plan.Warnings, w => w.Contains("buy of BBB: 100 left undone", StringComparison.Ordinal) && w.Contains("cash transfers", StringComparison.Ordinal));
        Assert.All(plan.Accounts, a => Assert.Equal(50m, a.CashAfter));
        // The positions after the plan show the buy as not done: BBB stays at 0 and the cash stays.
        Assert.Equal(0m, plan.Plan.After.Single(h => h.Ticker == "BBB").Value);
        Assert.Equal(100m, plan.Plan.CashAfter);
        Assert.Equal(1m, plan.Plan.After.Single(h => h.Ticker == "AAA").Weight);
    }

    [Fact]
    public void WithTransfers_TheBuyHappensAndTheTransferIsListed()
    {
        var plan = HouseholdPlanner.Create(Read(SplitCash + "allowCashTransfers: true\n"), new PlanRequest { ForceRebalance = true });
        var buy = Assert.Single(Account(plan, "ira").Trades);
        Assert.Equal((TradeSide.Buy, "BBB", (decimal?)1m), (buy.Trade.Side, buy.Trade.Ticker, buy.Trade.Quantity));
        Assert.Equal(new CashTransfer("cashbox", "ira", 50m), Assert.Single(plan.Transfers));
        Assert.All(plan.Accounts, a => Assert.Equal(0m, a.CashAfter));
    }

    [Fact]
    public void TheTaxFreeAccountSpendsItsOwnProceedsFirst_TheTaxableAccountPaysTheRest()
    {
        var yaml = """
            asOf: 2025-06-30
            prices: { AAA: 100, BBB: 100 }
            targets: { AAA: 50%, BBB: 50% }
            accounts:
              - { name: ira, type: tax-deferred, cash: 0, holdings: [{ ticker: AAA, quantity: 100 }] }
              - { name: cashbox, type: taxable, cash: 4000, holdings: [] }
            """;
        var plan = HouseholdPlanner.Create(Read(yaml), new PlanRequest { ForceRebalance = true });
        // Target 7,000 each: the IRA sells 3,000 of AAA and buys BBB with it; the cash box buys the other 4,000.
        var ira = Account(plan, "ira");
        Assert.Equal(3000m, ira.Trades.Single(t => t.Trade.Side == TradeSide.Sell).Trade.Value);
        Assert.Equal(3000m, ira.Trades.Single(t => t.Trade.Side == TradeSide.Buy).Trade.Value);
        Assert.Equal(4000m, Account(plan, "cashbox").Trades.Single().Trade.Value);
        Assert.Equal(7000m, plan.Plan.Trades.Single(t => t.Side == TradeSide.Buy).Value);
        Assert.Empty(plan.Transfers);
        Assert.All(plan.Accounts, a => Assert.Equal(0m, a.CashAfter));
    }

    [Fact]
    public void ABuyOfASecurityIdenticalToOneSoldAtALoss10DaysAgo_IsHeldBack()
    {
        var yaml = """
            asOf: 2025-06-30
            prices: { VOO: 500, IVV: 550, BND: 70 }
            identical: [[VOO, IVV]]
            targets: { IVV: 50%, BND: 50% }
            accounts:
              - name: joint
                type: taxable
                cash: 0
                holdings:
                  - ticker: BND
                    quantity: 200
                    lots: [{ acquired: 2020-01-02, quantity: 200, costBasis: 16000 }]
                transactions:
                  - { date: 2025-05-01, type: buy, ticker: VOO, quantity: 10, price: 600 }
                  - { date: 2025-06-20, type: sell, ticker: VOO, quantity: 10, price: 500 }
              - { name: ira, type: tax-deferred, cash: 0, holdings: [{ ticker: BND, quantity: 100 }] }
            """;
        var plan = HouseholdPlanner.Create(Read(yaml), new PlanRequest { ForceRebalance = true });
        Assert.DoesNotContain(plan.Accounts.SelectMany(a => a.Trades), t => t.Trade.Side == TradeSide.Buy && t.Trade.Ticker == "IVV");
        Assert.Contains(plan.Warnings, w => w.Contains("buy of IVV held back until 2025-07-20", StringComparison.Ordinal));
        // The sells still come from the IRA first.
        Assert.Equal(7000m, Account(plan, "ira").Trades.Single(t => t.Trade.Side == TradeSide.Sell).Trade.Value);
    }

    [Fact]
    public void YearToDateGains_ComeFromTheFileWhenGiven()
    {
        var yaml = """
            asOf: 2025-06-30
            taxRegime: { kind: us, shortTermRate: 37%, longTermRate: 20% }
            realizedYearToDate: { short: 0, long: 1000 }
            holdings:
              - ticker: AAA
                quantity: 100
                price: 100
                lots: [{ acquired: 2025-01-02, quantity: 100, costBasis: 15000 }]
              - { ticker: BBB, quantity: 20, price: 100 }
            targets: { AAA: 50%, BBB: 50% }
            """;
        var plan = HouseholdPlanner.Create(Read(yaml), PlanRequest.None);
        // Selling 40 AAA realizes a short-term loss of 2,000; netted against the 1,000 long-term gain it saves 200.
        Assert.Equal(-2000m, plan.ShortTermGain);
        Assert.Equal(-200m, plan.EstimatedTax);
    }

    [Fact]
    public void AWithdrawal_IsRaisedInTaxableAccountsAndPaidFromThem()
    {
        var yaml = """
            asOf: 2025-06-30
            prices: { AAA: 100 }
            targets: { AAA: 100% }
            accounts:
              - { name: ira, type: tax-deferred, cash: 0, holdings: [{ ticker: AAA, quantity: 100 }] }
              - name: brokerage
                type: taxable
                cash: 0
                holdings:
                  - ticker: AAA
                    quantity: 100
                    lots: [{ acquired: 2020-01-02, quantity: 100, costBasis: 5000 }]
            """;
        var plan = HouseholdPlanner.Create(Read(yaml), new PlanRequest { Withdraw = 1000 });
        Assert.Empty(Account(plan, "ira").Trades);
        var sell = Assert.Single(Account(plan, "brokerage").Trades);
        Assert.Equal(1000m, sell.Trade.Value);
        Assert.Equal(500m, sell.Lots!.Gain);
        Assert.DoesNotContain(plan.Warnings, w => w.Contains("withdrawal", StringComparison.Ordinal));
        Assert.All(plan.Accounts, a => Assert.Equal(0m, a.CashAfter));
    }
}
