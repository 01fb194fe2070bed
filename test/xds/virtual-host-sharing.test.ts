// Proxies of one shape share the virtual hosts and clusters istiod's translation gives them (translator.ts):
// the shared object must be what translating for each proxy gives, and proxies whose translation
// reads something different (labels a VirtualService's sourceLabels match, another namespace) must
// not get another's.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario, parseCallUrl } from "../../src/scenario/index.js";
import { createWorld } from "../../src/runner/run-scenario.js";
import { Translator } from "../../src/xds/translation/translator.js";
import { virtualHostFor } from "../../src/xds/translation/route-configurations.js";
import { serviceCluster } from "../../src/xds/translation/clusters.js";
import { targetOf } from "../../src/cli/inspect-commands.js";
import { Pod } from "../../src/mesh/kube/pod.js";
import { writeScenario } from "../support/scenario-text.js";

const S = (f: string) => path.resolve(import.meta.dirname, "../../scenarios", f);

/** Bookinfo with a ratings route that only reviews v2 takes (sourceLabels). */
const file = writeScenario({
  "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: shared-vh}
spec:
  duration: 1s
  include: [${S("bookinfo/bookinfo.yaml")}, ${S("bookinfo/workloads.yaml")}, ${S("bookinfo/networking/destination-rule-all.yaml")}]
  mesh: {mode: sidecar}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: ratings, namespace: default}
spec:
  hosts: [ratings]
  http:
  - match: [{sourceLabels: {version: v2}}]
    timeout: 2s
    route: [{destination: {host: ratings, subset: v1}}]
  - route: [{destination: {host: ratings, subset: v1}}]
`,
});

describe("virtual hosts shared between proxies of one shape", () => {
  const { world } = createWorld(loadScenario(file));
  const translator = world.translation as Translator;
  const reviews = [...world.pods.values()].filter((p) => p.workload.startsWith("reviews-"));
  const v2 = reviews.find((p) => p.labels.version === "v2")!;
  const v3 = reviews.find((p) => p.labels.version === "v3")!;
  const config = world.heldBy(v2).rds;
  const target = targetOf(world, v2, parseCallUrl("http://ratings:9080/ratings/0"));
  // Another replica of reviews-v2 (same namespace and labels), and one in another namespace.
  const replica = new Pod("reviews-v2-b", v2.namespace, v2.workload, { ...v2.labels }, {}, v2.serviceAccount, true, "10.9.9.9");
  const elsewhere = new Pod("reviews-v2-c", "other", v2.workload, { ...v2.labels }, {}, v2.serviceAccount, true, "10.9.9.8");

  it("is the same object for replicas, equal to translating for each", () => {
    const a = translator.virtualHost(v2, config, target);
    expect(translator.virtualHost(replica, config, target)).toBe(a);
    expect(a).toEqual(virtualHostFor(translator.input(replica, config), target));
    // The sourceLabels match holds at config time, so it is a catch-all: nothing after it is emitted.
    expect(a.routes.map((r) => r.timeoutMs)).toEqual([2000]);
  });

  it("differs where the translation reads the proxy (sourceLabels, namespace)", () => {
    const a = translator.virtualHost(v2, config, target);
    const b = translator.virtualHost(v3, config, target);
    expect(b).not.toBe(a);
    expect(b.routes.map((r) => r.timeoutMs)).toEqual([undefined]);
    expect(b).toEqual(virtualHostFor(translator.input(v3, config), target));
    const c = translator.virtualHost(elsewhere, config, target);
    expect(c).not.toBe(a);
    expect(c).toEqual(virtualHostFor(translator.input(elsewhere, config), target));
  });

  it("shares clusters the same way", () => {
    const d = translator.virtualHost(v2, config, target).routes[0]!.destinations[0]!;
    const cds = world.heldBy(v2).cds;
    const a = translator.cluster(v2, cds, d)!;
    expect(a.name).toBe("outbound|9080|v1|ratings.default.svc.cluster.local");
    expect(translator.cluster(replica, cds, d)).toBe(a);
    expect(a).toEqual(serviceCluster(translator.input(replica, cds), d.host, d.subset, d.port, d.cluster));
    const c = translator.cluster(elsewhere, cds, d);
    expect(c).not.toBe(a);
    expect(c).toEqual(serviceCluster(translator.input(elsewhere, cds), d.host, d.subset, d.port, d.cluster));
  });
});
