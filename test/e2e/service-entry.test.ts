// ServiceEntry resolution through the CLI: STATIC and DNS endpoints are a cluster balanced by the
// host's DestinationRule (default LEAST_REQUEST), each endpoint answering after its own round trip;
// NONE stays one endpoint; entries Istio's validation would reject exit 2.
// https://istio.io/latest/docs/reference/config/networking/service-entry/
import { describe, expect, it } from "vitest";
import { writeScenario } from "../support/scenario-text.js";
import { meshsim, tmpDir } from "../support/cli.js";
import type { Summary } from "../../src/report/summary-types.js";

/** sleep calls api.example.com: two endpoints at 10 ms, a third at 300 ms, under a 100 ms route timeout. */
function scenario(o: { resolution: string; rate: number; duration: string; dr?: string; endpoints?: string; location?: string }): string {
  const endpoints = o.endpoints ?? `
  endpoints:
  - address: 192.0.2.1
  - address: 192.0.2.2
  - address: 192.0.2.3
    labels: {meshsim.dev/latency: 300ms}`;
  return `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: service-entry}
spec:
  seed: 3
  duration: ${o.duration}
  mesh: {outboundTrafficPolicy: REGISTRY_ONLY}
---
apiVersion: v1
kind: Namespace
metadata: {name: default, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep}
spec:
  template:
    metadata: {labels: {app: sleep}}
    spec: {containers: [{name: sleep, image: curlimages/curl}]}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: api, annotations: {meshsim.dev/latency: 10ms}}
spec:
  hosts: [api.example.com]
  ports: [{number: 80, name: http, protocol: HTTP}]
  location: ${o.location ?? "MESH_EXTERNAL"}
  resolution: ${o.resolution}${endpoints}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: api}
spec:
  hosts: [api.example.com]
  http: [{timeout: 100ms, route: [{destination: {host: api.example.com}}]}]
${o.dr === undefined ? "" : `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: api}
spec: {host: api.example.com, trafficPolicy: {loadBalancer: {simple: ${o.dr}}}}
`}---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: users}
spec: {from: sleep, target: http://api.example.com/, rate: ${o.rate}}
`;
}

function run(text: string): Summary {
  const r = meshsim("run", writeScenario({ "s.yaml": text }), "--json", "--quiet", "--out", tmpDir("meshsim-se-"));
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Summary;
}

/** Requests that went to the slow endpoint: they, and only they, hit the 100 ms timeout. */
const slow = (s: Summary) => s.clients.users!.codes["504"] ?? 0;

