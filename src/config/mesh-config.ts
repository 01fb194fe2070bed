// The mesh's desired Istio configuration as immutable snapshots: one version per change, made with
// immer so that every proxy can hold on to the version it was last pushed while newer ones exist.
import { produce, freeze } from "immer";
import { isDeepStrictEqual } from "node:util";
import type { AnyResource, Scenario } from "../scenario/model.js";
import type { DestinationRule, Gateway, ServiceEntry, Sidecar, VirtualService } from "../proxy/api/networking.js";
import type { AuthorizationPolicy, PeerAuthentication, RequestAuthentication } from "../proxy/api/security.js";
import type { GatewayApiResource } from "../proxy/api/gateway-api.js";
import { isGatewayApiResource } from "../proxy/api/gateway-api.js";
import { DEFAULT_DOMAIN_SUFFIX } from "../proxy/route/host-name.js";
import { PARENT_NAMES_ANNOTATION, translateGatewayApi, type RouteStatus } from "./gateway-api/gateway-api-config.js";
import type { KubernetesGatewayStatus } from "./gateway-api/gateway-status.js";

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
  /** Gateway API resources as applied. `virtualServices` and `gateways` also hold what istiod generates from them. */
  readonly gatewayApi: readonly GatewayApiResource[];
  /** The status istiod writes on each HTTPRoute/GRPCRoute of `gatewayApi`. */
  readonly routeStatus: readonly RouteStatus[];
  /** The status istiod writes on each Gateway of an Istio ingress class in `gatewayApi`. */
  readonly gatewayStatus: readonly KubernetesGatewayStatus[];
  /** What the Gateway API translation reads besides the resources: "ns/name" of each Service, namespaces' labels. */
  readonly cluster: {
    readonly services: readonly string[];
    readonly namespaceLabels: Readonly<Record<string, Readonly<Record<string, string>>>>;
    /** "ns/name" of each Secret → its data, decoded (listener certificateRefs). */
    readonly secrets?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  };
}

/** Is this VirtualService or Gateway one istiod generated from Gateway API resources? */
export function isGenerated(r: { metadata: { annotations: Readonly<Record<string, string>> } }): boolean {
  return r.metadata.annotations[PARENT_NAMES_ANNOTATION] !== undefined;
}

