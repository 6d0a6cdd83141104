using System.CommandLine;
using Ballast.Cli.Portfolio;
using Ballast.Cli.Store;
using Ballast.Cli.Tax;
using Ballast.Input;

namespace Ballast.Cli;

/// <summary>Builds the <c>ballast</c> command tree and runs it, mapping failures to the documented exit codes.</summary>
public static class CliApp
{
    public static RootCommand Build(CliContext context)
    {
        var root = new RootCommand("Ballast: drift checks, rebalancing policies and trade plans for ETF portfolios.");
        PortfolioCommands.AddTo(root, context);
        StoreCommands.AddTo(root, context);
        TaxCommands.AddTo(root, context);
        Backtest.BacktestCommands.AddTo(root, context);
        return root;
    }

    public static int Run(string[] args, CliContext context)
    {
        var root = Build(context);
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var error in parse.Errors) context.Error.WriteLine($"ballast: {error.Message}");
            context.Error.WriteLine("Run 'ballast --help' for usage.");
            return ExitCodes.BadInput;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = context.Out, Error = context.Error, EnableDefaultExceptionHandler = false });
        }
        catch (InputException e)
        {
            foreach (var problem in e.Problems) context.Error.WriteLine($"ballast: error: {problem}");
            return ExitCodes.BadInput;
        }
    }
}
