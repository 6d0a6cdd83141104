using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Ballast.Cli.Portfolio;
using Ballast.Cli.Store;
using Ballast.Input;
using Ballast.Operations.Blocks;
using Ballast.Store;
using Spectre.Console;

namespace Ballast.Cli.Operations;

/// <summary>
/// <c>ballast blocks create|list|export|allocations|cancel</c> and <c>ballast blocks fills import FILE</c>: block orders gathered
/// from approved or sent proposals, their fills allocated to the accounts (<see cref="BlockDesk"/>).
/// </summary>
public static class BlockCommands
{
    public static void AddTo(RootCommand root, CliContext ctx)
    {
        var blocks = new Command("blocks", "Block orders: one order per security and side gathered from proposals, fills allocated back to the accounts");
        blocks.Subcommands.Add(Create(ctx));
        blocks.Subcommands.Add(List(ctx));
        blocks.Subcommands.Add(Export(ctx));
        blocks.Subcommands.Add(Allocations(ctx));
        blocks.Subcommands.Add(Cancel(ctx));
        var fills = new Command("fills", "Executions of blocks");
        fills.Subcommands.Add(ImportFills(ctx));
        blocks.Subcommands.Add(fills);
        blocks.Options.Add(StoreCommands.Db);
        blocks.Options.Add(StoreCommands.Actor);
        root.Subcommands.Add(blocks);
    }

    private static Argument<long> BlockId() => Flags.Long("BLOCK", "Block id printed by 'ballast blocks create' or 'ballast blocks list'", 1, long.MaxValue);

