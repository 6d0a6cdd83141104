using Ballast.Input;
using Ballast.Planning;
using Ballast.Policies;
using Ballast.Store;

namespace Ballast.Operations.Blocks;

/// <summary>One account of a block in the allocation report.</summary>
/// <param name="Ordered">Shares the account ordered in the block.</param>
/// <param name="Allocated">Shares it received from the block's fills.</param>
/// <param name="Unfilled">Ordered minus allocated.</param>
/// <param name="Cancelled">Of the unfilled, shares cancelled with the block's rest (0 while the rest carries).</param>
/// <param name="AveragePrice">Its allocations' quantity-weighted price, or null before any.</param>
/// <param name="Amount">Cash for the shares (before fees).</param>
public sealed record AccountAllocationLine(string Account, long ProposalId, decimal Ordered, decimal Allocated, decimal Unfilled, decimal Cancelled,
    decimal? AveragePrice, decimal Amount, decimal Fee);

/// <summary>A block's allocation report: the block's totals and each account's.</summary>
/// <param name="Filled">Shares the block's fills add up to.</param>
/// <param name="Allocated">Shares allocated to accounts (equal to <paramref name="Filled"/>).</param>
/// <param name="AveragePrice">The fills' notional ÷ filled shares, to 6 decimals, or null before any fill.</param>
public sealed record BlockReport(BlockInfo Block, decimal Ordered, decimal Filled, decimal Allocated, decimal Unfilled, decimal Cancelled,
    decimal? AveragePrice, decimal Amount, decimal Fee, IReadOnlyList<AccountAllocationLine> Accounts);

/// <summary>
/// The block desk: gathers approved or sent proposals into block orders (<see cref="BlockOrders.Gather"/>), records a block's
/// fills and allocates them to its accounts (<see cref="FillAllocator.Allocate"/>) through the store's fill path, and reports.
/// </summary>
public sealed class BlockDesk(BallastStore store)
{
    /// <summary>The statuses whose proposals are gathered when no ids are given.</summary>
    public static IReadOnlyList<ProposalStatus> Gatherable { get; } = [ProposalStatus.Approved, ProposalStatus.Sent];

    /// <summary>
    /// Gathers proposals into blocks: those listed (each approved or sent), else every proposal with <paramref name="status"/>
    /// (approved or sent when null) that is in no block yet. Returns the new blocks.
    /// </summary>
    /// <param name="netting">Cross each security's buys and sells between the client accounts first: the smaller side's shares
    /// execute at the latest close and are allocated to both blocks as a fill; only the rest goes to the market. Null: the firm's
    /// <c>netting</c> setting (off unless set).</param>
    public IReadOnlyList<BlockInfo> Create(IReadOnlyList<long>? proposals = null, ProposalStatus? status = null, string? window = null, bool? netting = null)
    {
        netting ??= FirmSettings.Load(store).Netting;
        if (status is { } s && !Gatherable.Contains(s))
            throw new InputException(new InputProblem($"only approved or sent proposals go into blocks, not {s.ToText()} ones", Field: "--status"));
        var ids = store.CreateBlocks(proposals, status is null ? Gatherable : [status.Value], window, Gather, netting.Value ? new BlockCross(Allocate) : null);
        store.RefreshWindowRuns();
        return [.. ids.Select(store.GetBlock)];
    }

    /// <summary>
    /// Gathers the proposals of a window run (by window id or run number) that are approved or sent and in no block yet into blocks
    /// recorded with the window id. Proposals awaiting approval stay out; run it again once they are approved. The run's status
    /// follows its proposals (sent once none waits outside a block).
    /// </summary>
    /// <exception cref="InputException">No run of that window.</exception>
    public (WindowRunInfo Run, IReadOnlyList<BlockInfo> Blocks) CreateForWindow(string window)
    {
        var run = store.FindWindowRun(window) ?? throw new InputException(new InputProblem($"no run of window '{window}'", Field: "WINDOW"));
        var ids = store.WindowRunProposalsToGather(run.Id);
        var made = ids.Count == 0 ? [] : Create(ids, window: run.WindowId);
        if (ids.Count == 0) store.RefreshWindowRuns();
        return (store.FindWindowRun(run.WindowId)!, made);
    }

    /// <summary>Every block (oldest first), or the open ones (open or partly filled).</summary>
    public IReadOnlyList<BlockInfo> List(bool openOnly = false) =>
        [.. store.Blocks().Where(b => !openOnly || b.Status is BlockStatus.Open or BlockStatus.PartlyFilled)];

    /// <summary>Records and allocates the block fills of a CSV (<c>execution_id,block,date,quantity,price[,fee]</c>).</summary>
    /// <param name="rest">What the unfilled rest does; null: the firm's <c>unfilled</c> setting (<see cref="FirmSettings.Unfilled"/>, carry by default).</param>
    public BlockFillsResult ImportFills(string path, UnfilledRest? rest = null, string? displayName = null)
    {
        var result = store.ImportBlockFills(path, Allocate, rest ?? FirmSettings.Load(store).Unfilled, displayName);
        store.RefreshWindowRuns();
        return result;
    }

