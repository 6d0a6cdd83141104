using FsCheck;
using FsCheck.Fluent;

namespace Ballast.Tax.Tests;

/// <summary>Invariants of lot selection, history replay and harvesting, over generated inputs.</summary>
public sealed class TaxPropertyTests
{
    private static readonly DateOnly Start = new(2020, 1, 1);
    private static readonly string[] Tickers = ["VOO", "IVV", "BND"];
    private static readonly string[] Accounts = ["taxable", "joint"];

    private sealed record LotSpec(int QuantityCents, int BasisCents, int DayOffset);

    private sealed record SaleCase(LotSpec[] Lots, LotSelectionMethod Method, int PerMille, int PriceCents);

    private sealed record Op(int Kind, int Account, int Ticker, int Quantity, int PriceCents, int GapDays);

    private sealed record HistoryCase(Op[] Ops, LotSelectionMethod TaxableMethod, LotSelectionMethod JointMethod);

    private static readonly Gen<LotSpec> LotSpecs =
        from q in Gen.Choose(1, 100_000)
        from b in Gen.Choose(0, 5_000_000)
        from d in Gen.Choose(0, 2000)
        select new LotSpec(q, b, d);

    private static readonly Gen<LotSelectionMethod> OrderedMethods =
        Gen.Elements(LotSelectionMethod.Fifo, LotSelectionMethod.Lifo, LotSelectionMethod.Hifo, LotSelectionMethod.TaxMinimizing);

    private static readonly Gen<SaleCase> SaleCases =
        from count in Gen.Choose(1, 6)
        from lots in Gen.ArrayOf(LotSpecs, count)
        from method in OrderedMethods
        from perMille in Gen.Choose(1, 1000)
        from price in Gen.Choose(0, 100_000)
        select new SaleCase(lots, method, perMille, price);

    private static readonly Gen<Op> Ops =
        from kind in Gen.Frequency((3, Gen.Constant(0)), (3, Gen.Constant(1)), (1, Gen.Constant(2)))
        from account in Gen.Choose(0, 1)
        from ticker in Gen.Choose(0, 2)
        from quantity in Gen.Choose(1, 50)
        from price in Gen.Choose(100, 20_000)
        from gap in Gen.Choose(0, 20)
        select new Op(kind, account, ticker, quantity, price, gap);

    private static readonly Gen<HistoryCase> Histories =
        from ops in Gen.ArrayOf(Ops)
        from taxable in OrderedMethods
        from joint in OrderedMethods
        select new HistoryCase(ops, taxable, joint);