    private static Command Create(CliContext ctx)
    {
        var proposals = new Option<string?>("--proposals") { Description = "Proposal ids, comma-separated (each approved or sent, in no block yet)" };
        var status = new Option<string?>("--status") { Description = "Gather every proposal in this status that is in no block: approved or sent (default: both)" };
        var window = new Option<string?>("--window") { Description = "The trading window the blocks are for, recorded with them" };
        var cmd = new Command("create", "Gather the orders of approved or sent proposals into blocks: one per security and side, sells first; accounts never cross");
        cmd.Options.Add(proposals);
        cmd.Options.Add(status);
        cmd.Options.Add(window);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var ids = Ids(parse.GetValue(proposals));
            ProposalStatus? wanted = null;
            if (parse.GetValue(status) is { } text)
            {
                if (ids is not null) throw new InputException(new InputProblem("give --proposals or --status, not both", Field: "--status"));
                wanted = ProposalStatuses.Parse(text) is { } s && BlockDesk.Gatherable.Contains(s)
                    ? s : throw new InputException(new InputProblem($"--status '{text}': approved or sent", Field: "--status"));
            }
            var store = StoreCommands.Open(parse, ctx);
            var made = new BlockDesk(store).Create(ids, wanted, parse.GetValue(window));
            foreach (var b in made)
                ctx.Out.WriteLine($"block {b.Id}: {b.Side.ToText()} {Q(b.Quantity)} {b.Ticker} for {b.Lines.Select(l => l.Account).Distinct().Count()} accounts "
                    + $"({ProposalList([.. b.Lines.Select(l => l.ProposalId).Distinct()])})");
            ctx.Out.WriteLine(made.Count == 0 ? "no proposal to gather" : $"{made.Count} blocks created");
            EventCommands.Deliver(store, ctx);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static IReadOnlyList<long>? Ids(string? text)
    {
        if (text is null) return null;
        var ids = new List<long>();
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries))
            ids.Add(long.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0
                ? id : throw new InputException(new InputProblem($"--proposals: '{part}' is not a proposal id", Field: "--proposals")));
        return ids;
    }

    private static Command List(CliContext ctx)
    {
        var open = new Option<bool>("--open") { Description = "Only blocks open or partly filled" };
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var cmd = new Command("list", "List blocks: security, side, quantity, filled, status, window, accounts");
        cmd.Options.Add(open);
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var list = new BlockDesk(StoreCommands.Open(parse, ctx)).List(parse.GetValue(open));
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w =>
                {
                    w.WriteStartArray();
                    foreach (var b in list) BlockJson.Write(w, b, detail: false);
                    w.WriteEndArray();
                });
                return ExitCodes.Ok;
            }
            var table = new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii)
                .AddColumns("Block", "Created", "Ticker", "Side", "Quantity", "Filled", "Status", "Window", "Accounts");
            foreach (var i in new[] { 4, 5, 8 }) table.Columns[i].RightAligned();
            foreach (var b in list)
                table.AddRow(N(b.Id), b.CreatedAt.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture), b.Ticker, b.Side.ToText(), Q(b.Quantity), Q(b.Filled),
                    b.Status.ToText(), Markup.Escape(b.Window ?? ""), N(b.Lines.Select(l => l.Account).Distinct().Count()));
            ctx.Console.Write(table);
            ctx.Out.WriteLine($"{list.Count} blocks");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Export(CliContext ctx)
    {
        var id = new Argument<long?>("BLOCK") { Description = "Block id (or --open for every open block)", Arity = ArgumentArity.ZeroOrOne };
        var open = new Option<bool>("--open") { Description = "Every block open or partly filled" };
        var csv = new Option<bool>("--csv") { Description = "CSV: block,window,ticker,side,block_quantity,account,proposal,line,quantity,allocated" };
        var json = new Option<bool>("--json") { Description = "JSON: each block with its account allocation list" };
        var output = new Option<string?>("--output", "-o") { Description = "Write to this file instead of standard output" };
        var cmd = new Command("export", "Export blocks with their account allocation lists, for the broker");
        cmd.Arguments.Add(id);
        foreach (var o in new Option[] { open, csv, json, output }) cmd.Options.Add(o);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var one = parse.GetValue(id);
            if ((one is null) == !parse.GetValue(open)) throw new InputException(new InputProblem("give a BLOCK id or --open", Field: "BLOCK"));
            if (parse.GetValue(csv) == parse.GetValue(json)) throw new InputException(new InputProblem("give --csv or --json", Field: "--csv"));
            var path = parse.GetValue(output);
            var full = path is null ? null : ctx.ResolvePath(path);
            if (full is not null && Flags.CheckWritable(full, path!, "--output") is { } problem) throw new InputException(problem);
            var store = StoreCommands.Open(parse, ctx);
            var desk = new BlockDesk(store);
            var list = one is { } n ? [store.GetBlock(n)] : desk.List(openOnly: true);
            string text;
            if (parse.GetValue(csv))
            {
                var sb = new StringBuilder("block,window,ticker,side,block_quantity,account,proposal,line,quantity,allocated\n");
                foreach (var b in list)
                {
                    var allocated = b.Allocations.GroupBy(a => a.Account).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity), StringComparer.Ordinal);
                    foreach (var l in b.Lines)
                    {
                        // An account's allocated shares are shown on its first line in the block.
                        var shown = allocated.Remove(l.Account, out var q) ? q : 0m;
                        sb.Append(string.Join(',', N(b.Id), Csv(b.Window ?? ""), b.Ticker, b.Side.ToText(), Q(b.Quantity), Csv(l.Account), N(l.ProposalId), N(l.Line), Q(l.Quantity), Q(shown))).Append('\n');
                    }
                }
                text = sb.ToString();
            }
            else
            {
                using var stream = new MemoryStream();
                using (var w = PlanJson.NewWriter(stream))
                {
                    w.WriteStartArray();
                    foreach (var b in list) BlockJson.Write(w, b, detail: true);
                    w.WriteEndArray();
                }
                text = Encoding.UTF8.GetString(stream.ToArray()) + "\n";
            }
            if (full is null) ctx.Out.Write(text);
            else Flags.WriteOutput(full, path!, "--output", f => File.WriteAllText(f, text));
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command ImportFills(CliContext ctx)
    {
        var file = new Argument<string>("FILE") { Description = "execution_id,block,date,quantity,price[,fee]" };
        var unfilled = new Option<string?>("--unfilled")
        {
            Description = "What the blocks' unfilled rest does: carry (the block stays open, proposals partly filled, accounts due) or cancel (recorded; proposals whose blocks are all closed are cancelled); default: the firm's setting (ballast firm show), carry unless set",
        };
        var cmd = new Command("import",
            "Record block executions and allocate them to the block's accounts pro rata, at the average price, through the ledger; a file with a bad row is refused whole, "
            + "an execution id already recorded the same is a no-op, with other contents a conflict");
        cmd.Arguments.Add(file);
        cmd.Options.Add(unfilled);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var path = parse.GetValue(file)!;
            UnfilledRest? rest = parse.GetValue(unfilled) is { } text ? Ballast.Operations.FirmSettings.ParseUnfilled(text) : null;
            var store = StoreCommands.Open(parse, ctx);
            ctx.Out.WriteLine(new BlockDesk(store).ImportFills(ctx.ResolvePath(path), rest, path).Summary);
            EventCommands.Deliver(store, ctx);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Allocations(CliContext ctx)
    {
        var id = BlockId();
        var json = new Option<bool>("--json") { Description = "Print JSON instead of a table" };
        var cmd = new Command("allocations", "A block's allocation report: per account ordered, allocated, unfilled, cancelled, average price, amount, fee");
        cmd.Arguments.Add(id);
        cmd.Options.Add(json);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var r = new BlockDesk(StoreCommands.Open(parse, ctx)).Report(parse.GetValue(id));
            if (parse.GetValue(json))
            {
                WriteJson(ctx, w => BlockJson.Write(w, r.Block, detail: true));
                return ExitCodes.Ok;
            }
            var b = r.Block;
            ctx.Out.WriteLine($"block {b.Id}: {b.Side.ToText()} {Q(b.Quantity)} {b.Ticker}, {b.Status.ToText()}{(b.Window is null ? "" : ", window " + b.Window)}");
            var table = new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii)
                .AddColumns("Account", "Proposal", "Ordered", "Allocated", "Unfilled", "Cancelled", "Avg price", "Amount", "Fee");
            for (var i = 1; i < 9; i++) table.Columns[i].RightAligned();
            foreach (var a in r.Accounts)
                table.AddRow(Markup.Escape(a.Account), N(a.ProposalId), Q(a.Ordered), Q(a.Allocated), Q(a.Unfilled), Q(a.Cancelled), a.AveragePrice is { } p ? Q(p) : "", M(a.Amount), M(a.Fee));
            table.AddRow("[bold]block[/]", "", Q(r.Ordered), Q(r.Allocated), Q(r.Unfilled), Q(r.Cancelled), r.AveragePrice is { } ap ? Q(ap) : "", M(r.Amount), M(r.Fee));
            ctx.Console.Write(table);
            ctx.Out.WriteLine($"filled {Q(r.Filled)} of {Q(r.Ordered)} in {b.Fills.Count} executions");
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static Command Cancel(CliContext ctx)
    {
        var id = BlockId();
        var note = new Option<string?>("--note") { Description = "Why, recorded with the cancellation" };
        var cmd = new Command("cancel", "Cancel a block's unfilled rest (and every proposal whose blocks are then all closed but not all filled)");
        cmd.Arguments.Add(id);
        cmd.Options.Add(note);
        cmd.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var n = parse.GetValue(id);
            var store = StoreCommands.Open(parse, ctx);
            new BlockDesk(store).Cancel(n, parse.GetValue(note));
            ctx.Out.WriteLine($"block {n}: unfilled rest cancelled");
            EventCommands.Deliver(store, ctx);
            return ExitCodes.Ok;
        }));
        return cmd;
    }

    private static void WriteJson(CliContext ctx, Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = PlanJson.NewWriter(stream)) write(w);
        ctx.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }

    private static string Q(decimal d) => Scaled.Format(d);
    private static string M(decimal d) => d.ToString("#,0.00##", CultureInfo.InvariantCulture);
    private static string N(long n) => n.ToString(CultureInfo.InvariantCulture);
    private static string Csv(string s) => s.IndexOfAny([',', '"', '\n', '\r']) < 0 ? s : "\"" + s.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    /// <summary>A block's proposals in words: every id of a few, else how many and the first and last.</summary>
    private static string ProposalList(IReadOnlyList<long> ids) => ids.Count <= 20
        ? "proposals " + string.Join(", ", ids)
        : $"{ids.Count.ToString("N0", CultureInfo.InvariantCulture)} proposals, {ids.Min()} to {ids.Max()}";
}
