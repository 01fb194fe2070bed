// Over simulated time, per client: p50/p99 per window and requests per second split into answers
// and errors, with the timeline's changes (summary.events) as vertical lines and outlier ejections
// as ticks; the ejection intervals of each pod; and the proxies on stale config (the control plane).
(function (M) {
  "use strict";

  var MARGIN = { top: 22, right: 16, bottom: 30, left: 52 };

  /** The seconds a window covered: the last one may be cut by the run's end (point.seconds). */
  function span(d, ws) { return d.seconds != null ? d.seconds : ws; }

  function timeAxis(g, x, h, w) {
    g.append("g").attr("class", "axis").attr("transform", "translate(0," + h + ")")
      .call(d3.axisBottom(x).ticks(Math.max(3, Math.floor(w / 80))).tickFormat(function (v) { return v + " s"; }));
  }

  function eventMarks(g, x, h, s, withLabels) {
    var evs = M.timelineEvents(s);
    var lines = g.append("g").attr("class", "events").selectAll("g").data(evs).join("g")
      .attr("class", "event-mark").attr("data-t", function (e) { return e.t; })
      .attr("transform", function (e) { return "translate(" + x(e.t) + ",0)"; });
    lines.append("line").attr("y1", -8).attr("y2", h).attr("stroke", "#6b4fbb").attr("stroke-width", 1.3).attr("stroke-dasharray", "5 3");
    // Labels only while they can be read (a dozen changes); beyond that the tooltips tell.
    if (withLabels && evs.length <= 12) {
      var right = x.range()[1];
      lines.append("text").attr("x", function (e) { return x(e.t) > right * 0.7 ? -4 : 4; })
        .attr("text-anchor", function (e) { return x(e.t) > right * 0.7 ? "end" : "start"; })
        .attr("y", function (e, i) { return -10 + (i % 2) * 12; }).attr("font-size", 11).attr("fill", "#6b4fbb")
        .text(function (e) { return M.eventLabel(e); });
    }
    lines.append("rect").attr("x", -5).attr("y", -8).attr("width", 10).attr("height", h + 8).attr("fill", "transparent");
    M.withTip(lines, function (e) { return "<b>" + M.num(e.t) + " s</b> " + M.esc(M.eventText(e)); });
    var ej = M.ejectionEvents(s);
    if (ej.length > 0 && ej.length <= 500) {
      var ticks = g.append("g").attr("class", "ejections").selectAll("line").data(ej).join("line")
        .attr("x1", function (e) { return x(e.t); }).attr("x2", function (e) { return x(e.t); })
        .attr("y1", h - 7).attr("y2", h).attr("stroke", "#c9190b").attr("stroke-width", 2);
      M.withTip(ticks, function (e) { return "<b>" + M.num(e.t) + " s</b> " + M.esc(M.eventText(e)); });
    }
  }

  function latencyChart(el, name, points, s, kind, color) {
    var p = M.svg(el, 210, MARGIN, "ts-latency");
    p.svg.attr("data-client", name);
    var ws = s.timeSeries.windowSeconds;
    var x = d3.scaleLinear().domain([0, s.simulatedSeconds]).range([0, p.w]);
    var vals = [];
    points.forEach(function (d) { if (d.p50 != null) vals.push(d.p50); if (d.p99 != null) vals.push(d.p99); });
    if (vals.length === 0) {
      p.g.append("text").attr("x", p.w / 2).attr("y", p.h / 2).attr("text-anchor", "middle").attr("fill", "#667085").text("no latency in any window");
      timeAxis(p.g, x, p.h, p.w);
      return;
    }
    var lo = d3.min(vals), hi = d3.max(vals);
    var y = kind === "log"
      ? d3.scaleLog().domain([Math.max(0.001, lo / 1.5), Math.max(hi * 1.3, lo * 3)]).range([p.h, 0]).clamp(true)
      : d3.scaleLinear().domain([0, hi * 1.1]).range([p.h, 0]).nice();
    M.warmupBand(p.g, x, p.h, s);
    var grid = d3.axisLeft(y).ticks(4).tickSize(-p.w).tickFormat("");
    var yAxis = d3.axisLeft(y).ticks(4, "~g");
    if (kind === "log") { var tv = M.logTicks(y, 7); grid.tickValues(tv); yAxis.tickValues(tv).tickFormat(M.msTick); }
    p.g.append("g").attr("class", "gridline").call(grid);
    p.g.append("g").attr("class", "axis").call(yAxis);
    p.g.append("text").attr("class", "axis-label").attr("x", -p.h / 2).attr("y", -40).attr("transform", "rotate(-90)").attr("text-anchor", "middle").text("latency (ms)");
    var mid = function (d) { return x(Math.min(d.t + span(d, ws) / 2, s.simulatedSeconds)); };
    [["p50", 1.6, 0.6], ["p99", 2.2, 1]].forEach(function (sp) {
      var key = sp[0];
      p.g.append("path").attr("class", "ts-line ts-" + key).datum(points)
        .attr("fill", "none").attr("stroke", key === "p99" ? color : d3.color(color).brighter(0.8)).attr("stroke-opacity", sp[2])
        .attr("stroke-width", sp[1]).attr("stroke-dasharray", key === "p50" ? "1 0" : null)
        .attr("d", d3.line().defined(function (d) { return d[key] != null; }).x(mid).y(function (d) { return y(d[key]); }));
      p.g.append("g").selectAll("circle").data(points.filter(function (d) { return d[key] != null; })).join("circle")
        .attr("class", "ts-point ts-point-" + key).attr("r", points.length > 60 ? 0 : points.length <= 3 ? 4.5 : 2.5).attr("cx", mid).attr("cy", function (d) { return y(d[key]); })
        .attr("fill", key === "p99" ? color : d3.color(color).brighter(0.8));
    });
    timeAxis(p.g, x, p.h, p.w);
    eventMarks(p.g, x, p.h, s, true);
    hoverWindows(p, x, points, ws, s);
  }

  function tipFor(d, ws) {
    var rate = d.requests > 0 ? d.errors / d.requests : 0;
    var sec = span(d, ws);
    return "<b>" + M.num(d.t) + " – " + M.num(M.round(d.t + sec, 3)) + " s</b>" + (sec < ws ? " (a partial window)" : "") + "<br>" + M.num(d.requests) + " requests (" + M.round(d.requests / sec, 2) + " /s)<br>" +
      M.num(d.errors) + " errors (" + M.round(100 * rate, 3) + " %)" +
      (d.p50 !== undefined ? "<br>p50 " + M.num(d.p50) + " ms · p99 " + M.num(d.p99) + " ms" : "");
  }

  function hoverWindows(p, x, points, ws, s) {
    var band = p.g.append("rect").attr("y", 0).attr("height", p.h).attr("fill", "#2f6fde").attr("opacity", 0).attr("pointer-events", "none");
    p.g.insert("rect", ":first-child").attr("width", p.w).attr("height", p.h).attr("fill", "transparent")
      .on("mousemove", function (event) {
        var t = x.invert(d3.pointer(event)[0]);
        var i = Math.max(0, Math.min(points.length - 1, d3.bisector(function (d) { return d.t; }).right(points, t) - 1));
        var d = points[i];
        band.attr("x", x(d.t)).attr("width", Math.max(1, x(Math.min(d.t + ws, s.simulatedSeconds)) - x(d.t))).attr("opacity", 0.07);
        M.tipShow(event, tipFor(d, ws));
      })
      .on("mouseleave", function () { band.attr("opacity", 0); M.tipHide(); });
  }

  function throughputChart(el, name, points, s, attr) {
    var p = M.svg(el, 160, { top: 10, right: 16, bottom: 30, left: 52 }, "ts-throughput");
    p.svg.attr(attr || "data-client", name);
    var ws = s.timeSeries.windowSeconds;
    var x = d3.scaleLinear().domain([0, s.simulatedSeconds]).range([0, p.w]);
    var perSec = function (n, d) { return n / span(d, ws); };
    var top = d3.max(points, function (d) { return perSec(d.requests, d); }) || 1;
    var y = d3.scaleLinear().domain([0, top]).range([p.h, 0]).nice();
    M.warmupBand(p.g, x, p.h, s);
    p.g.append("g").attr("class", "gridline").call(d3.axisLeft(y).ticks(3).tickSize(-p.w).tickFormat(""));
    p.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(3).tickFormat(M.countFormat(top)));
    p.g.append("text").attr("class", "axis-label").attr("x", -p.h / 2).attr("y", -40).attr("transform", "rotate(-90)").attr("text-anchor", "middle").text("req/s");
    var bw = function (d) { return Math.max(1, x(Math.min(d.t + ws, s.simulatedSeconds)) - x(d.t) - 1); };
    var g = p.g.append("g").selectAll("g").data(points).join("g").attr("class", "window");
    g.append("rect").attr("class", "ok-bar").attr("x", function (d) { return x(d.t); }).attr("width", bw)
      .attr("data-rate", function (d) { return perSec(d.requests, d); })
      .attr("y", function (d) { return y(perSec(d.requests, d)); }).attr("height", function (d) { return y(perSec(d.errors, d)) - y(perSec(d.requests, d)); })
      .attr("fill", "#9fb3d1");
    g.append("rect").attr("class", "err-bar").attr("x", function (d) { return x(d.t); }).attr("width", bw)
      .attr("data-rate", function (d) { return perSec(d.errors, d); })
      .attr("y", function (d) { return y(perSec(d.errors, d)); }).attr("height", function (d) { return p.h - y(perSec(d.errors, d)); })
      .attr("fill", "#c9190b");
    M.withTip(g, function (d) { return tipFor(d, ws); });
    timeAxis(p.g, x, p.h, p.w);
    eventMarks(p.g, x, p.h, s, false);
  }

  function errorRateChart(el, name, points, s, attr) {
    var p = M.svg(el, 120, { top: 10, right: 16, bottom: 30, left: 52 }, "ts-error-rate");
    p.svg.attr(attr || "data-client", name);
    var ws = s.timeSeries.windowSeconds;
    var x = d3.scaleLinear().domain([0, s.simulatedSeconds]).range([0, p.w]);
    var rate = function (d) { return d.requests > 0 ? d.errors / d.requests : 0; };
    var hi = d3.max(points, rate) || 0;
    var y = d3.scaleLinear().domain([0, hi > 0 ? Math.min(1, hi * 1.15) : 0.01]).range([p.h, 0]).nice();
    M.warmupBand(p.g, x, p.h, s);
    p.g.append("g").attr("class", "gridline").call(d3.axisLeft(y).ticks(3).tickSize(-p.w).tickFormat(""));
    p.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(3, "~%"));
    p.g.append("text").attr("class", "axis-label").attr("x", -p.h / 2).attr("y", -40).attr("transform", "rotate(-90)").attr("text-anchor", "middle").text("error rate");
    var steps = [];
    points.forEach(function (d) { steps.push([d.t, rate(d)]); steps.push([Math.min(d.t + ws, s.simulatedSeconds), rate(d)]); });
    p.g.append("path").attr("class", "ts-error-area").datum(steps).attr("fill", "#c9190b").attr("fill-opacity", 0.15)
      .attr("d", d3.area().x(function (d) { return x(d[0]); }).y0(p.h).y1(function (d) { return y(d[1]); }));
    p.g.append("path").attr("class", "ts-error-line").datum(steps).attr("fill", "none").attr("stroke", "#c9190b").attr("stroke-width", 1.8)
      .attr("d", d3.line().x(function (d) { return x(d[0]); }).y(function (d) { return y(d[1]); }));
    timeAxis(p.g, x, p.h, p.w);
    eventMarks(p.g, x, p.h, s, false);
    hoverWindows(p, x, points, ws, s);
  }

  M.drawTimeseries = function (root, s, kind, colorOf) {
    root.innerHTML = "";
    var draws = [];
    Object.keys(s.timeSeries.clients).forEach(function (name) {
      var points = s.timeSeries.clients[name];
      var c = s.clients[name];
      var card = document.createElement("div");
      card.className = "card ts-card";
      card.setAttribute("data-client", name);
      var color = colorOf(name);
      card.innerHTML = "<h3><span class='swatch' style='background:" + color + "'></span>" + M.esc(name) + "</h3>" +
        "<p class='sub'>" + M.num(c ? c.requests : 0) + " requests · " + M.plural(c ? M.errorCount(c.codes) : 0, "error", "errors") + " · error rate " + M.share(c ? M.errorCount(c.codes) : 0, c ? c.requests : 0) + "</p>" +
        "<div class='legend-series'><span><i style='background:" + color + "'></i>p99</span><span><i style='background:" + d3.color(color).brighter(0.8) + "'></i>p50</span>" +
        "<span><i style='background:#9fb3d1'></i>answers/s</span><span><i style='background:#c9190b'></i>errors/s</span>" +
        (M.timelineEvents(s).length > 0 ? "<span><i style='background:#6b4fbb'></i>timeline change</span>" : "") + "</div>";
      var a = document.createElement("div"), b = document.createElement("div"), e = document.createElement("div");
      a.className = "chart"; b.className = "chart"; e.className = "chart";
      card.appendChild(a); card.appendChild(b); card.appendChild(e);
      root.appendChild(card);
      draws.push(function () {
        latencyChart(a, name, points, s, kind, color);
        throughputChart(b, name, points, s);
        errorRateChart(e, name, points, s);
      });
    });
    // Drawn once every card is in, so each takes its final width.
    draws.forEach(function (f) { f(); });
  };

  function edgeKey(e) { return e.source + " → " + e.destination + " (" + e.service + ")"; }

  /** The edge to show first: the one with the most errors, else the most requests. */
  function defaultEdge(s) {
    var best = 0, bestErr = -1, bestReq = -1;
    s.timeSeries.edges.forEach(function (e, i) {
      var err = 0, req = 0;
      e.points.forEach(function (d) { err += d.errors; req += d.requests; });
      if (err > bestErr || (err === bestErr && req > bestReq)) { best = i; bestErr = err; bestReq = req; }
    });
    return best;
  }

  /**
   * Per-edge time series (summary.timeSeries.edges), one edge at a time picked in a list: what the
   * clients do not see — calls between services that failed and were absorbed by their caller.
   */
  M.drawEdgeTimeseries = function (root, s) {
    root.innerHTML = "";
    var series = s.timeSeries.edges || [];
    if (series.length === 0) return;
    if (M.edgeSelected == null || M.edgeSelected >= series.length) M.edgeSelected = defaultEdge(s);
    var card = document.createElement("div");
    card.className = "card ts-card ts-edge-card";
    var label = document.createElement("label");
    label.className = "edge-pick";
    label.textContent = "edge ";
    var select = document.createElement("select");
    select.id = "edge-series-select";
    series.forEach(function (e, i) {
      var err = 0, req = 0;
      e.points.forEach(function (d) { err += d.errors; req += d.requests; });
      var o = document.createElement("option");
      o.value = String(i);
      o.textContent = edgeKey(e) + " · " + M.num(req) + " requests, " + M.plural(err, "error", "errors");
      if (i === M.edgeSelected) o.selected = true;
      select.appendChild(o);
    });
    label.appendChild(select);
    var sub = document.createElement("p");
    sub.className = "sub";
    var charts = document.createElement("div");
    card.appendChild(label);
    card.appendChild(sub);
    card.appendChild(charts);
    root.appendChild(card);
    function show(i) {
      M.edgeSelected = i;
      var e = series[i];
      var err = 0, req = 0;
      e.points.forEach(function (d) { err += d.errors; req += d.requests; });
      card.setAttribute("data-edge", edgeKey(e));
      sub.innerHTML = M.num(req) + " requests · " + M.plural(err, "error", "errors") + " · error rate " + M.share(err, req) +
        " <span class='legend-series'><span><i style='background:#9fb3d1'></i>answers/s</span><span><i style='background:#c9190b'></i>errors/s</span></span>";
      charts.innerHTML = "";
      var b = document.createElement("div"), r = document.createElement("div");
      b.className = "chart"; r.className = "chart";
      charts.appendChild(b); charts.appendChild(r);
      throughputChart(b, edgeKey(e), e.points, s, "data-edge");
      errorRateChart(r, edgeKey(e), e.points, s, "data-edge");
    }
    select.addEventListener("change", function () { show(Number(select.value)); });
    show(M.edgeSelected);
  };

  /** Proxies behind istiod's config per window (timeSeries.staleProxies): max as steps, mean as a line. */
  // Shared with the CPU charts (cpu.js): the same time axis and the same event marks.
  M.timeAxis = timeAxis;
  M.eventMarks = eventMarks;

  M.drawStaleProxies = function (root, s) {
    root.innerHTML = "";
    var points = (s.timeSeries.staleProxies || []);
    var ws = s.timeSeries.windowSeconds;
    var p = M.svg(root, 190, MARGIN, "stale-proxies");
    var x = d3.scaleLinear().domain([0, s.simulatedSeconds]).range([0, p.w]);
    var top = d3.max(points, function (d) { return d.max; }) || 0;
    var y = d3.scaleLinear().domain([0, Math.max(1, top * 1.1)]).range([p.h, 0]).nice();
    M.warmupBand(p.g, x, p.h, s);
    p.g.append("g").attr("class", "gridline").call(d3.axisLeft(y).ticks(4).tickSize(-p.w).tickFormat(""));
    p.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(Math.min(4, Math.max(1, Math.ceil(y.domain()[1])))).tickFormat(M.countFormat(top)));
    p.g.append("text").attr("class", "axis-label").attr("x", -p.h / 2).attr("y", -40).attr("transform", "rotate(-90)").attr("text-anchor", "middle").text("stale proxies");
    var end = function (d) { return Math.min(d.t + ws, s.simulatedSeconds); };
    var steps = [];
    points.forEach(function (d) { steps.push([d.t, d.max]); steps.push([end(d), d.max]); });
    p.g.append("path").attr("class", "stale-max-area").datum(steps).attr("fill", "#e8590c").attr("fill-opacity", 0.12)
      .attr("d", d3.area().x(function (d) { return x(d[0]); }).y0(p.h).y1(function (d) { return y(d[1]); }));
    p.g.append("path").attr("class", "stale-max").datum(steps).attr("fill", "none").attr("stroke", "#e8590c").attr("stroke-width", 1.6)
      .attr("d", d3.line().x(function (d) { return x(d[0]); }).y(function (d) { return y(d[1]); }));
    var mid = function (d) { return x((d.t + end(d)) / 2); };
    p.g.append("path").attr("class", "stale-mean").datum(points).attr("fill", "none").attr("stroke", "#2f6fde").attr("stroke-width", 2)
      .attr("d", d3.line().x(mid).y(function (d) { return y(d.mean); }));
    p.g.append("g").selectAll("circle").data(points).join("circle")
      .attr("class", "stale-point").attr("data-t", function (d) { return d.t; }).attr("data-max", function (d) { return d.max; }).attr("data-mean", function (d) { return d.mean; })
      .attr("r", points.length > 60 ? 0 : points.length <= 3 ? 4.5 : 2.5).attr("cx", mid).attr("cy", function (d) { return y(d.mean); }).attr("fill", "#2f6fde");
    timeAxis(p.g, x, p.h, p.w);
    eventMarks(p.g, x, p.h, s, true);
    var band = p.g.append("rect").attr("y", 0).attr("height", p.h).attr("fill", "#2f6fde").attr("opacity", 0).attr("pointer-events", "none");
    p.g.insert("rect", ":first-child").attr("width", p.w).attr("height", p.h).attr("fill", "transparent")
      .on("mousemove", function (event) {
        if (points.length === 0) return;
        var t = x.invert(d3.pointer(event)[0]);
        var i = Math.max(0, Math.min(points.length - 1, d3.bisector(function (d) { return d.t; }).right(points, t) - 1));
        var d = points[i];
        band.attr("x", x(d.t)).attr("width", Math.max(1, x(end(d)) - x(d.t))).attr("opacity", 0.07);
        M.tipShow(event, "<b>" + M.num(d.t) + " – " + M.num(M.round(end(d), 3)) + " s</b><br>at most " + M.plural(d.max, "proxy", "proxies") + " stale<br>" + M.num(d.mean) + " on average");
      })
      .on("mouseleave", function () { band.attr("opacity", 0); M.tipHide(); });
  };

  /** Ejection intervals per pod, from the ejection and unejection events. */
  M.drawEjections = function (root, s) {
    root.innerHTML = "";
    var byPod = {};
    s.events.forEach(function (e) {
      if (e.kind !== "ejection" && e.kind !== "unejection") return;
      var pod = String(e.detail.pod);
      var key = pod + "\u0000" + (e.detail.cluster || "");
      var list = byPod[key] || (byPod[key] = { pod: pod, cluster: e.detail.cluster || "", spans: [], open: null });
      if (e.kind === "ejection") { if (list.open === null) list.open = e.t; }
      else if (list.open !== null) { list.spans.push([list.open, e.t]); list.open = null; }
    });
    var lanes = Object.keys(byPod).sort().map(function (k) {
      var l = byPod[k];
      if (l.open !== null) { l.spans.push([l.open, s.simulatedSeconds]); l.open = null; }
      return l;
    });
    if (lanes.length === 0) return;
    var card = document.createElement("div");
    card.className = "card";
    card.innerHTML = "<h3>Outlier ejections over time</h3><p class='sub'>When each pod was out of a client's load-balancing pool (from the ejection and unejection events).</p>";
    var el = document.createElement("div");
    el.className = "chart";
    card.appendChild(el);
    root.appendChild(card);
    var lane = 26;
    var p = M.svg(el, lanes.length * lane + 40, { top: 8, right: 16, bottom: 30, left: 150 }, "ejection-lanes");
    var x = d3.scaleLinear().domain([0, s.simulatedSeconds]).range([0, p.w]);
    var rows = p.g.selectAll("g.lane").data(lanes).join("g").attr("class", "lane").attr("transform", function (d, i) { return "translate(0," + i * lane + ")"; });
    rows.append("rect").attr("width", p.w).attr("height", lane - 6).attr("fill", "#f2f4f7").attr("rx", 4);
    rows.append("text").attr("x", -8).attr("y", lane / 2).attr("text-anchor", "end").attr("font-size", 12).attr("fill", "#1c2434")
      .text(function (d) { return d.pod; });
    var spans = rows.selectAll("rect.span").data(function (d) { return d.spans.map(function (sp) { return { sp: sp, lane: d }; }); }).join("rect")
      .attr("class", "span").attr("x", function (d) { return x(d.sp[0]); }).attr("width", function (d) { return Math.max(2, x(d.sp[1]) - x(d.sp[0])); })
      .attr("height", lane - 6).attr("rx", 4).attr("fill", "#c9190b").attr("fill-opacity", 0.8);
    M.withTip(spans, function (d) {
      return "<b>" + M.esc(d.lane.pod) + "</b> ejected " + M.num(d.sp[0]) + " s → " + M.num(d.sp[1]) + " s<br><span class='t-muted'>" + M.esc(d.lane.cluster) + "</span>";
    });
    timeAxis(p.g, x, lanes.length * lane, p.w);
    eventMarks(p.g, x, lanes.length * lane - 6, { events: M.timelineEvents(s), simulatedSeconds: s.simulatedSeconds }, false);
  };
})(window.meshsim = window.meshsim || {});
