using System.Globalization;
using OpenQA.Selenium;

namespace Ballast.Backtest.Tests.Reports;

/// <summary>
/// How the charts of a report open in a browser were laid out, read from Chart.js itself: per chart, the
/// smallest distance in pixels between two labelled ticks of a logarithmic value axis, and the ink in the
/// rebalance strip above the plot area.
/// </summary>
internal sealed record ChartLayout(string Id, bool LogAxis, int LogTicks, double SmallestLogTickGap, int StripPixels, int StripArea)
{
    // Chart.js draws axis labels in a 12 px font: labels closer than 14 px touch or overlap.
    public const double LabelHeight = 14;

    private const string Script = """
        return Array.from(document.querySelectorAll('canvas')).map(function (c) {
          var ch = Chart.getChart(c), y = ch.scales.y, area = ch.chartArea, r = ch.currentDevicePixelRatio || 1;
          var log = y.type === 'logarithmic', gap = 1e9;
          if (log) {
            var px = y.ticks.map(function (t) { return y.getPixelForValue(t.value); }).sort(function (a, b) { return a - b; });
            for (var i = 1; i < px.length; i++) gap = Math.min(gap, px[i] - px[i - 1]);
          }
          var top = Math.floor((area.top - 13) * r), h = Math.floor(10 * r), left = Math.ceil(area.left * r), w = Math.floor((area.right - area.left) * r);
          var ink = 0, stripArea = 0;
          if (top >= 0 && h > 0 && w > 0) {
            // Read a copy: a second readback of the chart's own canvas makes Chromium log a performance warning.
            var copy = document.createElement('canvas');
            copy.width = w; copy.height = h;
            var cx = copy.getContext('2d', { willReadFrequently: true });
            cx.drawImage(c, left, top, w, h, 0, 0, w, h);
            var d = cx.getImageData(0, 0, w, h).data;
            stripArea = w * h;
            for (var k = 3; k < d.length; k += 4) if (d[k] > 0) ink++;
          }
          return [c.id, log, log ? y.ticks.length : 0, gap, ink, stripArea].join('|');
        });
        """;

    /// <summary>The layout of every chart on the page the driver shows.</summary>
    public static IReadOnlyList<ChartLayout> Read(IJavaScriptExecutor js)
    {
        var rows = (IReadOnlyCollection<object>)js.ExecuteScript(Script)!;
        return [.. rows.Cast<string>().Select(row =>
        {
            var f = row.Split('|');
            return new ChartLayout(f[0], f[1] == "true", int.Parse(f[2], CultureInfo.InvariantCulture), double.Parse(f[3], CultureInfo.InvariantCulture),
                int.Parse(f[4], CultureInfo.InvariantCulture), int.Parse(f[5], CultureInfo.InvariantCulture));
        })];
    }

    /// <summary>Every logarithmic axis has at least two labels and none closer than a label is tall.</summary>
    public static void AssertLogLabelsApart(IReadOnlyList<ChartLayout> charts)
    {
        foreach (var c in charts.Where(c => c.LogAxis))
        {
            Assert.True(c.LogTicks >= 2, $"chart {c.Id} has {c.LogTicks} labels on its logarithmic axis");
            Assert.True(c.SmallestLogTickGap >= LabelHeight, $"chart {c.Id} has logarithmic axis labels {c.SmallestLogTickGap:0.0} px apart");
        }
    }
}
