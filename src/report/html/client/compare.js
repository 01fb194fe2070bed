// comparison.html's chart: one row per client and edge, the chosen figure before (grey) and after
// (blue), joined by a line coloured by the change (red worse, green better). Rows in one run only
// show their single value and say which run.
(function (M) {
  "use strict";
  var c = JSON.parse(document.getElementById("comparison").textContent);
  var metric = "p99";

  function value(m, v) { return m === "errorRate" ? M.pct(v) : M.num(v) + " ms"; }

  function draw() {
    var root = document.getElementById("compare-chart");
    root.innerHTML = "";
    var rows = c.clients.concat(c.edges);
    var ROW = 30;
    var labelW = Math.min(420, Math.max(160, d3.max(rows, function (r) { return r.label.length; }) * 6.4));
    var p = M.svg(root, rows.length * ROW + 44, { top: 8, right: 90, bottom: 30, left: labelW }, "compare");
    var vals = [];
    rows.forEach(function (r) { if (r.before) vals.push(r.before[metric]); if (r.after) vals.push(r.after[metric]); });
    var hi = d3.max(vals) || 1;
    var x = d3.scaleLinear().domain([0, hi * 1.05]).range([0, p.w]).nice();
    p.g.append("g").attr("class", "gridline").attr("transform", "translate(0," + rows.length * ROW + ")")
      .call(d3.axisBottom(x).ticks(6).tickSize(-rows.length * ROW).tickFormat(""));
    p.g.append("g").attr("class", "axis").attr("transform", "translate(0," + rows.length * ROW + ")")
      .call(d3.axisBottom(x).ticks(6, metric === "errorRate" ? "~%" : "~g"));
    var g = p.g.selectAll("g.row").data(rows).join("g").attr("class", function (r) { return "row row-" + r.kind; })
      .attr("data-presence", function (r) { return r.presence; })
      .attr("transform", function (r, i) { return "translate(0," + (i * ROW + ROW / 2) + ")"; });
    g.append("text").attr("x", -10).attr("y", 4).attr("text-anchor", "end").attr("font-size", 12)
      .attr("fill", function (r) { return r.presence === "both" ? "#1c2434" : "#98a2b3"; })
      .text(function (r) { return (r.kind === "edge" ? "" : "● ") + r.label; });
    g.filter(function (r) { return r.before && r.after; }).append("line")
      .attr("x1", function (r) { return x(r.before[metric]); }).attr("x2", function (r) { return x(r.after[metric]); })
      .attr("stroke", function (r) { var d = r.delta[metric].abs; return d > 0 ? "#c9190b" : d < 0 ? "#3e8635" : "#98a2b3"; })
      .attr("stroke-width", 3).attr("stroke-linecap", "round");
    g.filter(function (r) { return r.before; }).append("circle").attr("class", "before").attr("r", 5.5)
      .attr("cx", function (r) { return x(r.before[metric]); }).attr("fill", "#98a2b3");
    g.filter(function (r) { return r.after; }).append("circle").attr("class", "after").attr("r", 5.5)
      .attr("cx", function (r) { return x(r.after[metric]); }).attr("fill", "#2f6fde");
    g.append("text").attr("font-size", 11).attr("y", 4).attr("fill", "#667085")
      .attr("x", function (r) { return x(Math.max(r.before ? r.before[metric] : 0, r.after ? r.after[metric] : 0)) + 10; })
      .text(function (r) {
        if (!r.before || !r.after) return r.presence;
        var d = r.delta[metric];
        return d.rel === null ? "" : (d.rel > 0 ? "+" : "") + M.round(100 * d.rel, 1) + "%";
      });
    M.withTip(g, function (r) {
      return "<b>" + M.esc(r.label) + "</b><br>before " + (r.before ? value(metric, r.before[metric]) : "—") +
        "<br>after " + (r.after ? value(metric, r.after[metric]) : "—") + (r.presence === "both" ? "" : "<br>" + r.presence);
    });
  }

  document.querySelectorAll("button[data-metric]").forEach(function (b) {
    b.addEventListener("click", function () {
      metric = b.getAttribute("data-metric");
      document.querySelectorAll("button[data-metric]").forEach(function (o) { o.classList.toggle("on", o === b); });
      draw();
    });
  });
  window.addEventListener("resize", function () { clearTimeout(M.t); M.t = setTimeout(draw, 120); });
  draw();
  document.body.setAttribute("data-rendered", "true");
})(window.meshsim = window.meshsim || {});