describe("ServiceEntry endpoints (resolution STATIC and DNS)", () => {
  it("LEAST_REQUEST at low load splits requests evenly over the endpoints, and the slow one's share waits for the timeout", () => {
    const s = run(scenario({ resolution: "STATIC", rate: 0.5, duration: "2400s" }));
    const c = s.clients.users!;
    const n = c.requests;
    const sigma = Math.sqrt(n * (1 / 3) * (2 / 3));
    expect(Math.abs(slow(s) - n / 3)).toBeLessThan(4 * sigma);
    expect(c.codes["200"]! + slow(s)).toBe(n);
    // Two thirds answer after the fast endpoints' 10 ms; the slow third costs the full 100 ms.
    expect(c.latencyMs.p50).toBeLessThan(30);
    expect(c.latencyMs.p90).toBeGreaterThanOrEqual(100);
    expect(c.latencyMs.mean).toBeGreaterThan(30);
    // Telemetry keeps the ServiceEntry host as destination_service.
    expect(s.edges.map((e) => e.service)).toEqual(["api.example.com"]);
  });

  it("DNS with endpoints is the same cluster of endpoints", () => {
    const s = run(scenario({ resolution: "DNS", rate: 0.5, duration: "2400s" }));
    const n = s.clients.users!.requests;
    expect(Math.abs(slow(s) - n / 3)).toBeLessThan(4 * Math.sqrt(n * (2 / 9)));
  });

  it("ROUND_ROBIN from the host's DestinationRule gives each endpoint exactly its turn, even under load", () => {
    const s = run(scenario({ resolution: "STATIC", rate: 40, duration: "60s", dr: "ROUND_ROBIN" }));
    const n = s.clients.users!.requests;
    expect(Math.abs(slow(s) - n / 3)).toBeLessThanOrEqual(2);
  });

  it("LEAST_REQUEST under load sends the slow endpoint fewer requests than its third (it holds more in flight)", () => {
    const s = run(scenario({ resolution: "STATIC", rate: 40, duration: "60s" }));
    const n = s.clients.users!.requests;
    expect(slow(s)).toBeLessThan(n / 3 - 4 * Math.sqrt(n * (2 / 9)));
  });

  // NONE with endpoints is refused (see "ServiceEntry validation" below), as istiod's ValidateServiceEntry does.
  it("resolution NONE is one endpoint: the entry's own round trip", () => {
    const s = run(scenario({ resolution: "NONE", rate: 5, duration: "60s", endpoints: "" }));
    const c = s.clients.users!;
    expect(c.codes).toEqual({ "200": c.requests });
    expect(c.latencyMs.max).toBeLessThan(30);
  });

  it("DNS without endpoints resolves the host itself: one endpoint", () => {
    const s = run(scenario({ resolution: "DNS", rate: 5, duration: "60s", endpoints: "" }));
    const c = s.clients.users!;
    expect(c.codes).toEqual({ "200": c.requests });
  });
});

describe("ServiceEntry location and auto mTLS", () => {
  const labelled = "\n  endpoints:\n  - address: 10.8.0.1\n    labels: {security.istio.io/tlsMode: istio}";
  it("a MESH_INTERNAL endpoint labelled tlsMode istio gets auto mTLS; MESH_EXTERNAL never does", () => {
    const internal = run(scenario({ resolution: "STATIC", rate: 5, duration: "20s", endpoints: labelled, location: "MESH_INTERNAL" }));
    expect(internal.edges.map((e) => e.mtls)).toEqual([true]);
    const external = run(scenario({ resolution: "STATIC", rate: 5, duration: "20s", endpoints: labelled }));
    expect(external.edges.map((e) => e.mtls)).toEqual([false]);
  });
});

