// metrics.prom: Prometheus text exposition (format 0.0.4) with Istio's standard metric names and
// labels, so a run loads into the tools people already have, plus Envoy's cluster counters.
// https://istio.io/latest/docs/reference/config/metrics/ ;
// https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
import fs from "node:fs";
import { ISTIO_DURATION_BUCKETS_MS } from "../telemetry/istio-buckets.js";
import type { EdgeLabels, PeerLabels, Recorder } from "../telemetry/recorder.js";
import { compareText } from "./edge-selection.js";
import type { ContainerSummary, Summary } from "./summary-types.js";

/** Label values: backslash, double quote and line feed are escaped. */
function escapeLabel(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labelText(pairs: readonly (readonly [string, string])[]): string {
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(",")}}`;
}

/** Sample values as Go's ParseFloat reads them. */
function num(x: number): string {
  if (Number.isNaN(x)) return "NaN";
  if (!Number.isFinite(x)) return x > 0 ? "+Inf" : "-Inf";
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 1e6) / 1e6);
}

const NO_PEER: PeerLabels = { exchanged: true, principal: "unknown", app: "unknown", version: "unknown", canonicalService: "unknown", canonicalRevision: "unknown" };
/** Istio's default cluster name (values.global.multiCluster.clusterName) in a single-cluster mesh. */
const CLUSTER_ID = "Kubernetes";

/** destination_service_name/namespace from the FQDN "name.namespace.svc.<domain>"; else the host. */
export function serviceNameOf(fqdn: string): { name: string; namespace: string } {
  const m = /^([^.]+)\.([^.]+)\.svc(\.|$)/.exec(fqdn);
  return m !== null ? { name: m[1]!, namespace: m[2]! } : { name: fqdn, namespace: "unknown" };
}

/**
 * Istio's labels for one reporter's edge and one (code, flags) pair, as the stats filter tags them
 * (istio/proxy source/extensions/filters/http/istio_stats/istio_stats.cc, IstioStatsFilter::log and
 * populatePeerInfo; the filter moved into envoyproxy/envoy in 2026). connection_security_policy is
 * known only at the destination (`mutual_tls` / `none`); the source reporter says `unknown`.
 * A peer the reporter has no metadata of is "unknown", except its canonical revision, which the
 * filter defaults to "latest" for the source seen by a destination and the destination seen by a
 * source (a waypoint's upstream peer stays "unknown"); its cluster is "unknown" too.
 * grpc_response_status is "" for a request that is not gRPC (meshsim sends HTTP/1.1 only).
 */
export function istioLabels(l: EdgeLabels, code: number, flags: string): [string, string][] {
  // PassthroughCluster/BlackHoleCluster: destination_service is the request's host and
  // destination_service_name the cluster (https://istio.io/latest/blog/2019/monitoring-external-service-traffic/).
  const svc = l.externalHost !== undefined ? { name: l.service, namespace: "unknown" } : serviceNameOf(l.reportedService ?? l.service);
  // A client without sidecar sends no peer metadata: the destination reporter cannot name it.
  const anonymous = l.sourcePeer !== undefined && !l.sourcePeer.exchanged;
  const src = anonymous ? NO_PEER : l.sourcePeer ?? NO_PEER;
  const dst = l.destinationPeer ?? NO_PEER;
  const srcKnown = !anonymous && l.sourcePeer !== undefined;
  const srcRevision = !srcKnown && l.reporter !== "source" ? "latest" : src.canonicalRevision;
  const dstRevision = l.destination === "unknown" && l.reporter === "source" ? "latest" : dst.canonicalRevision;
  return [
    ["reporter", l.reporter],
    ["source_workload", anonymous ? "unknown" : l.source],
    ["source_workload_namespace", anonymous ? "unknown" : l.sourceNamespace],
    ["source_principal", src.principal],
    ["source_app", src.app],
    ["source_version", src.version],
    ["source_canonical_service", src.canonicalService],
    ["source_canonical_revision", srcRevision],
    ["source_cluster", anonymous ? "unknown" : CLUSTER_ID],
    ["destination_workload", l.destination],
    ["destination_workload_namespace", l.destinationNamespace],
    ["destination_principal", dst.principal],
    ["destination_app", dst.app],
    ["destination_version", dst.version],
    ["destination_canonical_service", dst.canonicalService],
    ["destination_canonical_revision", dstRevision],
    ["destination_cluster", l.destination === "unknown" ? "unknown" : CLUSTER_ID],
    ["destination_service", l.externalHost ?? l.reportedService ?? l.service],
    ["destination_service_name", svc.name],
    ["destination_service_namespace", l.serviceNamespace ?? svc.namespace],
    ["request_protocol", "http"],
    ["response_code", String(code)],
    ["grpc_response_status", ""],
    ["response_flags", flags],
    ["connection_security_policy", l.reporter === "source" ? "unknown" : l.mtls ? "mutual_tls" : "none"],
  ];
}

/**
 * A sidecar's labels of the TCP metrics of its catch-all tcp_proxy chain to BlackHoleCluster: the
 * stats filter's own (istioLabels) without response_code and grpc_response_status, request_protocol
 * "tcp", the connection's flags, and destination_service "unknown" (a TCP connection has no Host
 * header and BlackHoleCluster no istio.services metadata; destination_service_name is the cluster).
 * istio/proxy istio_stats.cc reportHelper (the network filter branch), populatePeerInfo.
 */
export function envoyTcpLabels(l: EdgeLabels): [string, string][] {
  const out: [string, string][] = [];
  for (const [k, v] of istioLabels(l, 0, l.tcpProxyFlags ?? "-")) {
    if (k === "response_code" || k === "grpc_response_status") continue;
    out.push([k, k === "request_protocol" ? "tcp" : k === "destination_service" ? "unknown" : v]);
  }
  return out;
}

/**
 * ztunnel's labels of its TCP metrics (istio/ztunnel src/proxy/metrics.rs CommonTrafficLabels, in
 * its order): source_app/_version and destination_app/_version are the canonical service and
 * revision (with_source, with_destination), destination_principal the destination workload's
 * identity whether or not the connection is mTLS, source_principal the mTLS peer's only;
 * response_flags "-" for a connection that did not fail; `mutual_tls` over HBONE, else `unknown`
 * (its SecurityPolicy has no `none`; outbound.rs conn_metrics_from_request, inbound.rs,
 * inbound_passthrough.rs); source_/destination_region and _zone once either workload is known
 * (OptionallyEncode), "unknown" when its node has no topology labels.
 * https://github.com/istio/ztunnel/blob/62d82653/src/proxy/metrics.rs
 */
export function ztunnelLabels(l: EdgeLabels): [string, string][] {
  const svc = l.service === "unknown" ? { name: "unknown", namespace: "unknown" } : serviceNameOf(l.service);
  const srcKnown = l.sourcePeer !== undefined && l.sourcePeer.exchanged;
  const src = srcKnown ? l.sourcePeer! : NO_PEER;
  const dst = l.destinationPeer ?? NO_PEER;
  const dstKnown = l.destination !== "unknown";
  const or = (v: string | undefined): string => (v === undefined || v === "" ? "unknown" : v);
  const labels: [string, string][] = [
    ["reporter", l.reporter],
    ["source_workload", srcKnown ? l.source : "unknown"],
    ["source_canonical_service", src.canonicalService],
    ["source_canonical_revision", src.canonicalRevision],
    ["source_workload_namespace", srcKnown ? l.sourceNamespace : "unknown"],
    ["source_principal", src.principal],
    ["source_app", src.canonicalService],
    ["source_version", src.canonicalRevision],
    ["source_cluster", srcKnown ? CLUSTER_ID : "unknown"],
    ["destination_service", l.service],
    ["destination_service_namespace", svc.namespace],
    ["destination_service_name", svc.name],
    ["destination_workload", l.destination],
    ["destination_canonical_service", dst.canonicalService],
    ["destination_canonical_revision", dst.canonicalRevision],
    ["destination_workload_namespace", l.destinationNamespace],
    ["destination_principal", or(dst.identity)],
    ["destination_app", dst.canonicalService],
    ["destination_version", dst.canonicalRevision],
    ["destination_cluster", dstKnown ? CLUSTER_ID : "unknown"],
    ["request_protocol", "tcp"],
    ["response_flags", "-"],
    ["connection_security_policy", l.mtls ? "mutual_tls" : "unknown"],
  ];
  if (srcKnown || dstKnown) {
    labels.push(
      ["source_region", or(srcKnown ? src.region : undefined)], ["source_zone", or(srcKnown ? src.zone : undefined)],
      ["destination_region", or(dst.region)], ["destination_zone", or(dst.zone)],
    );
  }
  return labels;
}

interface Series {
  labels: [string, string][];
  code: number;
  count: number;
  sumMs: number;
  buckets: Float64Array;
  requestBytes: { buckets: Float64Array; sum: number };
  responseBytes: { buckets: Float64Array; sum: number };
}

function addSizes(to: { buckets: Float64Array; sum: number }, from: { buckets: Float64Array; histogramSum: number }): void {
  to.sum += from.histogramSum;
  for (let i = 0; i < from.buckets.length; i++) to.buckets[i]! += from.buckets[i]!;
}

/** Series with identical label sets (e.g. mTLS and plaintext at the source reporter) are one series. */
function collectSeries(rec: Recorder): Series[] {
  const byKey = new Map<string, Series>();
  for (const e of rec.edges) {
    // ztunnel parses no HTTP, nor does a sidecar's tcp_proxy: their edges are TCP metrics only (tcpSeries).
    if (e.labels.l4 === true || e.labels.tcpProxyFlags !== undefined) continue;
    for (const s of e.series) {
      if (s.count === 0) continue;
      const labels = istioLabels(e.labels, s.code, s.flags);
      const key = labels.map(([, v]) => v).join("\u0000");
      let out = byKey.get(key);
      if (out === undefined) {
        const n = s.buckets.length;
        out = {
          labels, code: s.code, count: 0, sumMs: 0, buckets: new Float64Array(n),
          requestBytes: { buckets: new Float64Array(n), sum: 0 }, responseBytes: { buckets: new Float64Array(n), sum: 0 },
        };
        byKey.set(key, out);
      }
      out.count += s.count;
      out.sumMs += s.sumMs;
      for (let i = 0; i < s.buckets.length; i++) out.buckets[i]! += s.buckets[i]!;
      addSizes(out.requestBytes, s.sizes("request"));
      addSizes(out.responseBytes, s.sizes("response"));
    }
  }
  return [...byKey.values()].sort((a, b) => {
    for (let i = 0; i < a.labels.length; i++) {
      const c = a.labels[i]![0] === "response_code" ? a.code - b.code : compareText(a.labels[i]![1], b.labels[i]![1]);
      if (c !== 0) return c;
    }
    return 0;
  });
}

interface TcpSeries {
  labels: [string, string][];
  sent: number;
  received: number;
  opened: number;
  closed: number;
}

/**
 * ztunnel's TCP metrics per reporter and edge: istio_tcp_sent_bytes_total (bytes the destination
 * sent back), istio_tcp_received_bytes_total (bytes the source sent), connections opened and closed;
 * request_protocol "tcp", no response code.
 * https://github.com/istio/ztunnel/blob/62d82653/src/proxy/metrics.rs
 * https://istio.io/latest/docs/reference/config/metrics/
 */
function tcpSeries(rec: Recorder): TcpSeries[] {
  const byKey = new Map<string, TcpSeries>();
  for (const e of rec.edges) {
    if (e.labels.l4 !== true && e.labels.tcpProxyFlags === undefined) continue;
    const labels = e.labels.l4 === true ? ztunnelLabels(e.labels) : envoyTcpLabels(e.labels);
    const key = labels.map(([, v]) => v).join("\u0000");
    let out = byKey.get(key);
    if (out === undefined) byKey.set(key, (out = { labels, sent: 0, received: 0, opened: 0, closed: 0 }));
    for (const s of e.series) {
      out.received += s.sizes("request").sum;
      out.sent += s.sizes("response").sum;
    }
    out.opened += e.tcpOpened;
    out.closed += e.tcpClosed;
  }
  return [...byKey.values()].sort((a, b) => {
    for (let i = 0; i < a.labels.length; i++) {
      const c = compareText(a.labels[i]![1], b.labels[i]![1]);
      if (c !== 0) return c;
    }
    return 0;
  });
}

/**
 * Envoy's stat names become metric names with anything outside [a-zA-Z0-9_] as "_". Outlier
 * detection's stats live under cluster.<name>.outlier_detection. (summary.json keys them without
 * that prefix), so Envoy's Prometheus output names them envoy_cluster_outlier_detection_ejections_*.
 * https://www.envoyproxy.io/docs/envoy/latest/configuration/upstream/cluster_manager/cluster_stats#outlier-detection-statistics
 */
export function metricName(s: string): string {
  const stat = s.startsWith("ejections_") ? `outlier_detection.${s}` : s;
  return stat.replace(/[^a-zA-Z0-9_]/g, "_");
}

/** One series of a histogram family: cumulative buckets at Istio's bounds, +Inf, sum and count. */
function* histogram(name: string, s: Series, buckets: Float64Array, sum: number): Generator<string> {
  let cumulative = 0;
  for (let i = 0; i < ISTIO_DURATION_BUCKETS_MS.length; i++) {
    cumulative += buckets[i]!;
    yield `${name}_bucket${labelText([...s.labels, ["le", String(ISTIO_DURATION_BUCKETS_MS[i])]])} ${num(cumulative)}`;
  }
  yield `${name}_bucket${labelText([...s.labels, ["le", "+Inf"]])} ${num(s.count)}`;
  yield `${name}_sum${labelText(s.labels)} ${num(sum)}`;
  yield `${name}_count${labelText(s.labels)} ${num(s.count)}`;
}

/**
 * cAdvisor's container metrics, as the kubelet exposes them, from summary.json's
 * pods.<pod>.containers (the measured window after the warm-up).
 * https://github.com/google/cadvisor/blob/master/docs/storage/prometheus.md
 */
function* containerMetrics(s: Summary): Generator<string> {
  const rows: { labels: [string, string][]; c: ContainerSummary }[] = [];
  for (const pod of Object.keys(s.pods).sort(compareText)) {
    const cs = s.pods[pod]!.containers;
    if (cs === undefined) continue;
    const [name, ns] = pod.includes(".") ? [pod.slice(0, pod.indexOf(".")), pod.slice(pod.indexOf(".") + 1)] : [pod, "default"];
    for (const c of Object.keys(cs).sort(compareText)) rows.push({ labels: [["namespace", ns!], ["pod", name!], ["container", c]], c: cs[c]! });
  }
  if (rows.length === 0) return;
  yield "# HELP container_cpu_usage_seconds_total Cumulative cpu time consumed in seconds.";
  yield "# TYPE container_cpu_usage_seconds_total counter";
  for (const r of rows) yield `container_cpu_usage_seconds_total${labelText(r.labels)} ${num(r.c.cpuCores.mean * s.measuredSeconds)}`;
  yield "# HELP container_cpu_cfs_throttled_periods_total Number of throttled period intervals.";
  yield "# TYPE container_cpu_cfs_throttled_periods_total counter";
  for (const r of rows) yield `container_cpu_cfs_throttled_periods_total${labelText(r.labels)} ${num(r.c.throttledPeriods)}`;
  yield "# HELP container_memory_working_set_bytes Current working set in bytes.";
  yield "# TYPE container_memory_working_set_bytes gauge";
  for (const r of rows) if (r.c.memoryMB !== null) yield `container_memory_working_set_bytes${labelText(r.labels)} ${num(Math.round(r.c.memoryMB * 1e6))}`;
}

/**
 * kube-state-metrics' HPA gauges at the end of the run, labelled namespace and horizontalpodautoscaler.
 * https://github.com/kubernetes/kube-state-metrics/blob/main/docs/metrics/workload/horizontalpodautoscaler-metrics.md
 */
function* autoscalerMetrics(s: Summary): Generator<string> {
  const all = s.autoscalers;
  if (all === undefined) return;
  const rows = Object.keys(all).sort(compareText).map((k) => {
    const a = all[k]!;
    const name = k.endsWith(`.${a.namespace}`) ? k.slice(0, -(a.namespace.length + 1)) : k;
    return { a, labels: [["namespace", a.namespace], ["horizontalpodautoscaler", name]] as [string, string][] };
  });
  const gauge = function* (metric: string, help: string, value: (a: (typeof rows)[number]["a"]) => number): Generator<string> {
    yield `# HELP ${metric} ${help}`;
    yield `# TYPE ${metric} gauge`;
    for (const r of rows) yield `${metric}${labelText(r.labels)} ${num(value(r.a))}`;
  };
  yield* gauge("kube_horizontalpodautoscaler_spec_min_replicas", "Lower limit for the number of pods that can be set by the autoscaler, default 1.", (a) => a.minReplicas);
  yield* gauge("kube_horizontalpodautoscaler_spec_max_replicas", "Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.", (a) => a.maxReplicas);
  yield* gauge("kube_horizontalpodautoscaler_status_current_replicas", "Current number of replicas of pods managed by this autoscaler.", (a) => a.currentReplicas);
  yield* gauge("kube_horizontalpodautoscaler_status_desired_replicas", "Desired number of replicas of pods managed by this autoscaler.", (a) => a.desiredReplicas);
  yield "# HELP kube_horizontalpodautoscaler_status_condition The condition of this autoscaler.";
  yield "# TYPE kube_horizontalpodautoscaler_status_condition gauge";
  for (const r of rows) {
    for (const c of r.a.conditions) {
      for (const st of ["true", "false", "unknown"]) yield `kube_horizontalpodautoscaler_status_condition${labelText([...r.labels, ["condition", c.type], ["status", st]])} ${c.status.toLowerCase() === st ? 1 : 0}`;
    }
  }
}

