using Ballast.Drift;

namespace Ballast.Service.Dashboard;

/// <summary>
/// The desk's charts, drawn on the server as inline SVG elements (no script; colours and strokes come from the stylesheet's classes,
/// since the Content-Security-Policy allows no inline style): each with a title, axis labels and a legend.
/// </summary>
internal static class DeskCharts
{
    private const double LabelWidth = 180, PlotWidth = 500, ValueWidth = 200, Width = LabelWidth + PlotWidth + ValueWidth;
    private const double LegendHeight = 30, AxisHeight = 30;

    /// <summary>A legend entry: its words and the CSS class of its swatch.</summary>
    public readonly record struct Series(string Name, string Class);

    /// <summary>One bar of a stacked chart: its label, link (or null), its segments' values (one per series) and the text at its end.</summary>
    public readonly record struct Stack(string Label, string? Href, IReadOnlyList<double> Values, string Note);

    /// <summary>
    /// Each asset's weight against its target and band: the band a shaded range, the target a line, the weight a bar (red when
    /// outside its band), the numbers at the end of each row. Weights are fractions of the account's weighing base.
    /// </summary>
    public static void Drift(Html h, string title, IReadOnlyList<PositionDrift> rows)
    {
        const double rowHeight = 38;
        var max = rows.Select(r => (double)Math.Max(Math.Max(r.Weight, r.Target), r.Upper ?? 0)).DefaultIfEmpty(0).Max();
        var step = max > 0.6 ? 0.2 : max > 0.3 ? 0.1 : 0.05;
        var top = Math.Max(step, Math.Ceiling(max * 1.05 / step) * step);
        double X(decimal f) => LabelWidth + (double)f / top * PlotWidth;
        var height = LegendHeight + rows.Count * rowHeight + AxisHeight;
        Open(h, "drift", title, height);
        Legend(h, [new("band", "band"), new("target", "target-key"), new("weight within its band", "weight"), new("weight outside its band", "weight-out")]);
        Axis(h, top, step, LegendHeight, LegendHeight + rows.Count * rowHeight, f => Html.Percent((decimal)f, 0));
        for (var i = 0; i < rows.Count; i++)
        {
            var r = rows[i];
            var y = LegendHeight + i * rowHeight;
            var outside = r.Status != BandStatus.Within;
            h.Raw($"<g class=\"row\"><text class=\"label\" x=\"{N(LabelWidth - 10)}\" y=\"{N(y + 23)}\" text-anchor=\"end\">").Text(r.Ticker).Raw("</text>");
            if (r.Lower is { } lo && r.Upper is { } hi)
                h.Raw($"<rect class=\"band{(outside ? " band-out" : "")}\" x=\"{N(X(lo))}\" y=\"{N(y + 6)}\" width=\"{N(Math.Max(1, X(hi) - X(lo)))}\" height=\"26\"><title>")
                    .Text($"{r.Ticker} band {Html.Percent(lo)} to {Html.Percent(hi)}").Raw("</title></rect>");
            h.Raw($"<rect class=\"{(outside ? "weight-out" : "weight")}\" x=\"{N(LabelWidth)}\" y=\"{N(y + 13)}\" width=\"{N(Math.Max(1.5, X(r.Weight) - LabelWidth))}\" height=\"12\"><title>")
                .Text($"{r.Ticker} weight {Html.Percent(r.Weight)}").Raw("</title></rect>");
            h.Raw($"<line class=\"target\" x1=\"{N(X(r.Target))}\" x2=\"{N(X(r.Target))}\" y1=\"{N(y + 2)}\" y2=\"{N(y + 36)}\"><title>")
                .Text($"{r.Ticker} target {Html.Percent(r.Target)}").Raw("</title></line>");
            var note = $"{Html.Percent(r.Weight)} vs {Html.Percent(r.Target)}" + (r.Lower is { } l && r.Upper is { } u ? $" ({Html.Percent(l, 0)}–{Html.Percent(u, 0)})" : "");
            h.Raw($"<text class=\"note{(outside ? " out" : "")}\" x=\"{N(LabelWidth + PlotWidth + 10)}\" y=\"{N(y + 23)}\">").Text(note).Raw("</text></g>");
        }
        h.Raw($"<text class=\"axis-title\" x=\"{N(LabelWidth + PlotWidth / 2)}\" y=\"{N(height - 2)}\" text-anchor=\"middle\">weight of the account</text>");
        h.Raw("</svg></figure>");
    }

