// ProxyRouting.route keeps a virtual host's answer when its first route takes every path from "/"
// to one destination (HeldVirtualHost.firstTakesAll): the kept answer must be what the route walk
// gives, and only where the walk would give it. Envoy tries the routes in order and the first whose
// match holds wins (https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/http/http_routing#route-table);
// a prefix "/" holds for a path that starts with "/" (proxy/route/route-match.ts matchHolds); a
// weighted route draws its destination per request (envoyproxy/envoy source/common/router/config_impl.cc
// WeightedClusterEntry / RouteEntryImplBase::pickWeightedCluster).
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, parseCallUrl } from "../../src/scenario/index.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { targetOf } from "../../src/cli/inspect-commands.js";
import type { World } from "../../src/mesh/world.js";
import type { OutgoingRequest } from "../../src/mesh/transport.js";
import { writeScenario } from "../support/scenario-text.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../../scenarios", f);

let world: World | undefined;
function w(): World {
  world ??= createWorld(loadScenario(writeScenario({
    "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: every-path}
spec:
  duration: 1s
  include: [${S("security/sleep-httpbin.yaml")}]
---
apiVersion: v1
kind: Service
metadata: {name: sleep, namespace: foo}
spec: {selector: {app: sleep}, ports: [{name: http, port: 80}]}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: split, namespace: foo}
spec:
  hosts: [httpbin.bar.svc.cluster.local]
  http:
  - route:
    - {destination: {host: httpbin.bar.svc.cluster.local, port: {number: 8000}}, weight: 50}
    - {destination: {host: httpbin.foo.svc.cluster.local, port: {number: 8000}}, weight: 50}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: canary, namespace: foo}
spec:
  hosts: [sleep.foo.svc.cluster.local]
  http:
  - match: [{headers: {x-canary: {exact: "1"}}}]
    route: [{destination: {host: httpbin.foo.svc.cluster.local, port: {number: 8000}}}]
  - route: [{destination: {host: httpbin.bar.svc.cluster.local, port: {number: 8000}}}]
`,
  }))).world;
  return world;
}

// One call target per host and port, as an app's calls hold theirs (a proxy keeps its virtual host per target).
const targets = new Map<string, ReturnType<typeof targetOf>>();
function route(url: string, draw: () => number, headers: Record<string, string> = {}, rawPath?: string) {
  const world = w();
  const pod = [...world.pods.values()].find((p) => p.workload === "sleep" && p.namespace === "foo")!;
  const u = parseCallUrl(url);
  const key = `${u.host}:${u.port}`;
  let target = targets.get(key);
  if (target === undefined) targets.set(key, (target = targetOf(world, pod, u)));
  const req: OutgoingRequest = { method: "GET", scheme: "http", authority: `${u.host}:${u.port}`, path: rawPath ?? u.path, headers, target };
  return world.sidecars.d.routing.route(pod, req, draw);
}

const where = (r: ReturnType<typeof route>) => (r.kind === "cluster" ? r.cluster?.name ?? "(none)" : r.kind === "external" ? r.service : `local ${r.status} ${r.flags}`);

describe("a virtual host's answer kept for every path from /", () => {
  it("is the walk's answer, the same object each time, for any path from /", () => {
    const first = route("http://httpbin.foo:8000/get", () => 0);
    expect(where(first)).toBe("outbound|8000||httpbin.foo.svc.cluster.local");
    for (const p of ["/", "/status/418", "/anything?x=1", "/a#b"]) expect(route(`http://httpbin.foo:8000${p}`, () => 0)).toBe(first);
  });

  it("is not given to a path that does not start with /: the walk answers it (404 NR)", () => {
    expect(where(route("http://httpbin.foo:8000/get", () => 0))).toBe("outbound|8000||httpbin.foo.svc.cluster.local");
    // After the answer is kept, a path without "/" still fails the prefix "/" match.
    expect(where(route("http://httpbin.foo:8000/get", () => 0, {}, "get"))).toBe("local 404 NR");
    expect(where(route("http://httpbin.foo:8000/get", () => 0, {}, ""))).toBe("local 404 NR");
  });

  it("is not kept for a host whose first route splits by weight: one draw per request", () => {
    const url = "http://httpbin.bar:8000/get";
    let draws = 0;
    const at = (u: number) => () => (draws++, u);
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(where(route(url, at(0.1))), where(route(url, at(0.9))));
    expect(seen).toEqual(Array.from({ length: 3 }, () => ["outbound|8000||httpbin.bar.svc.cluster.local", "outbound|8000||httpbin.foo.svc.cluster.local"]).flat());
    expect(draws).toBe(6);
  });

  it("is not kept for a host whose first route has a condition", () => {
    const url = "http://sleep.foo:80/get";
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) seen.push(where(route(url, () => 0)), where(route(url, () => 0, { "x-canary": "1" })));
    expect(seen).toEqual(Array.from({ length: 3 }, () => ["outbound|8000||httpbin.bar.svc.cluster.local", "outbound|8000||httpbin.foo.svc.cluster.local"]).flat());
  });
});
