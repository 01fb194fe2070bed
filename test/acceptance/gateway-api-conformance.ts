// The Gateway API conformance suite's world, in meshsim: namespace gateway-conformance-infra with the
// Services infra-backend-v1..v3 on port 8080 and the Gateway `same-namespace` (one HTTP listener on 80,
// routes from its own namespace), as conformance/base/manifests.yaml sets them up; a request is sent
// from a Gateway's Envoy (`<gateway>-istio`) and what it does is read as the conformance tests read it:
// the backend that got it, or the status the gateway answered, the Location of a redirect, and the path
// and headers the backend saw. https://github.com/kubernetes-sigs/gateway-api/tree/main/conformance
import { loadScenario, parseCallUrl } from "../../src/scenario/index.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { explain } from "../../src/xds/explain.js";
import type { Translator } from "../../src/xds/translation/translator.js";
import { targetOf } from "../../src/cli/inspect-commands.js";
import { forwardedRequest, responseHeadersFor } from "../../src/proxy/route/forwarded-request.js";
import type { World } from "../../src/mesh/world.js";
import type { OutgoingRequest } from "../../src/mesh/transport.js";
import { generatedGatewayKey, type RouteStatus } from "../../src/config/gateway-api/gateway-api-config.js";
import { writeScenario } from "../support/scenario-text.js";

export const NS = "gateway-conformance-infra";

function backend(name: string): string {
  return `apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ${NS}}
spec: {selector: {app: ${name}}, ports: [{name: http, port: 8080}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: ${name}, namespace: ${NS}}
spec:
  template:
    metadata: {labels: {app: ${name}}}
    spec: {containers: [{name: s, image: s, ports: [{containerPort: 8080}]}]}
`;
}

const BASE = `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: conformance}
spec: {duration: 1s}
---
apiVersion: v1
kind: Namespace
metadata: {name: ${NS}, labels: {gateway-conformance: infra}}
---
${["infra-backend-v1", "infra-backend-v2", "infra-backend-v3"].map(backend).join("---\n")}---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: same-namespace, namespace: ${NS}}
spec:
  gatewayClassName: istio
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: Same}}}]
`;

/** What the client of a conformance test sees for one request. */
export interface Outcome {
  /** The status the gateway answered itself (404, 500, a redirect), else 200 (the backend answered). */
  readonly status: number;
  /** The Service that got the request ("" when the gateway answered). */
  readonly backend: string;
  /** A redirect's Location ("" otherwise). */
  readonly location: string;
  /** The :path the backend saw. */
  readonly path: string;
  /** The request headers the backend saw. */
  readonly headers: Readonly<Record<string, string>>;
  /** The response headers the client got, when the backend answered with `backendResponse`. */
  readonly responseHeaders: Readonly<Record<string, string>>;
  /** The request mirrors: the mirror's host and the share of requests mirrored. */
  readonly mirrors: readonly { readonly host: string; readonly share: number }[];
  /** The Host the backend saw. */
  readonly authority: string;
  /** The route timeout (0: none), the retries and their per-try timeout (0: none). */
  readonly timeoutMs: number;
  readonly retries: number;
  readonly perTryTimeoutMs: number;
  /** Each destination's Service and weight, as the route splits the traffic. */
  readonly weights: readonly (readonly [string, number])[];
}

export interface Conformance {
  readonly world: World;
  /** Send `GET url` (with these headers) from the Envoy of Gateway `gateway`. */
  send(gateway: string, url: string, headers?: Record<string, string>, method?: string, backendResponse?: Record<string, string>): Outcome;
  /** The route's status as the controller writes it. */
  route(name: string, namespace?: string): RouteStatus;
}

/** The conformance world plus `docs` (YAML documents), with the Envoys of `gateways` deployed. */
export function conformance(docs: string, gateways: readonly string[] = ["same-namespace"]): Conformance {
  // A gateway's Envoy is deployed when something sends through it (pod-controller.ts gatewayPod).
  const probes = gateways.map((g, i) => `apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: probe-${i}, namespace: ${NS}}
spec: {from: ${g}, target: "http://probe.example/", rate: 1}
`).join("---\n");
  const file = writeScenario({ "sim.yaml": `${BASE}---\n${docs}---\n${probes}` });
  const world = createWorld(loadScenario(file)).world;
  world.advance(0);
  const send = (gateway: string, url: string, headers: Record<string, string> = {}, method = "GET", backendResponse: Record<string, string> = {}): Outcome => {
    const key = generatedGatewayKey({ metadata: { name: gateway, namespace: NS } });
    const pod = [...world.pods.values()].find((p) => p.gateway === key);
    if (pod === undefined) throw new Error(`no Envoy for Gateway ${gateway}`);
    const u = parseCallUrl(url);
    const target = targetOf(world, pod, u);
    const authority = u.port !== undefined ? `${u.host}:${u.port}` : u.host;
    const lower: Record<string, string> = {};
    for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v;
    const req: OutgoingRequest = { method, scheme: u.scheme, authority, path: u.path, headers: lower, target };
    const { lines, decision } = explain({
      pod, held: world.heldBy(pod), translator: world.translation as Translator, nowMs: world.sim.now,
      listenerConfigOf: (p) => world.heldBy(p).lds, inboundVerdict: (p, port) => world.interception.explainInbound(p, port),
    }, req, target, undefined);
    const location = /location: (\S+?)\.?$/m.exec(lines.join("\n"))?.[1] ?? "";
    const r = world.sidecars.d.routing.route(pod, req, () => 0.5);
    const none = { path: "", headers: {}, responseHeaders: {}, mirrors: [], authority: "", timeoutMs: 0, retries: 0, perTryTimeoutMs: 0, weights: [] };
    if (r.kind === "local") return { status: r.status, backend: "", location, ...none };
    if (r.kind !== "cluster") throw new Error(`unexpected ${r.kind} route`);
    if (r.cluster === undefined) return { status: r.route.clusterNotFoundStatus, backend: "", location, ...none };
    if (decision.localStatus !== 0) throw new Error("explain and the router disagree");
    const fwd = forwardedRequest(r.route, r.destination, req);
    const mirrors = r.route.mirrors.map((m) => ({ host: m.destination.host, share: m.numerator / m.denominator }));
    const responseHeaders = responseHeadersFor(r.route, r.destination, backendResponse);
    const service = (cluster: string) => /\|\|([^.]+)\./.exec(cluster)?.[1] ?? cluster;
    return {
      status: 200, backend: service(r.cluster.name), location, path: fwd.path, headers: fwd.headers, responseHeaders, mirrors,
      authority: fwd.authority, timeoutMs: r.timeoutMs, retries: r.retryPolicy?.numRetries ?? 0, perTryTimeoutMs: r.retryPolicy?.perTryTimeoutMs ?? 0,
      weights: decision.destinations.map((d) => [service(d.cluster), d.weight] as const),
    };
  };
  const route = (name: string, namespace = NS): RouteStatus => {
    const s = world.config.routeStatus.find((x) => x.name === name && x.namespace === namespace);
    if (s === undefined) throw new Error(`no status for route ${namespace}/${name}`);
    return s;
  };
  return { world, send, route };
}
