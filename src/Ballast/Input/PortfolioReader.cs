using Ballast.Models;
using Ballast.Policies;
using Ballast.Portfolios;
using YamlDotNet.RepresentationModel;

namespace Ballast.Input;

/// <summary>Options for reading a portfolio file.</summary>
/// <param name="Normalize">Rescale target weights that do not sum to 100% instead of rejecting them.</param>
/// <param name="DefaultAsOf">The as-of date when the file gives none (hosts pass today's date from their clock).</param>
public sealed record ReadOptions(bool Normalize = false, DateOnly? DefaultAsOf = null);

/// <summary>The outcome of reading input: a value, or every problem found.</summary>
public sealed record ReadResult<T>(T? Value, IReadOnlyList<InputProblem> Problems) where T : class
{
    public bool Ok => Value is not null && Problems.Count == 0;

    /// <summary>
    /// Things the reader accepted but a user should hear about, with file, line and field, such as a target weight
    /// that looks like a typo in a file read with <see cref="ReadOptions.Normalize"/>. Hosts print them as warnings.
    /// </summary>
    public IReadOnlyList<InputProblem> Warnings { get; init; } = [];

    /// <summary>The value, or an <see cref="InputException"/> carrying every problem.</summary>
    public T GetOrThrow() => Ok ? Value! : throw new InputException(Problems);
}

/// <summary>
/// Reads portfolio files (YAML or JSON, one schema; see the README for the full format) into <see cref="Portfolio"/>.
/// Collects every problem with file, line, column and field, and never returns a half-valid portfolio.
/// </summary>
public static class PortfolioReader
{
    private static readonly string[] TopFields =
        [
            "asOf", "currency", "cash", "lastRebalanced", "lastLook", "holdings", "prices", "securities", "targets", "model", "policy", "execution",
            "pricesAtLastRebalance", "priceHistory",
            .. Households.TaxProfileReader.TopFields,
        ];
    private static readonly string[] HoldingFields = ["ticker", "quantity", "price", "value", "fractional", "assetClass", "lots"];
    private static readonly string[] SecurityFields = ["price", "fractional", "assetClass", "treatment"];
    private static readonly string[] ExecutionFields =
        ["wholeShares", "minTrade", "cashReserve", "commission", "commissionBps", "halfSpreadBps", "method", "moneyDecimals", "quantityDecimals"];

    public static ReadResult<Portfolio> ReadFile(string path, ReadOptions? options = null, string? shownName = null)
    {
        var problems = new List<InputProblem>();
        var name = shownName ?? path;
        var text = Document.ReadFile(path, name, problems);
        return text is null ? new ReadResult<Portfolio>(null, problems) : Read(name, text, options);
    }

    public static ReadResult<Portfolio> Read(string file, string text, ReadOptions? options = null)
    {
        var problems = new List<InputProblem>();
        return Read(Document.Parse(file, text, problems), problems, options);
    }

    /// <summary>Reads the portfolio document <paramref name="utf8"/>, JSON in UTF-8 (a request body), as <see cref="Read(string, string, ReadOptions?)"/> reads a <c>.json</c> file.</summary>
    public static ReadResult<Portfolio> ReadJson(string file, ReadOnlyMemory<byte> utf8, ReadOptions? options = null)
    {
        var problems = new List<InputProblem>();
        return Read(Document.ParseJson(file, utf8, problems), problems, options);
    }

