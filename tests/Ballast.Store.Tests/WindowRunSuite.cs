using Ballast.Input;
using Ballast.Operations.Monitoring;
using Ballast.Operations.Windows;
using Ballast.Store.Ledger;

namespace Ballast.Store.Tests;

/// <summary>A clock the test moves forward: window runs happen on successive dates.</summary>
internal sealed class MovableClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}

/// <summary>
/// Window runs (<see cref="WindowRunner"/>) over a store, on SQLite and PostgreSQL: the method's golden cases. The calendar is
/// Monday, Wednesday and Friday at 10:00 New York time, a 30-minute cut-off, T+1; the firm's schedule is the default method
/// (25,000 or more every window, smaller semiannually, six months' pause, one-day cooldown).
/// </summary>
public abstract class WindowRunSuite : IDisposable
{
    private const string Rails = "{ look: daily, trigger: threshold, relative: 20%, rebalanceTo: inner-rail, rail: 10% }";
    private const string ToTarget = "{ look: daily, trigger: threshold, relative: 20% }";
    private static readonly TradingCalendar Calendar = TradingCalendar.Default;

    private readonly MovableClock _clock = new(new DateTimeOffset(2026, 1, 2, 12, 0, 0, TimeSpan.Zero));

    protected WindowRunSuite() => Directory = System.IO.Directory.CreateTempSubdirectory("ballast-window-test-").FullName;

    protected string Directory { get; }

    protected abstract StoreLocation Location { get; }

