using Ballast.Input;
using Ballast.Operations.Documents;
using Ballast.Operations.Models;
using Ballast.Store;
using Ballast.Store.Ledger;
using Microsoft.AspNetCore.Http;
using static Ballast.Service.Resources.Resource;

namespace Ballast.Service.Resources;

/// <summary>Models and versions, accounts (holdings, lots, ledger), households and restrictions.</summary>
internal static class Catalog
{
    public static Answer ListModels(HttpContext context)
    {
        var (after, limit, problem) = Paging(context, "models");
        return problem ?? Page("models", BallastService.TenantStore(context).ModelPage(after, limit), ResourceJson.Model);
    }

    public static Answer GetModel(HttpContext context, string name)
    {
        var store = BallastService.TenantStore(context);
        return store.FindModel(name) is { } m ? ModelDetail(store, m, StatusCodes.Status200OK) : Problems.NotFoundAnswer(context, "name", $"no model named '{name}'");
    }

    private static Answer ModelDetail(BallastStore store, ModelResource m, int status) =>
        Json(status, w => ResourceJson.ModelDetail(w, m, store.ListModels(m.Name).Single(), v => store.GetModel(m.Name, v)));

    private static readonly string[] ModelFields = ["name", "targets", "policy"];
    private static readonly string[] VersionFields = ["targets", "policy"];

    public static Task<IResult> CreateModel(HttpContext context) => BallastService.Post(context, (_, bytes, _) =>
    {
        if (RequestBody.Read(context, bytes, ModelFields, out var bad) is not { } body) return bad!;
        var name = body.String("name", required: true);
        var targets = body.Numbers("targets", required: true);
        var policy = body.String("policy", max: 100_000);
        if (body.Problem(context) is { } problem) return problem;
        var store = BallastService.TenantStore(context);
        if (store.FindModel(name!) is not null) return Problems.ConflictAnswer(context, "name", $"model '{name}' exists; add a version with POST /v1/models/{name}/versions");
        return SetModel(context, store, name!, targets!, policy);
    });

    public static Task<IResult> AddModelVersion(HttpContext context, string name) => BallastService.Post(context, (_, bytes, _) =>
    {
        if (RequestBody.Read(context, bytes, VersionFields, out var bad) is not { } body) return bad!;
        var targets = body.Numbers("targets", required: true);
        var policy = body.String("policy", max: 100_000);
        if (body.Problem(context) is { } problem) return problem;
        var store = BallastService.TenantStore(context);
        if (store.FindModel(name) is null) return Problems.NotFoundAnswer(context, "name", $"no model named '{name}'");
        return SetModel(context, store, name, targets!, policy);
    });

    /// <summary>The new version, through the one use case (<see cref="ModelVersions.Set"/>, as <c>ballast model set</c>).</summary>
    private static Answer SetModel(HttpContext context, BallastStore store, string name, Dictionary<string, decimal> targets, string? policy) => Step(context, () =>
    {
        ModelVersions.Set(store, name, targets, policy, "policy");
        return ModelDetail(store, store.FindModel(name)!, StatusCodes.Status201Created);
    }, ("--targets", "targets"), ("--policy", "policy"), ("NAME", "name"));

    public static Answer ListAccounts(HttpContext context)
    {
        var (after, limit, problem) = Paging(context, "accounts");
        return problem ?? Page("accounts", BallastService.TenantStore(context).AccountPage(after, limit), ResourceJson.Account);
    }

    public static Answer GetAccount(HttpContext context, string name) =>
        BallastService.TenantStore(context).FindAccount(name) is { } a ? Ok(w => AccountFields(w, a)) : NoAccount(context, name);

    private static void AccountFields(System.Text.Json.Utf8JsonWriter w, AccountResource a) => Unwrapped(w, x => ResourceJson.Account(x, a));

    private static Answer NoAccount(HttpContext context, string name) => Problems.NotFoundAnswer(context, "name", $"no account named '{name}'");

    private static readonly string[] AccountFieldNames = ["name", "type", "currency", "household", "model", "lotMethod"];

