using System.CommandLine;
using Ballast.Backtest.Data;
using Ballast.Backtest.Engine;
using Ballast.Backtest.Experiments;
using Ballast.Backtest.Reports;
using Ballast.Input;
using Spectre.Console;

namespace Ballast.Cli.Backtest;

/// <summary><c>ballast backtest</c>, <c>ballast simulate</c> and <c>ballast tune</c> on an experiment file.</summary>
internal static class BacktestCommands
{
    public static void AddTo(RootCommand root, CliContext context)
    {
        root.Subcommands.Add(BacktestCommand(context));
        root.Subcommands.Add(SimulateCommand(context));
        root.Subcommands.Add(TuneCommand(context));
    }

    /// <summary>The most Monte Carlo paths, as in an experiment's monteCarlo.paths.</summary>
    public const int MaxPaths = 10_000_000;

    private sealed class Common
    {
        public Argument<string> File { get; } = new("experiment") { Description = "Experiment file (YAML or JSON)" };
        public Option<bool> Json { get; } = new("--json") { Description = "Print one JSON document instead of tables" };
        public Option<string?> Report { get; } = new("--report") { Description = "Write a self-contained HTML report to this path" };
        public Option<string?> Prices { get; } = new("--prices") { Description = "Price data to use instead of the experiment's 'prices' (relative to the working directory)" };

        public void AddTo(Command command)
        {
            command.Arguments.Add(File);
            foreach (var o in new Option[] { Json, Report, Prices }) command.Options.Add(o);
        }

        /// <summary>
        /// Reads the experiment and its prices, and checks that the --report path can be written, so that a run is
        /// not lost to a path found bad at its end; every problem is an <see cref="InputException"/>.
        /// </summary>
        public (Experiment Experiment, PriceTable Prices) Load(ParseResult parse, CliContext context)
        {
            if (ReportPath(parse, context) is { } report && Flags.CheckWritable(report, parse.GetValue(Report)!, "--report") is { } problem)
                throw new InputException(problem);
            var file = parse.GetValue(File)!;
            var prices = parse.GetValue(Prices) is { } p ? context.ResolvePath(p) : null;
            var experiment = ExperimentReader.Load(context.ResolvePath(file), file, prices);
            return (experiment, ExperimentReader.LoadPrices(experiment));
        }

        /// <summary>Writes the report to <paramref name="path"/>; a write that fails is a problem with --report.</summary>
        public void WriteReport(ParseResult parse, string path, Action<string> write) => Flags.WriteOutput(path, parse.GetValue(Report)!, "--report", write);

        /// <summary>The --report path resolved against the working directory, or null.</summary>
        public string? ReportPath(ParseResult parse, CliContext context) => parse.GetValue(Report) is { } r ? context.ResolvePath(r) : null;
    }

