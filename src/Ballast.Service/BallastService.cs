using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using Ballast.Input;
using Ballast.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Scalar.AspNetCore;

namespace Ballast.Service;

/// <summary>An endpoint's needed permission (see <see cref="Permissions"/>).</summary>
public sealed record RequiresPermission(Permission Permission);

/// <summary>What the host keeps: its options and the store, opened on first use (so the process starts, and <c>/ready</c> says 503, while the store is not ready).</summary>
internal sealed class ServiceState(ServiceOptions options) : IDisposable
{
    private BallastStore? _store;

    public ServiceOptions Options => options;

    /// <summary>
    /// The store, opened and version-checked once; throws <see cref="StoreVersionException"/> or <see cref="StoreUnavailableException"/>
    /// until it can be. Its connections are pooled (<see cref="StoreOptions.PooledConnections"/>): a request's reads reuse open ones.
    /// </summary>
    public BallastStore Store => _store ??= BallastStore.Open(options.Store, options.StoreOptions with { PooledConnections = true });

    public DateOnly Today => DateOnly.FromDateTime(options.StoreOptions.Time.GetUtcNow().UtcDateTime);

    /// <summary>Keys authenticated lately (for <see cref="ServiceOptions.KeyCacheTtl"/>), so a request does not ask the store each time.</summary>
    public Operations.KeyCache Keys { get; } = new(options.KeyCacheTtl);

    /// <summary>Closes the connections the store kept (the host is stopping).</summary>
    public void Dispose() => _store?.ReleaseConnections();
}

/// <summary>
/// The Ballast HTTP service (<c>ballast serve</c>): Kestrel with minimal APIs over the same store and operations layer as the CLI.
/// <c>GET /health</c>, <c>GET /ready</c>, <c>POST /v1/check</c>, <c>POST /v1/plan</c>, the OpenAPI document at <c>/openapi/v1.json</c> and its
/// interactive page at <c>/scalar</c>. Every <c>/v1</c> request needs <c>Authorization: Bearer KEY</c>, is rate-limited per key, and may carry
/// an <c>Idempotency-Key</c>; every error is an RFC 9457 problem document.
/// </summary>
public static partial class BallastService
{
    /// <summary>The rate-limiting policy of <c>/v1</c>: a token bucket per API key.</summary>
    public const string RatePolicy = "per-key";

    /// <summary>The request header that makes a POST idempotent.</summary>
    public const string IdempotencyHeader = "Idempotency-Key";

    /// <summary>Set on a response replayed for a retried <c>Idempotency-Key</c>.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    private const string CallerItem = "ballast.caller";

    private const string BearerScheme = "bearer";

