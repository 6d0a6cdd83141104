using System.Net;
using System.Text.Json;
using Ballast.Store;

namespace Ballast.Service.Tests;

/// <summary>Pagination, idempotent POSTs, and who may do what (403 for a role that may not, 401 without a key or with a revoked one).</summary>
public abstract partial class ResourceSuite
{
    [Fact]
    public async Task Lists_PageByCursor_AndRefuseABadLimitOrCursor()
    {
        var names = new List<string> { "a-ira" };
        for (var i = 0; i < 7; i++)
        {
            names.Add($"a-page-{i}");
            await Json(await Post("/v1/accounts", $$"""{"name": "a-page-{{i}}", "type": "taxable", "currency": "USD"}"""), HttpStatusCode.Created);
        }
        var (items, pages) = await Walk("/v1/accounts", 3);
        Assert.Equal(3, pages);
        Assert.Equal(names, items.Select(a => a.GetProperty("name").GetString()));
        Assert.Equal(items.Count, items.Select(a => a.GetProperty("id").GetInt64()).Distinct().Count());
        Assert.Equal(8, (await Walk("/v1/accounts", 8)).Items.Count);
        Assert.Equal(1, (await Walk("/v1/accounts", 500)).Pages);
        Assert.Equal(8, (await Json(await Get("/v1/accounts"))).GetProperty("data").GetArrayLength());

        // The ledger of an account walks the same way.
        var store = Store.ForTenant(Firms["acme"].TenantId, "tester");
        for (var i = 0; i < 4; i++) store.Deposit("a-ira", 1m + i, new DateOnly(2025, 9, 20));
        var ledger = await Walk("/v1/accounts/a-ira/transactions", 2);
        Assert.Equal(3, ledger.Pages);
        Assert.Equal(["deposit", "buy", "deposit", "deposit", "deposit", "deposit"], ledger.Items.Select(t => t.GetProperty("kind").GetString()));

        foreach (var limit in new[] { "0", "501", "-1", "abc", "2.5", "" })
            await Http.Problem(await Get("/v1/accounts?limit=" + limit), 400, "limit");
        await Http.Problem(await Get("/v1/accounts?limit=2&limit=3"), 400, "limit");
        var page = await Json(await Get("/v1/accounts?limit=2"));
        var cursor = page.GetProperty("next").GetString()!;
        Assert.Equal(2, (await Json(await Get("/v1/accounts?limit=2&cursor=" + cursor))).GetProperty("data").GetArrayLength());
        foreach (var bad in new[] { "x", cursor + "A", cursor[..^1], "!!!", Convert.ToBase64String("accounts:-1"u8) })
            await Http.Problem(await Get("/v1/accounts?cursor=" + Uri.EscapeDataString(bad)), 400, "cursor");
        // A cursor of another list is refused too.
        await Http.Problem(await Get("/v1/models?cursor=" + cursor), 400, "cursor");
        await Http.Problem(await Get("/v1/accounts/a-ira/transactions?cursor=" + cursor), 400, "cursor");
    }

