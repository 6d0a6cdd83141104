using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Ballast.Service.Resources;

/// <summary>
/// The stored resources under <c>/v1</c>: models and versions, accounts (holdings, lots, ledger), households, monitoring schedules,
/// window runs, proposals, block orders, fills and restrictions. Every call reads and writes through <see cref="BallastService.TenantStore"/>
/// (the caller's tenant, writing as the caller's key) and the same store and operations code as the command line; every POST goes
/// through the <c>Idempotency-Key</c> machinery.
/// </summary>
internal static class ResourceEndpoints
{
    public static void Map(RouteGroupBuilder v1)
    {
        var models = v1.MapGroup("/models").WithTags("models");
        Get(models.MapGet("", Catalog.ListModels), "List models", "models");
        Get(models.MapGet("/{name}", Catalog.GetModel), "A model with every version and the accounts that follow it", "model", notFound: true);
        Post(models.MapPost("", (HttpContext context, CancellationToken _) => Catalog.CreateModel(context)), Permission.Administer, "Create a model (its version 1)",
            "Body: `{\"name\": \"growth\", \"targets\": {\"VTI\": 0.6, \"BND\": 0.4}, \"policy\": \"YAML text of a policy block\"}`. 409 when the model exists.", created: true, conflict: true);
        Post(models.MapPost("/{name}/versions", Catalog.AddModelVersion), Permission.Administer, "Add a version to a model",
            "Body: `{\"targets\": {...}, \"policy\": \"...\"}`; the latest version's execution settings carry over.", created: true, notFound: true);

        var accounts = v1.MapGroup("/accounts").WithTags("accounts");
        Get(accounts.MapGet("", Catalog.ListAccounts), "List accounts", "accounts");
        Get(accounts.MapGet("/{name}", Catalog.GetAccount), "An account", "account", notFound: true);
        Post(accounts.MapPost("", (HttpContext context, CancellationToken _) => Catalog.CreateAccount(context)), Permission.Administer, "Create an account",
            "Body: `{\"name\": \"smith-ira\", \"type\": \"tax-deferred\", \"currency\": \"USD\", \"household\": \"smith\", \"model\": \"growth\", \"lotMethod\": \"fifo\"}`. 409 when the account exists.",
            created: true, conflict: true);
        Get(accounts.MapGet("/{name}/holdings", Catalog.Holdings), "An account's cash and holdings, valued at the latest closes", "holdings", notFound: true);
        Get(accounts.MapGet("/{name}/lots", Catalog.Lots), "An account's open lots with their unrealized gains at the latest closes", "lots", notFound: true);
        Get(accounts.MapGet("/{name}/transactions", Catalog.Transactions), "An account's ledger transactions, oldest first", "transactions", notFound: true);

        var households = v1.MapGroup("/households").WithTags("accounts");
        Get(households.MapGet("", Catalog.ListHouseholds), "List households", "households");
        Get(households.MapGet("/{name}", Catalog.GetHousehold), "A household with its accounts", "household", notFound: true);

        var schedules = v1.MapGroup("/schedules").WithTags("windows");
        Get(schedules.MapGet("", Schedules.List), "The stored monitoring schedules (the firm's, per model, per account)", "schedules");
        Get(schedules.MapGet("/firm", Schedules.Firm), "The firm's effective monitoring schedule and its stored text", "schedule");
        Get(schedules.MapGet("/{kind}/{name}", Schedules.Get), "A model's or an account's effective schedule (kind: models or accounts)", "schedule", notFound: true);

        var runs = v1.MapGroup("/window-runs").WithTags("windows");
        Get(runs.MapGet("", Windows.List), "List window runs", "window runs");
        Get(runs.MapGet("/{id}", Windows.Get), "A window run (by run id or window id) with its counts by outcome", "window run", notFound: true);
        Get(runs.MapGet("/{id}/accounts", Windows.Verdicts), "A window run's verdict for every account", "verdicts", notFound: true);
        Post(runs.MapPost("", (HttpContext context, CancellationToken _) => Windows.Run(context)), Permission.Trade, "Run a trading window over the tenant's accounts",
            "Body: `{\"calendar\": {trading calendar document}, \"at\": \"2026-03-02T10:00\"}` (`at` optional: now). A run of a window already run answers that run; " +
            "a run stopped by the service's shutdown is recorded failed and resumes when posted again.", created: false);

        var proposals = v1.MapGroup("/proposals").WithTags("proposals");
        Get(proposals.MapGet("", Proposals.List), "List proposals (`?status=proposed|approved|sent|partly-filled|filled|cancelled|expired|rejected`)", "proposals");
        Get(proposals.MapGet("/{id}", Proposals.Get), "A proposal with its orders, inputs and plan", "proposal", notFound: true);
        Post(proposals.MapPost("/{id}/approve", Proposals.Approve), Permission.Approve, "Approve a proposal",
            "Body optional: `{\"note\": \"...\"}`. 409 unless the proposal is proposed.", notFound: true, conflict: true, emptyBody: true);
        Post(proposals.MapPost("/{id}/reject", Proposals.Reject), Permission.Approve, "Reject a proposal (proposed or approved, in no block)",
            "Body: `{\"reason\": \"...\"}`. 409 when it is past approval.", notFound: true, conflict: true);
        Post(proposals.MapPost("/{id}/cancel", Proposals.Cancel), Permission.Trade, "Cancel an open proposal",
            "Body optional: `{\"note\": \"...\"}`. 409 when it is filled, cancelled, expired or rejected.", notFound: true, conflict: true, emptyBody: true);

        var blocks = v1.MapGroup("/blocks").WithTags("blocks");
        Get(blocks.MapGet("", Desk.List), "List block orders", "blocks");
        Get(blocks.MapGet("/{id}", Desk.Get), "A block order with its lines, fills and allocations", "block", notFound: true);
        Post(blocks.MapPost("", (HttpContext context, CancellationToken _) => Desk.Create(context)), Permission.Trade, "Gather approved or sent proposals into block orders",
            "Body: `{\"window\": \"2026-03-02T10:00\"}` (a window run's proposals) or `{\"proposals\": [12, 13]}`.", created: true, notFound: true);

        var fills = v1.MapGroup("/fills").WithTags("blocks");
        Post(fills.MapPost("", (HttpContext context, CancellationToken _) => Desk.Fills(context)), Permission.Trade, "Record executed fills (one, or a batch) as `ballast fills import` does",
            "Body: one fill `{\"executionId\", \"account\", \"date\", \"ticker\", \"side\", \"quantity\", \"price\", \"fee\"?, \"proposal\"?}` or `{\"fills\": [...], \"allowOverfill\": false}`; " +
            "a batch is recorded whole or not at all, and fills already recorded are counted as duplicates.", created: true);

        var restrictions = v1.MapGroup("/restrictions").WithTags("restrictions");
        Get(restrictions.MapGet("", Catalog.ListRestrictions), "List restrictions", "restrictions");
        Get(restrictions.MapGet("/{id}", Catalog.GetRestriction), "A restriction", "restriction", notFound: true);
        Post(restrictions.MapPost("", (HttpContext context, CancellationToken _) => Catalog.CreateRestriction(context)), Permission.Administer, "Set a restriction (replacing the same scope, name, ticker and kind)",
            "Body: `{\"scope\": \"account|household|firm\", \"name\": \"smith-ira\", \"ticker\": \"VTI\", \"kind\": \"do-not-buy|do-not-sell|max-weight|untradable\", \"maxWeight\": 0.2, \"reason\": \"...\"}`.",
            created: true);
        restrictions.MapDelete("/{id}", Catalog.DeleteRestriction)
            .WithMetadata(new RequiresPermission(Permission.Administer))
            .WithSummary("Remove a restriction")
            .WithDescription("Roles: " + string.Join(", ", Permissions.RolesThatMay(Permission.Administer)) + ".")
            .Produces(StatusCodes.Status204NoContent)
            .ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden).ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
    }

    private static void Get(RouteHandlerBuilder endpoint, string summary, string what, bool notFound = false)
    {
        endpoint.WithMetadata(new RequiresPermission(Permission.Read))
            .WithSummary(summary)
            .WithDescription($"Answers the {what} as JSON; lists are pages `{{\"data\": [...], \"next\": CURSOR|null}}` (`?limit=` 1 to {Resource.MaxLimit}, default {Resource.DefaultLimit}; " +
                "`?cursor=` the `next` of the page before). Roles: " + string.Join(", ", Permissions.RolesThatMay(Permission.Read)) + ".")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status429TooManyRequests);
        if (notFound) endpoint.ProducesProblem(StatusCodes.Status404NotFound);
    }

    private static void Post(RouteHandlerBuilder endpoint, Permission permission, string summary, string body, bool created = false, bool notFound = false, bool conflict = false,
        bool emptyBody = false)
    {
        endpoint.WithMetadata(new RequiresPermission(permission))
            .WithSummary(summary)
            .WithDescription(body + " May carry `Idempotency-Key`. Roles: " + string.Join(", ", Permissions.RolesThatMay(permission)) + ".")
            .Accepts<System.Text.Json.JsonElement>(emptyBody, "application/json")
            .Produces(created ? StatusCodes.Status201Created : StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status429TooManyRequests);
        if (notFound) endpoint.ProducesProblem(StatusCodes.Status404NotFound);
        if (conflict) endpoint.ProducesProblem(StatusCodes.Status409Conflict);
    }
}
