// `meshsim explain` from an ambient pod must say what the simulation does. The running world's ztunnels
// are observed — every new connection's choice (mesh/ztunnel/ztunnel-path.ts onConnection: waypoint or
// not, the pod it pinned, HBONE or plaintext) and every destination ztunnel's admission
// (ztunnel-inbound.ts admit) — and at that same simulated instant explain's decision for the same client
// and Service must agree: the waypoint, a candidate set holding the pod the run chose, the same HBONE
// decision, the same L4 verdict, and (through a waypoint) the Envoy's destinations holding the pod the
// waypoint sent to. Cases from scenarios/ambient/ (Istio's ambient tasks).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { ambientExplainView } from "../../src/cli/inspect-commands.js";
import { explainAmbient, type AmbientDecision } from "../../src/xds/ambient-explain.js";
import { l4Verdict } from "../../src/xds/ztunnel-inbound-decision.js";
import type { Pod } from "../../src/mesh/kube/pod.js";
import type { Origin } from "../../src/mesh/transport.js";
import type { CallTarget } from "../../src/scenario/model.js";
import type { World } from "../../src/mesh/world.js";
import { writeScenario } from "../support/scenario-text.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../../scenarios/ambient", f);

/** A sidecar client (foo) and an ambient client (bar) calling an ambient httpbin that only bar may reach (L4). */
const INTEROP = writeScenario({ "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: interop}
spec:
  duration: 3s
  mesh: {mode: ambient}
---
apiVersion: v1
kind: Namespace
metadata: {name: foo, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Namespace
metadata: {name: bar, labels: {istio.io/dataplane-mode: ambient}}
---
apiVersion: v1
kind: Service
metadata: {name: httpbin, namespace: bar}
spec:
  ports: [{name: http, port: 8000, targetPort: 8080}]
  selector: {app: httpbin}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: httpbin, namespace: bar}
spec:
  replicas: 2
  selector: {matchLabels: {app: httpbin}}
  template:
    metadata: {labels: {app: httpbin}}
    spec:
      serviceAccountName: httpbin
      containers: [{name: httpbin, image: x, ports: [{containerPort: 8080}]}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: foo}
spec:
  replicas: 1
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      serviceAccountName: sleep
      containers: [{name: sleep, image: x}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: sleep, namespace: bar}
spec:
  replicas: 1
  selector: {matchLabels: {app: sleep}}
  template:
    metadata: {labels: {app: sleep}}
    spec:
      serviceAccountName: sleep
      containers: [{name: sleep, image: x}]
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: only-bar, namespace: bar}
spec:
  action: ALLOW
  rules:
  - from: [{source: {namespaces: [bar]}}]
---
apiVersion: meshsim.dev/v1alpha1
kind: Workload
metadata: {name: httpbin, namespace: bar}
spec:
  selector: {app: httpbin}
  serviceTime: {dist: lognormal, median: 1ms, p99: 3ms}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: sidecar-client, namespace: foo}
spec: {from: sleep, target: http://httpbin.bar:8000/ip, rate: 20}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: ambient-client, namespace: bar}
spec: {from: sleep, target: http://httpbin.bar:8000/ip, rate: 20}
` });

/** Istio's helloworld on four nodes in three regions, the namespace asking ztunnel for PreferSameZone. */
const LOCALITY = writeScenario({ "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: ambient-prefer-same-zone}
spec:
  duration: 3s
  include: [${path.resolve(import.meta.dirname, "../../scenarios/locality/helloworld.yaml")}]
  mesh: {mode: ambient}
---
apiVersion: v1
kind: Namespace
metadata:
  name: default
  labels: {istio.io/dataplane-mode: ambient}
  annotations: {networking.istio.io/traffic-distribution: PreferSameZone}
---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: sleep-to-helloworld}
spec: {from: sleep, target: http://helloworld:5000/hello, rate: 50}
` });

interface Case { file: string; untilMs: number; waypoint: boolean; denied: boolean; l7Denied?: boolean }

const CASES: Case[] = [
  { file: "bookinfo-ambient.yaml", untilMs: 3_000, waypoint: false, denied: false },
  { file: "waypoint-traffic-shifting.yaml", untilMs: 3_000, waypoint: true, denied: false },
  { file: "connection-skew.yaml", untilMs: 2_000, waypoint: false, denied: false },
  { file: "l7-authz-without-waypoint.yaml", untilMs: 23_000, waypoint: false, denied: true },
  // Until 40 s the policy on reviews allows GET, then only POST: the waypoint answers 403.
  { file: "l7-authz-with-waypoint.yaml", untilMs: 45_000, waypoint: true, denied: false, l7Denied: true },
  { file: INTEROP, untilMs: 2_000, waypoint: false, denied: true },
  { file: LOCALITY, untilMs: 2_000, waypoint: false, denied: false },
];

function targetFor(world: World, fqdn: string): CallTarget {
  const svc = world.registry.byFqdn.get(fqdn)!;
  const port = svc.spec.ports[0]!.port;
  return { scheme: "http", host: svc.spec.metadata.name, port, path: "/", resolved: { kind: "service", name: svc.spec.metadata.name, namespace: svc.spec.metadata.namespace, fqdn } };
}

function decide(world: World, from: Pod, fqdn: string): AmbientDecision {
  const t = targetFor(world, fqdn);
  return explainAmbient(ambientExplainView(world, from), { method: "GET", scheme: "http", authority: `${t.host}:${t.port}`, path: "/", headers: {} }, t).decision;
}

