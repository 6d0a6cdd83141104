using System.Net;
using System.Text.Json;
using Ballast.Store;

namespace Ballast.Service.Tests;

/// <summary>Every POST (and the DELETE) of the stored resources: happy paths, 404, 409, 422 naming the field, and the audit row naming the key.</summary>
public abstract partial class ResourceSuite
{
    private const string Calendar = """{"timeZone": "America/New_York", "windows": [{"days": ["mon", "wed", "fri"], "at": "10:00"}], "cutOff": "30 minutes"}""";

    [Fact]
    public async Task Models_CreateAVersionAndRefuseBadBodies()
    {
        var created = await Json(await Post("/v1/models", """{"name": "income", "targets": {"BND": 0.7, "VTI": 0.3}}"""), HttpStatusCode.Created);
        Assert.Equal("income", created.GetProperty("name").GetString());
        Assert.Equal(1, created.GetProperty("latestVersion").GetInt32());
        Assert.Equal("0.7", created.GetProperty("versions")[0].GetProperty("targets").GetProperty("BND").GetRawText());
        await Http.Problem(await Post("/v1/models", """{"name": "income", "targets": {"BND": 1}}"""), 409, "name");

        var second = await Json(await Post("/v1/models/income/versions", """{"targets": {"BND": 0.5, "VTI": 0.5}, "policy": "look: quarterly\ntrigger: threshold\nabsolute: 5%\n"}"""), HttpStatusCode.Created);
        Assert.Equal(2, second.GetProperty("latestVersion").GetInt32());
        Assert.Contains("absolute", second.GetProperty("versions")[1].GetProperty("policy").GetString(), StringComparison.Ordinal);
        await Http.Problem(await Post("/v1/models/nothing/versions", """{"targets": {"BND": 1}}"""), 404, "name");

        await Http.Problem(await Post("/v1/models", """{"name": "x", "targets": {"VTI": "lots"}}"""), 422, "targets.VTI");
        await Http.Problem(await Post("/v1/models", """{"name": "x", "targets": {"VTI": 1}, "colour": "red"}"""), 422, "colour");
        await Http.Problem(await Post("/v1/models", """{"targets": {"VTI": 1}}"""), 422, "name");
        await Http.Problem(await Post("/v1/models", """{"name": "x", "targets": {"VTI": 0.5}}"""), 422, "targets");
        await Http.Problem(await Post("/v1/models", """{"name": "x", "targets": {"ZZZZ": 1}}"""), 422, "targets");
        await Http.Problem(await Post("/v1/models", """{"name": "x", "targets": {"VTI": 1}, "policy": "bands: [oops"}"""), 422);
        await Http.Problem(await Post("/v1/models", """{"name": "x", "targets": {"VTI": 1},}"""), 400);
        await Http.Problem(await Post("/v1/models", """{"name": "x", "name": "y", "targets": {"VTI": 1}}"""), 400);
        await Http.Problem(await Post("/v1/models", "[1, 2]"), 422);
        Assert.Equal(["a-growth", "income"], Names(await Json(await Get("/v1/models"))));
    }

    [Fact]
    public async Task Accounts_Create_409WhenTheyExist_422NamingTheField()
    {
        var created = await Json(await Post("/v1/accounts", """{"name": "a-roth", "type": "tax-free", "currency": "usd", "household": "a-smith", "model": "a-growth", "lotMethod": "hifo"}"""),
            HttpStatusCode.Created);
        Assert.Equal("USD", created.GetProperty("currency").GetString());
        Assert.Equal("tax-free", created.GetProperty("type").GetString());
        Assert.Equal("hifo", created.GetProperty("lotMethod").GetString());
        Assert.Equal(0m, created.GetProperty("cash").GetDecimal());
        Assert.Contains("a-roth", (await Json(await Get("/v1/households/a-smith"))).GetProperty("accounts").EnumerateArray().Select(x => x.GetString()));
        await Http.Problem(await Post("/v1/accounts", """{"name": "a-roth", "type": "taxable", "currency": "USD"}"""), 409, "name");
        await Http.Problem(await Post("/v1/accounts", """{"name": "z", "type": "weird", "currency": "USD"}"""), 422, "type");
        await Http.Problem(await Post("/v1/accounts", """{"name": "z", "type": "taxable", "currency": "USD", "model": "nope"}"""), 422, "model");
        await Http.Problem(await Post("/v1/accounts", """{"name": "z", "type": "taxable", "currency": "US"}"""), 422, "currency");
        await Http.Problem(await Post("/v1/accounts", """{"name": "z", "type": "taxable", "currency": 840}"""), 422, "currency");
        await Http.Problem(await Post("/v1/accounts", """{"name": "z", "type": "taxable", "currency": "USD", "lotMethod": "random"}"""), 422, "lotMethod");
    }

