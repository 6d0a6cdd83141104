using System.Runtime.CompilerServices;
using Ballast.Backtest.Data;
using Ballast.Input;
using Ballast.Models;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Tax;
using YamlDotNet.RepresentationModel;

namespace Ballast.Backtest.Experiments;

/// <summary>
/// Reads experiment files (YAML or JSON). Every problem names the file, line, column and field, and all of
/// them are thrown together as one <see cref="InputException"/>. Relative paths inside an experiment resolve
/// against the experiment file's folder.
/// </summary>
public static class ExperimentReader
{
    /// <summary>The top-level fields an experiment may have.</summary>
    public static readonly string[] Fields =
        ["name", "prices", "format", "start", "end", "initial", "targets", "model", "costs", "wholeShares", "minTrade", "cashReserve",
         "cashFlows", "cashRate", "cashSeries", "policies", "monteCarlo", "tune", "tax"];

    /// <summary>
    /// Where each parsed experiment's <c>prices:</c> field stands in its file, so that problems with the price data can
    /// point at it. Experiments whose prices came from an override have no entry (their problems name the price file).
    /// </summary>
    private static readonly ConditionalWeakTable<Experiment, PricesField> PricesFields = new();

    /// <summary>The <c>prices:</c> field as written (<paramref name="Written"/>) and its line and column.</summary>
    private sealed record PricesField(string Written, int Line, int Column);

    /// <summary>Reads <paramref name="path"/>; <paramref name="pricesOverride"/> (already absolute) replaces its <c>prices</c>.</summary>
    public static Experiment Load(string path, string shownName, string? pricesOverride = null)
    {
        var problems = new List<InputProblem>();
        var text = Document.ReadFile(path, shownName, problems);
        if (text is null) throw new InputException(problems);
        var folder = Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".";
        return Parse(text, shownName, folder, pricesOverride);
    }

