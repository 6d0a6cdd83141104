using Ballast.Drift;
using Ballast.Planning;
using Ballast.Portfolios;
using Ballast.Tax;

namespace Ballast.Households;

/// <summary>Tax settings of one planning run.</summary>
public sealed record TaxPlanOptions
{
    /// <summary>The most net gain (total, portfolio currency) the plan's sells may realize; null for no budget.</summary>
    public decimal? MaxRealizedGain { get; init; }

    /// <summary>When true, no taxable account's sell may realize a net short-term gain.</summary>
    public bool NoShortTermGains { get; init; }

    /// <summary>Compare alternatives (tax-min lot order, a sell-limited or buy-only plan that still satisfies the trigger) and keep the one with the least estimated tax.</summary>
    public bool TaxAware { get; init; }
}

/// <summary>One order in one account; a sell in a taxable account lists the lots it consumes.</summary>
/// <param name="Trade">The order (value, quantity and cost in the portfolio currency).</param>
/// <param name="Lots">For a sell in a taxable account with lots: the consumed lots (proceeds are the trade value, before costs); null otherwise.</param>
public sealed record AccountTrade(Trade Trade, LotSale? Lots);

/// <summary>An account's part of a household plan.</summary>
/// <param name="Account">The account.</param>
/// <param name="Trades">Its orders, sells first.</param>
/// <param name="CashBefore">Cash before the trades (a deposit included), portfolio currency.</param>
/// <param name="CashAfter">Cash after the trades, their costs, transfers and any withdrawal.</param>
public sealed record AccountPlan(Account Account, IReadOnlyList<AccountTrade> Trades, decimal CashBefore, decimal CashAfter);

/// <summary>Cash moved from one account to another (only when the file allows cash transfers). <paramref name="Amount"/> is in the portfolio currency.</summary>
public sealed record CashTransfer(string From, string To, decimal Amount);

/// <summary>
/// A plan with its tax consequences: the household plan (trades summed over accounts), each account's trades,
/// realized gains and the estimated tax the plan adds to the as-of year.
/// </summary>
/// <param name="Plan">The engine's plan, with <see cref="Plan.Trades"/> and <see cref="Plan.CashAfter"/> replaced by the sums of what the accounts do.</param>
/// <param name="Accounts">Each account's trades, in file order.</param>
/// <param name="ShortTermGain">Net short-term gain realized by the sells of taxable accounts (negative: loss).</param>
/// <param name="LongTermGain">Net long-term gain realized by the sells of taxable accounts.</param>
/// <param name="EstimatedTax">Tax the plan adds to the as-of year given the year-to-date gains (negative when it saves tax), rounded by the regime.</param>
/// <param name="Transfers">Cash moved between accounts.</param>
/// <param name="Warnings">The engine's warnings and the ones of distribution, limits and wash sales.</param>
/// <param name="Strategy">Which alternative was chosen: <c>plain</c>, <c>tax-min lots</c>, <c>no net gain</c> or <c>buy only</c>.</param>
public sealed record TaxPlan(
    Plan Plan,
    IReadOnlyList<AccountPlan> Accounts,
    decimal ShortTermGain,
    decimal LongTermGain,
    decimal EstimatedTax,
    IReadOnlyList<CashTransfer> Transfers,
    IReadOnlyList<string> Warnings,
    string Strategy)
{
    /// <summary>Net realized gain of the plan, both terms.</summary>
    public decimal RealizedGain => ShortTermGain + LongTermGain;
}

