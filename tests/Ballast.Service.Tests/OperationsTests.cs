using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Ballast.Operations.Windows;
using Ballast.Service.Operations;
using Ballast.Store;
using Ballast.Testing;

namespace Ballast.Service.Tests;

/// <summary>
/// The service's operations: the cache of authenticated keys, the OpenTelemetry instruments (recorded, and exported at <c>/metrics</c>),
/// a window run stopped between batches by the host's stopping token, and a real <c>ballast serve</c> process that finishes a request in
/// flight after SIGTERM. On SQLite. They run by themselves (<see cref="ProcessWideMeters"/>): the metrics test listens to every
/// measurement of the test process, and a window another test ran meanwhile would be counted with its own.
/// </summary>
[Collection(ProcessWideMeters.Name)]
public sealed class OperationsTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("ballast-svcops-test-").FullName;

    private string Db => Path.Combine(_directory, "ballast.db");

    private StoreLocation Location => new(StoreProvider.Sqlite, $"Data Source={Db}");

    public void Dispose()
    {
        try { Directory.Delete(_directory, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static string Portfolio => File.ReadAllText(RepositoryPaths.Example("inner-rails.json"));

    [Fact]
    public async Task KeyCache_AsksTheStoreOncePerTtl_ARevokedKeyIsRefusedOnceTheTtlRunsOut_AndLastUseIsStillRecorded()
    {
        var store = BallastStore.Initialize(Location, new StoreOptions { Actor = "tester", Time = new FixedClock() });
        var key = store.CreateApiKey("acme", ApiRoles.Trader);

        // Unit: many authentications, one store lookup while fresh; an unknown key is never kept.
        var cache = new KeyCache(TimeSpan.FromMinutes(1));
        var lookups = 0;
        for (var i = 0; i < 50; i++)
            Assert.NotNull(cache.Authenticate(key.Key, BallastStore.HashKey(key.Key), t => { lookups++; return store.Authenticate(t); }));
        Assert.Equal(1, lookups);
        Assert.Equal(1, cache.Lookups);
        for (var i = 0; i < 3; i++) Assert.Null(cache.Authenticate("blst_nope", BallastStore.HashKey("blst_nope"), store.Authenticate));
        Assert.Equal(4, cache.Lookups);

        // Over HTTP with a short TTL: the revoked key still passes within the TTL, and is refused after it.
        await using var host = await ServiceHost.Start(Location, o => o with { KeyCacheTtl = TimeSpan.FromMilliseconds(400) });
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(Http.Post("/v1/check", Portfolio, key.Key))).StatusCode);
        Assert.Equal(FixedClock.Default, store.ApiKeys().Single().LastUsedAt); // the first lookup records the use
        store.RevokeApiKey(key.Info.Id);
        var revokedAt = Stopwatch.StartNew();
        var status = HttpStatusCode.OK;
        while (status == HttpStatusCode.OK && revokedAt.Elapsed < TimeSpan.FromSeconds(5))
        {
            status = (await host.Client.SendAsync(Http.Post("/v1/check", Portfolio, key.Key))).StatusCode;
            if (status == HttpStatusCode.OK) await Task.Delay(50);
        }
        Assert.Equal(HttpStatusCode.Unauthorized, status);
        Assert.True(revokedAt.Elapsed < TimeSpan.FromSeconds(1.5), $"the revocation took {revokedAt.Elapsed} to take effect with a 0.4 s TTL");
    }

    [Fact]
    public async Task BehindALoopbackProxy_TheForwardedClientAddressIsWhatTheLimiterSees()
    {
        BallastStore.Initialize(Location);
        await using var host = await ServiceHost.Start(Location, o => o with { RateLimit = 2, RateWindow = TimeSpan.FromMinutes(1) });
        async Task<HttpStatusCode> From(string address)
        {
            var request = Http.Post("/v1/check", Portfolio, null);
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", address);
            return (await host.Client.SendAsync(request)).StatusCode;
        }
        // Without a key, requests are limited by address: the proxy's client's, not the proxy's (127.0.0.1).
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests], [await From("203.0.113.7"), await From("203.0.113.7"), await From("203.0.113.7")]);
        Assert.Equal(HttpStatusCode.Unauthorized, await From("203.0.113.8"));
    }

    /// <summary>A store with two accounts on a drifted model and a calendar (Mon/Wed/Fri 10:00 New York), as the window tests set up.</summary>
    private void SeedWindow()
    {
        File.WriteAllText(Path.Combine(_directory, "prices.csv"), "date,VTI,BND\n2025-09-26,100,100\n");
        File.WriteAllText(Path.Combine(_directory, "rails.yaml"), "{ look: daily, trigger: threshold, relative: 20%, rebalanceTo: inner-rail, rail: 10% }\n");
        File.WriteAllText(Path.Combine(_directory, "accounts.csv"), "account,type,currency,household,model\nbig,taxable,USD,,core\nsmall,taxable,USD,,core\nthird,taxable,USD,,core\n");
        File.WriteAllText(Path.Combine(_directory, "positions.csv"), "account,ticker,quantity,cost_basis\nbig,VTI,240,1\nbig,BND,60,1\nsmall,VTI,24,1\nsmall,BND,6,1\nthird,VTI,30,1\nthird,BND,70,1\n");
        File.WriteAllText(Path.Combine(_directory, "calendar.yaml"), "timeZone: America/New_York\nwindows:\n  - days: [mon, wed, fri]\n    at: \"10:00\"\ncutOff: 30 minutes\nsettlement: T+1\n");
        foreach (var args in new[]
                 {
                     new[] { "init" }, ["prices", "import", "prices.csv"], ["model", "set", "core", "--targets", "VTI=60%,BND=40%", "--policy-file", "rails.yaml"],
                     ["import", "accounts", "accounts.csv"], ["import", "positions", "positions.csv", "--as-of", "2025-09-26"],
                 })
        {
            var (exit, _, err) = Http.Cli(_directory, [.. args, "--db", Db]);
            Assert.True(exit == 0, $"ballast {string.Join(' ', args)}: {err}");
        }
    }

    [Fact]
    public async Task Metrics_WindowDurationsAccountsEvaluatedAndRequests_AreRecorded_AndScrapedAtMetrics()
    {
        SeedWindow();
        var store = BallastStore.Open(Location, new StoreOptions { Actor = "tester", Time = new FixedClock() });
        var key = store.CreateApiKey("acme", ApiRoles.Trader).Key;
        var measured = new List<(string Instrument, double Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name is Ballast.Operations.Telemetry.MeterName or "Microsoft.AspNetCore.Hosting") l.EnableMeasurementEvents(instrument);
        };
        void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var t = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags) t[tag.Key] = tag.Value;
            lock (measured) measured.Add((instrument.Name, value, t));
        }
        listener.SetMeasurementEventCallback<double>((i, v, tags, _) => Record(i, v, tags));
        listener.SetMeasurementEventCallback<long>((i, v, tags, _) => Record(i, v, tags));
        listener.Start();

        await using var host = await ServiceHost.Start(Location, o => o with { PrometheusEndpoint = true });
        Assert.Equal(HttpStatusCode.OK, (await host.Client.SendAsync(Http.Post("/v1/plan", Portfolio, key))).StatusCode);
        var (exit, stdout, stderr) = Http.Cli(_directory, "window", "run", "--calendar", "calendar.yaml", "--db", Db);
        Assert.True(exit == 0, stderr + stdout);

        List<(string Instrument, double Value, Dictionary<string, object?> Tags)> Of(string name)
        {
            lock (measured) return [.. measured.Where(m => m.Instrument == name)];
        }
        var window = Assert.Single(Of(Ballast.Operations.Telemetry.WindowDurationName));
        Assert.True(window.Value > 0);
        Assert.Equal("proposed", window.Tags["status"]);
        var evaluated = Of(Ballast.Operations.Telemetry.AccountsEvaluatedName).Sum(m => m.Value);
        Assert.Equal(3, Of(Ballast.Operations.Telemetry.WindowAccountsName).Sum(m => m.Value)); // every account has a verdict
        Assert.InRange(evaluated, 1, 3);
        Assert.Contains(Of("http.server.request.duration"), m => (string?)m.Tags["http.route"] == "/v1/plan" && (int?)m.Tags["http.response.status_code"] == 200);

        // The exporter: Prometheus' text format, with the same instruments.
        await Task.Delay(200);
        var scrape = await host.Client.GetStringAsync("/metrics");
        Assert.Contains("ballast_window_duration_seconds_count", scrape, StringComparison.Ordinal);
        Assert.Contains("ballast_window_accounts_evaluated", scrape, StringComparison.Ordinal);
        Assert.Contains("http_server_request_duration_seconds_count{", scrape, StringComparison.Ordinal);
        Assert.Contains("http_route=\"/v1/plan\"", scrape, StringComparison.Ordinal);
    }

    [Fact]
    public void WindowRun_StoppedByTheHostBetweenBatches_IsRecordedFailed_AndResumesWhenRunAgain()
    {
        SeedWindow();
        var store = BallastStore.Open(Location, new StoreOptions { Actor = "tester", Time = new FixedClock() });
        var calendar = TradingCalendarReader.Load(Path.Combine(_directory, "calendar.yaml"));
        var window = WindowRunner.WindowAt(calendar, FixedClock.Default);
        using var stopping = new CancellationTokenSource();
        var batches = 0;
        var runner = new WindowRunner(store, "test") { BatchSize = 1, AfterBatch = n => { batches = n; stopping.Cancel(); } };
        Assert.ThrowsAny<OperationCanceledException>(() => runner.Run(calendar, window, stopping.Token));
        Assert.Equal(1, batches); // stopped after the first batch, not within it
        var stopped = Assert.Single(store.Events(0, 100, [EventKinds.WindowFailed]));
        Assert.Contains(WindowRunner.Abandoned, stopped.Data, StringComparison.Ordinal);

        var resumed = new WindowRunner(store, "test") { BatchSize = 1 }.Run(calendar, window);
        Assert.True(resumed.Resumed);
        Assert.Equal(3, resumed.Counts.Sum(c => c.Count));
    }

    [Fact]
    public async Task ServeProcess_OnSigterm_StopsAccepting_FinishesTheRequestInFlight_AndExitsZero()
    {
        var store = BallastStore.Initialize(Location);
        var key = store.CreateApiKey("acme", ApiRoles.Trader).Key;
        var port = WebhookReceiver.FreePort();
        var binary = Path.Combine(AppContext.BaseDirectory, OperatingSystem.IsWindows() ? "ballast.exe" : "ballast");
        var info = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "serve", "--db", Db, "--urls", $"http://127.0.0.1:{port}", "--shutdown-timeout", "20" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var output = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { lock (output) output.AppendLine(e.Data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            var up = Stopwatch.StartNew();
            while (true)
            {
                try { if ((await http.GetAsync("/health")).IsSuccessStatusCode) break; }
                catch (HttpRequestException) when (up.Elapsed < TimeSpan.FromSeconds(30)) { }
                Assert.False(process.HasExited, "ballast serve exited: " + output);
                await Task.Delay(100);
            }

            // A slow client: the headers and half the body, then SIGTERM, then the rest.
            var body = Encoding.UTF8.GetBytes(Portfolio);
            using var client = new TcpClient();
            await client.ConnectAsync(IPAddress.Loopback, port);
            var stream = client.GetStream();
            var head = $"POST /v1/plan HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer {key}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
            await stream.WriteAsync(body.AsMemory(0, body.Length / 2));
            await stream.FlushAsync();
            await Task.Delay(300);
            using (var kill = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await kill.WaitForExitAsync();
            await Task.Delay(700);

            // No new connections once it is stopping.
            using (var late = new TcpClient())
                await Assert.ThrowsAnyAsync<SocketException>(() => late.ConnectAsync(IPAddress.Loopback, port));
            Assert.False(process.HasExited, "the process did not wait for the request in flight: " + output);

            await stream.WriteAsync(body.AsMemory(body.Length / 2));
            await stream.FlushAsync();
            var answer = await new StreamReader(stream, Encoding.UTF8).ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.StartsWith("HTTP/1.1 200 OK", answer, StringComparison.Ordinal);
            Assert.Contains("\"needsRebalancing\"", answer, StringComparison.Ordinal);

            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(20));
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {output}");
        }
        finally
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
        }
    }
}

/// <summary>Tests that listen to the whole process's meters run alone, after the others (which run side by side).</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProcessWideMeters
{
    public const string Name = "process-wide meters";
}
