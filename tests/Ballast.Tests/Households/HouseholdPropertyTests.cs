using System.Globalization;
using System.Text;
using Ballast.Input;
using Ballast.Planning;
using Ballast.Tax;
using FsCheck;
using FsCheck.Fluent;

namespace Ballast.Households.Tests;

/// <summary>Invariants of household planning over generated household files (read through the real reader).</summary>
public sealed class HouseholdPropertyTests
{
    private static readonly DateOnly AsOf = new(2025, 6, 30);
    private static readonly string[] Tickers = ["VOO", "IVV", "BND", "VXUS"];
    private static readonly Dictionary<string, int> PriceCents = new() { ["VOO"] = 50_000, ["IVV"] = 55_000, ["BND"] = 7_200, ["VXUS"] = 6_000 };

    private sealed record LotSpec(int Quantity, int BasisPerShareCents, int DaysBefore);
    private sealed record HoldingSpec(int Ticker, LotSpec[] Lots);
    private sealed record RoundTrip(int Ticker, int Quantity, int BuyCents, int SellCents, int SellDaysBefore);
    private sealed record AccountSpec(int Type, int CashDollars, HoldingSpec[] Holdings, RoundTrip[] Trips, int Method);
    private sealed record Case(AccountSpec[] Accounts, int[] Weights, bool TaxAware, int? MaxGain, bool NoShortTerm, bool Transfers);

    private static readonly Gen<LotSpec> Lots =
        from q in Gen.Choose(1, 200)
        from b in Gen.Choose(1_000, 80_000)
        from d in Gen.Choose(70, 2000)
        select new LotSpec(q, b, d);

    private static readonly Gen<RoundTrip> Trips =
        from t in Gen.Choose(0, 3)
        from q in Gen.Choose(1, 20)
        from buy in Gen.Choose(1_000, 80_000)
        from sell in Gen.Choose(1_000, 80_000)
        from d in Gen.Choose(1, 45)
        select new RoundTrip(t, q, buy, sell, d);

    private static readonly Gen<AccountSpec> AccountSpecs =
        from type in Gen.Choose(0, 2)
        from cash in Gen.Choose(0, 20_000)
        from tickers in Gen.SubListOf(new[] { 0, 1, 2, 3 })
        from lots in Gen.ArrayOf(Gen.ArrayOf(Lots, 3), 4)
        from trips in Gen.ArrayOf(Trips, 2)
        from method in Gen.Choose(0, 3)
        select new AccountSpec(type, cash, [.. tickers.Select(t => new HoldingSpec(t, lots[t].Length == 0 ? [new LotSpec(10, 20_000, 400)] : lots[t]))], trips, method);

    private static readonly Gen<Case> Cases =
        from n in Gen.Choose(1, 3)
        from accounts in Gen.ArrayOf(AccountSpecs, n)
        from weights in Gen.ArrayOf(Gen.Choose(0, 10), 4)
        from taxAware in Gen.Elements(true, false)
        from maxGain in Gen.OneOf(Gen.Constant<int?>(null), Gen.Choose(0, 20_000).Select(x => (int?)x))
        from noShort in Gen.Elements(true, false)
        from transfers in Gen.Elements(true, false)
        select new Case(accounts, weights, taxAware, maxGain, noShort, transfers);

    private static string Money(long cents) => (cents / 100m).ToString(CultureInfo.InvariantCulture);

