// ztunnel's WDS config as data (xds/translation/ztunnel-config.ts) and `meshsim ztunnel-config`: the
// waypoint bindings equal those the run's ztunnels route by, policies are converted as istiod converts
// them for ztunnel (an ALLOW rule with HTTP attributes dropped), field names are those istioctl decodes
// (istioctl/pkg/writer/ztunnel/configdump/api.go), and proxy-config works on a waypoint's Envoy.
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { worldZtunnelConfig, ztunnelConfigCommand } from "../../src/cli/ztunnel-config-command.js";
import { proxyConfigCommand } from "../../src/cli/inspect-commands.js";
import { UsageError } from "../../src/cli/exit.js";
import type { World } from "../../src/mesh/world.js";
import { convertPolicy } from "../../src/xds/translation/ztunnel-config.js";
import type { AuthorizationPolicy } from "../../src/proxy/api/security.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../../scenarios", f);

function worldAt(file: string, ms: number): World {
  const w = createWorld(loadScenario(S(file))).world;
  w.advance(ms);
  return w;
}

/** The json tags of istioctl's ZtunnelWorkload, ZtunnelService, ZtunnelPolicy and PolicyMatch. */
const WORKLOAD_FIELDS = ["uid", "workloadIps", "waypoint", "networkGateway", "protocol", "name", "namespace", "serviceAccount", "workloadName", "workloadType", "canonicalName", "canonicalRevision", "clusterId", "trustDomain", "locality", "node", "network", "status", "hostname", "applicationTunnel", "authorizationPolicies"];
const SERVICE_FIELDS = ["name", "namespace", "hostname", "vips", "ports", "loadBalancer", "waypoint", "endpoints", "subjectAltNames", "ipFamilies"];
const POLICY_FIELDS = ["name", "namespace", "scope", "action", "rules"];
const MATCH_FIELDS = ["namespaces", "notNamespaces", "principals", "notPrincipals", "sourceIps", "notSourceIps", "destinationIps", "notDestinationIps", "destinationPorts", "notDestinationPorts", "serviceAccounts", "notServiceAccounts"];

function captureStdout(f: () => number): string {
  let out = "";
  const spy = vi.spyOn(process.stdout, "write").mockImplementation((s: string | Uint8Array) => {
    out += String(s);
    return true;
  });
  try {
    expect(f()).toBe(0);
  } finally {
    spy.mockRestore();
  }
  return out;
}

afterEach(() => vi.restoreAllMocks());

describe("ztunnel's WDS config", () => {
  const world = worldAt("ambient/waypoint-traffic-shifting.yaml", 0);
  const cfg = worldZtunnelConfig(world);

  it("binds each Service to the waypoint the run's ztunnels send it to", () => {
    const hop = world.ambient!.path.waypoints!;
    expect(cfg.services.length).toBe(world.registry.byFqdn.size);
    for (const s of cfg.services) {
      const run = hop.waypointFor(s.hostname);
      expect(s.waypoint?.destination, s.hostname).toBe(run === undefined ? undefined : `default/${run}`);
    }
    expect(cfg.services.find((s) => s.name === "reviews")!.waypoint).toEqual({ destination: "default/waypoint.default.svc.cluster.local" });
    // The waypoint's own Service has none.
    expect(cfg.services.find((s) => s.name === "waypoint")!.waypoint).toBeUndefined();
    expect(Object.keys(cfg.services.find((s) => s.name === "reviews")!.endpoints)).toEqual(
      ["reviews-v1-0", "reviews-v2-0", "reviews-v3-0"].map((p) => `Kubernetes//Pod/default/${p}`));
  });

  it("reaches ambient pods over HBONE and the waypoint's pod (not captured) over TCP", () => {
    const byName = new Map(cfg.workloads.map((w) => [w.name, w]));
    expect(byName.get("productpage-v1-0")!.protocol).toBe("HBONE");
    expect(byName.get("waypoint-0")!.protocol).toBe("TCP");
    expect(byName.get("productpage-v1-0")!.serviceAccount).toBe("bookinfo-productpage");
    expect([...byName.keys()].some((n) => n.startsWith("ztunnel"))).toBe(false);
  });

  it("uses istioctl's field names only", () => {
    for (const w of cfg.workloads) for (const k of Object.keys(w)) expect(WORKLOAD_FIELDS, k).toContain(k);
    for (const s of cfg.services) for (const k of Object.keys(s)) expect(SERVICE_FIELDS, k).toContain(k);
  });
});

describe("ztunnel's policies", () => {
  it("drops an ALLOW rule with HTTP attributes (deny all), keeps the L4 rule that replaces it", () => {
    const during = worldZtunnelConfig(worldAt("ambient/l7-authz-without-waypoint.yaml", 30_000));
    expect(during.policies).toEqual([{ name: "reviews-viewer", namespace: "default", scope: "WorkloadSelector", action: "Allow", rules: [] }]);
    const reviews = during.workloads.filter((w) => w.workloadName.startsWith("reviews"));
    expect(reviews.length).toBe(3);
    for (const w of reviews) expect(w.authorizationPolicies).toEqual(["default/reviews-viewer"]);
    expect(during.workloads.find((w) => w.name === "productpage-v1-0")!.authorizationPolicies).toBeUndefined();
    const after = worldZtunnelConfig(worldAt("ambient/l7-authz-without-waypoint.yaml", 60_000));
    expect(after.policies[0]!.rules).toEqual([[[{ principals: [{ Exact: "cluster.local/ns/default/sa/bookinfo-productpage" }] }]]]);
    for (const p of after.policies) {
      for (const k of Object.keys(p)) expect(POLICY_FIELDS).toContain(k);
      for (const m of p.rules.flat(2)) for (const k of Object.keys(m)) expect(MATCH_FIELDS).toContain(k);
    }
  });
});

