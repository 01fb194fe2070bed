// meshsim report page, shared helpers (browser script; d3 v7 is the global `d3`). The page's data
// is summary.json itself, embedded as JSON; nothing here computes a figure the summary has.
(function (M) {
  "use strict";

  /** A stored number with digit grouping, unchanged otherwise (12345.678 → "12,345.678"). */
  M.num = function (x) {
    if (x === null || x === undefined) return "–";
    var parts = String(x).split(".");
    return parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",") + (parts.length > 1 ? "." + parts[1] : "");
  };
  /** A stored fraction as a percentage, exactly. */
  M.pct = function (r) {
    return Number((r * 100).toPrecision(12)) + "%";
  };
  /** A count as a share of a total: 2 significant digits, never "0%" when some failed nor "100%" when some did not (report/share.ts). */
  M.share = function (part, whole) {
    if (!(whole > 0) || part <= 0) return "0%";
    if (part >= whole) return "100%";
    var p = 100 * part / whole;
    for (var digits = 2; digits < 16; digits++) {
      var r = Number(p.toPrecision(digits));
      if (r > 0 && r < 100) return r + "%";
    }
    return p + "%";
  };
  /** A derived value (rates per window) rounded for reading. */
  M.round = function (x, digits) {
    var f = Math.pow(10, digits === undefined ? 2 : digits);
    return Math.round(x * f) / f;
  };
  M.esc = function (s) {
    return String(s).replace(/[&<>"']/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c];
    });
  };
  M.isError = function (code) {
    var c = Number(code);
    return c === 0 || c >= 500;
  };

  /** Requests with code 0 or 5xx, from a codes map. */
  M.errorCount = function (codes) {
    return Object.keys(codes).reduce(function (a, c) { return a + (M.isError(c) ? codes[c] : 0); }, 0);
  };

  /**
   * Health as Kiali's default traffic thresholds judge it: 5xx (and no response) degraded above 0 %,
   * failure from 10 %; 4xx degraded from 10 %, failure from 20 %. https://kiali.io/docs/configuration/health
   */
  M.health = function (codes, requests) {
    if (!requests) return "idle";
    var e5 = 0, e4 = 0;
    Object.keys(codes).forEach(function (c) {
      var n = Number(c);
      if (n === 0 || n >= 500) e5 += codes[c];
      else if (n >= 400) e4 += codes[c];
    });
    var r5 = e5 / requests, r4 = e4 / requests;
    if (r5 >= 0.1 || r4 >= 0.2) return "failure";
    if (r5 > 0 || r4 >= 0.1) return "degraded";
    return "healthy";
  };
  M.HEALTH_COLOR = { healthy: "#3e8635", degraded: "#e8a317", failure: "#c9190b", idle: "#8a8d90" };

  M.clientColor = function (names) {
    var palette = ["#2f6fde", "#e8590c", "#2b9348", "#9c36b5", "#d6336c", "#0b7285", "#8a6d00", "#495057", "#5f3dc4", "#c2255c"];
    var scale = d3.scaleOrdinal().domain(names).range(palette);
    return function (n) { return scale(n); };
  };

  // One tooltip for the page.
  var tip = null;
  M.tipShow = function (event, html) {
    if (tip === null) tip = document.getElementById("tip");
    tip.innerHTML = html;
    tip.style.opacity = "1";
    var pad = 14, w = tip.offsetWidth, h = tip.offsetHeight;
    var x = event.clientX + pad, y = event.clientY + pad;
    if (x + w > window.innerWidth - 8) x = event.clientX - w - pad;
    if (y + h > window.innerHeight - 8) y = event.clientY - h - pad;
    tip.style.left = Math.max(4, x) + "px";
    tip.style.top = Math.max(4, y) + "px";
  };
  M.tipHide = function () {
    if (tip === null) tip = document.getElementById("tip");
    tip.style.opacity = "0";
  };
  /** Tooltip handlers for a d3 selection: html(d) gives the content. */
  M.withTip = function (sel, html) {
    sel.on("mouseenter mousemove", function (event, d) { M.tipShow(event, html(d)); })
      .on("mouseleave", M.tipHide);
    return sel;
  };

  /** An svg sized to its container's width (height fixed), with a margin group. */
  M.svg = function (container, height, margin, cls) {
    var width = Math.max(280, container.clientWidth || 600);
    var svg = d3.select(container).append("svg")
      .attr("class", cls || null)
      .attr("viewBox", "0 0 " + width + " " + height)
      .attr("width", width).attr("height", height);
    var g = svg.append("g").attr("transform", "translate(" + margin.left + "," + margin.top + ")");
    return { svg: svg, g: g, w: width - margin.left - margin.right, h: height - margin.top - margin.bottom };
  };

  /** Latency tick labels: 0.5, 1, 2, 5, 10 ... ms without clutter. */
  M.msTick = function (x) {
    return x >= 1000 ? (x / 1000) + " s" : (x >= 1 ? d3.format("~g")(x) : d3.format("~g")(x)) + "";
  };

  /** Tick labels for a log axis: only at 1, 2 and 5 times a power of ten. */
  M.logTick = function (v) {
    var m = v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9));
    return (Math.abs(m - 1) < 1e-6 || Math.abs(m - 2) < 1e-6 || Math.abs(m - 5) < 1e-6) ? M.msTick(v) : "";
  };

  /** 1-2-5 values of a log scale's domain (at most about `max` of them), for ticks and gridlines. */
  M.logTicks = function (scale, max) {
    var d = scale.domain(), lo = Math.min(d[0], d[1]), hi = Math.max(d[0], d[1]);
    var out = [];
    for (var e = Math.floor(Math.log10(lo)) - 1; e <= Math.ceil(Math.log10(hi)); e++) {
      [1, 2, 5].forEach(function (m) { var v = m * Math.pow(10, e); if (v >= lo && v <= hi) out.push(Number(v.toPrecision(3))); });
    }
    if (out.length > (max || 8)) out = out.filter(function (v) { return Math.abs(v / Math.pow(10, Math.floor(Math.log10(v) + 1e-9)) - 1) < 1e-6; });
    return out;
  };
  /** Count format for an axis: 0.2, 1.5 for small values, 1.2k for large ones. */
  M.countFormat = function (max) {
    return max < 10 ? d3.format("~g") : d3.format("~s");
  };
  M.plural = function (n, one, many) {
    return M.num(n) + " " + (n === 1 ? one : many);
  };
  /** Shade the warm-up (not measured) at the start of a time axis. */
  M.warmupBand = function (g, x, h, s) {
    var w = Math.round((s.simulatedSeconds - s.measuredSeconds) * 1000) / 1000;
    if (!(w > 0)) return;
    g.append("rect").attr("class", "warmup").attr("x", 0).attr("y", 0).attr("width", x(w) - x(0)).attr("height", h).attr("fill", "#eef1f5");
    g.append("text").attr("x", 4).attr("y", 12).attr("font-size", 10.5).attr("fill", "#98a2b3").text("warm-up");
  };

  /** Timeline changes (everything but outlier ejections), for vertical markers. */
  M.timelineEvents = function (s) {
    return s.events.filter(function (e) { return e.kind !== "ejection" && e.kind !== "unejection"; });
  };
  M.ejectionEvents = function (s) {
    return s.events.filter(function (e) { return e.kind === "ejection"; });
  };
  M.eventText = function (e) {
    var d = Object.keys(e.detail).map(function (k) { return k + "=" + e.detail[k]; }).join(" ");
    return e.kind + (d ? " " + d : "");
  };
  /** A short label for a marker: the kind and its most telling detail. */
  M.eventLabel = function (e) {
    var d = e.detail;
    var main = d.resources || d.resource || d.deployment || d.pod || d.version;
    return e.kind + (main !== undefined ? " " + main : "");
  };
})(window.meshsim = window.meshsim || {});