    public virtual void Dispose()
    {
        try { System.IO.Directory.Delete(Directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        GC.SuppressFinalize(this);
    }

    private BallastStore NewStore()
    {
        var store = BallastStore.Initialize(Location, new StoreOptions { Actor = "tester", Time = _clock, BusyTimeout = TimeSpan.FromSeconds(10) });
        foreach (var t in new[] { "VTI", "VXUS", "BND", "GLD" }) store.AddSecurity(t);
        Prices(store, new DateOnly(2026, 1, 2), ("VTI", 100m), ("VXUS", 100m), ("BND", 100m), ("GLD", 100m));
        return store;
    }

    private static void Prices(BallastStore store, DateOnly date, params (string Ticker, decimal Close)[] closes)
    {
        foreach (var (ticker, close) in closes) store.SetPrice(ticker, date, close);
    }

    /// <summary>An account on <paramref name="model"/> holding the given quantities (an opening positions snapshot, no deposit).</summary>
    private void Account(BallastStore store, string name, string model, params (string Ticker, decimal Quantity)[] holdings)
    {
        store.AddAccount(new NewAccount(name, AccountType.Taxable, "USD", Model: model));
        var file = Path.Combine(Directory, name + ".csv");
        File.WriteAllText(file, "ticker,quantity\n" + string.Join("", holdings.Select(h => $"{h.Ticker},{h.Quantity}\n")));
        store.ImportPositions(file, name, asOf: new DateOnly(2026, 1, 2));
    }

    private static TradingWindow WindowOn(int year, int month, int day) => Calendar.On(new DateOnly(year, month, day)).First();

    /// <summary>Runs the window of a date, the clock a minute after it opens.</summary>
    private WindowRunResult RunWindow(BallastStore store, int year, int month, int day, WindowRunner? runner = null)
    {
        var window = WindowOn(year, month, day);
        _clock.Now = window.Start.AddMinutes(1);
        return (runner ?? new WindowRunner(store, "test")).Run(Calendar, window);
    }

    private static WindowRunAccount Verdict(BallastStore store, WindowRunResult run, string account) =>
        store.WindowRunAccounts(run.Run.Id).Single(a => a.Account == account);

    private static decimal Weight(BallastStore store, ProposalInfo p, string ticker, decimal held, decimal price, decimal total)
    {
        var q = p.Orders.Where(o => o.Ticker == ticker).Sum(o => o.Side == OrderSide.Buy ? o.Quantity : -o.Quantity);
        return (held + q) * price / total;
    }

    [Fact]
    public void Window_A30000AccountBreachingItsBand_IsRebalancedToItsRails_AtTheNextWindow()
    {
        var store = NewStore();
        store.SetModel("rails", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, Rails);
        Account(store, "thirty", "rails", ("VTI", 240), ("BND", 60)); // 24,000 + 6,000: 80/20 against 60/40 (band 48-72)

        var run = RunWindow(store, 2026, 1, 5);

        var v = Verdict(store, run, "thirty");
        Assert.Equal(("look", "rebalanced"), (v.Decision, v.Outcome));
        Assert.Contains("25,000 USD or more", v.Reason, StringComparison.Ordinal);
        var p = store.GetProposal(v.ProposalId!.Value);
        Assert.Contains(p.Orders, o => o.Ticker == "VTI" && o.Side == OrderSide.Sell);
        Assert.Contains(p.Orders, o => o.Ticker == "BND" && o.Side == OrderSide.Buy);
        // To its rails, not to target: VTI ends at the inner rail, 10 % inside the 72 % band edge, above its 60 % target.
        var vti = Weight(store, p, "VTI", 240, 100, 30_000);
        Assert.InRange(vti, 0.63m, 0.72m);
        Assert.Equal("proposed", run.Run.Status);
        Assert.Equal((1, 1, 1, 0), ((int)run.Run.Accounts, (int)run.Run.Evaluated, (int)run.Run.Rebalanced, (int)run.Run.Skipped));
        Assert.Equal([("thirty", p.Id)], run.Proposals);
        Assert.StartsWith("window 2026-01-05T10:00", p.Scope, StringComparison.Ordinal);
    }

    [Fact]
    public void Window_A20000AccountBreaching_IsLookedAtOnlyAtItsSemiannualLook_ThenPausesSixMonths()
    {
        var store = NewStore();
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, ToTarget);
        Account(store, "twenty", "core", ("VTI", 120), ("BND", 80)); // 20,000 at 60/40: within

        var january = RunWindow(store, 2026, 1, 5);
        Assert.Equal(("look", "no trades"), (Verdict(store, january, "twenty").Decision, Verdict(store, january, "twenty").Outcome));

        // BND halves: 12,000 + 4,000 = 16,000 at 75/25, outside the 48-72 band; still below 25,000.
        _clock.Now = new DateTimeOffset(2026, 2, 27, 12, 0, 0, TimeSpan.Zero);
        Prices(store, new DateOnly(2026, 2, 27), ("BND", 50m));
        var march = RunWindow(store, 2026, 3, 2);
        var notDue = Verdict(store, march, "twenty");
        Assert.Equal(("not due", "not evaluated"), (notDue.Decision, notDue.Outcome));
        Assert.Contains("semiannual, last on 2026-01-05", notDue.Reason, StringComparison.Ordinal);
        Assert.Empty(march.Proposals);
        Assert.Equal("completed", march.Run.Status);

        // The first window of July is its look: rebalanced.
        var july = RunWindow(store, 2026, 7, 1);
        var look = Verdict(store, july, "twenty");
        Assert.Equal(("look", "rebalanced"), (look.Decision, look.Outcome));
        var proposal = store.GetProposal(look.ProposalId!.Value);
        _clock.Now = new DateTimeOffset(2026, 7, 2, 20, 0, 0, TimeSpan.Zero);
        var n = 0;
        foreach (var o in proposal.Orders)
            store.RecordFill(new Fill($"x{++n}", "twenty", new DateOnly(2026, 7, 2), o.Ticker, o.Side, o.Quantity, o.Ticker == "VTI" ? 100m : 50m, ProposalId: proposal.Id));
        Assert.Equal(ProposalStatus.Filled, store.GetProposal(proposal.Id).Status);

        // It drifts again at once: monitoring pauses six months from the fill, whatever the drift.
        Prices(store, new DateOnly(2026, 7, 2), ("BND", 25m));
        foreach (var (m, d) in new[] { (7, 6), (10, 5) })
        {
            var later = RunWindow(store, 2026, m, d);
            var paused = Verdict(store, later, "twenty");
            Assert.Equal(("paused", "not evaluated"), (paused.Decision, paused.Outcome));
            Assert.Contains("rebalanced on 2026-07-02; monitoring pauses 6 months, until 2027-01-02", paused.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Window_ADepositOf100_IsInvestedByBuyingOnlyUnderweightAssets_AtTheFirstWindow()
    {
        var store = NewStore();
        store.SetModel("four", new Dictionary<string, decimal> { ["VTI"] = 0.4m, ["VXUS"] = 0.2m, ["BND"] = 0.2m, ["GLD"] = 0.2m }, ToTarget);
        Prices(store, new DateOnly(2026, 1, 2), ("VTI", 1m), ("VXUS", 1m), ("BND", 1m), ("GLD", 1m));
        Account(store, "fortytwo", "four", ("VTI", 4200), ("VXUS", 1800), ("BND", 2000), ("GLD", 2000)); // 42/18/20/20: within its bands
        _clock.Now = new DateTimeOffset(2026, 2, 27, 12, 0, 0, TimeSpan.Zero);
        store.Deposit("fortytwo", 100m, new DateOnly(2026, 2, 26)); // settled (T+1) by the window of 2026-03-02

        var run = RunWindow(store, 2026, 3, 2);

        var v = Verdict(store, run, "fortytwo");
        Assert.Equal("rebalanced", v.Outcome);
        var p = store.GetProposal(v.ProposalId!.Value);
        // The engine's cash-flow-first rule, by hand. Within its bands the account is not rebalanced: the deposit is placed
        // by buying only (PlanCore.PlaceCash -> BuyOnly), spread by the default cash-flow method, proportional, over each
        // asset's shortfall at the new total P = 10,000 + 100 = 10,100:
        //   goals  VTI 40% 4,040   VXUS 20% 2,020   BND 20% 2,020   GLD 20% 2,020
        //   gaps   VTI 0 (4,200 is over)   VXUS 2,020 - 1,800 = 220   BND 20   GLD 20   (260 in all, more than the 100)
        //   split  VXUS 100 x 220/260 = 84.615384..   BND 100 x 20/260 = 7.692307..   GLD 7.692307..
        // Fractional buys are rounded down to the cent (84.61, 7.69, 7.69 = 99.99) and the cent the rounding lost goes to
        // the largest remainder, VXUS (Execution.RoundFractionalBuys): 84.62 + 7.69 + 7.69 = 100.00. At a price of 1 the
        // quantities are the values. VTI, overweight, is never bought; nothing is sold.
        Assert.Equal(
            [("BND", OrderSide.Buy, 7.69m), ("GLD", OrderSide.Buy, 7.69m), ("VXUS", OrderSide.Buy, 84.62m)],
            p.Orders.Select(o => (o.Ticker, o.Side, o.Quantity)).OrderBy(o => o.Ticker, StringComparer.Ordinal).ToList());
        Assert.Equal(100m, p.Orders.Sum(o => o.Quantity));
    }

    [Fact]
    public void Window_AModelChange_EvaluatesEveryAccountOnIt_AndOnlyTheBreachingOnesTrade()
    {
        var store = NewStore();
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, ToTarget);
        Account(store, "near", "core", ("VTI", 110), ("BND", 90)); // 55/45: within 48-72 and 32-48
        Account(store, "far", "core", ("VTI", 130), ("BND", 70)); // 65/35: within too
        var january = RunWindow(store, 2026, 1, 5);
        Assert.Empty(january.Proposals);

        // The model moves to 50/50 (bands 40-60): far (65/35) breaches, near (55/45) does not.
        _clock.Now = new DateTimeOffset(2026, 2, 27, 12, 0, 0, TimeSpan.Zero);
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.5m, ["BND"] = 0.5m }, ToTarget);
        var march = RunWindow(store, 2026, 3, 2);
        Assert.Equal(("model change", "no trades"), (Verdict(store, march, "near").Decision, Verdict(store, march, "near").Outcome));
        Assert.Equal(("model change", "rebalanced"), (Verdict(store, march, "far").Decision, Verdict(store, march, "far").Outcome));
        Assert.Equal(2, march.Run.Evaluated);
        Assert.Single(march.Proposals);

        // Evaluated since the change: the next window is back to the semiannual look.
        var next = RunWindow(store, 2026, 3, 4);
        Assert.Equal("not due", Verdict(store, next, "near").Decision);

        // A version made after a window's cut-off (14:30 UTC on 2026-03-06) waits for the next window, as cash does.
        _clock.Now = new DateTimeOffset(2026, 3, 6, 14, 45, 0, TimeSpan.Zero);
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, ToTarget);
        Assert.Equal("not due", Verdict(store, RunWindow(store, 2026, 3, 6), "near").Decision);
        Assert.Equal("model change", Verdict(store, RunWindow(store, 2026, 3, 9), "near").Decision);
    }

