// Gateway API listener TLS as istiod converts it and the gateway's Envoy serves it: certificateRefs to
// Secrets (conformance gateway-invalid-tls-configuration, gateway-secret-missing-reference-grant,
// gateway-secret-invalid-reference-grant, gateway-secret-reference-grant-specific, httproute-https-listener
// in kubernetes-sigs/gateway-api conformance/tests; istio/istio pilot/pkg/config/kube/gateway/conversion.go
// buildTLS, buildSecretReference, buildListener and testdata/invalid.status.yaml.golden), and what a
// client connection meets on the listener (proxy/security/downstream-tls.ts).
import { describe, expect, it } from "vitest";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { conformance, NS } from "./gateway-api-conformance.js";
import { loadScenario } from "../../src/scenario/index.js";
import { runScenario } from "../../src/runner/run-scenario.js";
import { writeScenario } from "../support/scenario-text.js";
import { ScenarioError } from "../../src/scenario/index.js";
import { downstreamVerdict } from "../../src/proxy/security/downstream-tls.js";

// A self-signed RSA 2048 certificate for httpbin.example.com and its key, as `openssl req -x509` makes
// them (Istio's secure-ingress task makes its own the same way); the scenario ships the same pair.
const SCENARIO = "scenarios/gateway-api/https-termination.yaml";
const shipped = loadScenario(SCENARIO);
const credential = shipped.simulation.timeline.flatMap((t) => (t.action.kind === "apply" ? t.action.resources : [])).find((r) => r.kind === "Secret");
if (credential?.kind !== "Secret") throw new Error("the shipped scenario applies no Secret");
const CRT = credential.data["tls.crt"]!;
const KEY = credential.data["tls.key"]!;
const b64 = (s: string) => Buffer.from(s).toString("base64");

const secret = (name: string, namespace: string, data: Record<string, string>) => `apiVersion: v1
kind: Secret
metadata: {name: ${name}, namespace: ${namespace}}
type: kubernetes.io/tls
data: {${Object.entries(data).map(([k, v]) => `${k}: "${b64(v)}"`).join(", ")}}
`;

const httpsGateway = (name: string, refs: string, extra = "") => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: ${name}, namespace: ${NS}}
spec:
  gatewayClassName: istio
  listeners:
  - {name: https, port: 443, protocol: HTTPS, allowedRoutes: {namespaces: {from: All}}, tls: {certificateRefs: ${refs}${extra}}}
