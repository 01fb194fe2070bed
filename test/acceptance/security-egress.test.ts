// Egress control as Istio's task documents it, through the CLI:
// https://istio.io/latest/docs/tasks/traffic-management/egress/egress-control/
// and the metrics of blocked and passthrough traffic:
// https://istio.io/latest/blog/2019/monitoring-external-service-traffic/
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { curl, httpbin, ns, simulation, sleep } from "./istio-samples.js";
import { onlyCode, run } from "./meshsim-cli.js";

const samples = [ns("foo", true), ns("istio-system", false), httpbin("foo"), sleep("foo")].join("---\n");
const SERVICE_ENTRY = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: httpbin-ext, namespace: foo, annotations: {meshsim.dev/latency: 5s}}
spec:
  hosts: [httpbin.org]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: DNS
  location: MESH_EXTERNAL
`;
const prom = (out: string) => fs.readFileSync(path.join(out, "metrics.prom"), "utf8").split("\n").filter((l) => l.startsWith("istio_requests_total{"));
const label = (line: string, name: string) => new RegExp(`[{,]${name}="([^"]*)"`).exec(line)?.[1];

const SLOW_VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: slow-ext, namespace: foo}
spec:
  hosts: [slow.example.com]
  http: [{timeout: 3s, route: [{destination: {host: slow.example.com}, weight: 100}]}]
`;
const seriesTo = (out: string, host: string) => prom(out).filter((l) => label(l, "destination_service") === host);

describe("ALLOW_ANY (Istio's default): unknown hosts pass through", () => {
  // One run: httpbin.org is unknown (PassthroughCluster); slow.example.com is a ServiceEntry that
  // answers after 5 s, with a 3 s VirtualService timeout (the task's httpbin.org/delay/5 with timeout: 3s).
  const { summary: s, out } = run({
    "sim.yaml": [simulation("egress-allow-any", "8s"), SERVICE_ENTRY.replace(/httpbin-ext/, "slow-ext").replace("[httpbin.org]", "[slow.example.com]"), SLOW_VS,
      curl("to-httpbin-org", "foo", "http://httpbin.org/headers"), curl("delay-5", "foo", "http://slow.example.com/delay/5")].join("---\n"),
    "samples.yaml": samples,
  });
  it("a host outside the mesh answers 200 through PassthroughCluster", () => expect(onlyCode(s, "to-httpbin-org")).toBe("200"));
  it("istio_requests_total has destination_service = the host, destination_service_name = PassthroughCluster", () => {
    const [line, ...more] = seriesTo(out, "httpbin.org");
    expect(more).toEqual([]);
    expect(label(line!, "reporter")).toBe("source");
    expect(label(line!, "destination_service_name")).toBe("PassthroughCluster");
    expect(label(line!, "destination_workload")).toBe("unknown");
  });
  it("a VirtualService timeout on an external host gives 504 UT at the timeout", () => {
    expect(onlyCode(s, "delay-5")).toBe("504");
    expect(Object.keys(s.clients["delay-5"]!.flags)).toEqual(["UT"]);
    expect(s.clients["delay-5"]!.latencyMs.p50).toBeGreaterThanOrEqual(3000);
    expect(s.clients["delay-5"]!.latencyMs.max).toBeLessThan(3100);
  });
});

describe("REGISTRY_ONLY: only registered hosts", () => {
  // Istio's outboundTrafficPolicy is set in MeshConfig as {mode: REGISTRY_ONLY}.
  const { summary: s, out } = run({
    "sim.yaml": [simulation("egress-registry-only"), SERVICE_ENTRY.replace("annotations: {meshsim.dev/latency: 5s}", ""),
      curl("to-httpbin-org", "foo", "http://httpbin.org/headers"), curl("to-unknown", "foo", "http://unknown.example.com/headers"),
      curl("to-google", "foo", "https://www.google.com/")].join("---\n"),
    "samples.yaml": samples,
  }, "--set", "spec.mesh.outboundTrafficPolicy.mode=REGISTRY_ONLY");
  it("a port with no HTTP listener (443 here) meets the catch-all TCP chain: BlackHoleCluster closes the connection, no HTTP answer", () => {
    // The task's `curl -sI https://www.google.com` "command terminated with exit code 35": no 502 there.
    // istio/istio listener_builder.go buildOutboundCatchAllNetworkFiltersOnly (tcp_proxy → BlackHoleCluster);
    // envoy tcp_proxy.cc Filter::establishUpstreamConnection (no host ⇒ NoHealthyUpstream, connection closed).
    expect(onlyCode(s, "to-google")).toBe("0");
    expect(s.clients["to-google"]!.flags).toEqual({ UH: s.clients["to-google"]!.requests });
    expect(seriesTo(out, "www.google.com")).toEqual([]);
  });
  it("plain HTTP to an unknown host gets 502 from the BlackHoleCluster route", () => {
    expect(onlyCode(s, "to-unknown")).toBe("502");
    const [line] = seriesTo(out, "unknown.example.com");
    expect(label(line!, "destination_service_name")).toBe("BlackHoleCluster");
    expect(label(line!, "response_flags")).toBe("-");
  });
  it("a ServiceEntry admits its host: 200", () => {
    expect(onlyCode(s, "to-httpbin-org")).toBe("200");
    expect(label(seriesTo(out, "httpbin.org")[0]!, "destination_service_name")).toBe("httpbin.org");
  });
});
