using System.Globalization;
using Ballast.Households;
using Ballast.Input;
using Ballast.Portfolios;
using Ballast.Store.Data;
using Ballast.Store.Ledger;
using Ballast.Tax;
using TaxTransactionKind = Ballast.Tax.TransactionKind;

namespace Ballast.Store;

/// <summary>
/// Stored accounts as one engine portfolio with its tax side, as a household portfolio file would give it: one account
/// (for <c>--account</c>) or every account of a household, with the aggregated positions and cash, each account's
/// holdings, type and lot method, the household's tax settings, and the history replayed by the engine's <see cref="LotLedger"/>.
/// </summary>
/// <param name="Name">The account's name, or the household's.</param>
/// <param name="Accounts">The accounts it was built from, in name order.</param>
/// <param name="Portfolio">The portfolio with <see cref="Portfolio.Tax"/> set, or null with <paramref name="Error"/>.</param>
/// <param name="Warnings">Things a user should hear about (stale prices, lots of unknown cost).</param>
/// <param name="Error">Why no portfolio could be built.</param>
public sealed record StoredTaxPortfolio(string Name, IReadOnlyList<StoredPortfolio> Accounts, Portfolio? Portfolio, IReadOnlyList<string> Warnings, string? Error);

public sealed partial class BallastStore
{
    /// <summary>
    /// Builds the tax portfolio of <paramref name="accounts"/> (converted by <see cref="StoredPortfolios"/>, all of one household
    /// or a single account), named <paramref name="name"/>. The accounts must share a currency, a model's targets and a policy,
    /// as the accounts of a household portfolio file do. Only these accounts' lots and history are read: the plain
    /// <c>check</c> path never calls this.
    /// </summary>
    /// <remarks>
    /// The history is every stored transaction that changes a holding, account by account in ledger order: a buy opens a lot
    /// whose id is its transaction id and whose basis is its stored cost (fees included); a sale consumes lots, by the lots it
    /// recorded (a specific-lot sale) or else by the account's lot method, with the sale's cash (net of fees) as proceeds.
    /// Positions adjustments are not trades: a positive one is a lot open from its date (not a purchase for wash sales; without a
    /// price its basis is 0, with a warning), and a reducing one takes the shares it recorded out of their lots before the replay,
    /// realizing nothing. Wash sales are found across every account given, with the household's settings (<see cref="SetHouseholdTax"/>).
    /// </remarks>
    /// <param name="forPlanning">True when the portfolio will be planned: the accounts must then follow one model and policy.
    /// Reading lots, realized gains or harvests needs neither, and takes the first account's.</param>
    public StoredTaxPortfolio TaxPortfolio(string name, string? household, IReadOnlyList<StoredPortfolio> accounts, bool forPlanning = true)
    {
        var broken = accounts.FirstOrDefault(a => a.Portfolio is null);
        if (broken is not null) return new StoredTaxPortfolio(name, accounts, null, [], broken.Error);
        if (accounts.Count == 0) return new StoredTaxPortfolio(name, accounts, null, [], $"{name} has no accounts");
        var ordered = accounts.OrderBy(a => a.Account.Name, StringComparer.Ordinal).ToList();
        var first = ordered[0].Portfolio!;
        foreach (var a in ordered.Skip(1))
        {
            var p = a.Portfolio!;
            if (p.Currency != first.Currency)
                return new StoredTaxPortfolio(name, accounts, null, [], $"{name}: accounts {ordered[0].Account.Name} ({first.Currency}) and {a.Account.Name} ({p.Currency}) differ in currency; a household is planned in one currency");
            if (forPlanning && (!p.Targets.SequenceEqual(first.Targets) || p.Policy != first.Policy))
                return new StoredTaxPortfolio(name, accounts, null, [], $"{name}: accounts {ordered[0].Account.Name} and {a.Account.Name} follow different models or policies; a household is planned against one model");
        }

        var ids = ordered.Select(a => a.Account.AccountId).ToArray();
        var (settingsText, methods) = Read(c =>
        {
            var text = household is null ? null : c.Query("SELECT tax_settings FROM households WHERE tenant_id = @tenant AND name = @household", new { tenant = Tenant, household }, r => r.TextOrNull(0)).FirstOrDefault();
            var m = c.Query("SELECT id, lot_method FROM accounts WHERE tenant_id = @tenant AND id IN @ids", new { tenant = Tenant, ids }, r => (Id: r.GetInt64(0), Method: r.GetString(1)))
                .ToDictionary(x => x.Id, x => StoredLotMethods.Parse(x.Method));
            return (text, m);
        });
        var settingsRead = Ballast.Households.HouseholdTaxSettings.ReadText($"household {household} tax settings", settingsText);
        if (!settingsRead.Ok)
            return new StoredTaxPortfolio(name, accounts, null, [], $"{name}: the stored tax settings are not valid: {string.Join("; ", settingsRead.Problems)}");
        var settings = settingsRead.Value!;

        var warnings = ordered.SelectMany(a => a.Warnings).Distinct().ToList();
        var names = ordered.ToDictionary(a => a.Account.AccountId, a => a.Account.Name);
        var rows = Read(c => c.Query(
            """
            SELECT t.id, t.account_id, t.kind, t.trade_date, s.ticker, t.quantity, t.price, t.cash, t.lots, t.cost
            FROM transactions t JOIN securities s ON s.id = t.security_id
            WHERE t.account_id IN @ids AND t.quantity <> 0
            ORDER BY t.id
            """, new { ids },
            r => (Id: r.GetInt64(0), Account: r.GetInt64(1), Kind: r.GetString(2), Date: r.GetString(3), Ticker: r.GetString(4), Quantity: r.GetInt64(5),
                Price: r.LongOrNull(6), Cash: r.GetInt64(7), Lots: r.TextOrNull(8), Cost: r.LongOrNull(9))));
        var moneyDecimals = first.Execution.MoneyDecimals;
        var selector = new LotSelector(moneyDecimals);
        // Positions adjustments are not trades: a reducing one removes the shares it recorded from their lots before the
        // replay (no sale, no gain, no loss), and a positive one opens a lot that is there from its date (not a purchase,
        // so it holds no harvest back as a wash sale).
        var removed = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var t in rows.Where(r => r.Quantity < 0 && r.Kind == "adjustment"))
        {
            if (RecordedLots(t.Lots) is not { } recorded)
            {
                warnings.Add($"{names[t.Account]}: the positions adjustment of {t.Ticker} on {t.Date} recorded no lots (written before version 4); it counts as a sale at its price");
                continue;
            }
            foreach (var l in recorded) removed[l.LotId] = removed.GetValueOrDefault(l.LotId) + l.Quantity;
        }
        (decimal Quantity, decimal Basis) Left(string id, decimal quantity, decimal basis) =>
            removed.TryGetValue(id, out var r) ? (quantity - r, basis - selector.RoundMoney(basis * r / quantity)) : (quantity, basis);