    /// <summary>Parses experiment text; <paramref name="folder"/> anchors relative paths.</summary>
    public static Experiment Parse(string text, string file, string folder, string? pricesOverride = null)
    {
        var problems = new List<InputProblem>();
        var doc = Document.Parse(file, text, problems);
        if (doc is null) throw new InputException(problems);
        if (doc.Mapping(doc.Root, "") is not { } root) throw new InputException(problems);
        doc.CheckFields(root, "", Fields);

        var name = doc.String(root, "name", "") ?? Path.GetFileNameWithoutExtension(file);
        string? prices = pricesOverride;
        PricesField? pricesField = null;
        if (prices is null)
        {
            var p = doc.String(root, "prices", "");
            if (p is null) doc.Error(root, "prices", "missing: give the price file (wide CSV, monthly index) or a folder of per-ticker files");
            else if (string.IsNullOrWhiteSpace(p) || p.IndexOfAny(Path.GetInvalidPathChars()) >= 0)
                doc.Error(Document.Get(root, "prices"), "prices", $"'{p}' is not a path to a price file or folder");
            else
            {
                prices = Path.GetFullPath(p.Trim(), folder);
                var at = Document.Get(root, "prices")!;
                pricesField = new PricesField(p.Trim(), (int)at.Start.Line, (int)at.Start.Column);
            }
        }
        var format = PriceFormat.Wide;
        if (Document.Get(root, "format") is { } fNode && doc.Scalar(fNode, "format") is { } fText)
        {
            switch (fText.Trim().ToLowerInvariant())
            {
                case "wide": break;
                case "per-ticker" or "tickers": format = PriceFormat.PerTicker; break;
                case "monthly-index" or "monthly": format = PriceFormat.MonthlyIndex; break;
                default: doc.Error(fNode, "format", $"unknown price format '{fText}'; expected wide, per-ticker, monthly-index"); break;
            }
        }
        else if (prices is not null && Directory.Exists(prices)) format = PriceFormat.PerTicker;

        var start = doc.Date(root, "start", "");
        var end = doc.Date(root, "end", "");
        if (start is { } s && end is { } e && e < s) doc.Error(Document.Get(root, "end"), "end", $"{e:yyyy-MM-dd} is before the start {s:yyyy-MM-dd}");
        var initial = doc.Amount(root, "initial", "", Limits.Amount) ?? 100_000m;
        if (initial <= 0) doc.Error(Document.Get(root, "initial"), "initial", "must be greater than zero");

        var targets = ReadTargets(doc, root);
        var costs = CostModel.None;
        if (Document.Get(root, "costs") is { } cNode && doc.Mapping(cNode, "costs") is { } cm)
        {
            doc.CheckFields(cm, "costs", "commission", "commissionBps", "halfSpreadBps");
            costs = new CostModel(doc.Amount(cm, "commission", "costs", Limits.Amount) ?? 0, doc.Amount(cm, "commissionBps", "costs", Limits.Bps) ?? 0,
                doc.Amount(cm, "halfSpreadBps", "costs", Limits.Bps) ?? 0);
            if (costs.Rate >= 0.5m) doc.Error(cNode, "costs", "commission and half-spread together must be under 5,000bp");
        }
        CashFlowSchedule? flows = null;
        if (Document.Get(root, "cashFlows") is { } flowNode && doc.Mapping(flowNode, "cashFlows") is { } fm)
        {
            doc.CheckFields(fm, "cashFlows", "amount", "every", "method");
            var amount = doc.Amount(fm, "amount", "cashFlows", Limits.SignedAmount);
            if (amount is null && Document.Get(fm, "amount") is null) doc.Error(flowNode, "cashFlows.amount", "missing: the amount of each flow (negative for a withdrawal)");
            var every = new LookSchedule(LookFrequency.Monthly);
            if (Document.Get(fm, "every") is { } evNode && doc.Scalar(evNode, "cashFlows.every") is { } evText && !PolicyReader.TryParseLook(evText, out every))
                doc.Error(evNode, "cashFlows.every", $"unknown frequency '{evText}'; expected {PolicyReader.LookWords}");
            CashFlowMethod? method = null;
            if (Document.Get(fm, "method") is { } mNode && doc.Scalar(mNode, "cashFlows.method") is { } mText)
            {
                if (PolicyReader.TryParseMethod(mText, out var m)) method = m;
                else doc.Error(mNode, "cashFlows.method", $"unknown method '{mText}'; expected proportional, relative, equalize");
            }
            flows = new CashFlowSchedule(amount ?? 0, every, method);
        }
        var cashRate = doc.Fraction(root, "cashRate", "", Limits.Rate) ?? 0m;
        var cashSeries = doc.String(root, "cashSeries", "")?.Trim().ToUpperInvariant();
        if (cashSeries is not null && Document.Get(root, "cashRate") is { } crNode)
            doc.Error(crNode, "cashRate", "give cashRate or cashSeries, not both");

        var execution = new ExecutionOptions
        {
            WholeShares = doc.Bool(root, "wholeShares", "") ?? false,
            MinTrade = doc.Amount(root, "minTrade", "", Limits.Amount) ?? 0,
            CashReserve = doc.Amount(root, "cashReserve", "", Limits.Amount) ?? 0,
            Costs = costs,
            CashFlowMethod = flows?.Method ?? CashFlowMethod.Proportional,
        };

        var policies = new List<NamedPolicy>();
        var policiesNode = Document.Get(root, "policies");
        if (policiesNode is null) doc.Error(root, "policies", "missing: name at least one policy, e.g. policies: { buy-and-hold: { trigger: never } }");
        else if (doc.Mapping(policiesNode, "policies") is { } pm)
        {
            if (pm.Children.Count == 0) doc.Error(pm, "policies", "name at least one policy");
            foreach (var (key, value) in pm.Children)
            {
                var policyName = (key as YamlScalarNode)?.Value ?? "";
                var field = Document.Join("policies", policyName);
                if (doc.Mapping(value, field) is not { } map) continue;
                var before = doc.Problems.Count;
                var policy = PolicyReader.Read(doc, map, field);
                if (doc.Problems.Count > before) continue;
                var policyProblems = new List<InputProblem>();
                PortfolioValidator.ValidatePolicy(policy, targets, file, policyProblems);
                foreach (var pp in policyProblems)
                {
                    var f = pp.Field is { } pf && pf.StartsWith("policy", StringComparison.Ordinal) ? field + pf["policy".Length..] : field;
                    var at = f.EndsWith(".rail", StringComparison.Ordinal) ? Document.Get(map, "rail") ?? value : value;
                    doc.Error(at, f, pp.Message);
                }
                policies.Add(new NamedPolicy(policyName, policy));
            }
        }

        (int, int, string)? rangeAt = null;
        foreach (var key in new[] { "start", "end" })
        {
            if (Document.Get(root, key) is { } rn) { rangeAt = ((int)rn.Start.Line, (int)rn.Start.Column, key); break; }
        }
        var monteCarlo = ReadMonteCarlo(doc, root);
        var tune = ReadTune(doc, root);
        var tax = ReadTax(doc, root, targets);
        if (doc.Problems.Count > 0) throw new InputException(doc.Problems);
        var experiment = new Experiment
        {
            File = file, Name = name, PricesPath = prices!, PriceFormat = format, Start = start, End = end, Initial = initial,
            Targets = targets, Execution = execution, CashFlows = flows, CashRate = (double)cashRate, CashSeries = cashSeries,
            Policies = policies, MonteCarlo = monteCarlo, Tune = tune, Tax = tax, RangeAt = rangeAt,
        };
        if (pricesField is not null) PricesFields.AddOrUpdate(experiment, pricesField);
        return experiment;
    }