/// <summary>
/// Plans a portfolio with tax lots, single-account or household. The engine (<see cref="Planner"/>) runs once on
/// the household as a whole; its trades per ticker are then distributed over the accounts.
/// </summary>
/// <remarks>
/// <para>Sells are taken from tax-deferred and tax-free accounts first, then from taxable accounts in file order.
/// Buys go to tax-deferred and tax-free accounts first, each within its own cash (its cash plus the proceeds of its sells),
/// then to taxable accounts; without <see cref="TaxProfile.AllowCashTransfers"/> what no account can pay for is left
/// undone with a warning. A deposit lands in the first account of the file; a withdrawal comes out of taxable accounts first,
/// and the sells that raise it are taken from taxable accounts first too.</para>
/// <para>A sell in a taxable account consumes lots in the account's order (<c>specific</c> plans as FIFO; <c>--tax-aware</c>
/// may use tax-min). A buy of a ticker identical to one sold at a loss within the wash-sale window (in the history or in this
/// plan, any account) is held back with a warning.</para>
/// </remarks>
public static class HouseholdPlanner
{
    /// <summary>Plans <paramref name="portfolio"/> (whose <see cref="Portfolio.Tax"/> may be null: one taxable account without lots).</summary>
    public static TaxPlan Create(Portfolio portfolio, PlanRequest request, TaxPlanOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(request);
        options ??= new TaxPlanOptions();
        var profile = portfolio.Tax ?? TaxProfile.Plain(portfolio);

        var limited = options.MaxRealizedGain is not null || options.NoShortTermGains;
        // The engine's plan for the request; the strategies differ in how they distribute it and in the limits they add.
        var unlimited = Planner.Create(portfolio, request);
        var candidates = new List<TaxPlan> { Run(portfolio, profile, request, unlimited, options, taxMin: false, "plain", limited) };
        if (!options.TaxAware) return candidates[0];

        candidates.Add(Run(portfolio, profile, request, unlimited, options, taxMin: true, "tax-min lots", limited));
        var bands = candidates[0].Plan.Drift.Positions.Any(p => p.HalfWidth is not null);
        if (bands && candidates[0].Plan.Trades.Any(t => t.Side == TradeSide.Sell))
        {
            var noGain = options with { MaxRealizedGain = Math.Min(options.MaxRealizedGain ?? 0m, 0m) };
            var buyOnly = request with { SellLimits = portfolio.Positions.ToDictionary(p => p.Ticker, _ => 0m) };
            var alternatives = new[]
            {
                // Buy only first: on a tie in tax the plan with fewer trades wins.
                Run(portfolio, profile, buyOnly, Planner.Create(portfolio, buyOnly), options, taxMin: true, "buy only", limited: false),
                Run(portfolio, profile, request, unlimited, noGain, taxMin: true, "no net gain", limited: true),
            };
            foreach (var alt in alternatives)
                if (SatisfiesTrigger(portfolio, alt.Plan)) candidates.Add(alt);
        }
        var best = candidates[0];
        foreach (var c in candidates.Skip(1))
            if (c.EstimatedTax < best.EstimatedTax) best = c;
        return best;
    }

    /// <summary>True when the portfolio after <paramref name="plan"/> is inside every band of its policy.</summary>
    public static bool SatisfiesTrigger(Portfolio portfolio, Plan plan)
    {
        var after = DriftEvaluator.Evaluate(plan.ApplyTo(portfolio));
        return after.Positions.All(p => p.Status == BandStatus.Within);
    }