    // Lot quantities and bases are conserved, no lot is consumed twice, and realized gain is proceeds minus basis.
    [Fact]
    public void Sell_ConservesLotsAndRealizesProceedsMinusBasis()
    {
        Prop.ForAll(Arb.From(SaleCases), c =>
        {
            var lots = c.Lots.Select((s, i) => new TaxLot($"L{i}", "VOO", "taxable", Start.AddDays(s.DayOffset), s.QuantityCents / 100m, s.BasisCents / 100m)).ToList();
            var held = lots.Sum(l => l.Quantity);
            var quantity = Math.Min(held, Math.Max(0.01m, Math.Round(held * c.PerMille / 1000m, 2, MidpointRounding.AwayFromZero)));

            var sale = new LotSelector().Sell(lots, quantity, c.PriceCents / 100m, new DateOnly(2026, 1, 1), c.Method);

            Assert.Equal(quantity, sale.Slices.Sum(s => s.Quantity));
            Assert.Equal(sale.Slices.Count, sale.Slices.Select(s => s.LotId).Distinct().Count());
            Assert.Equal(sale.Proceeds, sale.Slices.Sum(s => s.Proceeds));
            Assert.All(sale.Slices, s => Assert.True(s.Proceeds >= 0m && s.CostBasis >= 0m));
            Assert.Equal(sale.Proceeds - sale.Slices.Sum(s => s.CostBasis), sale.Gain);
            Assert.Equal(held, sale.Slices.Sum(s => s.Quantity) + sale.RemainingLots.Sum(l => l.Quantity));
            foreach (var lot in lots)
            {
                var sold = sale.Slices.Where(s => s.LotId == lot.Id).ToList();
                var rest = sale.RemainingLots.Where(l => l.Id == lot.Id).ToList();
                Assert.Equal(lot.Quantity, sold.Sum(s => s.Quantity) + rest.Sum(l => l.Quantity));
                Assert.Equal(lot.CostBasis, sold.Sum(s => s.CostBasis) + rest.Sum(l => l.CostBasis));
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    // The quantity MaxQuantity returns, when sold, stays within the limits.
    [Fact]
    public void MaxQuantity_SellingItStaysWithinTheLimits()
    {
        var limitGen =
            from c in SaleCases
            from maxGain in Gen.Choose(-2_000_000, 2_000_000)
            from noShort in Gen.Elements(true, false)
            from decimals in Gen.Choose(0, 3)
            select (c, limits: new SaleLimits(maxGain / 100m, noShort), decimals);

        Prop.ForAll(Arb.From(limitGen), x =>
        {
            var lots = x.c.Lots.Select((s, i) => new TaxLot($"L{i}", "VOO", "taxable", Start.AddDays(s.DayOffset), s.QuantityCents / 100m, s.BasisCents / 100m)).ToList();
            var selector = new LotSelector();
            var price = x.c.PriceCents / 100m;
            var saleDate = new DateOnly(2026, 1, 1);

            var max = selector.MaxQuantity(lots, price, saleDate, x.c.Method, x.limits, x.decimals);

            Assert.InRange(max, 0m, lots.Sum(l => l.Quantity));
            Assert.Equal(max, Math.Round(max, x.decimals));
            if (max > 0m)
            {
                var sale = selector.Sell(lots, max, price, saleDate, x.c.Method);
                Assert.True(sale.Gain <= x.limits.MaxRealizedGain!.Value, $"gain {sale.Gain} over {x.limits.MaxRealizedGain}");
                Assert.True(!x.limits.NoShortTermGains || sale.ShortTermGain <= 0m, $"short-term gain {sale.ShortTermGain}");
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    // Replaying any history: open lots sum to bought minus sold per holding, a sale never consumes a lot twice,
    // and basis is conserved: open basis + sold basis = purchase cost + losses moved into replacement lots.
    [Fact]
    public void Replay_ConservesQuantitiesAndBasis()
    {
        Prop.ForAll(Arb.From(Histories), h =>
        {
            var selector = new LotSelector();
            var date = Start;
            var transactions = new List<LedgerTransaction>();
            foreach (var op in h.Ops)
            {
                date = date.AddDays(op.GapDays);
                var kind = op.Kind switch { 0 => TransactionKind.Buy, 1 => TransactionKind.Sell, _ => TransactionKind.DividendReinvestment };
                transactions.Add(new LedgerTransaction(date, Accounts[op.Account], Tickers[op.Ticker], kind, op.Quantity, op.PriceCents / 100m));
            }
            var methods = new Dictionary<string, LotSelectionMethod> { ["taxable"] = h.TaxableMethod, ["joint"] = h.JointMethod };

            var result = new LotLedger(selector, new IdenticalTickers([["VOO", "IVV"]])).Replay([], transactions, methods);

            foreach (var account in Accounts)
            {
                foreach (var ticker in Tickers)
                {
                    var bought = transactions.Where(t => t.Account == account && t.Ticker == ticker && t.Kind != TransactionKind.Sell).Sum(t => t.Quantity);
                    var sold = result.Sales.Where(s => s.Account == account && s.Ticker == ticker).Sum(s => s.Quantity);
                    Assert.Equal(bought - sold, result.OpenLots.Where(l => l.Account == account && l.Ticker == ticker).Sum(l => l.Quantity));
                }
            }
            Assert.All(result.Sales, s =>
            {
                Assert.Equal(s.Lots.Count, s.Lots.Select(l => l.LotId).Distinct().Count());
                Assert.Equal(s.Quantity, s.Lots.Sum(l => l.Quantity));
                Assert.All(s.Lots, l => Assert.InRange(l.DisallowedLoss, 0m, Math.Max(0m, -l.Gain)));
            });
            var cost = transactions.Where(t => t.Kind != TransactionKind.Sell).Sum(t => selector.RoundMoney(t.Quantity * t.PricePerShare));
            var disallowed = result.Sales.Sum(s => s.DisallowedLoss);
            Assert.Equal(disallowed, result.WashSales.Sum(w => w.DisallowedLoss));
            Assert.Equal(cost + disallowed, result.OpenLots.Sum(l => l.CostBasis) + result.Sales.Sum(s => s.CostBasis));
            Assert.Equal(result.OpenLots.Count, result.OpenLots.Select(l => l.Id).Distinct().Count());
            Assert.All(result.OpenLots, l => Assert.True(l.HoldingPeriodStart <= l.Acquired));
            Assert.DoesNotContain(result.Problems, p => p.Field is null || !p.Field.EndsWith(".quantity", StringComparison.Ordinal));
            return true;
        }).QuickCheckThrowOnFailure();
    }

    private sealed record HarvestLot(int Ticker, int Account, int Quantity, int BasisPerShare, int DaysAgo);

    private sealed record HarvestCase(HarvestLot[] Lots, int[] Prices, (int Ticker, int DaysAgo)[] LossSales, (int Ticker, int DaysFromNow)[] Purchases);

    private static readonly string[] HarvestTickers = ["VOO", "IVV", "SPLG", "VTI", "BND"];

    private static readonly Gen<HarvestCase> HarvestCases =
        from lots in Gen.ArrayOf(
            from t in Gen.Choose(0, 4)
            from a in Gen.Choose(0, 2)
            from q in Gen.Choose(1, 200)
            from b in Gen.Choose(50, 150)
            from d in Gen.Choose(0, 400)
            select new HarvestLot(t, a, q, b, d))
        from prices in Gen.ArrayOf(Gen.Choose(40, 140), 5)
        from sales in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 4), Gen.Choose(0, 60)))
        from purchases in Gen.ArrayOf(Gen.Zip(Gen.Choose(0, 4), Gen.Choose(-5, 40)))
        select new HarvestCase(lots, prices, sales, purchases);

    // No proposed buy falls within 30 days of a proposed or past loss sale of an identical ticker, and no
    // proposed loss sale falls within 30 days of a purchase of an identical ticker in the household.
    [Fact]
    public void Harvest_NeverProposesAWashSale()
    {
        var identical = new IdenticalTickers([["VOO", "SPLG"]]);
        var substitutes = new Dictionary<string, string> { ["VOO"] = "IVV", ["IVV"] = "VOO", ["SPLG"] = "VTI", ["VTI"] = "SPLG", ["BND"] = "BND" };
        var asOf = new DateOnly(2025, 6, 2);

        Prop.ForAll(Arb.From(HarvestCases), c =>
        {
            var lots = c.Lots.Select((l, i) => new TaxLot($"L{i}", HarvestTickers[l.Ticker], $"acct{l.Account}", asOf.AddDays(-l.DaysAgo), l.Quantity, l.Quantity * (decimal)l.BasisPerShare)).ToList();
            var lossSales = c.LossSales.Select(s => new LossSale(HarvestTickers[s.Ticker], "acct0", asOf.AddDays(-s.DaysAgo), 1m)).ToList();
            var purchases = c.Purchases.Select(p => new Purchase(HarvestTickers[p.Ticker], "acct1", asOf.AddDays(p.DaysFromNow))).ToList();
            var request = new HarvestRequest
            {
                OpenLots = lots,
                Prices = HarvestTickers.Select((t, i) => (t, p: (decimal)c.Prices[i])).ToDictionary(x => x.t, x => x.p),
                AsOf = asOf,
                Regime = TaxRegime.Us(0.37m, 0.15m),
                Substitutes = substitutes,
                Identical = identical,
                LossSales = lossSales,
                PlannedPurchases = purchases,
            };

            var report = HarvestFinder.Find(request);

            static bool Near(DateOnly a, DateOnly b) => Math.Abs(a.DayNumber - b.DayNumber) <= 30;
            var soldIds = report.Candidates.SelectMany(x => x.Lots.Select(l => l.LotId)).ToList();
            Assert.Equal(soldIds.Count, soldIds.Distinct().Count());
            foreach (var h in report.Candidates)
            {
                var mine = h.Lots.Select(l => l.LotId).ToHashSet();
                Assert.True(h.Loss > 0m);
                Assert.DoesNotContain(purchases, p => identical.AreIdentical(p.Ticker, h.Ticker) && Near(p.Date, asOf));
                Assert.DoesNotContain(lots, l => !mine.Contains(l.Id) && identical.AreIdentical(l.Ticker, h.Ticker) && Near(l.Acquired, asOf));
                Assert.DoesNotContain(report.Candidates, o => o.Substitute is not null && identical.AreIdentical(o.Substitute, h.Ticker));
                if (h.Substitute is null) continue;
                Assert.False(identical.AreIdentical(h.Substitute, h.Ticker));
                Assert.DoesNotContain(lossSales, s => identical.AreIdentical(s.Ticker, h.Substitute) && Near(s.Date, asOf));
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }
}
