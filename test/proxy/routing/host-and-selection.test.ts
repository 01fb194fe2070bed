import { describe, expect, it } from "vitest";
import type { VirtualService, VirtualServiceSpec } from "../../../src/proxy/api/networking.js";
import {
  authorityHost, authorityMatchesHost, authorityPort, expandShortHost, hostMatches, resolveHostName,
} from "../../../src/proxy/route/host-name.js";
import {
  resolveGatewayName, selectVirtualService, virtualServiceBoundTo, virtualServicesForProxy,
} from "../../../src/proxy/route/virtual-service-selection.js";

describe("host names", () => {
  it("resolves only dot-free short names, in the resource's namespace", () => {
    expect(resolveHostName("reviews", "foo")).toBe("reviews.foo.svc.cluster.local");
    expect(resolveHostName("reviews.bar", "foo")).toBe("reviews.bar"); // istiod does not expand dotted names
    expect(resolveHostName("*", "foo")).toBe("*");
    expect(resolveHostName("10.0.0.1", "foo")).toBe("10.0.0.1");
    expect(resolveHostName("reviews", "foo", "example.org")).toBe("reviews.foo.svc.example.org");
  });
  it("expands Host-header short forms the way the sidecar's virtual host domains do", () => {
    expect(expandShortHost("reviews", "foo")).toBe("reviews.foo.svc.cluster.local");
    expect(expandShortHost("reviews.bar", "foo")).toBe("reviews.bar.svc.cluster.local");
    expect(expandShortHost("reviews.bar.svc", "foo")).toBe("reviews.bar.svc.cluster.local");
    expect(expandShortHost("reviews.bar.svc.cluster.local", "foo")).toBeUndefined();
  });
  it("wildcards match one or more labels, never the bare suffix", () => {
    expect(hostMatches("*.foo.svc.cluster.local", "reviews.foo.svc.cluster.local")).toBe(true);
    expect(hostMatches("*.foo.svc.cluster.local", "foo.svc.cluster.local")).toBe(false);
    expect(hostMatches("*.com", "a.b.com")).toBe(true);
    expect(hostMatches("*", "anything")).toBe(true);
    expect(hostMatches("Reviews.foo", "reviews.FOO")).toBe(true);
  });
  it("strips the port from an authority", () => {
    expect(authorityHost("Reviews:9080")).toBe("reviews");
    expect(authorityHost("[::1]:80")).toBe("[::1]");
    expect(authorityPort("reviews:9080")).toBe(9080);
    expect(authorityPort("reviews")).toBeUndefined();
  });
  it("matches an authority against a VS host", () => {
    const fqdn = "reviews.bar.svc.cluster.local";
    expect(authorityMatchesHost("reviews.bar:9080", fqdn, "foo")).toBe(true);
    expect(authorityMatchesHost("reviews", fqdn, "foo")).toBe(false); // short name only from namespace bar
    expect(authorityMatchesHost("reviews", fqdn, "bar")).toBe(true);
    expect(authorityMatchesHost("reviews.bar.svc.cluster.local.", fqdn, "foo")).toBe(true);
    expect(authorityMatchesHost("ratings.bar", "*.bar.svc.cluster.local", "foo")).toBe(true);
    expect(authorityMatchesHost("google.com:80", "google.com", "foo")).toBe(true);
  });
});

let n = 0;
function vs(name: string, namespace: string, spec: Partial<VirtualServiceSpec>, creationIndex = n++): VirtualService {
  return {
    kind: "VirtualService", apiVersion: "networking.istio.io/v1",
    metadata: { name, namespace, labels: {}, annotations: {}, creationIndex },
    spec: { hosts: ["reviews"], ...spec },
  };
}
const sidecarIn = (namespace: string) => ({ namespace, labels: {} });
const REVIEWS = "reviews.default.svc.cluster.local";

describe("which VirtualService applies", () => {
  it("gateways omitted ⇒ mesh; bound only to gateways ⇒ not for sidecars, and vice versa", () => {
    const meshOnly = vs("a", "default", {});
    const gwOnly = vs("b", "default", { gateways: ["my-gw"] });
    const both = vs("c", "default", { gateways: ["mesh", "istio-system/ingress"] });
    const side = sidecarIn("default");
    const gw = { namespace: "default", labels: {}, gateway: "default/my-gw" };
    expect([meshOnly, gwOnly, both].map((v) => virtualServiceBoundTo(v, side))).toEqual([true, false, true]);
    expect([meshOnly, gwOnly, both].map((v) => virtualServiceBoundTo(v, gw))).toEqual([false, true, false]);
    expect(resolveGatewayName("my-gw", "ns1")).toBe("ns1/my-gw");
    expect(resolveGatewayName("my-gw.ns2.svc.cluster.local", "ns1")).toBe("ns2/my-gw");
  });

  it("exportTo limits visibility", () => {
    const priv = vs("p", "default", { exportTo: ["."] });
    const toFoo = vs("e", "default", { exportTo: ["foo"] });
    const none = vs("n", "default", { exportTo: ["~"] });
    expect(virtualServicesForProxy([priv, toFoo, none], sidecarIn("default"))).toEqual([priv]);
    expect(virtualServicesForProxy([priv, toFoo, none], sidecarIn("foo"))).toEqual([toFoo]);
  });

  it("one VS per host: private first, then exported, then public, oldest first", () => {
    const publicOld = vs("old", "other", { hosts: [REVIEWS] }, 1);
    const publicNew = vs("new", "other", { hosts: [REVIEWS] }, 2);
    expect(selectVirtualService([publicNew, publicOld], REVIEWS, sidecarIn("default"))).toBe(publicOld);
    const priv = vs("local", "default", { exportTo: ["."] }, 9);
    expect(selectVirtualService([publicOld, priv], REVIEWS, sidecarIn("default"))).toBe(priv);
    const exported = vs("exp", "other", { hosts: [REVIEWS], exportTo: ["default"] }, 5);
    expect(selectVirtualService([publicOld, exported], REVIEWS, sidecarIn("default"))).toBe(exported);
  });

  it("short VS hosts resolve in the VS namespace", () => {
    const inFoo = vs("r", "foo", { hosts: ["reviews"] });
    expect(selectVirtualService([inFoo], REVIEWS, sidecarIn("default"))).toBeUndefined();
    expect(selectVirtualService([inFoo], "reviews.foo.svc.cluster.local", sidecarIn("default"))).toBe(inFoo);
  });

  it("exact host beats wildcard; more specific wildcard beats broader", () => {
    const star = vs("star", "default", { hosts: ["*"] }, 1);
    const ns = vs("ns", "default", { hosts: ["*.default.svc.cluster.local"] }, 2);
    const exact = vs("exact", "default", { hosts: [REVIEWS] }, 3);
    expect(selectVirtualService([star, ns, exact], REVIEWS, sidecarIn("default"))).toBe(exact);
    expect(selectVirtualService([star, ns], REVIEWS, sidecarIn("default"))).toBe(ns);
    expect(selectVirtualService([star], REVIEWS, sidecarIn("default"))).toBe(star);
    expect(selectVirtualService([ns], "ratings.other.svc.cluster.local", sidecarIn("default"))).toBeUndefined();
  });
});
