import { describe, expect, it } from "vitest";
import { chooseClientTls } from "../../../src/proxy/security/client-tls.js";
import { connectionSecurity } from "../../../src/proxy/security/connection-security.js";
import { parsePrincipal, peerIdentity, principalName, spiffeId } from "../../../src/proxy/security/identity.js";
import { effectivePeerAuthentication, mtlsForPort, peerAuthenticationMode } from "../../../src/proxy/security/peer-authentication.js";
import { peerAuthentication } from "../../properties/arbitraries/security.js";

describe("identity", () => {
  it("builds the SPIFFE ID and the principal form", () => {
    expect(spiffeId("foo", "sleep")).toBe("spiffe://cluster.local/ns/foo/sa/sleep");
    expect(principalName("foo", "sleep")).toBe("cluster.local/ns/foo/sa/sleep");
    expect(spiffeId("foo", "sleep", "example.org")).toBe("spiffe://example.org/ns/foo/sa/sleep");
    expect(peerIdentity("bar", "admin").principal).toBe("cluster.local/ns/bar/sa/admin");
  });
  it("parses principals with or without the scheme", () => {
    expect(parsePrincipal("spiffe://cluster.local/ns/foo/sa/sleep")?.namespace).toBe("foo");
    expect(parsePrincipal("td/ns/a/sa/b")?.serviceAccount).toBe("b");
    expect(parsePrincipal("not-a-principal")).toBeUndefined();
  });
});

describe("PeerAuthentication", () => {
  const wl = { namespace: "foo", labels: { app: "httpbin" } };
  it("defaults to PERMISSIVE", () => {
    const e = effectivePeerAuthentication([], wl);
    expect(e.mode).toBe("PERMISSIVE");
    expect(e.level).toBe("default");
  });
  it("mesh < namespace < workload, UNSET inherits", () => {
    const mesh = peerAuthentication("istio-system", "default", { mtls: { mode: "STRICT" } }, 1);
    const ns = peerAuthentication("foo", "default", { mtls: { mode: "PERMISSIVE" } }, 2);
    const wlp = peerAuthentication("foo", "hb", { selector: { matchLabels: { app: "httpbin" } }, mtls: { mode: "DISABLE" } }, 3);
    expect(peerAuthenticationMode([mesh], wl, 80)).toBe("STRICT");
    expect(peerAuthenticationMode([mesh, ns], wl, 80)).toBe("PERMISSIVE");
    expect(peerAuthenticationMode([wlp, mesh, ns], wl, 80)).toBe("DISABLE");
    const unset = peerAuthentication("foo", "default", { mtls: { mode: "UNSET" } }, 2);
    expect(peerAuthenticationMode([mesh, unset], wl, 80)).toBe("STRICT");
    expect(effectivePeerAuthentication([mesh, unset], wl).policy).toBe("istio-system/default");
  });
  it("ignores selector policies in the root namespace and policies of other namespaces", () => {
    const rootSel = peerAuthentication("istio-system", "x", { selector: { matchLabels: { app: "httpbin" } }, mtls: { mode: "STRICT" } });
    const other = peerAuthentication("bar", "default", { mtls: { mode: "STRICT" } });
    expect(peerAuthenticationMode([rootSel, other], wl, 80)).toBe("PERMISSIVE");
  });
  it("an empty selector is a namespace-wide policy", () => {
    const p = peerAuthentication("foo", "x", { selector: { matchLabels: {} }, mtls: { mode: "STRICT" } });
    expect(effectivePeerAuthentication([p], wl).level).toBe("namespace");
  });
  it("the oldest policy wins within a level", () => {
    const a = peerAuthentication("foo", "a", { mtls: { mode: "STRICT" } }, 5);
    const b = peerAuthentication("foo", "b", { mtls: { mode: "DISABLE" } }, 2);
    expect(peerAuthenticationMode([a, b], wl, 80)).toBe("DISABLE");
  });
  it("portLevelMtls overrides per target port; UNSET at port level inherits the workload result", () => {
    const ns = peerAuthentication("foo", "default", { mtls: { mode: "STRICT" } }, 1);
    const p = peerAuthentication("foo", "hb", {
      selector: { matchLabels: { app: "httpbin" } },
      portLevelMtls: { "9090": { mode: "DISABLE" }, "8080": { mode: "UNSET" } },
    }, 2);
    const e = effectivePeerAuthentication([ns, p], wl);
    expect(mtlsForPort(e, 9090).mode).toBe("DISABLE");
    expect(mtlsForPort(e, 8080).mode).toBe("STRICT");
    expect(mtlsForPort(e, 80).mode).toBe("STRICT");
    expect(mtlsForPort(e, 9090).level).toBe("port");
  });
  it("a workload policy that does not select the workload does not apply", () => {
    const p = peerAuthentication("foo", "r", { selector: { matchLabels: { app: "reviews" } }, mtls: { mode: "STRICT" } });
    expect(peerAuthenticationMode([p], wl, 80)).toBe("PERMISSIVE");
  });
});

