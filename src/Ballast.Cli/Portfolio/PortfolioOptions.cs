using System.CommandLine;
using Ballast.Input;
using Ballast.Policies;
using Ballast.Portfolios;
using Ballast.Store;

namespace Ballast.Cli.Portfolio;

/// <summary>
/// The options that say which portfolio a command reads and how its settings are overridden, in groups: the
/// portfolio (a file, or stored accounts), the output, the policy overrides and the execution overrides. check and
/// plan take every group; the tax commands (lots, tax, harvest) read a file or stored accounts (--account, --household,
/// --all; not --model, whose accounts are not one household), with no overrides.
/// </summary>
internal sealed class PortfolioOptions
{
    private readonly string _command;
    private readonly bool _taxCommand;

    /// <param name="command">The command's name, for messages.</param>
    /// <param name="taxCommand">A tax command: no policy or execution overrides, and stored accounts by account, household or all (not model).</param>
    public PortfolioOptions(string command, bool taxCommand = false)
    {
        _command = command;
        _taxCommand = taxCommand;
    }

    public Argument<string?> File { get; } = new("file") { Description = "Portfolio file (YAML or JSON); or use --account, --household, --model or --all with the store", Arity = ArgumentArity.ZeroOrOne };
    public Option<string?> Account { get; } = new("--account") { Description = "A stored account" };
    public Option<string?> Household { get; } = new("--household") { Description = "Every stored account of a household" };
    public Option<string?> Model { get; } = new("--model") { Description = "Every stored account that follows a model" };
    public Option<bool> All { get; } = new("--all") { Description = "Every stored account" };
    public Option<int> StaleDays { get; } = Flags.Int("--stale-days", "Warn when a stored price is older than this many days (default 5; stored accounts only)", 0, MaxStaleDays, 5);
    public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON document instead of tables" };
    public Option<string?> AsOf { get; } = new("--as-of") { Description = "As-of date (YYYY-MM-DD) when the file gives none; default today" };
    public Option<bool> Normalize { get; } = new("--normalize") { Description = "Rescale target weights that do not sum to 100%" };
    public Option<string?> Look { get; } = new("--look") { Description = "Look schedule: " + PolicyReader.LookWords };
    public Option<string?> MaxInterval { get; } = new("--max-interval") { Description = "Days after the last rebalance when a look always rebalances" };
    public Option<string?> Trigger { get; } = new("--trigger") { Description = "Trigger: " + PolicyReader.TriggerWords };
    public Option<string?> Absolute { get; } = new("--absolute") { Description = "Absolute band half-width (5% or 500bp)" };
    public Option<string?> Relative { get; } = new("--relative") { Description = "Relative band half-width, a share of the target (25%)" };
    public Option<string?> Rail { get; } = new("--rail") { Description = "Relative inner rail for --to inner-rail (10%)" };
    public Option<string?> To { get; } = new("--to") { Description = "Rebalance to: " + PolicyReader.RebalanceToWords };
    public Option<string?> MinTrade { get; } = new("--min-trade") { Description = "Drop trades worth less than this" };
    public Option<bool> WholeShares { get; } = new("--whole-shares") { Description = "Trade whole shares only" };
    public Option<string?> Reserve { get; } = new("--reserve") { Description = "Cash to keep uninvested" };
    public Option<string?> Commission { get; } = new("--commission") { Description = "Fixed commission per trade" };
    public Option<string?> CommissionBps { get; } = new("--commission-bps") { Description = "Commission in basis points of the trade value" };
    public Option<string?> HalfSpreadBps { get; } = new("--half-spread-bps") { Description = "Half the bid-ask spread, in basis points" };

    /// <summary>The largest --stale-days: a century.</summary>
    public const int MaxStaleDays = 36_500;

    private Option[] StoreGroup => [Account, Household, Model, All, StaleDays];
    private Option[] PolicyGroup => [Look, MaxInterval, Trigger, Absolute, Relative, Rail, To];
    private Option[] ExecutionGroup => [MinTrade, WholeShares, Reserve, Commission, CommissionBps, HalfSpreadBps];