    private static ReadResult<Portfolio> Read(Document? doc, List<InputProblem> problems, ReadOptions? options)
    {
        options ??= new ReadOptions();
        if (doc is null) return new ReadResult<Portfolio>(null, problems);
        if (doc.Mapping(doc.Root, "") is not { } root) return new ReadResult<Portfolio>(null, problems);
        doc.CheckFields(root, "", TopFields);

        var asOf = doc.Date(root, "asOf", "") ?? options.DefaultAsOf;
        if (asOf is null && Document.Get(root, "asOf") is null)
            doc.Error(root, "asOf", "missing: give the as-of date (YYYY-MM-DD) in the file or with --as-of");
        var currency = doc.String(root, "currency", "")?.Trim().ToUpperInvariant() ?? "USD";
        var cash = doc.Amount(root, "cash", "", Limits.Amount) ?? 0;
        var lastRebalanced = doc.Date(root, "lastRebalanced", "");
        var lastLook = doc.Date(root, "lastLook", "");
        if (asOf is { } a)
        {
            if (lastRebalanced > a) doc.Error(Document.Get(root, "lastRebalanced"), "lastRebalanced", $"is after the as-of date {a:yyyy-MM-dd}");
            if (lastLook > a) doc.Error(Document.Get(root, "lastLook"), "lastLook", $"is after the as-of date {a:yyyy-MM-dd}");
        }

        var securities = ReadSecurities(doc, root);
        var held = new List<HeldLots>();
        var accountsNode = Document.Get(root, "accounts");
        if (accountsNode is not null)
        {
            if (Document.Get(root, "holdings") is { } h) doc.Error(h, "holdings", "a file with accounts lists holdings under each account");
            if (Document.Get(root, "cash") is { } c) doc.Error(c, "cash", "a file with accounts gives cash under each account");
        }
        var accounts = accountsNode is null ? null : Households.TaxProfileReader.ReadAccounts(doc, accountsNode, securities, held);
        var positions = accounts is null
            ? ReadHoldings(doc, root, "holdings", securities, held, Households.TaxProfile.SingleAccountName)
            : Households.TaxProfileReader.Aggregate(accounts);
        if (accounts is not null) cash = accounts.Sum(a => a.Account.Cash);
        var warnings = new List<InputProblem>();
        var targets = ReadTargets(doc, root, options.Normalize, checkSum: true, warnings);
        var policy = Document.Get(root, "policy") is { } policyNode && doc.Mapping(policyNode, "policy") is { } pm
            ? PolicyReader.Read(doc, pm, "policy")
            : Policy.Default;
        var pricesThen = ReadPricesThen(doc, root);
        var priceHistory = doc.String(root, "priceHistory", "")?.Trim();
        if (priceHistory is { Length: 0 }) doc.Error(Document.Get(root, "priceHistory"), "priceHistory", "give the path of a price history CSV (date,TICKER,...)");
        var execution = Document.Get(root, "execution") is { } exNode && doc.Mapping(exNode, "execution") is { } em
            ? ReadExecution(doc, em)
            : ExecutionOptions.Default;

        // The tax fields are read even when other parts have problems, so a user sees every problem at once.
        var tax = asOf is { } day
            ? Households.TaxProfileReader.Read(doc, root, day, cash, positions, accounts, held, securities, execution.MoneyDecimals)
            : null;
        if (problems.Count > 0 || asOf is null) return new ReadResult<Portfolio>(null, problems) { Warnings = warnings };

        var portfolio = new Portfolio
        {
            AsOf = asOf.Value, Currency = currency, Cash = cash, LastRebalanced = lastRebalanced, LastLook = lastLook,
            Positions = positions, Targets = targets, Securities = securities, Policy = policy, Execution = execution, Tax = tax,
            Market = pricesThen is null ? Policies.Triggers.MarketInputs.None : new Policies.Triggers.MarketInputs { PricesAtLastRebalance = pricesThen },
            PriceHistory = priceHistory,
        };
        problems.AddRange(PortfolioValidator.Validate(portfolio, doc.File));
        problems.AddRange(CheckWholeSharePrices(portfolio, doc.File));
        return new ReadResult<Portfolio>(problems.Count > 0 ? null : portfolio, problems) { Warnings = warnings };
    }

