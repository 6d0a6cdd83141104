using System.CommandLine;
using Ballast.Input;
using Ballast.Store;

namespace Ballast.Cli.Store;

/// <summary><c>ballast orders export PROPOSAL --csv</c> and <c>ballast fills import FILE</c>.</summary>
public static class TradeCommands
{
    public static void AddTo(RootCommand root, CliContext ctx)
    {
        var proposal = Flags.Long("PROPOSAL", "Proposal id printed by 'ballast plan --save'", 1, long.MaxValue);
        var csv = new Option<bool>("--csv") { Description = "CSV output: proposal,line,account,ticker,side,quantity,price" };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var export = new Command("export", "Export a proposal's orders");
        export.Arguments.Add(proposal);
        export.Options.Add(csv);
        export.Options.Add(output);
        export.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            if (!parse.GetValue(csv)) throw new InputException(new InputProblem("only --csv is supported", Field: "--csv"));
            var path = parse.GetValue(output);
            var full = path is null ? null : ctx.ResolvePath(path);
            if (full is not null && Flags.CheckWritable(full, path!, "--output") is { } problem) throw new InputException(problem);
            var store = StoreCommands.Open(parse, ctx);
            if (full is null)
            {
                store.WriteOrdersCsv(parse.GetValue(proposal), ctx.Out);
                return ExitCodes.Ok;
            }
            // Written once the orders are read, so that an unknown proposal leaves an existing file as it was.
            var text = new StringWriter();
            store.WriteOrdersCsv(parse.GetValue(proposal), text);
            Flags.WriteOutput(full, path!, "--output", f => File.WriteAllText(f, text.ToString()));
            return ExitCodes.Ok;
        }));
        var orders = new Command("orders", "Orders of saved proposals");
        orders.Subcommands.Add(export);
        root.Subcommands.Add(orders);

        var file = new Argument<string>("FILE") { Description = "execution_id,account,date,ticker,side,quantity,price[,fee,proposal]" };
        var overfill = new Option<bool>("--allow-overfill") { Description = "Record fills that take a proposal's order beyond its quantity (refused otherwise)" };
        var import = new Command("import",
            "Record executed trades (partial fills too); an execution id already recorded is refused as a duplicate. A fill naming a proposal must match "
            + "one of its orders (account, ticker, side) and stay within its quantity; a buy may not take cash below zero unless the account allows margin");
        import.Arguments.Add(file);
        import.Options.Add(overfill);
        import.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var path = parse.GetValue(file)!;
            var store = StoreCommands.Open(parse, ctx);
            ctx.Out.WriteLine(store.ImportFills(ctx.ResolvePath(path), path, parse.GetValue(overfill)).Summary);
            Operations.EventCommands.Deliver(store, ctx);
            return ExitCodes.Ok;
        }));
        var fills = new Command("fills", "Executed trades");
        fills.Subcommands.Add(import);
        root.Subcommands.Add(fills);
    }
}
