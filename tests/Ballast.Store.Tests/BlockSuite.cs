using Ballast.Input;
using Ballast.Operations.Blocks;
using Ballast.Store.Ledger;

namespace Ballast.Store.Tests;

/// <summary>Block orders: proposals gathered into blocks, block fills allocated to accounts through the ledger, on both providers.</summary>
public abstract partial class StoreSuite
{
    /// <summary>
    /// Three whole-share accounts with cash: acct-a (2,000) approved to buy 10 VTI and 5 BND (proposal 1), acct-b (2,000) sent to
    /// buy 25 VTI (proposal 2), acct-c (4,000) approved to buy 40 VTI (proposal 3); alice-taxable has a proposal only proposed (4).
    /// </summary>
    private (BallastStore Store, long A, long B, long C, long Proposed) BlockDeskStore()
    {
        var store = Seeded();
        foreach (var (name, cash) in new[] { ("acct-a", 2000m), ("acct-b", 2000m), ("acct-c", 4000m) })
        {
            store.AddAccount(new NewAccount(name, AccountType.Taxable, "USD", null));
            store.SetAccountExecution(name, "wholeShares: true\n");
            store.Deposit(name, cash, new DateOnly(2025, 9, 1));
        }
        long Save(string account, params ProposedOrder[] orders) => store.SaveProposal(new NewProposal($"account {account}", "test", null, "{}", "{}", orders));
        var a = Save("acct-a", new ProposedOrder("acct-a", "VTI", OrderSide.Buy, 10, 100m), new ProposedOrder("acct-a", "BND", OrderSide.Buy, 5, 72.75m));
        var b = Save("acct-b", new ProposedOrder("acct-b", "VTI", OrderSide.Buy, 25, 100m));
        var c = Save("acct-c", new ProposedOrder("acct-c", "VTI", OrderSide.Buy, 40, 100m));
        var proposed = Save("alice-taxable", new ProposedOrder("alice-taxable", "VTI", OrderSide.Buy, 3, 100m));
        store.SetProposalStatus(a, ProposalStatus.Approved);
        store.SetProposalStatus(b, ProposalStatus.Sent);
        store.SetProposalStatus(c, ProposalStatus.Approved);
        return (store, a, b, c, proposed);
    }