describe("convertPolicy writes what istiod sends ztunnel (authorization.go handleRule, stringToMatch)", () => {
  const ap = (action: "ALLOW" | "DENY", rules: AuthorizationPolicy["spec"]["rules"]): AuthorizationPolicy =>
    ({ kind: "AuthorizationPolicy", apiVersion: "security.istio.io/v1", metadata: { name: "p", namespace: "ns", labels: {}, annotations: {}, creationIndex: 0 }, spec: { action, rules } }) as AuthorizationPolicy;
  it("a DENY's HTTP-only entry or `when` becomes an empty match, which ztunnel skips", () => {
    expect(convertPolicy(ap("DENY", [{ to: [{ operation: { methods: ["POST"] } }] }])).rules).toEqual([[[{}]]]);
    expect(convertPolicy(ap("DENY", [{ when: [{ key: "remote.ip", values: ["10.0.0.1"] }] }])).rules).toEqual([[[{}]]]);
    expect(convertPolicy(ap("DENY", [{ when: [{ key: "destination.ip", values: ["10.0.0.1"] }] }])).rules).toEqual([[[{ destinationIps: ["10.0.0.1"] }]]]);
  });
  it("principals and namespaces with * become Presence, Suffix and Prefix matches", () => {
    expect(convertPolicy(ap("ALLOW", [{ from: [{ source: { principals: ["*", "*/sa/reviews", "cluster.local/ns/a/*"], namespaces: ["x"] } }] }])).rules).toEqual([[[{
      namespaces: [{ Exact: "x" }], principals: [{ Presence: [] }, { Suffix: "/sa/reviews" }, { Prefix: "cluster.local/ns/a/" }],
    }]]]);
  });
});

describe("meshsim ztunnel-config", () => {
  it("prints istioctl's workload table and ztunnel's config_dump", () => {
    const table = captureStdout(() => ztunnelConfigCommand({ kind: "workloads", scenario: S("ambient/waypoint-traffic-shifting.yaml") }));
    expect(table.split("\n")[0]).toMatch(/^NAMESPACE\s+POD NAME\s+ADDRESS\s+NODE\s+WAYPOINT\s+PROTOCOL$/);
    expect(table).toMatch(/default\s+productpage-v1-0\s+10\.\S+\s+-\s+None\s+HBONE/);
    const svc = captureStdout(() => ztunnelConfigCommand({ kind: "services", scenario: S("ambient/waypoint-traffic-shifting.yaml") }));
    expect(svc).toMatch(/default\s+reviews\s+10\.96\.\S+\s+waypoint\s+3\/3/);
    const dump = JSON.parse(captureStdout(() => ztunnelConfigCommand({ kind: "all", scenario: S("ambient/bookinfo-ambient.yaml"), output: "json" }))) as Record<string, unknown[]>;
    expect(Object.keys(dump)).toEqual(["workloads", "services", "policies", "certificates"]);
    expect(dump["certificates"]).toContainEqual({ identity: "spiffe://cluster.local/ns/default/sa/bookinfo-reviews", state: "Available", certChain: [] });
  });

  it("is an input error without ambient mode, or for a node with no ztunnel", () => {
    expect(() => ztunnelConfigCommand({ kind: "workloads", scenario: S("bookinfo/simulation.yaml") })).toThrow(UsageError);
    expect(() => ztunnelConfigCommand({ kind: "workloads", scenario: S("ambient/bookinfo-ambient.yaml"), node: "nope" })).toThrow(/no ztunnel on a node named nope/);
    expect(() => ztunnelConfigCommand({ kind: "nope", scenario: S("ambient/bookinfo-ambient.yaml") })).toThrow(/unknown config kind/);
  });
});

describe("proxy-config on a waypoint", () => {
  it("shows the Envoy's routes with the HTTPRoute it applies, and its clusters", () => {
    const routes = captureStdout(() => proxyConfigCommand({ kind: "routes", pod: "deploy/waypoint", scenario: S("ambient/waypoint-traffic-shifting.yaml") }));
    expect(routes).toMatch(/reviews\.default\.svc\.cluster\.local:9080\s.*\/\*\s+default~9080~reviews/);
    const clusters = JSON.parse(captureStdout(() => proxyConfigCommand({ kind: "clusters", pod: "waypoint-0", scenario: S("ambient/waypoint-traffic-shifting.yaml"), output: "json" }))) as { name: string }[];
    expect(clusters.map((c) => c.name)).toContain("outbound|9080||reviews-v2.default.svc.cluster.local");
  });

  it("refuses an ambient pod, which has no Envoy of its own, pointing at ztunnel-config", () => {
    expect(() => proxyConfigCommand({ kind: "routes", pod: "productpage-v1-0", scenario: S("ambient/bookinfo-ambient.yaml") })).toThrow(/ambient mesh.*ztunnel-config/);
  });
});