`;

describe("listener certificateRefs: the listener's status (gateway-invalid-tls-configuration, gateway-secret-*-reference-grant)", () => {
  const otherNs = "gateway-conformance-web-backend";
  const c = conformance([
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${otherNs}}\n`,
    secret("tls-validity-checks-certificate", NS, { "tls.crt": CRT, "tls.key": KEY }),
    // "an invalid pem (base64 of "Hello world"), and the certificate and the key are identical"
    secret("malformed-certificate", NS, { "tls.crt": "Hello world\n", "tls.key": "Hello world\n" }),
    secret("certificate", otherNs, { "tls.crt": CRT, "tls.key": KEY }),
    `apiVersion: v1\nkind: Secret\nmetadata: {name: opaque, namespace: ${NS}}\ndata: {ca.crt: "${b64(CRT)}"}\n`,
    httpsGateway("gateway-certificate-nonexistent-secret", "[{group: \"\", kind: Secret, name: nonexistent-certificate}]"),
    httpsGateway("gateway-certificate-unsupported-group", "[{group: wrong.group.company.io, kind: Secret, name: tls-validity-checks-certificate}]"),
    httpsGateway("gateway-certificate-unsupported-kind", "[{group: \"\", kind: WrongKind, name: tls-validity-checks-certificate}]"),
    httpsGateway("gateway-certificate-malformed-secret", "[{group: \"\", kind: Secret, name: malformed-certificate}]"),
    httpsGateway("gateway-certificate-wrong-keys", "[{name: opaque}]"),
    httpsGateway("gateway-secret-missing-reference-grant", `[{group: "", kind: Secret, name: certificate, namespace: ${otherNs}}]`),
    // gateway-secret-invalid-reference-grant: grants in the wrong namespace, or from another group.
    `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: reference-grant-wrong-namespace, namespace: gateway-conformance-app-backend}
spec:
  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: ${NS}}]
  to: [{group: "", kind: Secret, name: certificate}]
---
apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: reference-grant-wrong-from-group, namespace: ${otherNs}}
spec:
  from: [{group: not-the-group-youre-looking-for, kind: Gateway, namespace: ${NS}}]
  to: [{group: "", kind: Secret, name: certificate}]
`,
    httpsGateway("valid", "[{name: tls-validity-checks-certificate}]"),
  ].join("---\n"));
  // gateway-secret-reference-grant-specific: a grant for that Secret from Gateways of this namespace.
  const granted = conformance([
    `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${otherNs}}\n`,
    secret("certificate", otherNs, { "tls.crt": CRT, "tls.key": KEY }),
    httpsGateway("gateway-secret-reference-grant-specific", `[{group: "", kind: Secret, name: certificate, namespace: ${otherNs}}]`),
    `apiVersion: gateway.networking.k8s.io/v1beta1
kind: ReferenceGrant
metadata: {name: reference-grant, namespace: ${otherNs}}
spec:
  from: [{group: gateway.networking.k8s.io, kind: Gateway, namespace: ${NS}}]
  to: [{group: "", kind: Secret, name: certificate}]
`,
  ].join("---\n"));
  const status = (gw: string) => c.world.config.gatewayStatus.find((g) => g.name === gw)!;
  const listener = (gw: string, type: string) => status(gw).listeners[0]!.conditions.find((x) => x.type === type)!;

  it.each([
    ["gateway-certificate-nonexistent-secret", "invalid certificate reference /Secret/nonexistent-certificate., secret gateway-conformance-infra/nonexistent-certificate not found"],
    ["gateway-certificate-unsupported-group", "invalid certificate reference wrong.group.company.io/Secret/tls-validity-checks-certificate., only secret is allowed"],
    ["gateway-certificate-unsupported-kind", "invalid certificate reference /WrongKind/tls-validity-checks-certificate., only secret is allowed"],
    ["gateway-certificate-malformed-secret", "invalid certificate reference /Secret/malformed-certificate., the certificate is malformed: tls: failed to find any PEM data in certificate input"],
    ["gateway-certificate-wrong-keys", "invalid certificate reference /Secret/opaque., found secret, but didn't have expected keys (cert and key) or (tls.crt and tls.key); found: ca.crt"],
  ])("%s: ResolvedRefs False InvalidCertificateRef, Programmed False, the Gateway's listeners not valid", (gw, message) => {
    expect(listener(gw, "ResolvedRefs")).toMatchObject({ status: "False", reason: "InvalidCertificateRef", message });
    expect(listener(gw, "Programmed")).toMatchObject({ status: "False", reason: "Invalid", message: "Bad TLS configuration" });
    expect(status(gw).conditions.find((x) => x.type === "Accepted")).toMatchObject({ status: "False", reason: "ListenersNotValid" });
  });

  it("a Secret in another namespace without a ReferenceGrant, or with grants in the wrong namespace or from another group: RefNotPermitted (and istiod's Accepted False NoValidCACertificate)", () => {
    expect(listener("gateway-secret-missing-reference-grant", "ResolvedRefs")).toMatchObject({
      status: "False", reason: "RefNotPermitted",
      message: `certificateRef certificate/${otherNs} not accessible to a Gateway in namespace "${NS}" (missing a ReferenceGrant?)`,
    });
    expect(listener("gateway-secret-missing-reference-grant", "Accepted")).toMatchObject({ status: "False", reason: "NoValidCACertificate" });
  });

  it("a valid pair, or another namespace's Secret with a ReferenceGrant: every condition True, and the server gets the credential", () => {
    const grantedStatus = granted.world.config.gatewayStatus.find((g) => g.name === "gateway-secret-reference-grant-specific")!;
    for (const l of [status("valid").listeners[0]!, grantedStatus.listeners[0]!]) {
      expect(l.conditions.filter((x) => x.type !== "Conflicted").every((x) => x.status === "True")).toBe(true);
    }
    const server = (w: typeof c, gw: string) => w.world.config.gateways.find((g) => g.metadata.name === `${gw}-istio-autogenerated-k8s-gateway`)!.spec.servers;
    // allowedRoutes from All: the server's host is "*/*" (istio/istio pilot/pkg/config/kube/gateway/conversion.go buildHostnameMatch).
    expect(server(c, "valid")).toEqual([{ port: { number: 443, protocol: "HTTPS", name: "https" }, hosts: ["*/*"], tls: { mode: "SIMPLE", credentialName: `kubernetes-gateway://${NS}/tls-validity-checks-certificate` } }]);
    expect(server(granted, "gateway-secret-reference-grant-specific")[0]!.tls).toEqual({ mode: "SIMPLE", credentialName: `kubernetes-gateway://${otherNs}/certificate` });
    // An invalid listener's Istio Gateway is not pushed (gateway_collection.go GatewayConfigs: Valid only).
    expect(server(c, "gateway-certificate-nonexistent-secret")).toEqual([]);
  });

  it("a certificate with another key does not match (tls.X509KeyPair)", () => {
    const other = generateKeyPairSync("ec", { namedCurve: "prime256v1" }).privateKey.export({ type: "pkcs8", format: "pem" }) as string;
    const w = conformance([secret("mismatch", NS, { "tls.crt": CRT, "tls.key": other }), httpsGateway("gw", "[{name: mismatch}]")].join("---\n"));
    expect(w.world.config.gatewayStatus[1]!.listeners[0]!.conditions.find((x) => x.type === "ResolvedRefs")).toMatchObject({
      status: "False", reason: "InvalidCertificateRef", message: "invalid certificate reference /Secret/mismatch., the certificate is malformed: tls: private key does not match public key",
    });
    expect(new X509Certificate(CRT).subject).toContain("httpbin.example.com");
  });
});