    /// <summary>Adds the command's groups: the portfolio and --json always; the store, policy and execution groups unless file-only.</summary>
    public void AddTo(Command command)
    {
        command.Arguments.Add(File);
        foreach (var o in new Option[] { Json, AsOf, Normalize }) command.Options.Add(o);
        if (_taxCommand)
        {
            File.Description = "Portfolio file (YAML or JSON) with lots or transactions; or use --account, --household or --all with the store";
            foreach (var o in new Option[] { Account, Household, All, StaleDays }) command.Options.Add(o);
            // Not offered, but recognized: so that asking for a model's accounts gets an answer, not "unrecognized argument".
            Model.Hidden = true;
            command.Options.Add(Model);
        }
        else
        {
            foreach (var o in PolicyGroup.Concat(ExecutionGroup).Concat(StoreGroup)) command.Options.Add(o);
        }
        command.Validators.Add(result =>
        {
            var given = new[] { Account, Household, Model, (Option)All }.Where(o => Flags.Given(result, o)).Select(o => o.Name).ToList();
            var file = Flags.Value(result, File) is not null;
            if (_taxCommand && given.Contains(Model.Name))
            {
                result.AddError($"{_command} reads one household's lots and history: use --account, --household or --all, not --model");
                return;
            }
            if (file && given.Count > 0) result.AddError("give a portfolio file or a store selection (--account, --household, --model, --all), not both");
            else if (!file && given.Count == 0)
                result.AddError(_taxCommand ? "give a portfolio file, or --account, --household or --all to use the store" : "give a portfolio file, or --account, --household, --model or --all to use the store");
            else if (given.Count > 1) result.AddError("--account, --household, --model and --all cannot be combined");
            else if (file && Flags.Given(result, StaleDays)) result.AddError("--stale-days applies to stored accounts' prices; a portfolio file gives its own prices");
            else if (!file && Flags.Given(result, Normalize)) result.AddError("--normalize rescales a portfolio file's targets; a stored model's targets were checked when it was set");
        });
    }

    /// <summary>True when the command reads stored accounts rather than a file.</summary>
    public bool FromStore(ParseResult parse) => parse.GetValue(File) is null;

    /// <summary>The as-of date: --as-of, else today by the context's clock.</summary>
    public DateOnly AsOfDate(ParseResult parse, CliContext context)
    {
        if (parse.GetValue(AsOf) is not { } text) return DateOnly.FromDateTime(context.Time.GetUtcNow().UtcDateTime);
        return Values.TryParseDate(text, out var d, out var e) ? d : throw new InputException(new InputProblem(e!, Field: "--as-of"));
    }

    /// <summary>Which stored accounts the flags select, and the converter that applies the policy flags to them.</summary>
    public (SnapshotQuery Query, StoredPortfolios Converter, string Scope) StoreSelection(ParseResult parse, CliContext context)
    {
        var problems = new List<InputProblem>();
        Func<Policy, Policy> policy = p => p;
        Func<ExecutionOptions, ExecutionOptions> execution = x => x;
        if (!_taxCommand)
        {
            policy = ReadPolicyOverrides(parse, problems);
            execution = ReadExecutionOverrides(parse, problems);
        }
        DateOnly asOf = default;
        try
        {
            asOf = AsOfDate(parse, context);
        }
        catch (InputException e)
        {
            problems.AddRange(e.Problems);
        }
        if (problems.Count > 0) throw new InputException(problems);
        var query = new SnapshotQuery(asOf, parse.GetValue(Account), parse.GetValue(Household), parse.GetValue(Model));
        var scope = query.Account is { } a ? $"account {a}" : query.Household is { } h ? $"household {h}" : query.Model is { } m ? $"model {m}" : "all";
        return (query, new StoredPortfolios(asOf, parse.GetValue(StaleDays), policy, execution), scope);
    }

