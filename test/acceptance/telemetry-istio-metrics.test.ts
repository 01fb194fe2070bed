// Istio's standard metrics, Envoy's cluster stats, Istio's default access log and meshsim's summary,
// checked against the docs through the CLI:
// https://istio.io/latest/docs/reference/config/metrics/ (names, labels, reporter; "connection_security_policy
//   ... set to mutual_tls when Istio is used to make communication secure and report is from
//   destination. It is set to unknown when report is from source")
// https://www.envoyproxy.io/docs/envoy/latest/configuration/upstream/cluster_manager/cluster_stats
// https://istio.io/latest/docs/tasks/observability/logs/access-log/ (default TEXT format)
// https://www.envoyproxy.io/docs/envoy/latest/configuration/observability/access_log/usage#config-access-log-format-response-flags
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation, sleep } from "./istio-samples.js";
import { run } from "./meshsim-cli.js";

const samples = [ns("foo", true), ns("legacy", false), ns("istio-system", false), httpbin("foo"), sleep("foo"), sleep("legacy")].join("---\n");
// A circuit breaker that overflows (Istio's circuit-breaking task: 503 UO counted by upstream_rq_pending_overflow).
const DR = `apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: httpbin, namespace: foo}
spec:
  host: httpbin
  trafficPolicy: {connectionPool: {tcp: {maxConnections: 1}, http: {http1MaxPendingRequests: 1, maxRequestsPerConnection: 1}}}
`;
const { summary: s, out } = run({
  "sim.yaml": [simulation("telemetry", "2s", "\n  report: {accessLog: true}"), DR,
    curl("sidecar", "foo", "http://httpbin.foo:8000/ip"),
    curl("plaintext", "legacy", "http://httpbin.foo:8000/ip"),
    `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: burst, namespace: foo}
spec: {from: sleep, target: http://httpbin.foo:8000/get, connections: 3, qps: 0, requests: 30}
`].join("---\n"),
  "samples.yaml": samples,
});
const prom = fs.readFileSync(path.join(out, "metrics.prom"), "utf8").split("\n");
const series = (name: string) => prom.filter((l) => l.startsWith(`${name}{`)).map((l) => {
  const labels: Record<string, string> = {};
  for (const m of l.slice(l.indexOf("{") + 1, l.lastIndexOf("}")).matchAll(/([a-z_]+)="([^"]*)"/g)) labels[m[1]!] = m[2]!;
  return { labels, value: Number(l.slice(l.lastIndexOf(" ") + 1)) };
});

describe("istio_requests_total", () => {
  const all = series("istio_requests_total");
  it("has Istio's standard labels", () => {
    for (const l of ["reporter", "source_workload", "source_workload_namespace", "source_principal", "source_app", "source_version",
      "destination_workload", "destination_workload_namespace", "destination_principal", "destination_app", "destination_version",
      "destination_service", "destination_service_name", "destination_service_namespace", "request_protocol", "response_code",
      "response_flags", "connection_security_policy"]) {
      expect(Object.keys(all[0]!.labels)).toContain(l);
    }
  });
  it("connection_security_policy: mutual_tls or none at the destination reporter, unknown at the source", () => {
    const dst = all.filter((x) => x.labels.reporter === "destination");
    expect(new Set(dst.filter((x) => x.labels.source_workload_namespace === "foo").map((x) => x.labels.connection_security_policy))).toEqual(new Set(["mutual_tls"]));
    expect(new Set(dst.filter((x) => x.labels.source_workload_namespace === "unknown").map((x) => x.labels.connection_security_policy))).toEqual(new Set(["none"]));
    expect(new Set(all.filter((x) => x.labels.reporter === "source").map((x) => x.labels.connection_security_policy))).toEqual(new Set(["unknown"]));
  });
  it("a plaintext client without sidecar is seen by the destination reporter only, as an unknown source", () => {
    // No proxy at the client: no metadata exchange, so source_workload and friends are "unknown".
    const legacy = all.filter((x) => x.labels.connection_security_policy === "none");
    expect(legacy.length).toBeGreaterThan(0);
    for (const x of legacy) {
      expect(x.labels.reporter).toBe("destination");
      expect([x.labels.source_workload, x.labels.source_workload_namespace, x.labels.source_principal, x.labels.source_app]).toEqual(["unknown", "unknown", "unknown", "unknown"]);
    }
  });
  it("over mTLS both principals are SPIFFE IDs; destination_version is the pod's version label", () => {
    const m = all.find((x) => x.labels.reporter === "destination" && x.labels.connection_security_policy === "mutual_tls")!;
    expect(m.labels.source_principal).toBe("spiffe://cluster.local/ns/foo/sa/sleep");
    expect(m.labels.destination_principal).toBe("spiffe://cluster.local/ns/foo/sa/httpbin");
    expect(m.labels.destination_version).toBe("v1");
    expect(m.labels.destination_service).toBe("httpbin.foo.svc.cluster.local");
    expect(m.labels.destination_service_name).toBe("httpbin");
    expect(m.labels.destination_service_namespace).toBe("foo");
    expect(m.labels.request_protocol).toBe("http");
  });
  it("circuit-breaker overflow is counted by the source reporter as 503 UO", () => {
    const uo = all.filter((x) => x.labels.response_flags === "UO");
    expect(uo.some((x) => x.labels.reporter === "source")).toBe(true);
    // The inbound cluster has the DestinationRule's limits too (mesh/sidecar/inbound-cluster.ts), so
    // whether the server's sidecar also refuses one (reporter destination) depends on the sample path:
    // with seed 1 it does since the ziggurat normal (engine/distributions/ziggurat-normal.ts) changed
    // the log-normal draws.
    expect(new Set(uo.map((x) => x.labels.response_code))).toEqual(new Set(["503"]));
  });
});

