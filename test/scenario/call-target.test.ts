import { describe, expect, it } from "vitest";
import { parseCallUrl } from "../../src/scenario/index.js";
import type { LoadGenerator } from "../../src/scenario/index.js";
import { SIM, load, loadError } from "./scenario-files.js";

const WORLD = `---
apiVersion: v1
kind: Namespace
metadata: {name: shop}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{name: http, port: 9080}, {name: grpc, port: 9090}]
---
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: ext, namespace: egress}
spec:
  hosts: [api.example.com, "*.wild.org", legacy]
`;

function gen(target: string, namespace = "shop"): string {
  return `---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: g${Math.abs(hash(target))}, namespace: ${namespace}}
spec: {target: "${target}", rate: 1}
`;
}
function hash(s: string): number { let h = 0; for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0; return h; }

function targetOf(target: string, namespace = "shop"): LoadGenerator["target"] {
  return load({ "main.yaml": SIM + WORLD + gen(target, namespace) }).loadGenerators[0]!.target;
}

describe("parseCallUrl", () => {
  it.each([
    ["reviews", { scheme: "http", host: "reviews", path: "/" }],
    ["reviews:9080/reviews/0", { scheme: "http", host: "reviews", port: 9080, path: "/reviews/0" }],
    ["HTTPS://Api.Example.com/x?y=1", { scheme: "https", host: "api.example.com", path: "/x?y=1" }],
    ["http://a.b.svc.cluster.local:80", { scheme: "http", host: "a.b.svc.cluster.local", port: 80, path: "/" }],
    ["a?q", { scheme: "http", host: "a", path: "/?q" }],
  ])("%s", (text, parsed) => {
    expect(parseCallUrl(text)).toEqual(parsed);
  });

  it.each([["ftp://x", /unsupported scheme/], ["http://", /invalid URL/], ["a:99999", /out of range/], ["a b", /invalid URL/]])("rejects %s", (text, msg) => {
    expect(() => parseCallUrl(text)).toThrow(msg);
  });
});

describe("call targets are resolved like a pod's DNS", () => {
  const svc = { kind: "service", name: "reviews", namespace: "shop", fqdn: "reviews.shop.svc.cluster.local" };

  it.each(["reviews", "reviews.shop", "reviews.shop.svc", "reviews.shop.svc.cluster.local"])("%s is the Service, on its first port", (host) => {
    expect(targetOf(`http://${host}/x`)).toEqual({ scheme: "http", host, port: 9080, path: "/x", resolved: svc });
  });

  it("a short name resolves in the referring resource's namespace", () => {
    expect(targetOf("reviews.shop", "default").resolved).toEqual(svc);
    expect(() => targetOf("reviews", "default")).toThrow(/no Service "reviews" in namespace "default"/);
  });

  it("an explicit port must be one of the Service's", () => {
    expect(targetOf("reviews:9090").port).toBe(9090);
    expect(() => targetOf("reviews:1234")).toThrow(/Service reviews\.shop has no port 1234 \(ports: 9080, 9090\)/);
  });

  it("ServiceEntry hosts, exact and wildcard, even short ones", () => {
    expect(targetOf("https://api.example.com/v1")).toMatchObject({ port: 443, resolved: { kind: "serviceEntry", host: "api.example.com", namespace: "egress" } });
    expect(targetOf("http://x.wild.org").resolved).toEqual({ kind: "serviceEntry", host: "x.wild.org", namespace: "egress" });
    expect(targetOf("legacy:8080").resolved.kind).toBe("serviceEntry");
  });

  it("any other dotted host is external: port 80 for http, 443 for https", () => {
    expect(targetOf("httpbin.org/get")).toEqual({ scheme: "http", host: "httpbin.org", port: 80, path: "/get", resolved: { kind: "external", host: "httpbin.org" } });
    expect(targetOf("https://wild.org").port).toBe(443);
  });

  it("in-cluster names that are no Service are errors with position and path", () => {
    for (const host of ["ratings", "ratings.shop", "ratings.shop.svc.cluster.local", "x.svc.cluster.local"]) {
      const e = loadError({ "main.yaml": SIM + WORLD + gen(host) });
      expect(e.diagnostics).toHaveLength(1);
      expect(e.diagnostics[0]).toMatchObject({ severity: "error", path: "spec.target", pos: { line: 24, column: 16 } });
    }
  });

  it("a generator's `from` must name a Deployment or Gateway in its namespace", () => {
    const e = loadError({ "main.yaml": `${SIM}---\napiVersion: meshsim.dev/v1alpha1\nkind: LoadGenerator\nmetadata: {name: g}\nspec: {from: sleep, target: a.example.com, rate: 1}\n` });
    expect(e.message).toMatch(/main\.yaml:8:14: error: spec\.from: no Deployment or Gateway named "sleep" in namespace "default"/);
    const s = load({
      "main.yaml": `${SIM}---
apiVersion: meshsim.dev/v1alpha1
kind: LoadGenerator
metadata: {name: g}
spec: {from: ingress, target: a.example.com, rate: 1}
---
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: ingress}
spec:
  selector: {istio: ingressgateway}
  servers: [{port: {number: 80, name: http, protocol: HTTP}, hosts: ["*"]}]
`,
    });
    expect(s.loadGenerators[0]!.from).toEqual({ kind: "gateway", name: "ingress" });
  });
});