/** Are two specs the same (the API server's comparison for a generation bump; plain data, keys in YAML order)? */
function specEqual(a: unknown, b: unknown): boolean {
  return isDeepStrictEqual(a, b);
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** Re-run istiod's Gateway API controller on a (draft) config: generated resources replaced. */
function regenerate(cfg: Mutable<Pick<MeshConfig, "gatewayApi" | "cluster">> & { virtualServices: readonly VirtualService[]; gateways: readonly Gateway[]; routeStatus: readonly RouteStatus[]; gatewayStatus: readonly KubernetesGatewayStatus[] }): void {
  const out = translateGatewayApi({
    resources: cfg.gatewayApi,
    services: new Set(cfg.cluster.services),
    namespaceLabels: new Map(Object.entries(cfg.cluster.namespaceLabels)),
    secrets: new Map(Object.entries(cfg.cluster.secrets ?? {})),
    domainSuffix: DEFAULT_DOMAIN_SUFFIX,
  });
  cfg.virtualServices = [...cfg.virtualServices.filter((v) => !isGenerated(v)), ...out.virtualServices];
  cfg.gateways = [...cfg.gateways.filter((g) => !isGenerated(g)), ...out.gateways];
  cfg.routeStatus = out.routes;
  cfg.gatewayStatus = out.gatewayStatus;
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
  const cfg = {
    version: 1,
    virtualServices: s.virtualServices as readonly VirtualService[],
    gateways: s.gateways as readonly Gateway[],
    gatewayApi: s.gatewayApi,
    routeStatus: [] as readonly RouteStatus[],
    gatewayStatus: [] as readonly KubernetesGatewayStatus[],
    cluster: {
      services: s.services.map((x) => `${x.metadata.namespace}/${x.metadata.name}`),
      namespaceLabels: Object.fromEntries(s.namespaces.map((n) => [n.metadata.name, n.metadata.labels])),
      ...(s.secrets !== undefined ? { secrets: Object.fromEntries(s.secrets.map((x) => [`${x.metadata.namespace}/${x.metadata.name}`, x.data])) } : {}),
    },
  };
  if (s.gatewayApi.length > 0) regenerate(cfg);
  return freeze(
    {
      ...cfg,
      destinationRules: s.destinationRules,
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
    let gatewayApi = false;
    for (const r of resources) {
      if (isGatewayApiResource(r)) {
        gatewayApi = true;
        const list = draft.gatewayApi as GatewayApiResource[];
        const i = list.findIndex((x) => x.kind === r.kind && x.metadata.name === r.metadata.name && x.metadata.namespace === r.metadata.namespace);
        // The API server bumps metadata.generation when the spec changes (not for labels or annotations).
        if (i >= 0) {
          const old = list[i]!;
          const generation = (old.metadata.generation ?? 1) + (specEqual(old.spec, r.spec) ? 0 : 1);
          list[i] = { ...r, metadata: { ...r.metadata, creationIndex: old.metadata.creationIndex, generation } } as GatewayApiResource;
        } else list.push({ ...r, metadata: { ...r.metadata, generation: 1 } } as GatewayApiResource);
        continue;
      }
      if (r.kind === "Secret") {
        // A Secret a listener names (or will name): istiod re-resolves the Gateways' certificateRefs.
        draft.cluster.secrets = { ...draft.cluster.secrets, [`${r.metadata.namespace}/${r.metadata.name}`]: r.data };
        gatewayApi = true;
        continue;
      }
      if (!isConfigKind(r.kind)) {
        ignored.push(r);
        continue;
      }
      const list = draft[FIELDS[r.kind]] as ConfigResource[];
      const i = list.findIndex((x) => x.metadata.name === r.metadata.name && x.metadata.namespace === r.metadata.namespace);
      if (i >= 0) list[i] = { ...(r as ConfigResource), metadata: { ...r.metadata, creationIndex: list[i]!.metadata.creationIndex } };
      else list.push(r as ConfigResource);
    }
    if (gatewayApi) regenerate(draft as Parameters<typeof regenerate>[0]);
  });
  return { config, ignored };
}

/** Gateway API kinds a timeline `delete` names (a Gateway API Gateway is KubernetesGateway). */
const GATEWAY_API_DELETE_KINDS = new Set(["HTTPRoute", "GRPCRoute", "ReferenceGrant", "KubernetesGateway", "GatewayClass"]);

/** `kubectl delete`: returns the same snapshot when nothing matched. */
export function deleteResource(cfg: MeshConfig, kind: string, name: string, namespace: string): MeshConfig {
  if (GATEWAY_API_DELETE_KINDS.has(kind)) {
    const i = cfg.gatewayApi.findIndex((x) => x.kind === kind && x.metadata.name === name && x.metadata.namespace === namespace);
    if (i < 0) return cfg;
    return produce(cfg, (draft) => {
      draft.version++;
      (draft.gatewayApi as GatewayApiResource[]).splice(i, 1);
      regenerate(draft as Parameters<typeof regenerate>[0]);
    });
  }
  if (kind === "Secret") {
    const key = `${namespace}/${name}`;
    if (cfg.cluster.secrets?.[key] === undefined) return cfg;
    return produce(cfg, (draft) => {
      draft.version++;
      const rest = { ...draft.cluster.secrets };
      delete rest[key];
      draft.cluster.secrets = rest;
      regenerate(draft as Parameters<typeof regenerate>[0]);
    });
  }
  if (!isConfigKind(kind)) return cfg;
  const field = FIELDS[kind];
  const i = (cfg[field] as readonly ConfigResource[]).findIndex((x) => x.metadata.name === name && x.metadata.namespace === namespace);
  if (i < 0) return cfg;
  return produce(cfg, (draft) => {
    draft.version++;
    (draft[field] as ConfigResource[]).splice(i, 1);
  });
}
