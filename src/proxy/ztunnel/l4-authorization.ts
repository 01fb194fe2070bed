// AuthorizationPolicy as ztunnel enforces it, at the destination's node, per TCP connection. istiod
// converts each policy for ztunnel (convertAuthorizationPolicy/handleRule in
// https://github.com/istio/istio/blob/86c9f01f/pilot/pkg/serviceregistry/ambient/authorization.go#L398-L665):
// a `to` entry keeps only ports/notPorts, a `from` entry only principals, namespaces and ipBlocks
// (and their nots), a `when` only the keys source.ip, source.namespace, source.principal,
// destination.ip, destination.port. An ALLOW rule that names any HTTP attribute (hosts, methods,
// paths, requestPrincipals, remoteIpBlocks, any other `when` key — `remote.ip` and
// `connection.sni` included) is dropped whole: "L7 policies never match for ALLOW". A DENY rule
// keeps what is left, and ztunnel skips a match left empty (match-none, not match-all:
// https://github.com/istio/ztunnel/blob/62d82653/src/rbac.rs#L100-L175 `Authorization::matches`), so
// a DENY on `methods: [GET]` alone denies nothing at ztunnel, while `methods: [GET], ports: ["80"]`
// denies all of port 80. An ALLOW policy left with no rule still counts as an ALLOW policy that
// matches nothing: the connection is denied unless ANOTHER ALLOW policy matches
// (https://github.com/istio/ztunnel/blob/62d82653/src/state.rs#L584-L677 `assert_rbac`) — the docs'
// "the ztunnel proxy will simply drop all traffic" (https://istio.io/latest/docs/ambient/usage/l4-policy/)
// is the case of that policy alone. CUSTOM and AUDIT policies and policies with targetRefs are not
// ztunnel's (the caller leaves them out: config/ambient/ztunnel-authorization.ts).
import type { AuthorizationPolicy, AuthzCondition, AuthzOperation, AuthzRule, AuthzSource } from "../api/security.js";
import type { WorkloadRef } from "../security/policy-scope.js";
import type { PeerIdentity } from "../security/identity.js";
import {
  applicableAuthorizationPolicies, compileAuthorization, evaluateAuthorization, isDryRun, type AuthzDecision, type CompiledAuthz,
} from "../security/authorization/authorization.js";

/** `when` keys ztunnel can evaluate (authorization.go `l4WhenAttributes`); any other key is L7. */
export const L4_CONDITION_KEYS: ReadonlySet<string> = new Set(["source.ip", "source.namespace", "source.principal", "destination.ip", "destination.port"]);

const HTTP_OPERATION_FIELDS = ["hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"] as const;
const HTTP_SOURCE_FIELDS = ["remoteIpBlocks", "notRemoteIpBlocks", "requestPrincipals", "notRequestPrincipals"] as const;
const L4_SOURCE_FIELDS = [
  "principals", "notPrincipals", "namespaces", "notNamespaces", "ipBlocks", "notIpBlocks", "serviceAccounts", "notServiceAccounts",
] as const;

const nonEmpty = (xs: readonly unknown[] | undefined): boolean => (xs?.length ?? 0) > 0;

/** Whether a rule names an attribute only an HTTP proxy (a waypoint or sidecar) can see (istiod's httpOperations, httpSources, l4WhenAttributes). */
export function hasL7Fields(rule: AuthzRule): boolean {
  for (const f of rule.from ?? []) for (const k of HTTP_SOURCE_FIELDS) if (nonEmpty(f.source[k])) return true;
  for (const t of rule.to ?? []) for (const k of HTTP_OPERATION_FIELDS) if (nonEmpty(t.operation[k])) return true;
  for (const c of rule.when ?? []) if (!L4_CONDITION_KEYS.has(c.key)) return true;
  return false;
}

/**
 * The rule as ztunnel gets it, in meshsim's own rule shape (L4 fields only), or null when it can
 * never match there: an ALLOW rule with HTTP attributes, or a rule with a clause (its `to` list, its
 * `from` list, one `when`) whose every match was left empty.
 */
