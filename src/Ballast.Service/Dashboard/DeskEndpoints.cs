using Ballast.Input;
using Ballast.Store;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Ballast.Service.Dashboard;

/// <summary>What a desk page is given: the request, the person's session, the store as their tenant sees it, and today.</summary>
internal sealed record DeskRequest(HttpContext Context, DeskSession Session, BallastStore Store, DateOnly Today)
{
    /// <summary>A route value; a <c>/</c> in a name comes escaped (Kestrel leaves <c>%2F</c> in the path as it is).</summary>
    public string? Route(string name) => (Context.Request.RouteValues[name] as string)?.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// The desk (<c>/desk</c>): server-rendered pages over the same store and operations layer as the command line, for a person logged in
/// with an API key (its tenant and role). Every response under <c>/desk</c> carries a strict Content-Security-Policy (no inline script or
/// style, nothing from another origin), <c>X-Content-Type-Options: nosniff</c>, <c>Referrer-Policy: no-referrer</c> and no caching; every
/// form that writes carries the session's anti-forgery token, checked here (with the request's <c>Origin</c> when the browser sends one).
/// </summary>
internal static class DeskEndpoints
{
    public const string ContentSecurityPolicy =
        "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

    public const string Prefix = "/desk";
    private const string HtmlType = "text/html; charset=utf-8";

    public static void Map(WebApplication app)
    {
        var state = app.Services.GetRequiredService<ServiceState>();
        var sessions = new DeskSessions(state.Options.StoreOptions.Time);
        app.Use(SecurityHeaders);
        app.MapGet(Prefix + "/assets/desk.css", new RequestDelegate(Stylesheet)).ExcludeFromDescription();
        app.MapGet(Prefix + "/login", new RequestDelegate(c => LoginForm(c, null, StatusCodes.Status200OK))).ExcludeFromDescription();
        app.MapPost(Prefix + "/login", new RequestDelegate(c => Login(c, state, sessions))).ExcludeFromDescription();
        app.MapPost(Prefix + "/logout", new RequestDelegate(c => Logout(c, sessions))).ExcludeFromDescription();
        Get(app, state, sessions, "", DeskPages.Queue);
        Get(app, state, sessions, "/windows", DeskPages.Windows);
        Get(app, state, sessions, "/windows/{window}", DeskPages.Window);
        Get(app, state, sessions, "/proposals", DeskPages.Proposals);
        Get(app, state, sessions, "/accounts", DeskPages.Accounts);
        Get(app, state, sessions, "/accounts/{name}", DeskPages.Account);
        Get(app, state, sessions, "/models", DeskPages.Models);
        Get(app, state, sessions, "/models/{name}", DeskPages.Model);
        Post(app, state, sessions, "/proposals/{id:long}/approve", Permission.Approve, DeskPages.Approve);
        Post(app, state, sessions, "/proposals/{id:long}/reject", Permission.Approve, DeskPages.Reject);
    }

    private static void Get(WebApplication app, ServiceState state, DeskSessions sessions, string path, Func<DeskRequest, Html, int> page) =>
        app.MapGet(Prefix + path, new RequestDelegate(c => Page(c, state, sessions, page))).ExcludeFromDescription();

    private static void Post(WebApplication app, ServiceState state, DeskSessions sessions, string path, Permission permission, Func<DeskRequest, IFormCollection, string> action) =>
        app.MapPost(Prefix + path, new RequestDelegate(c => Act(c, state, sessions, permission, action))).ExcludeFromDescription();

    /// <summary>The headers of every <c>/desk</c> response, error pages included.</summary>
    private static Task SecurityHeaders(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments(Prefix, StringComparison.Ordinal))
        {
            context.Response.OnStarting(() =>
            {
                var h = context.Response.Headers;
                h.ContentSecurityPolicy = ContentSecurityPolicy;
                h.XContentTypeOptions = "nosniff";
                h["Referrer-Policy"] = "no-referrer";
                h.XFrameOptions = "DENY";
                h["Cross-Origin-Opener-Policy"] = "same-origin";
                if (!context.Request.Path.StartsWithSegments(Prefix + "/assets", StringComparison.Ordinal)) h.CacheControl = "no-store";
                return Task.CompletedTask;
            });
        }
        return next(context);
    }

    private static readonly Lazy<byte[]> Css = new(() =>
    {
        using var stream = typeof(DeskEndpoints).Assembly.GetManifestResourceStream("Ballast.Service.Dashboard.desk.css")
            ?? throw new InvalidOperationException("the desk's stylesheet is not embedded in the assembly");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    });

    private static Task Stylesheet(HttpContext context)
    {
        context.Response.ContentType = "text/css; charset=utf-8";
        context.Response.Headers.CacheControl = "public, max-age=3600";
        return context.Response.Body.WriteAsync(Css.Value).AsTask();
    }