    /// <summary>One strategy: <paramref name="unlimited"/> (the engine's plan for <paramref name="request"/>) distributed, or when
    /// <paramref name="limited"/>, re-planned under sell limits that keep the gain budget and the short-term rule.</summary>
    private static TaxPlan Run(Portfolio portfolio, TaxProfile profile, PlanRequest request, Plan unlimited, TaxPlanOptions options, bool taxMin, string strategy, bool limited)
    {
        if (!limited) return Distribute(portfolio, profile, unlimited, taxMin) with { Strategy = strategy };

        // Limits are always computed from the unlimited plan's sells, so a ticker a tighter plan stopped selling keeps its limit.
        TaxPlan result = null!;
        var budget = options.MaxRealizedGain;
        var frozen = new HashSet<string>(StringComparer.Ordinal);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            // The last attempt sells nothing from taxable accounts: a plan breaking the limits is never returned.
            var limits = SellLimits(portfolio, profile, unlimited, taxMin, budget, options.NoShortTermGains, request.SellLimits, frozen, taxableNone: attempt == 4);
            var plan = Planner.Create(portfolio, request with { SellLimits = limits });
            result = Distribute(portfolio, profile, plan, taxMin);
            // Rounding of split lots, or a lot order whose gains are not monotone in the quantity (a gain lot before a
            // loss lot), can break a limit when the planner sells a little less than allowed; tighten and try again.
            var shortTermBreaks = options.NoShortTermGains
                ? result.Accounts.SelectMany(a => a.Trades).Select(t => t.Lots).OfType<LotSale>().Where(x => x.ShortTermGain > 0m).Select(x => x.Ticker).ToList()
                : [];
            var overBudget = options.MaxRealizedGain is { } max && result.RealizedGain > max;
            if (!overBudget && shortTermBreaks.Count == 0) break;
            frozen.UnionWith(shortTermBreaks);
            if (overBudget && options.MaxRealizedGain is { } cap)
                budget = (budget ?? cap) - Math.Max(result.RealizedGain - cap, Execution.Unit(portfolio.Execution.MoneyDecimals));
        }
        return result with { Strategy = strategy };
    }

    /// <summary>
    /// Per-ticker sell limits (portfolio currency) that keep the taxable sells within the gain budget and the
    /// short-term rule: tax-advantaged holdings may always be sold; each taxable account's part is the largest
    /// quantity its lot order can sell within what is left of the budget, times the price.
    /// </summary>
    private static Dictionary<string, decimal> SellLimits(Portfolio portfolio, TaxProfile profile, Plan plan, bool taxMin, decimal? budget,
        bool noShortTerm, IReadOnlyDictionary<string, decimal>? given, IReadOnlySet<string> frozen, bool taxableNone = false)
    {
        var limits = given is null ? new Dictionary<string, decimal>(StringComparer.Ordinal) : new Dictionary<string, decimal>(given, StringComparer.Ordinal);
        var selector = profile.Selector;
        var remaining = budget;
        var quantityDecimals = portfolio.Execution.WholeShares ? 0 : portfolio.Execution.QuantityDecimals;
        foreach (var sell in plan.Trades.Where(t => t.Side == TradeSide.Sell))
        {
            if (sell.Quantity is not { } need || sell.Price is not { } price) continue;
            var sec = portfolio.FindSecurity(sell.Ticker);
            var qd = sec is { Fractional: false } ? 0 : quantityDecimals;
            var limit = 0m;
            foreach (var account in SellOrder(profile.Accounts, plan.Withdraw > 0))
            {
                var held = account.Holdings.FirstOrDefault(h => h.Ticker == sell.Ticker);
                if (held is null || need <= 0) continue;
                var heldQuantity = held.Quantity ?? 0m;
                if (!account.IsTaxable)
                {
                    var take = Math.Min(need, heldQuantity);
                    need -= take;
                    limit += held.Value * (heldQuantity == 0 ? 1 : take / heldQuantity);
                    continue;
                }
                var lots = profile.History.OpenLots.Where(l => l.Account == account.Name && l.Ticker == sell.Ticker).ToList();
                if (taxableNone || frozen.Contains(sell.Ticker)) break;
                if (lots.Count == 0) { limit += held.Value; need -= heldQuantity; continue; }
                var method = Method(account, taxMin);
                var max = selector.MaxQuantity(lots, price, portfolio.AsOf, method, new SaleLimits(remaining, noShortTerm), qd);
                var q = Math.Min(max, Math.Min(need, lots.Sum(l => l.Quantity)));
                if (q > 0)
                {
                    var sale = selector.Sell(lots, q, price, portfolio.AsOf, method);
                    if (remaining is not null) remaining -= sale.Gain;
                    limit += sale.Proceeds;
                }
                need -= q;
                if (q < Math.Min(need + q, heldQuantity)) break; // the budget or rule stopped this account: do not reach further
            }
            limit = Math.Round(limit, portfolio.Execution.MoneyDecimals, MidpointRounding.ToNegativeInfinity);
            limits[sell.Ticker] = limits.TryGetValue(sell.Ticker, out var earlier) ? Math.Min(earlier, limit) : limit;
        }
        return limits;
    }

    /// <summary>
    /// Tax-advantaged accounts first, or taxable first (<paramref name="taxableFirst"/>): the order sells use when the plan
    /// raises cash for a withdrawal, which is paid from taxable accounts.
    /// </summary>
    private static IEnumerable<Account> SellOrder(IReadOnlyList<Account> accounts, bool taxableFirst) =>
        taxableFirst
            ? accounts.Where(a => a.IsTaxable).Concat(accounts.Where(a => !a.IsTaxable))
            : accounts.Where(a => !a.IsTaxable).Concat(accounts.Where(a => a.IsTaxable));

    private static LotSelectionMethod Method(Account account, bool taxMin) =>
        taxMin ? LotSelectionMethod.TaxMinimizing
        : account.LotSelection == LotSelectionMethod.Specific ? LotSelectionMethod.Fifo
        : account.LotSelection;

    private sealed class AccountState(Account account, decimal cash, IEnumerable<TaxLot> lots)
    {
        public Account Account { get; } = account;
        public decimal CashBefore { get; set; } = cash;
        public decimal Cash { get; set; } = cash;
        public Dictionary<string, decimal> Units { get; } = new(StringComparer.Ordinal);
        public List<TaxLot> Lots { get; set; } = [.. lots];
        public List<AccountTrade> Trades { get; } = [];
    }

    /// <summary>Distributes the household plan's trades over the accounts and estimates the tax.</summary>
    private static TaxPlan Distribute(Portfolio portfolio, TaxProfile profile, Plan plan, bool taxMin)
    {
        var warnings = new List<string>(plan.Warnings);
        var asOf = portfolio.AsOf;
        var money = portfolio.Execution.MoneyDecimals;
        var selector = profile.Selector;
        var states = profile.Accounts
            .Select((a, i) => new AccountState(a, a.Cash + (i == 0 ? plan.Deposit : 0m), profile.History.OpenLots.Where(l => l.Account == a.Name)))
            .ToList();
        List<AccountState> InOrder(bool taxableFirst) => [.. SellOrder(profile.Accounts, taxableFirst).Select(a => states.First(s => s.Account == a))];
        var ordered = InOrder(taxableFirst: false);
        var sellOrder = InOrder(plan.Withdraw > 0);
        var washWindow = profile.Regime.WashSaleWindowDays;
        var guard = new WashSaleGuard(profile.Identical, profile.PastLossSales(),
            profile.Transactions.Where(t => t.Kind != TransactionKind.Sell).Select(t => new Purchase(t.Ticker, t.Account, t.Date)),
            washWindow ?? 0);

        foreach (var sell in plan.Trades.Where(t => t.Side == TradeSide.Sell))
        {
            var byQuantity = sell.Quantity is not null && sell.Price is not null;
            var total = byQuantity ? sell.Quantity!.Value : sell.Value;
            var left = total;
            var valueLeft = sell.Value;
            var costLeft = sell.Cost;
            foreach (var s in sellOrder)
            {
                if (left <= 0) break;
                var held = s.Account.Holdings.FirstOrDefault(h => h.Ticker == sell.Ticker);
                if (held is null) continue;
                if (!s.Units.TryGetValue(sell.Ticker, out var units))
                    units = byQuantity ? held.Quantity ?? Math.Round(held.Value / sell.Price!.Value, portfolio.Execution.QuantityDecimals, MidpointRounding.ToZero) : held.Value;
                var take = Math.Min(left, units);
                if (take <= 0) continue;
                var last = take == left;
                var value = last ? valueLeft : Part(sell.Value, take, total, money);
                var cost = last ? costLeft : Part(sell.Cost, take, total, money);
                left -= take;
                valueLeft -= value;
                costLeft -= cost;
                s.Units[sell.Ticker] = units - take;
                s.Cash += value - cost;
                LotSale? sale = null;
                if (s.Account.IsTaxable && byQuantity)
                {
                    var lots = s.Lots.Where(l => l.Ticker == sell.Ticker).ToList();
                    if (lots.Sum(l => l.Quantity) >= take)
                    {
                        sale = selector.SellForProceeds(lots, take, value, asOf, Method(s.Account, taxMin));
                        s.Lots = [.. s.Lots.Where(l => l.Ticker != sell.Ticker), .. sale.RemainingLots];
                        var loss = sale.Slices.Where(x => x.Gain < 0).Sum(x => -x.Gain);
                        if (loss > 0 && washWindow is not null)
                        {
                            var check = guard.CheckLossSale(sell.Ticker, asOf);
                            if (!check.Allowed)
                                warnings.Add($"the sell of {sell.Ticker} in {s.Account.Name} realizes a loss of {loss} within {washWindow} days of a purchase of an identical security: it would be a wash sale and the loss disallowed");
                            guard.AddLossSale(new LossSale(sell.Ticker, s.Account.Name, asOf, loss));
                        }
                    }
                    else warnings.Add($"{s.Account.Name} has no lots for all {take} shares of {sell.Ticker} sold: the gain of that sell is not estimated");
                }
                else if (s.Account.IsTaxable) warnings.Add($"{sell.Ticker} in {s.Account.Name} has no quantity and price: the gain of that sell is not estimated");
                s.Trades.Add(new AccountTrade(sell with { Value = value, Quantity = byQuantity ? take : null, Cost = cost }, sale));
            }
        }

        foreach (var buy in plan.Trades.Where(t => t.Side == TradeSide.Buy))
        {
            if (washWindow is not null && guard.CheckBuy(buy.Ticker, asOf) is { Allowed: false } blocked)
            {
                warnings.Add($"buy of {buy.Ticker} held back until {blocked.BlockedUntil:yyyy-MM-dd}: {blocked.BlockingSale!.Ticker} was sold at a loss in {blocked.BlockingSale.Account} on {blocked.BlockingSale.Date:yyyy-MM-dd} (wash sale)");
                continue;
            }
            var byQuantity = buy.Quantity is not null && buy.Price is not null;
            var total = byQuantity ? buy.Quantity!.Value : buy.Value;
            var sec = portfolio.FindSecurity(buy.Ticker);
            var qd = portfolio.Execution.WholeShares || sec is { Fractional: false } ? 0 : portfolio.Execution.QuantityDecimals;
            var left = total;
            var valueLeft = buy.Value;
            var costLeft = buy.Cost;
            void Place(AccountState s, decimal take)
            {
                var last = take == left;
                var value = last ? valueLeft : Part(buy.Value, take, total, money);
                var cost = last ? costLeft : Part(buy.Cost, take, total, money);
                left -= take;
                valueLeft -= value;
                costLeft -= cost;
                s.Cash -= value + cost;
                s.Trades.Add(new AccountTrade(buy with { Value = value, Quantity = byQuantity ? take : null, Cost = cost }, null));
                guard.AddPurchase(new Purchase(buy.Ticker, s.Account.Name, asOf));
            }
            foreach (var s in ordered)
            {
                if (left <= 0) break;
                if (s.Cash <= 0) continue;
                var need = valueLeft + costLeft;
                decimal take;
                if (s.Cash >= need) take = left;
                else
                {
                    var fraction = s.Cash / need;
                    take = byQuantity ? Math.Round(left * fraction, qd, MidpointRounding.ToZero) : Math.Round(left * fraction, money, MidpointRounding.ToZero);
                    // The rounded cost share can tip a proportional split over the cash by a unit; step back until it fits.
                    while (take > 0 && Part(buy.Value, take, total, money) + Part(buy.Cost, take, total, money) > s.Cash)
                        take -= Execution.Unit(byQuantity ? qd : money);
                }
                if (take > 0) Place(s, take);
            }
            if (left > 0)
            {
                if (profile.AllowCashTransfers) Place(ordered[0], left);
                else warnings.Add($"buy of {buy.Ticker}: {valueLeft} left undone because the cash is in other accounts and the file does not allow cash transfers");
            }
        }

        var transfers = new List<CashTransfer>();
        if (profile.AllowCashTransfers)
        {
            foreach (var needy in states.Where(s => s.Cash < 0))
            {
                foreach (var giver in states.Where(s => s.Cash > 0))
                {
                    if (needy.Cash >= 0) break;
                    var amount = Math.Min(giver.Cash, -needy.Cash);
                    giver.Cash -= amount;
                    needy.Cash += amount;
                    transfers.Add(new CashTransfer(giver.Account.Name, needy.Account.Name, amount));
                }
            }
        }

        var withdraw = plan.Withdraw;
        foreach (var s in InOrder(taxableFirst: true))
        {
            if (withdraw <= 0) break;
            var take = Math.Min(withdraw, Math.Max(0, s.Cash));
            s.Cash -= take;
            withdraw -= take;
        }
        if (withdraw > 0) warnings.Add($"the withdrawal is {withdraw} short: the accounts' cash after the trades does not cover it");

        var sales = states.SelectMany(s => s.Trades).Select(t => t.Lots).OfType<LotSale>().ToList();
        var shortTerm = sales.Sum(s => s.ShortTermGain);
        var longTerm = sales.Sum(s => s.LongTermGain);
        var planned = sales.SelectMany(s => s.RealizedGains(profile.TreatmentOf(s.Ticker))).ToList();
        var tax = TaxCalculator.EstimatePlan(profile.Regime, profile.YearToDate(asOf.Year), planned).Incremental;

        var trades = states.SelectMany(s => s.Trades.Select(t => t.Trade))
            .GroupBy(t => (t.Ticker, t.Side))
            .Select(g => g.First() with
            {
                Value = g.Sum(t => t.Value),
                Quantity = g.All(t => t.Quantity is not null) ? g.Sum(t => t.Quantity!.Value) : null,
                Cost = g.Sum(t => t.Cost),
            })
            .OrderBy(t => t.Side == TradeSide.Sell ? 0 : 1)
            .ToList();
        var household = plan with
        {
            Trades = trades, CashAfter = states.Sum(s => s.Cash), EstimatedCosts = trades.Sum(t => t.Cost), Warnings = warnings,
            After = AfterUndone(portfolio, plan, trades),
        };
        var accounts = states.Select(s => new AccountPlan(s.Account,
            [.. s.Trades.OrderBy(t => t.Trade.Side == TradeSide.Sell ? 0 : 1)], s.CashBefore, s.Cash)).ToList();
        return new TaxPlan(household, accounts, shortTerm, longTerm, tax, transfers, warnings, "plain");
    }

    /// <summary>An account's share of a trade's value or cost: <paramref name="take"/> of <paramref name="total"/> units, to the money unit.</summary>
    private static decimal Part(decimal amount, decimal take, decimal total, int money) =>
        Math.Round(amount * take / total, money, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The engine's positions after the trades, less the buys that were left undone or held back: their value stays
    /// in cash, which leaves the weighing base unless cash is an asset class.
    /// </summary>
    private static IReadOnlyList<HoldingAfter> AfterUndone(Portfolio portfolio, Plan plan, IReadOnlyList<Trade> done)
    {
        var undone = new Dictionary<string, (decimal Value, decimal Quantity)>(StringComparer.Ordinal);
        foreach (var planned in plan.Trades.Where(t => t.Side == TradeSide.Buy))
        {
            var actual = done.FirstOrDefault(t => t.Side == TradeSide.Buy && t.Ticker == planned.Ticker);
            var value = planned.Value - (actual?.Value ?? 0m);
            var quantity = (planned.Quantity ?? 0m) - (actual?.Quantity ?? 0m);
            if (value != 0m) undone[planned.Ticker] = (value, quantity);
        }
        if (undone.Count == 0) return plan.After;
        var total = undone.Values.Sum(u => u.Value);
        var cashIsAsset = portfolio.CashIsAsset;
        return [.. plan.After.Select(h =>
        {
            var basis = cashIsAsset ? h.Basis : h.Basis - total;
            if (h.Ticker == Portfolio.CashTicker) return h with { Value = h.Value + total, Basis = basis };
            if (!undone.TryGetValue(h.Ticker, out var u)) return h with { Basis = basis };
            return h with { Value = h.Value - u.Value, Quantity = h.Quantity is { } q ? q - u.Quantity : null, Basis = basis };
        })];
    }
}
