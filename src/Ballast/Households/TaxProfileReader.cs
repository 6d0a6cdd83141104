using System.Text.RegularExpressions;
using Ballast.Input;
using Ballast.Portfolios;
using Ballast.Tax;
using YamlDotNet.RepresentationModel;

namespace Ballast.Households;

/// <summary>
/// Reads the tax part of a portfolio file (lots, transactions, accounts, regime, harvest settings) for
/// <see cref="PortfolioReader"/>, reporting every problem with file, line, column and field.
/// </summary>
internal static partial class TaxProfileReader
{
    /// <summary>The top-level fields this reader adds to the portfolio file.</summary>
    public static readonly string[] TopFields =
        ["taxRegime", "lotSelection", "transactions", "accounts", "identical", "substitutes", "harvest", "realizedYearToDate", "allowCashTransfers"];

    private static readonly string[] AccountFields = ["name", "type", "cash", "holdings", "transactions", "lotSelection"];
    private static readonly string[] LotFieldNames = ["id", "acquired", "quantity", "costBasis", "washSaleAdjustment", "holdingPeriodStart"];
    private static readonly string[] TransactionFields = ["date", "type", "ticker", "quantity", "price", "lots", "lotId", "account"];

    /// <summary>An account as read, before the profile is built.</summary>
    internal sealed record AccountRead(Account Account, YamlMappingNode Node, string Path);

