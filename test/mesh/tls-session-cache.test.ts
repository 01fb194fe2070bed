// Envoy's upstream TLS session keys (source/common/tls/context_impl.cc, ClientContextImpl::newSsl and
// newSessionKey; UpstreamTlsContext.max_session_keys, default 1): one stored session per cluster, the
// newest, offered once (TLS 1.3 tickets are single-use); a ticket resumes only with the server that
// sealed it, and neither side's TLS context may have been rebuilt for a new certificate since.
import { describe, expect, it } from "vitest";
import type { Pod } from "../../src/mesh/kube/pod.js";
import { TlsSessionCache, type TlsSessionHolder } from "../../src/mesh/sidecar/tls-session-cache.js";

const pod = (certNotAfter = 1000): Pod => ({ alive: true, certNotAfter }) as unknown as Pod;

describe("TlsSessionCache", () => {
  const cluster: TlsSessionHolder = { tlsSession: null };
  const client = pod();

  it("resumes with the server whose ticket it holds, once", () => {
    const c = new TlsSessionCache();
    const a = pod();
    expect(c.offer(cluster, client, a)).toBe(false);
    c.store(cluster, client, a);
    expect(c.offer(cluster, client, a)).toBe(true);
    expect(c.offer(cluster, client, a)).toBe(false);
  });

  it("keeps one session per cluster: the newest; another server's ticket is spent on a full handshake", () => {
    const c = new TlsSessionCache();
    const a = pod();
    const b = pod();
    c.store(cluster, client, a);
    c.store(cluster, client, b);
    expect(c.offer(cluster, client, a)).toBe(false);
    c.store(cluster, client, b);
    expect(c.offer({ tlsSession: null }, client, b)).toBe(false);
    expect(c.offer(cluster, client, b)).toBe(true);
  });

  it("does not resume after either side's certificate changed, or with a server that is gone", () => {
    const c = new TlsSessionCache();
    const a = pod();
    c.store(cluster, client, a);
    (a as { certNotAfter: number }).certNotAfter = 2000;
    expect(c.offer(cluster, client, a)).toBe(false);
    const me = pod();
    c.store(cluster, me, a);
    (me as { certNotAfter: number }).certNotAfter = 3000;
    expect(c.offer(cluster, me, a)).toBe(false);
    c.store(cluster, client, a);
    (a as { alive: boolean }).alive = false;
    expect(c.offer(cluster, client, a)).toBe(false);
  });
});
