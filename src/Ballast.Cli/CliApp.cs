using System.CommandLine;
using System.CommandLine.Invocation;
using System.Reflection;
using System.Runtime.CompilerServices;
using Ballast.Cli.Portfolio;
using Ballast.Cli.Store;
using Ballast.Cli.Tax;
using Ballast.Input;
using Ballast.Store;

namespace Ballast.Cli;

/// <summary>Builds the <c>ballast</c> command tree and runs it, mapping failures to the documented exit codes.</summary>
public static class CliApp
{
    /// <summary><c>--debug</c>: print the full trace of an internal error instead of one line.</summary>
    public static Option<bool> Debug { get; } = new("--debug") { Description = "On an internal error, print the full exception trace", Recursive = true };

    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("Ballast: drift checks, rebalancing policies and trade plans for ETF portfolios.");
        root.Options.Add(Debug);
        PortfolioCommands.AddTo(root, context);
        StoreCommands.AddTo(root, context);
        TaxCommands.AddTo(root, context);
        Backtest.BacktestCommands.AddTo(root, context);
        Operations.WindowCommands.AddTo(root, context);
        Operations.BlockCommands.AddTo(root, context);
        Operations.RestrictionCommands.AddTo(root, context);
        Operations.EventCommands.AddTo(root, context);
        Operations.FirmCommands.AddTo(root, context);
        Service.ServiceCommands.AddTo(root, context);
        StoreCommands.AddStoreOptions(root);
        CompletionCommand.AddTo(root, context);
        foreach (var version in root.Options.OfType<VersionOption>()) version.Action = new VersionAction(context);
        return root;
    }

    /// <summary>
    /// What <c>ballast --version</c> prints: the version, the SQLite library the store embeds and how the binary was
    /// built, such as <c>ballast 0.1.0+4f2c1e0 (SQLite 3.49.1, Native AOT)</c>.
    /// </summary>
    public static string VersionText =>
        $"ballast {typeof(CliApp).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown"} " +
        $"(SQLite {BallastStore.SqliteVersion}, {(RuntimeFeature.IsDynamicCodeSupported ? $".NET {Environment.Version} JIT" : "Native AOT")})";

    private sealed class VersionAction(CliContext context) : SynchronousCommandLineAction
    {
        public override int Invoke(ParseResult parseResult)
        {
            context.Out.WriteLine(VersionText);
            return ExitCodes.Ok;
        }
    }

    /// <summary>
    /// Runs the command line. Exit 2 for a usage or input error, 3 for a busy store, 70 for anything unexpected:
    /// one line on standard error (the full trace with <c>--debug</c>), never a stack trace otherwise.
    /// </summary>
    public static int Run(string[] args, CliContext context) => Run(args, context, null);

    /// <summary>As <see cref="Run(string[], CliContext)"/>; <paramref name="extend"/> adds to the command tree (tests add commands that fail).</summary>
    internal static int Run(string[] args, CliContext context, Action<RootCommand>? extend)
    {
        ParseResult? parse = null;
        try
        {
            var root = Build(context);
            extend?.Invoke(root);
            parse = root.Parse(args);
            if (parse.Errors.Count > 0)
            {
                foreach (var error in parse.Errors) context.Error.WriteLine($"ballast: {Flags.OneLine(error.Message)}");
                context.Error.WriteLine($"Run '{CommandPath(parse)} --help' for usage.");
                return ExitCodes.BadInput;
            }
            return parse.Invoke(new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e)
        {
            return Fail(e, context, DebugRequested(parse, args));
        }
    }

    /// <summary>The most problems of one input written out; a file wrong in every row (the wrong file, a model not made yet) says how many more.</summary>
    internal const int ShownProblems = 100;

    private static void WriteProblems(IReadOnlyList<InputProblem> problems, CliContext context)
    {
        foreach (var problem in problems.Take(ShownProblems)) context.Error.WriteLine($"ballast: error: {Flags.OneLine(problem.ToString())}");
        if (problems.Count > ShownProblems)
            context.Error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                $"ballast: error: ... and {problems.Count - ShownProblems:N0} more problems ({problems.Count:N0} in all)"));
    }

    private static int Fail(Exception e, CliContext context, bool debug)
    {
        switch (Unwrap(e))
        {
            case InputException input:
                WriteProblems(input.Problems, context);
                return ExitCodes.BadInput;
            case AggregateException all when all.InnerExceptions.All(x => x is InputException):
                WriteProblems([.. all.InnerExceptions.SelectMany(x => ((InputException)x).Problems).Distinct()], context);
                return ExitCodes.BadInput;
            case StoreBusyException busy:
                context.Error.WriteLine($"ballast: error: {Flags.OneLine(busy.Message)}");
                return ExitCodes.Retryable;
            case StoreVersionException version:
                context.Error.WriteLine($"ballast: error: {Flags.OneLine(version.Message)}");
                return ExitCodes.BadInput;
            case var other:
                if (debug)
                {
                    context.Error.WriteLine($"ballast: internal error: {e}");
                }
                else
                {
                    var message = Flags.OneLine(other.Message);
                    context.Error.WriteLine($"ballast: internal error: {(message.Length == 0 ? other.GetType().Name : message)}; rerun with --debug for details");
                }
                return ExitCodes.InternalError;
        }
    }

    /// <summary>The one exception inside parallel runs' wrappers, or the aggregate when there are several.</summary>
    private static Exception Unwrap(Exception e)
    {
        while (e is AggregateException { InnerExceptions.Count: 1 } a) e = a.InnerExceptions[0];
        return e is AggregateException many ? many.Flatten() : e;
    }

    private static bool DebugRequested(ParseResult? parse, string[] args)
    {
        try
        {
            if (parse is not null && parse.GetResult(Debug) is not null) return parse.GetValue(Debug);
        }
        catch (InvalidOperationException)
        {
        }
        return args.Contains("--debug", StringComparer.Ordinal);
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var r = parse.CommandResult; r is not null; r = r.Parent as System.CommandLine.Parsing.CommandResult)
            names.Add(r.Command is RootCommand ? "ballast" : r.Command.Name);
        names.Reverse();
        return string.Join(' ', names);
    }
}
