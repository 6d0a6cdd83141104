using Ballast.Service.Events;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace Ballast.Service.Operations;

/// <summary>
/// What <c>ballast serve</c> runs beside its endpoints: the event feed and its poller, background webhook delivery, OpenTelemetry
/// metrics (exported over OTLP and/or scraped at <c>/metrics</c>), and graceful shutdown within <see cref="ServiceOptions.ShutdownTimeout"/>.
/// </summary>
internal static class ServiceOperations
{
    /// <summary>The standard OpenTelemetry variable naming the OTLP collector.</summary>
    public const string OtlpEndpointVariable = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The meters exported: the operations layer's, ASP.NET Core's requests, Kestrel's connections.</summary>
    public static readonly string[] Meters = [Ballast.Operations.Telemetry.MeterName, "Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel"];

    public static void Add(WebApplicationBuilder builder, ServiceOptions options)
    {
        // SIGTERM / Ctrl+C: Kestrel stops accepting, requests in flight get this long to finish, then the host stops anyway.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.ShutdownTimeout);
        // Behind a reverse proxy on this machine: X-Forwarded-For and X-Forwarded-Proto from a loopback proxy (ASP.NET Core's
        // default known proxies) give the client's address and scheme; from anyone else they are ignored. First in the pipeline.
        builder.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto);
        builder.Services.AddTransient<IStartupFilter, ForwardedHeadersFirst>();
        builder.Services.AddSingleton<EventFeed>();
        builder.Services.AddHostedService<EventPoller>();
        if (options.DeliverWebhooks) builder.Services.AddHostedService<WebhookDelivery>();

        var otlp = OtlpEndpoint(options);
        if (otlp is null && !options.PrometheusEndpoint) return;
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("ballast", serviceVersion: typeof(ServiceOperations).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m =>
            {
                m.AddMeter(Meters);
                if (otlp is not null) m.AddOtlpExporter(o => o.Endpoint = otlp);
                if (options.PrometheusEndpoint) m.AddPrometheusExporter();
            });
    }

    public static void Map(WebApplication app, RouteGroupBuilder v1)
    {
        var state = app.Services.GetRequiredService<ServiceState>();
        if (state.Options.PrometheusEndpoint) app.MapPrometheusScrapingEndpoint("/metrics");
        EventEndpoints.Map(v1);
        WebhookEndpoints.Map(v1);
    }

    private sealed class ForwardedHeadersFirst : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseForwardedHeaders();
            next(app);
        };
    }

    /// <summary>Where metrics are exported over OTLP: the option, else <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>, else nowhere.</summary>
    public static Uri? OtlpEndpoint(ServiceOptions options) =>
        options.OtlpEndpoint ?? (Environment.GetEnvironmentVariable(OtlpEndpointVariable) is { Length: > 0 } text && Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) ? uri : null);
}