export function renderPrometheus(rec: Recorder, summary?: Summary): string {
  return `${[...prometheusLines(rec, summary)].join("\n")}\n`;
}

/**
 * metrics.prom written as it is made, a megabyte at a time: a 1,000-service mesh's file is over
 * 100 MB, and holding its lines and their join at once tripled the run's peak memory.
 */
export function writePrometheus(file: string, rec: Recorder, summary?: Summary): void {
  const fd = fs.openSync(file, "w");
  try {
    let chunk = "";
    for (const line of prometheusLines(rec, summary)) {
      chunk += `${line}\n`;
      if (chunk.length >= 1 << 20) {
        fs.writeSync(fd, chunk);
        chunk = "";
      }
    }
    fs.writeSync(fd, chunk);
  } finally {
    fs.closeSync(fd);
  }
}

/** The exposition's lines, without their line feeds. */
function* prometheusLines(rec: Recorder, summary?: Summary): Generator<string> {
  const series = collectSeries(rec);
  yield "# HELP istio_requests_total Requests, counted by the reporting proxy when the response completes.";
  yield "# TYPE istio_requests_total counter";
  for (const s of series) yield `istio_requests_total${labelText(s.labels)} ${num(s.count)}`;
  yield "# HELP istio_request_duration_milliseconds Request duration in ms as seen by the reporting proxy.";
  yield "# TYPE istio_request_duration_milliseconds histogram";
  for (const s of series) yield* histogram("istio_request_duration_milliseconds", s, s.buckets, s.sumMs);
  // Body sizes, in bytes, with the same bucket bounds as durations (Istio's defaults).
  yield "# HELP istio_request_bytes HTTP request body sizes in bytes as seen by the reporting proxy.";
  yield "# TYPE istio_request_bytes histogram";
  for (const s of series) yield* histogram("istio_request_bytes", s, s.requestBytes.buckets, s.requestBytes.sum);
  yield "# HELP istio_response_bytes HTTP response body sizes in bytes as seen by the reporting proxy.";
  yield "# TYPE istio_response_bytes histogram";
  for (const s of series) yield* histogram("istio_response_bytes", s, s.responseBytes.buckets, s.responseBytes.sum);

  const tcp = tcpSeries(rec);
  if (tcp.length > 0) {
    yield "# HELP istio_tcp_sent_bytes_total Bytes sent back to the client on TCP connections (ztunnel, or a sidecar's tcp_proxy).";
    yield "# TYPE istio_tcp_sent_bytes_total counter";
    for (const s of tcp) yield `istio_tcp_sent_bytes_total${labelText(s.labels)} ${num(s.sent)}`;
    yield "# HELP istio_tcp_received_bytes_total Bytes received from the client on TCP connections (ztunnel, or a sidecar's tcp_proxy).";
    yield "# TYPE istio_tcp_received_bytes_total counter";
    for (const s of tcp) yield `istio_tcp_received_bytes_total${labelText(s.labels)} ${num(s.received)}`;
    yield "# HELP istio_tcp_connections_opened_total TCP connections opened (ztunnel, or a sidecar's tcp_proxy).";
    yield "# TYPE istio_tcp_connections_opened_total counter";
    for (const s of tcp) yield `istio_tcp_connections_opened_total${labelText(s.labels)} ${num(s.opened)}`;
    yield "# HELP istio_tcp_connections_closed_total TCP connections closed (ztunnel, or a sidecar's tcp_proxy).";
    yield "# TYPE istio_tcp_connections_closed_total counter";
    for (const s of tcp) yield `istio_tcp_connections_closed_total${labelText(s.labels)} ${num(s.closed)}`;
  }

  // Envoy cluster stats: one family per stat name; `_active` ones are gauges in Envoy, the rest counters.
  const families = new Map<string, string[]>();
  for (const [workload, clusters] of [...rec.clusters].sort(([a], [b]) => compareText(a, b))) {
    for (const [cluster] of [...clusters].sort(([a], [b]) => compareText(a, b))) {
      const totals = rec.clusterTotals(workload, cluster);
      for (const name of Object.keys(totals).sort(compareText)) {
        const metric = `envoy_cluster_${metricName(name)}`;
        let lines = families.get(metric);
        if (lines === undefined) families.set(metric, (lines = []));
        lines.push(`${metric}${labelText([["source_workload", workload], ["cluster_name", cluster]])} ${num(totals[name]!)}`);
      }
    }
  }
  for (const metric of [...families.keys()].sort(compareText)) {
    const stat = metric.slice("envoy_cluster_".length).replace(/^outlier_detection_/, "");
    yield `# HELP ${metric} Envoy cluster statistic ${stat}, summed over the source workload's proxies.`;
    yield `# TYPE ${metric} ${stat.endsWith("_active") ? "gauge" : "counter"}`;
    yield* families.get(metric)!;
  }
  if (summary !== undefined) yield* containerMetrics(summary);
  if (summary !== undefined) yield* autoscalerMetrics(summary);
}
