using System.Text;
using System.Text.Json;
using Ballast.Cli;
using Ballast.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Spectre.Console;
using YamlDotNet.RepresentationModel;

namespace Ballast.Service.Tests;


/// <summary>
/// The service as <c>ballast serve</c> runs it (<see cref="BallastService.Build"/>), on Kestrel at 127.0.0.1 on a free port, with an
/// <see cref="HttpClient"/> talking to it over the real socket: request size limits and headers are Kestrel's, not a test server's.
/// </summary>
internal sealed class ServiceHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ServiceHost(WebApplication app, Uri address)
    {
        _app = app;
        Client = new HttpClient { BaseAddress = address };
    }

    public HttpClient Client { get; }

    public static async Task<ServiceHost> Start(StoreLocation location, Func<ServiceOptions, ServiceOptions>? tune = null)
    {
        var options = new ServiceOptions
        {
            Store = location,
            StoreOptions = new StoreOptions { Actor = "service", Time = new FixedClock(), BusyTimeout = TimeSpan.FromSeconds(10) },
            Urls = ["http://127.0.0.1:0"],
            Logging = false,
            RateLimit = 10_000,
            KeyCacheTtl = TimeSpan.Zero, // the suites revoke a key and expect the next request refused; KeyCacheTests test the cache
            DeliverWebhooks = false,
        };
        var app = BallastService.Build(tune?.Invoke(options) ?? options);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new ServiceHost(app, new Uri(address));
    }

    /// <summary>Stops the service as SIGTERM does (the host's graceful stop).</summary>
    public Task StopAsync() => _app.StopAsync();

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Requests and the CLI, for comparing their documents.</summary>
internal static class Http
{
    public static HttpRequestMessage Post(string path, string body, string? key, string contentType = "application/json", string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        if (key is not null) request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key);
        if (idempotencyKey is not null) request.Headers.TryAddWithoutValidation(BallastService.IdempotencyHeader, idempotencyKey);
        return request;
    }

    /// <summary>Asserts a problem document with <paramref name="status"/> and returns it parsed.</summary>
    public static async Task<JsonElement> Problem(HttpResponseMessage response, int status, string? field = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal(Problems.ContentType, response.Content.Headers.ContentType?.MediaType);
        var doc = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal(status, doc.GetProperty("status").GetInt32());
        Assert.StartsWith("urn:ballast:problem:", doc.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrWhiteSpace(doc.GetProperty("title").GetString()));
        Assert.DoesNotContain("   at ", body, StringComparison.Ordinal); // never a stack trace
        if (field is not null)
            Assert.Contains(doc.GetProperty("errors").EnumerateArray(), e => e.GetProperty("field").ValueKind == JsonValueKind.String && e.GetProperty("field").GetString() == field);
        return doc;
    }

    /// <summary>What <c>ballast ARGS</c> prints on standard output (exit code and standard error too), run in-process.</summary>
    public static (int Exit, string Out, string Err) Cli(string workingDirectory, params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors, Out = new AnsiConsoleOutput(stdout) });
        var context = new CliContext { Console = console, Out = stdout, Error = stderr, WorkingDirectory = workingDirectory, Time = new FixedClock() };
        var exit = CliApp.Run(args, context);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    /// <summary>A portfolio YAML file as the same document in JSON: plain scalars that are numbers or booleans become JSON numbers and booleans.</summary>
    public static string YamlToJson(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
            Write(w, stream.Documents[0].RootNode);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void Write(Utf8JsonWriter w, YamlNode node)
    {
        switch (node)
        {
            case YamlMappingNode map:
                w.WriteStartObject();
                foreach (var (k, v) in map.Children)
                {
                    w.WritePropertyName(((YamlScalarNode)k).Value!);
                    Write(w, v);
                }
                w.WriteEndObject();
                break;
            case YamlSequenceNode seq:
                w.WriteStartArray();
                foreach (var item in seq.Children) Write(w, item);
                w.WriteEndArray();
                break;
            case YamlScalarNode s:
                var text = s.Value ?? "";
                if (s.Style == YamlDotNet.Core.ScalarStyle.Plain && decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _)
                    && !text.StartsWith('+') && !text.StartsWith('.')) w.WriteRawValue(text);
                else if (s.Style == YamlDotNet.Core.ScalarStyle.Plain && text is "true" or "false") w.WriteBooleanValue(text == "true");
                else w.WriteStringValue(text);
                break;
        }
    }
}