describe("istio_request_duration_milliseconds", () => {
  it("uses Istio's default bucket bounds", () => {
    const le = series("istio_request_duration_milliseconds_bucket").filter((x, _, a) => JSON.stringify({ ...x.labels, le: "" }) === JSON.stringify({ ...a[0]!.labels, le: "" })).map((x) => x.labels.le);
    expect(le).toEqual(["0.5", "1", "5", "10", "25", "50", "100", "250", "500", "1000", "2500", "5000", "10000", "30000", "60000", "300000", "600000", "1800000", "3600000", "+Inf"]);
  });
});

describe("Envoy cluster stats", () => {
  it("are named as Envoy names them, per cluster", () => {
    for (const stat of ["upstream_rq_pending_overflow", "upstream_cx_total", "upstream_rq_retry", "upstream_rq_pending_total", "upstream_cx_active"]) {
      expect(series(`envoy_cluster_${stat}`).length).toBeGreaterThan(0);
    }
    const overflow = series("envoy_cluster_upstream_rq_pending_overflow").find((x) => x.labels.cluster_name === "outbound|8000||httpbin.foo.svc.cluster.local")!;
    const uo = (reporter: string) => series("istio_requests_total")
      .filter((x) => x.labels.response_flags === "UO" && x.labels.reporter === reporter).reduce((a, x) => a + x.value, 0);
    expect(overflow.value).toBe(uo("source"));
    // The server sidecar's refusals, if any, are its inbound cluster's overflow.
    const inbound = series("envoy_cluster_upstream_rq_pending_overflow").find((x) => x.labels.cluster_name === "inbound|8080||");
    expect(inbound?.value ?? 0).toBe(uo("destination"));
  });
});

describe("access log in Istio's default TEXT format", () => {
  // [%START_TIME%] "%REQ(:METHOD)% %REQ(X-ENVOY-ORIGINAL-PATH?:PATH)% %PROTOCOL%" %RESPONSE_CODE% %RESPONSE_FLAGS%
  // %RESPONSE_CODE_DETAILS% %CONNECTION_TERMINATION_DETAILS% "%UPSTREAM_TRANSPORT_FAILURE_REASON%" %BYTES_RECEIVED%
  // %BYTES_SENT% %DURATION% %RESP(X-ENVOY-UPSTREAM-SERVICE-TIME)% "%REQ(X-FORWARDED-FOR)%" "%REQ(USER-AGENT)%"
  // "%REQ(X-REQUEST-ID)%" "%REQ(:AUTHORITY)%" "%UPSTREAM_HOST%" %UPSTREAM_CLUSTER_RAW% %UPSTREAM_LOCAL_ADDRESS%
  // %DOWNSTREAM_LOCAL_ADDRESS% %DOWNSTREAM_REMOTE_ADDRESS% %REQUESTED_SERVER_NAME% %ROUTE_NAME%
  const FORMAT = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)\] "(\S+) (\S+) (\S+)" (\d+) (\S+) (\S+) (\S+) "([^"]*)" (\d+) (\d+) (\d+) (\S+) "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" "([^"]*)" (\S+) (\S+) (\S+) (\S+) (\S+) (\S+)$/;
  const lines = fs.readFileSync(path.join(out, "access.log"), "utf8").split("\n").filter((l) => l !== "");
  it("every line has the 24 fields of the default format", () => {
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(l).toMatch(FORMAT);
  });
  it("the client sidecar logs outbound|8000||httpbin.foo.svc.cluster.local, the server inbound|8080||", () => {
    const clusters = new Set(lines.map((l) => FORMAT.exec(l)![19]));
    expect(clusters).toContain("outbound|8000||httpbin.foo.svc.cluster.local");
    expect(clusters).toContain("inbound|8080||");
  });
  it("an overflow is 503 UO with details upstream_reset_before_response_started{overflow}, no upstream host", () => {
    const uo = lines.map((l) => FORMAT.exec(l)!).find((m) => m[6] === "UO")!;
    expect(uo[5]).toBe("503");
    expect(uo[7]).toBe("upstream_reset_before_response_started{overflow}");
    expect(uo[18]).toBe("-");
  });
});

describe("summary.json", () => {
  it("counts a request with no HTTP response as code \"0\" (curl's 000)", () => {
    // Made STRICT after the fact: the legacy client's connection is reset before any response.
    const strict = run({
      "sim.yaml": [simulation("strict-zero"), `apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: foo}
spec: {mtls: {mode: STRICT}}
`, curl("plaintext", "legacy", "http://httpbin.foo:8000/ip")].join("---\n"),
      "samples.yaml": samples,
    }).summary;
    expect(Object.keys(strict.clients.plaintext!.codes)).toEqual(["0"]);
    expect(strict.clients.plaintext!.errorRate).toBe(1);
  });
  it("the sidecar client's codes add up to its requests", () => {
    const c = s.clients.burst!;
    expect(Object.values(c.codes).reduce((a, b) => a + b, 0)).toBe(c.requests);
    expect(c.codes["503"]).toBeGreaterThan(0);
  });
});