    public static List<AccountRead>? ReadAccounts(Document doc, YamlNode node, Dictionary<string, Security> securities, List<PortfolioReader.HeldLots> held)
    {
        if (doc.Sequence(node, "accounts") is not { } list) return null;
        var accounts = new List<AccountRead>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        if (list.Children.Count == 0) doc.Error(node, "accounts", "list at least one account");
        if (!doc.WithinCount(node, "accounts", "accounts", list.Children.Count, Limits.MaxAccounts)) return null;
        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"accounts[{i}]";
            if (doc.Mapping(list.Children[i], path) is not { } m) continue;
            doc.CheckFields(m, path, AccountFields);
            var name = doc.String(m, "name", path)?.Trim();
            if (string.IsNullOrEmpty(name)) { doc.Error(m, $"{path}.name", "missing: every account needs a name"); continue; }
            if (!names.Add(name)) { doc.Error(Document.Get(m, "name"), $"{path}.name", $"account {name} is listed twice"); continue; }
            var type = AccountType.Taxable;
            if (Document.Get(m, "type") is { } typeNode && doc.Scalar(typeNode, $"{path}.type") is { } typeText)
            {
                switch (typeText.Trim().ToLowerInvariant())
                {
                    case "taxable": type = AccountType.Taxable; break;
                    case "tax-deferred": type = AccountType.TaxDeferred; break;
                    case "tax-free": type = AccountType.TaxFree; break;
                    default: doc.Error(typeNode, $"{path}.type", $"unknown account type '{typeText}'; expected taxable, tax-deferred, tax-free"); break;
                }
            }
            else if (Document.Get(m, "type") is null) doc.Error(m, $"{path}.type", "missing: give taxable, tax-deferred or tax-free");
            var cash = doc.Amount(m, "cash", path, Limits.Amount) ?? 0m;
            var method = TaxSettingsReader.ReadLotSelection(doc, m, path) ?? LotSelectionMethod.Fifo;
            var holdings = PortfolioReader.ReadHoldings(doc, m, $"{path}.holdings", securities, held, name);
            accounts.Add(new AccountRead(new Account(name, type, cash, holdings, method), m, path));
        }
        return accounts;
    }

    /// <summary>The household positions: each ticker's values (and quantities, when every account gives one) summed over the accounts.</summary>
    public static List<Position> Aggregate(List<AccountRead> accounts)
    {
        var order = new List<string>();
        var sums = new Dictionary<string, (decimal Value, decimal? Quantity)>(StringComparer.Ordinal);
        foreach (var p in accounts.SelectMany(a => a.Account.Holdings))
        {
            if (!sums.TryGetValue(p.Ticker, out var s)) { order.Add(p.Ticker); sums[p.Ticker] = (p.Value, p.Quantity); continue; }
            sums[p.Ticker] = (s.Value + p.Value, s.Quantity is { } q && p.Quantity is { } pq ? q + pq : null);
        }
        return [.. order.Select(t => new Position(t, sums[t].Value, sums[t].Quantity))];
    }

    private sealed record TxRead(LedgerTransaction Tx, string Path, YamlNode Node);

    /// <summary>
    /// Builds the tax profile, or null when the file has no tax data at all (no accounts, lots, transactions or
    /// tax fields). Problems go to the document.
    /// </summary>
    public static TaxProfile? Read(Document doc, YamlMappingNode root, DateOnly asOf, decimal cash, List<Position> positions,
        List<AccountRead>? accounts, List<PortfolioReader.HeldLots> held, Dictionary<string, Security> securities, int moneyDecimals)
    {
        var hasTax = accounts is not null || held.Any(h => h.LotsNode is not null) || TopFields.Any(f => Document.Get(root, f) is not null)
            || SecurityTreatments(root).Any();
        if (!hasTax) return null;
        var before = doc.Problems.Count;

        var regime = ReadRegime(doc, root);
        var treatments = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (ticker, node) in SecurityTreatments(root))
        {
            if (TaxSettingsReader.ReadTreatment(doc, regime, node, $"securities.{ticker}.treatment") is { } resolved) treatments[ticker] = resolved;
        }

        var defaultMethod = TaxSettingsReader.ReadLotSelection(doc, root, "");
        var accountList = accounts?.Select(a => a.Account).ToList()
            ?? [new Account(TaxProfile.SingleAccountName, AccountType.Taxable, cash, positions, defaultMethod ?? LotSelectionMethod.Fifo)];
        if (accounts is not null && defaultMethod is { } dm)
        {
            // A household's top-level lotSelection is the default of accounts that name none.
            accountList = [.. accounts.Select(a => Document.Get(a.Node, "lotSelection") is null ? a.Account with { LotSelection = dm } : a.Account)];
        }

        var lots = ReadLots(doc, held, asOf);
        var transactions = new List<TxRead>();
        if (Document.Get(root, "transactions") is { } txNode)
        {
            if (accounts is not null && accounts.Count > 1)
                ReadTransactions(doc, txNode, "transactions", null, accountList, asOf, transactions);
            else
                ReadTransactions(doc, txNode, "transactions", accountList[0].Name, accountList, asOf, transactions);
        }
        foreach (var a in accounts ?? [])
            if (Document.Get(a.Node, "transactions") is { } n) ReadTransactions(doc, n, $"{a.Path}.transactions", a.Account.Name, accountList, asOf, transactions);

        var identical = ReadIdentical(doc, root);
        var substitutes = ReadSubstitutes(doc, root, identical);
        var harvest = ReadHarvest(doc, root);
        RealizedYearToDate? ytd = null;
        if (Document.Get(root, "realizedYearToDate") is { } ytdNode && doc.Mapping(ytdNode, "realizedYearToDate") is { } ym)
        {
            doc.CheckFields(ym, "realizedYearToDate", "short", "long");
            ytd = new RealizedYearToDate(doc.Amount(ym, "short", "realizedYearToDate", Limits.SignedAmount) ?? 0m,
                doc.Amount(ym, "long", "realizedYearToDate", Limits.SignedAmount) ?? 0m);
        }
        var allowTransfers = doc.Bool(root, "allowCashTransfers", "") ?? false;
        CheckTotalCost(doc, root, lots, transactions);
        // The history is replayed only over a clean file: a holding skipped for a problem elsewhere would make its lots look unmatched.
        if (doc.Problems.Count > 0) return null;

        var selector = new LotSelector(moneyDecimals);
        var ledger = new LotLedger(selector, identical, regime.WashSaleWindowDays);
        var methods = accountList.ToDictionary(a => a.Name, a => a.LotSelection, StringComparer.Ordinal);
        var history = ledger.Replay(lots, [.. transactions.Select(t => t.Tx)], methods, "\u0001");
        foreach (var p in history.Problems)
        {
            var m = p.Field is null ? null : LedgerField().Match(p.Field);
            if (m is { Success: true } && int.TryParse(m.Groups[1].Value, out var k) && k < transactions.Count)
                doc.Error(transactions[k].Node, transactions[k].Path + m.Groups[2].Value, p.Message);
            else doc.Error(null, p.Field ?? "transactions", p.Message);
        }
        if (doc.Problems.Count > before) return null;

        CheckLotsMatchHoldings(doc, held, history, transactions);
        if (doc.Problems.Count > before) return null;

        return new TaxProfile
        {
            Regime = regime, TreatmentByTicker = treatments, Accounts = accountList,
            Transactions = [.. transactions.Select(t => t.Tx)], History = history, Identical = identical,
            Substitutes = substitutes, Harvest = harvest, RealizedYearToDate = ytd, AllowCashTransfers = allowTransfers,
            MoneyDecimals = moneyDecimals,
        };
    }

    /// <summary>Reads the household settings fields of <see cref="HouseholdTaxSettings"/> from a mapping that holds only those.</summary>
    internal static HouseholdTaxSettings ReadSettings(Document doc, YamlMappingNode root)
    {
        doc.CheckFields(root, "", [.. HouseholdTaxSettings.Fields]);
        var regime = ReadRegime(doc, root);
        var identical = ReadIdentical(doc, root);
        var substitutes = ReadSubstitutes(doc, root, identical);
        var harvest = ReadHarvest(doc, root);
        var allowTransfers = doc.Bool(root, "allowCashTransfers", "") ?? false;
        return new HouseholdTaxSettings(regime, identical, substitutes, harvest, allowTransfers);
    }

    [GeneratedRegex(@"^\u0001\[(\d+)\](.*)$")]
    private static partial Regex LedgerField();

    private static IEnumerable<(string Ticker, YamlNode Node)> SecurityTreatments(YamlMappingNode root)
    {
        if (Document.Get(root, "securities") is not YamlMappingNode secs) yield break;
        foreach (var (key, value) in secs.Children)
            if (value is YamlMappingNode m && Document.Get(m, "treatment") is { } t) yield return (PortfolioReader.Ticker(key), t);
    }

    private static TaxRegime ReadRegime(Document doc, YamlMappingNode root) =>
        Document.Get(root, "taxRegime") is { } node ? TaxSettingsReader.ReadRegime(doc, node, "taxRegime") : TaxSettingsReader.DefaultRegime;

    private static List<TaxLot> ReadLots(Document doc, List<PortfolioReader.HeldLots> held, DateOnly asOf)
    {
        var lots = new List<TaxLot>();
        var ids = new Dictionary<string, string>(StringComparer.Ordinal);
        var count = 0;
        foreach (var h in held)
        {
            if (h.LotsNode is null) continue;
            var lotsPath = $"{h.HoldingPath}.lots";
            if (doc.Sequence(h.LotsNode, lotsPath) is not { } list) continue;
            count += list.Children.Count;
            if (!doc.WithinCount(h.LotsNode, lotsPath, "lots (over all holdings)", count, Limits.MaxLots)) break;
            if (h.Quantity is null) { doc.Error(h.LotsNode, lotsPath, $"{h.Ticker} is given as a value; lots need the holding's quantity and price"); continue; }
            for (var i = 0; i < list.Children.Count; i++)
            {
                var path = $"{lotsPath}[{i}]";
                if (doc.Mapping(list.Children[i], path) is not { } m) continue;
                doc.CheckFields(m, path, LotFieldNames);
                var acquired = doc.Date(m, "acquired", path);
                var quantity = doc.Amount(m, "quantity", path, Limits.PositiveQuantity);
                var basis = doc.Amount(m, "costBasis", path, Limits.Amount);
                var adjustment = doc.Amount(m, "washSaleAdjustment", path, Limits.Amount) ?? 0m;
                var start = doc.Date(m, "holdingPeriodStart", path);
                if (acquired is null && Document.Get(m, "acquired") is null) doc.Error(m, $"{path}.acquired", "missing: give the date the lot was bought");
                if (quantity is null && Document.Get(m, "quantity") is null) doc.Error(m, $"{path}.quantity", "missing: give the lot's shares");
                if (basis is null && Document.Get(m, "costBasis") is null) doc.Error(m, $"{path}.costBasis", "missing: give the lot's total cost basis");
                if (acquired is null || quantity is null || basis is null) continue;
                var problems = TaxValidation.ValidateLots(path, quantity.Value, [new LotFields(quantity.Value, basis.Value, acquired.Value, adjustment)], asOf);
                foreach (var p in problems)
                {
                    var field = p.Field!.Replace($"{path}.lots[0]", path, StringComparison.Ordinal);
                    doc.Error(Document.Get(m, field[(field.LastIndexOf('.') + 1)..]) ?? m, field, p.Message);
                }
                if (start is { } s && s > acquired) { doc.Error(Document.Get(m, "holdingPeriodStart"), $"{path}.holdingPeriodStart", $"cannot be after the acquisition date {acquired:yyyy-MM-dd}"); continue; }
                if (problems.Count > 0) continue;
                var id = doc.String(m, "id", path)?.Trim();
                if (string.IsNullOrEmpty(id)) id = $"{h.Account}:{h.Ticker}:{i + 1}";
                if (ids.TryGetValue(id, out var other)) { doc.Error(Document.Get(m, "id") ?? m, $"{path}.id", $"lot id {id} is also used at {other}"); continue; }
                ids[id] = path;
                lots.Add(new TaxLot(id, h.Ticker, h.Account, acquired.Value, quantity.Value, basis.Value, adjustment, start));
            }
        }
        return lots;
    }

    private static void ReadTransactions(Document doc, YamlNode node, string listPath, string? account, List<Account> accounts, DateOnly asOf, List<TxRead> into)
    {
        if (doc.Sequence(node, listPath) is not { } list) return;
        if (!doc.WithinCount(node, listPath, "transactions (over all accounts)", into.Count + list.Children.Count, Limits.MaxTransactions)) return;
        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"{listPath}[{i}]";
            if (doc.Mapping(list.Children[i], path) is not { } m) continue;
            doc.CheckFields(m, path, TransactionFields);
            var date = doc.Date(m, "date", path);
            var ticker = doc.String(m, "ticker", path)?.Trim().ToUpperInvariant();
            var quantity = doc.Amount(m, "quantity", path, Limits.PositiveQuantity);
            var price = doc.Amount(m, "price", path, Limits.TradePrice);
            // Both are in range, so the product fits; a total above the largest amount would overflow the lot arithmetic.
            if (quantity * price > Limits.MaxAmount)
                doc.Error(Document.Get(m, "price"), $"{path}.price",
                    $"quantity × price = {quantity * price} is too large: Ballast accepts amounts up to {Limits.MaxAmount:#,0}");
            var acct = account;
            if (Document.Get(m, "account") is { } an)
            {
                var named = doc.Scalar(an, $"{path}.account")?.Trim();
                if (account is not null && named != account) doc.Error(an, $"{path}.account", $"this transaction is listed under account {account}");
                else if (named is not null && accounts.All(a => a.Name != named)) doc.Error(an, $"{path}.account", $"there is no account {named}");
                else acct = named;
            }
            else if (acct is null) { doc.Error(m, $"{path}.account", "missing: name the account of this transaction"); continue; }
            TransactionKind? kind = null;
            if (Document.Get(m, "type") is { } tn && doc.Scalar(tn, $"{path}.type") is { } tt)
            {
                kind = tt.Trim().ToLowerInvariant() switch
                {
                    "buy" => TransactionKind.Buy,
                    "sell" => TransactionKind.Sell,
                    "reinvest" or "dividend-reinvestment" => TransactionKind.DividendReinvestment,
                    _ => null,
                };
                if (kind is null) doc.Error(tn, $"{path}.type", $"unknown transaction type '{tt}'; expected buy, sell, reinvest");
            }
            else if (Document.Get(m, "type") is null) doc.Error(m, $"{path}.type", "missing: give buy, sell or reinvest");
            foreach (var f in new[] { "date", "ticker", "quantity", "price" })
                if (Document.Get(m, f) is null) doc.Error(m, $"{path}.{f}", "missing");
            if (date > asOf) doc.Error(Document.Get(m, "date"), $"{path}.date", $"is after the as-of date {asOf:yyyy-MM-dd}");
            List<SpecificLot>? specific = null;
            if (Document.Get(m, "lots") is { } ln && doc.Sequence(ln, $"{path}.lots") is { } lotList)
            {
                specific = [];
                for (var j = 0; j < lotList.Children.Count; j++)
                {
                    var lp = $"{path}.lots[{j}]";
                    if (doc.Mapping(lotList.Children[j], lp) is not { } lm) continue;
                    doc.CheckFields(lm, lp, "id", "quantity");
                    var id = doc.String(lm, "id", lp)?.Trim();
                    var q = doc.Amount(lm, "quantity", lp, Limits.PositiveQuantity);
                    if (string.IsNullOrEmpty(id) || q is null) { doc.Error(lm, lp, "a listed lot needs an id and a quantity"); continue; }
                    specific.Add(new SpecificLot(id, q.Value));
                }
            }
            var lotId = doc.String(m, "lotId", path)?.Trim();
            if (date is null || ticker is null || quantity is null || price is null || kind is null || acct is null) continue;
            into.Add(new TxRead(new LedgerTransaction(date.Value, acct, ticker, kind.Value, quantity.Value, price.Value, specific, lotId), path, m));
        }
    }

    private static IdenticalTickers ReadIdentical(Document doc, YamlMappingNode root)
    {
        if (Document.Get(root, "identical") is not { } node || doc.Sequence(node, "identical") is not { } list) return IdenticalTickers.None;
        var groups = new List<List<string>>();
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"identical[{i}]";
            if (doc.Sequence(list.Children[i], path) is not { } g) continue;
            var group = new List<string>();
            foreach (var item in g.Children)
            {
                var t = doc.Scalar(item, path)?.Trim().ToUpperInvariant();
                if (string.IsNullOrEmpty(t)) continue;
                if (seen.TryGetValue(t, out var other) && other != i) { doc.Error(item, path, $"{t} is also in identical[{other}]; merge the groups"); continue; }
                seen[t] = i;
                group.Add(t);
            }
            if (group.Count < 2) doc.Error(list.Children[i], path, "a group of identical tickers needs at least two tickers");
            groups.Add(group);
        }
        return new IdenticalTickers(groups);
    }

    private static Dictionary<string, string> ReadSubstitutes(Document doc, YamlMappingNode root, IdenticalTickers identical)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Document.Get(root, "substitutes") is not { } node || doc.Mapping(node, "substitutes") is not { } m) return result;
        foreach (var (key, value) in m.Children)
        {
            var from = PortfolioReader.Ticker(key);
            var field = $"substitutes.{from}";
            var to = doc.Scalar(value, field)?.Trim().ToUpperInvariant();
            if (to is null) continue;
            foreach (var p in TaxValidation.ValidateSubstitutes(field, [new(from, to)], identical))
                doc.Error(value, field, p.Message);
            if (result.ContainsKey(from)) { doc.Error(key, field, $"{from} is listed twice"); continue; }
            result[from] = to;
        }
        return result;
    }

    private static HarvestThresholds ReadHarvest(Document doc, YamlMappingNode root)
    {
        if (Document.Get(root, "harvest") is not { } node || doc.Mapping(node, "harvest") is not { } m) return HarvestThresholds.Default;
        doc.CheckFields(m, "harvest", "minLossPercent", "minLoss");
        return new HarvestThresholds(doc.Fraction(m, "minLossPercent", "harvest", Limits.Rate) ?? HarvestThresholds.Default.MinLossFraction,
            doc.Amount(m, "minLoss", "harvest", Limits.Amount) ?? HarvestThresholds.Default.MinLossAmount);
    }

    /// <summary>
    /// The lots' cost bases and the purchases' totals together may not pass <see cref="Limits.MaxTotalCost"/>: wash sales
    /// move losses between lots, so this bounds every lot's basis, and the basis times the shares of a sale stays in range.
    /// </summary>
    private static void CheckTotalCost(Document doc, YamlMappingNode root, List<TaxLot> lots, List<TxRead> transactions)
    {
        var total = lots.Sum(l => l.CostBasis);
        foreach (var t in transactions)
            if (t.Tx.Kind != TransactionKind.Sell) total += t.Tx.Quantity * t.Tx.PricePerShare;
        if (total <= Limits.MaxTotalCost) return;
        doc.Error(Document.Get(root, "transactions") ?? Document.Get(root, "accounts") ?? root, "transactions",
            $"the lots' cost bases and the purchases add up to {total:#,0}; Ballast accepts at most {Limits.MaxTotalCost:#,0} in one file");
    }

    /// <summary>After the history, each holding's open lots must add up to its shares, and no lots may remain of a ticker not held.</summary>
    private static void CheckLotsMatchHoldings(Document doc, List<PortfolioReader.HeldLots> held, LedgerResult history, List<TxRead> transactions)
    {
        var open = history.OpenLots.GroupBy(l => (l.Account, l.Ticker)).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        var traded = transactions.Select(t => (t.Tx.Account, t.Tx.Ticker)).ToHashSet();
        foreach (var h in held)
        {
            var key = (h.Account, h.Ticker);
            if (h.LotsNode is null && !traded.Contains(key)) continue;
            var sum = open.TryGetValue(key, out var s) ? s : 0m;
            if (h.Quantity is not { } q || sum == q) continue;
            var after = traded.Contains(key) ? " after the transactions" : "";
            doc.Error(h.LotsNode ?? h.HoldingNode, $"{h.HoldingPath}.lots", $"the lots of {h.Ticker} add up to {sum} shares{after} but the holding has {q}");
        }
        var heldKeys = held.Select(h => (h.Account, h.Ticker)).ToHashSet();
        foreach (var ((account, ticker), sum) in open)
        {
            if (heldKeys.Contains((account, ticker))) continue;
            var tx = transactions.LastOrDefault(t => t.Tx.Account == account && t.Tx.Ticker == ticker);
            doc.Error(tx?.Node, tx is null ? "transactions" : $"{tx.Path}.ticker",
                $"after the transactions account {account} holds {sum} shares of {ticker}, but its holdings do not list {ticker}");
        }
    }
}

