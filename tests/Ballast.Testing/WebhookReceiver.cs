using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Ballast.Testing;

/// <summary>One request a <see cref="WebhookReceiver"/> got: its body, headers and the status it answered.</summary>
public sealed record ReceivedRequest(string Method, string Path, string Body, IReadOnlyDictionary<string, string> Headers, int Answered);

/// <summary>
/// A real HTTP server on 127.0.0.1 (an <see cref="HttpListener"/> on a free port) that records every request and answers with the
/// status <see cref="Answer"/> gives for the request's number (1, 2, ...). Tests of webhooks deliver to it over the network.
/// </summary>
public sealed class WebhookReceiver : IDisposable
{
    private readonly HttpListener _listener = new();
    private readonly ConcurrentQueue<ReceivedRequest> _requests = new();
    private readonly Task _loop;
    private int _count;

    /// <param name="port">The port to listen on; default a free one.</param>
    public WebhookReceiver(int? port = null)
    {
        Port = port ?? FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(Loop);
    }

    public int Port { get; }

    /// <summary>The url of the path <c>/hook</c>.</summary>
    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>The status to answer the n-th request with (1-based); 200 by default.</summary>
    public Func<int, int> Answer { get; set; } = _ => 200;

    /// <summary>Every request so far, in the order they came.</summary>
    public IReadOnlyList<ReceivedRequest> Requests => [.. _requests];

    /// <summary>A port nothing listens on right now (a receiver that is down, or one to start later).</summary>
    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private async Task Loop()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try { context = await _listener.GetContextAsync().ConfigureAwait(false); }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException) { return; }
            try
            {
                string body;
                using (var reader = new StreamReader(context.Request.InputStream, Encoding.UTF8)) body = await reader.ReadToEndAsync().ConfigureAwait(false);
                var headers = context.Request.Headers.AllKeys.Where(k => k is not null).ToDictionary(k => k!, k => context.Request.Headers[k] ?? "", StringComparer.OrdinalIgnoreCase);
                var status = Answer(Interlocked.Increment(ref _count));
                _requests.Enqueue(new ReceivedRequest(context.Request.HttpMethod, context.Request.Url?.AbsolutePath ?? "", body, headers, status));
                context.Response.StatusCode = status;
                context.Response.ContentLength64 = 0;
                context.Response.Close();
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException)
            {
                // the client went away; the next request is served
            }
        }
    }

    public void Dispose()
    {
        try { _listener.Stop(); _listener.Close(); } catch (ObjectDisposedException) { }
        try { _loop.Wait(TimeSpan.FromSeconds(5)); } catch (AggregateException) { }
    }
}