    private static Command BacktestCommand(CliContext context)
    {
        var common = new Common();
        var csv = new Option<bool>("--csv") { Description = "Print the results table as CSV" };
        var exact = new Option<bool>("--exact") { Description = "Plan every look in exact decimal, as a live plan does (slower); by default fractional-share runs plan in double through the same rules" };
        var command = new Command("backtest", "Run every policy of an experiment over historical prices, through the engine, and compare them.");
        common.AddTo(command);
        command.Options.Add(csv);
        command.Options.Add(exact);
        command.Validators.Add(r =>
        {
            if (Flags.Value(r, common.Json) && Flags.Value(r, csv)) r.AddError("--json and --csv cannot be used together");
        });
        command.SetAction(parse =>
        {
            var (experiment, prices) = common.Load(parse, context);
            var market = Market.From(experiment, prices);
            var report = common.ReportPath(parse, context);
            var options = new BacktestOptions { RecordWeights = report is not null, Exact = parse.GetValue(exact) };
            var machine = parse.GetValue(common.Json) || parse.GetValue(csv);
            var outcome = WithProgress(context, machine, experiment.Policies.Count, "Backtesting",
                tick => ExperimentRunner.Run(experiment, market, options, _ => tick()));
            if (report is not null) common.WriteReport(parse, report, path => HtmlReport.Write(BacktestReports.History(outcome), path));
            if (parse.GetValue(common.Json)) context.Out.Write(BacktestOutput.Json(outcome.Statistics, experiment.Execution.MoneyDecimals));
            else if (parse.GetValue(csv)) context.Out.Write(BacktestOutput.Csv(outcome.Statistics));
            else BacktestOutput.Render(context, outcome);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command SimulateCommand(CliContext context)
    {
        var common = new Common();
        var paths = Flags.Int("--paths", "Number of simulated paths (default: the experiment's monteCarlo.paths, else 1000)", 1, MaxPaths);
        var seed = Flags.Int("--seed", "Random seed (default: the experiment's monteCarlo.seed, else 1)", 0, int.MaxValue);
        var command = new Command("simulate", "Monte Carlo: run every policy on simulated return paths (block bootstrap or fitted normal/lognormal).");
        common.AddTo(command);
        command.Options.Add(paths);
        command.Options.Add(seed);
        command.SetAction(parse =>
        {
            var (experiment, prices) = common.Load(parse, context);
            var settings = experiment.MonteCarlo ?? new MonteCarloSettings();
            if (parse.GetValue(seed) is { } s) settings = settings with { Seed = (ulong)s };
            long n = parse.GetValue(paths) ?? settings.Paths;
            var machine = parse.GetValue(common.Json);
            var outcome = WithPathProgress(context, machine, n, "Simulating", progress => SimulationRunner.Run(experiment, prices, settings, n, progress: progress));
            if (common.ReportPath(parse, context) is { } report) common.WriteReport(parse, report, path => HtmlReport.Write(BacktestReports.Simulation(outcome), path));
            if (machine) context.Out.Write(BacktestOutput.SimulationJson(outcome));
            else BacktestOutput.RenderSimulation(context, outcome);
            return ExitCodes.Ok;
        });
        return command;
    }

    private static Command TuneCommand(CliContext context)
    {
        var common = new Common();
        var paths = Flags.Int("--paths", "Number of Monte Carlo paths when tuning on paths (default: the experiment's monteCarlo.paths)", 1, MaxPaths);
        var seed = Flags.Int("--seed", "Random seed of the paths (default: the experiment's monteCarlo.seed)", 0, int.MaxValue);
        var command = new Command("tune",
            "Search a grid of bands, rails and look schedules on history, on Monte Carlo paths, or both (tune.evaluate); print the cost/tracking-error frontier and the best policy for the objective.");
        common.AddTo(command);
        command.Options.Add(paths);
        command.Options.Add(seed);
        command.SetAction(parse =>
        {
            var file = parse.GetValue(common.File)!;
            var (experiment, prices) = common.Load(parse, context);
            if (experiment.Tune is not { } tune)
                throw new InputException(new InputProblem("missing: the experiment needs a tune section to tune", file, Field: "tune"));
            var pathOptions = new[] { (Name: "--paths", Given: parse.GetValue(paths) is not null), (Name: "--seed", Given: parse.GetValue(seed) is not null) }
                .Where(o => o.Given).Select(o => o.Name).ToArray();
            if (!tune.OnPaths && pathOptions.Length > 0)
                throw new InputException(new InputProblem(
                    $"{string.Join(" and ", pathOptions)} {(pathOptions.Length == 1 ? "applies" : "apply")} to Monte Carlo paths, but the experiment tunes on history only; set tune.evaluate to paths or both",
                    file, tune.EvaluateAt?.Line, tune.EvaluateAt?.Column, "tune.evaluate"));
            var machine = parse.GetValue(common.Json);

            TuneOutcome? history = null;
            if (tune.OnHistory)
            {
                var market = Market.From(experiment, prices);
                var grid = Tuner.Grid(experiment, tune, out _);
                history = WithProgress(context, machine, grid.Count, "Tuning on history", tick => Tuner.Run(experiment, market, _ => tick()));
            }
            PathTuneOutcome? onPaths = null;
            if (tune.OnPaths)
            {
                var settings = experiment.MonteCarlo ?? new MonteCarloSettings();
                if (parse.GetValue(seed) is { } s) settings = settings with { Seed = (ulong)s };
                long n = parse.GetValue(paths) ?? settings.Paths;
                onPaths = WithPathProgress(context, machine, n, "Tuning on paths", progress => Tuner.RunOnPaths(experiment, prices, settings, n, progress: progress));
            }

            if (common.ReportPath(parse, context) is { } report)
                common.WriteReport(parse, report, path => HtmlReport.Write(BacktestReports.Tune(experiment.Name, history, onPaths), path));
            if (machine) context.Out.Write(BacktestOutput.TuneJson(history, onPaths, experiment.Execution.MoneyDecimals));
            else BacktestOutput.RenderTune(context, history, onPaths);
            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Runs a simulation of <paramref name="paths"/> paths under a progress bar when the terminal is interactive and the output is not a machine format; <paramref name="work"/> reports paths done.</summary>
    private static T WithPathProgress<T>(CliContext context, bool machine, long paths, string label, Func<Action<long>, T> work)
    {
        if (!context.Interactive || machine) return work(_ => { });
        T result = default!;
        context.Console.Progress().Start(ctx =>
        {
            var task = ctx.AddTask(label, maxValue: paths);
            result = work(d => task.Value = d);
            task.Value = paths;
        });
        return result;
    }

    /// <summary>As <see cref="WithPathProgress"/> for <paramref name="steps"/> steps that each report their end (from any thread); no bar for one step.</summary>
    private static T WithProgress<T>(CliContext context, bool machine, int steps, string label, Func<Action, T> work)
    {
        if (steps < 2) return work(() => { });
        long done = 0;
        return WithPathProgress(context, machine, steps, label, report => work(() => report(Interlocked.Increment(ref done))));
    }
}
