using System.CommandLine;
using System.Globalization;
using System.Text;
using Ballast.Cli.Store;
using Ballast.Service;
using Ballast.Store;
using Spectre.Console;

namespace Ballast.Cli.Service;

/// <summary><c>ballast serve</c> (the HTTP service, <see cref="BallastService"/>) and <c>ballast keys create|list|revoke</c> (its tenants' API keys).</summary>
internal static class ServiceCommands
{
    /// <summary>The command groups, for the store options.</summary>
    public static readonly string[] Groups = ["serve", "keys"];

    public static void AddTo(RootCommand root, CliContext ctx)
    {
        root.Subcommands.Add(Serve(ctx));
        root.Subcommands.Add(Keys(ctx));
    }

    private static Command Serve(CliContext ctx)
    {
        var urls = new Option<string>("--urls") { Description = "Where to listen, separated by ';' (default http://127.0.0.1:8080)", DefaultValueFactory = _ => "http://127.0.0.1:8080" };
        var rate = Flags.Int("--rate-limit", $"Requests per second each API key may make (default {ServiceOptions.DefaultRateLimit}); beyond, 429", 1, 1_000_000, ServiceOptions.DefaultRateLimit);
        var maxBody = Flags.Int("--max-body-kb", $"The largest request body in KiB (default {ServiceOptions.DefaultMaxBodyBytes / 1024}); beyond, 413", 1, 1024 * 1024, (int)(ServiceOptions.DefaultMaxBodyBytes / 1024));
        var shutdown = Flags.Int("--shutdown-timeout", $"Seconds requests in flight may take to finish after SIGTERM or Ctrl+C (default {ServiceOptions.DefaultShutdownSeconds})", 0, 3600, ServiceOptions.DefaultShutdownSeconds);
        var metrics = new Option<bool>("--metrics") { Description = "Serve the OpenTelemetry metrics in Prometheus' format at GET /metrics (no key: listen on a private address); OTLP export follows OTEL_EXPORTER_OTLP_ENDPOINT" };
        var privateHooks = new Option<bool>("--webhooks-to-private-addresses")
        {
            Description = "Deliver webhooks to loopback, private and link-local addresses too (a receiver on this network); by default only public addresses are called",
        };
        var cmd = new Command("serve", "Run the HTTP service (see docs/service.md): /health, /ready, POST /v1/check and /v1/plan, OpenAPI at /openapi/v1.json, a page at /scalar; Ctrl+C stops it");
        cmd.Options.Add(urls);
        cmd.Options.Add(rate);
        cmd.Options.Add(maxBody);
        cmd.Options.Add(shutdown);
        cmd.Options.Add(metrics);
        cmd.Options.Add(privateHooks);
        cmd.SetAction(parse =>
        {
            var listen = (parse.GetValue(urls) ?? "").Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            foreach (var u in listen)
                if (!Uri.TryCreate(u, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
                    throw new Ballast.Input.InputException(new Ballast.Input.InputProblem($"'{u}' is not an http or https url such as http://127.0.0.1:8080", Field: "--urls"));
            var options = new ServiceOptions
            {
                Store = StoreCommands.Location(parse, ctx),
                StoreOptions = StoreCommands.Options(parse, ctx),
                Urls = listen.Length == 0 ? ["http://127.0.0.1:8080"] : listen,
                RateLimit = parse.GetValue(rate),
                MaxBodyBytes = parse.GetValue(maxBody) * 1024L,
                ShutdownTimeout = TimeSpan.FromSeconds(parse.GetValue(shutdown)),
                PrometheusEndpoint = parse.GetValue(metrics),
                WebhooksToPrivateAddresses = parse.GetValue(privateHooks),
            };
            try
            {
                BallastStore.Open(options.Store, options.StoreOptions);
            }
            catch (Exception e) when (e is StoreVersionException or StoreUnavailableException or StoreBusyException)
            {
                ctx.Error.WriteLine($"ballast: warning: {Flags.OneLine(e.Message)}; /ready answers 503 until it is fixed");
            }
            BallastService.Build(options).Run();
            return ExitCodes.Ok;
        });
        return cmd;
    }

    private static Command Keys(CliContext ctx)
    {
        var tenant = new Option<string>("--tenant") { Description = "The firm the key belongs to (created when new)", Required = true };
        var role = new Option<string>("--role") { Description = "What the key may do: " + string.Join(", ", ApiRoles.All), Required = true };
        var create = new Command("create", "Create an API key; the key is printed once, alone on the last line (the store keeps only its SHA-256 hash)");
        create.Options.Add(tenant);
        create.Options.Add(role);
        create.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var created = StoreCommands.OpenStoreWide(parse, ctx).CreateApiKey(parse.GetValue(tenant)!, parse.GetValue(role)!);
            if (created.TenantCreated) ctx.Out.WriteLine($"tenant {created.Info.Tenant} created");
            ctx.Out.WriteLine($"API key {created.Info.Id} for tenant {created.Info.Tenant}, role {created.Info.Role}; shown this once (send it as 'Authorization: Bearer KEY'):");
            ctx.Out.WriteLine(created.Key);
            return ExitCodes.Ok;
        }));

