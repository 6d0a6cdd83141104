using System.Data.Common;
using System.Text.Json;
using Ballast.Input;
using Ballast.Operations.Blocks;
using Ballast.Store.Ledger;
using Dapper;

namespace Ballast.Store.Tests;

/// <summary>Events appended in the same transaction as the writes they describe; webhooks and their delivery cursor; on both providers.</summary>
public abstract partial class StoreSuite
{
    private static JsonElement Data(StoredEvent e) => JsonDocument.Parse(e.Data).RootElement;

    [Fact]
    public void Events_AreRecordedWithTheirWrites_IdsStrictlyIncreasing_AndReadSinceAnIdWithALimit()
    {
        var store = Seeded();
        store.Deposit("alice-taxable", 10_000m, Today);
        var p1 = store.SaveProposal(new NewProposal("account alice-taxable", "test", null, "{}", "{}", [new ProposedOrder("alice-taxable", "VTI", OrderSide.Buy, 10, 310.25m)]));
        store.SetProposalStatus(p1, ProposalStatus.Approved);
        store.SetProposalStatus(p1, ProposalStatus.Sent, "to the desk");
        store.ImportFills(WriteFile("fills.csv", $"execution_id,account,date,ticker,side,quantity,price,proposal\nX-1,alice-taxable,{Today:yyyy-MM-dd},VTI,buy,4,310,{p1}\nX-2,alice-taxable,{Today:yyyy-MM-dd},VTI,buy,6,310.5,{p1}\n"), "fills.csv");
        var p2 = store.SaveProposal(new NewProposal("account alice-ira", "test", null, "{}", "{}", [new ProposedOrder("alice-ira", "BND", OrderSide.Buy, 1)]));
        var p3 = store.SaveProposal(new NewProposal("account alice-ira", "test", null, "{}", "{}", [new ProposedOrder("alice-ira", "BND", OrderSide.Buy, 2)]));

        var all = store.Events(limit: 1000);
        Assert.Equal(["proposal.created", "proposal.approved", "proposal.sent", "proposal.filled", "fills.imported", "proposal.created", "proposal.created", "proposal.expired"],
            all.Select(e => e.Kind));
        Assert.Equal(Enumerable.Range(1, all.Count).Select(i => (long)i), all.Select(e => e.Id)); // strictly increasing, one per event
        Assert.All(all, e => Assert.Equal(FixedClock.Default, e.At));
        Assert.Equal([$"{p1}", $"{p1}", $"{p1}", $"{p1}", "fills.csv", $"{p2}", $"{p3}", $"{p2}"], all.Select(e => e.Subject));
        Assert.Equal(["alice-taxable"], Data(all[0]).GetProperty("accounts").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal(1, Data(all[0]).GetProperty("orders").GetInt32());
        Assert.Equal(("approved", "to the desk"), (Data(all[2]).GetProperty("from").GetString(), Data(all[2]).GetProperty("note").GetString()));
        Assert.Equal((2, 0), (Data(all[4]).GetProperty("recorded").GetInt32(), Data(all[4]).GetProperty("duplicates").GetInt32()));
        Assert.Equal(p3, Data(all[7]).GetProperty("supersededBy").GetInt64());

        // Since an id, a page at a time: the last id read is the next cursor.
        var page = store.Events(sinceId: 2, limit: 3);
        Assert.Equal([3L, 4, 5], page.Select(e => e.Id));
        Assert.Equal([6L, 7, 8], store.Events(sinceId: page[^1].Id, limit: 3).Select(e => e.Id));
        Assert.Empty(store.Events(sinceId: 8));
        Assert.Equal(8, store.LastEventId());
        Assert.Equal([1L, 6, 7], store.Events(kinds: ["proposal.created"]).Select(e => e.Id));
        Assert.Equal([7L], store.Events(sinceId: 6, kinds: ["proposal.created"]).Select(e => e.Id));
        Assert.Equal("--limit", Assert.Throws<InputException>(() => store.Events(limit: 0)).Problems[0].Field);

        // A fills file recorded again changes nothing: no event either.
        store.ImportFills(Path.Combine(Directory, "fills.csv"));
        Assert.Equal(["fills.imported"], store.Events(sinceId: 8).Select(e => e.Kind)); // the import itself is recorded, with 0 fills
        Assert.Equal(0, Data(store.Events(sinceId: 8)[0]).GetProperty("recorded").GetInt32());

        // Append-only, as the ledger.
        Assert.ThrowsAny<DbException>(() => store.Read(c => c.Execute("UPDATE events SET kind = 'x'")));
        Assert.ThrowsAny<DbException>(() => store.Read(c => c.Execute("DELETE FROM events")));
        Assert.Equal(9, Count(store, "events"));
    }

    [Fact]
    public void Events_AreInTheWriteTransaction_AWriteRolledBackLeavesNone()
    {
        var store = Seeded();
        store.Deposit("alice-taxable", 1_000m, Today);
        var p = store.SaveProposal(new NewProposal("account alice-taxable", "test", null, "{}", "{}", [new ProposedOrder("alice-taxable", "VTI", OrderSide.Buy, 2, 310m)]));
        var before = Fingerprint(store);
        var last = store.LastEventId();

        // The first proposal of the batch is saved (and its event appended) before the second is refused: both are rolled back.
        var e = Assert.Throws<InputException>(() => store.SaveProposals([
            new NewProposal("account alice-ira", "test", null, "{}", "{}", [new ProposedOrder("alice-ira", "BND", OrderSide.Buy, 1)]),
            new NewProposal("account nobody", "test", null, "{}", "{}", [new ProposedOrder("nobody", "BND", OrderSide.Buy, 1)]),
        ]));
        Assert.Contains("nobody", e.Message, StringComparison.Ordinal);
        // A fills file whose second row over-fills the proposal: the whole import, its fills.imported and proposal.filled, rolled back.
        AssertRefused(store, () => store.ImportFills(WriteFile("over.csv",
                $"execution_id,account,date,ticker,side,quantity,price,proposal\nX-1,alice-taxable,{Today:yyyy-MM-dd},VTI,buy,2,310,{p}\nX-2,alice-taxable,{Today:yyyy-MM-dd},VTI,buy,1,310,{p}\n"), "over.csv"),
            "over.csv", 3, "quantity", "beyond");
        Assert.Throws<InputException>(() => store.SetProposalStatus(p, ProposalStatus.Filled));

        Assert.Equal(before, Fingerprint(store));
        Assert.Equal(last, store.LastEventId());
        Assert.Equal(["proposal.created"], store.Events().Select(x => x.Kind));
    }

    [Fact]
    public void Events_OfBlocks_CreatedFilledAndCancelled_WithTheProposalsTheyClose()
    {
        var (store, a, b, c, _) = BlockDeskStore();
        var since = store.LastEventId();
        var blocks = new BlockDesk(store).Create();
        var bnd = blocks.Single(x => x.Ticker == "BND");
        var vti = blocks.Single(x => x.Ticker == "VTI");
        var created = store.Events(since);
        Assert.Equal(["block.created", "block.created"], created.Select(e => e.Kind));
        Assert.Equal([$"{bnd.Id}", $"{vti.Id}"], created.Select(e => e.Subject));
        Assert.Equal(("buy", 75m, 3), (Data(created[1]).GetProperty("side").GetString(), Data(created[1]).GetProperty("quantity").GetDecimal(), Data(created[1]).GetProperty("accounts").GetInt32()));

        since = store.LastEventId();
        new BlockDesk(store).ImportFills(WriteFile("bf.csv", $"execution_id,block,date,quantity,price\nE-1,{bnd.Id},{Today:yyyy-MM-dd},5,72.75\nE-2,{vti.Id},{Today:yyyy-MM-dd},30,100\n"));
        var filled = store.Events(since);
        Assert.Equal(["fills.imported", "block.filled"], filled.Select(e => e.Kind));
        Assert.Equal("blocks", Data(filled[0]).GetProperty("source").GetString());
        Assert.Equal($"{bnd.Id}", filled[1].Subject);

        since = store.LastEventId();
        new BlockDesk(store).Cancel(vti.Id, "market closed");
        var cancelled = store.Events(since);
        Assert.Equal(["block.cancelled", "proposal.cancelled", "proposal.cancelled", "proposal.cancelled"], cancelled.Select(e => e.Kind));
        Assert.Equal(45m, Data(cancelled[0]).GetProperty("cancelled").GetDecimal());
        Assert.Equal([$"{a}", $"{b}", $"{c}"], cancelled.Skip(1).Select(e => e.Subject));
        Assert.Equal("partly filled", Data(cancelled[1]).GetProperty("from").GetString());
    }

    [Fact]
    public void Webhooks_StartAtTheLastEvent_AndTheirCursorMovesOnlyPastDeliveredEvents()
    {
        var store = Seeded();
        var p = store.SaveProposal(new NewProposal("account alice-ira", "test", null, "{}", "{}", [new ProposedOrder("alice-ira", "BND", OrderSide.Buy, 1)]));
        var problems = Assert.Throws<InputException>(() => store.AddWebhook("ftp://example/x", "", ["window.started", "nope"])).Problems;
        Assert.Equal(["URL", "--secret", "--kinds"], problems.Select(x => x.Field));
        var before = Fingerprint(store);

        var hook = store.AddWebhook("https://hooks.example/T0/B0?token=abc", "secret", ["proposal.approved", "proposal.sent", "proposal.cancelled"]);
        Assert.Equal((1L, true), (hook.Cursor, hook.Active));
        Assert.Equal(["proposal.approved", "proposal.sent", "proposal.cancelled"], hook.Kinds);
        Assert.Equal("webhook 1 added: https://hooks.example/T0/B0?... for proposal.approved, proposal.sent, proposal.cancelled", store.Audit(1)[0].Summary); // the token stays out of the audit trail
        Assert.Equal(0, store.AddWebhook("http://127.0.0.1:1/all", "k", sinceId: 0).Cursor);
        Assert.NotEqual(before, Fingerprint(store));

        store.SetProposalStatus(p, ProposalStatus.Approved);
        store.SetProposalStatus(p, ProposalStatus.Sent);
        store.SetProposalStatus(p, ProposalStatus.Cancelled);
        var pending = store.PendingEvents(hook.Id);
        Assert.Equal(["proposal.approved", "proposal.sent", "proposal.cancelled"], pending.Select(e => e.Kind));
        Assert.Equal(4, store.PendingEvents(2).Count); // every kind, from the start

        var at = FixedClock.Default;
        store.RecordDeliveries(hook.Id, [new(pending[0].Id, true, 1, null, at), new(pending[1].Id, false, 4, "HTTP 500", at)]);
        var w = store.Webhooks().Single(x => x.Id == hook.Id);
        Assert.Equal(pending[0].Id, w.Cursor);
        Assert.Equal((pending[1].Id, 4, "HTTP 500"), (w.Failure!.EventId, w.Failure.Attempts, w.Failure.LastError));
        Assert.Equal([pending[1].Id, pending[2].Id], store.PendingEvents(hook.Id).Select(e => e.Id));

        // The retry delivers it: attempts add up, the cursor moves to the last delivered, never back.
        store.RecordDeliveries(hook.Id, [new(pending[1].Id, true, 2, null, at), new(pending[2].Id, true, 1, null, at)]);
        store.RecordDeliveries(hook.Id, [new(pending[0].Id, true, 1, null, at)]);
        w = store.Webhooks().Single(x => x.Id == hook.Id);
        Assert.Equal((pending[2].Id, (WebhookDelivery?)null), (w.Cursor, w.Failure));
        Assert.Equal([("delivered", 2), ("delivered", 6), ("delivered", 1)], store.WebhookDeliveries(hook.Id).Select(d => (d.Status, d.Attempts)));
        Assert.Empty(store.PendingEvents(hook.Id));

        store.RemoveWebhook(hook.Id);
        Assert.Equal([2L], store.Webhooks().Select(x => x.Id));
        Assert.False(store.Webhooks(all: true).Single(x => x.Id == hook.Id).Active);
        Assert.Equal("ID", Assert.Throws<InputException>(() => store.RemoveWebhook(hook.Id)).Problems[0].Field);
    }
}
