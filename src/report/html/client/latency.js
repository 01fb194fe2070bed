// Latency distribution per client: histogram and CDF from histograms.json's bins (the run's HDR
// histograms), with summary.json's p50 and p99 marked. Without bins, the stored percentiles only.
(function (M) {
  "use strict";

  var MARGIN = { top: 14, right: 14, bottom: 36, left: 52 };
  var HEIGHT = 230;

  /**
   * The latency axis over [lo, hi] (the bins' extent): the data fills most of the width even when the
   * distribution is narrow (a 1 s timeout), with a margin on either side.
   */
  function xScale(kind, lo, hi, w) {
    if (kind === "log") {
      var pad = Math.pow(hi / lo, 0.12) * 1.01;
      return d3.scaleLog().domain([lo / pad, hi * pad]).range([0, w]).clamp(true);
    }
    var span = hi - lo;
    var start = lo > 0.4 * hi ? Math.max(0, lo - 0.15 * span - 0.01 * hi) : 0;
    return d3.scaleLinear().domain([start, hi + 0.04 * (hi - start)]).range([0, w]).nice();
  }

  function xAxis(g, x, h, kind, w) {
    var ax = d3.axisBottom(x).ticks(Math.max(3, Math.floor(w / 80))).tickFormat(M.msTick);
    if (kind === "log") {
      var tv = M.logTicks(x, Math.max(4, Math.floor(w / 45)));
      ax.tickValues(tv.length >= 2 ? tv : x.ticks(4));
    }
    g.append("g").attr("class", "axis").attr("transform", "translate(0," + h + ")").call(ax);
    g.append("text").attr("class", "axis-label").attr("x", w).attr("y", h + 30).attr("text-anchor", "end").text("latency (ms)");
  }

  function percentileMarks(g, x, h, lat, lo) {
    [["p50", lat.p50], ["p99", lat.p99]].forEach(function (p, i) {
      var v = Math.max(p[1], lo);
      var px = x(v);
      g.append("line").attr("class", "pmark").attr("x1", px).attr("x2", px).attr("y1", 0).attr("y2", h)
        .attr("stroke", i === 0 ? "#475467" : "#c9190b").attr("stroke-dasharray", "4 3").attr("stroke-width", 1.2);
      g.append("text").attr("x", px + 4).attr("y", 10 + i * 13).attr("font-size", 11).attr("fill", i === 0 ? "#475467" : "#c9190b")
        .text(p[0] + " " + M.num(p[1]) + " ms");
    });
  }

  /** Bins on a linear axis: each log bin's count goes to the equal-width bin holding its midpoint. */
  function linearBins(bins, x) {
    var d = x.domain(), start = d[0], hi = d[1];
    // Bars no narrower than the widest data bin (else some would be empty between full ones).
    var widest = d3.max(bins, function (b) { return b[1] - b[0]; });
    var step = hi - start;
    [60, 40, 30, 20, 15, 10, 6].some(function (n) {
      var t = x.ticks(n);
      step = t.length > 1 ? t[1] - t[0] : hi - start;
      return step >= widest;
    });
    var n = Math.max(1, Math.ceil((hi - start) / step));
    var out = [];
    for (var i = 0; i < n; i++) out.push([start + i * step, start + (i + 1) * step, 0]);
    bins.forEach(function (b) {
      var mid = b[0] > 0 ? Math.sqrt(b[0] * b[1]) : b[1] / 2;
      var k = Math.max(0, Math.min(n - 1, Math.floor((mid - start) / step)));
      out[k][2] += b[2];
    });
    return out.filter(function (b) { return b[2] > 0; });
  }

  /**
   * Bins on a log axis: adjacent fine bins merged into about 70 bars over the data's extent (a
   * narrow distribution keeps the file's resolution, a wide one gets smooth bars).
   */
  function logBins(bins, perDecade) {
    var lo = Math.max(bins[0][0], 0.001), hi = bins[bins.length - 1][1];
    var span = Math.max(1, Math.round((Math.log10(hi) - Math.log10(lo)) * perDecade));
    var g = Math.max(1, Math.ceil(span / 70));
    if (g === 1) return bins;
    var out = [], cur = null;
    bins.forEach(function (b) {
      var k = Math.round(Math.log10(b[1]) * perDecade) - 1;
      var gi = Math.floor(k / g);
      if (cur === null || cur.gi !== gi) {
        cur = { gi: gi, b: [b[0] === 0 ? 0 : Number(Math.pow(10, gi * g / perDecade).toPrecision(4)), Number(Math.pow(10, (gi + 1) * g / perDecade).toPrecision(4)), 0] };
        out.push(cur);
      }
      cur.b[2] += b[2];
    });
    return out.map(function (x) { return x.b; });
  }

  function histogram(el, name, c, data, kind, color, perDecade) {
    var p = M.svg(el, HEIGHT, MARGIN, "hist");
    p.svg.attr("data-client", name);
    var bins = data.bins;
    var lo = Math.max(bins[0][0], 0.001) , hi = bins[bins.length - 1][1];
    var x = xScale(kind, lo, hi, p.w);
    var shown = kind === "log" ? logBins(bins, perDecade) : linearBins(bins, x);
    var y = d3.scaleLinear().domain([0, d3.max(shown, function (b) { return b[2]; })]).range([p.h, 0]).nice();
    p.g.append("g").attr("class", "gridline").call(d3.axisLeft(y).ticks(4).tickSize(-p.w).tickFormat(""));
    p.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(4).tickFormat(M.countFormat(y.domain()[1])));
    p.g.append("text").attr("class", "axis-label").attr("x", -p.h / 2).attr("y", -40).attr("transform", "rotate(-90)").attr("text-anchor", "middle").text("requests");
    var total = data.count;
    // A log axis cannot show 0: the first bin of a run with 0 ms latencies starts at the axis' left end.
    var left = function (b) { return kind === "log" ? Math.max(b[0], lo) : b[0]; };
    var bars = p.g.append("g").selectAll("rect").data(shown).join("rect")
      .attr("class", "bar")
      .attr("data-count", function (b) { return b[2]; })
      .attr("x", function (b) { return x(left(b)); })
      .attr("width", function (b) { return Math.max(1, x(b[1]) - x(left(b)) - (kind === "log" ? 0.5 : 1)); })
      .attr("y", function (b) { return y(b[2]); })
      .attr("height", function (b) { return p.h - y(b[2]); })
      .attr("fill", color).attr("fill-opacity", 0.85);
    M.withTip(bars, function (b) {
      return "<b>" + M.round(b[0], 3) + " – " + M.round(b[1], 3) + " ms</b><br>" + M.num(b[2]) + " requests (" + M.round(100 * b[2] / total, 2) + " %)";
    });
    xAxis(p.g, x, p.h, kind, p.w);
    percentileMarks(p.g, x, p.h, c.latencyMs, lo);
  }

  function cdf(el, name, c, data, kind, color) {
    var p = M.svg(el, HEIGHT, MARGIN, "cdf");
    p.svg.attr("data-client", name);
    var bins = data.bins, total = data.count;
    var lo = Math.max(bins[0][0], 0.001), hi = bins[bins.length - 1][1];
    var x = xScale(kind, lo, hi, p.w);
    var y = d3.scaleLinear().domain([0, 1]).range([p.h, 0]);
    var pts = [[Math.max(bins[0][0], lo), 0]];
    var cum = 0;
    bins.forEach(function (b) { cum += b[2]; pts.push([b[1], cum / total]); });
    p.g.append("g").attr("class", "gridline").call(d3.axisLeft(y).ticks(4).tickSize(-p.w).tickFormat(""));
    p.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(4, "~%"));
    p.g.append("text").attr("class", "axis-label").attr("x", -p.h / 2).attr("y", -40).attr("transform", "rotate(-90)").attr("text-anchor", "middle").text("share of requests ≤ x");
    p.g.append("path").attr("class", "cdf-line").datum(pts)
      .attr("fill", "none").attr("stroke", color).attr("stroke-width", 2)
      .attr("d", d3.line().x(function (d) { return x(d[0]); }).y(function (d) { return y(d[1]); }).curve(d3.curveStepBefore));
    xAxis(p.g, x, p.h, kind, p.w);
    percentileMarks(p.g, x, p.h, c.latencyMs, lo);
    hoverCdf(p, x, y, pts, color);
  }

  function hoverCdf(p, x, y, pts, color) {
    var dot = p.g.append("circle").attr("r", 4).attr("fill", color).attr("opacity", 0);
    p.g.append("rect").attr("width", p.w).attr("height", p.h).attr("fill", "transparent")
      .on("mousemove", function (event) {
        var v = x.invert(d3.pointer(event)[0]);
        var i = Math.min(pts.length - 1, d3.bisector(function (d) { return d[0]; }).left(pts, v));
        var d = pts[i];
        dot.attr("cx", x(d[0])).attr("cy", y(d[1])).attr("opacity", 1);
        M.tipShow(event, "<b>" + M.round(100 * d[1], 3) + " %</b> of requests took ≤ " + M.round(d[0], 3) + " ms");
      })
      .on("mouseleave", function () { dot.attr("opacity", 0); M.tipHide(); });
  }

  /** Without histograms: the stored percentiles as points of the distribution function. */
  function percentilesOnly(el, name, c, kind, color) {
    var l = c.latencyMs;
    var pts = [["p50", l.p50, 0.5], ["p90", l.p90, 0.9], ["p99", l.p99, 0.99], ["p99.9", l.p999, 0.999], ["max", l.max, 1]];
    var p = M.svg(el, HEIGHT, MARGIN, "cdf percentiles-only");
    p.svg.attr("data-client", name);
    var lo = Math.max(0.001, l.p50 / 2), hi = Math.max(l.max * 1.2, lo * 10);
    var x = xScale(kind, lo, hi, p.w);
    var y = d3.scaleLinear().domain([0.4, 1]).range([p.h, 0]);
    p.g.append("g").attr("class", "gridline").call(d3.axisLeft(y).ticks(4).tickSize(-p.w).tickFormat(""));
    p.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(4, "~%"));
    p.g.append("path").datum(pts).attr("fill", "none").attr("stroke", color).attr("stroke-width", 2)
      .attr("d", d3.line().x(function (d) { return x(Math.max(d[1], lo)); }).y(function (d) { return y(d[2]); }));
    var dots = p.g.selectAll("circle.pt").data(pts).join("circle").attr("class", "pt").attr("r", 4.5).attr("fill", color)
      .attr("cx", function (d) { return x(Math.max(d[1], lo)); }).attr("cy", function (d) { return y(d[2]); });
    p.g.selectAll("text.pt").data(pts).join("text").attr("class", "pt").attr("font-size", 11).attr("fill", "#475467")
      .attr("x", function (d) { return x(Math.max(d[1], lo)) + 6; }).attr("y", function (d) { return y(d[2]) + 12; })
      .text(function (d) { return d[0] + " " + M.num(d[1]) + " ms"; });
    M.withTip(dots, function (d) { return "<b>" + d[0] + "</b> " + M.num(d[1]) + " ms"; });
    xAxis(p.g, x, p.h, kind, p.w);
  }

  M.drawLatency = function (root, s, histograms, kind, colorOf) {
    root.innerHTML = "";
    // All cards first, then the charts: a chart takes its width from its card, which the grid sizes
    // only once every card is in.
    var charts = [];
    if (Object.keys(s.clients).length === 0) root.innerHTML = "<p class='note'>No load generator measured any request.</p>";
    Object.keys(s.clients).forEach(function (name) {
      var c = s.clients[name];
      var card = document.createElement("div");
      card.className = "card latency-card";
      card.setAttribute("data-client", name);
      card.innerHTML = "<h3><span class='swatch' style='background:" + colorOf(name) + "'></span>" + M.esc(name) + "</h3>" +
        "<p class='sub'>" + M.num(c.requests) + " requests · mean " + M.num(c.latencyMs.mean) + " ms · p50 " + M.num(c.latencyMs.p50) +
        " ms · p99 " + M.num(c.latencyMs.p99) + " ms · max " + M.num(c.latencyMs.max) + " ms</p>";
      var data = histograms && histograms.clients[name];
      var withBins = !!(data && data.bins.length > 0);
      var pair = document.createElement("div");
      pair.className = withBins ? "pair" : "";
      var a = document.createElement("div"), b = document.createElement("div");
      a.className = "chart"; b.className = "chart";
      pair.appendChild(a); pair.appendChild(b);
      card.appendChild(pair);
      root.appendChild(card);
      charts.push({ name: name, c: c, a: a, b: b, data: withBins ? data : null });
    });
    charts.forEach(function (t) {
      if (t.c.requests === 0) {
        t.a.innerHTML = "<p class='note'>No requests measured.</p>";
      } else if (t.data) {
        histogram(t.a, t.name, t.c, t.data, kind, colorOf(t.name), t.data.binsPerDecade);
        cdf(t.b, t.name, t.c, t.data, kind, colorOf(t.name));
      } else {
        t.a.innerHTML = "<p class='note'>No histogram for this client (histograms.json missing): the stored percentiles as points of the distribution.</p>";
        percentilesOnly(t.b, t.name, t.c, kind, colorOf(t.name));
      }
    });
  };
})(window.meshsim = window.meshsim || {});
