// CPU over simulated time per pod (summary.timeSeries.containers): each container's cores per window
// as a step line, its CPU limit dashed, and the CFS periods throttled per window as red bars under
// the axis. The x axis is the latency charts' (0 to the run's end, the warm-up shaded, the timeline's
// changes marked), so a p99 spike and the throttling behind it line up.
(function (M) {
  "use strict";

  var MARGIN = { top: 22, right: 16, bottom: 44, left: 52 };
  var MAX_CHARTS = 24;
  var COLORS = { "istio-proxy": "#466bb0" };
  var APP_COLOR = "#e8590c";

  function colorOf(name) { return COLORS[name] || APP_COLOR; }

  function busiest(s) {
    var pods = Object.keys(s.timeSeries.containers.pods);
    var load = function (pod) {
      var cs = (s.pods[pod] && s.pods[pod].containers) || {};
      return Object.keys(cs).reduce(function (a, k) { return a + cs[k].cpuCores.mean; }, 0);
    };
    if (pods.length <= MAX_CHARTS) return pods;
    return pods.slice().sort(function (a, b) { return load(b) - load(a) || (a < b ? -1 : 1); }).slice(0, MAX_CHARTS).sort();
  }

  function chart(el, pod, series, s) {
    var ws = s.timeSeries.containers.windowSeconds;
    var names = Object.keys(series);
    var specs = (s.pods[pod] && s.pods[pod].containers) || {};
    var p = M.svg(el, 210, MARGIN, "cpu-chart");
    p.svg.attr("data-pod", pod);
    var x = d3.scaleLinear().domain([0, s.simulatedSeconds]).range([0, p.w]);
    var top = 0;
    names.forEach(function (n) {
      series[n].forEach(function (d) { if (d.cores > top) top = d.cores; });
      var lim = specs[n] && specs[n].cpuLimitCores;
      if (lim != null && lim < top * 4 + 1) top = Math.max(top, lim);
    });
    var y = d3.scaleLinear().domain([0, Math.max(0.01, top * 1.1)]).range([p.h, 0]).nice();
    M.warmupBand(p.g, x, p.h, s);
    p.g.append("g").attr("class", "gridline").call(d3.axisLeft(y).ticks(4).tickSize(-p.w).tickFormat(""));
    p.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(4, "~g"));
    p.g.append("text").attr("class", "axis-label").attr("x", -p.h / 2).attr("y", -40).attr("transform", "rotate(-90)").attr("text-anchor", "middle").text("cores");
    var end = function (d) { return Math.min(d.t + ws, s.simulatedSeconds); };
    names.forEach(function (n) {
      var pts = series[n];
      var color = colorOf(n);
      var steps = [];
      pts.forEach(function (d) { steps.push([d.t, d.cores]); steps.push([end(d), d.cores]); });
      p.g.append("path").attr("class", "cpu-line").attr("data-container", n).datum(steps)
        .attr("fill", "none").attr("stroke", color).attr("stroke-width", 1.8)
        .attr("d", d3.line().x(function (d) { return x(d[0]); }).y(function (d) { return y(d[1]); }));
      var lim = specs[n] && specs[n].cpuLimitCores;
      if (lim != null && y(lim) >= 0) {
        p.g.append("line").attr("class", "cpu-limit").attr("data-container", n).attr("data-limit", lim)
          .attr("x1", 0).attr("x2", p.w).attr("y1", y(lim)).attr("y2", y(lim))
          .attr("stroke", color).attr("stroke-width", 1.2).attr("stroke-dasharray", "6 4").attr("opacity", 0.8);
      }
    });
    M.timeAxis(p.g, x, p.h, p.w);
    // Throttled periods: bars under the time axis, height by count (at most one per 100 ms period).
    var maxThr = 0;
    names.forEach(function (n) { series[n].forEach(function (d) { if (d.throttledPeriods > maxThr) maxThr = d.throttledPeriods; }); });
    if (maxThr > 0) {
      var tb = p.g.append("g").attr("class", "throttled").attr("transform", "translate(0," + (p.h + 24) + ")");
      names.forEach(function (n) {
        tb.selectAll(null).data(series[n].filter(function (d) { return d.throttledPeriods > 0; })).join("rect")
          .attr("class", "throttle-bar").attr("data-container", n).attr("data-t", function (d) { return d.t; }).attr("data-periods", function (d) { return d.throttledPeriods; })
          .attr("x", function (d) { return x(d.t); }).attr("width", function (d) { return Math.max(1, x(end(d)) - x(d.t) - 1); })
          .attr("y", function (d) { return 14 - 14 * d.throttledPeriods / maxThr; }).attr("height", function (d) { return 14 * d.throttledPeriods / maxThr; })
          .attr("fill", "#c9190b").attr("opacity", n === "istio-proxy" ? 0.55 : 0.85);
      });
    }
    M.eventMarks(p.g, x, p.h, s, false);
    var band = p.g.append("rect").attr("y", 0).attr("height", p.h).attr("fill", "#2f6fde").attr("opacity", 0).attr("pointer-events", "none");
    var first = series[names[0]] || [];
    p.g.insert("rect", ":first-child").attr("width", p.w).attr("height", p.h).attr("fill", "transparent")
      .on("mousemove", function (event) {
        if (first.length === 0) return;
        var t = x.invert(d3.pointer(event)[0]);
        var i = Math.max(0, Math.min(first.length - 1, d3.bisector(function (d) { return d.t; }).right(first, t) - 1));
        var d0 = first[i];
        band.attr("x", x(d0.t)).attr("width", Math.max(1, x(end(d0)) - x(d0.t))).attr("opacity", 0.07);
        M.tipShow(event, "<b>" + M.num(d0.t) + " – " + M.num(M.round(end(d0), 3)) + " s</b>" + names.map(function (n) {
          var d = series[n][i];
          return d ? "<br>" + M.esc(n) + ": " + M.num(d.cores) + " cores" + (d.throttledPeriods > 0 ? ", " + M.plural(d.throttledPeriods, "period", "periods") + " throttled" : "") : "";
        }).join(""));
      })
      .on("mouseleave", function () { band.attr("opacity", 0); M.tipHide(); });
  }

  M.drawCpu = function (root, s) {
    root.innerHTML = "";
    var ts = s.timeSeries.containers;
    if (!ts) return;
    busiest(s).forEach(function (pod) {
      var series = ts.pods[pod];
      var card = document.createElement("div");
      card.className = "card cpu-card";
      card.setAttribute("data-pod", pod);
      var specs = (s.pods[pod] && s.pods[pod].containers) || {};
      card.innerHTML = "<h3>" + M.esc(pod) + "</h3><p class='sub'>" + Object.keys(series).map(function (n) {
        var k = specs[n];
        return M.esc(n) + (k ? ": " + M.num(k.cpuCores.mean) + " cores mean" + (k.cpuLimitCores != null ? " of " + M.num(k.cpuLimitCores) : "") + (k.throttledPeriods > 0 ? ", " + M.plural(k.throttledPeriods, "period", "periods") + " throttled" : "") + (k.memoryMB != null ? ", " + M.num(k.memoryMB) + " MB" : "") : "");
      }).join(" · ") + "</p><div class='legend-series'>" + Object.keys(series).map(function (n) {
        return "<span><i style='background:" + colorOf(n) + "'></i>" + M.esc(n) + "</span>";
      }).join("") + "<span><i style='background:#c9190b'></i>throttled periods</span></div>";
      var el = document.createElement("div");
      el.className = "chart";
      card.appendChild(el);
      root.appendChild(card);
      chart(el, pod, series, s);
    });
  };
})(window.meshsim = window.meshsim || {});