    /// <summary>Builds the service; <c>Run</c> or <c>StartAsync</c> it.</summary>
    public static WebApplication Build(ServiceOptions options)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(BallastService).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            Args = [],
        });
        builder.WebHost.UseUrls([.. options.Urls]);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
        });
        builder.Logging.ClearProviders();
        if (options.Logging)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z'";
            });
            builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        }

        builder.Services.AddSingleton(_ => new ServiceState(options)); // made by the container, so it is disposed when the host stops
        Operations.ServiceOperations.Add(builder, options);
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ServiceJson.Default));
        builder.Services.AddOpenApi(o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Components ??= new Microsoft.OpenApi.OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, Microsoft.OpenApi.IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new Microsoft.OpenApi.OpenApiSecurityScheme
            {
                Type = Microsoft.OpenApi.SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "An API key from `ballast keys create --tenant NAME --role ROLE`",
            };
            foreach (var (path, item) in document.Paths)
            {
                if (!path.StartsWith("/v1/", StringComparison.Ordinal) || item.Operations is null) continue;
                foreach (var operation in item.Operations.Values)
                    operation.Security = [new Microsoft.OpenApi.OpenApiSecurityRequirement { [new Microsoft.OpenApi.OpenApiSecuritySchemeReference(BearerScheme, document)] = [] }];
            }
            document.Info.Title = "Ballast";
            document.Info.Description = "Drift checks and trade plans for ETF portfolios. Every /v1 endpoint needs `Authorization: Bearer KEY` " +
                "(a key from `ballast keys create`); errors are RFC 9457 problem documents (application/problem+json) naming the field.";
            return Task.CompletedTask;
        }));
        builder.Services.AddRateLimiter(o =>
        {
            o.AddPolicy(RatePolicy, context => RateLimitPartition.GetTokenBucketLimiter(PartitionKey(context), _ => new TokenBucketRateLimiterOptions
            {
                TokenLimit = options.RateLimit,
                TokensPerPeriod = options.RateLimit,
                ReplenishmentPeriod = options.RateWindow,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
            o.OnRejected = async (rejected, _) =>
            {
                var wait = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : options.RateWindow;
                var seconds = Math.Max(1, (long)Math.Ceiling(wait.TotalSeconds));
                rejected.HttpContext.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Problems.Write(rejected.HttpContext, StatusCodes.Status429TooManyRequests, Problems.RateLimited, "Too many requests",
                    $"this key may make {options.RateLimit} requests per {options.RateWindow.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s; retry after {seconds} s");
            };
        });

        options.ConfigureHost?.Invoke(builder);
        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Ballast.Service");
        app.Use((context, next) => Logged(context, next, log));
        app.Use(ProblemsForEmptyErrors);
        app.UseRateLimiter();

        app.MapGet("/health", () => TypedResults.Ok(new HealthAnswer("ok")))
            .WithSummary("The process is alive").WithTags("operations");
        app.MapGet("/ready", Ready)
            .WithSummary("The store opens and its schema is current (503 otherwise)").WithTags("operations")
            .Produces<ReadyAnswer>().ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        app.MapOpenApi();
        app.MapScalarApiReference(o => o.WithTitle("Ballast API").DisableDefaultFonts());

        var v1 = app.MapGroup("/v1").RequireRateLimiting(RatePolicy).AddEndpointFilter(Authorize).WithTags("portfolios");
        MapPortfolio(v1, "/check", Permission.Check, PortfolioRequests.Check, "Check a portfolio: the document `ballast check FILE --json` prints");
        MapPortfolio(v1, "/plan", Permission.Plan, PortfolioRequests.Plan, "Plan a portfolio's trades: the document `ballast plan FILE --json` prints");
        Operations.ServiceOperations.Map(app, v1);
        Dashboard.DeskEndpoints.Map(app);
        Resources.ResourceEndpoints.Map(v1);
        return app;
    }

    /// <summary>A stateless endpoint taking a portfolio document (check, plan): its permission, description and every answer it can give.</summary>
    private static void MapPortfolio(Microsoft.AspNetCore.Routing.RouteGroupBuilder v1, string path, Permission permission, Func<HttpContext, byte[], DateOnly, Answer> handle, string summary) =>
        v1.MapPost(path, (HttpContext context, CancellationToken _) => Post(context, handle))
            .WithMetadata(new RequiresPermission(permission))
            .WithSummary(summary)
            .WithDescription("The body is a portfolio document in the portfolio file's schema, as JSON. Roles: " + string.Join(", ", Permissions.RolesThatMay(permission)) + ".")
            .Accepts<System.Text.Json.JsonElement>("application/json")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .ProducesProblem(StatusCodes.Status400BadRequest).ProducesProblem(StatusCodes.Status401Unauthorized).ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge).ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity).ProducesProblem(StatusCodes.Status429TooManyRequests);

    private static IResult Ready(HttpContext context)
    {
        var state = context.RequestServices.GetRequiredService<ServiceState>();
        try
        {
            var store = BallastStore.Open(state.Options.Store, state.Options.StoreOptions);
            return TypedResults.Ok(new ReadyAnswer("ready", store.SchemaVersion, store.DatabaseVersion));
        }
        catch (Exception e) when (e is StoreVersionException or StoreUnavailableException or StoreBusyException)
        {
            return Problems.Answer(StatusCodes.Status503ServiceUnavailable, Problems.StoreUnavailable, "The store is not ready", e.Message, context);
        }
    }

    /// <summary>Each request's rate-limit partition: its key (hashed: the limiter keeps no secrets), else its address.</summary>
    private static string PartitionKey(HttpContext context) =>
        BearerToken(context) is { } token ? "key:" + KeyHash(context, token) : "address:" + context.Connection.RemoteIpAddress;

    /// <summary>The SHA-256 of the request's key, computed once per request (the rate limiter and the key cache both need it).</summary>
    private static string KeyHash(HttpContext context, string token)
    {
        if (context.Items.TryGetValue(KeyHashItem, out var kept) && kept is string hash) return hash;
        hash = BallastStore.HashKey(token);
        context.Items[KeyHashItem] = hash;
        return hash;
    }

    private const string KeyHashItem = "ballast.key-hash";

    private static string? BearerToken(HttpContext context)
    {
        var header = context.Request.Headers.Authorization.ToString();
        return header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) && header.Length > 7 ? header[7..].Trim() : null;
    }

    /// <summary>The authenticated caller of a <c>/v1</c> request (set by the key check before any endpoint runs).</summary>
    internal static ApiCaller Caller(HttpContext context) => (ApiCaller)context.Items[CallerItem]!;

    /// <summary>
    /// The store as the caller's tenant sees it, writing as the caller's key: every read and write of a request goes through this,
    /// so another firm's rows are never reached and every audit row names the key (<c>key 12 (acme, trader)</c>).
    /// </summary>
    internal static BallastStore TenantStore(HttpContext context)
    {
        var caller = Caller(context);
        return context.RequestServices.GetRequiredService<ServiceState>().Store.ForTenant(caller.TenantId, $"key {caller.KeyId} ({caller.Tenant}, {caller.Role})");
    }

    /// <summary>The <c>/v1</c> filter: 401 without a known, unrevoked key; 403 when its role may not do what the endpoint does.</summary>
    private static async ValueTask<object?> Authorize(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        var state = context.RequestServices.GetRequiredService<ServiceState>();
        if (BearerToken(context) is not { } token)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer";
            return Problems.Answer(StatusCodes.Status401Unauthorized, Problems.Unauthorized, "An API key is needed",
                "send 'Authorization: Bearer KEY' with a key from 'ballast keys create'", context, [new ProblemField("Authorization", "missing or not a Bearer key")]);
        }
        if (state.Keys.Authenticate(token, KeyHash(context, token), state.Store.Authenticate) is not { } caller)
        {
            context.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
            return Problems.Answer(StatusCodes.Status401Unauthorized, Problems.Unauthorized, "The API key is not valid",
                "the key is unknown or revoked", context, [new ProblemField("Authorization", "unknown or revoked key")]);
        }
        context.Items[CallerItem] = caller;
        if (context.GetEndpoint()?.Metadata.GetMetadata<RequiresPermission>() is { } needed && !Permissions.Allows(caller.Role, needed.Permission))
            return Problems.Answer(StatusCodes.Status403Forbidden, Problems.Forbidden, "The key's role may not do this",
                $"a {caller.Role} key may not {Permissions.Word(needed.Permission)}; roles that may: {string.Join(", ", Permissions.RolesThatMay(needed.Permission))}", context,
                [new ProblemField("Authorization", $"role {caller.Role}")]);
        return await next(invocation);
    }

    /// <summary>
    /// A POST: reads the body (415 unless JSON, 413 beyond the size limit), replays the first response to a retried
    /// <c>Idempotency-Key</c> (422 when the key was used for another request), else answers and keeps the answer for the key.
    /// </summary>
    internal static Task<IResult> Post(HttpContext context, Func<HttpContext, byte[], DateOnly, Answer> answer) => Post(context, answer, emptyBodyAllowed: false);

    /// <summary>As <see cref="Post(HttpContext, Func{HttpContext, byte[], DateOnly, Answer})"/>; with <paramref name="emptyBodyAllowed"/> a request without a body
    /// (and without a Content-Type) is answered too, with an empty body (a step such as approving a proposal, whose fields are optional).</summary>
    internal static async Task<IResult> Post(HttpContext context, Func<HttpContext, byte[], DateOnly, Answer> answer, bool emptyBodyAllowed)
    {
        var state = context.RequestServices.GetRequiredService<ServiceState>();
        var caller = (ApiCaller)context.Items[CallerItem]!;
        string? key = null;
        if (context.Request.Headers.TryGetValue(IdempotencyHeader, out var keys))
        {
            key = keys.Count == 1 ? keys[0] : null;
            if (key is null || key.Length is 0 or > BallastStore.MaxIdempotencyKey || key.Any(c => c is < (char)0x21 or > (char)0x7e))
                return Problems.Answer(StatusCodes.Status400BadRequest, Problems.InvalidHeader, "The Idempotency-Key header is not valid",
                    $"give one key of 1 to {BallastStore.MaxIdempotencyKey} visible ASCII characters", context, [new ProblemField(IdempotencyHeader, "not a valid key")]);
        }
        var (body, problem) = await ReadBody(context, state.Options.MaxBodyBytes, emptyBodyAllowed);
        if (problem is not null) return problem;
        var hash = key is null ? null : RequestHash(context, body!);
        if (key is not null && state.Store.FindIdempotentResponse(caller.TenantId, key) is { } kept)
            return Replay(context, kept, hash!, key);
        var result = answer(context, body!, state.Today);
        if (key is null) return result;
        var first = state.Store.KeepIdempotentResponse(caller.TenantId, key,
            new IdempotentResponse(hash!, result.Status, result.ContentType, result.Body, state.Options.StoreOptions.Time.GetUtcNow()));
        return first.RequestHash == hash && first.Body == result.Body ? result : Replay(context, first, hash!, key);
    }

    private static Answer Replay(HttpContext context, IdempotentResponse kept, string hash, string key)
    {
        if (kept.RequestHash != hash)
            return Problems.Answer(StatusCodes.Status422UnprocessableEntity, Problems.IdempotencyConflict, "The Idempotency-Key was used for another request",
                $"the key '{key}' was first used with another method, path or body; use a new key for a new request", context,
                [new ProblemField(IdempotencyHeader, "used before with another request")]);
        context.Response.Headers[ReplayedHeader] = "true";
        return new Answer(kept.Status, kept.ContentType, kept.Body);
    }

    private static string RequestHash(HttpContext context, byte[] body)
    {
        using var sha = System.Security.Cryptography.IncrementalHash.CreateHash(System.Security.Cryptography.HashAlgorithmName.SHA256);
        sha.AppendData(System.Text.Encoding.UTF8.GetBytes($"{context.Request.Method} {context.Request.Path}\n"));
        sha.AppendData(body);
        return Convert.ToHexStringLower(sha.GetHashAndReset());
    }

    private static async Task<(byte[]? Body, Answer? Problem)> ReadBody(HttpContext context, long max, bool emptyBodyAllowed = false)
    {
        // Without a Content-Type, only an empty body is accepted (and only where the endpoint allows it).
        var untyped = emptyBodyAllowed && string.IsNullOrEmpty(context.Request.ContentType);
        if (!untyped && PortfolioRequests.UnsupportedMediaType(context.Request.ContentType) is { } why)
            return (null, Unsupported(why));
        if (context.Request.ContentLength > max) return TooLarge();
        try
        {
            if (context.Request.ContentLength is { } length and > 0)
            {
                // The usual case: the length is declared, so the body is read straight into an array of that size.
                var body = new byte[length];
                var read = 0;
                while (read < body.Length)
                {
                    var got = await context.Request.Body.ReadAsync(body.AsMemory(read), context.RequestAborted);
                    if (got == 0) break; // Kestrel refuses a body shorter than its Content-Length before this
                    read += got;
                }
                if (untyped) return (null, Unsupported(PortfolioRequests.UnsupportedMediaType(null)!));
                return (read == body.Length ? body : body[..read], null);
            }
            using var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int n;
            while ((n = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
            {
                if (buffer.Length + n > max) return TooLarge();
                buffer.Write(chunk, 0, n);
            }
            if (untyped && buffer.Length > 0) return (null, Unsupported(PortfolioRequests.UnsupportedMediaType(null)!));
            return (buffer.ToArray(), null);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return TooLarge();
        }

        Answer Unsupported(string reason) => Problems.Answer(StatusCodes.Status415UnsupportedMediaType, Problems.UnsupportedMediaType, "Unsupported media type", reason, context,
            [new ProblemField("Content-Type", reason)]);

        // The rest of the body is not read: the connection closes after the answer, so a client does not send its next request on it.
        (byte[]?, Answer?) TooLarge()
        {
            context.Response.Headers.Connection = "close";
            return (null, Problems.Answer(StatusCodes.Status413PayloadTooLarge, Problems.BodyTooLarge, "The body is too large",
                $"a request body has at most {max} bytes", context, [new ProblemField(null, $"more than {max} bytes")]));
        }
    }

    /// <summary>
    /// One structured log line per request (method, path, status, milliseconds, key id, tenant), and the last line of defence: an exception
    /// becomes a problem document (503 for a busy or unavailable store, 422 for bad input, else 500 without a trace; the trace goes to the log).
    /// </summary>
    private static async Task Logged(HttpContext context, RequestDelegate next, ILogger log)
    {
        var start = Stopwatch.GetTimestamp();
        try
        {
            await next(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            context.Response.Clear();
            switch (e)
            {
                case InputException input:
                    await Problems.Invalid(context, input.Problems).WriteAsync(context);
                    break;
                case BadHttpRequestException bad:
                    await Problems.Write(context, bad.StatusCode, bad.StatusCode == 413 ? Problems.BodyTooLarge : Problems.BadRequest, "Bad request", bad.Message);
                    break;
                case StoreBusyException busy:
                    context.Response.Headers.RetryAfter = "1";
                    await Problems.Write(context, StatusCodes.Status503ServiceUnavailable, Problems.StoreBusy, "The store is busy", busy.Message);
                    break;
                case StoreVersionException or StoreUnavailableException:
                    await Problems.Write(context, StatusCodes.Status503ServiceUnavailable, Problems.StoreUnavailable, "The store is not ready", e.Message);
                    break;
                default:
                    Failed(log, e, context.Request.Method, context.Request.Path.Value ?? "");
                    await Problems.Write(context, StatusCodes.Status500InternalServerError, Problems.Internal, "Internal error",
                        "the service could not answer; the error is in its log");
                    break;
            }
        }
        finally
        {
            var caller = context.Items.TryGetValue(CallerItem, out var c) ? c as ApiCaller : null;
            Request(log, context.Request.Method, context.Request.Path.Value ?? "", context.Response.StatusCode,
                Math.Round(Stopwatch.GetElapsedTime(start).TotalMilliseconds, 3), caller?.KeyId, caller?.Tenant);
        }
    }

    /// <summary>Errors that routing answers without a body (404 unknown path, 405 wrong method) get a problem document too.</summary>
    private static async Task ProblemsForEmptyErrors(HttpContext context, RequestDelegate next)
    {
        await next(context);
        var status = context.Response.StatusCode;
        if (status < 400 || context.Response.HasStarted || context.Response.ContentLength is not null || context.Response.ContentType is not null) return;
        if (status == StatusCodes.Status415UnsupportedMediaType)
        {
            var why = PortfolioRequests.UnsupportedMediaType(context.Request.ContentType) ?? "send the body as application/json";
            await Problems.Write(context, status, Problems.UnsupportedMediaType, "Unsupported media type", why, [new ProblemField("Content-Type", why)]);
            return;
        }
        var (type, title) = status switch
        {
            404 => (Problems.NotFound, "Not found"),
            405 => (Problems.MethodNotAllowed, "Method not allowed"),
            _ => (Problems.BadRequest, "Request refused"),
        };
        await Problems.Write(context, status, type, title, $"{context.Request.Method} {context.Request.Path} is not something this service answers");
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} {Path} {Status} {ElapsedMs} ms key {KeyId} tenant {Tenant}")]
    private static partial void Request(ILogger logger, string method, string path, int status, double elapsedMs, long? keyId, string? tenant);

    [LoggerMessage(EventId = 2, Level = LogLevel.Error, Message = "{Method} {Path} failed")]
    private static partial void Failed(ILogger logger, Exception exception, string method, string path);
}
