// Per HorizontalPodAutoscaler (summary.autoscalers), on the same time axis and margins as the
// latency charts above it: the Deployment's replicas (current, Ready, the HPA's desired) and each
// metric against its target, at every sync, with the rescale decisions as vertical lines. Included
// in the page only when the run had HPAs; main.js draws it with the other charts.
(function (M) {
  "use strict";

  var MARGIN = { top: 22, right: 16, bottom: 30, left: 52 };

  function unitText(v, unit) {
    if (v == null) return "unknown";
    if (unit === "percent") return v + "%";
    if (unit === "millicores") return Math.round(v) + "m";
    return Math.round(v / 1048576) + "Mi";
  }

  /** Step points: each sample holds until the next sync (or the end of the run). */
  function steps(points, key, end) {
    var out = [];
    points.forEach(function (d, i) {
      var v = typeof key === "function" ? key(d) : d[key];
      if (v == null) return;
      var until = i + 1 < points.length ? points[i + 1].t : end;
      out.push([d.t, v]); out.push([until, v]);
    });
    return out;
  }

  function decisions(g, x, h, a) {
    var marks = g.append("g").attr("class", "hpa-decisions").selectAll("g").data(a.decisions).join("g")
      .attr("class", "hpa-decision").attr("data-t", function (d) { return d.t; })
      .attr("transform", function (d) { return "translate(" + x(d.t) + ",0)"; });
    marks.append("line").attr("y1", 0).attr("y2", h).attr("stroke", "#6b4fbb").attr("stroke-width", 1.2).attr("stroke-dasharray", "4 3");
    marks.append("rect").attr("x", -4).attr("width", 8).attr("height", h).attr("fill", "transparent");
    M.withTip(marks, function (d) { return "<b>" + M.num(d.t) + " s</b> " + d.from + " → " + d.to + "<br>" + M.esc(d.reason); });
  }

  function replicasChart(el, a, s) {
    var p = M.svg(el, 200, MARGIN, "hpa-replicas");
    var x = d3.scaleLinear().domain([0, s.simulatedSeconds]).range([0, p.w]);
    var top = d3.max(a.replicas, function (d) { return Math.max(d.current, d.desired, d.ready); }) || 1;
    var y = d3.scaleLinear().domain([0, Math.max(a.maxReplicas, top) * 1.08]).range([p.h, 0]).nice();
    M.warmupBand(p.g, x, p.h, s);
    p.g.append("g").attr("class", "gridline").call(d3.axisLeft(y).ticks(4).tickSize(-p.w).tickFormat(""));
    p.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(4).tickFormat(d3.format("d")));
    p.g.append("text").attr("class", "axis-label").attr("x", -p.h / 2).attr("y", -40).attr("transform", "rotate(-90)").attr("text-anchor", "middle").text("replicas");
    p.g.append("line").attr("x1", 0).attr("x2", p.w).attr("y1", y(a.maxReplicas)).attr("y2", y(a.maxReplicas)).attr("stroke", "#98a2b3").attr("stroke-dasharray", "2 3");
    var line = d3.line().x(function (d) { return x(d[0]); }).y(function (d) { return y(d[1]); });
    [["desired", "#e8590c", 1.4, "5 3"], ["current", "#2f6fde", 2, null], ["ready", "#2b9348", 2, null]].forEach(function (sp) {
      p.g.append("path").attr("class", "hpa-" + sp[0]).datum(steps(a.replicas, sp[0], s.simulatedSeconds))
        .attr("fill", "none").attr("stroke", sp[1]).attr("stroke-width", sp[2]).attr("stroke-dasharray", sp[3]).attr("d", line);
    });
    p.g.append("g").attr("class", "axis").attr("transform", "translate(0," + p.h + ")")
      .call(d3.axisBottom(x).ticks(Math.max(3, Math.floor(p.w / 80))).tickFormat(function (v) { return v + " s"; }));
    decisions(p.g, x, p.h, a);
    hover(p, x, a, function (d) {
      return "<b>" + M.num(d.t) + " s</b><br>current " + d.current + " · Ready " + d.ready + " · desired " + d.desired;
    });
  }

  function metricChart(el, a, i, s) {
    var m = a.metrics[i];
    var p = M.svg(el, 170, MARGIN, "hpa-metric");
    p.svg.attr("data-metric", m.name);
    var x = d3.scaleLinear().domain([0, s.simulatedSeconds]).range([0, p.w]);
    var top = d3.max(a.replicas, function (d) { return d.metrics[i]; }) || 0;
    var y = d3.scaleLinear().domain([0, Math.max(top, m.target) * 1.15 || 1]).range([p.h, 0]).nice();
    M.warmupBand(p.g, x, p.h, s);
    p.g.append("g").attr("class", "gridline").call(d3.axisLeft(y).ticks(4).tickSize(-p.w).tickFormat(""));
    p.g.append("g").attr("class", "axis").call(d3.axisLeft(y).ticks(4).tickFormat(function (v) { return unitText(v, m.unit); }));
    p.g.append("line").attr("class", "hpa-target").attr("x1", 0).attr("x2", p.w).attr("y1", y(m.target)).attr("y2", y(m.target))
      .attr("stroke", "#c9190b").attr("stroke-width", 1.3).attr("stroke-dasharray", "6 3");
    p.g.append("path").attr("class", "hpa-metric-line").datum(steps(a.replicas, function (d) { return d.metrics[i]; }, s.simulatedSeconds))
      .attr("fill", "none").attr("stroke", "#2f6fde").attr("stroke-width", 2)
      .attr("d", d3.line().x(function (d) { return x(d[0]); }).y(function (d) { return y(d[1]); }));
    p.g.append("g").attr("class", "axis").attr("transform", "translate(0," + p.h + ")")
      .call(d3.axisBottom(x).ticks(Math.max(3, Math.floor(p.w / 80))).tickFormat(function (v) { return v + " s"; }));
    decisions(p.g, x, p.h, a);
    hover(p, x, a, function (d) { return "<b>" + M.num(d.t) + " s</b><br>" + M.esc(m.name) + ": " + unitText(d.metrics[i], m.unit) + " / " + unitText(m.target, m.unit); });
  }

  function hover(p, x, a, text) {
    var pts = a.replicas;
    p.g.insert("rect", ":first-child").attr("width", p.w).attr("height", p.h).attr("fill", "transparent")
      .on("mousemove", function (event) {
        if (pts.length === 0) return;
        var t = x.invert(d3.pointer(event)[0]);
        var k = Math.max(0, Math.min(pts.length - 1, d3.bisector(function (d) { return d.t; }).right(pts, t) - 1));
        M.tipShow(event, text(pts[k]));
      })
      .on("mouseleave", M.tipHide);
  }

  M.drawAutoscalers = function (root, s) {
    root.innerHTML = "";
    var draws = [];
    Object.keys(s.autoscalers || {}).forEach(function (name) {
      var a = s.autoscalers[name];
      var card = document.createElement("div");
      card.className = "card ts-card";
      card.setAttribute("data-hpa", name);
      card.innerHTML = "<h3>HPA " + M.esc(name) + " → " + M.esc(a.reference) + "</h3>" +
        "<p class='sub'>min " + a.minReplicas + " · max " + a.maxReplicas + " · at most " + a.peakReplicas + " pods · " + M.plural(a.decisions.length, "rescale", "rescales") + "</p>" +
        "<div class='legend-series'><span><i style='background:#2f6fde'></i>current replicas</span><span><i style='background:#2b9348'></i>Ready</span>" +
        "<span><i style='background:#e8590c'></i>desired</span><span><i style='background:#c9190b'></i>target</span><span><i style='background:#6b4fbb'></i>rescale</span></div>";
      var r = document.createElement("div");
      r.className = "chart";
      card.appendChild(r);
      var ms = a.metrics.map(function () { var d = document.createElement("div"); d.className = "chart"; card.appendChild(d); return d; });
      root.appendChild(card);
      draws.push(function () {
        replicasChart(r, a, s);
        ms.forEach(function (el, i) { metricChart(el, a, i, s); });
      });
    });
    draws.forEach(function (f) { f(); });
  };
})(window.meshsim = window.meshsim || {});