/** One listener on 443 (HTTPS with the Secret) and one on 80 (HTTP), a route for httpbin.example.com, and closed-loop clients. */
function run(clients: string, o: { secret?: boolean; mode?: string } = {}) {
  const file = writeScenario({ "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: tls}
spec: {seed: 1, duration: 5s}
---
${o.secret === false ? "" : `${secret("httpbin-credential", "default", { "tls.crt": CRT, "tls.key": KEY })}---\n`}apiVersion: v1
kind: Service
metadata: {name: httpbin}
spec: {selector: {app: httpbin}, ports: [{name: http, port: 8000}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin}
spec:
  template:
    metadata: {labels: {app: httpbin}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8000}]}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: istio
  listeners:
  - {name: https, port: 443, protocol: HTTPS, hostname: httpbin.example.com, tls: {certificateRefs: [{name: httpbin-credential}]${o.mode !== undefined ? `, options: {gateway.istio.io/tls-terminate-mode: ${o.mode}}` : ""}}}
  - {name: http, port: 80, protocol: HTTP}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: httpbin}
spec:
  parentRefs: [{name: gw}]
  hostnames: [httpbin.example.com]
  rules: [{backendRefs: [{name: httpbin, port: 8000}]}]
---
${clients}` });
  return runScenario(loadScenario(file)).summary;
}

const client = (name: string, url: string, n: number, c = 1) => `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: ${name}}
spec: {from: gw, target: "${url}", connections: ${c}, requests: ${n}, qps: 10}
---
`;

describe("a client's connection to a TLS listener (httproute-https-listener)", () => {
  it("https:// to the HTTPS listener is terminated and routed; http:// to port 80 too", () => {
    const s = run(client("secure", "https://httpbin.example.com/", 20) + client("plain", "http://httpbin.example.com/", 20));
    expect(s.clients["secure"]!.codes).toEqual({ "200": 20 });
    expect(s.clients["plain"]!.codes).toEqual({ "200": 20 });
  });

  it("only the first request of a connection pays the handshake: a round trip and the gateway's 0.7 ms", () => {
    // The same client and seed over https:// (443) and http:// (80): the same draws, so the runs
    // differ only by the handshake, which lands on the first of the connection's 20 calls.
    const secure = run(client("c", "https://httpbin.example.com/", 20)).clients["c"]!.latencyMs;
    const plain = run(client("c", "http://httpbin.example.com/", 20)).clients["c"]!.latencyMs;
    expect(20 * (secure.mean - plain.mean)).toBeCloseTo(0.042 + 0.7, 2);
    expect(secure.p50).toBeCloseTo(plain.p50, 6);
  });

  it.each([
    ["http:// to the TLS port: the handshake fails, no HTTP answer", "http://httpbin.example.com:443/"],
    ["https:// to the plain-HTTP port: not HTTP, no readable answer", "https://httpbin.example.com:80/"],
    ["https:// with an SNI no listener takes: no filter chain", "https://other.example.com/"],
  ])("%s (code 0)", (_why, url) => {
    const s = run(client("c", url, 5));
    expect(s.clients["c"]!.codes).toEqual({ "0": 5 });
  });

  it("without the Secret the listener is not programmed: nothing listens on 443 (code 0), port 80 still serves", () => {
    const s = run(client("secure", "https://httpbin.example.com/", 5) + client("plain", "http://httpbin.example.com/", 5), { secret: false });
    expect(s.clients["secure"]!.codes).toEqual({ "0": 5 });
    expect(s.clients["plain"]!.codes).toEqual({ "200": 5 });
  });

  it("tls-terminate-mode MUTUAL asks a client certificate the load generator does not have (code 0); OPTIONAL_MUTUAL serves", () => {
    expect(run(client("c", "https://httpbin.example.com/", 5), { mode: "MUTUAL" }).clients["c"]!.codes).toEqual({ "0": 5 });
    expect(run(client("c", "https://httpbin.example.com/", 5), { mode: "OPTIONAL_MUTUAL" }).clients["c"]!.codes).toEqual({ "200": 5 });
  });

  it("the verdicts, each way round", () => {
    expect(downstreamVerdict("terminate", "https").kind).toBe("handshake");
    expect(downstreamVerdict("plaintext", "http").kind).toBe("plain");
    expect(downstreamVerdict("plaintext", "https")).toMatchObject({ kind: "closed", flags: "DPE" });
    expect(downstreamVerdict("no-filter-chain", "https")).toMatchObject({ kind: "closed", flags: "NR" });
  });
});

describe("the shipped scenario gateway-api/https-termination.yaml", () => {
  it("fails every https:// connection until the Secret is applied at 20 s, then serves", () => {
    const s = runScenario(shipped).summary;
    expect(s.expectations.every((e) => e.ok)).toBe(true);
    const listener = s.gateways![0]!.listeners[0]!;
    expect(listener.conditions.every((x) => x.type === "Conflicted" ? x.status === "False" : x.status === "True")).toBe(true);
  });
});

describe("a timeline delete of the Secret", () => {
  it("takes the listener's server away at the next push: https:// connections then get no answer", () => {
    const file = writeScenario({ "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: tls}
spec:
  seed: 1
  duration: 4s
  timeline: [{at: 2s, delete: {kind: Secret, name: httpbin-credential}}]
---
${secret("httpbin-credential", "default", { "tls.crt": CRT, "tls.key": KEY })}---
apiVersion: v1
kind: Service
metadata: {name: httpbin}
spec: {selector: {app: httpbin}, ports: [{name: http, port: 8000}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin}
spec:
  template:
    metadata: {labels: {app: httpbin}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8000}]}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw}
spec:
  gatewayClassName: istio
  listeners: [{name: https, port: 443, protocol: HTTPS, tls: {certificateRefs: [{name: httpbin-credential}]}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: httpbin}
spec:
  parentRefs: [{name: gw}]
  rules: [{backendRefs: [{name: httpbin, port: 8000}]}]
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: c}
spec: {from: gw, target: "https://httpbin.example.com/", rate: 50, arrival: constant}
` });
    const s = runScenario(loadScenario(file)).summary;
    const codes = s.clients["c"]!.codes;
    expect(codes["200"]).toBeGreaterThan(90);
    expect(codes["0"]).toBeGreaterThan(90);
    expect(s.gateways![0]!.listeners[0]!.conditions.find((x) => x.type === "ResolvedRefs")).toMatchObject({ status: "False", reason: "InvalidCertificateRef" });
  });
});

describe("input errors the API server would give", () => {
  const load = (docs: string) => {
    const file = writeScenario({ "sim.yaml": `apiVersion: meshsim.dev/v1alpha1\nkind: Simulation\nmetadata: {name: s}\nspec: {duration: 1s}\n---\n${docs}` });
    try { loadScenario(file); return ""; } catch (e) { if (e instanceof ScenarioError) return e.message; throw e; }
  };
  it.each([
    ["certificateRefs or options must be specified when mode is Terminate", httpsGateway("g", "[]").replace(NS, "default")],
    ["tls mode must be Terminate for protocol HTTPS", httpsGateway("g", "[{name: x}]", ", mode: Passthrough").replace(NS, "default")],
    ["data[tls.key]: Required value", `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ntype: kubernetes.io/tls\ndata: {tls.crt: "${b64(CRT)}"}\n`],
    ["illegal base64 data", `apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {tls.crt: "not base64!"}\n`],
  ])("%s", (message, docs) => {
    expect(load(docs)).toContain(message);
  });
});