    /// <summary>
    /// Reads the file and applies the overrides; throws <see cref="InputException"/> with every problem, adding
    /// <paramref name="more"/> (problems with the command's other flags) so that all are reported at once.
    /// </summary>
    public Ballast.Portfolios.Portfolio Load(ParseResult parse, CliContext context, IReadOnlyList<InputProblem>? more = null)
    {
        var problems = new List<InputProblem>();
        DateOnly? given = null;
        if (parse.GetValue(AsOf) is { } asOfText)
        {
            if (Values.TryParseDate(asOfText, out var d, out var e)) given = d;
            else problems.Add(new InputProblem(e!, Field: "--as-of"));
        }
        var asOf = given ?? DateOnly.FromDateTime(context.Time.GetUtcNow().UtcDateTime);
        var path = parse.GetValue(File)!;
        var read = PortfolioReader.ReadFile(context.ResolvePath(path), new ReadOptions(parse.GetValue(Normalize), asOf), path);
        problems.AddRange(read.Problems);
        Func<Policy, Policy> policyOverride = p => p;
        Func<ExecutionOptions, ExecutionOptions> executionOverride = x => x;
        if (!_taxCommand)
        {
            policyOverride = ReadPolicyOverrides(parse, problems);
            executionOverride = ReadExecutionOverrides(parse, problems);
        }
        if (more is not null) problems.AddRange(more);
        if (problems.Count > 0 || read.Value is null) throw new InputException(problems);

        var portfolio = read.Value;
        // The reader takes --as-of only when the file has no asOf: say so when the two differ.
        if (given is { } g && portfolio.AsOf != g)
            context.Error.WriteLine($"ballast: warning: {path} gives asOf {portfolio.AsOf:yyyy-MM-dd}, which wins; --as-of {g:yyyy-MM-dd} applies only to a file without asOf");
        portfolio = portfolio with
        {
            Policy = policyOverride(portfolio.Policy),
            Execution = executionOverride(portfolio.Execution),
        };
        problems.AddRange(PortfolioValidator.Validate(portfolio, path));
        problems.AddRange(PortfolioReader.CheckWholeSharePrices(portfolio, path));
        if (problems.Count > 0) throw new InputException(problems);
        // Volatility and performance triggers read their market facts from the price history the file names.
        return Ballast.Backtest.Data.LiveMarket.Fill(portfolio, Path.GetDirectoryName(context.ResolvePath(path)));
    }

    private Func<Policy, Policy> ReadPolicyOverrides(ParseResult parse, List<InputProblem> problems)
    {
        var flags = new Dictionary<string, Option<string?>>
        {
            ["--look"] = Look, ["--max-interval"] = MaxInterval, ["--trigger"] = Trigger, ["--absolute"] = Absolute,
            ["--relative"] = Relative, ["--rail"] = Rail, ["--to"] = To,
        };
        var overrides = PolicyReader.ReadOverrides(name => parse.GetValue(flags[name]), problems);
        return overrides.ApplyTo;
    }

    private Func<ExecutionOptions, ExecutionOptions> ReadExecutionOverrides(ParseResult parse, List<InputProblem> problems)
    {
        var minTrade = Flags.Amount(parse, MinTrade, problems);
        var reserve = Flags.Amount(parse, Reserve, problems);
        var commission = Flags.Amount(parse, Commission, problems);
        var commissionBps = Flags.Amount(parse, CommissionBps, problems);
        var halfSpread = Flags.Amount(parse, HalfSpreadBps, problems);
        var whole = parse.GetValue(WholeShares);
        return ex => ex with
        {
            WholeShares = whole || ex.WholeShares,
            MinTrade = minTrade ?? ex.MinTrade,
            CashReserve = reserve ?? ex.CashReserve,
            Costs = new CostModel(commission ?? ex.Costs.FixedPerTrade, commissionBps ?? ex.Costs.CommissionBps, halfSpread ?? ex.Costs.HalfSpreadBps),
        };
    }

    internal static decimal? Fraction(ParseResult parse, Option<string?> option, List<InputProblem> problems)
    {
        if (parse.GetValue(option) is not { } text) return null;
        if (!Values.TryParseFraction(text, out var v, out var error)) { problems.Add(new InputProblem(error!, Field: option.Name)); return null; }
        if (v < 0) { problems.Add(new InputProblem($"must not be negative (got {text})", Field: option.Name)); return null; }
        return v;
    }
}
