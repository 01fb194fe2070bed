// Which Sidecar applies to a proxy and which services its egress hosts admit, as istiod's SidecarScope.
import { describe, expect, it } from "vitest";
import { egressAdmits, sidecarFor, sidecarScope } from "../../src/config/sidecar-scope.js";
import { applyResources } from "../../src/config/mesh-config.js";
import type { Sidecar } from "../../src/proxy/api/networking.js";
import type { AnyResource } from "../../src/scenario/model.js";
import { emptyConfig } from "../xds/xds-harness.js";

let idx = 0;
function sidecar(name: string, namespace: string, spec: Sidecar["spec"]): Sidecar {
  return { kind: "Sidecar", apiVersion: "networking.istio.io/v1", metadata: { name, namespace, labels: {}, annotations: {}, creationIndex: idx++ }, spec } as Sidecar;
}
const HOSTS = [
  { fqdn: "a.x.svc.cluster.local", namespace: "x" },
  { fqdn: "b.x.svc.cluster.local", namespace: "x" },
  { fqdn: "c.y.svc.cluster.local", namespace: "y" },
  { fqdn: "istiod.istio-system.svc.cluster.local", namespace: "istio-system" },
];

describe("sidecarFor", () => {
  const root = sidecar("default", "istio-system", { egress: [{ hosts: ["./*"] }] });
  const nsDefault = sidecar("default", "x", { egress: [{ hosts: ["*/*"] }] });
  const selected = sidecar("api", "x", { workloadSelector: { labels: { app: "api" } }, egress: [{ hosts: ["y/*"] }] });
  const all = [root, nsDefault, selected];

  it("prefers a workloadSelector match, then the namespace default, then the root namespace's", () => {
    expect(sidecarFor(all, "x", { app: "api" }, "istio-system")).toBe(selected);
    expect(sidecarFor(all, "x", { app: "web" }, "istio-system")).toBe(nsDefault);
    expect(sidecarFor(all, "y", { app: "api" }, "istio-system")).toBe(root);
    expect(sidecarFor([nsDefault], "y", {}, "istio-system")).toBeUndefined();
  });

  it("takes the oldest of several candidates", () => {
    const older = sidecar("z-old", "q", {});
    const newer = sidecar("a-new", "q", {});
    expect(sidecarFor([newer, older], "q", {}, "istio-system")).toBe(older);
  });
});

describe("egress hosts", () => {
  it("reads ns/dns with '.' as the proxy's namespace, '*' as any and '~' as none", () => {
    const a = HOSTS[0]!, c = HOSTS[2]!;
    expect(egressAdmits("./*", a, "x")).toBe(true);
    expect(egressAdmits("./*", c, "x")).toBe(false);
    expect(egressAdmits("*/*", c, "x")).toBe(true);
    expect(egressAdmits("y/c.y.svc.cluster.local", c, "x")).toBe(true);
    expect(egressAdmits("y/d.y.svc.cluster.local", c, "x")).toBe(false);
    expect(egressAdmits("*/*.y.svc.cluster.local", c, "x")).toBe(true);
    expect(egressAdmits("~/*", a, "x")).toBe(false);
  });

  it("a root-namespace default of ./* and istio-system/* keeps each namespace to itself", () => {
    const cfg = applyResources(emptyConfig(), [sidecar("default", "istio-system", { egress: [{ hosts: ["./*", "istio-system/*"] }] }) as unknown as AnyResource]).config;
    expect([...sidecarScope(cfg, HOSTS, "x", {}, "istio-system").hosts].sort()).toEqual([
      "a.x.svc.cluster.local", "b.x.svc.cluster.local", "istiod.istio-system.svc.cluster.local"]);
    expect([...sidecarScope(cfg, HOSTS, "y", {}, "istio-system").hosts].sort()).toEqual([
      "c.y.svc.cluster.local", "istiod.istio-system.svc.cluster.local"]);
    // No Sidecar at all: everything.
    expect(sidecarScope(emptyConfig(), HOSTS, "y", {}, "istio-system").hosts.size).toBe(4);
  });
});

describe("sidecarScope's cache", () => {
  it("one config with two host lists (gateways of two runs share a Sidecar-less config) gives each list's hosts", () => {
    const cfg = emptyConfig();
    const other = [{ fqdn: "backend.shop.svc.cluster.local", namespace: "shop" }];
    expect(sidecarScope(cfg, HOSTS, "default", {}, "istio-system").hosts.size).toBe(4);
    expect([...sidecarScope(cfg, other, "default", {}, "istio-system").hosts]).toEqual(["backend.shop.svc.cluster.local"]);
  });
});

describe("ServiceEntry exportTo (push_context.go IsServiceVisible)", () => {
  const se = (exportTo: string[]) => [{ fqdn: "api.example.com", namespace: "ext", exportTo }];
  const sees = (exportTo: string[], ns: string) => sidecarScope(emptyConfig(), se(exportTo), ns, {}, "istio-system").hosts.has("api.example.com");
  it("'.' keeps the host to its own namespace; names and '*' export it; '~' hides it; none given is '*'", () => {
    expect(sees(["."], "ext")).toBe(true);
    expect(sees(["."], "foo")).toBe(false);
    expect(sees(["foo"], "foo")).toBe(true);
    expect(sees(["foo"], "ext")).toBe(false);
    expect(sees(["*"], "foo")).toBe(true);
    expect(sees(["~"], "ext")).toBe(false);
    expect(sees([], "foo")).toBe(true);
  });
});