describe("ServiceEntry hosts: an exact host before a wildcard", () => {
  it("a request for api.example.com takes the entry naming it, not an earlier *.example.com (Envoy's findVirtualHost)", () => {
    const wildcard = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: all-example, annotations: {meshsim.dev/latency: 300ms}}
spec:
  hosts: ["*.example.com"]
  ports: [{number: 80, name: http, protocol: HTTP}]
  resolution: NONE
---
`;
    const text = scenario({ resolution: "DNS", rate: 5, duration: "10s", endpoints: "" }).replace("apiVersion: networking.istio.io/v1\nkind: ServiceEntry", wildcard + "apiVersion: networking.istio.io/v1\nkind: ServiceEntry");
    const c = run(text).clients.users!;
    expect(c.codes).toEqual({ "200": c.requests });
    expect(c.latencyMs.max).toBeLessThan(100);
  });
});

describe("ServiceEntry exportTo", () => {
  it("an entry exported only to its own namespace is an unknown host elsewhere: blackholed there, 200 at home", () => {
    // istio/istio pilot/pkg/model/push_context.go IsServiceVisible: "." is Private, visible in the entry's namespace only.
    const text = scenario({ resolution: "DNS", rate: 5, duration: "10s", endpoints: "" })
      .replace("metadata: {name: api, annotations: {meshsim.dev/latency: 10ms}}\nspec:\n  hosts: [api.example.com]", "metadata: {name: api, namespace: ext, annotations: {meshsim.dev/latency: 10ms}}\nspec:\n  exportTo: [\".\"]\n  hosts: [api.example.com]")
      + `---
apiVersion: v1
kind: Namespace
metadata: {name: ext, labels: {istio-injection: enabled}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: ext}
spec:
  template:
    metadata: {labels: {app: sleep}}
    spec: {containers: [{name: sleep, image: curlimages/curl}]}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: home, namespace: ext}
spec: {from: sleep, target: http://api.example.com/, rate: 5}
`;
    const s = run(text);
    // default's sidecar has no HTTP listener on port 80 (no service or visible entry there): the catch-all
    // TCP chain to BlackHoleCluster closes the connection (UH), rather than block_all's 502.
    expect(Object.keys(s.clients.users!.codes)).toEqual(["0"]);
    expect(Object.keys(s.clients.users!.flags)).toEqual(["UH"]);
    expect(Object.keys(s.clients.home!.codes)).toEqual(["200"]);
  });
});

describe("ServiceEntry validation", () => {
  const bad: [string, string, RegExp][] = [
    ["STATIC without endpoints", scenario({ resolution: "STATIC", rate: 1, duration: "10s", endpoints: "" }), /s\.yaml:\d+:\d+: error: spec\.resolution: .*STATIC/],
    ["an endpoint without an address", scenario({ resolution: "STATIC", rate: 1, duration: "10s", endpoints: "\n  endpoints:\n  - labels: {a: b}" }), /s\.yaml:\d+:\d+: error: spec\.endpoints\[0\]\.address/],
    // istio/istio pkg/config/validation/validation.go ValidateServiceEntry / validateWorkloadEntry:
    ["NONE with endpoints", scenario({ resolution: "NONE", rate: 1, duration: "10s" }), /s\.yaml:\d+:\d+: error: spec\.endpoints: no endpoints may be given with resolution NONE/],
    ["DNS_ROUND_ROBIN with three endpoints", scenario({ resolution: "DNS_ROUND_ROBIN", rate: 1, duration: "10s" }), /s\.yaml:\d+:\d+: error: spec\.endpoints: resolution DNS_ROUND_ROBIN takes 0 or 1 endpoint/],
    ["a STATIC endpoint that is a host name", scenario({ resolution: "STATIC", rate: 1, duration: "10s", endpoints: "\n  endpoints:\n  - address: api1.example.com" }), /s\.yaml:\d+:\d+: error: spec\.endpoints\[0\]\.address: endpoint address "api1\.example\.com" is not a valid IP address/],
    ["DYNAMIC_DNS without a wildcard host", scenario({ resolution: "DYNAMIC_DNS", rate: 1, duration: "10s", endpoints: "" }), /s\.yaml:\d+:\d+: error: spec\.hosts\[0\]: resolution DYNAMIC_DNS needs wildcard hosts/],
    ["a bad endpoint latency", scenario({ resolution: "STATIC", rate: 1, duration: "10s", endpoints: "\n  endpoints:\n  - address: 192.0.2.1\n    labels: {meshsim.dev/latency: soon}" }), /s\.yaml:\d+:\d+: error: spec\.endpoints\[0\]\.labels\["meshsim\.dev\/latency"\]: invalid duration/],
  ];
  it("accepts a DNS endpoint given as a host name (STRICT_DNS resolves it) and DNS_ROUND_ROBIN with one endpoint", () => {
    expect(run(scenario({ resolution: "DNS", rate: 1, duration: "5s", endpoints: "\n  endpoints:\n  - address: api1.example.com" })).clients.users!.codes["200"]).toBeGreaterThan(0);
    expect(run(scenario({ resolution: "DNS_ROUND_ROBIN", rate: 1, duration: "5s", endpoints: "\n  endpoints:\n  - address: 192.0.2.9" })).clients.users!.codes["200"]).toBeGreaterThan(0);
  });
  for (const [what, text, message] of bad) {
    it(`exits 2 on ${what}, naming file:line:column and the field`, () => {
      const r = meshsim("run", writeScenario({ "s.yaml": text }), "--out", tmpDir("meshsim-se-"));
      expect(r.stderr).toMatch(message);
      expect(r.code).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    });
  }
});
