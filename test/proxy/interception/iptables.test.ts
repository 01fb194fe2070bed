import { describe, expect, it } from "vitest";
import fc from "fast-check";
import {
  ALWAYS_EXCLUDED_INBOUND_PORTS, buildChains, classify, InvalidAnnotationError, iptablesSave, PROXY_UID,
} from "../../../src/proxy/interception/iptables.js";

const out = (ann: Record<string, string>, dstIp: string, dstPort: number, uid = 1000) =>
  classify(buildChains(ann), "OUTPUT", { dstIp, dstPort, uid }).redirectPort;
const inb = (ann: Record<string, string>, port: number) => classify(buildChains(ann), "PREROUTING", { dstIp: "10.0.0.5", dstPort: port }).redirectPort;

describe("istio-iptables rules", () => {
  it("by default redirects the app's outbound connections to 15001 and inbound ones to 15006", () => {
    expect(out({}, "10.96.0.20", 9080)).toBe(15001);
    expect(inb({}, 9080)).toBe(15006);
  });

  it("never captures the proxy's own traffic (uid 1337), localhost, or the always-excluded inbound ports", () => {
    expect(out({}, "10.96.0.20", 9080, PROXY_UID)).toBe(0);
    expect(out({}, "127.0.0.1", 9080)).toBe(0);
    for (const p of ALWAYS_EXCLUDED_INBOUND_PORTS) expect(inb({}, p)).toBe(0);
  });

  it("honours the exclude/include annotations", () => {
    expect(out({ "traffic.sidecar.istio.io/excludeOutboundPorts": "3306,8000" }, "10.96.0.20", 8000)).toBe(0);
    expect(out({ "traffic.sidecar.istio.io/excludeOutboundPorts": "3306,8000" }, "10.96.0.20", 9080)).toBe(15001);
    expect(out({ "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.96.0.0/12" }, "10.96.0.20", 9080)).toBe(0);
    expect(out({ "traffic.sidecar.istio.io/includeOutboundIPRanges": "10.96.0.0/12" }, "198.18.1.2", 80)).toBe(0);
    expect(out({ "traffic.sidecar.istio.io/includeOutboundIPRanges": "10.96.0.0/12" }, "10.96.0.20", 80)).toBe(15001);
    expect(inb({ "traffic.sidecar.istio.io/excludeInboundPorts": "9080" }, 9080)).toBe(0);
    expect(inb({ "traffic.sidecar.istio.io/includeInboundPorts": "8080" }, 9080)).toBe(0);
    expect(inb({ "traffic.sidecar.istio.io/includeInboundPorts": "8080" }, 8080)).toBe(15006);
  });

  it("rejects malformed annotations as istio-iptables does", () => {
    expect(() => buildChains({ "traffic.sidecar.istio.io/excludeOutboundPorts": "80,http" })).toThrow(InvalidAnnotationError);
    expect(() => buildChains({ "traffic.sidecar.istio.io/excludeOutboundIPRanges": "10.0.0.0/40" })).toThrow(InvalidAnnotationError);
  });

  it("prints the chains as iptables-save does, in Istio's order", () => {
    const text = iptablesSave(buildChains({ "traffic.sidecar.istio.io/excludeOutboundPorts": "5432" }));
    expect(text.split("\n")[0]).toBe("*nat");
    expect(text).toContain("-A ISTIO_INBOUND -p tcp --dport 15008 -j RETURN");
    expect(text.indexOf("--dport 5432 -j RETURN")).toBeLessThan(text.indexOf("-A ISTIO_OUTPUT -j ISTIO_REDIRECT"));
    expect(text.trimEnd().endsWith("COMMIT")).toBe(true);
  });
});