    [Fact]
    public void Blocks_PartialFillAtTwoPrices_IsAllocatedProRataInWholeShares_ThroughTheLedger()
    {
        var (store, a, b, c, proposed) = BlockDeskStore();
        var desk = new BlockDesk(store);
        var blocks = desk.Create(window: "2025-10-01 open");

        // One block per security and side, by ticker; the proposed (not approved) proposal stays out.
        Assert.Equal(["BND", "VTI"], blocks.Select(x => x.Ticker));
        var vti = blocks[1];
        Assert.Equal(75m, vti.Quantity);
        Assert.Equal("2025-10-01 open", vti.Window);
        Assert.Equal(BlockStatus.Open, vti.Status);
        Assert.Equal([("acct-a", a, 10m), ("acct-b", b, 25m), ("acct-c", c, 40m)], vti.Lines.Select(l => (l.Account, l.ProposalId, l.Quantity)));
        Assert.DoesNotContain(blocks.SelectMany(x => x.Lines), l => l.ProposalId == proposed);
        // A proposal goes into one block set only; a proposed one not at all.
        var again = Assert.Throws<InputException>(() => desk.Create([b, proposed]));
        Assert.Contains(again.Problems, p => p.Message == $"proposal {b} is already in block {vti.Id}");
        Assert.Contains(again.Problems, p => p.Message.StartsWith($"proposal {proposed} is proposed", StringComparison.Ordinal));
        Assert.Empty(desk.Create()); // nothing left to gather

        // The block fills 30 at 100.00 (fee 0.90) and 20 at 100.50 (fee 0.60): 50 shares for 5,010.00, average 100.20, fees 1.50.
        // Exact shares 50 × 10/75 = 6.667, 50 × 25/75 = 16.667, 50 × 40/75 = 26.667; whole shares rounded down 6 + 16 + 26 = 48;
        // the 2 left go to the largest remainders, all tied at 0.667, so to the larger orders: c, then b -> 6, 17, 27.
        // Cash 6 × 100.20 = 601.20, 17 × 100.20 = 1,703.40, 27 × 100.20 = 2,705.40 (5,010.00 together, no residue);
        // fees by shares 1.50 × 6/50 = 0.18, × 17/50 = 0.51, × 27/50 = 0.81. Unfilled 4, 8 and 13.
        var fills = WriteFile("block-fills.csv", $"""
            execution_id,block,date,quantity,price,fee
            x-1,{vti.Id},2025-10-01,30,100.00,0.90
            x-2,{vti.Id},2025-10-01,20,100.50,0.60
            """);
        var result = desk.ImportFills(fills);
        Assert.Equal((2, 2, 0), (result.Rows, result.Recorded, result.Duplicates));

        var report = desk.Report(vti.Id);
        Assert.Equal(BlockStatus.PartlyFilled, report.Block.Status);
        Assert.Equal((75m, 50m, 50m, 25m, 100.2m, 5010m, 1.5m), (report.Ordered, report.Filled, report.Allocated, report.Unfilled, report.AveragePrice!.Value, report.Amount, report.Fee));
        Assert.Equal(
            [("acct-a", 10m, 6m, 4m, 601.20m, 0.18m), ("acct-b", 25m, 17m, 8m, 1703.40m, 0.51m), ("acct-c", 40m, 27m, 13m, 2705.40m, 0.81m)],
            report.Accounts.Select(x => (x.Account, x.Ordered, x.Allocated, x.Unfilled, x.Amount, x.Fee)));
        Assert.All(report.Accounts, x => Assert.Equal(100.2m, x.AveragePrice));

        // The ledger: one buy per account at the average price, cash down by amount + fee, a lot costing the same.
        var cash = store.ListAccounts().ToDictionary(x => x.Name, x => x.Cash);
        Assert.Equal(2000m - 601.38m, cash["acct-a"]);
        Assert.Equal(2000m - 1703.91m, cash["acct-b"]);
        Assert.Equal(4000m - 2706.21m, cash["acct-c"]);
        foreach (var (account, shares, cost) in new[] { ("acct-a", 6m, 601.38m), ("acct-b", 17m, 1703.91m), ("acct-c", 27m, 2706.21m) })
        {
            var lot = Assert.Single(store.Lots(account));
            Assert.Equal(("VTI", shares, shares, cost), (lot.Ticker, lot.Quantity, lot.Remaining, lot.Cost!.Value));
        }
        // Each proposal is partly filled; the block allocation names the ledger transaction it became.
        Assert.All(new[] { a, b, c }, p => Assert.Equal(ProposalStatus.PartlyFilled, store.GetProposal(p).Status));
        Assert.Equal([6m, 0m], store.GetProposal(a).Filled);
        Assert.Equal(3, report.Block.Allocations.Select(x => x.TransactionId).Distinct().Count());
        Assert.True(store.Verify().Ok);

        // The same file again changes nothing, not even the audit trail.
        var before = Fingerprint(store);
        var twice = desk.ImportFills(fills);
        Assert.Equal((0, 2), (twice.Recorded, twice.Duplicates));
        Assert.Equal(before, Fingerprint(store));

        // A bad row refuses the whole file; so does a fill beyond the block, and an execution id recorded with other contents.
        var bad = WriteFile("bad.csv", $"""
            execution_id,block,date,quantity,price,fee
            x-3,{vti.Id},2025-10-01,5,101,0
            x-4,{vti.Id},2025-10-01,5,abc,0
            """);
        AssertRefused(store, () => desk.ImportFills(bad), bad, 3, "price", "not a positive price");
        var over = WriteFile("over.csv", $"""
            execution_id,block,date,quantity,price
            x-3,{vti.Id},2025-10-01,20,101
            x-4,{vti.Id},2025-10-01,6,101
            """);
        AssertRefused(store, () => desk.ImportFills(over), over, 3, "quantity", $"takes block {vti.Id} (VTI buy 75) to 76 filled, beyond the block");
        var conflict = WriteFile("conflict.csv", $"""
            execution_id,block,date,quantity,price,fee
            x-1,{vti.Id},2025-10-01,30,101.00,0.90
            """);
        AssertRefused(store, () => desk.ImportFills(conflict), conflict, 2, "execution_id", "already recorded with a different price (recorded 100)");
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Blocks_WithNetting_CrossBuysAndSellsAtTheClose_AndSendOnlyTheRest()
    {
        var store = Seeded(); // VTI closes at 310.25 on 2025-09-30, the latest close before today (2025-10-01)
        foreach (var name in new[] { "s1", "s2", "b1", "b2", "b3" })
        {
            store.AddAccount(new NewAccount(name, AccountType.Taxable, "USD", null));
            store.SetAccountExecution(name, "wholeShares: true\n");
        }
        store.ImportPositions(WriteFile("sellers.csv", "account,ticker,quantity,cost_basis\ns1,VTI,30,6000\ns2,VTI,10,2000\n"), asOf: new DateOnly(2025, 9, 29));
        foreach (var name in new[] { "b1", "b2", "b3" }) store.Deposit(name, 10_000m, new DateOnly(2025, 9, 29));
        long Approved(string account, OrderSide side, decimal quantity)
        {
            var id = store.SaveProposal(new NewProposal($"account {account}", "test", null, "{}", "{}", [new ProposedOrder(account, "VTI", side, quantity, 310.25m)]));
            store.SetProposalStatus(id, ProposalStatus.Approved);
            return id;
        }
        var s1 = Approved("s1", OrderSide.Sell, 30);
        var s2 = Approved("s2", OrderSide.Sell, 10);
        var b1 = Approved("b1", OrderSide.Buy, 25);
        var b2 = Approved("b2", OrderSide.Buy, 20);
        var b3 = Approved("b3", OrderSide.Buy, 5);
        var desk = new BlockDesk(store);

        var blocks = desk.Create([s1, s2, b1, b2, b3], netting: true);

        // Sells of 40 and buys of 50 cross for 40 shares at the close, 310.25. The sell block is filled: s1 30, s2 10
        // (40 × 30/40 and 40 × 10/40). The buy block gets 40 of its 50, pro rata: 40 × 25/50 = 20, 40 × 20/50 = 16,
        // 40 × 5/50 = 4 (exact, no remainder); its unfilled 10 is what the desk sends.
        var sell = blocks.Single(x => x.Side == OrderSide.Sell);
        var buy = blocks.Single(x => x.Side == OrderSide.Buy);
        Assert.Equal((BlockStatus.Filled, 40m), (sell.Status, sell.Filled));
        Assert.Equal((BlockStatus.PartlyFilled, 40m, 10m), (buy.Status, buy.Filled, buy.Unfilled));
        Assert.Equal([$"cross-{buy.Id}-{sell.Id}.buy"], buy.Fills.Select(f => f.ExecutionId));
        Assert.Equal([("s1", 30m), ("s2", 10m)], desk.Report(sell.Id).Accounts.Select(a => (a.Account, a.Allocated)));
        Assert.Equal([("b1", 20m), ("b2", 16m), ("b3", 4m)], desk.Report(buy.Id).Accounts.Select(a => (a.Account, a.Allocated)));
        // Cash at 310.25 a share: sellers receive 9,307.50 and 3,102.50; buyers pay 6,205.00, 4,964.00 and 1,241.00.
        var cash = store.ListAccounts().ToDictionary(x => x.Name, x => x.Cash);
        Assert.Equal((9307.50m, 3102.50m, 3795m, 5036m, 8759m), (cash["s1"], cash["s2"], cash["b1"], cash["b2"], cash["b3"]));
        Assert.Equal(ProposalStatus.Filled, store.GetProposal(s1).Status);
        Assert.Equal(ProposalStatus.PartlyFilled, store.GetProposal(b1).Status);

        // The market fills the rest, 10 at 312.00: to the shares still due, 5, 4 and 1.
        desk.ImportFills(WriteFile("rest.csv", $"execution_id,block,date,quantity,price\nm-1,{buy.Id},2025-10-01,10,312.00\n"));
        var done = desk.Report(buy.Id);
        Assert.Equal(BlockStatus.Filled, done.Block.Status);
        Assert.Equal([("b1", 25m), ("b2", 20m), ("b3", 5m)], done.Accounts.Select(a => (a.Account, a.Allocated)));
        Assert.All(new[] { b1, b2, b3 }, p => Assert.Equal(ProposalStatus.Filled, store.GetProposal(p).Status));
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Blocks_WithNetting_DoNotCrossABuyTheBuyersCashDoesNotCover()
    {
        var store = Seeded();
        store.AddAccount(new NewAccount("s1", AccountType.Taxable, "USD", null));
        store.AddAccount(new NewAccount("b1", AccountType.Taxable, "USD", null));
        store.ImportPositions(WriteFile("sellers.csv", "account,ticker,quantity,cost_basis\ns1,VTI,30,6000\n"), asOf: new DateOnly(2025, 9, 29));
        store.Deposit("b1", 3_000m, new DateOnly(2025, 9, 29)); // 10 VTI at 310.25 cost 3,102.50: not covered
        foreach (var (account, side) in new[] { ("s1", OrderSide.Sell), ("b1", OrderSide.Buy) })
            store.SetProposalStatus(store.SaveProposal(new NewProposal($"account {account}", "test", null, "{}", "{}", [new ProposedOrder(account, "VTI", side, 10, 310.25m)])), ProposalStatus.Approved);

        var blocks = new BlockDesk(store).Create(netting: true);

        Assert.Equal([(OrderSide.Sell, 10m, 0m), (OrderSide.Buy, 10m, 0m)], blocks.Select(x => (x.Side, x.Quantity, x.Filled)));
        Assert.Contains("VTI not netted: b1's cash does not cover its buy before its sales fill", store.Audit(1)[0].Summary, StringComparison.Ordinal);
        Assert.Equal(3_000m, store.ListAccounts().Single(a => a.Name == "b1").Cash);
    }

    [Fact]
    public void Blocks_WithoutNetting_KeepBuysAndSellsOfOneSecurityApart()
    {
        var store = Seeded();
        store.AddAccount(new NewAccount("s1", AccountType.Taxable, "USD", null));
        store.AddAccount(new NewAccount("b1", AccountType.Taxable, "USD", null));
        store.ImportPositions(WriteFile("sellers.csv", "account,ticker,quantity,cost_basis\ns1,VTI,30,6000\n"), asOf: new DateOnly(2025, 9, 29));
        store.Deposit("b1", 10_000m, new DateOnly(2025, 9, 29));
        foreach (var (account, side) in new[] { ("s1", OrderSide.Sell), ("b1", OrderSide.Buy) })
            store.SetProposalStatus(store.SaveProposal(new NewProposal($"account {account}", "test", null, "{}", "{}", [new ProposedOrder(account, "VTI", side, 10, 310.25m)])), ProposalStatus.Approved);

        var blocks = new BlockDesk(store).Create();

        Assert.Equal([(OrderSide.Sell, 10m, 0m), (OrderSide.Buy, 10m, 0m)], blocks.Select(x => (x.Side, x.Quantity, x.Filled)));
    }

    [Fact]
    public void Blocks_CancelSetting_CancelsTheRest_AndProposalsWhoseBlocksAreAllClosed()
    {
        var (store, a, b, c, _) = BlockDeskStore();
        var desk = new BlockDesk(store);
        var vti = desk.Create([a, b, c]).Single(x => x.Ticker == "VTI");
        desk.ImportFills(WriteFile("f1.csv", $"execution_id,block,date,quantity,price\nx-1,{vti.Id},2025-09-30,50,100.20\n"));
        // Carry: the block stays partly filled. Then 5 more at 101.00 with the rest cancelled. Due: 4, 8 and 13 (25).
        // Exact 5 × 4/25 = 0.8, × 8/25 = 1.6, × 13/25 = 2.6; rounded down 0 + 1 + 2 = 3; the 2 left go to a (0.8), then
        // b and c tie at 0.6 and c's larger order wins: 1, 1, 3 at 101.00.
        var result = desk.ImportFills(WriteFile("f2.csv", $"execution_id,block,date,quantity,price\nx-2,{vti.Id},2025-10-01,5,101\n"), UnfilledRest.Cancel);
        Assert.Equal([vti.Id], result.Cancelled);
        var report = desk.Report(vti.Id);
        Assert.Equal(BlockStatus.Cancelled, report.Block.Status);
        Assert.Equal((55m, 20m, 20m), (report.Filled, report.Unfilled, report.Cancelled));
        Assert.Equal([7m, 18m, 30m], report.Accounts.Select(x => x.Allocated));
        Assert.Equal([3m, 7m, 10m], report.Accounts.Select(x => x.Cancelled));
        Assert.Equal([(2, 101m), (2, 101m), (2, 101m)], report.Block.Allocations.Where(x => x.Allocation == 2).Select(x => (x.Allocation, x.Price)));
        // b's and c's proposals have no other block: they are cancelled (done). a's BND block is still open: it stays partly filled.
        Assert.Equal(ProposalStatus.Cancelled, store.GetProposal(b).Status);
        Assert.Equal(ProposalStatus.Cancelled, store.GetProposal(c).Status);
        Assert.Equal(ProposalStatus.PartlyFilled, store.GetProposal(a).Status);
        // A cancelled block takes no more fills.
        var late = WriteFile("late.csv", $"execution_id,block,date,quantity,price\nx-3,{vti.Id},2025-10-01,1,101\n");
        AssertRefused(store, () => desk.ImportFills(late), late, 2, "block", "is cancelled");
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Blocks_AnAccountWhoseProposalWasCancelled_TakesNoShares_AndTheBlockCannotFillBeyondTheOthers()
    {
        var (store, a, b, c, _) = BlockDeskStore();
        var desk = new BlockDesk(store);
        var vti = desk.Create([a, b, c]).Single(x => x.Ticker == "VTI");
        store.SetProposalStatus(c, ProposalStatus.Cancelled, "client asked to wait");
        // 35 shares at 50: all that a (10) and b (25) have due; c's 40 stay unallocated.
        desk.ImportFills(WriteFile("f.csv", $"execution_id,block,date,quantity,price\nx-1,{vti.Id},2025-10-01,35,50\n"));
        var report = desk.Report(vti.Id);
        Assert.Equal([10m, 25m, 0m], report.Accounts.Select(x => x.Allocated));
        Assert.Empty(store.Lots("acct-c"));
        var more = WriteFile("more.csv", $"execution_id,block,date,quantity,price\nx-2,{vti.Id},2025-10-01,1,100\n");
        AssertRefused(store, () => desk.ImportFills(more), more, 2, "quantity", "cannot be allocated");
        Assert.True(store.Verify().Ok);
    }
}
