using System.CommandLine;
using Ballast.Store;
using Ballast.Store.Import;

namespace Ballast.Cli.Store;

/// <summary><c>ballast import positions|transactions|accounts</c>, <c>ballast prices import</c> and <c>ballast fx import</c>.</summary>
public static class ImportCommands
{
    public static void AddTo(RootCommand root, CliContext ctx)
    {
        var import = new Command("import", "Import broker CSV exports into the ledger (re-importing a file changes nothing)");
        import.Subcommands.Add(Positions(ctx));
        import.Subcommands.Add(Transactions(ctx));
        import.Subcommands.Add(Accounts(ctx));
        root.Subcommands.Add(import);

        var prices = new Command("prices", "Closing prices");
        var files = new Argument<string[]>("FILE") { Description = "date,ticker,close (long), date,T1,T2,... (wide) or date,close in TICKER.csv", Arity = ArgumentArity.OneOrMore };
        var currency = new Option<string?>("--currency") { Description = "Currency of every ticker in the files (USD, KRW...); a long file may give a currency column instead" };
        var priceImport = new Command("import", "Import closing prices; a later import of the same date replaces the price");
        priceImport.Arguments.Add(files);
        priceImport.Options.Add(currency);
        priceImport.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var store = StoreCommands.Open(parse, ctx);
            foreach (var f in parse.GetValue(files)!)
                ctx.Out.WriteLine($"{f}: {store.ImportPrices(ctx.ResolvePath(f), f, parse.GetValue(currency)).Summary}");
            return ExitCodes.Ok;
        }));
        prices.Subcommands.Add(priceImport);
        root.Subcommands.Add(prices);

        var fx = new Command("fx", "FX rates: date,pair,rate rows where USDKRW 1380.5 means 1 USD = 1,380.5 KRW");
        var fxFiles = new Argument<string[]>("FILE") { Description = "date,pair,rate rows", Arity = ArgumentArity.OneOrMore };
        var fxImport = new Command("import", "Import FX rates, each file whole or not at all; a later import of the same pair and date replaces the rate");
        fxImport.Arguments.Add(fxFiles);
        fxImport.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var store = StoreCommands.Open(parse, ctx);
            foreach (var f in parse.GetValue(fxFiles)!)
                ctx.Out.WriteLine($"{f}: {store.ImportFx(ctx.ResolvePath(f), f).Summary}");
            return ExitCodes.Ok;
        }));
        fx.Subcommands.Add(fxImport);
        root.Subcommands.Add(fx);
    }

    private static Option<string?> Layout() => new("--layout") { Description = "Built-in column layout: ballast (default), schwab or fidelity" };

    private static Option<bool> SkipUnknown() => new("--skip-unknown")
    {
        Description = "Skip rows Ballast does not model (options, mergers, spin-offs, unknown actions or tickers) instead of refusing the file; they are listed",
    };

    /// <summary>Prints the summary, then each skipped row and warning on its own line.</summary>
    private static void Report(CliContext ctx, ImportResult result)
    {
        ctx.Out.WriteLine(result.Summary);
        foreach (var note in result.Notes ?? []) ctx.Out.WriteLine("  " + note);
    }

    private static Option<string?> Map() => new("--map") { Description = "Column mapping overrides, e.g. \"ticker=Symbol,quantity=Shares\"" };

    private static Command Positions(CliContext ctx)
    {
        var file = new Argument<string>("FILE");
        var account = StoreCommands.AccountOption(required: false);
        var layout = Layout();
        var map = Map();
        var asOf = new Option<string?>("--as-of") { Description = "Date of the positions (yyyy-MM-dd, default today)" };
        var skip = SkipUnknown();
        var cmd = new Command("positions", "Bring holdings and cash to a broker's positions export");
        cmd.Options.Add(skip);
        cmd.Arguments.Add(file);
        cmd.Options.Add(account);
        cmd.Options.Add(layout);
        cmd.Options.Add(map);
        cmd.Options.Add(asOf);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var mapping = Layouts.Positions(parse.GetValue(layout)).With(parse.GetValue(map));
            var path = parse.GetValue(file)!;
            var date = parse.GetValue(asOf) is null ? (DateOnly?)null : StoreCommands.ParseDate(parse.GetValue(asOf), "--as-of", ctx);
            var result = StoreCommands.WithProgress(ctx, "import positions", () =>
                StoreCommands.Open(parse, ctx).ImportPositions(ctx.ResolvePath(path), parse.GetValue(account), mapping, date, path, parse.GetValue(skip)));
            Report(ctx, result);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Transactions(CliContext ctx)
    {
        var file = new Argument<string>("FILE");
        var account = StoreCommands.AccountOption(required: false);
        var layout = Layout();
        var map = Map();
        var skip = SkipUnknown();
        var cmd = new Command("transactions", "Append a broker's transactions export to the ledger");
        cmd.Options.Add(skip);
        cmd.Arguments.Add(file);
        cmd.Options.Add(account);
        cmd.Options.Add(layout);
        cmd.Options.Add(map);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var mapping = Layouts.Transactions(parse.GetValue(layout)).With(parse.GetValue(map));
            var path = parse.GetValue(file)!;
            var result = StoreCommands.WithProgress(ctx, "import transactions", () =>
                StoreCommands.Open(parse, ctx).ImportTransactions(ctx.ResolvePath(path), parse.GetValue(account), mapping, path, parse.GetValue(skip)));
            Report(ctx, result);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Accounts(CliContext ctx)
    {
        var file = new Argument<string>("FILE") { Description = "account,type,currency[,household,model,policy]" };
        var cmd = new Command("accounts", "Create accounts from a CSV");
        cmd.Arguments.Add(file);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var path = parse.GetValue(file)!;
            var result = StoreCommands.WithProgress(ctx, "import accounts", () => StoreCommands.Open(parse, ctx).ImportAccounts(ctx.ResolvePath(path), path));
            ctx.Out.WriteLine(result.Summary);
            return ExitCodes.Ok;
        }));
        return cmd;
    }
}
