// The names Envoy's config has under Istio, as `istioctl proxy-config` prints them:
// https://istio.io/latest/docs/ops/diagnostic-tools/proxy-cmd/ (listeners virtualOutbound on 15001,
// virtualInbound on 15006, 0.0.0.0_9080 with route "9080"; clusters
// outbound|9080|v2|reviews.default.svc.cluster.local; BlackHoleCluster, PassthroughCluster,
// InboundPassthroughCluster) and https://istio.io/latest/docs/tasks/security/cert-management/plugin-ca-cert/
// (`istioctl proxy-config secret`: "default" is the workload's cert chain, "ROOTCA" the root).
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { meshsimAll, scenarioFiles, type CliResult } from "./meshsim-cli.js";

const BOOKINFO = path.resolve(import.meta.dirname, "../../scenarios/bookinfo");
const file = scenarioFiles({
  "sim.yaml": `apiVersion: meshsim.dev/v1alpha1
kind: Simulation
metadata: {name: proxy-config}
spec:
  duration: 1s
  include: [${BOOKINFO}/bookinfo.yaml, ${BOOKINFO}/workloads.yaml, ${BOOKINFO}/networking/destination-rule-all.yaml]
`,
});
const KINDS = ["listeners", "routes", "clusters", "endpoints", "secrets"];
const results = new Map<string, CliResult>();
beforeAll(async () => {
  const rs = await meshsimAll(KINDS.map((k) => ["proxy-config", k, "productpage-v1-0", file, "-o", "json"]));
  KINDS.forEach((k, i) => results.set(k, rs[i]!));
}, 60_000);
const json = (what: string) => {
  const r = results.get(what)!;
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>[];
};
const names = (rows: Record<string, unknown>[], key = "name") => rows.map((r) => r[key]);

describe("proxy-config of productpage's sidecar", () => {
  it("listeners: virtualOutbound (15001), virtualInbound (15006), 0.0.0.0_9080", () => {
    const rows = json("listeners");
    expect(names(rows)).toEqual(expect.arrayContaining(["virtualOutbound", "virtualInbound", "0.0.0.0_9080"]));
    expect(rows.find((r) => r.name === "virtualOutbound")!.port).toBe(15001);
    expect(rows.find((r) => r.name === "virtualInbound")!.port).toBe(15006);
  });
  it("routes: the route table of port 9080 is named \"9080\", with virtual host reviews.default.svc.cluster.local:9080", () => {
    const rows = json("routes");
    expect(new Set(names(rows))).toEqual(new Set(["9080"]));
    expect(JSON.stringify(rows)).toContain("reviews.default.svc.cluster.local:9080");
  });
  it("clusters: outbound|port|subset|fqdn per subset, inbound|9080||, and Istio's three fixed clusters", () => {
    const n = names(json("clusters"));
    expect(n).toEqual(expect.arrayContaining([
      "outbound|9080||reviews.default.svc.cluster.local", "outbound|9080|v2|reviews.default.svc.cluster.local",
      "inbound|9080||", "BlackHoleCluster", "PassthroughCluster", "InboundPassthroughCluster",
    ]));
  });
  it("endpoints: the v2 subset's cluster holds only reviews-v2's pod, on its container port", () => {
    const rows = json("endpoints").filter((r) => r.cluster === "outbound|9080|v2|reviews.default.svc.cluster.local");
    expect(rows.length).toBe(1);
    expect(String(rows[0]!.endpoint)).toMatch(/:9080$/);
    expect(rows[0]!.status).toBe("HEALTHY");
  });
  it("secrets: \"default\" is the workload's certificate chain (24 h) and \"ROOTCA\" the root", () => {
    const rows = json("secrets");
    expect(names(rows, "resourceName")).toEqual(["default", "ROOTCA"]);
    expect(rows[0]!.type).toBe("Cert Chain");
    expect(rows[0]!.validCert).toBe(true);
    expect(rows[0]!.notAfter).toBe("+1d0h00m00s");
  });
});