describe("ambient explain agrees with the run", () => {
  for (const c of CASES) {
    it(c.file === INTEROP ? "interop: a sidecar client (denied at L4) and an ambient client (allowed) to an ambient server"
      : c.file === LOCALITY ? "PreferSameZone: only the same-zone endpoint, as the run picks" : c.file, () => {
      const world = createWorld(loadScenario(S(c.file))).world;
      const ambient = world.ambient!;
      let connections = 0, throughWaypoint = 0, admits = 0, denials = 0, waypointSends = 0;
      const seen = new Set<string>();
      /** Per ambient client: the pods explain's waypoint Envoy may send its requests to. */
      const viaWaypoint = new Map<Pod, Set<string>>();
      ambient.path.onConnection = (conn) => {
        connections++;
        // One explain per (client, service, config, endpoint set) keeps the test quick; each new one is checked.
        const key = `${conn.from.id}|${conn.service}|${world.config.version}|${conn.dest.id}`;
        if (seen.has(key)) return;
        seen.add(key);
        const d = decide(world, conn.from, conn.service);
        expect(d.path, key).toBe("ambient");
        expect(d.waypoint !== "", `${key}: waypoint`).toBe(conn.toWaypoint);
        const cand = d.candidates.find((x) => x.pod === conn.dest.id);
        expect(cand, `${key}: the run's pod is one explain lists (${d.candidates.map((x) => x.pod).join(", ")})`).toBeDefined();
        expect(cand!.hbone, `${key}: HBONE`).toBe(conn.mtls);
        if (conn.toWaypoint) {
          throughWaypoint++;
          let set = viaWaypoint.get(conn.from);
          if (set === undefined) viaWaypoint.set(conn.from, (set = new Set()));
          for (const x of d.envoy!.destinations) for (const e of x.endpoints) set.add(e);
        }
        else if (conn.dest.ambient) {
          const v = d.l4.find((x) => x.pod === conn.dest.id);
          expect(v, `${key}: an L4 verdict for the pod`).toBeDefined();
          expect(v!.allowed, `${key}: L4`).toBe(l4Verdict(world.config, conn.dest, conn.from, conn.mtls, world.registry.byFqdn.get(conn.service)!.targetPort(targetFor(world, conn.service).port)).allowed);
        }
      };
      const inbound = ambient.inbound;
      const admit = inbound.admit.bind(inbound);
      inbound.admit = (pod: Pod, origin: Origin, mtls: boolean, port: number): boolean => {
        const ok = admit(pod, origin, mtls, port);
        admits++;
        if (!ok) denials++;
        const peer = origin.pod as Pod | null;
        expect(l4Verdict(world.config, pod, peer, mtls, port).allowed, `${peer?.id ?? "outside"} → ${pod.id}:${port}`).toBe(ok);
        // Through a waypoint: the pod the waypoint sent to is among explain's Envoy destinations.
        const client = origin.client as Pod | null | undefined;
        if (peer !== null && client != null && client !== peer && client.ambient) {
          waypointSends++;
          expect([...(viaWaypoint.get(client) ?? [])], `${client.id} via ${peer.id} → ${pod.id}`).toContain(pod.name);
        }
        return ok;
      };
      // The waypoint's L7 authorization: the run's answer (a 403 before any routing) equals explain's.
      let l7Checked = 0, l7Denials = 0;
      const hop = ambient.path.waypoints;
      if (hop !== null) {
        const arrive = hop.arrive.bind(hop);
        const verdicts = new Map<string, boolean>();
        hop.arrive = (pod, origin, req, responder, conn) => {
          let local = 0;
          const watch = { onResponse: (status: number, flags: string, bytes?: number) => { local = status; responder.onResponse(status, flags, bytes); } };
          const x = arrive(pod, origin, req, watch, conn);
          const client = origin.pod as Pod | null;
          const t = req.target.resolved;
          if (client !== null && client.ambient && t.kind === "service") {
            const key = `${client.id}|${req.method}|${req.path}|${t.fqdn}|${world.config.version}`;
            let allowed = verdicts.get(key);
            if (allowed === undefined) {
              const d = explainAmbient(ambientExplainView(world, client), { method: req.method, scheme: "http", authority: req.authority, path: req.path, headers: req.headers }, req.target).decision;
              allowed = d.waypointAuthz?.allowed ?? true;
              verdicts.set(key, allowed);
            }
            l7Checked++;
            if (!allowed) l7Denials++;
            expect(local === 403, `${key}: the waypoint's 403`).toBe(!allowed);
          }
          return x;
        };
      }
      world.advance(c.untilMs);
      if (c.waypoint) expect(l7Checked).toBeGreaterThan(0);
      expect(l7Denials > 0).toBe(c.l7Denied === true);
      expect(connections).toBeGreaterThan(0);
      expect(admits).toBeGreaterThan(0);
      expect(throughWaypoint > 0).toBe(c.waypoint);
      if (c.waypoint) expect(waypointSends).toBeGreaterThan(0);
      expect(denials > 0).toBe(c.denied);
      // Interop: the ambient client's connections are admitted, the sidecar client's are not.
      if (c.file === INTEROP) expect(admits).toBeGreaterThan(denials);
      // PreferSameZone: explain's candidates for sleep are the same-zone pod only, and the run used only it.
      if (c.file === LOCALITY) {
        const sleep = [...world.pods.values()].find((p) => p.workload === "sleep")!;
        expect(decide(world, sleep, "helloworld.default.svc.cluster.local").candidates.map((x) => x.pod)).toEqual(["helloworld-region1-zone1-0"]);
      }
    });
  }
});