        var initialLots = new List<TaxLot>();
        var transactions = new List<LedgerTransaction>(rows.Count);
        // Account by account in name order, each in ledger order, as a household file lists them: the engine replays by date,
        // keeping this order within a day.
        var rank = ordered.Select((a, i) => (a.Account.AccountId, i)).ToDictionary(x => x.AccountId, x => x.i);
        foreach (var t in rows.OrderBy(r => rank[r.Account]).ThenBy(r => r.Id))
        {
            var date = DateOnly.ParseExact(t.Date, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            var account = names[t.Account];
            var price = t.Price is { } p ? Scaled.Price(p) : 0m;
            var id = StoreLots.LotId(t.Id);
            if (t.Quantity > 0)
            {
                long? cost = t.Cost ?? (t.Kind == "buy" ? -t.Cash : t.Price is { } bp ? Scaled.Notional(t.Quantity, bp) : null);
                if (cost is null) warnings.Add($"{account}: lot {id} of {t.Ticker} ({t.Date}) has no known cost; it counts as cost 0");
                var (quantity, basis) = Left(id, Scaled.Quantity(t.Quantity), Scaled.Money(Math.Max(0, cost ?? 0)));
                if (quantity <= 0) continue;
                if (t.Kind == "adjustment") initialLots.Add(new TaxLot(id, t.Ticker, account, date, quantity, basis));
                else transactions.Add(new LedgerTransaction(date, account, t.Ticker, TaxTransactionKind.Buy, quantity, price, LotId: id, Total: basis));
                continue;
            }
            if (t.Kind == "adjustment" && RecordedLots(t.Lots) is not null) continue;
            var proceeds = t.Kind == "adjustment" ? (t.Price is { } ap ? Scaled.Notional(-t.Quantity, ap) : 0) : Math.Max(0, t.Cash);
            var lots = RecordedLots(t.Lots);
            // A named lot may have lost shares to a positions adjustment recorded later; the sale's own shares are still in it.
            transactions.Add(new LedgerTransaction(date, account, t.Ticker, TaxTransactionKind.Sell, Scaled.Quantity(-t.Quantity), price,
                Lots: lots, Total: Scaled.Money(proceeds)));
        }

        var methodByAccount = ordered.ToDictionary(a => a.Account.Name, a => methods.GetValueOrDefault(a.Account.AccountId, LotSelectionMethod.Fifo), StringComparer.Ordinal);
        var history = new LotLedger(selector, settings.Identical, settings.Regime.WashSaleWindowDays)
            .Replay(initialLots, transactions, methodByAccount);
        if (history.Problems.Count > 0)
            return new StoredTaxPortfolio(name, accounts, null, [], $"{name}: the stored history does not replay: {history.Problems[0].Message}");

        var taxAccounts = ordered.Select(a => new Households.Account(a.Account.Name, a.Account.Type switch
        {
            Ledger.AccountType.TaxDeferred => Households.AccountType.TaxDeferred,
            Ledger.AccountType.TaxFree => Households.AccountType.TaxFree,
            _ => Households.AccountType.Taxable,
        }, a.Portfolio!.Cash, a.Portfolio.Positions, methodByAccount[a.Account.Name])).ToList();

        // The household's positions: each ticker's values and quantities summed over the accounts, in order of first appearance.
        var order = new List<string>();
        var sums = new Dictionary<string, (decimal Value, decimal? Quantity)>(StringComparer.Ordinal);
        foreach (var p in taxAccounts.SelectMany(a => a.Holdings))
        {
            if (!sums.TryGetValue(p.Ticker, out var s)) { order.Add(p.Ticker); sums[p.Ticker] = (p.Value, p.Quantity); continue; }
            sums[p.Ticker] = (s.Value + p.Value, s.Quantity is { } q && p.Quantity is { } pq ? q + pq : null);
        }
        var securities = new Dictionary<string, Security>(StringComparer.Ordinal);
        foreach (var a in ordered)
            foreach (var (ticker, security) in a.Portfolio!.Securities)
                securities.TryAdd(ticker, security);
        var rebalances = ordered.Select(a => a.Portfolio!.LastRebalanced).ToList();
        var looks = ordered.Select(a => a.Portfolio!.LastLook).ToList();
        var portfolio = first with
        {
            Cash = taxAccounts.Sum(a => a.Cash),
            Positions = [.. order.Select(t => new Position(t, sums[t].Value, sums[t].Quantity))],
            Securities = securities,
            // The household was rebalanced (or looked at) when its least recently rebalanced account was.
            LastRebalanced = rebalances.Any(r => r is null) ? null : rebalances.Min(),
            LastLook = looks.Any(r => r is null) ? null : looks.Min(),
            Tax = new TaxProfile
            {
                Regime = settings.Regime, Accounts = taxAccounts, Transactions = transactions, History = history,
                Identical = settings.Identical, Substitutes = settings.Substitutes, Harvest = settings.Harvest,
                AllowCashTransfers = settings.AllowCashTransfers, MoneyDecimals = moneyDecimals,
            },
        };
        return new StoredTaxPortfolio(name, accounts, portfolio, warnings, null);
    }