    /// <summary><c>pricesAtLastRebalance: { VOO: 512.30, BND: 71.10 }</c>: prices per share on the last rebalance date, for performance triggers.</summary>
    private static Dictionary<string, decimal>? ReadPricesThen(Document doc, YamlMappingNode root)
    {
        if (Document.Get(root, "pricesAtLastRebalance") is not { } node || doc.Mapping(node, "pricesAtLastRebalance") is not { } map) return null;
        var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (key, _) in map.Children)
        {
            var raw = (key as YamlScalarNode)?.Value ?? "";
            var ticker = raw.Trim().ToUpperInvariant();
            if (doc.Amount(map, raw, "pricesAtLastRebalance") is not { } price) continue;
            if (price <= 0) doc.Error(key, $"pricesAtLastRebalance.{ticker}", $"a price must be above zero (got {price})");
            else if (!prices.TryAdd(ticker, price)) doc.Error(key, $"pricesAtLastRebalance.{ticker}", "appears twice");
        }
        return prices;
    }

    /// <summary>Whole-share trading needs a price for every target and holding it may trade.</summary>
    public static IEnumerable<InputProblem> CheckWholeSharePrices(Portfolio p, string? file)
    {
        var tickers = p.Targets.Select(t => t.Ticker).Concat(p.Positions.Select(x => x.Ticker)).Where(t => t != Portfolio.CashTicker).Distinct();
        foreach (var t in tickers)
        {
            var sec = p.FindSecurity(t);
            var whole = p.Execution.WholeShares || sec is { Fractional: false };
            if (whole && sec?.Price is null)
                yield return new InputProblem($"{t} trades in whole shares, so it needs a price (in holdings or under prices)", file, Field: $"prices.{t}");
        }
    }

    private static Dictionary<string, Security> ReadSecurities(Document doc, YamlMappingNode root)
    {
        var securities = new Dictionary<string, Security>(StringComparer.Ordinal);
        if (Document.Get(root, "prices") is { } pricesNode && doc.Mapping(pricesNode, "prices") is { } prices)
        {
            foreach (var (key, _) in prices.Children)
            {
                var ticker = Ticker(key);
                var price = doc.Amount(prices, (key as YamlScalarNode)?.Value ?? "", "prices", Limits.Price);
                if (price is null) continue;
                securities[ticker] = new Security(ticker, price);
            }
        }
        if (Document.Get(root, "securities") is { } secNode && doc.Mapping(secNode, "securities") is { } secs)
        {
            foreach (var (key, value) in secs.Children)
            {
                var ticker = Ticker(key);
                var path = $"securities.{ticker}";
                if (doc.Mapping(value, path) is not { } m) continue;
                doc.CheckFields(m, path, SecurityFields);
                var price = doc.Amount(m, "price", path, Limits.Price);
                var existing = securities.TryGetValue(ticker, out var s) ? s : new Security(ticker);
                securities[ticker] = existing with
                {
                    Price = price ?? existing.Price,
                    Fractional = doc.Bool(m, "fractional", path) ?? existing.Fractional,
                    AssetClass = doc.String(m, "assetClass", path) ?? existing.AssetClass,
                };
            }
        }
        return securities;
    }

    /// <summary>A holding's <c>lots:</c> node as found by the reader, for the tax reader to parse.</summary>
    internal sealed record HeldLots(string Account, string Ticker, string HoldingPath, decimal? Quantity, YamlNode? LotsNode, YamlNode HoldingNode);

    internal static List<Position> ReadHoldings(Document doc, YamlMappingNode owner, string listPath, Dictionary<string, Security> securities,
        List<HeldLots> held, string account)
    {
        var positions = new List<Position>();
        if (Document.Get(owner, "holdings") is not { } node || doc.Sequence(node, listPath) is not { } list) return positions;
        if (!doc.WithinCount(node, listPath, "holdings", held.Count + list.Children.Count, Limits.MaxHoldings)) return positions;
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < list.Children.Count; i++)
        {
            var path = $"{listPath}[{i}]";
            if (doc.Mapping(list.Children[i], path) is not { } h) continue;
            doc.CheckFields(h, path, HoldingFields);
            var tickerText = doc.String(h, "ticker", path);
            if (string.IsNullOrWhiteSpace(tickerText))
            {
                doc.Error(h, $"{path}.ticker", "missing: every holding needs a ticker");
                continue;
            }
            var ticker = tickerText.Trim().ToUpperInvariant();
            if (ticker == Portfolio.CashTicker) { doc.Error(h, $"{path}.ticker", "CASH is not a holding: give it as the top-level cash"); continue; }
            if (seen.TryGetValue(ticker, out var first))
            {
                doc.Error(Document.Get(h, "ticker"), $"{path}.ticker", $"{ticker} is listed twice (also {listPath}[{first}])");
                continue;
            }
            seen[ticker] = i;
            var before = doc.Problems.Count;
            var quantity = doc.Amount(h, "quantity", path, Limits.Quantity);
            var price = doc.Amount(h, "price", path, Limits.Price);
            var value = doc.Amount(h, "value", path, Limits.Amount);
            var fractional = doc.Bool(h, "fractional", path);
            var assetClass = doc.String(h, "assetClass", path);
            if (doc.Problems.Count > before) continue;

            var known = securities.TryGetValue(ticker, out var sec) ? sec : new Security(ticker);
            price ??= known.Price;
            if (quantity is null && value is null)
            {
                doc.Error(h, path, $"{ticker} needs a quantity (with a price) or a value");
                continue;
            }
            if (quantity is { } q && value is null)
            {
                if (price is null)
                {
                    doc.Error(h, $"{path}.price", $"missing: {ticker} is given as a quantity, so it needs a price");
                    continue;
                }
                // Both are in range, so the product is at most 1e12 × 1e9: it fits, and only its size needs checking.
                value = q * price.Value;
                if (value > Values.MaxAmount)
                {
                    doc.Error(h, $"{path}.quantity", $"quantity × price = {value} is too large: Ballast accepts amounts up to {Values.MaxAmount:#,0}");
                    continue;
                }
            }
            else if (quantity is not null && value is not null)
            {
                doc.Error(h, path, $"{ticker} gives both quantity and value: give a quantity with a price, or a value");
                continue;
            }
            securities[ticker] = known with
            {
                Price = price,
                Fractional = fractional ?? known.Fractional,
                AssetClass = assetClass ?? known.AssetClass,
            };
            positions.Add(new Position(ticker, value!.Value, quantity));
            held.Add(new HeldLots(account, ticker, path, quantity, Document.Get(h, "lots"), h));
        }
        return positions;
    }

    /// <summary>
    /// Reads <c>targets:</c> (ticker: weight) or <c>model:</c> from a document's root mapping, the vocabulary portfolio
    /// files and backtest experiments share. Problems go to the document; the sum is checked by the caller.
    /// </summary>
    public static List<TargetWeight> ReadTargets(Document doc, YamlMappingNode root, bool normalize = false) =>
        ReadTargets(doc, root, normalize, checkSum: false, warnings: null);

    /// <summary>
    /// Reads the targets as <see cref="ReadTargets(Document, YamlMappingNode, bool)"/> does. With <paramref name="checkSum"/>,
    /// weights that do not sum to 100% (and are not normalized) are a problem at <c>targets</c>; either way, when they
    /// do not, a weight that looks like a typo (<c>GLD: 1</c>, 100%, among percentages) is named: in that problem, or
    /// as a warning when <paramref name="normalize"/> rescaled the weights.
    /// </summary>
    internal static List<TargetWeight> ReadTargets(Document doc, YamlMappingNode root, bool normalize, bool checkSum, List<InputProblem>? warnings)
    {
        var targets = new List<TargetWeight>();
        var targetsNode = Document.Get(root, "targets");
        var modelNode = Document.Get(root, "model");
        if (targetsNode is not null && modelNode is not null)
        {
            doc.Error(modelNode, "model", "give targets or a model, not both");
            return targets;
        }
        if (modelNode is not null)
        {
            var name = doc.Scalar(modelNode, "model");
            if (name is null) return targets;
            if (ModelPortfolios.TryGet(name.Trim(), out var model)) return [.. model];
            doc.Error(modelNode, "model", $"unknown model '{name}'; expected one of: {string.Join(", ", ModelPortfolios.Names)}");
            return targets;
        }
        if (targetsNode is null)
        {
            doc.Error(root, "targets", "missing: give target weights (targets) or a built-in model (model)");
            return targets;
        }
        if (doc.Mapping(targetsNode, "targets") is not { } map) return targets;
        if (!doc.WithinCount(targetsNode, "targets", "target weights", map.Children.Count, Limits.MaxTargets)) return targets;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var written = new List<WeightAsWritten>();
        var before = doc.Problems.Count;
        foreach (var (key, value) in map.Children)
        {
            var ticker = Ticker(key);
            var field = $"targets.{ticker}";
            if (ticker.Length == 0) { doc.Error(key, "targets", "a target has no ticker"); continue; }
            if (!seen.Add(ticker)) { doc.Error(key, field, $"{ticker} is listed twice"); continue; }
            if (doc.Fraction(value, field, Limits.Weight) is not { } w) continue;
            targets.Add(new TargetWeight(ticker, w));
            written.Add(new WeightAsWritten(ticker, w, ((YamlScalarNode)value).Value!.Trim(), value));
        }
        if (doc.Problems.Count > before || targets.Count == 0) return targets;

        var sum = targets.Sum(t => t.Weight);
        var off = Math.Abs(sum - 1) > PortfolioValidator.TargetTolerance;
        var typo = off ? WeightTypos.Find(written, sum) : null;
        if (normalize)
        {
            if (typo is not null)
                warnings?.Add(new InputProblem($"{typo.Hint} (--normalize rescaled weights that sum to {WeightTypos.Percent(sum)})",
                    doc.File, (int)typo.Weight.Node.Start.Line, (int)typo.Weight.Node.Start.Column, $"targets.{typo.Weight.Ticker}"));
            if (sum > 0 && sum != 1)
            {
                targets = [.. targets.Select(t => t with { Weight = t.Weight / sum })];
                foreach (var t in targets)
                {
                    if (t.Weight == 0 || t.Weight >= Limits.MinWeight) continue;
                    var node = written.First(x => x.Ticker == t.Ticker).Node;
                    doc.Error(node, $"targets.{t.Ticker}", $"rescaled to {WeightTypos.Percent(t.Weight)}, below the smallest weight Ballast accepts ({Limits.Weight.Show(Limits.MinWeight)})");
                }
            }
        }
        else if (checkSum && off)
        {
            var culprit = typo is null ? "" : $". Likely culprit: {typo.Weight.Ticker}: {typo.Hint}";
            doc.Error(targetsNode, "targets", $"weights sum to {WeightTypos.Percent(sum)}, not 100% (use --normalize to rescale them){culprit}");
        }
        return targets;
    }

    /// <summary>The fields of an <c>execution:</c> block, in the order the README lists them.</summary>
    public static IReadOnlyList<string> ExecutionFieldNames => ExecutionFields;

    /// <summary>
    /// Reads the text of an <c>execution:</c> block (the mapping under the key, as a stored account or model keeps it) with the
    /// same rules as a portfolio file. Fields the text leaves out keep <paramref name="baseline"/>'s values (the engine's
    /// defaults when null), so an account's settings can be read over its model's. Empty text is the baseline.
    /// </summary>
    public static ReadResult<ExecutionOptions> ReadExecutionText(string source, string? text, ExecutionOptions? baseline = null)
    {
        var problems = new List<InputProblem>();
        baseline ??= ExecutionOptions.Default;
        if (string.IsNullOrWhiteSpace(text)) return new ReadResult<ExecutionOptions>(baseline, problems);
        var doc = Document.Parse(source, text, problems);
        if (doc is null || doc.Mapping(doc.Root, "execution") is not { } map) return new ReadResult<ExecutionOptions>(null, problems);
        var execution = ReadExecution(doc, map, baseline);
        return new ReadResult<ExecutionOptions>(problems.Count == 0 ? execution : null, problems);
    }

    /// <summary>
    /// The fields an <c>execution:</c> block's text sets, as field and scalar text in the text's order (empty for empty text);
    /// null when the text is not a mapping of scalars. Used to show stored settings and to change some fields of them.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, string>>? ExecutionTextFields(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var problems = new List<InputProblem>();
        var doc = Document.Parse("execution", text, problems);
        if (doc is null || doc.Root is not YamlMappingNode map) return null;
        var fields = new List<KeyValuePair<string, string>>();
        foreach (var (key, value) in map.Children)
        {
            if (key is not YamlScalarNode k || value is not YamlScalarNode v) return null;
            fields.Add(new(k.Value ?? "", v.Value ?? ""));
        }
        return fields;
    }

    /// <summary>
    /// Writes execution fields as block text (<c>field: value</c> lines), quoting values that are not plain words or numbers.
    /// The result is what <see cref="ReadExecutionText"/> reads; whether the values are valid is its call.
    /// </summary>
    public static string ExecutionText(IEnumerable<KeyValuePair<string, string>> fields)
    {
        var sb = new System.Text.StringBuilder();
        foreach (var (key, value) in fields)
        {
            var plain = value.Length > 0 && char.IsAsciiLetterOrDigit(value[0]) && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '%' or '_' or '-' or '+' or ',');
            sb.Append(key).Append(": ")
              .Append(plain ? value : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                  .Replace("\n", "\\n", StringComparison.Ordinal).Replace("\r", "\\r", StringComparison.Ordinal) + "\"")
              .Append('\n');
        }
        return sb.ToString();
    }

    private static ExecutionOptions ReadExecution(Document doc, YamlMappingNode m, ExecutionOptions? baseline = null)
    {
        const string path = "execution";
        var b = baseline ?? ExecutionOptions.Default;
        doc.CheckFields(m, path, ExecutionFields);
        var method = b.CashFlowMethod;
        if (Document.Get(m, "method") is { } methodNode && doc.Scalar(methodNode, "execution.method") is { } text)
        {
            if (!PolicyReader.TryParseMethod(text, out method))
                doc.Error(methodNode, "execution.method", $"unknown method '{text}'; expected proportional, relative, equalize");
        }
        return new ExecutionOptions
        {
            WholeShares = doc.Bool(m, "wholeShares", path) ?? b.WholeShares,
            MinTrade = doc.Amount(m, "minTrade", path, Limits.Amount) ?? b.MinTrade,
            CashReserve = doc.Amount(m, "cashReserve", path, Limits.Amount) ?? b.CashReserve,
            Costs = new CostModel(doc.Amount(m, "commission", path, Limits.Amount) ?? b.Costs.FixedPerTrade, doc.Amount(m, "commissionBps", path, Limits.Bps) ?? b.Costs.CommissionBps,
                doc.Amount(m, "halfSpreadBps", path, Limits.Bps) ?? b.Costs.HalfSpreadBps),
            CashFlowMethod = method,
            MoneyDecimals = doc.Integer(m, "moneyDecimals", path, 0, 8) ?? b.MoneyDecimals,
            QuantityDecimals = doc.Integer(m, "quantityDecimals", path, 0, 12) ?? b.QuantityDecimals,
        };
    }

    internal static string Ticker(YamlNode key) => ((key as YamlScalarNode)?.Value ?? "").Trim().ToUpperInvariant();
}