    /// <summary>
    /// Loads the experiment's prices and keeps its assets (and cash series) on the dates inside start..end on
    /// which all of them have a price. Problems name the experiment file, the line and the field they come from
    /// (<c>prices</c>, or <c>start</c>/<c>end</c> for an empty range), and in the message the price file, its line,
    /// column and ticker; prices given by an override name the price file only.
    /// </summary>
    public static PriceTable LoadPrices(Experiment experiment)
    {
        ArgumentNullException.ThrowIfNull(experiment);
        var tickers = new List<string>(experiment.Assets);
        if (experiment.CashSeries is { } cs && !tickers.Contains(cs)) tickers.Add(cs);
        PricesFields.TryGetValue(experiment, out var field);
        PriceTable selected;
        try
        {
            var table = experiment.PriceFormat switch
            {
                PriceFormat.PerTicker => PriceCsv.LoadTickerDirectory(experiment.PricesPath, tickers),
                PriceFormat.MonthlyIndex => PriceCsv.LoadMonthlyIndex(experiment.PricesPath),
                _ => PriceCsv.LoadWide(experiment.PricesPath),
            };
            try
            {
                selected = table.Select(tickers, experiment.Start, experiment.End);
            }
            catch (InputException e) when (experiment.RangeAt is { } at && e.Problems.All(p => p.Field == "date" && p.Line is null))
            {
                // An empty range is the experiment's start/end meeting the data: point at the experiment's field.
                throw new InputException([.. e.Problems.Select(p => new InputProblem($"{p.Message} in {Shown(p.File, experiment, field)}", experiment.File, at.Line, at.Column, at.Field))]);
            }
        }
        catch (InputException e) when (field is not null && e.Problems.Any(p => p.File != experiment.File))
        {
            throw new InputException([.. e.Problems.Select(p => p.File == experiment.File ? p : AtPricesField(p, experiment, field))]);
        }
        if (selected.Count < 2)
        {
            var message = $"only {selected.Count} date from {experiment.Start?.ToString("yyyy-MM-dd") ?? "the start"} to {experiment.End?.ToString("yyyy-MM-dd") ?? "the end"} has prices for every asset; a backtest needs at least two";
            throw new InputException(experiment.RangeAt is { } at
                ? new InputProblem($"{message} in {Shown(experiment.PricesPath, experiment, field)}", experiment.File, at.Line, at.Column, at.Field)
                : field is not null
                    ? new InputProblem($"{Shown(experiment.PricesPath, experiment, field)}: {message}", experiment.File, field.Line, field.Column, "prices")
                    : new InputProblem(message, experiment.PricesPath, null, null, "date"));
        }
        return selected;
    }

    /// <summary>A problem found in the price data, restated at the experiment's <c>prices:</c> field: "prices.csv line 3, column 12 (BBB): ...".</summary>
    private static InputProblem AtPricesField(InputProblem p, Experiment experiment, PricesField field)
    {
        var where = Shown(p.File, experiment, field);
        if (p.Line is { } line) where += p.Column is { } column ? $" line {line}, column {column}" : $" line {line}";
        if (p.Field is { } f) where += $" ({f})";
        return new InputProblem($"{where}: {p.Message}", experiment.File, field.Line, field.Column, "prices");
    }