    /// <summary>A household file for the case; round trips buy and sell the same shares, so holdings equal the initial lots.</summary>
    private static string Yaml(Case c)
    {
        var sb = new StringBuilder();
        sb.AppendLine("asOf: 2025-06-30");
        sb.AppendLine("taxRegime: { kind: us, shortTermRate: 37%, longTermRate: 20% }");
        sb.AppendLine("identical: [[VOO, IVV]]");
        sb.AppendLine($"allowCashTransfers: {(c.Transfers ? "true" : "false")}");
        sb.AppendLine("prices: { " + string.Join(", ", Tickers.Select(t => $"{t}: {Money(PriceCents[t])}")) + " }");
        var weights = c.Weights.Sum() == 0 ? [1, 1, 1, 1] : c.Weights;
        // Read with Normalize, so integer weights become fractions summing to 1.
        sb.AppendLine("targets: { " + string.Join(", ", Tickers.Select((t, i) => $"{t}: {weights[i]}%")) + " }");
        sb.AppendLine("accounts:");
        for (var a = 0; a < c.Accounts.Length; a++)
        {
            var acc = c.Accounts[a];
            sb.AppendLine($"  - name: acct{a}");
            sb.AppendLine($"    type: {(acc.Type == 0 ? "taxable" : acc.Type == 1 ? "tax-deferred" : "tax-free")}");
            sb.AppendLine($"    cash: {acc.CashDollars}");
            sb.AppendLine($"    lotSelection: {LotSelectionMethods.Words[acc.Method]}");
            sb.AppendLine(acc.Holdings.Length == 0 ? "    holdings: []" : "    holdings:");
            foreach (var h in acc.Holdings)
            {
                var t = Tickers[h.Ticker];
                sb.AppendLine($"      - ticker: {t}");
                sb.AppendLine($"        quantity: {h.Lots.Sum(l => l.Quantity)}");
                sb.AppendLine("        lots:");
                foreach (var l in h.Lots)
                    sb.AppendLine($"          - {{ acquired: {AsOf.AddDays(-l.DaysBefore):yyyy-MM-dd}, quantity: {l.Quantity}, costBasis: {Money((long)l.Quantity * l.BasisPerShareCents)} }}");
            }
            var trips = acc.Trips.Where(tr => acc.Holdings.Any(h => h.Ticker == tr.Ticker)).ToList();
            if (trips.Count == 0) continue;
            sb.AppendLine("    transactions:");
            foreach (var tr in trips)
            {
                var t = Tickers[tr.Ticker];
                sb.AppendLine($"      - {{ date: {AsOf.AddDays(-60):yyyy-MM-dd}, type: buy, ticker: {t}, quantity: {tr.Quantity}, price: {Money(tr.BuyCents)} }}");
                sb.AppendLine($"      - {{ date: {AsOf.AddDays(-tr.SellDaysBefore):yyyy-MM-dd}, type: sell, ticker: {t}, quantity: {tr.Quantity}, price: {Money(tr.SellCents)} }}");
            }
        }
        return sb.ToString();
    }

    private static (Ballast.Portfolios.Portfolio Portfolio, TaxPlan Plan) PlanFor(Case c)
    {
        var portfolio = PortfolioReader.Read("gen.yaml", Yaml(c), new ReadOptions(Normalize: true)).GetOrThrow();
        var plan = HouseholdPlanner.Create(portfolio, new PlanRequest { ForceRebalance = true },
            new TaxPlanOptions { TaxAware = c.TaxAware, MaxRealizedGain = c.MaxGain, NoShortTermGains = c.NoShortTerm });
        return (portfolio, plan);
    }