    [Fact]
    public void Window_RunTwice_AddsNothing_AndReportsTheExistingRunAndProposals()
    {
        var store = NewStore();
        store.SetModel("rails", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, Rails);
        Account(store, "thirty", "rails", ("VTI", 240), ("BND", 60));
        var first = RunWindow(store, 2026, 1, 5);
        var proposals = store.Proposals().Count;

        var second = RunWindow(store, 2026, 1, 5);

        Assert.True(second.AlreadyDone);
        Assert.Equal(first.Run.Id, second.Run.Id);
        Assert.Equal(first.Proposals, second.Proposals);
        Assert.Equal(proposals, store.Proposals().Count);
        Assert.Single(store.WindowRuns());
        Assert.Single(store.WindowRunAccounts(first.Run.Id));
    }

    [Fact]
    public void Window_HeldAccountsAndAccountsWithAnOpenProposal_AreSkippedWithTheirReason()
    {
        var store = NewStore();
        store.SetModel("rails", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, Rails);
        Account(store, "held", "rails", ("VTI", 240), ("BND", 60));
        Account(store, "open", "rails", ("VTI", 240), ("BND", 60));
        store.SetHold("held", "client asked to wait");
        var open = store.SaveProposal(new NewProposal("account open", "test", null, "{}", "{}", [new ProposedOrder("open", "VTI", OrderSide.Sell, 10)]));

        var run = RunWindow(store, 2026, 1, 5);

        var held = Verdict(store, run, "held");
        Assert.Equal(("skipped", "hold: client asked to wait"), (held.Outcome, held.Reason));
        var skipped = Verdict(store, run, "open");
        Assert.Equal(("skipped", $"open proposal: proposal {open} is still open"), (skipped.Outcome, skipped.Reason));
        Assert.Equal(2, run.Run.Skipped);
        Assert.Contains(run.Counts, c => c == ("skipped", "hold", 1L));
        Assert.Contains(run.Counts, c => c == ("skipped", "open proposal", 1L));
        Assert.Empty(run.Proposals);
    }

