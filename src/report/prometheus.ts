// metrics.prom: Prometheus text exposition (format 0.0.4) with Istio's standard metric names and
// labels, so a run loads into the dashboards people already have.
// https://istio.io/latest/docs/reference/config/metrics/
import type { Recorder } from "../telemetry/recorder.js";
import { ISTIO_DURATION_BUCKETS_MS } from "../telemetry/istio-buckets.js";

function esc(v: string): string {
  return v.replace(/\\/g, "\\\\").replace(/\n/g, "\\n").replace(/"/g, '\\"');
}

function labels(l: Record<string, string>): string {
  return `{${Object.entries(l).map(([k, v]) => `${k}="${esc(v)}"`).join(",")}}`;
}

function num(x: number): string {
  return Number.isInteger(x) ? String(x) : String(Math.round(x * 1e6) / 1e6);
}

function serviceName(fqdn: string): { name: string; namespace: string } {
  const parts = fqdn.split(".");
  return parts.length >= 2 && fqdn.includes(".svc.") ? { name: parts[0]!, namespace: parts[1]! } : { name: fqdn, namespace: "unknown" };
}

export function renderPrometheus(rec: Recorder): string {
  const total: string[] = [];
  const duration: string[] = [];
  const edges = [...rec.edges].sort((a, b) => {
    const x = a.labels, y = b.labels;
    return x.reporter.localeCompare(y.reporter) || x.source.localeCompare(y.source) || x.destination.localeCompare(y.destination) || x.service.localeCompare(y.service) || Number(x.mtls) - Number(y.mtls);
  });
  for (const e of edges) {
    const l = e.labels;
    const svc = serviceName(l.service);
    const base = {
      reporter: l.reporter,
      source_workload: l.source,
      source_workload_namespace: l.sourceNamespace,
      destination_workload: l.destination,
      destination_workload_namespace: l.destinationNamespace,
      destination_service: l.service,
      destination_service_name: svc.name,
      destination_service_namespace: svc.namespace,
      request_protocol: "http",
      // The source reporter cannot know how the server accepted the connection.
      connection_security_policy: l.reporter === "source" ? "unknown" : l.mtls ? "mutual_tls" : "none",
    };
    for (const code of [...e.series.keys()].sort((a, b) => a - b)) {
      const byFlags = e.series.get(code)!;
      for (const flags of [...byFlags.keys()].sort()) {
        const s = byFlags.get(flags)!;
        const lab = { ...base, response_code: String(code), response_flags: flags };
        total.push(`istio_requests_total${labels(lab)} ${s.count}`);
        let cum = 0;
        for (let i = 0; i < ISTIO_DURATION_BUCKETS_MS.length; i++) {
          cum += s.buckets[i]!;
          duration.push(`istio_request_duration_milliseconds_bucket${labels({ ...lab, le: String(ISTIO_DURATION_BUCKETS_MS[i]) })} ${cum}`);
        }
        duration.push(`istio_request_duration_milliseconds_bucket${labels({ ...lab, le: "+Inf" })} ${s.count}`);
        duration.push(`istio_request_duration_milliseconds_sum${labels(lab)} ${num(s.sumMs)}`);
        duration.push(`istio_request_duration_milliseconds_count${labels(lab)} ${s.count}`);
      }
    }
  }
  const out: string[] = [
    "# HELP istio_requests_total Requests, counted by the reporting proxy when the response completes.",
    "# TYPE istio_requests_total counter",
    ...total,
    "# HELP istio_request_duration_milliseconds Request duration as seen by the reporting proxy.",
    "# TYPE istio_request_duration_milliseconds histogram",
    ...duration,
  ];
  // Envoy cluster counters, one metric per counter name.
  const byCounter = new Map<string, string[]>();
  for (const [workload, clusters] of [...rec.clusters].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [cluster] of [...clusters].sort(([a], [b]) => a.localeCompare(b))) {
      for (const [name, value] of Object.entries(rec.clusterTotals(workload, cluster)).sort(([a], [b]) => a.localeCompare(b))) {
        const lines = byCounter.get(name) ?? [];
        lines.push(`envoy_cluster_${name}${labels({ source_workload: workload, cluster_name: cluster })} ${num(value)}`);
        byCounter.set(name, lines);
      }
    }
  }
  for (const [name, lines] of [...byCounter].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`# TYPE envoy_cluster_${name} ${name.endsWith("_active") ? "gauge" : "counter"}`, ...lines);
  }
  return `${out.join("\n")}\n`;
}
