// Host names as Istio resolves them in config, and as Envoy's virtual hosts match the Host header.
// Config references: only dot-free short names are expanded, in the namespace of the *resource*
// (istio/istio pkg/config/model.go ResolveShortnameToFQDN). Host header: a sidecar's virtual host
// for service name.ns.svc.<suffix> also answers to "name.ns.svc", "name.ns", and "name" when the
// proxy is in namespace ns, each with or without ":port" (route.go generateVirtualHostDomains).

export const DEFAULT_DOMAIN_SUFFIX = "cluster.local";

function isIpAddress(h: string): boolean {
  return /^\d{1,3}(\.\d{1,3}){3}$/.test(h) || h.includes(":");
}

/** Istio's short-name resolution for a host written in a resource of `namespace`. */
export function resolveHostName(name: string, namespace: string, domainSuffix = DEFAULT_DOMAIN_SUFFIX): string {
  if (name === "" || name === "*" || isIpAddress(name) || name.includes(".")) return name;
  return `${name}.${namespace}.svc.${domainSuffix}`;
}

export function isWildcardHost(host: string): boolean {
  return host.charCodeAt(0) === 42; /* * */
}

/**
 * Does `pattern` (an FQDN or "*.suffix" / "*") cover the concrete `host`? Case-insensitive.
 * "*.foo.com" matches "a.foo.com" and "a.b.foo.com" but not "foo.com" (istio/istio pkg/config/host/name.go).
 */
export function hostMatches(pattern: string, host: string): boolean {
  if (pattern === "*") return true;
  if (isWildcardHost(pattern)) {
    const suffixLen = pattern.length - 1; // ".foo.com"
    if (host.length <= suffixLen) return false;
    return host.slice(host.length - suffixLen).toLowerCase() === pattern.slice(1).toLowerCase();
  }
  return pattern.length === host.length && pattern.toLowerCase() === host.toLowerCase();
}

/** Does wildcard-or-FQDN `pattern` cover every name `other` covers? (Used to rank wildcards.) */
export function hostSubsumes(pattern: string, other: string): boolean {
  if (!isWildcardHost(other)) return hostMatches(pattern, other);
  if (pattern === "*") return true;
  if (!isWildcardHost(pattern)) return false;
  return other.length >= pattern.length && other.slice(other.length - (pattern.length - 1)) === pattern.slice(1);
}

/** Index where the host part of an authority ends (before ":port"; IPv6 "[..]:port" aware). */
export function authorityHostEnd(authority: string): number {
  if (authority.charCodeAt(0) === 91 /* [ */) {
    const close = authority.indexOf("]");
    return close < 0 ? authority.length : close + 1;
  }
  const colon = authority.lastIndexOf(":");
  return colon < 0 ? authority.length : colon;
}

/** The host of an authority: port and trailing dot stripped, lowercased. */
export function authorityHost(authority: string): string {
  let end = authorityHostEnd(authority);
  if (end > 0 && authority.charCodeAt(end - 1) === 46 /* . */) end--;
  const h = end === authority.length ? authority : authority.slice(0, end);
  return h.toLowerCase();
}

/** The port written in an authority, or undefined. */
export function authorityPort(authority: string): number | undefined {
  const end = authorityHostEnd(authority);
  if (end >= authority.length || authority.charCodeAt(end) !== 58 /* : */) return undefined;
  const p = Number(authority.slice(end + 1));
  return Number.isInteger(p) && p > 0 ? p : undefined;
}

/**
 * The Kubernetes FQDN a short Host-header name stands for from a proxy in `proxyNamespace`
 * ("reviews" → reviews.<proxyNs>.svc.<suffix>, "reviews.bar" → reviews.bar.svc.<suffix>,
 * "reviews.bar.svc" → reviews.bar.svc.<suffix>), or undefined when it is not such a short form.
 */
export function expandShortHost(host: string, proxyNamespace: string, domainSuffix = DEFAULT_DOMAIN_SUFFIX): string | undefined {
  if (host === "" || isIpAddress(host)) return undefined;
  const firstDot = host.indexOf(".");
  if (firstDot < 0) return `${host}.${proxyNamespace}.svc.${domainSuffix}`;
  if (host.endsWith(".svc") && host.indexOf(".", firstDot + 1) === host.length - 4) return `${host}.${domainSuffix}`;
  if (host.indexOf(".", firstDot + 1) < 0) return `${host}.svc.${domainSuffix}`;
  return undefined;
}

/**
 * Would a sidecar in `proxyNamespace` route a request with this Host header to the virtual host of
 * `host` (an FQDN or wildcard, already resolved)? The literal name is tried first, then its
 * Kubernetes short-form expansion ("google.com" stays "google.com").
 */
export function authorityMatchesHost(
  authority: string, host: string, proxyNamespace: string, domainSuffix = DEFAULT_DOMAIN_SUFFIX,
): boolean {
  const h = authorityHost(authority);
  if (hostMatches(host, h)) return true;
  const expanded = expandShortHost(h, proxyNamespace, domainSuffix);
  return expanded !== undefined && hostMatches(host, expanded);
}