    [Fact]
    public void Window_UnsettledCash_IsSkipped_UntilItSettles()
    {
        var store = NewStore();
        store.SetModel("rails", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, Rails);
        Account(store, "thirty", "rails", ("VTI", 240), ("BND", 60));
        _clock.Now = new DateTimeOffset(2026, 1, 5, 12, 0, 0, TimeSpan.Zero);
        store.Deposit("thirty", 500m, new DateOnly(2026, 1, 5)); // settles 2026-01-06

        var run = RunWindow(store, 2026, 1, 5);
        var v = Verdict(store, run, "thirty");
        Assert.Equal("skipped", v.Outcome);
        Assert.StartsWith("unsettled cash: cash from 2026-01-05 settles on 2026-01-06", v.Reason, StringComparison.Ordinal);

        var next = RunWindow(store, 2026, 1, 7);
        Assert.Equal("rebalanced", Verdict(store, next, "thirty").Outcome);
    }

    [Fact]
    public void Window_ARunKilledMidway_CompletesWhenRunAgain_WithoutEvaluatingRecordedAccountsTwice()
    {
        var store = NewStore();
        store.SetModel("rails", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, Rails);
        foreach (var name in new[] { "a1", "a2", "a3" }) Account(store, name, "rails", ("VTI", 240), ("BND", 60));
        var dying = new WindowRunner(store, "test") { BatchSize = 1, AfterBatch = n => { if (n == 1) throw new InvalidOperationException("killed"); } };

        Assert.Throws<InvalidOperationException>(() => RunWindow(store, 2026, 1, 5, dying));
        var failed = Assert.Single(store.WindowRuns());
        Assert.Equal(("failed", "killed"), (failed.Status, failed.Error));
        Assert.Single(store.WindowRunAccounts(failed.Id));

        var done = RunWindow(store, 2026, 1, 5, new WindowRunner(store, "test") { BatchSize = 1 });
        Assert.True(done.Resumed);
        Assert.Equal("proposed", done.Run.Status);
        Assert.Equal(3, done.Run.Rebalanced);
        Assert.Equal(3, store.Proposals().Count);
        Assert.Equal(["a1", "a2", "a3"], done.Proposals.Select(p => p.Account).Order());
    }