    private static async Task Page(HttpContext context, ServiceState state, DeskSessions sessions, Func<DeskRequest, Html, int> page)
    {
        if (Authenticated(context, state, sessions) is not { } request)
        {
            var next = context.Request.Path + context.Request.QueryString;
            context.Response.Redirect(Prefix + "/login?next=" + Uri.EscapeDataString(next));
            return;
        }
        var body = new Html();
        int status;
        try
        {
            status = page(request, body);
        }
        catch (InputException e)
        {
            body = new Html();
            body.El("h1", "Not found").El("p", string.Join("; ", e.Problems.Select(p => p.Message)));
            status = StatusCodes.Status404NotFound;
        }
        await Write(context, status, Layout(request, body));
    }

    /// <summary>A form that writes: a session, the session's anti-forgery token and a role that may, else a 403 page; then the action, and back to the page it names.</summary>
    private static async Task Act(HttpContext context, ServiceState state, DeskSessions sessions, Permission permission, Func<DeskRequest, IFormCollection, string> action)
    {
        if (Authenticated(context, state, sessions) is not { } request)
        {
            await Refuse(context, null, StatusCodes.Status403Forbidden, "Not logged in", "Log in to the desk first.");
            return;
        }
        if (!context.Request.HasFormContentType)
        {
            await Refuse(context, request, StatusCodes.Status415UnsupportedMediaType, "Not a form", "This address takes a form post.");
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (!DeskSessions.Same(form[DeskSessions.CsrfField].ToString(), request.Session.Csrf) || !SameOrigin(context))
        {
            await Refuse(context, request, StatusCodes.Status403Forbidden, "The form is not valid", "The form's anti-forgery token is missing or does not match this session. Reload the page and try again.");
            return;
        }
        if (!request.Session.May(permission))
        {
            await Refuse(context, request, StatusCodes.Status403Forbidden, "Not allowed",
                $"A {request.Session.Caller.Role} key may not {Permissions.Word(permission)}; roles that may: {string.Join(", ", Permissions.RolesThatMay(permission))}.");
            return;
        }
        string back;
        try
        {
            back = action(request, form);
        }
        catch (InputException e)
        {
            request.Session.Flash = "Refused: " + string.Join("; ", e.Problems.Select(p => p.Message));
            back = "/proposals";
        }
        context.Response.Redirect(Prefix + back);
    }

    /// <summary>
    /// A browser must be posting from the desk's own pages: by its <c>Sec-Fetch-Site</c> when it sends one (so the check holds behind a
    /// reverse proxy, where the browser's origin is not the address Kestrel sees), else by its <c>Origin</c> when it sends one.
    /// </summary>
    private static bool SameOrigin(HttpContext context)
    {
        var fetchSite = context.Request.Headers["Sec-Fetch-Site"].ToString();
        if (fetchSite.Length > 0) return fetchSite is "same-origin" or "none";
        var origin = context.Request.Headers.Origin.ToString();
        return origin.Length == 0 || string.Equals(origin, $"{context.Request.Scheme}://{context.Request.Host}", StringComparison.OrdinalIgnoreCase);
    }

    private static DeskRequest? Authenticated(HttpContext context, ServiceState state, DeskSessions sessions)
    {
        if (sessions.Find(context) is not { } session) return null;
        if (state.Store.Authenticate(session.Key) is not { } caller)
        {
            sessions.End(context, session); // the key was revoked
            return null;
        }
        session.Caller = caller;
        var store = state.Store.ForTenant(caller.TenantId, $"key {caller.KeyId} ({caller.Tenant}, {caller.Role}) on the desk");
        return new DeskRequest(context, session, store, state.Today);
    }

    private static Task LoginForm(HttpContext context, string? error, int status)
    {
        var token = DeskSessions.NewToken();
        context.Response.Cookies.Append(DeskSessions.LoginCookie, token, DeskSessions.Options(context));
        var next = SafeNext(context.Request.Query["next"].ToString());
        var h = new Html();
        h.Raw("<main class=\"login\"><h1>Ballast desk</h1><p>Log in with an API key from <code>ballast keys create --tenant NAME --role ROLE</code>.</p>");
        if (error is not null) h.El("p", error, "flash error");
        h.Raw($"<form method=\"post\" action=\"{Prefix}/login\">");
        h.Raw($"<input type=\"hidden\" name=\"{DeskSessions.CsrfField}\" value=\"").Text(token).Raw("\">");
        h.Raw("<input type=\"hidden\" name=\"next\" value=\"").Text(next).Raw("\">");
        h.Raw("<label for=\"key\">API key</label><input id=\"key\" name=\"key\" type=\"password\" autocomplete=\"off\" required spellcheck=\"false\">");
        h.Raw("<button type=\"submit\" id=\"login\">Log in</button></form></main>");
        return Write(context, status, Document("Log in", h.ToString()));
    }

    private static async Task Login(HttpContext context, ServiceState state, DeskSessions sessions)
    {
        if (!context.Request.HasFormContentType)
        {
            await LoginForm(context, "Send the login form.", StatusCodes.Status400BadRequest);
            return;
        }
        var form = await context.Request.ReadFormAsync(context.RequestAborted);
        if (!DeskSessions.Same(form[DeskSessions.CsrfField].ToString(), context.Request.Cookies[DeskSessions.LoginCookie]) || !SameOrigin(context))
        {
            await LoginForm(context, "The login form expired; try again.", StatusCodes.Status403Forbidden);
            return;
        }
        var key = form["key"].ToString().Trim();
        if (state.Store.Authenticate(key) is not { } caller)
        {
            await LoginForm(context, "That key is unknown or revoked.", StatusCodes.Status401Unauthorized);
            return;
        }
        sessions.End(context, sessions.Find(context));
        sessions.Create(context, key, caller);
        context.Response.Cookies.Delete(DeskSessions.LoginCookie, DeskSessions.Options(context));
        context.Response.Redirect(SafeNext(form["next"].ToString()));
    }

    private static async Task Logout(HttpContext context, DeskSessions sessions)
    {
        var session = sessions.Find(context);
        var form = context.Request.HasFormContentType ? await context.Request.ReadFormAsync(context.RequestAborted) : null;
        if (session is not null && (form is null || !DeskSessions.Same(form[DeskSessions.CsrfField].ToString(), session.Csrf)))
        {
            await Refuse(context, null, StatusCodes.Status403Forbidden, "The form is not valid", "The form's anti-forgery token does not match this session.");
            return;
        }
        sessions.End(context, session);
        context.Response.Redirect(Prefix + "/login");
    }

    /// <summary>
    /// Where to go after logging in: a desk path only (never another site), in visible ASCII only (a path the desk links to is
    /// escaped; anything else, such as a line break, could not be a Location header).
    /// </summary>
    private static string SafeNext(string next) =>
        next.StartsWith(Prefix, StringComparison.Ordinal) && !next.StartsWith("//", StringComparison.Ordinal) && !next.Contains('\\', StringComparison.Ordinal)
            && (next.Length == Prefix.Length || next[Prefix.Length] is '/' or '?') && next.All(c => c is > ' ' and < (char)0x7f) ? next : Prefix;

    private static Task Refuse(HttpContext context, DeskRequest? request, int status, string title, string detail)
    {
        var h = new Html();
        h.El("h1", title).El("p", detail, "flash error").Raw($"<p><a href=\"{Prefix}\">Back to the desk</a></p>");
        return Write(context, status, request is null ? Document(title, "<main>" + h + "</main>") : Layout(request, h));
    }

    private static Task Write(HttpContext context, int status, string html)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = HtmlType;
        return context.Response.WriteAsync(html);
    }

