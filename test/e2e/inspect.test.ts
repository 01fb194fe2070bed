// `meshsim explain` and `meshsim proxy-config` name what real Istio names (virtualOutbound,
// 0.0.0.0_9080, route table "9080", outbound|9080|v2|reviews.default.svc.cluster.local) and follow the
// config a proxy holds at the given time.
import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { ROOT, meshsim } from "../support/cli.js";

describe("meshsim explain", () => {
  it("walks jason's request to reviews v2 through listener, route, cluster and endpoint", () => {
    const r = meshsim("explain", "scenarios/bookinfo/request-routing.yaml", "--from", "productpage-v1",
      "--request", "GET http://reviews:9080/reviews/0 -H end-user:jason", "--at", "40s");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/ISTIO_REDIRECT/);
    expect(r.stdout).toMatch(/virtualOutbound/);
    expect(r.stdout).toMatch(/0\.0\.0\.0_9080/);
    expect(r.stdout).toMatch(/Route table "9080"/);
    expect(r.stdout).toMatch(/MATCHES/);
    expect(r.stdout).toMatch(/outbound\|9080\|v2\|reviews\.default\.svc\.cluster\.local/);
    expect(r.stdout).toMatch(/reviews-v2-0/);
    expect(r.stdout).toMatch(/virtualInbound/);
  });

  it("shows istiod's default route where no VirtualService applies, and another user not matching jason's rule", () => {
    const plain = meshsim("explain", "scenarios/bookinfo/simulation.yaml", "--from", "productpage-v1", "--request", "GET http://reviews:9080/reviews/0");
    expect(plain.stdout).toMatch(/default route/);
    expect(plain.stdout).toMatch(/outbound\|9080\|\|reviews\.default\.svc\.cluster\.local/);
    const other = meshsim("explain", "scenarios/bookinfo/request-routing.yaml", "--from", "productpage-v1",
      "--request", "GET http://reviews:9080/reviews/0 -H end-user:alice", "--at", "40s");
    expect(other.stdout).toMatch(/route 0 .*does not match/);
    expect(other.stdout).toMatch(/outbound\|9080\|v1\|reviews/);
  });
});

describe("meshsim proxy-config", () => {
  it("lists listeners and clusters with Istio's names, as a table or JSON", () => {
    const l = meshsim("proxy-config", "listeners", "productpage-v1-0", "scenarios/bookinfo/simulation.yaml");
    expect(l.code).toBe(0);
    expect(l.stdout).toMatch(/virtualOutbound\s+0\.0\.0\.0\s+15001/);
    expect(l.stdout).toMatch(/virtualInbound\s+0\.0\.0\.0\s+15006/);
    const c = meshsim("proxy-config", "clusters", "productpage-v1-0", "scenarios/bookinfo/simulation.yaml", "-o", "json");
    const rows = JSON.parse(c.stdout) as { name: string }[]; // Envoy Cluster resources
    expect(rows.map((x) => x.name)).toContain("outbound|9080||reviews.default.svc.cluster.local");
    expect(rows.map((x) => x.name)).toContain("PassthroughCluster");
  });

  it("exits 2 for a pod that does not exist", () => {
    const r = meshsim("proxy-config", "routes", "nope-0", "scenarios/bookinfo/simulation.yaml");
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no pod named nope-0/);
  });
});

describe("explain: the server side's security", () => {
  it("shows the TLS mode, the PeerAuthentication and the authorization decision at the given time", () => {
    const args = ["explain", "scenarios/security/authorization.yaml", "--from", "productpage-v1", "--request", "GET http://details:9080/details/0"];
    const before = spawnSync(process.execPath, ["bin/meshsim.js", ...args, "--at", "30s"], { cwd: ROOT, encoding: "utf8" }).stdout;
    const after = spawnSync(process.execPath, ["bin/meshsim.js", ...args, "--at", "50s"], { cwd: ROOT, encoding: "utf8" }).stdout;
    expect(before).toMatch(/TLS mode ISTIO_MUTUAL \(auto-mtls\)/);
    expect(before).toMatch(/authorization: DENIED ⇒ 403 "RBAC: access denied"/);
    expect(after).toMatch(/authorization: allowed \(allow-matched, default\/details-viewer\)/);
  });
});

describe("explain --request takes a method and URL, plus -H headers, nothing else", () => {
  it.each([
    ["a curl command line", `curl -H "end-user: jason" http://reviews:9080/`],
    ["an option other than -H", "GET http://reviews:9080/ -X POST"],
    ["a URL without scheme", "GET reviews:9080/"],
    ["-H without name: value", "GET http://reviews:9080/ -H jason"],
  ])("%s exits 2", (_what, request) => {
    const r = meshsim("explain", "scenarios/bookinfo/request-routing.yaml", "--from", "productpage-v1", "--request", request);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--request:/);
    expect(r.stdout).toBe("");
  });

  it("a quoted -H value (curl's form) is read as one header", () => {
    const r = meshsim("explain", "scenarios/bookinfo/request-routing.yaml", "--from", "productpage-v1",
      "--request", `GET http://reviews:9080/reviews/0 -H "end-user: jason"`, "--at", "40s");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/outbound\|9080\|v2\|reviews/);
  });
});

describe("proxy-config as istioctl takes it", () => {
  it("pc alias, deploy/<name> and <pod>.<namespace>; MATCH shows each route's match", () => {
    const a = meshsim("pc", "routes", "deploy/productpage-v1", "scenarios/bookinfo/request-routing.yaml", "--at", "40s");
    expect(a.code).toBe(0);
    const reviews = a.stdout.split("\n").filter((l) => l.includes("reviews.default.svc.cluster.local:9080"));
    expect(reviews.map((l) => l.match(/(\/\*[^\s]*(?: header end-user=jason)?)\s+reviews\.default\s*$/)?.[1])).toEqual(["/* header end-user=jason", "/*"]);
    const b = meshsim("proxy-config", "routes", "productpage-v1-0.default", "scenarios/bookinfo/request-routing.yaml", "--at", "40s");
    expect(b.stdout).toBe(a.stdout);
  });

  it("clusters list the ServiceEntry's cluster; --port filters", () => {
    const r = meshsim("pc", "clusters", "sleep-0.foo", "scenarios/security/egress-endpoints.yaml", "--port", "80");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/api\.example\.com\s+80\s+-\s+outbound\s+EDS/);
    expect(r.stdout).not.toMatch(/InboundPassthroughCluster/);
  });

  it("all prints every kind; --name picks one route configuration", () => {
    const r = meshsim("pc", "all", "productpage-v1-0", "scenarios/bookinfo/simulation.yaml", "-o", "json");
    expect(r.code).toBe(0);
    const all = JSON.parse(r.stdout) as Record<string, unknown[]>;
    expect(Object.keys(all)).toEqual(["listeners", "routes", "clusters", "endpoints", "secrets"]);
    const n = meshsim("pc", "routes", "productpage-v1-0", "scenarios/bookinfo/simulation.yaml", "--name", "9080", "-o", "json");
    expect((JSON.parse(n.stdout) as { name: string }[]).map((x) => x.name)).toEqual(["9080"]);
  });
});