    [Fact]
    public void Window_Events_StartedFinishedFailedAndResumed_WithItsProposalsAndTheAccountsItCouldNotValue()
    {
        var store = NewStore();
        store.SetModel("rails", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, Rails);
        foreach (var name in new[] { "a1", "a2" }) Account(store, name, "rails", ("VTI", 240), ("BND", 60));
        store.AddAccount(new NewAccount("euro", AccountType.Taxable, "EUR", Model: "rails")); // no EUR/USD rate: skipped, an exception worth an event
        var since = store.LastEventId();
        var dying = new WindowRunner(store, "test") { BatchSize = 1, AfterBatch = n => { if (n == 1) throw new InvalidOperationException("killed"); } };
        Assert.Throws<InvalidOperationException>(() => RunWindow(store, 2026, 1, 5, dying));
        var failed = store.Events(since);
        // The firm's default approval rule (none) approves each proposal as it is saved: an event too.
        Assert.Equal(["window.started", "proposal.created", "proposal.approved", "window.failed"], failed.Select(e => e.Kind));
        Assert.All(failed.Where(e => e.Kind.StartsWith("window.", StringComparison.Ordinal)), e => Assert.Equal("2026-01-05T10:00", e.Subject));
        Assert.Contains("\"error\":\"killed\"", failed[3].Data, StringComparison.Ordinal);

        var done = RunWindow(store, 2026, 1, 5, new WindowRunner(store, "test") { BatchSize = 1 });
        var resumed = store.Events(failed[^1].Id);
        Assert.Equal(["window.started", "proposal.created", "proposal.approved", "account.skipped", "window.finished"], resumed.Select(e => e.Kind));
        Assert.Contains("\"resumed\":true", resumed[0].Data, StringComparison.Ordinal);
        Assert.Equal("euro", resumed[3].Subject);
        Assert.Contains("no fx rate", resumed[3].Data, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"proposed\"", resumed[4].Data, StringComparison.Ordinal);
        Assert.Equal(done.Proposals.Select(p => $"{p.ProposalId}").Order(), store.Events(since, kinds: ["proposal.created"]).Select(e => e.Subject).Order());

        // A finished window run again adds nothing, no event either.
        var last = store.LastEventId();
        Assert.True(RunWindow(store, 2026, 1, 5).AlreadyDone);
        Assert.Equal(last, store.LastEventId());
    }