    [Fact]
    public async Task Posts_AreIdempotent_ARetryGetsTheFirstAnswer()
    {
        const string body = """{"name": "once", "targets": {"VTI": 1}}""";
        var first = await Post("/v1/models", body, idempotencyKey: "model-once");
        var firstText = await first.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        var retry = await Post("/v1/models", body, idempotencyKey: "model-once");
        Assert.Equal(HttpStatusCode.Created, retry.StatusCode);
        Assert.Equal(firstText, await retry.Content.ReadAsStringAsync());
        Assert.Equal("true", retry.Headers.GetValues(BallastService.ReplayedHeader).Single());
        // Without the key the same request is a second request: the model exists now.
        await Http.Problem(await Post("/v1/models", body), 409, "name");
        await Http.Problem(await Post("/v1/models", """{"name": "twice", "targets": {"VTI": 1}}""", idempotencyKey: "model-once"), 422, BallastService.IdempotencyHeader);

        // A step's retry answers what the step answered, not a 409.
        var id = Firms["acme"].Proposal;
        var approver = Key("acme", ApiRoles.Approver);
        var approved = await Post($"/v1/proposals/{id}/approve", null, approver, idempotencyKey: "approve-1");
        Assert.Equal(HttpStatusCode.OK, approved.StatusCode);
        var again = await Post($"/v1/proposals/{id}/approve", null, approver, idempotencyKey: "approve-1");
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        Assert.Equal(await approved.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        // A kept problem is replayed as well.
        var refused = await Post("/v1/accounts", """{"name": "z", "type": "weird", "currency": "USD"}""", idempotencyKey: "bad-account");
        await Http.Problem(refused, 422, "type");
        var refusedAgain = await Post("/v1/accounts", """{"name": "z", "type": "weird", "currency": "USD"}""", idempotencyKey: "bad-account");
        await Http.Problem(refusedAgain, 422, "type");
        Assert.Equal("true", refusedAgain.Headers.GetValues(BallastService.ReplayedHeader).Single());
        Assert.Equal(1, Query<long>("SELECT COUNT(*) FROM model_versions v JOIN models m ON m.id = v.model_id WHERE m.name = 'once'").Single());
    }

    /// <summary>Every write: its method, path, a valid body and the permission it needs.</summary>
    private IEnumerable<(HttpMethod Method, string Path, string? Body, Permission Needs)> Writes()
    {
        var a = Firms["acme"];
        yield return (HttpMethod.Post, "/v1/models", """{"name": "role-model", "targets": {"VTI": 1}}""", Permission.Administer);
        yield return (HttpMethod.Post, $"/v1/models/{a.Model}/versions", """{"targets": {"VTI": 1}}""", Permission.Administer);
        yield return (HttpMethod.Post, "/v1/accounts", """{"name": "role-account", "type": "taxable", "currency": "USD"}""", Permission.Administer);
        yield return (HttpMethod.Post, "/v1/restrictions", """{"scope": "firm", "ticker": "VTI", "kind": "untradable"}""", Permission.Administer);
        yield return (HttpMethod.Delete, $"/v1/restrictions/{a.Restriction}", null, Permission.Administer);
        yield return (HttpMethod.Post, $"/v1/proposals/{a.Proposal}/approve", null, Permission.Approve);
        yield return (HttpMethod.Post, $"/v1/proposals/{a.Proposal}/reject", """{"reason": "no"}""", Permission.Approve);
        yield return (HttpMethod.Post, $"/v1/proposals/{a.Proposal}/cancel", null, Permission.Trade);
        yield return (HttpMethod.Post, "/v1/blocks", $$"""{"proposals": [{{a.Proposal}}]}""", Permission.Trade);
        yield return (HttpMethod.Post, "/v1/fills", """{"executionId": "role-1", "account": "a-ira", "date": "2025-09-30", "ticker": "BND", "side": "buy", "quantity": 1, "price": 50}""", Permission.Trade);
        yield return (HttpMethod.Post, "/v1/window-runs", $$"""{"calendar": {{Calendar}}, "at": "2025-09-29T10:00"}""", Permission.Trade);
    }

    [Fact]
    public async Task AViewerCannotWrite_ARoleThatMayNot_Gets403_AndNothingIsWritten()
    {
        var audit = Query<long>("SELECT COUNT(*) FROM audit").Single();
        foreach (var (method, path, body, needs) in Writes())
            foreach (var role in ApiRoles.All.Where(r => !Permissions.Allows(r, needs)))
            {
                var problem = await Http.Problem(await Send(method, path, Key("acme", role), body), 403, "Authorization");
                Assert.Contains(role, problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
            }
        Assert.Equal(audit, Query<long>("SELECT COUNT(*) FROM audit").Single());
        Assert.Equal([ApiRoles.Admin], Permissions.RolesThatMay(Permission.Administer));
        Assert.Equal([ApiRoles.Approver, ApiRoles.Admin], Permissions.RolesThatMay(Permission.Approve));
    }

    [Fact]
    public async Task RevokedKeys_AndNoKey_Get401_OnEveryResource()
    {
        var doomed = Store.CreateApiKey("acme", ApiRoles.Admin);
        Assert.Equal(HttpStatusCode.OK, (await Get("/v1/accounts", doomed.Key)).StatusCode);
        Store.RevokeApiKey(doomed.Info.Id);
        foreach (var path in new[] { "/v1/accounts", "/v1/accounts/a-ira", "/v1/accounts/a-ira/lots", "/v1/models", "/v1/proposals", "/v1/blocks", "/v1/window-runs", "/v1/restrictions" })
        {
            await Http.Problem(await Get(path, doomed.Key), 401, "Authorization");
            await Http.Problem(await Send(HttpMethod.Get, path, null), 401, "Authorization");
        }
        foreach (var (method, path, body, _) in Writes())
        {
            await Http.Problem(await Send(method, path, doomed.Key, body), 401, "Authorization");
            await Http.Problem(await Send(method, path, null, body), 401, "Authorization");
        }
    }

    [Fact]
    public async Task OpenApi_DocumentsEveryResourceEndpoint_WithRolesAndProblems()
    {
        var doc = JsonDocument.Parse(await (await Client.GetAsync("/openapi/v1.json")).Content.ReadAsStringAsync()).RootElement;
        var paths = doc.GetProperty("paths");
        foreach (var (path, method) in new[]
                 {
                     ("/v1/models", "get"), ("/v1/models", "post"), ("/v1/models/{name}", "get"), ("/v1/models/{name}/versions", "post"),
                     ("/v1/accounts", "get"), ("/v1/accounts", "post"), ("/v1/accounts/{name}", "get"), ("/v1/accounts/{name}/holdings", "get"),
                     ("/v1/accounts/{name}/lots", "get"), ("/v1/accounts/{name}/transactions", "get"), ("/v1/households", "get"), ("/v1/households/{name}", "get"),
                     ("/v1/schedules", "get"), ("/v1/schedules/firm", "get"), ("/v1/schedules/{kind}/{name}", "get"),
                     ("/v1/window-runs", "get"), ("/v1/window-runs", "post"), ("/v1/window-runs/{id}", "get"), ("/v1/window-runs/{id}/accounts", "get"),
                     ("/v1/proposals", "get"), ("/v1/proposals/{id}", "get"), ("/v1/proposals/{id}/approve", "post"), ("/v1/proposals/{id}/reject", "post"),
                     ("/v1/proposals/{id}/cancel", "post"), ("/v1/blocks", "get"), ("/v1/blocks", "post"), ("/v1/blocks/{id}", "get"), ("/v1/fills", "post"),
                     ("/v1/restrictions", "get"), ("/v1/restrictions", "post"), ("/v1/restrictions/{id}", "get"), ("/v1/restrictions/{id}", "delete"),
                 })
        {
            var operation = paths.GetProperty(path).GetProperty(method);
            Assert.False(string.IsNullOrWhiteSpace(operation.GetProperty("summary").GetString()), $"{method} {path}");
            Assert.Contains("Roles:", operation.GetProperty("description").GetString(), StringComparison.Ordinal);
            var responses = operation.GetProperty("responses");
            Assert.True(responses.TryGetProperty("401", out _), $"{method} {path} documents 401");
            Assert.True(responses.TryGetProperty("403", out _), $"{method} {path} documents 403");
            Assert.True(operation.TryGetProperty("security", out _), $"{method} {path} needs a key");
        }
    }
}
