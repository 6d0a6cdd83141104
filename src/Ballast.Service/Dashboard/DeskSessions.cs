using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Ballast.Store;
using Microsoft.AspNetCore.Http;

namespace Ballast.Service.Dashboard;

/// <summary>A person logged in to the desk with an API key: the key's tenant and role, and the session's anti-forgery token.</summary>
/// <param name="key">The API key, kept in the server's memory only (never in the cookie): every request authenticates it again, so a revoked key ends the session.</param>
internal sealed class DeskSession(string id, string key, ApiCaller caller, string csrf, DateTimeOffset expires)
{
    public string Id { get; } = id;
    public string Key { get; } = key;
    public ApiCaller Caller { get; set; } = caller;
    public string Csrf { get; } = csrf;
    public DateTimeOffset Expires { get; set; } = expires;

    /// <summary>A message for the next page (the result of an approval), shown once.</summary>
    public string? Flash { get; set; }

    public bool May(Permission permission) => Permissions.Allows(Caller.Role, permission);
}

/// <summary>
/// The desk's server-side sessions: a random 256-bit id in an HttpOnly, SameSite=Strict cookie (Secure over HTTPS) maps to the
/// session in this process's memory (a restart logs everyone out). Sessions end after <see cref="IdleTimeout"/> without a request,
/// on logout, or when their key is revoked. Nothing here needs reflection, so it runs under Native AOT as it is.
/// </summary>
internal sealed class DeskSessions(TimeProvider time)
{
    public const string Cookie = "ballast_desk";
    public const string LoginCookie = "ballast_desk_login";
    public const string CsrfField = "csrf";
    public static readonly TimeSpan IdleTimeout = TimeSpan.FromHours(8);
    private const int MaxSessions = 10_000;

    private readonly ConcurrentDictionary<string, DeskSession> _sessions = new(StringComparer.Ordinal);

    public static string NewToken() => Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether two tokens are equal, in constant time.</summary>
    public static bool Same(string? a, string? b) =>
        a is not null && b is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(a), Encoding.UTF8.GetBytes(b));

    public DeskSession Create(HttpContext context, string key, ApiCaller caller)
    {
        var now = time.GetUtcNow();
        if (_sessions.Count >= MaxSessions)
            foreach (var old in _sessions.Values.Where(s => s.Expires <= now).ToList()) _sessions.TryRemove(old.Id, out _);
        var session = new DeskSession(NewToken(), key, caller, NewToken(), now + IdleTimeout);
        _sessions[session.Id] = session;
        context.Response.Cookies.Append(Cookie, session.Id, Options(context));
        return session;
    }

    /// <summary>The request's session, or null (no cookie, unknown, expired). Slides its expiry.</summary>
    public DeskSession? Find(HttpContext context)
    {
        if (!context.Request.Cookies.TryGetValue(Cookie, out var id) || id is null || !_sessions.TryGetValue(id, out var session)) return null;
        var now = time.GetUtcNow();
        if (session.Expires <= now)
        {
            _sessions.TryRemove(id, out _);
            return null;
        }
        session.Expires = now + IdleTimeout;
        return session;
    }

    public void End(HttpContext context, DeskSession? session)
    {
        if (session is not null) _sessions.TryRemove(session.Id, out _);
        context.Response.Cookies.Delete(Cookie, Options(context));
    }

    public static CookieOptions Options(HttpContext context) => new()
    {
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Secure = context.Request.IsHttps,
        Path = "/desk",
        IsEssential = true,
    };
}
