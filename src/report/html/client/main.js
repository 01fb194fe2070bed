// Draws report.html's charts from the embedded summary (#summary) and histograms (#histograms),
// redraws them when the width changes or the latency axis is switched, and marks the body
// data-rendered="true" once done (the browser test waits for it).
(function (M) {
  "use strict";
  var s = JSON.parse(document.getElementById("summary").textContent);
  var histograms = JSON.parse(document.getElementById("histograms").textContent);
  M.summary = s;
  M.histograms = histograms;
  var colorOf = M.clientColor(Object.keys(s.clients));
  var scale = "log";

  document.querySelectorAll("[data-swatch]").forEach(function (el) { el.style.background = colorOf(el.getAttribute("data-swatch")); });

  function byId(id) { return document.getElementById(id); }
  function draw() {
    if (byId("topology-graph")) M.drawTopology(byId("topology-graph"), s);
    if (byId("latency-charts")) M.drawLatency(byId("latency-charts"), s, histograms, scale, colorOf);
    if (byId("timeseries-charts")) M.drawTimeseries(byId("timeseries-charts"), s, scale, colorOf);
    if (byId("edge-timeseries")) M.drawEdgeTimeseries(byId("edge-timeseries"), s);
    if (byId("ejections")) M.drawEjections(byId("ejections"), s);
    if (byId("stale-proxies-chart")) M.drawStaleProxies(byId("stale-proxies-chart"), s);
    if (byId("cpu-charts")) M.drawCpu(byId("cpu-charts"), s);
    // client/autoscaler.js is inlined only for runs with HPAs.
    if (byId("autoscaler-charts") && M.drawAutoscalers) M.drawAutoscalers(byId("autoscaler-charts"), s);
  }

  document.querySelectorAll("button[data-scale]").forEach(function (b) {
    b.addEventListener("click", function () {
      scale = b.getAttribute("data-scale");
      document.querySelectorAll("button[data-scale]").forEach(function (o) { o.classList.toggle("on", o.getAttribute("data-scale") === scale); });
      draw();
    });
  });

  var lastWidth = document.documentElement.clientWidth, timer = null;
  window.addEventListener("resize", function () {
    var wNow = document.documentElement.clientWidth;
    if (wNow === lastWidth) return;
    lastWidth = wNow;
    clearTimeout(timer);
    timer = setTimeout(draw, 120);
  });

  draw();
  document.body.setAttribute("data-rendered", "true");
})(window.meshsim = window.meshsim || {});
