// AuthorizationPolicy as ztunnel enforces it, at the destination's node, per TCP connection: only
// L4 attributes (principals, namespaces, ipBlocks, ports, and `when` keys on source.ip,
// source.namespace, source.principal, destination.ip, destination.port). istiod converts each policy
// for ztunnel: an ALLOW rule that needs an HTTP attribute is dropped (it could never match), so an
// ALLOW policy whose every rule needs one allows nothing — "If a policy has L7 rules and no
// waypoint, the ztunnel proxy will simply drop all traffic"; a DENY rule keeps its L4 part (more
// restrictive). CUSTOM and AUDIT policies and policies with targetRefs are not ztunnel's (the caller
// leaves them out: config/ambient/ztunnel-authorization.ts).
// https://istio.io/latest/docs/ambient/usage/l4-policy/
// https://github.com/istio/istio/blob/master/pilot/pkg/serviceregistry/ambient/authorization.go (convertAuthorizationPolicy)
import type { AuthorizationPolicy, AuthzRule } from "../api/security.js";
import type { WorkloadRef } from "../security/policy-scope.js";
import type { PeerIdentity } from "../security/identity.js";
import {
  applicableAuthorizationPolicies, compileAuthorization, evaluateAuthorization, type AuthzDecision, type CompiledAuthz,
} from "../security/authorization/authorization.js";

/** `when` keys ztunnel can evaluate (L4); any other key is L7. */
const L4_CONDITION_KEYS = new Set(["source.ip", "source.namespace", "source.principal", "destination.ip", "destination.port", "remote.ip", "connection.sni"]);

/** Whether a rule names an attribute only an HTTP proxy (a waypoint or sidecar) can see. */
export function hasL7Fields(rule: AuthzRule): boolean {
  for (const f of rule.from ?? []) {
    const s = f.source;
    if ((s.requestPrincipals?.length ?? 0) > 0 || (s.notRequestPrincipals?.length ?? 0) > 0) return true;
    if ((s.remoteIpBlocks?.length ?? 0) > 0 || (s.notRemoteIpBlocks?.length ?? 0) > 0) return true;
  }
  for (const t of rule.to ?? []) {
    const o = t.operation;
    for (const k of ["hosts", "notHosts", "methods", "notMethods", "paths", "notPaths"] as const) if ((o[k]?.length ?? 0) > 0) return true;
  }
  for (const c of rule.when ?? []) if (!L4_CONDITION_KEYS.has(c.key)) return true;
  return false;
}

export interface ZtunnelAuthz {
  /** The policies with L7 fields, whose HTTP parts ztunnel cannot enforce ("namespace/name"). */
  readonly l7Policies: readonly string[];
  /** The compiled L4 policies, or null when an ALLOW policy has only L7 rules: every connection denied. */
  readonly compiled: CompiledAuthz | null;
}

/** Compile the policies that apply to one ambient workload without a waypoint (once per config version). */
export function compileZtunnelAuthorization(policies: readonly AuthorizationPolicy[], workload: WorkloadRef, rootNamespace?: string): ZtunnelAuthz {
  const applicable = applicableAuthorizationPolicies(policies, workload, rootNamespace).filter((p) => p.metadata.annotations["istio.io/dry-run"]?.toLowerCase() !== "true");
  const l7: string[] = [];
  const converted: AuthorizationPolicy[] = [];
  let denyAll = false;
  for (const p of applicable) {
    const rules = p.spec.rules ?? [];
    const withL7 = rules.filter((r) => r !== null && hasL7Fields(r));
    if (withL7.length > 0) l7.push(`${p.metadata.namespace}/${p.metadata.name}`);
    if ((p.spec.action ?? "ALLOW") !== "ALLOW" || withL7.length === 0) {
      converted.push(p);
      continue;
    }
    const kept = rules.filter((r) => r === null || !hasL7Fields(r));
    if (kept.length === 0) denyAll = true;
    else converted.push({ ...p, spec: { ...p.spec, rules: kept } });
  }
  if (denyAll) return { l7Policies: l7, compiled: null };
  return { l7Policies: l7, compiled: compileAuthorization(converted, workload, rootNamespace !== undefined ? { rootNamespace } : {}) };
}

export interface L4Connection {
  peer: PeerIdentity | undefined;
  sourceIp: string;
  destinationIp: string;
  port: number;
}

/** Whether ztunnel accepts the connection: true, or the denying decision's policy ("namespace/name" or "l7-without-waypoint"). */
export function checkConnection(a: ZtunnelAuthz, c: L4Connection): { allowed: true } | { allowed: false; policy: string } {
  if (a.compiled === null) return { allowed: false, policy: a.l7Policies[0] ?? "l7-without-waypoint" };
  const d: AuthzDecision = evaluateAuthorization(a.compiled, {
    method: "", path: "", host: "", port: c.port, headers: EMPTY, peer: c.peer,
    sourceIp: c.sourceIp, destinationIp: c.destinationIp, tcp: true,
  });
  return d.allowed ? { allowed: true } : { allowed: false, policy: d.policy ?? "none" };
}
const EMPTY: Readonly<Record<string, string>> = Object.freeze({});
