using System.Net;
using System.Text.Json;
using Ballast.Store;

namespace Ballast.Service.Tests;

/// <summary>Tenant isolation: firm acme's keys never reach firm bolt's resources, by any verb, nor see them in any list.</summary>
public abstract partial class ResourceSuite
{
    [Fact]
    public async Task TwoFirms_AFirmsKeyGets404ForTheOthersIds_AndNeverSeesThemInLists()
    {
        var b = Seed("bolt");
        // Bolt's desk approves its proposal, gathers it into a block and runs a window.
        await Json(await Post($"/v1/proposals/{b.Proposal}/approve", null, Key("bolt", ApiRoles.Approver)));
        var block = (await Json(await Post("/v1/blocks", $$"""{"proposals": [{{b.Proposal}}]}""", Key("bolt", ApiRoles.Trader)), HttpStatusCode.Created))
            .GetProperty("data")[0].GetProperty("id").GetInt64();
        var run = (await Json(await Post("/v1/window-runs", $$"""{"calendar": {{Calendar}}, "at": "2025-09-29T10:00"}""", Key("bolt", ApiRoles.Trader)), HttpStatusCode.Created))
            .GetProperty("id").GetInt64();
        var bolt = Key("bolt", ApiRoles.Viewer);
        Assert.Equal(HttpStatusCode.OK, (await Get($"/v1/blocks/{block}", bolt)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Get($"/v1/window-runs/{run}", bolt)).StatusCode);

        // Every read of bolt's ids by acme's admin: 404, the same answer as for an id that does not exist.
        var acme = Key("acme", ApiRoles.Admin);
        foreach (var path in new[]
                 {
                     $"/v1/accounts/{b.Account}", $"/v1/accounts/{b.Account}/holdings", $"/v1/accounts/{b.Account}/lots", $"/v1/accounts/{b.Account}/transactions",
                     $"/v1/households/{b.Household}", $"/v1/models/{b.Model}", $"/v1/proposals/{b.Proposal}", $"/v1/restrictions/{b.Restriction}",
                     $"/v1/blocks/{block}", $"/v1/window-runs/{run}", $"/v1/window-runs/{run}/accounts", "/v1/window-runs/2025-09-29T10:00",
                     $"/v1/schedules/accounts/{b.Account}", $"/v1/schedules/models/{b.Model}",
                 })
        {
            Assert.Equal(HttpStatusCode.OK, (await Get(path, bolt)).StatusCode);
            await Http.Problem(await Get(path, acme), 404);
        }

        // Every write naming bolt's ids: 404, and bolt's book is unchanged.
        var audit = Query<long>("SELECT COUNT(*) FROM audit").Single();
        await Http.Problem(await Post($"/v1/models/{b.Model}/versions", """{"targets": {"VTI": 1}}""", acme), 404, "name");
        await Http.Problem(await Post($"/v1/proposals/{b.Proposal}/approve", null, acme), 404, "id");
        await Http.Problem(await Post($"/v1/proposals/{b.Proposal}/reject", """{"reason": "not yours"}""", acme), 404, "id");
        await Http.Problem(await Post($"/v1/proposals/{b.Proposal}/cancel", null, acme), 404, "id");
        await Http.Problem(await Post("/v1/blocks", $$"""{"proposals": [{{b.Proposal}}]}""", acme), 404, "proposals[0]");
        await Http.Problem(await Post("/v1/blocks", """{"window": "2025-09-29T10:00"}""", acme), 404, "window");
        await Http.Problem(await Send(HttpMethod.Delete, $"/v1/restrictions/{b.Restriction}", acme), 404, "id");
        // A fill or a restriction naming bolt's account: that account does not exist for acme.
        await Http.Problem(await Post("/v1/fills", $$"""{"executionId": "steal-1", "account": "{{b.Account}}", "date": "2025-09-30", "ticker": "VTI", "side": "sell", "quantity": 1, "price": 100}""", acme), 422, "account");
        await Http.Problem(await Post("/v1/restrictions", $$"""{"scope": "account", "name": "{{b.Account}}", "ticker": "VTI", "kind": "do-not-buy"}""", acme), 422, "name");
        Assert.Equal(audit, Query<long>("SELECT COUNT(*) FROM audit").Single());
        Assert.Equal(2, (await Json(await Get($"/v1/accounts/{b.Account}/transactions", bolt))).GetProperty("data").GetArrayLength());
        Assert.Equal("approved", (await Json(await Get($"/v1/proposals/{b.Proposal}", bolt))).GetProperty("status").GetString());

        // Lists: each firm sees its own and never the other's.
        foreach (var (path, member) in new[]
                 {
                     ("/v1/accounts", "name"), ("/v1/households", "name"), ("/v1/models", "name"), ("/v1/proposals", "id"), ("/v1/restrictions", "id"),
                     ("/v1/blocks", "id"), ("/v1/window-runs", "id"), ("/v1/schedules", "kind"), ($"/v1/accounts/a-ira/transactions", "id"), ($"/v1/accounts/a-ira/lots", "id"),
                 })
        {
            var mine = (await Walk(path, 1, acme)).Items.Select(x => x.GetProperty(member).ToString()).ToList();
            foreach (var theirs in new[] { b.Account, b.Household, b.Model })
                Assert.DoesNotContain(theirs, mine);
            if (member == "id" && path.StartsWith("/v1/", StringComparison.Ordinal))
            {
                var boltIds = path switch
                {
                    "/v1/proposals" => [b.Proposal],
                    "/v1/restrictions" => [b.Restriction],
                    "/v1/blocks" => [block],
                    "/v1/window-runs" => [run],
                    _ => Array.Empty<long>(),
                };
                foreach (var id in boltIds) Assert.DoesNotContain(id.ToString(System.Globalization.CultureInfo.InvariantCulture), mine);
            }
        }
        Assert.Equal(["b-ira"], Names(await Json(await Get("/v1/accounts", bolt))));
        Assert.Equal(["a-ira"], Names(await Json(await Get("/v1/accounts", acme))));
        Assert.Empty((await Json(await Get("/v1/window-runs", acme))).GetProperty("data").EnumerateArray());
        Assert.Empty((await Json(await Get("/v1/blocks", acme))).GetProperty("data").EnumerateArray());

        // And the other way round: bolt's admin gets 404 for acme's ids.
        var a = Firms["acme"];
        foreach (var path in new[] { $"/v1/accounts/{a.Account}", $"/v1/models/{a.Model}", $"/v1/proposals/{a.Proposal}", $"/v1/restrictions/{a.Restriction}" })
            await Http.Problem(await Get(path, Key("bolt", ApiRoles.Admin)), 404);
        await Http.Problem(await Post($"/v1/proposals/{a.Proposal}/approve", null, Key("bolt", ApiRoles.Admin)), 404, "id");
    }
}
