using Ballast.Input;
using Ballast.Operations.Blocks;
using Ballast.Operations.Windows;
using Ballast.Store.Integrity;
using Ballast.Store.Ledger;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>
/// Tenants (firms) on SQLite and PostgreSQL: every row of a firm's book belongs to one tenant, and a store seen by one tenant
/// (<see cref="BallastStore.ForTenant(long, string)"/>) finds another tenant's names and ids exactly as it finds missing ones.
/// The store as the command line opens it (no tenant) is the <c>default</c> tenant's.
/// </summary>
public abstract partial class StoreSuite
{
    /// <summary>The default tenant's store and a second tenant's, <c>acme</c>, with prices both share.</summary>
    private (BallastStore Default, BallastStore Acme) TwoTenants()
    {
        var store = NewStore();
        store.ImportPrices(WriteFile("prices.csv", "date,ticker,close\n2025-09-29,VTI,100\n2025-09-29,BND,50\n2025-09-30,VTI,100\n2025-09-30,BND,50\n"));
        store.CreateApiKey("acme", ApiRoles.Admin);
        var acme = store.ForTenant(store.FindTenant("acme")!.Value, "key 1 (acme, admin)");
        return (store, acme);
    }

    /// <summary>The same names in a tenant's book: model core, household smith, account alice with <paramref name="cash"/>.</summary>
    private static void Book(BallastStore store, decimal cash, decimal vti)
    {
        store.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = vti, ["BND"] = 1 - vti });
        store.AddAccount(new NewAccount("alice", AccountType.Taxable, "USD", "smith", "core"));
        store.Deposit("alice", cash, new DateOnly(2025, 9, 29), "dep-1");
    }

    [Fact]
    public void Tenants_WithTheSameAccountModelAndHouseholdNames_EachSeeOnlyTheirOwn()
    {
        var (store, acme) = TwoTenants();
        Book(store, 1000m, 0.6m);
        Book(acme, 2500m, 0.8m);
        acme.AddAccount(new NewAccount("bob", AccountType.TaxFree, "EUR", "jones"));

        Assert.Equal([("alice", "smith", "core", 1000m)], store.ListAccounts().Select(a => (a.Name, a.Household, a.Model, a.Cash)));
        Assert.Equal([("alice", "smith", "core", 2500m), ("bob", "jones", null, 0m)], acme.ListAccounts().Select(a => (a.Name, a.Household, a.Model, a.Cash)));
        Assert.Equal(["alice"], store.Accounts().Select(a => a.Name));
        Assert.Equal(["smith"], store.ListHouseholds().Select(h => h.Name));
        Assert.Equal(["jones", "smith"], acme.ListHouseholds().Select(h => h.Name));
        Assert.Equal(0.6m, store.GetModel("core")!.Targets["VTI"]);
        Assert.Equal(0.8m, acme.GetModel("core")!.Targets["VTI"]);
        Assert.Single(Assert.Single(acme.ListModels()).Versions);
        Assert.Equal(1000m, store.Position("alice").Cash);
        Assert.Equal(2500m, acme.Position("alice").Cash);
        Assert.Equal([1000m], store.Transactions().Select(t => t.Cash));
        Assert.Equal([2500m], acme.Transactions("alice").Select(t => t.Cash));
        Assert.Equal(["alice"], acme.AccountsOnModel("core"));
        Assert.Equal([1000m], store.ReadAccounts(new SnapshotQuery(Today)).Select(a => a.Cash));
        Assert.Equal(2, acme.ReadAccounts(new SnapshotQuery(Today)).Count());
        Assert.Equal(1, store.CountAccounts());
        // Securities and prices are market data, shared by every tenant.
        Assert.Equal(store.ListPrices(Today).Select(p => (p.Ticker, p.Latest)), acme.ListPrices(Today).Select(p => (p.Ticker, p.Latest)));
        // The database keeps names unique per tenant, not store-wide.
        var dup = Assert.ThrowsAny<System.Data.Common.DbException>(() => store.Read(c => c.Execute(
            "INSERT INTO accounts (id, name, type, currency, created_at, tenant_id) VALUES (999, 'alice', 'taxable', 'USD', 'x', @t)", new { t = acme.TenantId })));
        Assert.True(dup.Message.Contains("UNIQUE", StringComparison.Ordinal) || dup is Npgsql.PostgresException { SqlState: "23505" }, dup.Message);
        // Audit rows name the tenant they were written for.
        Assert.Contains(acme.Audit(), a => a.Action == "account" && a.Summary.Contains("bob", StringComparison.Ordinal));
        Assert.DoesNotContain(store.Audit(), a => a.Summary.Contains("bob", StringComparison.Ordinal));
        Assert.True(store.Verify().Ok);
    }

    /// <summary>Asserts <paramref name="act"/> is refused with exactly the message a missing name or id gets, and writes nothing.</summary>
    private static void NotFound(BallastStore store, string message, Action act)
    {
        var before = Fingerprint(store);
        var e = Assert.Throws<InputException>(act);
        Assert.Contains(e.Problems, p => p.Message == message);
        Assert.Equal(before, Fingerprint(store));
    }

    [Fact]
    public void Tenants_AnotherTenantsNamesAndIds_AreNotFound_AsMissingOnesAre_ForEveryKindOfResource()
    {
        var (store, acme) = TwoTenants();
        Book(store, 5000m, 0.6m);
        store.AddAccount(new NewAccount("carol", AccountType.Taxable, "USD", "carols"));
        store.Deposit("carol", 3000m, new DateOnly(2025, 9, 29));
        var proposal = store.SaveProposal(new NewProposal("account alice", "test", null, "{}", "{}", [new ProposedOrder("alice", "VTI", OrderSide.Buy, 10, 100m)]));
        var other = store.SaveProposal(new NewProposal("account carol", "test", null, "{}", "{}", [new ProposedOrder("carol", "VTI", OrderSide.Buy, 5, 100m)]));
        store.SetProposalStatus(proposal, ProposalStatus.Approved);
        var block = new BlockDesk(store).Create().Single();
        var need = store.AddCashNeed("carol", 100m, new DateOnly(2025, 10, 10));
        var hook = store.AddWebhook("http://127.0.0.1:1/hook", "secret", sinceId: 0);
        var (run, _) = store.BeginWindowRun("2025-09-30T10:00", new DateOnly(2025, 9, 30), new DateTimeOffset(2025, 9, 30, 14, 30, 0, TimeSpan.Zero));
        store.SetRestriction(RestrictionScope.Account, "alice", "VTI", RestrictionKind.DoNotBuy);
        store.SetRestriction(RestrictionScope.Firm, null, "BND", RestrictionKind.Untradable);
        store.SetSchedule(ScheduleKind.Account, "alice", "{ look: daily }");
        store.SetFirmSettings([("approval", "none")]);
        acme.SetModel("own", new Dictionary<string, decimal> { ["VTI"] = 1m });
        acme.AddAccount(new NewAccount("own", AccountType.Taxable, "USD", "owners", "own"));

        // Accounts: the other tenant's name as a name no tenant has.
        foreach (var name in new[] { "carol", "nobody" })
        {
            NotFound(acme, $"account '{name}' does not exist", () => acme.Deposit(name, 1m, Today));
            NotFound(acme, $"account '{name}' does not exist", () => acme.Withdraw(name, 1m, Today));
            NotFound(acme, $"account '{name}' does not exist", () => acme.Position(name));
            NotFound(acme, $"account '{name}' does not exist", () => acme.AssignModel(name, "own"));
            NotFound(acme, $"account '{name}' does not exist", () => acme.SetMargin(name, true));
            NotFound(acme, $"account '{name}' does not exist", () => acme.SetAccountExecution(name, null));
            NotFound(acme, $"account '{name}' does not exist", () => acme.AccountExecution(name));
            NotFound(acme, $"account '{name}' does not exist", () => acme.SetLotMethod(name, Ballast.Tax.LotSelectionMethod.Hifo));
            NotFound(acme, $"account '{name}' does not exist", () => acme.LotMethod(name));
            NotFound(acme, $"account '{name}' does not exist", () => acme.AddCashNeed(name, 1m, Today));
            NotFound(acme, $"no account named '{name}'", () => acme.SetHold(name, "why"));
            NotFound(acme, $"no account named '{name}'", () => acme.ModelOfAccount(name));
            NotFound(acme, $"no account named '{name}'", () => acme.RestrictionsOfAccount(name));
            NotFound(acme, $"no account named '{name}'", () => acme.SetRestriction(RestrictionScope.Account, name, "VTI", RestrictionKind.DoNotSell));
            NotFound(acme, $"no account named '{name}'", () => acme.SetSchedule(ScheduleKind.Account, name, "{ look: daily }"));
            NotFound(acme, $"account '{name}' does not exist", () => acme.SaveProposal(new NewProposal("x", "test", null, "{}", "{}", [new ProposedOrder(name, "VTI", OrderSide.Buy, 1, 100m)])));
            Assert.Empty(acme.Transactions(name));
            Assert.Empty(acme.Lots(name));
            Assert.Empty(acme.Proposals(name));
            Assert.Empty(acme.ReadAccounts(new SnapshotQuery(Today, Account: name)));
        }
        var fills = WriteFile("fills.csv", "execution_id,account,date,ticker,side,quantity,price\nE-1,carol,2025-09-30,VTI,buy,1,100\n");
        var e = Assert.Throws<InputException>(() => acme.ImportFills(fills));
        Assert.Contains(e.Problems, p => p.Message == "account 'carol' does not exist");
        var deposits = WriteFile("transactions.csv", "account,date,type,amount\ncarol,2025-09-30,deposit,10\n");
        e = Assert.Throws<InputException>(() => acme.ImportTransactions(deposits));
        Assert.Contains(e.Problems, p => p.Message.StartsWith("account 'carol' does not exist", StringComparison.Ordinal));

        // Households.
        foreach (var name in new[] { "smith", "nobody" })
        {
            NotFound(acme, $"no household named '{name}'", () => acme.SetHouseholdHold(name, "why"));
            NotFound(acme, $"household '{name}' does not exist", () => acme.SetHouseholdTax(name, null));
            NotFound(acme, $"household '{name}' does not exist", () => acme.HouseholdTax(name));
            NotFound(acme, $"no household named '{name}'", () => acme.SetRestriction(RestrictionScope.Household, name, "VTI", RestrictionKind.DoNotSell));
            Assert.Empty(acme.ReadAccounts(new SnapshotQuery(Today, Household: name)));
        }

        // Models: the other tenant's model is not there to follow, read or schedule; a model set by that name is the tenant's own.
        Assert.Null(acme.GetModel("core"));
        Assert.Empty(acme.AccountsOnModel("core"));
        Assert.Empty(acme.ListModels("core"));
        NotFound(acme, "model 'core' does not exist", () => acme.AssignModel("own", "core"));
        NotFound(acme, "no model named 'core'", () => acme.SetSchedule(ScheduleKind.Model, "core", "{ look: daily }"));
        Assert.DoesNotContain("core", acme.LatestModelVersionTimes().Keys);

        // Proposals, by id.
        foreach (var id in new[] { proposal, other, 9999L })
        {
            NotFound(acme, $"proposal {id} does not exist", () => acme.GetProposal(id));
            NotFound(acme, $"proposal {id} does not exist", () => acme.SetProposalStatus(id, ProposalStatus.Cancelled));
            NotFound(acme, $"proposal {id} does not exist", () => acme.RejectProposal(id, "no"));
            NotFound(acme, $"proposal {id} does not exist", () => acme.CreateBlocks([id], [ProposalStatus.Approved], null, _ => []));
            Assert.Null(acme.Rejection(id));
        }
        Assert.Empty(acme.Proposals());

        // Blocks and block fills, by id.
        foreach (var id in new[] { block.Id, 9999L })
        {
            NotFound(acme, $"block {id} does not exist", () => acme.GetBlock(id));
            NotFound(acme, $"block {id} does not exist", () => acme.CancelBlock(id));
            var blockFills = WriteFile($"block-fills-{id}.csv", $"execution_id,block,date,quantity,price\nB-1,{id},2025-09-30,1,100\n");
            NotFound(acme, $"block {id} does not exist", () => new BlockDesk(acme).ImportFills(blockFills));
        }
        Assert.Empty(acme.Blocks());
        Assert.Empty(new BlockDesk(acme).Create()); // the default tenant's approved proposals are not the desk's to gather

        // Window runs, by window id and run number.
        Assert.Null(acme.FindWindowRun("2025-09-30T10:00"));
        Assert.Null(acme.FindWindowRun(run.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Empty(acme.WindowRuns());
        Assert.Empty(acme.WindowRunAccounts(run.Id));
        Assert.Empty(acme.WindowRunCounts(run.Id));
        Assert.Empty(acme.WindowRunRecorded(run.Id));
        Assert.Empty(acme.WindowRunProposalsToGather(run.Id));
        NotFound(acme, $"no window run {run.Id}", () => acme.FinishWindowRun(run.Id));
        NotFound(acme, $"no window run {run.Id}", () => acme.RecordWindowAccounts(run.Id, []));

        // Restrictions, schedules, firm settings, cash needs: each tenant's own.
        Assert.Empty(acme.Restrictions());
        Assert.Empty(acme.RestrictionsOfAccount("own").Restrictions);
        Assert.Empty(acme.Schedules());
        Assert.Empty(acme.FirmSettingTexts());
        Assert.Empty(acme.CashNeeds());
        NotFound(acme, $"cash need {need} does not exist", () => acme.CancelCashNeed(need));

        // Webhooks, by id.
        foreach (var id in new[] { hook.Id, 9999L })
        {
            NotFound(acme, $"no active webhook {id}; 'ballast webhooks list' shows them", () => acme.RemoveWebhook(id));
            NotFound(acme, $"no webhook {id}", () => acme.PendingEvents(id));
            NotFound(acme, $"no webhook {id}", () => acme.RecordDeliveries(id, [new DeliveryOutcome(1, true, 1, null, FixedClock.Default)]));
            Assert.Empty(acme.WebhookDeliveries(id));
        }
        Assert.Empty(acme.Webhooks(all: true));

        // The other tenant's book is as it was.
        Assert.Equal(2, store.ListAccounts().Count);
        Assert.Equal(2, store.Proposals().Count);
        Assert.Single(store.Blocks());
        Assert.Single(store.WindowRuns());
        Assert.Equal(2, store.Restrictions().Count);
        Assert.Single(store.Webhooks());
        Assert.Equal("none", Assert.Single(store.FirmSettingTexts()).Value);
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Tenants_EventsAndWebhooks_ArePerTenant()
    {
        var (store, acme) = TwoTenants();
        var hook = store.AddWebhook("http://127.0.0.1:1/default", "s1", sinceId: 0);
        var acmeHook = acme.AddWebhook("http://127.0.0.1:1/acme", "s2", sinceId: 0);
        Book(store, 1000m, 0.6m);
        Book(acme, 2000m, 0.6m);
        store.SaveProposal(new NewProposal("account alice", "test", null, "{}", "{}", [new ProposedOrder("alice", "VTI", OrderSide.Buy, 1, 100m)]));
        acme.SaveProposal(new NewProposal("account alice", "test", null, "{}", "{}", [new ProposedOrder("alice", "BND", OrderSide.Buy, 2, 50m)]));
        acme.SaveProposal(new NewProposal("account alice", "test", null, "{}", "{}", [new ProposedOrder("alice", "BND", OrderSide.Buy, 3, 50m)]));

        var mine = store.Events();
        var theirs = acme.Events();
        Assert.Single(mine, x => x.Kind == EventKinds.ProposalCreated);
        Assert.Equal(2, theirs.Count(x => x.Kind == EventKinds.ProposalCreated));
        Assert.Empty(mine.Select(x => x.Id).Intersect(theirs.Select(x => x.Id)));
        Assert.Equal(theirs[^1].Id, acme.LastEventId());
        Assert.Equal(mine[^1].Id, store.LastEventId());
        Assert.Empty(acme.Events(sinceId: theirs[^1].Id));

        // A webhook receives its tenant's events only; each tenant lists its own webhooks.
        Assert.Equal(mine.Select(x => x.Id), store.PendingEvents(hook.Id).Select(x => x.Id));
        Assert.Equal(theirs.Select(x => x.Id), acme.PendingEvents(acmeHook.Id).Select(x => x.Id));
        Assert.Equal([hook.Id], store.Webhooks().Select(w => w.Id));
        Assert.Equal([acmeHook.Id], acme.Webhooks().Select(w => w.Id));
        acme.RecordDeliveries(acmeHook.Id, [new DeliveryOutcome(theirs[0].Id, true, 1, null, FixedClock.Default)]);
        Assert.Single(acme.WebhookDeliveries(acmeHook.Id));
        Assert.Empty(store.WebhookDeliveries(acmeHook.Id));
        // A webhook added later starts after its own tenant's last event.
        var later = acme.AddWebhook("http://127.0.0.1:1/later", "s3");
        Assert.Equal(acme.LastEventId(), later.Cursor);
        Assert.Empty(acme.PendingEvents(later.Id));
    }

    [Fact]
    public void Tenants_AWindowRunAndABlockDesk_ForOneTenant_NeverTouchAnothersAccounts()
    {
        var (store, acme) = TwoTenants();
        const string Rails = "{ look: daily, trigger: threshold, relative: 20% }";
        foreach (var s in new[] { store, acme })
        {
            s.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 0.5m, ["BND"] = 0.5m }, Rails);
            s.AddAccount(new NewAccount("alice", AccountType.Taxable, "USD", Model: "core"));
            s.ImportPositions(WriteFile($"positions-{s.TenantId}.csv", "ticker,quantity\nVTI,300\nBND,0\n"), "alice", asOf: new DateOnly(2025, 9, 29));
        }
        acme.AddAccount(new NewAccount("bob", AccountType.Taxable, "USD", Model: "core"));
        acme.ImportPositions(WriteFile("positions-bob.csv", "ticker,quantity\nVTI,0\nBND,600\n"), "bob", asOf: new DateOnly(2025, 9, 29));
        var before = store.ListAccounts();

        var window = TradingCalendar.Default.On(new DateOnly(2025, 9, 29)).First();
        var result = new WindowRunner(acme, "test").Run(TradingCalendar.Default, window);

        Assert.Equal(2, result.Run.Accounts);
        Assert.Equal(["alice", "bob"], acme.WindowRunAccounts(result.Run.Id).Select(a => a.Account));
        Assert.Equal(2, result.Proposals.Count);
        Assert.Empty(store.WindowRuns());
        Assert.Empty(store.Proposals());
        // The default tenant runs the same window (its own run of the same window id) over its own account.
        var own = new WindowRunner(store, "test").Run(TradingCalendar.Default, window);
        Assert.False(own.AlreadyDone);
        Assert.Equal(["alice"], store.WindowRunAccounts(own.Run.Id).Select(a => a.Account));
        var defaultProposal = Assert.Single(own.Proposals).ProposalId;

        // Approved on both sides (by the firm's approval rule, or by hand); acme's desk gathers only acme's.
        foreach (var (s, id) in result.Proposals.Select(p => (acme, p.ProposalId)).Append((store, defaultProposal)))
            if (s.GetProposal(id).Status == ProposalStatus.Proposed) s.SetProposalStatus(id, ProposalStatus.Approved);
        var blocks = new BlockDesk(acme).Create(window: window.Id);
        Assert.All(blocks.SelectMany(b => b.Lines), l => Assert.Contains(l.ProposalId, result.Proposals.Select(p => p.ProposalId)));
        Assert.Empty(store.Blocks());
        Assert.Equal(ProposalStatus.Approved, store.GetProposal(defaultProposal).Status);
        Assert.Equal(before.Select(a => (a.Name, a.Cash, a.Holdings)), store.ListAccounts().Select(a => (a.Name, a.Cash, a.Holdings)));
        Assert.NotEmpty(new BlockDesk(store).Create());
        Assert.True(store.Verify().Ok);
    }

    [Fact]
    public void Tenants_TheMigrationOfAVersion13Store_PutsEveryRowInTheDefaultTenant_AndTheChainsStillVerify()
    {
        // A store at schema version 13, filled as that version wrote it (plain inserts, the chains computed as it computed them),
        // with a tenant made by 'keys create' before the default one exists: the default tenant gets the next id.
        var old = BallastStore.Initialize(Location, Options(), 13);
        old.Read(c =>
        {
            using var tx = c.BeginTransaction();
            void Sql(string sql) => c.Execute(sql, transaction: tx);
            Sql("INSERT INTO tenants (id, name, created_at, actor) VALUES (1, 'acme', '2025-09-01T00:00:00.000Z', 'old')");
            Sql("INSERT INTO securities (id, ticker, created_at) VALUES (1, 'VTI', '2025-09-01T00:00:00.000Z')");
            Sql("INSERT INTO prices (security_id, date, close) VALUES (1, '2025-09-29', 100000000)");
            Sql("INSERT INTO households (id, name, created_at) VALUES (1, 'smith', '2025-09-01T00:00:00.000Z')");
            Sql("INSERT INTO models (id, name, created_at) VALUES (1, 'core', '2025-09-01T00:00:00.000Z')");
            Sql("INSERT INTO model_versions (id, model_id, version, created_at, actor) VALUES (1, 1, 1, '2025-09-01T00:00:00.000Z', 'old')");
            Sql("INSERT INTO model_targets (model_version_id, security_id, weight) VALUES (1, 1, 10000000000)");
            Sql("INSERT INTO accounts (id, name, household_id, type, currency, model_id, created_at) VALUES (1, 'alice', 1, 'taxable', 'USD', 1, '2025-09-01T00:00:00.000Z')");
            Sql("INSERT INTO account_numbers (number, account_id) VALUES ('B-1', 1)");
            Sql("INSERT INTO transactions (id, account_id, kind, trade_date, quantity, cash, fee, idempotency_key, recorded_at) VALUES (1, 1, 'deposit', '2025-09-29', 0, 10000000, 0, 'dep-1', '2025-09-29T00:00:00.000Z')");
            Sql("INSERT INTO balances (account_id, cash) VALUES (1, 10000000)");
            Sql("INSERT INTO imports (id, kind, file, sha256, rows_read, at, actor) VALUES (1, 'accounts', 'a.csv', 'x', 1, '2025-09-01T00:00:00.000Z', 'old')");
            Sql("INSERT INTO proposals (id, created_at, actor, scope, engine_version, inputs, plan) VALUES (1, '2025-09-29T00:00:00.000Z', 'old', 'account alice', 'old', '{}', '{}')");
            Sql("INSERT INTO proposal_orders (proposal_id, line, account_id, security_id, side, quantity) VALUES (1, 1, 1, 1, 'buy', 1000000)");
            Sql("INSERT INTO schedules (kind, name, text, set_at, actor) VALUES ('account', 'alice', '{ look: daily }', '2025-09-01T00:00:00.000Z', 'old')");
            Sql("INSERT INTO window_runs (id, window_id, window_date, cut_off, status, started_at, actor) VALUES (1, '2025-09-29T10:00', '2025-09-29', '2025-09-29T14:30:00.000Z', 'completed', '2025-09-29T14:00:00.000Z', 'old')");
            Sql("INSERT INTO blocks (id, created_at, actor, security_id, side, quantity) VALUES (1, '2025-09-29T00:00:00.000Z', 'old', 1, 'buy', 1000000)");
            Sql("INSERT INTO block_fills (id, block_id, execution_id, trade_date, quantity, price, fee, allocation, recorded_at) VALUES (1, 1, 'E-1', '2025-09-29', 1000000, 100000000, 0, 1, '2025-09-29T00:00:00.000Z')");
            Sql("INSERT INTO restrictions (id, scope, name, ticker, kind, set_at, actor) VALUES (1, 'account', 'alice', 'VTI', 'do-not-sell', '2025-09-01T00:00:00.000Z', 'old')");
            Sql("INSERT INTO events (id, at, kind, subject, data) VALUES (1, '2025-09-29T00:00:00.000Z', 'proposal.created', '1', '{}')");
            Sql("INSERT INTO webhooks (id, url, secret, created_at, actor) VALUES (1, 'http://127.0.0.1:1/h', 's', '2025-09-01T00:00:00.000Z', 'old')");
            Sql("INSERT INTO firm_settings (key, value, set_at, actor) VALUES ('approval', 'none', '2025-09-01T00:00:00.000Z', 'old')");
            HashChain.Backfill(c, tx, Location.Provider, HashChain.Transactions);
            HashChain.AppendAudit(c, tx, "2025-09-29T00:00:00.000Z", "old", "deposit", "a deposit before tenants", null);
            tx.Commit();
            return 0;
        });
        Assert.Equal(13, old.SchemaVersion);
        var auditBefore = Count(old, "audit");

        var store = NewStore();

        Assert.Equal(Schema.Migrations.Current, store.SchemaVersion);
        var defaultId = store.FindTenant(BallastStore.DefaultTenantName);
        Assert.Equal(2L, defaultId);
        foreach (var table in new[] { "households", "models", "accounts", "account_numbers", "imports", "proposals", "schedules", "window_runs", "blocks", "block_fills", "restrictions", "events", "webhooks", "firm_settings" })
            Assert.Equal((table, 1L, 1L), (table, Count(store, table), store.Read(c => c.ExecuteScalar<long>($"SELECT COUNT(*) FROM {table} WHERE tenant_id = 2"))));
        // The audit rows written before keep no tenant (their hashes were computed without the column); the new ones name theirs.
        Assert.Equal(auditBefore, store.Read(c => c.ExecuteScalar<long>("SELECT COUNT(*) FROM audit WHERE tenant_id IS NULL")) - (Schema.Migrations.Current - 13)); // + each later migration's own row
        var report = store.Verify();
        Assert.True(report.Ok, string.Join("\n", report.Differences));

        // The migrated book is the default tenant's: the command line's store sees it, acme sees none of it.
        Assert.Equal([("alice", "smith", "core", 1000m)], store.ListAccounts().Select(a => (a.Name, a.Household, a.Model, a.Cash)));
        Assert.Equal("2025-09-29T10:00", Assert.Single(store.WindowRuns()).WindowId);
        Assert.Single(store.Proposals());
        Assert.Single(store.Blocks());
        Assert.Single(store.Restrictions());
        Assert.Single(store.Events());
        Assert.Single(store.Webhooks());
        Assert.Single(store.Schedules());
        Assert.Single(store.FirmSettingTexts());
        var acme = store.ForTenant("acme");
        Assert.Empty(acme.ListAccounts());
        Assert.Empty(acme.Events());
        // Names are unique per tenant now: acme may have its own alice, smith, core and broker number B-1.
        acme.SetModel("core", new Dictionary<string, decimal> { ["VTI"] = 1m });
        acme.AddAccount(new NewAccount("alice", AccountType.Taxable, "USD", "smith", "core"));
        acme.ImportAccounts(WriteFile("accounts.csv", "account,type,currency,broker_account\nalice,taxable,USD,B-1\n"));
        acme.Deposit("alice", 5m, Today);
        Assert.Equal(1000m, store.Position("alice").Cash);
        Assert.Equal(5m, acme.Position("alice").Cash);
        Assert.Equal(acme.TenantId, store.Read(c => c.ExecuteScalar<long?>("SELECT tenant_id FROM audit WHERE id = (SELECT MAX(id) FROM audit)")));
        report = store.Verify();
        Assert.True(report.Ok, string.Join("\n", report.Differences));
    }
}
