using System.Net;
using System.Text.Json;
using Ballast.Store;

namespace Ballast.Service.Tests;

/// <summary>Every GET of the stored resources: its happy path and its 4xx cases.</summary>
public abstract partial class ResourceSuite
{
    [Fact]
    public async Task Accounts_Households_Models_AnswerTheTenantsResources()
    {
        var accounts = await Json(await Get("/v1/accounts"));
        var a = Assert.Single(accounts.GetProperty("data").EnumerateArray());
        Assert.Equal("a-ira", a.GetProperty("name").GetString());
        Assert.Equal("a-smith", a.GetProperty("household").GetString());
        Assert.Equal("a-growth", a.GetProperty("model").GetString());
        Assert.Equal(1, a.GetProperty("modelVersion").GetInt32());
        // 10,000 deposited, 10 VTI bought at 100 with a fee of 1.25: the exact decimal, as a JSON number.
        Assert.Equal("8998.75", a.GetProperty("cash").GetRawText());
        Assert.Equal(JsonValueKind.Null, accounts.GetProperty("next").ValueKind);

        var one = await Json(await Get("/v1/accounts/a-ira"));
        Assert.Equal("taxable", one.GetProperty("type").GetString());
        Assert.Equal("USD", one.GetProperty("currency").GetString());
        Assert.Equal("fifo", one.GetProperty("lotMethod").GetString());
        await Http.Problem(await Get("/v1/accounts/nobody"), 404, "name");

        var households = await Json(await Get("/v1/households"));
        Assert.Equal(["a-smith"], Names(households));
        var household = await Json(await Get("/v1/households/a-smith"));
        Assert.Equal(["a-ira"], household.GetProperty("accounts").EnumerateArray().Select(x => x.GetString()));
        await Http.Problem(await Get("/v1/households/nobody"), 404, "name");

        var models = await Json(await Get("/v1/models"));
        Assert.Equal(["a-growth"], Names(models));
        var model = await Json(await Get("/v1/models/a-growth"));
        Assert.Equal(1, model.GetProperty("latestVersion").GetInt32());
        var version = Assert.Single(model.GetProperty("versions").EnumerateArray());
        Assert.Equal("0.6", version.GetProperty("targets").GetProperty("VTI").GetRawText());
        Assert.Equal(["a-ira"], model.GetProperty("accountNames").EnumerateArray().Select(x => x.GetString()));
        await Http.Problem(await Get("/v1/models/nothing"), 404, "name");
    }

    [Fact]
    public async Task Holdings_Lots_And_Ledger_OfAnAccount()
    {
        var holdings = await Json(await Get("/v1/accounts/a-ira/holdings"));
        Assert.Equal("8998.75", holdings.GetProperty("cash").GetRawText());
        var vti = Assert.Single(holdings.GetProperty("data").EnumerateArray());
        Assert.Equal("VTI", vti.GetProperty("ticker").GetString());
        Assert.Equal("10", vti.GetProperty("quantity").GetRawText());
        // Valued at the latest close on or before today (110.5 on 2025-09-22).
        Assert.Equal("110.5", vti.GetProperty("price").GetRawText());
        Assert.Equal("2025-09-22", vti.GetProperty("priceDate").GetString());
        Assert.Equal("1105.0", vti.GetProperty("value").GetRawText());

        var lots = await Json(await Get("/v1/accounts/a-ira/lots"));
        var lot = Assert.Single(lots.GetProperty("data").EnumerateArray());
        Assert.Equal("2025-09-15", lot.GetProperty("openDate").GetString());
        Assert.Equal(1001.25m, lot.GetProperty("cost").GetDecimal());
        Assert.Equal(1105m, lot.GetProperty("value").GetDecimal());
        Assert.Equal(103.75m, lot.GetProperty("unrealizedGain").GetDecimal());

        var ledger = await Json(await Get("/v1/accounts/a-ira/transactions"));
        Assert.Equal(["deposit", "buy"], ledger.GetProperty("data").EnumerateArray().Select(t => t.GetProperty("kind").GetString()));
        var buy = ledger.GetProperty("data")[1];
        Assert.Equal("a-exec-1", buy.GetProperty("executionId").GetString());
        Assert.Equal(-1001.25m, buy.GetProperty("cash").GetDecimal());

        foreach (var path in new[] { "holdings", "lots", "transactions" })
            await Http.Problem(await Get($"/v1/accounts/nobody/{path}"), 404, "name");
    }