describe("client TLS (auto mTLS)", () => {
  it("sends ISTIO_MUTUAL to sidecars unless the server is DISABLE", () => {
    expect(chooseClientTls(undefined, { endpointHasSidecar: true, serverMode: "STRICT" }).mode).toBe("ISTIO_MUTUAL");
    expect(chooseClientTls(undefined, { endpointHasSidecar: true, serverMode: "PERMISSIVE" }).mode).toBe("ISTIO_MUTUAL");
    expect(chooseClientTls(undefined, { endpointHasSidecar: true, serverMode: "DISABLE" }).mode).toBe("DISABLE");
    expect(chooseClientTls(undefined, { endpointHasSidecar: false, serverMode: "STRICT" }).source).toBe("auto-plaintext");
  });
  it("an explicit DestinationRule tls always wins", () => {
    const c = chooseClientTls({ mode: "DISABLE" }, { endpointHasSidecar: true, serverMode: "STRICT" });
    expect(c).toEqual({ mode: "DISABLE", source: "destination-rule" });
    expect(chooseClientTls({ mode: "ISTIO_MUTUAL" }, { endpointHasSidecar: false, serverMode: "PERMISSIVE", meshExternal: true }).mode).toBe("ISTIO_MUTUAL");
  });
  it("never auto-mTLSes MESH_EXTERNAL, and honours enableAutoMtls: false", () => {
    expect(chooseClientTls(undefined, { endpointHasSidecar: true, serverMode: "STRICT", meshExternal: true }).source).toBe("mesh-external");
    expect(chooseClientTls(undefined, { endpointHasSidecar: true, serverMode: "STRICT" }, false).mode).toBe("DISABLE");
  });
});

describe("connection security", () => {
  it("a non-mesh plaintext client to STRICT is reset with no HTTP status", () => {
    const o = connectionSecurity(false, "DISABLE", true, "STRICT");
    expect(o).toMatchObject({ ok: false, kind: "reset", status: 0, flag: undefined });
  });
  it("a sidecar client sending plaintext to STRICT gets 503 UC", () => {
    expect(connectionSecurity(true, "DISABLE", true, "STRICT")).toMatchObject({ ok: false, status: 503, flag: "UC" });
  });
  it("ISTIO_MUTUAL to a server without sidecar or DISABLE fails the handshake: 503 UF", () => {
    expect(connectionSecurity(true, "ISTIO_MUTUAL", false, "STRICT")).toMatchObject({ status: 503, flag: "UF" });
    expect(connectionSecurity(true, "ISTIO_MUTUAL", true, "DISABLE")).toMatchObject({ status: 503, flag: "UF" });
  });
  it("PERMISSIVE accepts both", () => {
    expect(connectionSecurity(true, "ISTIO_MUTUAL", true, "PERMISSIVE")).toMatchObject({ ok: true, mtls: true });
    expect(connectionSecurity(false, "DISABLE", true, "PERMISSIVE")).toMatchObject({ ok: true, mtls: false });
  });
  it("STRICT with ISTIO_MUTUAL is mTLS; user TLS to a sidecar fails, to an external server works", () => {
    expect(connectionSecurity(true, "ISTIO_MUTUAL", true, "STRICT").mtls).toBe(true);
    expect(connectionSecurity(true, "SIMPLE", true, "PERMISSIVE").flag).toBe("UF");
    expect(connectionSecurity(true, "SIMPLE", false, "PERMISSIVE")).toMatchObject({ ok: true, encrypted: true, mtls: false });
  });
});
