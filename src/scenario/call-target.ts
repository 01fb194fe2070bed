// A call's or load generator's URL, resolved the way a pod's DNS would: a short name in the caller's
// namespace (Kubernetes DNS search path), `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`;
// otherwise a ServiceEntry host; otherwise a host outside the cluster.
// https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/
import type { CallTarget } from "./model.js";
import { DEFAULTS } from "./defaults.js";
import type { LoadState } from "./load-state.js";
import type { YamlValue } from "./yaml-value.js";

export interface ParsedUrl { scheme: "http" | "https"; host: string; port?: number; path: string }

const URL_RE = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?([A-Za-z0-9_](?:[A-Za-z0-9_.-]*[A-Za-z0-9_])?)(?::(\d+))?([/?].*)?$/;

/** Splits `[scheme://]host[:port][/path]`; throws an Error with a readable message. */
export function parseCallUrl(text: string): ParsedUrl {
  const m = URL_RE.exec(text.trim());
  if (!m) throw new Error(`invalid URL ${JSON.stringify(text)} (expected e.g. http://reviews:9080/reviews/0)`);
  const scheme = (m[1] ?? DEFAULTS.call.scheme).toLowerCase();
  if (scheme !== "http" && scheme !== "https") throw new Error(`unsupported scheme ${JSON.stringify(scheme)} (http or https)`);
  const out: ParsedUrl = { scheme, host: m[2]!.toLowerCase(), path: DEFAULTS.call.path };
  if (m[3] !== undefined) {
    const port = Number(m[3]);
    if (port < 1 || port > 65535) throw new Error(`port ${port} out of range 1..65535`);
    out.port = port;
  }
  if (m[4] !== undefined) out.path = m[4].startsWith("?") ? `/${m[4]}` : m[4];
  return out;
}

/** A ServiceEntry host matches exactly, or as a wildcard `*.example.com` (any non-empty prefix). */
function hostMatches(pattern: string, host: string): boolean {
  const p = pattern.toLowerCase();
  if (p === "*") return true;
  if (p.startsWith("*.")) return host.endsWith(p.slice(1)) && host.length > p.length - 1;
  return p === host;
}

/**
 * Reads a URL-valued field and registers its resolution for when every resource is known.
 * The returned target is filled in place; `resolved` is set by the deferred check.
 */
export function readCallTarget(v: YamlValue, namespace: string, state: LoadState): CallTarget | undefined {
  const text = v.str();
  if (text === undefined) return undefined;
  let url: ParsedUrl;
  try { url = parseCallUrl(text); } catch (e) { return v.error((e as Error).message); }
  const target: CallTarget = {
    scheme: url.scheme, host: url.host, port: url.port ?? DEFAULTS.call.externalPort[url.scheme], path: url.path,
    resolved: { kind: "external", host: url.host },
  };
  state.defer(() => resolveTarget(target, url, v, namespace, state));
  return target;
}

function resolveTarget(target: CallTarget, url: ParsedUrl, at: YamlValue, namespace: string, state: LoadState): void {
  const host = url.host;
  const labels = host.split(".");
  let svcName: string | undefined;
  let svcNs = namespace;
  let mustBeService = false;
  if (labels.length === 1) { svcName = host; mustBeService = true; }
  else if (host.endsWith(".svc.cluster.local") || host.endsWith(".svc")) {
    const rest = host.endsWith(".svc") ? host.slice(0, -4) : host.slice(0, -".svc.cluster.local".length);
    const parts = rest.split(".");
    mustBeService = true;
    if (parts.length === 2) { svcName = parts[0]; svcNs = parts[1]!; }
  } else if (labels.length === 2 && state.knownNamespaces().has(labels[1]!)) {
    // `reviews.bookinfo`: a Service in a namespace of the scenario (otherwise e.g. httpbin.org is external).
    svcName = labels[0]; svcNs = labels[1]!; mustBeService = true;
  }
  if (svcName !== undefined) {
    const svc = state.find("Service", svcName, svcNs);
    if (svc) {
      let port = url.port;
      if (port === undefined) port = svc.ports[0]?.port;
      else if (!svc.ports.some((p) => p.port === port)) {
        at.error(`Service ${svcName}.${svcNs} has no port ${port} (ports: ${svc.ports.map((p) => p.port).join(", ")})`);
        return;
      }
      if (port === undefined) { at.error(`Service ${svcName}.${svcNs} has no ports`); return; }
      target.port = port;
      target.resolved = { kind: "service", name: svcName, namespace: svcNs, fqdn: `${svcName}.${svcNs}.svc.cluster.local` };
      return;
    }
  }
  for (const se of state.ofKind("ServiceEntry")) {
    if (se.spec.hosts.some((h) => hostMatches(h, host))) {
      target.resolved = { kind: "serviceEntry", host, namespace: se.metadata.namespace };
      return;
    }
  }
  if (mustBeService) {
    at.error(svcName === undefined
      ? `${JSON.stringify(host)} is not a valid in-cluster name (expected <service>.<namespace>.svc.cluster.local)`
      : `no Service ${JSON.stringify(svcName)} in namespace ${JSON.stringify(svcNs)} (nor a ServiceEntry host ${JSON.stringify(host)})`);
  }
}