    [Fact]
    public async Task Restrictions_CreateAndDelete()
    {
        var firm = await Json(await Post("/v1/restrictions", """{"scope": "firm", "ticker": "bnd", "kind": "untradable", "reason": "halted"}"""), HttpStatusCode.Created);
        Assert.Equal("BND", firm.GetProperty("ticker").GetString());
        Assert.Equal(JsonValueKind.Null, firm.GetProperty("name").ValueKind);
        var cap = await Json(await Post("/v1/restrictions", """{"scope": "account", "name": "a-ira", "ticker": "VTI", "kind": "max-weight", "maxWeight": 0.5}"""), HttpStatusCode.Created);
        Assert.Equal("0.5", cap.GetProperty("maxWeight").GetRawText());
        Assert.Equal(3, (await Json(await Get("/v1/restrictions"))).GetProperty("data").GetArrayLength());
        await Http.Problem(await Post("/v1/restrictions", """{"scope": "account", "name": "a-ira", "ticker": "VTI", "kind": "never"}"""), 422, "kind");
        await Http.Problem(await Post("/v1/restrictions", """{"scope": "galaxy", "ticker": "VTI", "kind": "do-not-buy"}"""), 422, "scope");
        await Http.Problem(await Post("/v1/restrictions", """{"scope": "account", "name": "nobody", "ticker": "VTI", "kind": "do-not-buy"}"""), 422, "name");
        await Http.Problem(await Post("/v1/restrictions", """{"scope": "account", "name": "a-ira", "ticker": "VTI", "kind": "max-weight", "maxWeight": 2}"""), 422, "maxWeight");
        await Http.Problem(await Post("/v1/restrictions", """{"scope": "account", "name": "a-ira", "ticker": "ZZZZ", "kind": "do-not-buy"}"""), 422, "ticker");

        var id = firm.GetProperty("id").GetInt64();
        var deleted = await Send(HttpMethod.Delete, $"/v1/restrictions/{id}", Key());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        await Http.Problem(await Send(HttpMethod.Delete, $"/v1/restrictions/{id}", Key()), 404, "id");
        await Http.Problem(await Get($"/v1/restrictions/{id}"), 404, "id");
        await Http.Problem(await Send(HttpMethod.Delete, $"/v1/restrictions/{Firms["acme"].Restriction}", Key("acme", ApiRoles.Trader)), 403, "Authorization");
    }