    private static string Layout(DeskRequest request, Html body)
    {
        var s = request.Session;
        var path = request.Context.Request.Path.Value ?? Prefix;
        var h = new Html();
        h.Raw("<header><nav><span class=\"brand\">Ballast desk</span>");
        foreach (var (href, text) in new[] { ("", "Queue"), ("/windows", "Windows"), ("/proposals", "Proposals"), ("/accounts", "Accounts"), ("/models", "Models") })
        {
            var current = href.Length == 0 ? path is Prefix or Prefix + "/" : path.StartsWith(Prefix + href, StringComparison.Ordinal);
            h.Link(Prefix + href, text, current ? "current" : null);
        }
        h.Raw("</nav><div class=\"who\">").Text($"{s.Caller.Tenant} · {s.Caller.Role}");
        h.Raw($"<form method=\"post\" action=\"{Prefix}/logout\">").Raw(CsrfInput(s)).Raw("<button type=\"submit\" class=\"link\">Log out</button></form></div></header><main>");
        if (s.Flash is { } flash)
        {
            h.El("p", flash, flash.StartsWith("Refused", StringComparison.Ordinal) ? "flash error" : "flash");
            s.Flash = null;
        }
        h.Raw(body.ToString()).Raw("</main>");
        var title = body.ToString() is var b && b.IndexOf("<h1>", StringComparison.Ordinal) is var i and >= 0 ? System.Net.WebUtility.HtmlDecode(b[(i + 4)..b.IndexOf("</h1>", i, StringComparison.Ordinal)]) : "Desk";
        return Document(title, h.ToString());
    }

    public static string CsrfInput(DeskSession session) =>
        $"<input type=\"hidden\" name=\"{DeskSessions.CsrfField}\" value=\"{Html.Encode(session.Csrf)}\">";

    private static string Document(string title, string body) =>
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
        $"<title>{Html.Encode(title)} · Ballast desk</title><link rel=\"stylesheet\" href=\"{Prefix}/assets/desk.css\"><link rel=\"icon\" href=\"data:,\"></head><body>" +
        body + "</body></html>";
}
