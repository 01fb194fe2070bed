// The security labs against Istio's documented outcomes: mTLS migration, authorization step by
// step, JWT end-user authentication, and the client-side TLS modes toward a STRICT server.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import type { Summary } from "../../src/report/summary-types.js";
import { writeScenario } from "../support/scenario-text.js";

const DIR = path.resolve(import.meta.dirname, "../../scenarios");
function run(file: string): Summary {
  const s = runScenario(loadScenario(file)).summary;
  expect(s.expectations.filter((e) => !e.ok)).toEqual([]);
  return s;
}

describe("Istio's mTLS migration task", () => {
  const s = run(path.join(DIR, "security/mtls-migration.yaml"));

  it("resets a plaintext client's connections to STRICT workloads with no HTTP status (code 0)", () => {
    for (const c of ["legacy-to-foo-strict", "legacy-to-bar-mesh-strict"]) {
      expect(s.clients[c]!.codes).toEqual({ "0": s.clients[c]!.requests });
    }
    for (const c of ["legacy-to-foo-permissive", "legacy-to-bar-namespace-strict"]) {
      expect(s.clients[c]!.codes).toEqual({ "200": s.clients[c]!.requests });
    }
  });

  it("keeps sidecar-to-sidecar traffic working, over mTLS, through the whole migration", () => {
    const edge = s.edges.find((e) => e.source === "sleep" && e.service === "httpbin.foo.svc.cluster.local")!;
    expect(edge.mtls).toBe(true);
    expect(edge.codes).toEqual({ "200": edge.requests });
  });

  it("the server sidecar records nothing for a connection it closed before any HTTP exchange", () => {
    // httpbin.foo's pod saw the sidecar clients and the legacy client's plaintext before STRICT only.
    const served = s.clients["foo-to-foo"]!.requests + s.clients["bar-to-foo"]!.requests + s.clients["legacy-to-foo-permissive"]!.requests;
    expect(s.pods["httpbin-0.foo"]!.requests).toBe(served);
  });
});

describe("Istio's HTTP authorization task on Bookinfo", () => {
  const s = run(path.join(DIR, "security/authorization.yaml"));
  const edge = (src: string, dst: string) => s.edges.find((e) => e.source === src && e.destination === dst)!;

  it("allow-nothing denies every request with 403 at the first workload", () => {
    const c = s.clients["users-allow-nothing"]!;
    expect(c.codes).toEqual({ "403": c.requests });
    expect(c.flags).toEqual({ "-": c.requests });
  });

  it("each ALLOW policy opens exactly its path, in the order applied", () => {
    // details opened at 40 s, reviews at 60 s, of the 80 s of page loads after 20 s.
    const details = edge("productpage-v1", "details-v1");
    expect(details.codes["403"]! / details.requests).toBeCloseTo(20 / 80, 1);
    const reviews = ["reviews-v1", "reviews-v2", "reviews-v3"].map((v) => edge("productpage-v1", v));
    const rv = reviews.reduce((a, e) => a + e.requests, 0);
    const r403 = reviews.reduce((a, e) => a + (e.codes["403"] ?? 0), 0);
    // productpage retries a failed reviews call once (retries: 1): 40 s of two denied calls per page
    // against 40 s of one good call.
    expect(r403 / rv).toBeCloseTo(80 / 120, 1);
    // ratings only sees calls once reviews is open (60 s), and is opened at 80 s: half denied.
    const ratings = edge("reviews-v2", "ratings-v1");
    expect(ratings.codes["403"]! / ratings.requests).toBeCloseTo(0.5, 1);
    // Denials come from the destination and are not the callers' errors: the page always renders.
    expect(s.clients["users-after"]!.codes).toEqual({ "200": s.clients["users-after"]!.requests });
  });
});

describe("JWT end-user authentication", () => {
  const s = run(path.join(DIR, "security/jwt.yaml"));
  it("401 for an invalid token, no token passes until a policy requires a request principal, then 403", () => {
    expect(Object.keys(s.clients["invalid-token"]!.codes)).toEqual(["401"]);
    expect(Object.keys(s.clients["valid-token"]!.codes)).toEqual(["200"]);
    expect(Object.keys(s.clients["no-token-before-policy"]!.codes)).toEqual(["200"]);
    expect(Object.keys(s.clients["no-token-after-policy"]!.codes)).toEqual(["403"]);
  });
  // Istio's sample demo.jwt verifies against its sample jwks.json (served at the task's jwksUri);
  // with a claim added after signing, Envoy's jwt_authn answers 401 "Jwt verification fails"
  // (jwt_verify_lib src/verify.cc verifyJwtWithoutTimeChecking).
  it("Istio's signed demo.jwt passes; the same token with a forged claim is 401, before and after the policy", () => {
    expect(Object.keys(s.clients["forged-token"]!.codes)).toEqual(["401"]);
  });
});

