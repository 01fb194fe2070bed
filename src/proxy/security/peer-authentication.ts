// PeerAuthentication: the mTLS mode a workload's inbound sidecar enforces, per target port.
// Mirrors istio/istio pilot/pkg/security/authn/policy_applier.go ComposePeerAuthentication:
// mesh (root namespace, no selector) → namespace (no selector) → workload (selector, not in the root
// namespace), each non-UNSET level overriding the one before; the oldest policy wins within a level;
// portLevelMtls of the workload policy overrides per container port (UNSET there inherits);
// nothing set ⇒ PERMISSIVE. https://istio.io/latest/docs/reference/config/security/peer_authentication/
import type { MtlsMode, PeerAuthentication } from "../api/security.js";
import { DEFAULT_ROOT_NAMESPACE, hasSelector, policyRef, selectorMatches, type WorkloadRef } from "./policy-scope.js";

/** A resolved mode: UNSET never survives composition. */
export type EffectiveMtlsMode = Exclude<MtlsMode, "UNSET">;

/** Which level decided the mode (for `explain`). */
export type PeerAuthenticationLevel = "default" | "mesh" | "namespace" | "workload" | "port";

export interface EffectiveMtls {
  readonly mode: EffectiveMtlsMode;
  readonly level: PeerAuthenticationLevel;
  /** "namespace/name" of the deciding policy; undefined for the built-in PERMISSIVE default. */
  readonly policy: string | undefined;
}

export interface EffectivePeerAuthentication extends EffectiveMtls {
  /** Per container (target) port overrides from the workload policy's portLevelMtls. */
  readonly ports: ReadonlyMap<number, EffectiveMtls>;
  /** The policy chosen at each level (oldest wins), whether or not its mode was UNSET. */
  readonly chosen: { readonly mesh?: string; readonly namespace?: string; readonly workload?: string };
}

const PERMISSIVE_DEFAULT: EffectiveMtls = Object.freeze({ mode: "PERMISSIVE", level: "default", policy: undefined });

function isOlder(a: PeerAuthentication, b: PeerAuthentication | undefined): boolean {
  return b === undefined || a.metadata.creationIndex < b.metadata.creationIndex;
}

/** The mesh, namespace and workload policies that apply to a workload (oldest wins per level). */
export function selectPeerAuthentications(
  policies: readonly PeerAuthentication[],
  workload: WorkloadRef,
  rootNamespace: string = DEFAULT_ROOT_NAMESPACE,
): { mesh?: PeerAuthentication; namespace?: PeerAuthentication; workload?: PeerAuthentication } {
  let mesh: PeerAuthentication | undefined;
  let ns: PeerAuthentication | undefined;
  let wl: PeerAuthentication | undefined;
  for (const p of policies) {
    const sel = p.spec.selector;
    if (!hasSelector(sel)) {
      if (p.metadata.namespace === rootNamespace) {
        if (isOlder(p, mesh)) mesh = p;
      } else if (p.metadata.namespace === workload.namespace) {
        if (isOlder(p, ns)) ns = p;
      }
    } else if (p.metadata.namespace !== rootNamespace && p.metadata.namespace === workload.namespace) {
      // Selector policies in the root namespace are ignored (not mesh-wide, not workload-level).
      if (selectorMatches(sel, workload.labels) && isOlder(p, wl)) wl = p;
    }
  }
  const out: { mesh?: PeerAuthentication; namespace?: PeerAuthentication; workload?: PeerAuthentication } = {};
  if (mesh !== undefined) out.mesh = mesh;
  if (ns !== undefined) out.namespace = ns;
  if (wl !== undefined) out.workload = wl;
  return out;
}

function isSet(m: { mode: MtlsMode } | undefined): m is { mode: EffectiveMtlsMode } {
  return m !== undefined && m.mode !== undefined && m.mode !== "UNSET";
}

/** Compose the effective inbound mTLS policy of a workload. Compute once per workload and config version. */
export function effectivePeerAuthentication(
  policies: readonly PeerAuthentication[],
  workload: WorkloadRef,
  rootNamespace: string = DEFAULT_ROOT_NAMESPACE,
): EffectivePeerAuthentication {
  const chosen = selectPeerAuthentications(policies, workload, rootNamespace);
  let result: EffectiveMtls = PERMISSIVE_DEFAULT;
  const levels = [
    ["mesh", chosen.mesh],
    ["namespace", chosen.namespace],
    ["workload", chosen.workload],
  ] as const;
  for (const [level, p] of levels) {
    if (p !== undefined && isSet(p.spec.mtls)) result = { mode: p.spec.mtls.mode, level, policy: policyRef(p.metadata) };
  }
  const ports = new Map<number, EffectiveMtls>();
  const wl = chosen.workload;
  if (wl?.spec.portLevelMtls !== undefined) {
    const ref = policyRef(wl.metadata);
    for (const [key, m] of Object.entries(wl.spec.portLevelMtls)) {
      const port = Number(key);
      if (!Number.isInteger(port)) continue;
      ports.set(port, isSet(m) ? Object.freeze({ mode: m.mode, level: "port" as const, policy: ref }) : result);
    }
  }
  const names: { mesh?: string; namespace?: string; workload?: string } = {};
  if (chosen.mesh) names.mesh = policyRef(chosen.mesh.metadata);
  if (chosen.namespace) names.namespace = policyRef(chosen.namespace.metadata);
  if (chosen.workload) names.workload = policyRef(chosen.workload.metadata);
  return Object.freeze({ ...result, ports, chosen: names });
}

/** The mode enforced on one container (target) port — not the service port. */
export function mtlsForPort(eff: EffectivePeerAuthentication, targetPort: number): EffectiveMtls {
  // Most workloads have no port-level mTLS: no lookup per request then.
  return eff.ports.size === 0 ? eff : eff.ports.get(targetPort) ?? eff;
}

/** Convenience: the mode on a port, straight from the policies. */
export function peerAuthenticationMode(
  policies: readonly PeerAuthentication[],
  workload: WorkloadRef,
  targetPort: number,
  rootNamespace: string = DEFAULT_ROOT_NAMESPACE,
): EffectiveMtlsMode {
  return mtlsForPort(effectivePeerAuthentication(policies, workload, rootNamespace), targetPort).mode;
}
