using System.Net;
using System.Net.Sockets;
using System.Text;
using Ballast.Operations.Alerts;

namespace Ballast.Operations.Tests;

/// <summary>
/// The service delivers webhooks to public addresses only (<see cref="WebhookAddresses"/>): the addresses that are not public are
/// told apart, a client for public addresses refuses a name that resolves to loopback when it connects, and a client allowed
/// private addresses reaches a real local listener.
/// </summary>
public sealed class WebhookAddressesTests
{
    [Theory]
    [InlineData("127.0.0.1", "loopback")]
    [InlineData("127.1.2.3", "loopback")]
    [InlineData("::1", "loopback")]
    [InlineData("10.1.2.3", "private")]
    [InlineData("172.16.0.1", "private")]
    [InlineData("172.31.255.255", "private")]
    [InlineData("192.168.1.1", "private")]
    [InlineData("169.254.169.254", "link-local")]
    [InlineData("100.64.0.1", "carrier-grade")]
    [InlineData("0.0.0.0", "unspecified")]
    [InlineData("224.0.0.1", "multicast")]
    [InlineData("fe80::1", "link-local")]
    [InlineData("fd00::1", "private")]
    [InlineData("::ffff:10.0.0.1", "private")]
    [InlineData("::ffff:127.0.0.1", "loopback")]
    public void NotPublic_NamesWhatTheAddressIs(string address, string kind) =>
        Assert.Contains(kind, WebhookAddresses.NotPublic(IPAddress.Parse(address)), StringComparison.Ordinal);

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("172.15.0.1")]
    [InlineData("172.32.0.1")]
    [InlineData("100.63.0.1")]
    [InlineData("2606:4700:4700::1111")]
    public void NotPublic_IsNullForPublicAddresses(string address) => Assert.Null(WebhookAddresses.NotPublic(IPAddress.Parse(address)));

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook", "127.0.0.1 is a loopback address")]
    [InlineData("https://169.254.169.254/latest/meta-data", "link-local")]
    [InlineData("http://[::1]/x", "loopback")]
    public void NotPublicHost_RefusesLiteralAddresses(string url, string part) =>
        Assert.Contains(part, WebhookAddresses.NotPublicHost(url), StringComparison.Ordinal);

    [Theory]
    [InlineData("https://hooks.example.com/ballast")]
    [InlineData("https://8.8.8.8/x")]
    public void NotPublicHost_LeavesNamesAndPublicAddressesToTheConnection(string url) => Assert.Null(WebhookAddresses.NotPublicHost(url));

    [Fact]
    public async Task PublicOnlyClient_RefusesANameThatResolvesToLoopback_AllowedClientReachesIt()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var served = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var request = new StringBuilder();
            while (!request.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
                request.Append(Encoding.ASCII.GetString(buffer, 0, await stream.ReadAsync(buffer)));
            await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"u8.ToArray());
        });

        using var publicOnly = WebhookAddresses.Client(allowPrivate: false);
        var refused = await Assert.ThrowsAsync<HttpRequestException>(() => publicOnly.PostAsync($"http://localhost:{port}/hook", new StringContent("{}")));
        Assert.Contains("localhost resolves to a loopback address", refused.Message, StringComparison.Ordinal);
        await Assert.ThrowsAsync<HttpRequestException>(() => publicOnly.PostAsync($"http://127.0.0.1:{port}/hook", new StringContent("{}")));

        using var allowed = WebhookAddresses.Client(allowPrivate: true);
        using var answer = await allowed.PostAsync($"http://127.0.0.1:{port}/hook", new StringContent("{}"));
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        await served;
    }
}
