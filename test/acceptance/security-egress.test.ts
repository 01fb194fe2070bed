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

describe("ALLOW_ANY (Istio's default): unknown hosts pass through", () => {
  const { summary: s, out } = run({
    "sim.yaml": [simulation("egress-allow-any"), curl("to-httpbin-org", "foo", "http://httpbin.org/headers")].join("---\n"),
    "samples.yaml": samples,
  });
  it("a host outside the mesh answers 200 through PassthroughCluster", () => expect(onlyCode(s, "to-httpbin-org")).toBe("200"));
  it("istio_requests_total has destination_service = the host, destination_service_name = PassthroughCluster", () => {
    const [line, ...more] = prom(out);
    expect(more).toEqual([]);
    expect(label(line!, "reporter")).toBe("source");
    expect(label(line!, "destination_service")).toBe("httpbin.org");
    expect(label(line!, "destination_service_name")).toBe("PassthroughCluster");
    expect(label(line!, "destination_workload")).toBe("unknown");
  });
});

describe("REGISTRY_ONLY: only registered hosts", () => {
  const files = {
    "sim.yaml": [simulation("egress-registry-only"), curl("to-httpbin-org", "foo", "http://httpbin.org/headers")].join("---\n"),
    "samples.yaml": samples,
  };
  // Istio's outboundTrafficPolicy is set in MeshConfig as {mode: REGISTRY_ONLY}.
  const blocked = run(files, "--set", "spec.mesh.outboundTrafficPolicy.mode=REGISTRY_ONLY");
  it("plain HTTP to an unknown host gets 502 from the BlackHoleCluster route", () => {
    expect(onlyCode(blocked.summary, "to-httpbin-org")).toBe("502");
    const [line] = prom(blocked.out);
    expect(label(line!, "destination_service_name")).toBe("BlackHoleCluster");
    expect(label(line!, "destination_service")).toBe("httpbin.org");
    expect(label(line!, "response_flags")).toBe("-");
  });
  const admitted = run({ ...files, "sim.yaml": `${files["sim.yaml"]}---\n${SERVICE_ENTRY.replace("annotations: {meshsim.dev/latency: 5s}", "")}` },
    "--set", "spec.mesh.outboundTrafficPolicy.mode=REGISTRY_ONLY");
  it("a ServiceEntry admits the host: 200", () => {
    expect(onlyCode(admitted.summary, "to-httpbin-org")).toBe("200");
    const [line] = prom(admitted.out);
    expect(label(line!, "destination_service")).toBe("httpbin.org");
  });
});

describe("a VirtualService timeout on an external host", () => {
  // The task: httpbin.org/delay/5 with `timeout: 3s` → 504 after about 3 s.
  const { summary: s } = run({
    "sim.yaml": [simulation("egress-timeout", "8s"), SERVICE_ENTRY, `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: httpbin-ext, namespace: foo}
spec:
  hosts: [httpbin.org]
  http: [{timeout: 3s, route: [{destination: {host: httpbin.org}, weight: 100}]}]
`, curl("delay-5", "foo", "http://httpbin.org/delay/5")].join("---\n"),
    "samples.yaml": samples,
  });
  it("gives 504 UT at the timeout", () => {
    expect(onlyCode(s, "delay-5")).toBe("504");
    expect(Object.keys(s.clients["delay-5"]!.flags)).toEqual(["UT"]);
    expect(s.clients["delay-5"]!.latencyMs.p50).toBeGreaterThanOrEqual(3000);
    expect(s.clients["delay-5"]!.latencyMs.max).toBeLessThan(3100);
  });
});