    [Fact]
    public void LotQuantitiesSumToEachHolding()
    {
        Prop.ForAll(Arb.From(Cases), c =>
        {
            var profile = PortfolioReader.Read("gen.yaml", Yaml(c), new ReadOptions(Normalize: true)).GetOrThrow().Tax!;
            foreach (var account in profile.Accounts)
                foreach (var h in account.Holdings)
                    Assert.Equal(h.Quantity, profile.History.OpenLots.Where(l => l.Account == account.Name && l.Ticker == h.Ticker).Sum(l => l.Quantity));
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void APlanNeverConsumesALotTwice_AndEachSellRealizesProceedsMinusBasis()
    {
        Prop.ForAll(Arb.From(Cases), c =>
        {
            var (portfolio, plan) = PlanFor(c);
            var open = portfolio.Tax!.History.OpenLots.ToDictionary(l => l.Id);
            var consumed = new HashSet<string>(StringComparer.Ordinal);
            foreach (var account in plan.Accounts)
            {
                foreach (var t in account.Trades)
                {
                    if (t.Lots is not { } sale) continue;
                    Assert.Equal(TradeSide.Sell, t.Trade.Side);
                    Assert.True(account.Account.IsTaxable);
                    Assert.Equal(t.Trade.Value, sale.Proceeds);
                    Assert.Equal(t.Trade.Quantity, sale.Slices.Sum(s => s.Quantity));
                    Assert.Equal(sale.Proceeds - sale.Slices.Sum(s => s.CostBasis), sale.Gain);
                    Assert.Equal(sale.Slices.Sum(s => s.Gain), sale.Gain);
                    foreach (var s in sale.Slices)
                    {
                        Assert.True(consumed.Add(s.LotId), $"lot {s.LotId} consumed twice");
                        Assert.Equal(account.Account.Name, s.Account);
                        Assert.True(s.Quantity <= open[s.LotId].Quantity);
                    }
                }
            }
            var gains = plan.Accounts.SelectMany(a => a.Trades).Select(t => t.Lots).OfType<LotSale>().ToList();
            Assert.Equal(gains.Sum(s => s.ShortTermGain), plan.ShortTermGain);
            Assert.Equal(gains.Sum(s => s.LongTermGain), plan.LongTermGain);
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void NoBuyWithin30DaysOfALossSaleOfAnIdenticalSecurity()
    {
        Prop.ForAll(Arb.From(Cases), c =>
        {
            var (portfolio, plan) = PlanFor(c);
            var profile = portfolio.Tax!;
            var losses = profile.PastLossSales().Select(s => (s.Ticker, s.Date)).ToList();
            foreach (var account in plan.Accounts.Where(a => a.Account.IsTaxable))
                foreach (var t in account.Trades)
                    if (t.Lots is { } sale && sale.Slices.Any(s => s.Gain < 0)) losses.Add((sale.Ticker, portfolio.AsOf));
            foreach (var buy in plan.Accounts.SelectMany(a => a.Trades).Where(t => t.Trade.Side == TradeSide.Buy))
            {
                foreach (var (ticker, date) in losses)
                {
                    var near = Math.Abs(portfolio.AsOf.DayNumber - date.DayNumber) <= 30;
                    Assert.False(near && profile.Identical.AreIdentical(ticker, buy.Trade.Ticker),
                        $"buy of {buy.Trade.Ticker} within 30 days of a loss sale of {ticker} on {date:yyyy-MM-dd}");
                }
            }
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void AccountsNeverSpendCashTheyDoNotHave_AndTheBudgetHolds()
    {
        Prop.ForAll(Arb.From(Cases), c =>
        {
            var (portfolio, plan) = PlanFor(c);
            foreach (var a in plan.Accounts) Assert.True(a.CashAfter >= 0m, $"{a.Account.Name} ends with {a.CashAfter}");
            if (!c.Transfers) Assert.Empty(plan.Transfers);
            Assert.Equal(plan.Accounts.Sum(a => a.CashAfter), plan.Plan.CashAfter);
            if (c.MaxGain is { } max) Assert.True(plan.RealizedGain <= max, $"realized {plan.RealizedGain} over the budget {max} ({plan.Strategy}; noST {c.NoShortTerm}); {string.Join(" / ", plan.Warnings)}\n{Yaml(c)}");
            if (c.NoShortTerm)
                foreach (var sale in plan.Accounts.SelectMany(a => a.Trades).Select(t => t.Lots).OfType<LotSale>())
                    Assert.True(sale.ShortTermGain <= 0m, $"{sale.Ticker} realizes short-term {sale.ShortTermGain}");
            // Nothing is created or lost: holdings after plus cash after equal the value before less the costs.
            var after = plan.Plan.After.Where(h => h.Ticker != Ballast.Portfolios.Portfolio.CashTicker).Sum(h => h.Value) + plan.Plan.CashAfter;
            Assert.Equal(portfolio.InvestedValue + portfolio.Cash - plan.Plan.EstimatedCosts, after);
            // Each ticker's account trades add up to the household trade.
            foreach (var t in plan.Plan.Trades)
                Assert.Equal(t.Value, plan.Accounts.SelectMany(a => a.Trades).Where(x => x.Trade.Ticker == t.Ticker && x.Trade.Side == t.Side).Sum(x => x.Trade.Value));
        }).QuickCheckThrowOnFailure();
    }
}