    /// <summary>A price file's path as the experiment wrote it (relative to the experiment's folder), when it is under the <c>prices:</c> path.</summary>
    private static string Shown(string? file, Experiment experiment, PricesField? field)
    {
        if (file is null) return field?.Written ?? experiment.PricesPath;
        if (field is null) return file;
        if (file == experiment.PricesPath) return field.Written;
        var rest = Path.GetRelativePath(experiment.PricesPath, file);
        return rest.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(rest) ? file : Path.Combine(field.Written, rest);
    }

    /// <summary>The portfolio file's targets or model, with the sum checked where the targets stand in the file.</summary>
    private static List<TargetWeight> ReadTargets(Document doc, YamlMappingNode root)
    {
        var targets = PortfolioReader.ReadTargets(doc, root);
        var sum = targets.Sum(t => t.Weight);
        if (Document.Get(root, "targets") is not { } node) return targets;
        if (targets.Count == 0) doc.Error(node, "targets", "no target weights");
        else if (Math.Abs(sum - 1) > PortfolioValidator.TargetTolerance) doc.Error(node, "targets", $"weights sum to {sum * 100:0.####}%, not 100%");
        return targets;
    }

    private static MonteCarloSettings? ReadMonteCarlo(Document doc, YamlMappingNode root)
    {
        if (Document.Get(root, "monteCarlo") is not { } node || doc.Mapping(node, "monteCarlo") is not { } m) return null;
        const string path = "monteCarlo";
        doc.CheckFields(m, path, "method", "blockLength", "years", "seed", "paths");
        var method = "bootstrap";
        if (Document.Get(m, "method") is { } mn && doc.Scalar(mn, "monteCarlo.method") is { } mt)
        {
            method = mt.Trim().ToLowerInvariant();
            if (method is not ("bootstrap" or "normal" or "lognormal"))
                doc.Error(mn, "monteCarlo.method", $"unknown method '{mt}'; expected bootstrap, normal, lognormal");
        }
        var methodAt = Document.Get(m, "method") ?? node;
        return new MonteCarloSettings(
            method,
            doc.Integer(m, "blockLength", path, 1, 1000) ?? 12,
            doc.Integer(m, "years", path, 1, 200) ?? 30,
            (ulong)(doc.Integer(m, "seed", path, 0, int.MaxValue) ?? 1),
            doc.Integer(m, "paths", path, 1, 10_000_000) ?? 1000)
        {
            MethodAt = ((int)methodAt.Start.Line, (int)methodAt.Start.Column),
        };
    }