const SERVER = `
apiVersion: v1
kind: Service
metadata: {name: server}
spec: {selector: {app: server}, ports: [{name: http, port: 80, targetPort: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: server}
spec:
  replicas: 2
  selector: {matchLabels: {app: server}}
  template: {metadata: {labels: {app: server}}, spec: {serviceAccountName: server, containers: [{name: s, image: s}]}}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: client}
spec:
  replicas: 1
  selector: {matchLabels: {app: client}}
  template: {metadata: {labels: {app: client}}, spec: {containers: [{name: c, image: c}]}}
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: server}
spec: {selector: {app: server}, serviceTime: 1ms}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: load}
spec: {from: client, target: http://server/, rate: 50}
`;

function tlsCase(extra: string): Summary {
  const file = writeScenario({
    "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: tls}
spec: {seed: 3, duration: 10s, include: [server.yaml]}
${extra}`,
    "server.yaml": SERVER,
  });
  return runScenario(loadScenario(file)).summary;
}

const STRICT = `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: default, namespace: istio-system}
spec: {mtls: {mode: STRICT}}
`;
const dr = (mode: string) => `---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: server}
spec: {host: server, trafficPolicy: {tls: {mode: ${mode}}}}
`;

describe("client TLS modes toward a STRICT server", () => {
  it("auto mTLS and ISTIO_MUTUAL succeed over mTLS", () => {
    for (const s of [tlsCase(STRICT), tlsCase(STRICT + dr("ISTIO_MUTUAL"))]) {
      const c = s.clients["load"]!;
      expect(c.codes).toEqual({ "200": c.requests });
      expect(s.edges[0]!.mtls).toBe(true);
    }
  });

  it("tls.mode DISABLE fails with 503 UC: the server closes the plaintext connection", () => {
    const c = tlsCase(STRICT + dr("DISABLE")).clients["load"]!;
    expect(c.codes).toEqual({ "503": c.requests });
    expect(c.flags).toEqual({ UC: c.requests });
  });

  it("without STRICT, DISABLE is plaintext and works; edges say it was not mTLS", () => {
    const s = tlsCase(dr("DISABLE"));
    expect(s.clients["load"]!.codes).toEqual({ "200": s.clients["load"]!.requests });
    expect(s.edges[0]!.mtls).toBe(false);
  });

  it("ISTIO_MUTUAL toward a server whose sidecar does not terminate mTLS (DISABLE) fails the handshake: 503 UF, retried", () => {
    const disable = `---
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: server}
spec: {selector: {matchLabels: {app: server}}, mtls: {mode: DISABLE}}
`;
    const c = tlsCase(disable + dr("ISTIO_MUTUAL")).clients["load"]!;
    expect(c.codes).toEqual({ "503": c.requests });
    // connect-failure is in Istio's default retryOn: two retries, then URX.
    expect(c.flags).toEqual({ "URX,UF": c.requests });
  });
});

describe("egress", () => {
  it("REGISTRY_ONLY blocks unknown hosts with 502 until a ServiceEntry admits them", () => {
    const s = run(path.join(DIR, "security/egress.yaml"));
    expect(Object.keys(s.clients["httpbin-org-blocked"]!.codes)).toEqual(["502"]);
    expect(Object.keys(s.clients["httpbin-org-admitted"]!.codes)).toEqual(["200"]);
    expect(Object.keys(s.clients["github"]!.codes)).toEqual(["502"]);
    const services = new Set(s.edges.map((e) => e.service));
    expect(services).toContain("httpbin.org");
    expect(services).toContain("BlackHoleCluster");
  });

  it("a VirtualService timeout on a ServiceEntry host cuts a slow external call at 3 s with 504 UT", () => {
    const c = run(path.join(DIR, "security/egress-timeout.yaml")).clients["delay-5s"]!;
    expect(c.flags).toEqual({ UT: c.requests });
    expect(c.latencyMs.p50).toBeGreaterThanOrEqual(2990);
    expect(c.latencyMs.max).toBeLessThan(3100);
  });

  it("ALLOW_ANY lets unknown hosts out through PassthroughCluster", () => {
    const file = writeScenario({
      "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: any}
spec: {seed: 1, duration: 10s, include: [server.yaml]}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: out}
spec: {from: client, target: http://example.com/, rate: 10}
`,
      "server.yaml": SERVER,
    });
    const s = runScenario(loadScenario(file)).summary;
    expect(Object.keys(s.clients["out"]!.codes)).toEqual(["200"]);
    expect(s.edges.some((e) => e.source === "client" && e.service === "PassthroughCluster")).toBe(true);
  });

  it("rejects an invalid meshsim.dev/latency annotation with its position", () => {
    const file = writeScenario({
      "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: bad}
spec: {seed: 1, duration: 10s}
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, annotations: {meshsim.dev/latency: soon}}
spec: {hosts: [example.com], ports: [{number: 80, name: http, protocol: HTTP}]}
`,
    });
    expect(() => loadScenario(file)).toThrow(/sim\.yaml:8:\d+.*latency/s);
  });
});

describe("ingress gateway", () => {
  const s = run(path.join(DIR, "bookinfo/ingress-gateway.yaml"));
  it("users enter through istio-ingressgateway, which calls productpage over mTLS", () => {
    const e = s.edges.find((x) => x.source === "istio-ingressgateway" && x.destination === "productpage-v1")!;
    expect(e.mtls).toBe(true);
    expect(e.service).toBe("productpage.default.svc.cluster.local");
    expect(e.requests).toBe(s.clients["users"]!.requests);
  });
  it("a path no VirtualService bound to the Gateway routes gets 404 NR from the gateway", () => {
    const c = s.clients["scanner"]!;
    expect(c.codes).toEqual({ "404": c.requests });
    expect(c.flags).toEqual({ NR: c.requests });
  });
  it("VirtualServices bound to the Gateway do not apply to sidecars: productpage's own calls are untouched", () => {
    expect(s.edges.filter((e) => e.source === "productpage-v1").every((e) => e.codes["200"] === e.requests)).toBe(true);
  });
});

describe("iptables interception", () => {
  const s = run(path.join(DIR, "interception/exclude-outbound-port.yaml"));
  it("an excluded outbound port bypasses the sidecar: no VirtualService fault, no mTLS, no client-side report", () => {
    expect(Object.keys(s.clients["bypassing"]!.codes)).toEqual(["200"]);
    expect(s.clients["captured"]!.flags).toEqual({ FI: s.clients["captured"]!.requests });
    const e = s.edges.find((x) => x.source === "legacy-job")!;
    expect(e.mtls).toBe(false);
  });
  it("an excluded outbound port to a STRICT server gets its plaintext connection reset", () => {
    const file = writeScenario({
      "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ex}
spec: {seed: 1, duration: 10s, include: [server.yaml]}
${STRICT}---
apiVersion: apps/v1
kind: Deployment
metadata: {name: job}
spec:
  selector: {matchLabels: {app: job}}
  template: {metadata: {labels: {app: job}, annotations: {traffic.sidecar.istio.io/excludeOutboundPorts: "80"}}, spec: {containers: [{name: j, image: j}]}}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: job-load}
spec: {from: job, target: http://server/, rate: 10}
`,
      "server.yaml": SERVER,
    });
    const s2 = runScenario(loadScenario(file)).summary;
    expect(Object.keys(s2.clients["job-load"]!.codes)).toEqual(["0"]);
    expect(Object.keys(s2.clients["load"]!.codes)).toEqual(["200"]);
  });
  it("mTLS sent to a port excluded from inbound capture fails: the app cannot do TLS, the handshake fails (503 UF, retried)", () => {
    const file = writeScenario({
      "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ex}
spec: {seed: 1, duration: 10s, include: [server.yaml]}
`,
      "server.yaml": SERVER.replace("template: {metadata: {labels: {app: server}}", 'template: {metadata: {labels: {app: server}, annotations: {traffic.sidecar.istio.io/excludeInboundPorts: "8080"}}'),
    });
    const c = runScenario(loadScenario(file)).summary.clients["load"]!;
    expect(c.flags).toEqual({ "URX,UF": c.requests });
  });
  it("a malformed interception annotation is an input error with its position", () => {
    const file = writeScenario({
      "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ex}
spec: {seed: 1, duration: 10s}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: job}
spec:
  selector: {matchLabels: {app: job}}
  template:
    metadata:
      labels: {app: job}
      annotations: {traffic.sidecar.istio.io/excludeOutboundPorts: "80,mysql"}
    spec: {containers: [{name: j, image: j}]}
`,
    });
    expect(() => loadScenario(file)).toThrow(/sim\.yaml:14:\d+.*invalid port "mysql"/s);
  });
});