        var json = new Option<bool>("--json") { Description = "One JSON array: id, tenant, role, prefix, createdAt, actor, revokedAt, lastUsedAt" };
        var list = new Command("list", "Every API key: id, tenant, role, the key's first characters, when created, last used and revoked (never the key)");
        list.Options.Add(json);
        list.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var keys = StoreCommands.OpenStoreWide(parse, ctx).ApiKeys();
            if (parse.GetValue(json))
            {
                using var stream = new MemoryStream();
                using (var w = PlanJson.NewWriter(stream))
                {
                    w.WriteStartArray();
                    foreach (var k in keys)
                    {
                        w.WriteStartObject();
                        w.WriteNumber("id", k.Id);
                        w.WriteString("tenant", k.Tenant);
                        w.WriteString("role", k.Role);
                        w.WriteString("prefix", k.Prefix);
                        w.WriteString("createdAt", Instant(k.CreatedAt));
                        w.WriteString("actor", k.Actor);
                        if (k.RevokedAt is { } r) w.WriteString("revokedAt", Instant(r));
                        else w.WriteNull("revokedAt");
                        if (k.LastUsedAt is { } u) w.WriteString("lastUsedAt", Instant(u));
                        else w.WriteNull("lastUsedAt");
                        w.WriteEndObject();
                    }
                    w.WriteEndArray();
                }
                ctx.Out.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
                return ExitCodes.Ok;
            }
            if (keys.Count == 0)
            {
                ctx.Out.WriteLine("no API keys ('ballast keys create --tenant NAME --role ROLE' creates one)");
                return ExitCodes.Ok;
            }
            var table = new Table().Border(ctx.Interactive ? TableBorder.Rounded : TableBorder.Ascii).AddColumns("Id", "Tenant", "Role", "Key", "Created", "Last used", "Revoked");
            foreach (var k in keys)
                table.AddRow(k.Id.ToString(CultureInfo.InvariantCulture), Markup.Escape(k.Tenant), k.Role, Markup.Escape(k.Prefix + "…"), Instant(k.CreatedAt),
                    k.LastUsedAt is { } u ? Instant(u) : "never", k.RevokedAt is { } r ? Instant(r) : "");
            ctx.Console.Write(table);
            return ExitCodes.Ok;
        }));

        var id = Flags.Long("ID", "An API key id ('ballast keys list')", 1, long.MaxValue);
        var revoke = new Command("revoke", "Revoke an API key: requests with it get 401 from now on");
        revoke.Arguments.Add(id);
        revoke.SetAction(parse => StoreCommands.Run(ctx, () =>
        {
            var k = StoreCommands.OpenStoreWide(parse, ctx).RevokeApiKey(parse.GetValue(id));
            ctx.Out.WriteLine($"API key {k.Id} ({k.Prefix}…) of tenant {k.Tenant} revoked");
            return ExitCodes.Ok;
        }));

        var keys = new Command("keys", "API keys of the HTTP service: per tenant (firm), with a role (viewer, trader, approver, admin)");
        keys.Subcommands.Add(create);
        keys.Subcommands.Add(list);
        keys.Subcommands.Add(revoke);
        return keys;
    }

    private static string Instant(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);
}
