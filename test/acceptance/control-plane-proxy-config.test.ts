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

describe("proxy-config of productpage's sidecar (-o json: Envoy's own resources, as istioctl prints them)", () => {
  it("listeners: virtualOutbound (15001), virtualInbound (15006), 0.0.0.0_9080 whose HTTP connection manager reads RDS \"9080\"", () => {
    const rows = json("listeners");
    expect(names(rows)).toEqual(expect.arrayContaining(["virtualOutbound", "virtualInbound", "0.0.0.0_9080"]));
    const port = (n: string) => (rows.find((r) => r.name === n)!.address as { socketAddress: { portValue: number } }).socketAddress.portValue;
    expect(port("virtualOutbound")).toBe(15001);
    expect(port("virtualInbound")).toBe(15006);
    expect(JSON.stringify(rows.find((r) => r.name === "0.0.0.0_9080"))).toContain('"routeConfigName":"9080"');
  });
  it("routes: the RouteConfiguration of port 9080 is named \"9080\", with virtual host reviews.default.svc.cluster.local:9080", () => {
    const rows = json("routes");
    expect(new Set(names(rows))).toEqual(new Set(["9080"]));
    const vhs = rows[0]!.virtualHosts as { name: string; domains: string[] }[];
    expect(vhs.map((v) => v.name)).toContain("reviews.default.svc.cluster.local:9080");
    expect(vhs.find((v) => v.name === "reviews.default.svc.cluster.local:9080")!.domains).toEqual(expect.arrayContaining(["reviews", "reviews:9080"]));
  });
  it("clusters: outbound|port|subset|fqdn per subset, inbound|9080||, and Istio's three fixed clusters", () => {
    const n = names(json("clusters"));
    expect(n).toEqual(expect.arrayContaining([
      "outbound|9080||reviews.default.svc.cluster.local", "outbound|9080|v2|reviews.default.svc.cluster.local",
      "inbound|9080||", "BlackHoleCluster", "PassthroughCluster", "InboundPassthroughCluster",
    ]));
  });
  it("endpoints: the v2 subset's ClusterLoadAssignment holds only reviews-v2's pod, on its container port", () => {
    const cla = json("endpoints").find((r) => r.clusterName === "outbound|9080|v2|reviews.default.svc.cluster.local")!;
    const lb = (cla.endpoints as { lbEndpoints: { endpoint: { address: { socketAddress: { portValue: number } } }; healthStatus: string }[] }[]).flatMap((e) => e.lbEndpoints);
    expect(lb.length).toBe(1);
    expect(lb[0]!.endpoint.address.socketAddress.portValue).toBe(9080);
    expect(lb[0]!.healthStatus).toBe("HEALTHY");
  });
  it("secrets: \"default\" is the workload's certificate chain (24 h) and \"ROOTCA\" the root", () => {
    // Envoy's SecretsConfigDump, as `istioctl proxy-config secret -o json` prints it.
    type Dumped = { name: string; secret: Record<string, unknown>; certChain?: { validFrom: string; expirationTime: string; subjectAltNames?: { uri: string }[] }[] };
    const dump = json("secrets") as unknown as { dynamicActiveSecrets: Dumped[] };
    expect(names(dump.dynamicActiveSecrets as unknown as Record<string, unknown>[], "name")).toEqual(["default", "ROOTCA"]);
    const def = dump.dynamicActiveSecrets[0]!;
    expect(def.secret["tlsCertificate"]).toBeDefined();
    expect(dump.dynamicActiveSecrets[1]!.secret["validationContext"]).toBeDefined();
    expect(def.certChain![0]!).toMatchObject({ validFrom: "2024-01-01T00:00:00.000Z", expirationTime: "2024-01-02T00:00:00.000Z" });
    expect(def.certChain![0]!.subjectAltNames).toEqual([{ uri: "spiffe://cluster.local/ns/default/sa/bookinfo-productpage" }]);
  });
});