    [Fact]
    public async Task Proposals_Approve_Reject_Cancel_With404And409()
    {
        var id = Firms["acme"].Proposal;
        var approver = Key("acme", ApiRoles.Approver);
        await Http.Problem(await Post($"/v1/proposals/{id}/reject", "{}", approver), 422, "reason");
        var approved = await Json(await Post($"/v1/proposals/{id}/approve", null, approver));
        Assert.Equal("approved", approved.GetProperty("status").GetString());
        var conflict = await Http.Problem(await Post($"/v1/proposals/{id}/approve", """{"note": "again"}""", approver), 409, "id");
        Assert.Equal("urn:ballast:problem:conflict", conflict.GetProperty("type").GetString());
        Assert.Equal("cancelled", (await Json(await Post($"/v1/proposals/{id}/cancel", """{"note": "client called"}""", Key("acme", ApiRoles.Trader)))).GetProperty("status").GetString());
        await Http.Problem(await Post($"/v1/proposals/{id}/approve", null, approver), 409, "id");
        await Http.Problem(await Post($"/v1/proposals/{id}/reject", """{"reason": "too late"}""", approver), 409, "id");
        await Http.Problem(await Post($"/v1/proposals/{id}/cancel", null, approver), 409, "id");
        foreach (var step in new[] { "approve", "cancel" })
        {
            await Http.Problem(await Post($"/v1/proposals/999999/{step}", null, approver), 404, "id");
            await Http.Problem(await Post($"/v1/proposals/x/{step}", null, approver), 404, "id");
        }
        await Http.Problem(await Post("/v1/proposals/999999/reject", """{"reason": "no"}""", approver), 404, "id");
        await Http.Problem(await Post($"/v1/proposals/{id}/approve", """{"mood": "good"}""", approver), 422, "mood");

        // A second proposal: rejected with its reason, which the proposal then shows.
        var store = Store.ForTenant(Firms["acme"].TenantId, "tester");
        var other = store.SaveProposal(new NewProposal("account a-ira", "test", null, "{}", "{}", [new ProposedOrder("a-ira", "BND", OrderSide.Buy, 1m, 50m)]));
        var rejected = await Json(await Post($"/v1/proposals/{other}/reject", """{"reason": "drift is small"}""", approver));
        Assert.Equal("rejected", rejected.GetProperty("status").GetString());
        Assert.Equal("drift is small", (await Json(await Get($"/v1/proposals/{other}"))).GetProperty("rejection").GetProperty("reason").GetString());
        Assert.Equal([other], (await Json(await Get("/v1/proposals?status=rejected"))).GetProperty("data").EnumerateArray().Select(p => p.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task Blocks_GatherApprovedProposals_AndFillsAreRecorded()
    {
        var id = Firms["acme"].Proposal;
        var trader = Key("acme", ApiRoles.Trader);
        await Json(await Post($"/v1/proposals/{id}/approve", null, Key("acme", ApiRoles.Approver)));
        await Http.Problem(await Post("/v1/blocks", "{}", trader), 422, "window");
        await Http.Problem(await Post("/v1/blocks", """{"proposals": [999999]}""", trader), 404, "proposals[0]");
        await Http.Problem(await Post("/v1/blocks", """{"window": "2026-03-02T10:00"}""", trader), 404, "window");
        await Http.Problem(await Post("/v1/blocks", """{"proposals": ["one"]}""", trader), 422, "proposals[0]");
        var made = await Json(await Post("/v1/blocks", $$"""{"proposals": [{{id}}]}""", trader), HttpStatusCode.Created);
        var block = Assert.Single(made.GetProperty("data").EnumerateArray());
        Assert.Equal("BND", block.GetProperty("ticker").GetString());
        Assert.Equal("20", block.GetProperty("quantity").GetRawText());
        Assert.Equal("open", block.GetProperty("status").GetString());
        var blockId = block.GetProperty("id").GetInt64();
        var detail = await Json(await Get($"/v1/blocks/{blockId}"));
        var line = Assert.Single(detail.GetProperty("lines").EnumerateArray());
        Assert.Equal("a-ira", line.GetProperty("account").GetString());
        Assert.Equal(id, line.GetProperty("proposal").GetInt64());
        Assert.Equal([blockId], (await Json(await Get("/v1/blocks"))).GetProperty("data").EnumerateArray().Select(b => b.GetProperty("id").GetInt64()));

        // A fill, then a batch: recorded by the fills import; a fill recorded before is a duplicate.
        var one = await Json(await Post("/v1/fills", """{"executionId": "f-1", "account": "a-ira", "date": "2025-09-30", "ticker": "BND", "side": "buy", "quantity": 2, "price": 50.25, "fee": 0.5}""", trader),
            HttpStatusCode.Created);
        Assert.Equal(1, one.GetProperty("recorded").GetInt32());
        var batch = await Json(await Post("/v1/fills", """{"fills": [{"executionId": "f-1", "account": "a-ira", "date": "2025-09-30", "ticker": "BND", "side": "buy", "quantity": 2, "price": 50.25, "fee": 0.5}, {"executionId": "f-2", "account": "a-ira", "date": "2025-09-30", "ticker": "VTI", "side": "sell", "quantity": 1, "price": 111}]}""", trader),
            HttpStatusCode.Created);
        Assert.Equal(1, batch.GetProperty("recorded").GetInt32());
        Assert.Equal(1, batch.GetProperty("duplicates").GetInt32());
        var ledger = await Json(await Get("/v1/accounts/a-ira/transactions"));
        Assert.Equal(["deposit", "buy", "buy", "sell"], ledger.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("kind").GetString()));
        Assert.Equal(-101m, ledger.GetProperty("data")[2].GetProperty("cash").GetDecimal());

        await Http.Problem(await Post("/v1/fills", """{"fills": [{"executionId": "f-3", "account": "a-ira", "date": "2025-09-30", "ticker": "BND", "side": "buy", "quantity": 1, "price": 50}, {"executionId": "f-4", "account": "a-ira", "date": "2025-09-30", "ticker": "BND", "side": "buy", "quantity": -1, "price": 50}]}""", trader),
            422, "fills[1].quantity");
        await Http.Problem(await Post("/v1/fills", """{"executionId": "f-5", "account": "a-ira", "date": "2025-09-30", "ticker": "BND", "side": "hold", "quantity": 1, "price": 50}""", trader), 422, "side");
        await Http.Problem(await Post("/v1/fills", """{"executionId": "f-5", "account": "a-ira", "date": "2025-09-30", "ticker": "BND", "side": "buy", "quantity": "1", "price": 50}""", trader), 422, "quantity");
        await Http.Problem(await Post("/v1/fills", """{"fills": [{"executionId": "f-6", "colour": "red"}]}""", trader), 422, "fills[0].colour");
        await Http.Problem(await Post("/v1/fills", """{"fills": []}""", trader), 422, "fills");
        // Nothing of the refused batches was written.
        Assert.Equal(4, (await Json(await Get("/v1/accounts/a-ira/transactions"))).GetProperty("data").GetArrayLength());
    }

    [Fact]
    public async Task WindowRuns_RunAWindow_ThenReadItsVerdicts()
    {
        var trader = Key("acme", ApiRoles.Trader);
        await Http.Problem(await Post("/v1/window-runs", "{}", trader), 422, "calendar");
        await Http.Problem(await Post("/v1/window-runs", """{"calendar": {"timeZone": "Mars/Olympus", "windows": []}}""", trader), 422, "calendar.timeZone");
        await Http.Problem(await Post("/v1/window-runs", $$"""{"calendar": {{Calendar}}, "at": "someday"}""", trader), 422, "at");
        // The ends of the calendar: eight weeks back from year 1, or a zone behind UTC in year 9999, are refused, not a 500.
        foreach (var at in new[] { "0001-01-01T00:00Z", "0001-01-10", "9999-12-31", "9999-12-31T23:59" })
            await Http.Problem(await Post("/v1/window-runs", $$"""{"calendar": {{Calendar}}, "at": "{{at}}"}""", trader), 422, "at");
        await Http.Problem(await Post("/v1/window-runs", """{"calendar": {"timeZone": "America/New_York", "windows": [{"days": ["mon"], "at": "10:00"}], "holidaysFile": "/etc/passwd"}}""", trader),
            422, "calendar.holidaysFile");

        var run = await Json(await Post("/v1/window-runs", $$"""{"calendar": {{Calendar}}, "at": "2025-09-29T10:00"}""", trader), HttpStatusCode.Created);
        Assert.Equal("2025-09-29T10:00", run.GetProperty("window").GetString());
        Assert.False(run.GetProperty("alreadyRun").GetBoolean());
        Assert.Equal(1, run.GetProperty("accounts").GetInt32());
        var again = await Json(await Post("/v1/window-runs", $$"""{"calendar": {{Calendar}}, "at": "2025-09-29T10:00"}""", trader));
        Assert.True(again.GetProperty("alreadyRun").GetBoolean());

        var id = run.GetProperty("id").GetInt64();
        var byId = await Json(await Get($"/v1/window-runs/{id}"));
        Assert.Equal("2025-09-29T10:00", byId.GetProperty("window").GetString());
        Assert.Equal(id, (await Json(await Get("/v1/window-runs/2025-09-29T10:00"))).GetProperty("id").GetInt64());
        var verdicts = await Json(await Get($"/v1/window-runs/{id}/accounts"));
        var verdict = Assert.Single(verdicts.GetProperty("data").EnumerateArray());
        Assert.Equal("a-ira", verdict.GetProperty("account").GetString());
        Assert.Equal("skipped", verdict.GetProperty("outcome").GetString());
        Assert.Equal("open proposal", verdict.GetProperty("reasonKind").GetString());
        Assert.Equal([id], (await Json(await Get("/v1/window-runs"))).GetProperty("data").EnumerateArray().Select(r => r.GetProperty("id").GetInt64()));
    }

    [Fact]
    public async Task AWrite_IsAudited_AsTheKeyThatMadeIt()
    {
        var key = Key("acme", ApiRoles.Admin);
        var caller = Store.Authenticate(key)!;
        await Json(await Post("/v1/models", """{"name": "audited", "targets": {"VTI": 1}}""", key), HttpStatusCode.Created);
        var last = Query<(string Actor, string Action)>("SELECT actor AS Actor, action AS Action FROM audit ORDER BY id DESC LIMIT 1").Single();
        Assert.Equal($"key {caller.KeyId} (acme, admin)", last.Actor);
        Assert.Equal("model set", last.Action);
        var trader = Store.Authenticate(Key("acme", ApiRoles.Trader))!;
        await Json(await Post("/v1/fills", """{"executionId": "aud-1", "account": "a-ira", "date": "2025-09-30", "ticker": "BND", "side": "buy", "quantity": 1, "price": 50}""", Key("acme", ApiRoles.Trader)),
            HttpStatusCode.Created);
        Assert.Equal($"key {trader.KeyId} (acme, trader)", Query<string>("SELECT actor FROM audit ORDER BY id DESC LIMIT 1").Single());
    }
}
