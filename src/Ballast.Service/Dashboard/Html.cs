using System.Globalization;
using System.Net;
using System.Text;

namespace Ballast.Service.Dashboard;

/// <summary>
/// A page being written: every text goes through <see cref="Text"/> (HTML-encoded), markup through <see cref="Raw"/> (only the
/// desk's own constant markup). No inline script or style is ever written: the Content-Security-Policy forbids both.
/// </summary>
internal sealed class Html
{
    private readonly StringBuilder _b = new(8192);

    public static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Encodes text for an element's content or a quoted attribute value.</summary>
    public static string Encode(string? text) => WebUtility.HtmlEncode(text ?? "");

    /// <summary>A path segment: an account or model name in a link.</summary>
    public static string Segment(string text) => Uri.EscapeDataString(text);

    public Html Raw(string markup)
    {
        _b.Append(markup);
        return this;
    }

    public Html Text(string? text)
    {
        _b.Append(Encode(text));
        return this;
    }

    /// <summary>An element with text content: <c>&lt;td class="num"&gt;1,000.00&lt;/td&gt;</c>.</summary>
    public Html El(string tag, string? text, string? cssClass = null)
    {
        _b.Append('<').Append(tag);
        if (cssClass is not null) _b.Append(" class=\"").Append(cssClass).Append('"');
        _b.Append('>').Append(Encode(text)).Append("</").Append(tag).Append('>');
        return this;
    }

    /// <summary>A link to a desk path (its segments already escaped with <see cref="Segment"/>).</summary>
    public Html Link(string href, string text, string? cssClass = null)
    {
        _b.Append("<a href=\"").Append(Encode(href)).Append('"');
        if (cssClass is not null) _b.Append(" class=\"").Append(cssClass).Append('"');
        _b.Append('>').Append(Encode(text)).Append("</a>");
        return this;
    }

    /// <summary>A table's header row.</summary>
    public Html Head(params string[] columns)
    {
        _b.Append("<thead><tr>");
        foreach (var c in columns)
        {
            var num = c.StartsWith('#');
            _b.Append(num ? "<th class=\"num\">" : "<th>").Append(Encode(num ? c[1..] : c)).Append("</th>");
        }
        _b.Append("</tr></thead>");
        return this;
    }

    public static string Money(decimal d) => d.ToString("#,0.00", Invariant);
    public static string Quantity(decimal d) => d.ToString("#,0.######", Invariant);
    public static string Percent(decimal fraction, int decimals = 1) => (fraction * 100).ToString("0." + new string('0', decimals), Invariant) + "%";
    public static string Date(DateOnly d) => d.ToString("yyyy-MM-dd", Invariant);
    public static string Date(DateOnly? d) => d is { } x ? Date(x) : "";
    public static string Instant(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm", Invariant) + " UTC";
    public static string Number(double d) => d.ToString("0.##", Invariant);

    public override string ToString() => _b.ToString();
}