    [Fact]
    public async Task Proposals_Restrictions_Schedules_Blocks_WindowRuns_Read()
    {
        var id = Firms["acme"].Proposal;
        var proposals = await Json(await Get("/v1/proposals"));
        Assert.Equal([id.ToString(System.Globalization.CultureInfo.InvariantCulture)], Names(proposals, "id"));
        Assert.Equal("proposed", proposals.GetProperty("data")[0].GetProperty("status").GetString());
        Assert.Empty(Names(await Json(await Get("/v1/proposals?status=approved")), "id"));
        Assert.Single(Names(await Json(await Get("/v1/proposals?status=proposed")), "id"));
        await Http.Problem(await Get("/v1/proposals?status=happy"), 400, "status");
        var proposal = await Json(await Get($"/v1/proposals/{id}"));
        var order = Assert.Single(proposal.GetProperty("orders").EnumerateArray());
        Assert.Equal("BND", order.GetProperty("ticker").GetString());
        Assert.Equal("buy", order.GetProperty("side").GetString());
        Assert.Equal("20", order.GetProperty("quantity").GetRawText());
        Assert.Equal(JsonValueKind.Object, proposal.GetProperty("plan").ValueKind);
        await Http.Problem(await Get("/v1/proposals/999999"), 404, "id");
        await Http.Problem(await Get("/v1/proposals/abc"), 404, "id");

        var restrictions = await Json(await Get("/v1/restrictions"));
        var r = Assert.Single(restrictions.GetProperty("data").EnumerateArray());
        Assert.Equal("do-not-sell", r.GetProperty("kind").GetString());
        Assert.Equal("account", r.GetProperty("scope").GetString());
        Assert.Equal("a-ira", r.GetProperty("name").GetString());
        Assert.Equal("client asked", (await Json(await Get($"/v1/restrictions/{Firms["acme"].Restriction}"))).GetProperty("reason").GetString());
        await Http.Problem(await Get("/v1/restrictions/999999"), 404, "id");

        Assert.Empty((await Json(await Get("/v1/schedules"))).GetProperty("data").EnumerateArray());
        var firm = await Json(await Get("/v1/schedules/firm"));
        Assert.Equal("firm", firm.GetProperty("kind").GetString());
        Assert.False(string.IsNullOrWhiteSpace(firm.GetProperty("effective").GetString()));
        Assert.Equal("account", (await Json(await Get("/v1/schedules/accounts/a-ira"))).GetProperty("kind").GetString());
        Assert.Equal("model", (await Json(await Get("/v1/schedules/models/a-growth"))).GetProperty("kind").GetString());
        await Http.Problem(await Get("/v1/schedules/accounts/nobody"), 404, "name");
        await Http.Problem(await Get("/v1/schedules/planets/mars"), 404, "kind");

        Assert.Empty((await Json(await Get("/v1/blocks"))).GetProperty("data").EnumerateArray());
        await Http.Problem(await Get("/v1/blocks/1"), 404, "id");
        Assert.Empty((await Json(await Get("/v1/window-runs"))).GetProperty("data").EnumerateArray());
        await Http.Problem(await Get("/v1/window-runs/1"), 404, "id");
        await Http.Problem(await Get("/v1/window-runs/2026-03-02T10:00/accounts"), 404, "id");
    }

    [Fact]
    public async Task EveryRead_Needs_AKey_AndAnyRoleMayRead()
    {
        foreach (var path in new[] { "/v1/accounts", "/v1/models", "/v1/proposals", "/v1/blocks", "/v1/window-runs", "/v1/restrictions", "/v1/households", "/v1/schedules" })
        {
            await Http.Problem(await Send(HttpMethod.Get, path, null), 401, "Authorization");
            foreach (var role in ApiRoles.All) Assert.Equal(HttpStatusCode.OK, (await Get(path, Key("acme", role))).StatusCode);
        }
    }
}
