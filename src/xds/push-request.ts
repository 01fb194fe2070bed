// istiod's PushRequest: what changed since the last push, merged across a debounce window. A config
// change makes a full push (types chosen per changed kind, as pilot's cdsNeedsPush/edsNeedsPush/
// ldsNeedsPush/rdsNeedsPush skip the kinds that cannot affect them); an endpoint-only change makes an
// incremental EDS push for the changed services. Merging a full and an EDS request gives a full push.
// https://github.com/istio/istio/blob/master/pilot/pkg/xds/cds.go (skippedCdsConfigs), eds.go, lds.go, rds.go
import type { ConfigKindName, SecurityKindName } from "../config/config-diff.js";

/** xDS types as bits, in istiod's push order (ads.go PushOrder): CDS, EDS, LDS, RDS. */
export const CDS = 1;
export const EDS = 2;
export const LDS = 4;
export const RDS = 8;
export const ALL_TYPES = CDS | EDS | LDS | RDS;
export const PUSH_ORDER = [CDS, EDS, LDS, RDS] as const;
export const TYPE_NAMES: Record<number, "cds" | "eds" | "lds" | "rds"> = { [CDS]: "cds", [EDS]: "eds", [LDS]: "lds", [RDS]: "rds" };
export type XdsTypeName = "cds" | "eds" | "lds" | "rds";

/** The xDS types a change of one kind makes istiod push to a sidecar. */
export const TYPES_FOR_KIND: Record<ConfigKindName, number> = {
  ServiceEntry: ALL_TYPES,
  DestinationRule: ALL_TYPES,
  Sidecar: ALL_TYPES,
  // skippedEdsConfigs holds VirtualService: routes change, endpoints do not.
  VirtualService: CDS | LDS | RDS,
  // Gateways configure gateways (clusters, listeners, routes), never sidecars.
  Gateway: CDS | LDS | RDS,
  // mTLS settings reach clusters (auto mTLS) and the inbound listener, never routes; LDS only for a
  // policy of the proxy's own or the root namespace (lds.go ldsNeedsPush).
  PeerAuthentication: CDS | EDS | LDS,
  AuthorizationPolicy: LDS,
  RequestAuthentication: LDS,
};

export class PushRequest {
  full = false;
  /** Config kinds changed (full pushes). */
  readonly kinds = new Set<ConfigKindName>();
  /** Hosts the changed config is about; null: the change is not host-scoped (every proxy). */
  hosts: Set<string> | null = new Set();
  /** Changed Sidecars, "namespace/name". */
  readonly sidecars = new Set<string>();
  /** Namespaces of changed AuthorizationPolicies, RequestAuthentications, PeerAuthentications. */
  readonly securityNamespaces = new Map<SecurityKindName, Set<string>>();
  /** Services whose endpoints changed. */
  readonly endpoints = new Set<string>();
  /** Simulated time of the first event merged in. */
  constructor(readonly firstAt: number) {}

  /** Merge a change's namespaces of security resources into this request. */
  addSecurityNamespaces(from: ReadonlyMap<SecurityKindName, ReadonlySet<string>>): void {
    for (const [k, nss] of from) {
      let set = this.securityNamespaces.get(k);
      if (set === undefined) this.securityNamespaces.set(k, (set = new Set()));
      for (const n of nss) set.add(n);
    }
  }

  /** The xDS types this request pushes (before scoping to a proxy). */
  get types(): number {
    if (!this.full) return EDS;
    let t = this.endpoints.size > 0 ? EDS : 0;
    for (const k of this.kinds) t |= TYPES_FOR_KIND[k];
    return t;
  }
}

/**
 * The hosts whose endpoints a push sends (null: every EDS cluster). istiod sends a partial EDS
 * push when every change is of a kind EDS can follow per service (Endpoints, ServiceEntry,
 * DestinationRule; `canSendPartialFullPushes`, deltaAwareEdsConfigs): the clusters of the changed
 * services and of the hosts the changed ServiceEntries and DestinationRules name. meshsim leaves
 * PeerAuthentication (also delta-aware, but it reaches clusters by namespace) to a whole EDS push.
 * https://github.com/istio/istio/blob/master/pilot/pkg/xds/eds.go
 */
export function edsHostsOf(req: PushRequest): ReadonlySet<string> | null {
  if (!req.full) return req.endpoints;
  if (req.hosts === null) return null;
  const kinds = [...req.kinds];
  // VirtualServices alone send no EDS (skippedEdsConfigs); with other changes they make it whole.
  if (req.endpoints.size === 0 && kinds.every((k) => k === "VirtualService")) return new Set();
  if (kinds.some((k) => k !== "ServiceEntry" && k !== "DestinationRule")) return null;
  return new Set([...req.endpoints, ...req.hosts]);
}

/** How many xDS types the bits name. */
export function countTypes(t: number): number {
  let n = 0;
  for (const x of PUSH_ORDER) if ((t & x) !== 0) n++;
  return n;
}