    /// <summary>The lots a stored sale recorded (<c>id:quantity,...</c>), or null when it recorded none or only ids (the account's method applies).</summary>
    private static List<SpecificLot>? RecordedLots(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var lots = new List<SpecificLot>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var colon = part.IndexOf(':');
            if (colon < 0 || !decimal.TryParse(part[(colon + 1)..], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var q)) return null;
            lots.Add(new SpecificLot(part[..colon], q));
        }
        return lots;
    }

    /// <summary>
    /// Sets the order in which an account's sales that name no lots consume its lots. Refused once the account has such a
    /// sale: its lots were consumed by the method of that time, and the ledger's replay must consume the same ones.
    /// </summary>
    /// <exception cref="InputException">No such account, or it has sales already.</exception>
    public void SetLotMethod(string account, LotSelectionMethod method) => Write("account lot method", scope =>
    {
        if (method == LotSelectionMethod.Specific)
            throw new InputException(new InputProblem("'specific' is not a lot method for a stored account; a sale names its lots instead", Field: "METHOD"));
        var id = scope.ScalarLong("SELECT id FROM accounts WHERE tenant_id = @tenant AND name = @account", new { tenant = scope.Tenant, account })
            ?? throw new InputException(new InputProblem($"account '{account}' does not exist", Field: "ACCOUNT"));
        var current = scope.Query("SELECT lot_method FROM accounts WHERE id = @id", new { id }, r => r.GetString(0)).Single();
        if (current == method.ToWord()) return (0, $"{account}: lot method {current}");
        // Only sales that named no lots were consumed by the method; named-lot sales and adjustments record their lots.
        if (scope.ScalarLong("SELECT COUNT(*) FROM transactions WHERE account_id = @id AND quantity < 0 AND kind <> 'adjustment' AND lots IS NULL", new { id }) > 0)
            throw new InputException(new InputProblem(
                $"account '{account}' has sales whose lots were consumed {current}; its lot method cannot change now (a sale can still name its lots)", Field: "METHOD"));
        scope.Execute("UPDATE accounts SET lot_method = @m WHERE id = @id", new { m = method.ToWord(), id });
        return (0, $"{account}: lot method {method.ToWord()}");
    });

    /// <summary>An account's lot method.</summary>
    /// <exception cref="InputException">No such account.</exception>
    public LotSelectionMethod LotMethod(string account) =>
        Read(c => c.Query("SELECT lot_method FROM accounts WHERE tenant_id = @tenant AND name = @account", new { tenant = Tenant, account }, r => r.GetString(0))).FirstOrDefault() is { } m
            ? StoredLotMethods.Parse(m)
            : throw new InputException(new InputProblem($"account '{account}' does not exist", Field: "ACCOUNT"));

    /// <summary>
    /// Sets a household's tax settings: the text of a portfolio file's <c>taxRegime</c>, <c>identical</c>, <c>substitutes</c>,
    /// <c>harvest</c> and <c>allowCashTransfers</c> fields (YAML or JSON), checked by the engine's reader. Null or empty clears them
    /// (US 37%/20%, no identical groups, no substitutes, default harvest thresholds, no cash transfers).
    /// </summary>
    /// <param name="source">The file name to show in problems.</param>
    /// <exception cref="InputException">No such household, or the settings are not valid (file, line and field named).</exception>
    public void SetHouseholdTax(string household, string? text, string source = "tax settings") => Write("household tax", scope =>
    {
        var read = Ballast.Households.HouseholdTaxSettings.ReadText(source, text);
        if (!read.Ok) throw new InputException(read.Problems);
        var changed = scope.Execute("UPDATE households SET tax_settings = @text WHERE tenant_id = @tenant AND name = @household",
            new { text = string.IsNullOrWhiteSpace(text) ? null : text, tenant = scope.Tenant, household });
        if (changed == 0) throw new InputException(new InputProblem($"household '{household}' does not exist", Field: "HOUSEHOLD"));
        return (0, $"household {household}: tax settings {(string.IsNullOrWhiteSpace(text) ? "cleared" : "set")}");
    });

    /// <summary>A household's tax settings text, or null when it has none.</summary>
    /// <exception cref="InputException">No such household.</exception>
    public string? HouseholdTax(string household)
    {
        var rows = Read(c => c.Query("SELECT tax_settings FROM households WHERE tenant_id = @tenant AND name = @household", new { tenant = Tenant, household }, r => r.TextOrNull(0)));
        return rows.Count == 0 ? throw new InputException(new InputProblem($"household '{household}' does not exist", Field: "HOUSEHOLD")) : rows[0];
    }
}