    /// <summary>Cancels a block's unfilled rest.</summary>
    public BlockStatus Cancel(long id, string? note = null)
    {
        var status = store.CancelBlock(id, note);
        store.RefreshWindowRuns();
        return status;
    }

    /// <summary>The allocation report of one block.</summary>
    public BlockReport Report(long id) => Report(store.GetBlock(id));

    /// <summary>The allocation report of a block read already.</summary>
    public static BlockReport Report(BlockInfo b)
    {
        ArgumentNullException.ThrowIfNull(b);
        var accounts = b.Lines.GroupBy(l => l.Account).Select(g =>
        {
            var ordered = g.Sum(l => l.Quantity);
            var mine = b.Allocations.Where(a => a.Account == g.Key).ToList();
            var allocated = mine.Sum(a => a.Quantity);
            decimal? price = allocated == 0 ? null : Math.Round(mine.Sum(a => a.Quantity * a.Price) / allocated, 6, MidpointRounding.AwayFromZero);
            var unfilled = ordered - allocated;
            return new AccountAllocationLine(g.Key, g.First().ProposalId, ordered, allocated, unfilled, b.Status == BlockStatus.Cancelled ? unfilled : 0m,
                price, mine.Sum(a => a.Amount), mine.Sum(a => a.Fee));
        }).ToList();
        var filled = b.Filled;
        decimal? average = filled == 0 ? null : Math.Round(b.Fills.Sum(f => f.Quantity * f.Price) / filled, 6, MidpointRounding.AwayFromZero);
        return new BlockReport(b, b.Quantity, filled, b.Allocations.Sum(a => a.Quantity), b.Quantity - filled, b.Cancelled, average,
            b.Allocations.Sum(a => a.Amount), b.Fills.Sum(f => f.Fee), accounts);
    }

    /// <summary>Proposal order lines into blocks: one account order per account, ticker and side (lines of one proposal merged).</summary>
    internal static IReadOnlyList<NewBlock> Gather(IReadOnlyList<BlockOrderLine> lines)
    {
        // One pass, one list per account order (a window of a million accounts has about a million lines).
        var byKey = new Dictionary<(string Account, string Ticker, OrderSide Side), List<BlockOrderLine>>();
        foreach (var l in lines)
        {
            if (!byKey.TryGetValue((l.Account, l.Ticker, l.Side), out var list)) byKey[(l.Account, l.Ticker, l.Side)] = list = new List<BlockOrderLine>(1);
            list.Add(l);
        }
        var orders = byKey.Select(g => new AccountOrder(g.Key.Account, g.Key.Ticker, ToTrade(g.Key.Side), g.Value.Sum(l => l.Quantity)));
        return [.. BlockOrders.Gather(orders).Select(b =>
        {
            var side = b.Side == TradeSide.Buy ? OrderSide.Buy : OrderSide.Sell;
            return new NewBlock(b.Ticker, side, [.. b.Orders.SelectMany(o => byKey[(o.Account, o.Ticker, side)]).Select(l => new BlockLine(l.ProposalId, l.Line, l.Account, l.Quantity))]);
        })];
    }

    /// <summary>
    /// Shares one batch of a block's fills over the accounts with shares due, pro rata at the batch's average price. The block trades
    /// whole shares when any of its accounts' execution settings (the model's, then the account's) says <c>wholeShares</c>; amounts
    /// round to the smallest money decimals among them, shares to the smallest quantity decimals (at most the store's 6).
    /// </summary>
    internal static IReadOnlyList<AccountShare> Allocate(BlockBatch batch)
    {
        var due = batch.Accounts.Where(a => a.Remaining > 0).ToList();
        if (due.Count == 0) throw new ArgumentException($"block {batch.Block.Id} has no shares left unallocated");
        var settings = due.Select(a =>
        {
            var model = PortfolioReader.ReadExecutionText("model execution settings", a.ModelExecution);
            var read = model.Ok ? PortfolioReader.ReadExecutionText("account execution settings", a.Execution, model.Value) : model;
            return read.Ok ? read.Value! : throw new InputException(new InputProblem($"{a.Account}: the stored execution settings are not valid: {string.Join("; ", read.Problems.Select(p => p.Message))}"));
        }).ToList();
        var whole = settings.Any(s => s.WholeShares);
        var quantityDecimals = Math.Min(6, settings.Min(s => s.QuantityDecimals));
        var moneyDecimals = Math.Min(4, settings.Min(s => s.MoneyDecimals));
        var side = batch.Block.Side == OrderSide.Buy ? TradeSide.Buy : TradeSide.Sell;
        var block = new BlockOrder(batch.Block.Ticker, side, [.. due.Select(a => new AccountOrder(a.Account, batch.Block.Ticker, side, a.Remaining))]);
        var fills = batch.Fills.Select(f => new BlockFill(f.ExecutionId, f.Quantity, f.Price, f.Fee)).ToList();
        var result = FillAllocator.Allocate(block, fills, whole, quantityDecimals, moneyDecimals);
        return [.. result.Allocations.Select(a => new AccountShare(a.Account, a.Allocated, a.Price, a.Amount, a.Fee))];
    }

    private static TradeSide ToTrade(OrderSide side) => side == OrderSide.Buy ? TradeSide.Buy : TradeSide.Sell;
}