    [Fact]
    public void Schedules_AreStoredAsData_ValidatedByTheReader_AndOverriddenPerModelAndAccount()
    {
        var store = NewStore();
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.6m, ["BND"] = 0.4m }, ToTarget);
        Account(store, "twenty", "core", ("VTI", 120), ("BND", 80));
        Assert.Equal(MonitoringSchedule.Default.ToString(), StoredSchedules.Load(store).Firm.ToString());

        var e = Assert.Throws<InputException>(() => StoredSchedules.Set(store, ScheduleKind.Firm, null, "firm.yaml", "tiers:\n  - { from: 1000, look: weekly }\n"));
        Assert.Contains(e.Problems, p => p.File == "firm.yaml" && p.Field == "tiers" && p.Message.Contains("from: 0", StringComparison.Ordinal));
        Assert.Empty(store.Schedules());

        StoredSchedules.Set(store, ScheduleKind.Firm, null, "firm.yaml", "tiers:\n  - { from: 0, look: monthly }\ncooldown: 1 day\n");
        StoredSchedules.Set(store, ScheduleKind.Model, "core", "core.yaml", "pauseAfterRebalance: 3 months\n");
        StoredSchedules.Set(store, ScheduleKind.Account, "twenty", "twenty.yaml", "minimumAccountValue: 50000\n");
        var schedules = StoredSchedules.Load(store);
        Assert.Equal(Period.OfMonths(3), schedules.For("core").PauseAfterRebalance);
        var twenty = schedules.For("core", "twenty");
        Assert.Equal((50_000m, Period.OfMonths(3)), (twenty.MinimumAccountValue, twenty.PauseAfterRebalance));
        Assert.Throws<InputException>(() => StoredSchedules.Set(store, ScheduleKind.Model, "nope", "x.yaml", "cooldown: 1 day\n"));

        var run = RunWindow(store, 2026, 1, 5);
        Assert.Equal(("below minimum", "not evaluated"), (Verdict(store, run, "twenty").Decision, Verdict(store, run, "twenty").Outcome));

        Assert.True(store.ClearSchedule(ScheduleKind.Account, "twenty"));
        Assert.Equal(0m, StoredSchedules.Load(store).For("core", "twenty").MinimumAccountValue);
    }

    [Fact]
    public void ABatchReadByIdRanges_SeesOnlyItsOwnAccounts_InItsHoldsItsNamesAndTheVerdictsAlreadyRecorded()
    {
        // Ten accounts of consecutive ids; a batch of some of them is read by the range of its ids, which holds the others too.
        var store = NewStore();
        var ids = Enumerable.Range(0, 10).Select(a => store.AddAccount(new NewAccount($"acct-{a}", AccountType.Taxable, "USD"))).ToList();
        store.SetHold("acct-4", "client review");

        // Holds: only the accounts asked for, acct-4's among them when asked.
        var apart = store.RestrictionsOfAccounts([ids[1], ids[8]]);
        Assert.Equal([ids[1], ids[8]], apart.Keys.Order());
        Assert.All(apart.Values, r => Assert.True(r.IsEmpty));
        Assert.Equal("client review", store.RestrictionsOfAccounts([ids[3], ids[4], ids[5]])[ids[4]].Hold);

        var (run, _) = store.BeginWindowRun("2026-01-05T10:00", new DateOnly(2026, 1, 5), new DateTimeOffset(2026, 1, 5, 15, 0, 0, TimeSpan.Zero));
        NewWindowRunAccount Verdict(int a) => new(ids[a], "look", "no trades", "look", "inside its bands");
        // acct-2 is recorded first; a batch of 1, 2 and 3 then records 1 and 3 only, and one of 0 and 9 both (2 lies in its range).
        store.RecordWindowAccounts(run.Id, [Verdict(2)]);
        store.RecordWindowAccounts(run.Id, [Verdict(1), Verdict(2), Verdict(3)]);
        store.RecordWindowAccounts(run.Id, [Verdict(0), Verdict(9)]);
        Assert.Equal(new[] { 0, 1, 2, 3, 9 }.Select(a => ids[a]), store.WindowRunRecorded(run.Id).Order());
        Assert.Equal(5, store.WindowRunAccounts(run.Id).Count);

        // An id in the batch's range that is no account of this tenant refuses the whole batch.
        var missing = ids[^1] + 1;
        var e = Assert.Throws<InputException>(() => store.RecordWindowAccounts(run.Id, [Verdict(5), new NewWindowRunAccount(missing, "look", "no trades", "look", "x")]));
        Assert.Equal($"account {missing} does not exist", e.Problems[0].Message);
        Assert.Equal(new[] { 0, 1, 2, 3, 9 }.Select(a => ids[a]), store.WindowRunRecorded(run.Id).Order());
    }

    [Fact]
    public void WindowFacts_OfABatchInSeveralRunsOfIds_ReadByIdRanges_AreEachAccountsFactsReadAlone()
    {
        // A cluster's partition is runs of consecutive ids (AccountPartition): its batch's facts are read by an OR of id ranges.
        var store = NewStore();
        var ids = new List<long>();
        for (var a = 0; a < 100; a++)
        {
            var name = $"acct-{a:D3}";
            ids.Add(store.AddAccount(new NewAccount(name, AccountType.Taxable, "USD")));
            if (a % 3 == 0) store.Deposit(name, 100m + a, new DateOnly(2026, 1, 2));
            if (a % 4 == 1) store.AddCashNeed(name, 50m + a, new DateOnly(2026, 2, 1), "tuition");
        }
        ids.Sort();
        // Three runs of ids far apart (a few ids left out inside them), and the ids inside the runs that are not in the batch.
        long[] batch = [.. ids.Take(6), .. ids.Skip(45).Take(8).Where((_, i) => i != 3), .. ids.TakeLast(5)];
        Assert.Contains(" OR ", BallastStore.IdRanges(Location.Provider, batch)("id"), StringComparison.Ordinal);
        var cutOff = new DateTimeOffset(2026, 1, 5, 15, 0, 0, TimeSpan.Zero);
        static string Text(WindowAccountFacts f) =>
            $"{f.LastLook}|{f.LastRun}|{f.LastEvaluatedCutOff}|{f.LastCashFlowRecorded}|{f.LastCashInDate}|{f.OpenProposal}|{f.CashNeed}|{string.Join(",", f.CashNeedIds ?? [])}";
        var together = store.WindowFacts("2026-01-05T10:00", cutOff, new DateOnly(2025, 12, 5), batch);
        Assert.Equal(batch.Order(), together.Keys.Order());
        foreach (var id in batch)
            Assert.Equal(Text(store.WindowFacts("2026-01-05T10:00", cutOff, new DateOnly(2025, 12, 5), [id])[id]), Text(together[id]));
        Assert.Contains(together.Values, f => f.CashNeed > 0);
        Assert.Contains(together.Values, f => f.LastCashFlowRecorded is not null);
        // One run of ids is read by one range.
        Assert.Equal("id BETWEEN @lo AND @hi", BallastStore.IdRanges(Location.Provider, [.. ids.Take(20)])("id"));
    }
}

public sealed class SqliteWindowRunTests : WindowRunSuite
{
    protected override StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Path.Combine(Directory, "ballast.db")}");
}

public sealed class PostgresWindowRunTests : WindowRunSuite
{
    private readonly PostgresDatabase _database = new();
    protected override StoreLocation Location => _database.Location;

    public override void Dispose()
    {
        _database.Dispose();
        base.Dispose();
    }
}