/// <summary>
/// A household's tax settings kept apart from its lots and history (a store keeps them as text per household):
/// the fields of a portfolio file's tax part that are settings rather than holdings.
/// </summary>
/// <param name="Regime">The regime (<c>taxRegime</c>); US 37%/20% when none is given.</param>
/// <param name="Identical">Groups of substantially identical tickers (<c>identical</c>).</param>
/// <param name="Substitutes">The ticker to buy after harvesting a loss (<c>substitutes</c>).</param>
/// <param name="Harvest">Harvest thresholds (<c>harvest</c>).</param>
/// <param name="AllowCashTransfers">Whether a household plan may move cash between accounts (<c>allowCashTransfers</c>).</param>
public sealed record HouseholdTaxSettings(TaxRegime Regime, IdenticalTickers Identical, IReadOnlyDictionary<string, string> Substitutes,
    HarvestThresholds Harvest, bool AllowCashTransfers)
{
    /// <summary>The fields a settings text may have, spelled as in a portfolio file.</summary>
    public static IReadOnlyList<string> Fields { get; } = ["taxRegime", "identical", "substitutes", "harvest", "allowCashTransfers"];

    /// <summary>US defaults, no identical groups, no substitutes, default harvest thresholds, no cash transfers.</summary>
    public static HouseholdTaxSettings Default { get; } =
        new(TaxSettingsReader.DefaultRegime, IdenticalTickers.None, new Dictionary<string, string>(StringComparer.Ordinal), HarvestThresholds.Default, false);

    /// <summary>
    /// Reads settings written as a portfolio file's top-level <see cref="Fields"/> (YAML or JSON), with the portfolio
    /// reader's rules and messages; an empty text gives <see cref="Default"/>.
    /// </summary>
    public static ReadResult<HouseholdTaxSettings> ReadText(string source, string? text)
    {
        var problems = new List<InputProblem>();
        if (string.IsNullOrWhiteSpace(text)) return new ReadResult<HouseholdTaxSettings>(Default, problems);
        var doc = Document.Parse(source, text, problems);
        if (doc is null || doc.Mapping(doc.Root, "") is not { } root) return new ReadResult<HouseholdTaxSettings>(null, problems);
        var settings = TaxProfileReader.ReadSettings(doc, root);
        return new ReadResult<HouseholdTaxSettings>(problems.Count == 0 ? settings : null, problems);
    }
}