    public static Task<IResult> CreateAccount(HttpContext context) => BallastService.Post(context, (_, bytes, _) =>
    {
        if (RequestBody.Read(context, bytes, AccountFieldNames, out var bad) is not { } body) return bad!;
        var name = body.String("name", required: true);
        var typeText = body.String("type", required: true);
        var currency = body.String("currency", required: true, max: 3);
        var household = body.String("household");
        var model = body.String("model");
        var lotText = body.String("lotMethod");
        var type = AccountType.Taxable;
        if (typeText is not null && !LedgerNames.TryParseAccountType(typeText, out type))
            body.Problems.Add(new InputProblem($"'{typeText}' is not an account type: taxable, tax-deferred or tax-free", "body", Field: "type"));
        var lot = Ballast.Tax.LotSelectionMethod.Fifo;
        if (lotText is not null && !StoredLotMethods.TryParse(lotText, out lot, out var lotError))
            body.Problems.Add(new InputProblem(lotError ?? $"'{lotText}' is not a lot method: {string.Join(", ", StoredLotMethods.Words)}", "body", Field: "lotMethod"));
        if (body.Problem(context) is { } problem) return problem;
        var store = BallastService.TenantStore(context);
        if (store.FindAccount(name!) is not null) return Problems.ConflictAnswer(context, "name", $"account '{name}' exists");
        return Step(context, () =>
        {
            store.AddAccount(new NewAccount(name!.Trim(), type, currency!.Trim().ToUpperInvariant(), household, model, LotMethod: lot));
            var a = store.FindAccount(name.Trim())!;
            return Created(w => AccountFields(w, a));
        }, ("account", "name"), ("currency", "currency"), ("household", "household"), ("model", "model"));
    });

    public static Answer Holdings(HttpContext context, string name)
    {
        var store = BallastService.TenantStore(context);
        if (store.FindAccount(name) is not { } a) return NoAccount(context, name);
        var today = DateOnly.FromDateTime(store.Options.Time.GetUtcNow().UtcDateTime);
        return All(store.HoldingsOf(a.Id, today), ResourceJson.Holding, w =>
        {
            w.WriteString("account", a.Name);
            w.WriteString("asOf", Date(today));
            w.WriteString("currency", a.Currency);
            PlanJson.Num(w, "cash", a.Cash);
        });
    }

    public static Answer Lots(HttpContext context, string name)
    {
        var store = BallastService.TenantStore(context);
        if (store.FindAccount(name) is not { } a) return NoAccount(context, name);
        var (after, limit, problem) = Paging(context, "lots");
        if (problem is not null) return problem;
        var today = DateOnly.FromDateTime(store.Options.Time.GetUtcNow().UtcDateTime);
        return Page("lots", store.LotPage(a.Id, today, after, limit), ResourceJson.Lot, w =>
        {
            w.WriteString("account", a.Name);
            w.WriteString("asOf", Date(today));
            w.WriteString("currency", a.Currency);
        });
    }

    public static Answer Transactions(HttpContext context, string name)
    {
        var store = BallastService.TenantStore(context);
        if (store.FindAccount(name) is not { } a) return NoAccount(context, name);
        var (after, limit, problem) = Paging(context, "transactions");
        return problem ?? Page("transactions", store.TransactionPage(a.Id, after, limit), ResourceJson.Transaction, w => w.WriteString("account", a.Name));
    }

    public static Answer ListHouseholds(HttpContext context)
    {
        var (after, limit, problem) = Paging(context, "households");
        return problem ?? Page("households", BallastService.TenantStore(context).HouseholdPage(after, limit), ResourceJson.Household);
    }

    public static Answer GetHousehold(HttpContext context, string name) =>
        BallastService.TenantStore(context).FindHousehold(name) is { } h
            ? Ok(w =>
            {
                w.WriteNumber("id", h.Id);
                w.WriteString("name", h.Name);
                Text(w, "hold", h.Hold);
                w.WriteStartArray("accounts");
                foreach (var a in h.Accounts) w.WriteStringValue(a);
                w.WriteEndArray();
            })
            : Problems.NotFoundAnswer(context, "name", $"no household named '{name}'");

    public static Answer ListRestrictions(HttpContext context)
    {
        var (after, limit, problem) = Paging(context, "restrictions");
        return problem ?? Page("restrictions", BallastService.TenantStore(context).RestrictionPage(after, limit), ResourceJson.Restriction);
    }

