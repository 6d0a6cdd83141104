using Ballast.Input;
using Ballast.Operations;
using Ballast.Operations.Blocks;
using Ballast.Operations.Windows;
using Ballast.Store.Ledger;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>
/// Firm settings, approvals and rejections of window proposals, cash needs (withdrawal requests) and the window's blocks, on SQLite and
/// PostgreSQL. The calendar and schedule are <see cref="WindowRunSuite"/>'s: Monday, Wednesday and Friday at 10:00 New York time,
/// T+1; 25,000 or more every window, smaller semiannually, six months' pause after a rebalance.
/// </summary>
public abstract class ApprovalSuite : IDisposable
{
    private const string ToTarget = "{ look: daily, trigger: threshold, relative: 20% }";
    private static readonly TradingCalendar Calendar = TradingCalendar.Default;

    private readonly MovableClock _clock = new(new DateTimeOffset(2026, 1, 2, 12, 0, 0, TimeSpan.Zero));

    protected ApprovalSuite() => Directory = System.IO.Directory.CreateTempSubdirectory("ballast-approval-test-").FullName;

    protected string Directory { get; }

    protected abstract StoreLocation Location { get; }

    public virtual void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }

    /// <summary>A store with VTI and BND at 100 and the model core at 60/40, rebalanced to target when a weight leaves its ±20 % band.</summary>
    private BallastStore NewStore()
    {
        var store = BallastStore.Initialize(Location, new StoreOptions { Actor = "tester", Time = _clock, BusyTimeout = TimeSpan.FromSeconds(10) });
        foreach (var t in new[] { "VTI", "BND" })
        {
            store.AddSecurity(t);
            store.SetPrice(t, new DateOnly(2026, 1, 2), 100m);
        }
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, ToTarget);
        return store;
    }

    private void Account(BallastStore store, string name, decimal vti, decimal bnd)
    {
        store.AddAccount(new NewAccount(name, AccountType.Taxable, "USD", Model: "core"));
        var file = Path.Combine(Directory, name + ".csv");
        File.WriteAllText(file, $"ticker,quantity\nVTI,{vti}\nBND,{bnd}\n");
        store.ImportPositions(file, name, asOf: new DateOnly(2026, 1, 2));
    }

    private WindowRunResult RunWindow(BallastStore store, int year, int month, int day)
    {
        var window = Calendar.On(new DateOnly(year, month, day)).First();
        _clock.Now = window.Start.AddMinutes(1);
        return new WindowRunner(store, "test").Run(Calendar, window);
    }

    private static WindowRunAccount Verdict(BallastStore store, WindowRunResult run, string account) =>
        store.WindowRunAccounts(run.Run.Id).Single(a => a.Account == account);

    private static List<(string Status, string Actor, string? Note)> Events(BallastStore store, long proposal) => store.Read(c =>
        c.Query<(string, string, string?)>("SELECT status, actor, note FROM proposal_events WHERE proposal_id = @proposal ORDER BY id", new { proposal }).ToList());

    [Fact]
    public void Approval_All_LeavesWindowProposalsProposed_AndTheWindowsBlocksGatherNoneUntilApproved()
    {
        var store = NewStore();
        Account(store, "thirty", 240, 60); // 24,000 + 6,000: 80/20 against 60/40, outside the 48-72 band
        Assert.Equal(FirmSettings.Default, FirmSettings.Load(store));
        FirmSettings.Set(store, approval: "all");

        var run = RunWindow(store, 2026, 1, 5);

        var v = Verdict(store, run, "thirty");
        Assert.Equal("rebalanced", v.Outcome);
        Assert.EndsWith("; awaiting approval (all proposals)", v.Reason, StringComparison.Ordinal);
        var proposal = v.ProposalId!.Value;
        Assert.Equal(ProposalStatus.Proposed, store.GetProposal(proposal).Status);
        Assert.Empty(Events(store, proposal));
        var desk = new BlockDesk(store);
        Assert.Empty(desk.CreateForWindow("2026-01-05T10:00").Blocks);
        Assert.Empty(desk.Create(window: "2026-01-05T10:00"));
        Assert.Equal("proposed", store.FindWindowRun("2026-01-05T10:00")!.Status);

        // Approved by a person, it joins the window's blocks; every proposal of the run is then in a block: the run is sent.
        store.SetProposalStatus(proposal, ProposalStatus.Approved);
        var (after, blocks) = desk.CreateForWindow("2026-01-05T10:00");
        Assert.Equal([("BND", OrderSide.Buy), ("VTI", OrderSide.Sell)], blocks.Select(b => (b.Ticker, b.Side)));
        Assert.All(blocks, b => Assert.Equal("2026-01-05T10:00", b.Window));
        Assert.Equal("sent", after.Status);
        Assert.Empty(desk.CreateForWindow("2026-01-05T10:00").Blocks); // nothing left to gather
        Assert.Throws<InputException>(() => desk.CreateForWindow("2026-01-06T10:00"));
    }

    [Fact]
    public void Approval_Above50000Usd_ApprovesTheSmallProposal_AndHoldsTheLargeOneWithTheReason()
    {
        var store = NewStore();
        Account(store, "small", 240, 60); // 30,000 at 80/20: to target sells 60 VTI, buys 60 BND, 12,000 traded
        Account(store, "large", 2400, 600); // 300,000 at 80/20: sells 600 VTI, buys 600 BND, 120,000 traded
        var set = FirmSettings.Set(store, approval: "above 50,000 usd");
        Assert.Equal(new ApprovalSetting(ApprovalRule.Above, 50_000m, "USD"), set.Approval);
        Assert.Contains(store.FirmSettingTexts(), s => s is { Key: "approval", Value: "above 50000 USD", Actor: "tester" });

        var run = RunWindow(store, 2026, 1, 5);

        var small = Verdict(store, run, "small");
        Assert.Equal(ProposalStatus.Approved, store.GetProposal(small.ProposalId!.Value).Status);
        Assert.Equal([("approved", WindowRunnerActor, "approval above 50000 USD: trades 12,000 USD")], Events(store, small.ProposalId.Value));
        Assert.DoesNotContain("awaiting", small.Reason, StringComparison.Ordinal);
        var large = Verdict(store, run, "large");
        Assert.Equal(ProposalStatus.Proposed, store.GetProposal(large.ProposalId!.Value).Status);
        Assert.EndsWith("; awaiting approval (above 50,000 USD): trades 120,000 USD", large.Reason, StringComparison.Ordinal);
        Assert.Contains(store.Audit(), a => a.Action == "window run accounts" && a.Summary.Contains("1 approved by the firm's approval rule", StringComparison.Ordinal));

        // Only the approved one joins the window's blocks; the run waits for the other.
        var (after, blocks) = new BlockDesk(store).CreateForWindow("2026-01-05T10:00");
        Assert.All(blocks, b => Assert.Equal([small.ProposalId.Value], b.Lines.Select(l => l.ProposalId)));
        Assert.Equal("proposed", after.Status);
    }

    private const string WindowRunnerActor = BallastStore.FirmPolicyActor;

    [Fact]
    public void Reject_IsAuditedWithItsReason_AndTheAccountIsDueAgainAtTheNextWindow_WhereACancelledOneIsPaused()
    {
        var store = NewStore();
        Account(store, "rejected", 160, 40); // 20,000 at 80/20: semiannual, looked at the first window of January
        Account(store, "cancelled", 160, 40);
        FirmSettings.Set(store, approval: "all");
        var january = RunWindow(store, 2026, 1, 5);
        var rejected = Verdict(store, january, "rejected").ProposalId!.Value;
        var cancelled = Verdict(store, january, "cancelled").ProposalId!.Value;

        var before = store.Audit().Count;
        var noReason = Assert.Throws<InputException>(() => store.RejectProposal(rejected, " "));
        Assert.Equal("--reason", noReason.Problems[0].Field);
        Assert.Equal(before, store.Audit().Count);
        Assert.Equal(ProposalStatus.Proposed, store.RejectProposal(rejected, "client is moving house"));
        store.SetProposalStatus(cancelled, ProposalStatus.Cancelled, "desk closed");

        Assert.Equal(ProposalStatus.Rejected, store.GetProposal(rejected).Status);
        var rejection = store.Rejection(rejected)!;
        Assert.Equal(("tester", "client is moving house"), (rejection.Actor, rejection.Reason));
        Assert.Contains(store.Audit(), a => a.Action == "proposal rejected" && a.Summary == $"proposal {rejected}: proposed -> rejected: client is moving house");
        // Rejected is final: it cannot be rejected, approved or cancelled again, nor filled.
        Assert.Throws<InputException>(() => store.RejectProposal(rejected, "again"));
        Assert.Throws<InputException>(() => store.SetProposalStatus(rejected, ProposalStatus.Approved));
        Assert.Throws<InputException>(() => store.SetProposalStatus(rejected, ProposalStatus.Cancelled));

        // At the next window the rejected account is looked at again (its January look did not count, no rebalance happened);
        // the cancelled one counts as rebalanced on 2026-01-05 and pauses six months.
        var next = RunWindow(store, 2026, 1, 7);
        var again = Verdict(store, next, "rejected");
        Assert.Equal(("look", "rebalanced"), (again.Decision, again.Outcome));
        var paused = Verdict(store, next, "cancelled");
        Assert.Equal(("paused", "not evaluated"), (paused.Decision, paused.Outcome));
        Assert.Contains("rebalanced on 2026-01-05", paused.Reason, StringComparison.Ordinal);
        Assert.Null(store.ListAccounts().Single(a => a.Name == "rejected").LastRebalance);

        // A proposal in a block is past approval: it is cancelled, not rejected.
        store.SetProposalStatus(again.ProposalId!.Value, ProposalStatus.Approved);
        new BlockDesk(store).CreateForWindow("2026-01-07T10:00");
        var inBlock = Assert.Throws<InputException>(() => store.RejectProposal(again.ProposalId.Value, "too late"));
        Assert.Contains("is in block", inBlock.Problems[0].Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CashNeeds_OfOneThousandOnAnAccountAtTarget_SellAboutOneThousand_AtTheNextWindow_EvenThoughItIsPaused()
    {
        var store = NewStore();
        Account(store, "twenty", 120, 80); // 12,000 + 8,000 = 20,000, exactly 60/40, no cash
        // A done rebalance (a proposal cancelled on 2026-01-02) pauses monitoring until 2026-07-02.
        var done = store.SaveProposal(new NewProposal("account twenty", "test", null, "{}", "{}", [new ProposedOrder("twenty", "VTI", OrderSide.Buy, 1, 100m)]));
        store.SetProposalStatus(done, ProposalStatus.Cancelled);
        Assert.Equal("paused", Verdict(store, RunWindow(store, 2026, 1, 5), "twenty").Decision);

        // Two withdrawal requests before the cut-off of 2026-01-07 (14:30 UTC) sum: 600 + 400 = 1,000.
        _clock.Now = new DateTimeOffset(2026, 1, 6, 12, 0, 0, TimeSpan.Zero);
        var first = store.AddCashNeed("twenty", 600m, new DateOnly(2026, 1, 12), "tuition");
        var second = store.AddCashNeed("twenty", 400m, new DateOnly(2026, 1, 15));
        Assert.Throws<InputException>(() => store.AddCashNeed("twenty", 0m, new DateOnly(2026, 1, 15)));
        Assert.Throws<InputException>(() => store.AddCashNeed("nobody", 10m, new DateOnly(2026, 1, 15)));
        Assert.Equal([first, second], store.CashNeeds(openOnly: true).Select(n => n.Id));

        var run = RunWindow(store, 2026, 1, 7);

        var v = Verdict(store, run, "twenty");
        Assert.Equal(("cash flow", "rebalanced"), (v.Decision, v.Outcome));
        Assert.Contains("cash need 1,000 USD raised by this proposal", v.Reason, StringComparison.Ordinal);
        var p = store.GetProposal(v.ProposalId!.Value);
        // By hand: 20,000 less 1,000 leaves 19,000, at 60/40 11,400 VTI and 7,600 BND: sell 600 of VTI (6 shares) and 400 of BND (4
        // shares), 1,000 together, no buy.
        Assert.All(p.Orders, o => Assert.Equal(OrderSide.Sell, o.Side));
        Assert.InRange(p.Orders.Sum(o => o.Quantity * 100m), 1000m, 1100m);
        Assert.Equal(6m, p.Orders.Single(o => o.Ticker == "VTI").Quantity, 0);
        Assert.Equal(4m, p.Orders.Single(o => o.Ticker == "BND").Quantity, 0);
        Assert.All(store.CashNeeds(), n => Assert.Equal(("raised", p.Id), (n.Status, n.ProposalId)));
        Assert.Empty(store.CashNeeds(openOnly: true));
        Assert.Throws<InputException>(() => store.CancelCashNeed(first)); // raised: reject or cancel its proposal instead

        // Rejected, its proposal raises nothing: the needs are open again and the next window plans them again.
        store.RejectProposal(p.Id, "sell the bonds only");
        Assert.All(store.CashNeeds(), n => Assert.Equal(("open", (long?)null), (n.Status, n.ProposalId)));
        var next = Verdict(store, RunWindow(store, 2026, 1, 9), "twenty");
        Assert.Equal(("cash flow", "rebalanced"), (next.Decision, next.Outcome));
        Assert.All(store.CashNeeds(), n => Assert.Equal(("raised", next.ProposalId), (n.Status, n.ProposalId)));
    }

    [Fact]
    public void CashNeed_Cancelled_IsNotPlanned_AndOneRecordedAfterTheCutOffWaits()
    {
        var store = NewStore();
        Account(store, "twenty", 120, 80);
        _clock.Now = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
        var cancelled = store.AddCashNeed("twenty", 500m, new DateOnly(2026, 1, 30));
        store.CancelCashNeed(cancelled);
        Assert.Throws<InputException>(() => store.CancelCashNeed(cancelled));
        Assert.Throws<InputException>(() => store.CancelCashNeed(999));
        Assert.Equal(("look", "no trades"), (Verdict(store, RunWindow(store, 2026, 1, 5), "twenty").Decision, Verdict(store, RunWindow(store, 2026, 1, 5), "twenty").Outcome));

        _clock.Now = new DateTimeOffset(2026, 1, 7, 14, 45, 0, TimeSpan.Zero); // after the 14:30 UTC cut-off of 2026-01-07
        store.AddCashNeed("twenty", 500m, new DateOnly(2026, 1, 30));
        Assert.Equal("not due", Verdict(store, RunWindow(store, 2026, 1, 7), "twenty").Decision);
        Assert.Equal("cash flow", Verdict(store, RunWindow(store, 2026, 1, 9), "twenty").Decision);
    }

    [Fact]
    public void Unfilled_TheFirmsCancelSetting_MakesAPartialBlockFillCancelTheRest_AndTheRunCompletesAdjusted()
    {
        var store = NewStore();
        Account(store, "thirty", 240, 60); // 80/20 of 30,000: to target sells 60 VTI and buys 60 BND
        FirmSettings.Set(store, unfilled: "cancel");
        Assert.Equal(UnfilledRest.Cancel, FirmSettings.Load(store).Unfilled);
        var run = RunWindow(store, 2026, 1, 5);
        var proposal = Verdict(store, run, "thirty").ProposalId!.Value;
        Assert.Equal(ProposalStatus.Approved, store.GetProposal(proposal).Status); // approval none: approved by the firm's rule
        var desk = new BlockDesk(store);
        var (sent, blocks) = desk.CreateForWindow("2026-01-05T10:00");
        Assert.Equal("sent", sent.Status);
        var sell = blocks.Single(b => b.Side == OrderSide.Sell);
        var buy = blocks.Single(b => b.Side == OrderSide.Buy);
        Assert.Equal((60m, 60m), (sell.Quantity, buy.Quantity));

        // Half the sell and a third of the buy fill; no --unfilled is given, so the firm's setting cancels both rests.
        var fills = Path.Combine(Directory, "fills.csv");
        File.WriteAllText(fills, $"execution_id,block,date,quantity,price\nf-1,{sell.Id},2026-01-05,30,100\nf-2,{buy.Id},2026-01-05,20,100\n");
        desk.ImportFills(fills);

        Assert.Equal((BlockStatus.Cancelled, 30m), (store.GetBlock(sell.Id).Status, store.GetBlock(sell.Id).Cancelled));
        Assert.Equal((BlockStatus.Cancelled, 40m), (store.GetBlock(buy.Id).Status, store.GetBlock(buy.Id).Cancelled));
        var p = store.GetProposal(proposal);
        Assert.Equal(ProposalStatus.Cancelled, p.Status);
        Assert.Equal(50m, p.Filled.Sum());
        Assert.Equal("completed-adjusted", store.FindWindowRun("2026-01-05T10:00")!.Status);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void FirmSettings_BadValues_AreRefusedNamingTheFlag_AndNothingIsWritten()
    {
        var store = NewStore();
        var audit = store.Audit().Count;
        foreach (var (approval, unfilled, netting, field) in new (string?, string?, string?, string)[]
                 {
                     ("some", null, null, "--approval"), ("above", null, null, "--approval"), ("above -5 USD", null, null, "--approval"),
                     ("above 50000 dollars", null, null, "--approval"), ("above 0.00001 USD", null, null, "--approval"),
                     ("all", "keep", null, "--unfilled"), (null, null, "yes", "--netting"), (null, null, null, "--approval"),
                 })
        {
            var e = Assert.Throws<InputException>(() => FirmSettings.Set(store, approval, unfilled, netting));
            Assert.Contains(e.Problems, x => x.Field == field);
        }
        Assert.Empty(store.FirmSettingTexts());
        Assert.Equal(audit, store.Audit().Count);

        var now = FirmSettings.Set(store, "all", "cancel", "on");
        Assert.Equal(new FirmSettings(new ApprovalSetting(ApprovalRule.All), UnfilledRest.Cancel, true), now);
        now = FirmSettings.Set(store, approval: "none");
        Assert.Equal((ApprovalRule.None, UnfilledRest.Cancel, true), (now.Approval.Rule, now.Unfilled, now.Netting));
        Assert.Contains(store.Audit(), a => a.Action == "firm settings" && a.Summary == "firm approval = none (was all)");
    }
}

public sealed class SqliteApprovalTests : ApprovalSuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "ballast.db")}");
}

public sealed class PostgresApprovalTests : ApprovalSuite
{
    private readonly PostgresDatabase _database = new();
    protected override StoreLocation Location => _database.Location;

    public override void Dispose()
    {
        _database.Dispose();
        base.Dispose();
    }
}
