// The mesh's desired Istio configuration as immutable snapshots: one version per change, made with
// immer so that every proxy can hold on to the version it was last pushed while newer ones exist.
import { produce, freeze } from "immer";
import type { AnyResource, Scenario } from "../scenario/model.js";
import type { DestinationRule, Gateway, ServiceEntry, Sidecar, VirtualService } from "../proxy/api/networking.js";
import type { AuthorizationPolicy, PeerAuthentication, RequestAuthentication } from "../proxy/api/security.js";

export interface MeshConfig {
  /** 1 for the scenario's initial config, +1 per change. */
  readonly version: number;
  readonly virtualServices: readonly VirtualService[];
  readonly destinationRules: readonly DestinationRule[];
  readonly gateways: readonly Gateway[];
  readonly serviceEntries: readonly ServiceEntry[];
  readonly sidecars: readonly Sidecar[];
  readonly peerAuthentications: readonly PeerAuthentication[];
  readonly authorizationPolicies: readonly AuthorizationPolicy[];
  readonly requestAuthentications: readonly RequestAuthentication[];
}

/** The config kinds and the snapshot field holding each. */
const FIELDS = {
  VirtualService: "virtualServices",
  DestinationRule: "destinationRules",
  Gateway: "gateways",
  ServiceEntry: "serviceEntries",
  Sidecar: "sidecars",
  PeerAuthentication: "peerAuthentications",
  AuthorizationPolicy: "authorizationPolicies",
  RequestAuthentication: "requestAuthentications",
} as const;

type ConfigKind = keyof typeof FIELDS;
type ConfigResource = MeshConfig[(typeof FIELDS)[ConfigKind]][number];

export function isConfigKind(kind: string): kind is ConfigKind {
  return Object.hasOwn(FIELDS, kind);
}

export function initialConfig(s: Scenario): MeshConfig {
  return freeze(
    {
      version: 1,
      virtualServices: s.virtualServices,
      destinationRules: s.destinationRules,
      gateways: s.gateways,
      serviceEntries: s.serviceEntries,
      sidecars: s.sidecars,
      peerAuthentications: s.peerAuthentications,
      authorizationPolicies: s.authorizationPolicies,
      requestAuthentications: s.requestAuthentications,
    },
    true,
  );
}

/**
 * `kubectl apply`: each Istio resource replaces the one of the same kind, namespace and name, or is
 * added. An updated resource keeps its age (creationIndex), as Kubernetes keeps creationTimestamp.
 * Resources of other kinds are returned as `ignored`.
 */
export function applyResources(cfg: MeshConfig, resources: readonly AnyResource[]): { config: MeshConfig; ignored: AnyResource[] } {
  const ignored: AnyResource[] = [];
  const config = produce(cfg, (draft) => {
    draft.version++;
    for (const r of resources) {
      if (!isConfigKind(r.kind)) {
        ignored.push(r);
        continue;
      }
      const list = draft[FIELDS[r.kind]] as ConfigResource[];
      const i = list.findIndex((x) => x.metadata.name === r.metadata.name && x.metadata.namespace === r.metadata.namespace);
      if (i >= 0) list[i] = { ...(r as ConfigResource), metadata: { ...r.metadata, creationIndex: list[i]!.metadata.creationIndex } };
      else list.push(r as ConfigResource);
    }
  });
  return { config, ignored };
}

/** `kubectl delete`: returns the same snapshot when nothing matched. */
export function deleteResource(cfg: MeshConfig, kind: string, name: string, namespace: string): MeshConfig {
  if (!isConfigKind(kind)) return cfg;
  const field = FIELDS[kind];
  const i = (cfg[field] as readonly ConfigResource[]).findIndex((x) => x.metadata.name === name && x.metadata.namespace === namespace);
  if (i < 0) return cfg;
  return produce(cfg, (draft) => {
    draft.version++;
    (draft[field] as ConfigResource[]).splice(i, 1);
  });
}