    /// <summary>Horizontal bars of stacked segments, one colour per series; <paramref name="axisTitle"/> under the axis.</summary>
    public static void Stacked(Html h, string id, string title, IReadOnlyList<Series> series, IReadOnlyList<Stack> bars, string axisTitle, Func<double, string> tick)
    {
        const double rowHeight = 32;
        var max = bars.Select(b => b.Values.Sum()).DefaultIfEmpty(0).Max();
        var (top, step) = Scale(max);
        double W(double v) => v / top * PlotWidth;
        var height = LegendHeight + bars.Count * rowHeight + AxisHeight;
        Open(h, id, title, height);
        Legend(h, series);
        Axis(h, top, step, LegendHeight, LegendHeight + bars.Count * rowHeight, tick);
        for (var i = 0; i < bars.Count; i++)
        {
            var b = bars[i];
            var y = LegendHeight + i * rowHeight;
            h.Raw("<g class=\"row\">");
            if (b.Href is not null) h.Raw("<a href=\"").Text(b.Href).Raw("\">");
            h.Raw($"<text class=\"label\" x=\"{N(LabelWidth - 10)}\" y=\"{N(y + 20)}\" text-anchor=\"end\">").Text(Short(b.Label)).Raw("</text>");
            if (b.Href is not null) h.Raw("</a>");
            var x = LabelWidth;
            for (var s = 0; s < b.Values.Count && s < series.Count; s++)
            {
                if (b.Values[s] <= 0) continue;
                var w = Math.Max(1.5, W(b.Values[s]));
                h.Raw($"<rect class=\"{series[s].Class}\" x=\"{N(x)}\" y=\"{N(y + 6)}\" width=\"{N(w)}\" height=\"20\"><title>")
                    .Text($"{b.Label}: {series[s].Name} {tick(b.Values[s])}").Raw("</title></rect>");
                x += w;
            }
            h.Raw($"<text class=\"note\" x=\"{N(LabelWidth + PlotWidth + 10)}\" y=\"{N(y + 20)}\">").Text(b.Note).Raw("</text></g>");
        }
        h.Raw($"<text class=\"axis-title\" x=\"{N(LabelWidth + PlotWidth / 2)}\" y=\"{N(height - 2)}\" text-anchor=\"middle\">").Text(axisTitle).Raw("</text>");
        h.Raw("</svg></figure>");
    }

    private static (double Top, double Step) Scale(double max)
    {
        if (max <= 0) return (1, 1);
        var raw = max / 5;
        var mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        var step = new[] { 1, 2, 2.5, 5, 10 }.Select(m => m * mag).First(s => s >= raw);
        return (Math.Ceiling(max / step) * step, step);
    }

    private static string Short(string label) => label.Length <= 26 ? label : label[..25] + "…";

    private static void Open(Html h, string id, string title, double height)
    {
        h.Raw($"<figure class=\"chart\" id=\"chart-{id}\"><figcaption>").Text(title).Raw("</figcaption>");
        h.Raw($"<svg class=\"chart\" xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {N(Width)} {N(height)}\" role=\"img\" aria-label=\"").Text(title).Raw("\">");
        h.Raw("<title>").Text(title).Raw("</title>");
    }

    private static void Legend(Html h, IReadOnlyList<Series> series)
    {
        h.Raw("<g class=\"legend\">");
        var x = LabelWidth;
        foreach (var s in series)
        {
            h.Raw($"<rect class=\"{s.Class}\" x=\"{N(x)}\" y=\"8\" width=\"14\" height=\"14\"></rect><text x=\"{N(x + 20)}\" y=\"20\">").Text(s.Name).Raw("</text>");
            x += 34 + s.Name.Length * 7.2;
        }
        h.Raw("</g>");
    }

    private static void Axis(Html h, double top, double step, double y0, double y1, Func<double, string> tick)
    {
        h.Raw("<g class=\"axis\">");
        for (var v = 0.0; v <= top + step / 1000; v += step)
        {
            var x = LabelWidth + v / top * PlotWidth;
            h.Raw($"<line class=\"grid\" x1=\"{N(x)}\" x2=\"{N(x)}\" y1=\"{N(y0)}\" y2=\"{N(y1)}\"></line>");
            h.Raw($"<text x=\"{N(x)}\" y=\"{N(y1 + 14)}\" text-anchor=\"middle\">").Text(tick(v)).Raw("</text>");
        }
        h.Raw($"<line class=\"baseline\" x1=\"{N(LabelWidth)}\" x2=\"{N(LabelWidth)}\" y1=\"{N(y0)}\" y2=\"{N(y1)}\"></line></g>");
    }

    private static string N(double d) => Html.Number(Math.Round(d, 2));
}
