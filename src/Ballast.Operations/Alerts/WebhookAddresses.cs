using System.Net;
using System.Net.Sockets;

namespace Ballast.Operations.Alerts;

/// <summary>
/// Where a service may deliver webhooks. A firm's admin names the url, but the service's machine makes the request: without a
/// guard, a url naming <c>127.0.0.1</c>, <c>169.254.169.254</c> (a cloud's metadata service) or the firm network's private
/// addresses would make the service call into places its tenants cannot reach. The service therefore connects only to
/// public addresses, checked on every connection after the name is resolved (so a name that resolves to a private address,
/// now or later, is refused too), unless it is started to allow private ones (a receiver on the same network).
/// </summary>
public static class WebhookAddresses
{
    /// <summary>Why <paramref name="address"/> is not public (loopback, private, link-local…), or null when it is.</summary>
    public static string? NotPublic(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address)) return "a loopback address";
        if (address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) || address.Equals(IPAddress.None)) return "an unspecified address";
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] switch
            {
                0 => "an unspecified address",
                10 => "a private address",
                100 when b[1] >= 64 && b[1] <= 127 => "a shared (carrier-grade NAT) address",
                169 when b[1] == 254 => "a link-local address",
                172 when b[1] >= 16 && b[1] <= 31 => "a private address",
                192 when b[1] == 168 => "a private address",
                192 when b[1] == 0 && b[2] == 0 => "a reserved address",
                198 when b[1] is 18 or 19 => "a benchmarking address",
                >= 224 => "a multicast or reserved address",
                _ => null,
            };
        }
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            if (address.IsIPv6LinkLocal || address.IsIPv6SiteLocal) return "a link-local address";
            if (address.IsIPv6Multicast) return "a multicast address";
            if (address.IsIPv6UniqueLocal) return "a private address";
            return null;
        }
        return "not an internet address";
    }

    /// <summary>
    /// Why the literal address in <paramref name="url"/>'s host is not public, or null (a name, checked when connecting, or a
    /// public address). The service refuses such a url when the webhook is added.
    /// </summary>
    public static string? NotPublicHost(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && NotPublic(address) is { } why
            ? $"{uri.Host} is {why}; this service delivers webhooks to public addresses only (start it with --webhooks-to-private-addresses to allow them)"
            : null;

    /// <summary>
    /// An HTTP client for webhook deliveries. With <paramref name="allowPrivate"/> false it connects only to public addresses: each
    /// connection resolves the host, drops the addresses that are not public and fails, naming the host, when none is left.
    /// </summary>
    public static HttpClient Client(bool allowPrivate)
    {
        var handler = new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) };
        if (!allowPrivate) handler.ConnectCallback = ConnectPublicAsync;
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan }; // the notifier's pipeline times each attempt
    }

    private static async ValueTask<Stream> ConnectPublicAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        var host = context.DnsEndPoint.Host;
        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, cancellationToken).ConfigureAwait(false);
        var allowed = addresses.Where(a => NotPublic(a) is null).ToArray();
        if (allowed.Length == 0)
            throw new HttpRequestException(
                $"{host} resolves to {(addresses.Length == 0 ? "no address" : NotPublic(addresses[0]))}; this service delivers webhooks to public addresses only");
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, context.DnsEndPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