describe("istio-iptables rules, checked against tools/istio-iptables/pkg/capture/run.go (IptablesConfigurator.Run)", () => {
  const A = "traffic.sidecar.istio.io/";
  it("an included outbound port to an excluded range is not captured: the exclusions come first in ISTIO_OUTPUT", () => {
    // run.go appends the `-d <excluded> -j RETURN` rules before handleOutboundPortsInclude's `--dport -j ISTIO_REDIRECT`.
    const ann = { [`${A}includeOutboundIPRanges`]: "", [`${A}includeOutboundPorts`]: "9080", [`${A}excludeOutboundIPRanges`]: "10.96.0.0/12" };
    expect(out(ann, "10.96.0.20", 9080)).toBe(0);
    expect(out(ann, "198.18.1.2", 9080)).toBe(15001);
    expect(out(ann, "198.18.1.2", 80)).toBe(0);
  });

  it("an excluded outbound port beats the proxy's loopback redirect to itself (ports are the first rules of ISTIO_OUTPUT)", () => {
    const chains = buildChains({ [`${A}excludeOutboundPorts`]: "8000" });
    expect(classify(chains, "OUTPUT", { dstIp: "10.0.0.5", dstPort: 8000, uid: PROXY_UID, loopback: true }).redirectPort).toBe(0);
    expect(classify(chains, "OUTPUT", { dstIp: "10.0.0.5", dstPort: 9080, uid: PROXY_UID, loopback: true }).redirectPort).toBe(15006);
    // HBONE's port is never sent back to the inbound listener (`! --dport 15008`).
    expect(classify(chains, "OUTPUT", { dstIp: "10.0.0.5", dstPort: 15008, uid: PROXY_UID, loopback: true }).redirectPort).toBe(0);
  });

  it("a loopback range in includeOutboundIPRanges drops the `-o lo ! --uid-owner 1337 -j RETURN` rule (config.go HasLoopBackIP)", () => {
    const chains = buildChains({ [`${A}includeOutboundIPRanges`]: "127.0.0.0/8,10.96.0.0/12" });
    expect(iptablesSave(chains)).not.toContain("-o lo -m owner ! --uid-owner");
    expect(iptablesSave(buildChains({})).includes("-o lo -m owner ! --uid-owner 1337 -j RETURN")).toBe(true);
  });

  it("rejects `*` in the exclude lists and CIDRs without a prefix length, as the injector's validate.go does", () => {
    for (const k of ["excludeOutboundIPRanges", "excludeInboundPorts", "excludeOutboundPorts"]) {
      expect(() => buildChains({ [`${A}${k}`]: "*" }), k).toThrow(InvalidAnnotationError);
    }
    expect(() => buildChains({ [`${A}excludeOutboundIPRanges`]: "10.0.0.1" })).toThrow(InvalidAnnotationError);
    expect(() => buildChains({ [`${A}includeOutboundIPRanges`]: "*", [`${A}includeInboundPorts`]: "*" })).not.toThrow();
  });

  it("orders the inbound exclusions as the injection template passes them: 15090, 15021, the pod's, then 15020", () => {
    const lines = iptablesSave(buildChains({ [`${A}excludeInboundPorts`]: "9080" })).split("\n").filter((l) => l.startsWith("-A ISTIO_INBOUND"));
    expect(lines.map((l) => /--dport (\d+)/.exec(l)?.[1] ?? "*")).toEqual(["15008", "15090", "15021", "9080", "15020", "*"]);
    // A pod that already excludes 15020 does not get it twice (template.go excludeInboundPort).
    const twice = iptablesSave(buildChains({ [`${A}excludeInboundPorts`]: "15020,9080" }));
    expect(twice.split("--dport 15020 ").length - 1).toBe(1);
  });

  it("includeInboundPorts \"\" captures nothing inbound: no PREROUTING jump at all", () => {
    const chains = buildChains({ [`${A}includeInboundPorts`]: "" });
    expect(chains.get("PREROUTING")).toEqual([]);
    expect(classify(chains, "PREROUTING", { dstIp: "10.0.0.5", dstPort: 9080 }).redirectPort).toBe(0);
  });
});

describe("properties of interception", () => {
  const port = fc.integer({ min: 1, max: 65535 });
  const ip = fc.tuple(fc.integer({ min: 1, max: 223 }), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 254 })).map((a) => a.join("."));
  it("an excluded outbound port is never redirected, whatever the address; other ports always are (include *)", () => {
    fc.assert(fc.property(fc.uniqueArray(port, { minLength: 1, maxLength: 5 }), port, ip, (excluded, p, dst) => {
      fc.pre(!dst.startsWith("127."));
      const ann = { "traffic.sidecar.istio.io/excludeOutboundPorts": excluded.join(",") };
      expect(out(ann, dst, p) === 0).toBe(excluded.includes(p));
    }));
  });
  it("the proxy's own connections are never redirected outbound", () => {
    fc.assert(fc.property(port, ip, (p, dst) => {
      expect(out({}, dst, p, PROXY_UID)).toBe(0);
    }));
  });
  it("an excluded inbound port never reaches the sidecar; every other port does", () => {
    fc.assert(fc.property(fc.uniqueArray(port, { maxLength: 5 }), port, (excluded, p) => {
      const ann: Record<string, string> = excluded.length ? { "traffic.sidecar.istio.io/excludeInboundPorts": excluded.join(",") } : {};
      const bypass = excluded.includes(p) || ALWAYS_EXCLUDED_INBOUND_PORTS.includes(p);
      expect(inb(ann, p) === 0).toBe(bypass);
    }));
  });
});
