// The mesh as Kiali's graph draws it: one node per workload (the edges' sources and destinations and
// the pods' deployments), one arrow per summary.json edge labelled with its rate, error share and
// p99, coloured by health, a lock for mutual TLS. Layout: layered left to right (longest path from
// the traffic's sources after removing cycles), nodes ordered within a layer by the mean position of
// their neighbours, as dagre-style layouts do.
(function (M) {
  "use strict";

  var NODE_H = 42, ROW_H = 92;

  /** Pods are named <deployment>-<index>, with .<namespace> outside the default namespace. */
  function podWorkload(pod) {
    var m = /^(.*)-\d+(?:\.[a-z0-9-]+)?$/.exec(pod);
    return m === null ? pod : m[1];
  }

  function buildGraph(s) {
    var nodes = {};
    function node(name) {
      if (!nodes[name]) nodes[name] = { name: name, pods: [], inE: [], outE: [], kind: "workload" };
      return nodes[name];
    }
    s.edges.forEach(function (e, i) {
      e = Object.assign({ index: i }, e);
      node(e.source).outE.push(e);
      node(e.destination).inE.push(e);
    });
    Object.keys(s.pods).forEach(function (p) { node(podWorkload(p)).pods.push(p); });
    Object.keys(nodes).forEach(function (n) {
      var x = nodes[n];
      if (n === "unknown") x.kind = "unknown";
      else if (s.clients[n] && x.pods.length === 0) x.kind = "generator";
    });
    return nodes;
  }

  function layout(nodes) {
    var names = Object.keys(nodes).sort();
    var succ = {}, pred = {};
    names.forEach(function (n) { succ[n] = []; pred[n] = []; });
    names.forEach(function (n) {
      nodes[n].outE.forEach(function (e) { if (e.destination !== n && succ[n].indexOf(e.destination) < 0) succ[n].push(e.destination); });
    });
    names.forEach(function (n) { succ[n].sort(); });
    // Depth-first from the sources; an edge back to a node on the stack closes a cycle and is ignored.
    var state = {}, order = [], back = {};
    function visit(n) {
      state[n] = 1;
      succ[n].forEach(function (m) {
        if (state[m] === 1) back[n + "\u0000" + m] = true;
        else if (!state[m]) visit(m);
      });
      state[n] = 2;
      order.push(n);
    }
    var indeg = {};
    names.forEach(function (n) { indeg[n] = 0; });
    names.forEach(function (n) { succ[n].forEach(function (m) { indeg[m]++; }); });
    var roots = names.filter(function (n) { return indeg[n] === 0; });
    roots.sort(function (a, b) { return (nodes[b].kind === "generator") - (nodes[a].kind === "generator") || (a < b ? -1 : 1); });
    roots.forEach(function (n) { if (!state[n]) visit(n); });
    names.forEach(function (n) { if (!state[n]) visit(n); });
    var topo = order.slice().reverse();
    var rank = {};
    topo.forEach(function (n) { rank[n] = 0; });
    topo.forEach(function (n) {
      succ[n].forEach(function (m) {
        if (!back[n + "\u0000" + m]) { rank[m] = Math.max(rank[m], rank[n] + 1); pred[m].push(n); }
      });
    });
    // A node with no traffic at all stands after the others in the first layer.
    var maxRank = 0;
    topo.forEach(function (n) { maxRank = Math.max(maxRank, rank[n]); });
    var layers = [];
    for (var r = 0; r <= maxRank; r++) layers.push([]);
    topo.forEach(function (n) { layers[rank[n]].push(n); });
    var pos = {};
    function index() { layers.forEach(function (l) { l.forEach(function (n, i) { pos[n] = i - (l.length - 1) / 2; }); }); }
    index();
    function mean(list, fallback) {
      if (list.length === 0) return fallback;
      return list.reduce(function (a, m) { return a + pos[m]; }, 0) / list.length;
    }
    for (var it = 0; it < 6; it++) {
      for (var a = 1; a < layers.length; a++) {
        layers[a].sort(function (x, y) { return mean(pred[x], pos[x]) - mean(pred[y], pos[y]) || (x < y ? -1 : 1); });
        index();
      }
      for (var b = layers.length - 2; b >= 0; b--) {
        layers[b].sort(function (x, y) {
          var sx = succ[x].filter(function (m) { return !back[x + "\u0000" + m]; }), sy = succ[y].filter(function (m) { return !back[y + "\u0000" + m]; });
          return mean(sx, pos[x]) - mean(sy, pos[y]) || (x < y ? -1 : 1);
        });
        index();
      }
    }
    return { layers: layers, rank: rank, back: back };
  }

  function nodeHealth(n) {
    var list = n.inE.length > 0 ? n.inE : n.outE;
    var codes = {}, req = 0;
    list.forEach(function (e) {
      req += e.requests;
      Object.keys(e.codes).forEach(function (c) { codes[c] = (codes[c] || 0) + e.codes[c]; });
    });
    return M.health(codes, req);
  }

  function lockPath(g, x, y, color) {
    var l = g.append("g").attr("class", "mtls-lock").attr("transform", "translate(" + x + "," + y + ")");
    l.append("path").attr("d", "M1.5,0 v-2.6 a2.5,2.5 0 0 1 5,0 v2.6").attr("fill", "none").attr("stroke", color).attr("stroke-width", 1.4);
    l.append("rect").attr("x", 0).attr("y", 0).attr("width", 8).attr("height", 6.5).attr("rx", 1.3).attr("fill", color);
    return l;
  }

  /** Push overlapping labels apart vertically (a few rounds of pairwise separation). */
  function spreadLabels(labels, obstacles) {
    for (var round = 0; round < 40; round++) {
      var moved = false;
      labels.forEach(function (a) {
        obstacles.forEach(function (o) {
          var ox = (a.w + o.w) / 2 + 4 - Math.abs(a.x - o.x), oy = (a.h + o.h) / 2 + 4 - Math.abs(a.y - o.y);
          if (ox > 0 && oy > 0) {
            if (ox < oy) a.x += a.x < o.x ? -ox : ox;
            else a.y += a.y < o.y ? -oy : oy;
            moved = true;
          }
        });
      });
      for (var i = 0; i < labels.length; i++) {
        for (var j = i + 1; j < labels.length; j++) {
          var a = labels[i], b = labels[j];
          var ox = (a.w + b.w) / 2 - Math.abs(a.x - b.x), oy = (a.h + b.h) / 2 - Math.abs(a.y - b.y);
          if (ox > 0 && oy > 0) {
            var push = oy / 2 + 0.5, up = a.y < b.y || (a.y === b.y && i < j);
            a.y += up ? -push : push;
            b.y += up ? push : -push;
            moved = true;
          }
        }
      }
      if (!moved) return;
    }
  }

  M.drawTopology = function (root, s) {
    root.innerHTML = "";
    var nodes = buildGraph(s);
    var names = Object.keys(nodes);
    if (names.length === 0) {
      root.innerHTML = "<p class='note'>No traffic between workloads was measured.</p>";
      return;
    }
    var L = layout(nodes);
    var rows = d3.max(L.layers, function (l) { return l.length; });
    var hasBack = s.edges.some(function (e) { return e.source !== e.destination && L.rank[e.destination] <= L.rank[e.source]; });
    // Columns narrower than this crowd labels onto nodes: the graph scrolls sideways instead.
    var width = Math.max(320, root.clientWidth || 900, L.layers.length * 215 + 40);
    var hasLoop = s.edges.some(function (e) { return e.source === e.destination; });
    var margin = { top: hasLoop ? 84 : 16, right: 20, bottom: hasBack ? 80 : 16, left: 20 };
    var height = rows * ROW_H + margin.top + margin.bottom;
    var svg = d3.select(root).append("svg").attr("class", "topology").attr("viewBox", "0 0 " + width + " " + height)
      .attr("width", width).attr("height", height);
    var w = width - margin.left - margin.right, h = rows * ROW_H;
    var g = svg.append("g").attr("transform", "translate(" + margin.left + "," + margin.top + ")");
    var colW = w / L.layers.length;
    var small = colW < 190;
    L.layers.forEach(function (layer) {
      layer.forEach(function (n, i) {
        var nd = nodes[n];
        nd.x = colW * (L.rank[n] + 0.5);
        nd.y = h / 2 + (i - (layer.length - 1) / 2) * ROW_H;
        nd.w = Math.min(Math.max(96, n.length * (small ? 6.6 : 7.6) + 26), colW * 0.78);
        nd.health = nodeHealth(nd);
      });
    });

    var defs = svg.append("defs");
    Object.keys(M.HEALTH_COLOR).forEach(function (k) {
      defs.append("marker").attr("id", "arrow-" + k).attr("viewBox", "0 0 10 10").attr("refX", 9).attr("refY", 5)
        .attr("markerUnits", "userSpaceOnUse").attr("markerWidth", 11).attr("markerHeight", 11).attr("orient", "auto-start-reverse")
        .append("path").attr("d", "M0,0 L10,5 L0,10 z").attr("fill", M.HEALTH_COLOR[k]);
    });

    var maxRate = d3.max(s.edges, function (e) { return e.requests; }) || 1;
    var widthOf = d3.scaleSqrt().domain([0, maxRate]).range([1.4, 6]);
    var pairCount = {}, pairSeen = {};
    s.edges.forEach(function (e) { var k = e.source + "\u0000" + e.destination; pairCount[k] = (pairCount[k] || 0) + 1; });

    var edgeLayer = g.append("g").attr("class", "edges");
    var labelLayer = g.append("g").attr("class", "edge-labels");
    var labels = [];
    s.edges.forEach(function (e, i) {
      var a = nodes[e.source], b = nodes[e.destination];
      var key = e.source + "\u0000" + e.destination;
      var k = pairSeen[key] = (pairSeen[key] || 0) + 1;
      var off = (k - 1 - (pairCount[key] - 1) / 2) * 22;
      var health = M.health(e.codes, e.requests);
      var color = M.HEALTH_COLOR[health];
      var d;
      if (a === b) {
        d = "M" + (a.x - 12) + "," + (a.y - NODE_H / 2) + " C" + (a.x - 40) + "," + (a.y - NODE_H / 2 - 50 - off) + " " + (a.x + 40) + "," + (a.y - NODE_H / 2 - 50 - off) + " " + (a.x + 12) + "," + (a.y - NODE_H / 2);
      } else if (L.rank[e.destination] <= L.rank[e.source]) {
        var y1 = a.y + NODE_H / 2, y2 = b.y + NODE_H / 2, dip = Math.max(y1, y2) + 50 + Math.abs(off) * 2;
        d = "M" + (a.x + off) + "," + y1 + " C" + (a.x + off) + "," + dip + " " + (b.x + off) + "," + dip + " " + (b.x + off) + "," + (y2 + 2);
      } else {
        var x1 = a.x + a.w / 2, x2 = b.x - b.w / 2 - 2, ya = a.y + off, yb = b.y + off, dx = (x2 - x1) / 2;
        d = "M" + x1 + "," + ya + " C" + (x1 + dx) + "," + ya + " " + (x2 - dx) + "," + yb + " " + x2 + "," + yb;
      }
      var rate = s.measuredSeconds > 0 ? e.requests / s.measuredSeconds : 0;
      var path = edgeLayer.append("path").datum(e).attr("class", "edge edge-" + health)
        .attr("data-source", e.source).attr("data-destination", e.destination).attr("data-service", e.service)
        .attr("data-requests", e.requests).attr("d", d).attr("fill", "none")
        .attr("stroke", color).attr("stroke-width", widthOf(e.requests)).attr("stroke-opacity", 0.85)
        .attr("marker-end", "url(#arrow-" + health + ")");
      var tip = function () {
        var codes = Object.keys(e.codes).map(function (c) { return c + ": " + M.num(e.codes[c]); }).join(", ");
        var flags = Object.keys(e.flags).map(function (f) { return f + ": " + M.num(e.flags[f]); }).join(", ");
        return "<b>" + M.esc(e.source) + " → " + M.esc(e.destination) + "</b><br><span class='t-muted'>" + M.esc(e.service) + "</span><br>" +
          M.num(e.requests) + " requests in " + M.num(s.measuredSeconds) + " s (" + M.round(rate, 2) + " /s)<br>" +
          "error rate " + M.share(M.errorCount(e.codes), e.requests) + "<br>p50 " + M.num(e.latencyMs.p50) + " ms · p99 " + M.num(e.latencyMs.p99) + " ms · max " + M.num(e.latencyMs.max) + " ms<br>" +
          "codes " + M.esc(codes) + "<br>flags " + M.esc(flags) + "<br>" + (e.mtls ? "mutual TLS" : "plaintext") + " · reporter " + e.reporter;
      };
      path.on("mouseenter mousemove", function (event) { M.tipShow(event, tip()); path.attr("stroke-opacity", 1); })
        .on("mouseleave", function () { M.tipHide(); path.attr("stroke-opacity", 0.85); });
      // Label where the curves have spread out: near the target when the source fans out, else near the source.
      var node = path.node(), len = node.getTotalLength();
      var at = a === b ? 0.5 : a.outE.length > b.inE.length ? 0.62 : a.outE.length < b.inE.length ? 0.38 : 0.5;
      var mid = node.getPointAtLength(len * at);
      var lbl = labelLayer.append("g").attr("class", "edge-label").attr("data-edge", i);
      var line1 = M.round(rate, rate >= 100 ? 0 : rate >= 10 ? 1 : 2) + " rps · " + M.share(M.errorCount(e.codes), e.requests);
      var line2 = "p99 " + M.num(e.latencyMs.p99) + " ms";
      // Which service, when the arrow alone does not tell (several services between two workloads, or no destination).
      var line0 = pairCount[key] > 1 || e.destination === "unknown" ? e.service.replace(/\.svc\.cluster\.local$/, "") : null;
      var lw = Math.max(line1.length, line2.length, line0 ? line0.length * 0.95 : 0) * 6.1 + (e.mtls ? 26 : 14);
      var top = line0 ? -27 : -15;
      labels.push({ g: lbl, x: mid.x, y: mid.y, w: lw, h: line0 ? 44 : 32 });
      lbl.append("rect").attr("x", -lw / 2).attr("y", top).attr("width", lw).attr("height", -top + 15).attr("rx", 6)
        .attr("fill", "#fff").attr("fill-opacity", 0.94).attr("stroke", color).attr("stroke-opacity", 0.5);
      if (line0) lbl.append("text").attr("class", "edge-service").attr("y", -15).attr("text-anchor", "middle").attr("font-size", 10.5).attr("fill", "#475467").attr("font-style", "italic").text(line0);
      var tx = e.mtls ? 6 : 0;
      lbl.append("text").attr("x", tx).attr("y", -2).attr("text-anchor", "middle").attr("font-size", 11).attr("font-weight", 600)
        .attr("fill", health === "healthy" ? "#1c2434" : color).text(line1);
      lbl.append("text").attr("x", tx).attr("y", 11).attr("text-anchor", "middle").attr("font-size", 10.5).attr("fill", "#475467").text(line2);
      if (e.mtls) lockPath(lbl, -lw / 2 + 6, -3, "#334155").append("title").text("mutual TLS");
      lbl.on("mouseenter mousemove", function (event) { M.tipShow(event, tip()); }).on("mouseleave", M.tipHide);
    });

    spreadLabels(labels, names.map(function (n) { return { x: nodes[n].x, y: nodes[n].y, w: nodes[n].w, h: NODE_H }; }));
    labels.forEach(function (l) { l.g.attr("transform", "translate(" + l.x + "," + l.y + ")"); });

    var ng = g.append("g").attr("class", "nodes").selectAll("g").data(names.map(function (n) { return nodes[n]; })).join("g")
      .attr("class", function (d) { return "node node-" + d.kind; })
      .attr("data-node", function (d) { return d.name; })
      .attr("transform", function (d) { return "translate(" + d.x + "," + d.y + ")"; });
    ng.append("rect").attr("x", function (d) { return -d.w / 2; }).attr("y", -NODE_H / 2).attr("width", function (d) { return d.w; }).attr("height", NODE_H)
      .attr("rx", function (d) { return d.kind === "generator" ? NODE_H / 2 : 9; })
      .attr("fill", function (d) { return d.kind === "generator" ? "#e8eefb" : d.kind === "unknown" ? "#f3f4f6" : "#fff"; })
      .attr("stroke", function (d) { return d.kind === "unknown" ? "#8a8d90" : M.HEALTH_COLOR[d.health]; })
      .attr("stroke-dasharray", function (d) { return d.kind === "unknown" ? "4 3" : null; })
      .attr("stroke-width", 2.2);
    ng.append("text").attr("y", -3).attr("text-anchor", "middle").attr("font-size", small ? 11.5 : 13).attr("font-weight", 650).attr("fill", "#1c2434")
      .text(function (d) { return d.name; });
    ng.append("text").attr("y", 12).attr("text-anchor", "middle").attr("font-size", 10.5).attr("fill", "#667085")
      .text(function (d) {
        if (d.kind === "generator") return "load generator";
        if (d.kind === "unknown") return "no destination";
        if (d.pods.length === 0) return d.name.indexOf("gateway") >= 0 ? "gateway" : "workload";
        var ej = d.pods.reduce(function (a, p) { return a + s.pods[p].ejections; }, 0);
        return d.pods.length + (d.pods.length === 1 ? " pod" : " pods") + (ej > 0 ? " · " + ej + " ejections" : "");
      });
    M.withTip(ng, function (d) {
      var inReq = d3.sum(d.inE, function (e) { return e.requests; }), outReq = d3.sum(d.outE, function (e) { return e.requests; });
      var pods = d.pods.map(function (p) {
        var x = s.pods[p];
        return M.esc(p) + ": " + M.num(x.requests) + " requests, " + (x.utilization === null ? "unbounded" : M.pct(x.utilization) + " busy") + (x.ejections ? ", " + x.ejections + " ejections" : "");
      }).join("<br>");
      return "<b>" + M.esc(d.name) + "</b> <span class='t-muted'>" + d.kind + " · " + d.health + "</span><br>in " + M.num(inReq) + " requests · out " + M.num(outReq) +
        (pods ? "<br>" + pods : "");
    });
  };
})(window.meshsim = window.meshsim || {});