    public static Answer GetRestriction(HttpContext context, string id) =>
        Id(id) is { } n && BallastService.TenantStore(context).FindRestriction(n) is { } r
            ? Ok(w => Unwrapped(w, x => ResourceJson.Restriction(x, r)))
            : Problems.NotFoundAnswer(context, "id", $"no restriction {id}");

    private static readonly string[] RestrictionFields = ["scope", "name", "ticker", "kind", "maxWeight", "reason"];

    public static Task<IResult> CreateRestriction(HttpContext context) => BallastService.Post(context, (_, bytes, _) =>
    {
        if (RequestBody.Read(context, bytes, RestrictionFields, out var bad) is not { } body) return bad!;
        var scopeText = body.String("scope", required: true);
        var name = body.String("name");
        var ticker = body.String("ticker", required: true);
        var kindText = body.String("kind", required: true);
        var weight = body.Number("maxWeight");
        var reason = body.String("reason", max: 1000);
        RestrictionScope scope = default;
        if (scopeText is not null && !TryScope(scopeText, out scope))
            body.Problems.Add(new InputProblem($"'{scopeText}' is not a scope: account, household or firm", "body", Field: "scope"));
        RestrictionKind kind = default;
        if (kindText is not null && !TryKind(kindText, out kind))
            body.Problems.Add(new InputProblem($"'{kindText}' is not a kind: do-not-buy, do-not-sell, max-weight or untradable", "body", Field: "kind"));
        if (scope == RestrictionScope.Firm && name is not null) body.Problems.Add(new InputProblem("a firm-wide restriction names no account or household", "body", Field: "name"));
        if (body.Problem(context) is { } problem) return problem;
        var store = BallastService.TenantStore(context);
        var normalized = ticker!.Trim().ToUpperInvariant();
        return Step(context, () =>
        {
            store.SetRestriction(scope, name, normalized, kind, weight, reason is null ? null : Oneline(reason));
            var stored = store.FindRestriction(scope, name, normalized, kind)!;
            return Created(w => Unwrapped(w, x => ResourceJson.Restriction(x, stored)));
        }, ("--ticker", "ticker"), ("--max-weight", "maxWeight"), ("--account", "name"), ("--household", "name"), ("--untradable", "kind"));
    });

    public static IResult DeleteRestriction(HttpContext context, string id)
    {
        var store = BallastService.TenantStore(context);
        if (Id(id) is not { } n || store.FindRestriction(n) is not { } r) return Problems.NotFoundAnswer(context, "id", $"no restriction {id}");
        var x = r.Restriction;
        var answer = Step(context, () =>
        {
            store.RemoveRestriction(x.Scope, x.Scope == RestrictionScope.Firm ? null : x.Name, x.Ticker, x.Kind);
            return new Answer(StatusCodes.Status204NoContent, "application/json", "");
        });
        return answer.Status == StatusCodes.Status204NoContent ? TypedResults.NoContent() : answer;
    }

    private static bool TryScope(string text, out RestrictionScope scope)
    {
        foreach (var s in Enum.GetValues<RestrictionScope>())
            if (s.ToString().Equals(text, StringComparison.OrdinalIgnoreCase)) { scope = s; return true; }
        scope = default;
        return false;
    }

    private static bool TryKind(string text, out RestrictionKind kind)
    {
        foreach (var k in Enum.GetValues<RestrictionKind>())
            if (BallastStore.KindWord(k).Equals(text, StringComparison.OrdinalIgnoreCase)) { kind = k; return true; }
        kind = default;
        return false;
    }

    private static string Oneline(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));

    /// <summary>A resource id in a path: a whole number above 0, else null (answered as not found).</summary>
    public static long? Id(string text) =>
        long.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var id) && id > 0 ? id : null;

    /// <summary>Writes the members of the object <paramref name="write"/> writes at the writer's current object.</summary>
    public static void Unwrapped(System.Text.Json.Utf8JsonWriter w, Action<System.Text.Json.Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var inner = new System.Text.Json.Utf8JsonWriter(stream)) write(inner);
        using var doc = System.Text.Json.JsonDocument.Parse(stream.ToArray());
        foreach (var p in doc.RootElement.EnumerateObject()) p.WriteTo(w);
    }
}