    /// <summary>
    /// The <c>tax:</c> section in the portfolio file's vocabulary: <c>regime</c> (as <c>taxRegime</c>: us with rates, or kr;
    /// default us 37%/20%), <c>lotSelection</c> (default fifo) and <c>treatments</c> (ticker: treatment).
    /// </summary>
    private static TaxSettings? ReadTax(Document doc, YamlMappingNode root, List<TargetWeight> targets)
    {
        if (Document.Get(root, "tax") is not { } node || doc.Mapping(node, "tax") is not { } m) return null;
        const string path = "tax";
        doc.CheckFields(m, path, "regime", "lotSelection", "treatments");
        var before = doc.Problems.Count;
        var regime = Document.Get(m, "regime") is { } rn ? TaxSettingsReader.ReadRegime(doc, rn, "tax.regime") : TaxSettingsReader.DefaultRegime;
        var regimeRead = doc.Problems.Count == before;
        var method = TaxSettingsReader.ReadLotSelection(doc, m, path) ?? LotSelectionMethod.Fifo;
        if (method == LotSelectionMethod.Specific)
            doc.Error(Document.Get(m, "lotSelection"), "tax.lotSelection",
                "a backtest's sells do not name their lots, so specific lot selection cannot be followed; use fifo, lifo, hifo or tax-min");
        var treatments = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Document.Get(m, "treatments") is { } tn && doc.Mapping(tn, "tax.treatments") is { } tm)
        {
            foreach (var (key, value) in tm.Children)
            {
                var ticker = PortfolioReader.Ticker(key);
                var field = $"tax.treatments.{ticker}";
                if (ticker == Portfolio.CashTicker || targets.All(t => t.Ticker != ticker))
                {
                    doc.Error(key, field, $"{ticker} is not one of the targets' assets ({string.Join(", ", targets.Where(t => t.Ticker != Portfolio.CashTicker).Select(t => t.Ticker))})");
                    continue;
                }
                if (treatments.ContainsKey(ticker)) { doc.Error(key, field, $"{ticker} is listed twice"); continue; }
                // Treatments name the regime's classes; against a regime that failed to read they would only add noise.
                if (regimeRead && TaxSettingsReader.ReadTreatment(doc, regime, value, field) is { } treatment) treatments[ticker] = treatment;
            }
        }
        return new TaxSettings(regime, method, treatments);
    }

    private static TuneSettings? ReadTune(Document doc, YamlMappingNode root)
    {
        if (Document.Get(root, "tune") is not { } node || doc.Mapping(node, "tune") is not { } m) return null;
        const string path = "tune";
        doc.CheckFields(m, path, "evaluate", "absolute", "relative", "rail", "look", "objective");
        var evaluate = TuneEvaluation.History;
        var evaluateNode = Document.Get(m, "evaluate");
        if (evaluateNode is not null && doc.Scalar(evaluateNode, "tune.evaluate") is { } et)
        {
            switch (et.Trim().ToLowerInvariant())
            {
                case "history": break;
                case "paths": evaluate = TuneEvaluation.Paths; break;
                case "both": evaluate = TuneEvaluation.Both; break;
                default: doc.Error(evaluateNode, "tune.evaluate", $"unknown evaluation '{et}'; expected history, paths, both"); break;
            }
            if (evaluate != TuneEvaluation.History && Document.Get(root, "monteCarlo") is null)
                doc.Error(evaluateNode, "tune.evaluate",
                    $"{et.Trim().ToLowerInvariant()} runs the grid on Monte Carlo paths drawn with the experiment's monteCarlo section, and there is none; add one, e.g. monteCarlo: {{ method: bootstrap, years: 30, seed: 1, paths: 1000 }}");
        }
        List<decimal?> Fractions(string key, NumberRange range)
        {
            var list = new List<decimal?>();
            if (Document.Get(m, key) is not { } n) { list.Add(null); return list; }
            if (doc.Sequence(n, $"tune.{key}") is not { } seq) return list;
            foreach (var item in seq.Children)
            {
                if (item is YamlScalarNode { Value: var v } && v is "none" or "target" or "~" or "null") { list.Add(null); continue; }
                if (doc.Fraction(item, $"tune.{key}", range) is { } f) list.Add(f);
            }
            if (list.Count == 0) doc.Error(n, $"tune.{key}", "give at least one value");
            return list;
        }
        var absolute = Fractions("absolute", Limits.AbsoluteBand);
        var relative = Fractions("relative", Limits.RelativeBand);
        var rails = Fractions("rail", Limits.Rail);
        var looks = new List<LookSchedule>();
        if (Document.Get(m, "look") is { } ln && doc.Sequence(ln, "tune.look") is { } ls)
        {
            foreach (var item in ls.Children)
            {
                if (doc.Scalar(item, "tune.look") is not { } t) continue;
                if (PolicyReader.TryParseLook(t, out var look)) looks.Add(look);
                else doc.Error(item, "tune.look", $"unknown look '{t}'; expected {PolicyReader.LookWords}");
            }
        }
        if (looks.Count == 0) looks.Add(new LookSchedule(LookFrequency.Monthly));
        var grid = (decimal)Math.Max(1, absolute.Count) * Math.Max(1, relative.Count) * Math.Max(1, rails.Count) * looks.Count;
        if (grid > Limits.MaxTuneGrid)
            doc.Error(node, "tune", $"the grid has {grid:#,0} policies; Ballast tunes at most {Limits.MaxTuneGrid:#,0} at once");
        double maxTe = 0.02;
        if (Document.Get(m, "objective") is { } on && doc.Mapping(on, "tune.objective") is { } om)
        {
            doc.CheckFields(om, "tune.objective", "maxTrackingError");
            maxTe = (double)(doc.Fraction(om, "maxTrackingError", "tune.objective", Limits.TrackingError) ?? 0.02m);
        }
        var evaluateAt = evaluateNode ?? node;
        return new TuneSettings(absolute, relative, rails, looks, maxTe)
        {
            Evaluate = evaluate,
            EvaluateAt = ((int)evaluateAt.Start.Line, (int)evaluateAt.Start.Column),
        };
    }
}
