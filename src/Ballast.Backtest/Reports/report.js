// Draws every chart of a Ballast report from the JSON block #ballast-report-data with Chart.js.
// Kept free of network access and eval so the file works offline and under the page's strict CSP.
(function () {
  'use strict';
  var state = (window.ballastReport = { errors: [], charts: 0 });
  window.addEventListener('error', function (e) { state.errors.push(String(e.message)); });

  // Policy i takes colour i and dash pattern i (mod their counts: 8 colours and 5 patterns give 40 distinct
  // pairs), so lines stay apart where colours are hard to tell apart. Index -1 is a neutral ink (bands, objectives).
  var palette = ['#1f5fa8', '#d9622b', '#2e9e5b', '#8c4fb8', '#c23b52', '#3aa6b9', '#b8912e', '#7a5230'];
  var neutral = '#4a5560';
  var dashes = [[], [9, 4], [2, 3], [12, 3, 2, 3], [5, 3]];
  function dash(i) { return i === undefined || i === null ? [] : dashes[i % dashes.length]; }
  function color(i, alpha) {
    var c = i < 0 ? neutral : palette[i % palette.length];
    if (alpha === undefined) return c;
    var n = parseInt(c.slice(1), 16);
    return 'rgba(' + (n >> 16) + ',' + ((n >> 8) & 255) + ',' + (n & 255) + ',' + alpha + ')';
  }
  function isoDate(ms) { return new Date(ms).toISOString().slice(0, 10); }
  function pct(v, digits) { return (v * 100).toFixed(digits) + ' %'; }
  // Short axis numbers: 300k, 1.5M, 2, 0.8 (no trailing zeros, so 1M rather than 1.0M).
  function num(v) {
    var a = Math.abs(v);
    if (a >= 1e9) return trim((v / 1e9).toFixed(a >= 1e10 ? 0 : 1)) + 'B';
    if (a >= 1e6) return trim((v / 1e6).toFixed(a >= 1e7 ? 0 : 1)) + 'M';
    if (a >= 1e3) return trim((v / 1e3).toFixed(a >= 1e4 ? 0 : 1)) + 'k';
    if (a >= 10) return v.toFixed(0);
    return a === 0 ? '0' : String(Number(v.toPrecision(2)));
  }
  function trim(s) { return s.replace(/\.0$/, ''); }
  function points(xs, ys) {
    var out = new Array(xs.length);
    for (var i = 0; i < xs.length; i++) out[i] = { x: xs[i], y: ys[i] === null ? NaN : ys[i] };
    return out;
  }
  function times(v) { return num(v) + '×'; }
  function formatY(kind) { return kind === 'percent' ? function (v) { return pct(v, 0); } : num; }
  function formatX(kind) {
    return kind === 'date'
      ? function (v) { var s = isoDate(v); return s.slice(5, 7) === '01' ? s.slice(0, 4) : s.slice(0, 7); }
      : function (v) { return Number(v).toFixed(0) + ' y'; };
  }
  // Date axes are linear in milliseconds; ticks are put on 1 January (or on month starts for short
  // spans) so labels read as calendar years instead of arbitrary days.
  function calendarTicks(axis) {
    var min = axis.min, max = axis.max, ticks = [], v;
    var first = new Date(min), last = new Date(max);
    var years = last.getUTCFullYear() - first.getUTCFullYear();
    if (years >= 3) {
      var step = [1, 2, 5, 10, 20, 25, 50, 100].find(function (s) { return years / s <= 12; }) || 200;
      for (var y = Math.ceil(first.getUTCFullYear() / step) * step; y <= last.getUTCFullYear(); y += step) {
        v = Date.UTC(y, 0, 1);
        if (v >= min && v <= max) ticks.push({ value: v });
      }
    } else {
      var m0 = first.getUTCFullYear() * 12 + first.getUTCMonth(), m1 = last.getUTCFullYear() * 12 + last.getUTCMonth();
      var mstep = Math.max(1, Math.ceil((m1 - m0) / 12));
      for (var m = m0 + 1; m <= m1; m += mstep) {
        v = Date.UTC(Math.floor(m / 12), m % 12, 1);
        if (v >= min && v <= max) ticks.push({ value: v });
      }
    }
    if (ticks.length >= 2) axis.ticks = ticks;
  }
  // Logarithmic axes: Chart.js labels 1..9 of every decade, which overlap. Keep the densest of these sets of
  // mantissas that gives labels at least 36 px apart on average (1-2-3-5-7, 1-2-5, 1-3, 1 per decade, then every
  // 2nd, 3rd... power of ten), so labels stay readable from a factor of 20 to many decades.
  function logTicks(axis) {
    var min = axis.min, max = axis.max;
    if (!(min > 0) || !(max > min)) return;
    var room = Math.max(3, Math.min(10, Math.floor((axis.height || 260) / 36)));
    var lo = Math.floor(Math.log10(min)), hi = Math.ceil(Math.log10(max));
    function collect(mantissas, every) {
      var out = [];
      for (var e = lo; e <= hi; e++) {
        if (((e % every) + every) % every !== 0) continue;
        for (var i = 0; i < mantissas.length; i++) {
          var v = Number((mantissas[i] * Math.pow(10, e)).toPrecision(12));
          if (v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9)) out.push({ value: v });
        }
      }
      return out;
    }
    var sets = [[1, 2, 3, 5, 7], [1, 2, 5], [1, 3], [1]], ticks = [];
    for (var k = 0; k < sets.length; k++) {
      ticks = collect(sets[k], 1);
      if (ticks.length <= room) break;
    }
    for (var every = 2; ticks.length > room; every++) ticks = collect([1], every);
    if (ticks.length >= 2) axis.ticks = ticks;
  }
  function tooltipLabel(kind) {
    return function (ctx) {
      var v = ctx.parsed.y;
      return ctx.dataset.label + ': ' + (kind === 'percent' ? pct(v, 2) : v.toLocaleString('en-US', { maximumFractionDigits: 2 }));
    };
  }
  function tooltipTitle(kind) {
    return function (items) {
      if (!items.length) return '';
      var x = items[0].parsed.x;
      return kind === 'date' ? isoDate(x) : 'year ' + x.toFixed(2);
    };
  }

  // Rebalance markers at the dates in options.plugins.ballastMarkers.dates. Style 'lines' draws a dashed vertical
  // line across the chart for each (few rebalances); 'strip' draws a short tick per date in a strip above the
  // plot area (many rebalances, which as full lines would hide the chart), one tick per pixel column at most.
  var StripHeight = 10, StripGap = 3;
  Chart.register({
    id: 'ballastMarkers',
    afterDatasetsDraw: function (chart, args, opts) {
      var xs = opts && opts.dates;
      if (!xs || !xs.length) return;
      var ctx = chart.ctx, area = chart.chartArea, sx = chart.scales.x, strip = opts.style === 'strip';
      var last = -1;
      ctx.save();
      ctx.lineWidth = 1;
      if (strip) {
        ctx.strokeStyle = 'rgba(20,20,20,0.6)';
      } else {
        ctx.strokeStyle = 'rgba(20,20,20,0.45)';
        ctx.setLineDash([3, 3]);
      }
      for (var i = 0; i < xs.length; i++) {
        var px = Math.round(sx.getPixelForValue(xs[i])) + 0.5;
        if (px < area.left || px > area.right || px === last) continue;
        last = px;
        ctx.beginPath();
        if (strip) {
          ctx.moveTo(px, area.top - StripGap - StripHeight);
          ctx.lineTo(px, area.top - StripGap);
        } else {
          ctx.moveTo(px, area.top);
          ctx.lineTo(px, area.bottom);
        }
        ctx.stroke();
      }
      ctx.restore();
    }
  });
  // Charts whose legends act together: hiding a policy on one hides it on all of them.
  var linked = [];
  function linkedLegendClick(e, item, legend) {
    var show = !legend.chart.isDatasetVisible(item.datasetIndex);
    linked.forEach(function (chart) {
      chart.data.datasets.forEach(function (ds, k) { if (ds.label === item.text) chart.setDatasetVisibility(k, show); });
      chart.update();
    });
  }
  // Legend samples drawn as short lines with the series' dash pattern (a filled box would hide the dashes).
  // Chart.js takes a point-style sample's style from the series' first point, which has no dashes: copy the series' own.
  var lineLegend = {
    usePointStyle: true, pointStyleWidth: 34, boxHeight: 8,
    generateLabels: function (chart) {
      return Chart.defaults.plugins.legend.labels.generateLabels(chart).map(function (item) {
        var ds = chart.data.datasets[item.datasetIndex];
        item.lineDash = ds.borderDash || [];
        item.lineWidth = Math.max(2, ds.borderWidth || 0);
        return item;
      });
    }
  };

  Chart.defaults.animation = false;
  Chart.defaults.font.family = 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif';
  Chart.defaults.maintainAspectRatio = false;

  function lineChart(spec) {
    var datasets = spec.series.map(function (s, i) {
      var c = s.color === undefined ? i : s.color;
      return {
        label: s.label,
        data: points(spec.x, s.y),
        parsing: false,
        borderColor: color(c),
        backgroundColor: spec.stacked ? color(c, 0.55) : color(c, 0.08),
        borderWidth: spec.stacked ? 0.5 : 1.6,
        borderDash: dash(s.dash),
        pointRadius: 0,
        pointHoverRadius: 3,
        pointStyle: spec.stacked ? 'rect' : 'line',
        fill: spec.stacked ? (i === 0 ? 'origin' : '-1') : (spec.fillBelow ? 'origin' : false),
        spanGaps: false
      };
    });
    var yScale = {
      type: spec.log ? 'logarithmic' : 'linear',
      stacked: !!spec.stacked,
      afterBuildTicks: spec.log ? logTicks : undefined,
      ticks: { callback: formatY(spec.yFormat) }
    };
    var strip = spec.markerStyle === 'strip' && spec.markers && spec.markers.length > 0;
    if (spec.yMin !== undefined) yScale.min = spec.yMin;
    if (spec.yMax !== undefined) yScale.max = spec.yMax;
    return {
      type: 'line',
      data: { datasets: datasets },
      options: {
        normalized: true,
        layout: { padding: { top: strip ? StripHeight + 2 * StripGap : 0 } },
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: {
            type: 'linear', min: spec.x[0], max: spec.x[spec.x.length - 1],
            afterBuildTicks: spec.xFormat === 'date' ? calendarTicks : undefined,
            ticks: { callback: formatX(spec.xFormat), maxRotation: 0 }
          },
          y: yScale
        },
        plugins: {
          decimation: { enabled: !!spec.decimate, algorithm: spec.decimate || 'lttb', samples: 900 },
          tooltip: { callbacks: { label: tooltipLabel(spec.yFormat), title: tooltipTitle(spec.xFormat) } },
          ballastMarkers: { dates: spec.markers || [], style: strip ? 'strip' : 'lines' },
          legend: spec.stacked
            ? { position: 'bottom' }
            : { position: 'bottom', labels: lineLegend, onClick: spec.linked ? linkedLegendClick : undefined }
        }
      }
    };
  }

  function fanChart(spec) {
    // Order matters: each upper line fills down to the line before it (fill: '-1').
    var byQ = {}, c = spec.color || 0;
    spec.lines.forEach(function (l) { byQ[l.q] = l.y; });
    function ds(q, label, fill, alpha, width) {
      return {
        label: label, data: points(spec.x, byQ[q]), parsing: false, pointRadius: 0,
        borderColor: color(c, width ? 1 : 0.5), borderWidth: width || 1,
        backgroundColor: color(c, alpha), fill: fill
      };
    }
    var yScale = { type: spec.log ? 'logarithmic' : 'linear', afterBuildTicks: spec.log ? logTicks : undefined, ticks: { callback: times } };
    // Suggested bounds shared by every fan of the report, so all of them are drawn on the same scale.
    if (spec.yMin !== undefined && spec.yMin !== null) yScale.suggestedMin = spec.yMin;
    if (spec.yMax !== undefined && spec.yMax !== null) yScale.suggestedMax = spec.yMax;
    return {
      type: 'line',
      data: {
        datasets: [
          ds(0.05, '5th percentile', false, 0),
          ds(0.95, '95th percentile', '-1', 0.15),
          ds(0.25, '25th percentile', false, 0),
          ds(0.75, '75th percentile', '-1', 0.3),
          ds(0.5, 'median', false, 0, 2.2)
        ]
      },
      options: {
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', min: 0, max: spec.x[spec.x.length - 1], ticks: { callback: formatX('years') } },
          y: yScale
        },
        plugins: {
          tooltip: { callbacks: { label: tooltipLabel('number'), title: tooltipTitle('years') } },
          legend: { position: 'bottom' }
        }
      }
    };
  }

  // Terminal wealth of every policy as outlined histograms on one wealth axis: each bin's share of that
  // policy's paths, drawn as steps (the value of a bin holds from its lower edge to the next).
  function histogramChart(spec) {
    var datasets = spec.series.map(function (s, i) {
      var c = s.color === undefined ? i : s.color, last = s.edges.length - 1;
      var data = [{ x: s.edges[0], y: 0 }];
      for (var k = 0; k <= last; k++) data.push({ x: s.edges[k], y: s.shares[k] === null ? NaN : s.shares[k] });
      data.push({ x: s.edges[last] + s.width, y: s.shares[last] }, { x: s.edges[last] + s.width, y: 0 });
      return {
        label: s.label, data: data, parsing: false, binWidth: s.width, stepped: 'before', pointRadius: 0, pointHitRadius: 4,
        // Several policies are outlines only, so every one stays visible where they overlap.
        borderColor: color(c), borderWidth: 1.6, borderDash: dash(s.dash), pointStyle: 'line',
        backgroundColor: color(c, 0.45), fill: spec.series.length > 1 ? false : 'origin'
      };
    });
    return {
      type: 'line',
      data: { datasets: datasets },
      options: {
        interaction: { mode: 'nearest', axis: 'x', intersect: false },
        scales: {
          x: { type: 'linear', ticks: { callback: times, maxRotation: 0 } },
          y: { beginAtZero: true, ticks: { callback: function (v) { return pct(v, 0); } } }
        },
        plugins: {
          tooltip: {
            callbacks: {
              title: function (items) {
                if (!items.length) return '';
                var x = items[0].parsed.x, wd = items[0].dataset.binWidth;
                return 'final wealth ' + num(x) + '–' + num(x + wd) + '×';
              },
              label: function (ctx) { return ctx.dataset.label + ': ' + pct(ctx.parsed.y, 1) + ' of paths'; }
            }
          },
          legend: { position: 'bottom', display: spec.series.length > 1, labels: lineLegend }
        }
      }
    };
  }

  // Costs against tracking error of a tuning grid: every distinct result a dot, the frontier joined by a line, the
  // best under the objective a large diamond, and the objective a dashed vertical line when it lies near the points.
  function frontierChart(spec) {
    var pts = spec.points.filter(function (p) { return p.x !== null && p.y !== null; }).map(function (p) {
      return { x: p.x, y: p.y, name: p.name, sameAs: p.sameAs || [], frontier: !!p.frontier, best: !!p.best };
    });
    var front = pts.filter(function (p) { return p.frontier; }).sort(function (a, b) { return a.x - b.x || b.y - a.y; });
    var others = pts.filter(function (p) { return !p.frontier; });
    var best = pts.filter(function (p) { return p.best; });
    var maxX = Math.max.apply(null, pts.map(function (p) { return p.x; }));
    var maxY = Math.max.apply(null, pts.map(function (p) { return p.y; }));
    var datasets = [
      { label: 'frontier', data: front, showLine: true, borderColor: color(0), backgroundColor: color(0), borderWidth: 2, pointRadius: 4, pointHoverRadius: 6, order: 1 },
      { label: 'other grid points', data: others, borderColor: color(-1, 0.9), backgroundColor: color(-1, 0.35), pointRadius: 3.5, pointHoverRadius: 5, order: 2 }
    ];
    if (best.length) {
      datasets.push({ label: 'best: ' + best[0].name, data: best, pointStyle: 'rectRot', borderColor: '#7d1f2e', backgroundColor: color(4), borderWidth: 1.5, pointRadius: 9, pointHoverRadius: 10, order: 0 });
    }
    var objective = spec.objective;
    var showObjective = objective !== null && objective !== undefined && objective <= maxX * 1.5;
    if (showObjective) {
      datasets.push({
        label: 'objective: tracking error ≤ ' + pct(objective, objective < 0.1 ? 2 : 1), data: [{ x: objective, y: 0 }, { x: objective, y: maxY * 1.04 }],
        showLine: true, borderColor: neutral, borderDash: [5, 4], borderWidth: 1.2, pointRadius: 0, pointHoverRadius: 0, pointHitRadius: 0, pointStyle: 'line', order: 3
      });
    }
    var digits = Math.max(maxX, showObjective ? objective : 0) < 0.03 ? 2 : 1;
    function names(p) {
      var lines = [], all = p.sameAs;
      for (var i = 0; i < all.length; i += 3) lines.push((i === 0 ? 'same results: ' : '  ') + all.slice(i, i + 3).join(', '));
      return lines;
    }
    return {
      type: 'scatter',
      data: { datasets: datasets },
      options: {
        interaction: { mode: 'nearest', intersect: true },
        scales: {
          x: { type: 'linear', beginAtZero: true, title: { display: true, text: spec.xLabel }, ticks: { callback: function (v) { return pct(v, digits); }, maxRotation: 0 } },
          y: { type: 'linear', beginAtZero: true, title: { display: true, text: spec.yLabel }, ticks: { callback: num } }
        },
        plugins: {
          tooltip: {
            filter: function (item) { return !!(item.raw && item.raw.name); },
            callbacks: {
              title: function (items) { return items.length ? items[0].raw.name : ''; },
              label: function (ctx) {
                return (ctx.raw.best ? 'best; ' : ctx.raw.frontier ? 'on the frontier; ' : '') + 'cost ' +
                  ctx.raw.y.toLocaleString('en-US', { maximumFractionDigits: 2 }) + ', tracking error ' + pct(ctx.raw.x, 2);
              },
              afterLabel: function (ctx) { return names(ctx.raw); }
            }
          },
          legend: {
            position: 'bottom',
            labels: {
              usePointStyle: true, boxHeight: 9,
              sort: function (a, b) { return a.datasetIndex - b.datasetIndex; },
              generateLabels: function (chart) {
                return Chart.defaults.plugins.legend.labels.generateLabels(chart).map(function (item) {
                  item.lineDash = chart.data.datasets[item.datasetIndex].borderDash || [];
                  return item;
                });
              }
            }
          }
        }
      }
    };
  }

  var data = JSON.parse(document.getElementById('ballast-report-data').textContent);
  data.charts.forEach(function (spec) {
    try {
      var config = spec.kind === 'fan' ? fanChart(spec) : spec.kind === 'histogram' ? histogramChart(spec)
        : spec.kind === 'frontier' ? frontierChart(spec) : lineChart(spec);
      var chart = new Chart(document.getElementById(spec.id), config);
      if (spec.linked) linked.push(chart);
      state.charts++;
    } catch (e) {
      state.errors.push(spec.id + ': ' + e.message);
      console.error('chart ' + spec.id + ' failed', e);
    }
  });
  document.documentElement.setAttribute('data-charts-rendered', String(state.charts));
})();