export function ztunnelRule(action: "ALLOW" | "DENY", rule: AuthzRule): AuthzRule | null {
  if (action === "ALLOW" && hasL7Fields(rule)) return null;
  const out: AuthzRule = {};
  if (nonEmpty(rule.to)) {
    const to: { operation: AuthzOperation }[] = [];
    for (const t of rule.to!) {
      const op: AuthzOperation = {};
      if (nonEmpty(t.operation.ports)) op.ports = t.operation.ports!;
      if (nonEmpty(t.operation.notPorts)) op.notPorts = t.operation.notPorts!;
      if (op.ports !== undefined || op.notPorts !== undefined) to.push({ operation: op });
    }
    if (to.length === 0) return null;
    out.to = to;
  }
  if (nonEmpty(rule.from)) {
    const from: { source: AuthzSource }[] = [];
    for (const f of rule.from!) {
      const s: AuthzSource = {};
      for (const k of L4_SOURCE_FIELDS) if (nonEmpty(f.source[k])) s[k] = f.source[k]!;
      if (Object.keys(s).length > 0) from.push({ source: s });
    }
    if (from.length === 0) return null;
    out.from = from;
  }
  if (nonEmpty(rule.when)) {
    const when: AuthzCondition[] = [];
    for (const c of rule.when!) {
      // An L7 key becomes an empty match (skipped): this clause, so the rule, never matches.
      if (!L4_CONDITION_KEYS.has(c.key) || (!nonEmpty(c.values) && !nonEmpty(c.notValues))) return null;
      when.push(c);
    }
    out.when = when;
  }
  return out;
}

/** Whether istiod leaves the policy out of ztunnel's config as dry-run (`istio.io/dry-run`, Go's ParseBool). */
export function isDryRunForZtunnel(p: AuthorizationPolicy): boolean {
  return isDryRun(p);
}

export interface ZtunnelAuthz {
  /** The policies with L7 fields, whose HTTP parts ztunnel cannot enforce ("namespace/name"). */
  readonly l7Policies: readonly string[];
  /** ALLOW policies left with no rule at ztunnel because every rule needed HTTP ("namespace/name"). */
  readonly l7OnlyAllow: readonly string[];
  /** The policies as ztunnel holds them, compiled. */
  readonly compiled: CompiledAuthz;
}

/** Compile the policies that apply to one ambient workload without a waypoint (once per config version). */
export function compileZtunnelAuthorization(policies: readonly AuthorizationPolicy[], workload: WorkloadRef, rootNamespace?: string): ZtunnelAuthz {
  // A dry-run policy is not sent to ztunnel (AMBIENT_ENABLE_DRY_RUN_AUTHORIZATION_POLICY is off by
  // default); istiod reads the annotation with strconv.ParseBool (authorization.go#L401-L418).
  const applicable = applicableAuthorizationPolicies(policies, workload, rootNamespace).filter((p) => !isDryRunForZtunnel(p));
  const l7: string[] = [];
  const l7OnlyAllow: string[] = [];
  const converted: AuthorizationPolicy[] = [];
  for (const p of applicable) {
    const action = p.spec.action ?? "ALLOW";
    if (action !== "ALLOW" && action !== "DENY") continue;
    // A null rule (`rules: [~]`) is an empty rule: it matches everything, as `{}` does.
    const rules = (p.spec.rules ?? []).map((r: AuthzRule | null) => r ?? {});
    const ref = `${p.metadata.namespace}/${p.metadata.name}`;
    if (rules.some(hasL7Fields)) l7.push(ref);
    const kept: AuthzRule[] = [];
    for (const r of rules) {
      const z = ztunnelRule(action, r);
      if (z !== null) kept.push(z);
    }
    if (action === "ALLOW" && rules.length > 0 && kept.length === 0) l7OnlyAllow.push(ref);
    converted.push({ ...p, spec: { ...p.spec, rules: kept } });
  }
  return { l7Policies: l7, l7OnlyAllow, compiled: compileAuthorization(converted, workload, rootNamespace !== undefined ? { rootNamespace } : {}) };
}

export interface L4Connection {
  peer: PeerIdentity | undefined;
  sourceIp: string;
  destinationIp: string;
  port: number;
}

export type L4Check =
  | { allowed: true }
  /** `policy`: the denying DENY policy, or "none" (no ALLOW matched); `l7WithoutWaypoint`: an ALLOW policy reduced to nothing by its HTTP rules is why (then `policy` names it). */
  | { allowed: false; policy: string; l7WithoutWaypoint: boolean };

/** Whether ztunnel accepts the connection (ztunnel's `assert_rbac`: DENY first, then any ALLOW must match). */
export function checkConnection(a: ZtunnelAuthz, c: L4Connection): L4Check {
  const d: AuthzDecision = evaluateAuthorization(a.compiled, {
    method: "", path: "", host: "", port: c.port, headers: EMPTY, peer: c.peer,
    sourceIp: c.sourceIp, destinationIp: c.destinationIp, tcp: true,
  });
  if (d.allowed) return { allowed: true };
  const policy = d.policy ?? "none";
  if (policy === "none" && a.l7OnlyAllow.length > 0) return { allowed: false, policy: a.l7OnlyAllow[0]!, l7WithoutWaypoint: true };
  return { allowed: false, policy, l7WithoutWaypoint: false };
}
const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
