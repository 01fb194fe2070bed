// Which (group, kind) pairs meshsim reads, at which API versions, and the reader of each.
// Any other kind is warned about and ignored (scenario-format.md, "Kinds read").
import type { ObjectMeta } from "../proxy/api/networking.js";
import type { AnyResource, SourcePos } from "./model.js";
import type { LoadState } from "./load-state.js";
import type { YamlMap } from "./yaml-value.js";
import { specOf } from "./kinds/istio-fields.js";
import { parseDuration } from "./duration.js";
import { readDeployment, readNamespace, readSecret, readService, readServiceAccount } from "./kinds/kubernetes.js";
import { readNode } from "./kinds/node.js";
import { readLoadGenerator } from "./kinds/load-generator.js";
import {
  readDestinationRuleSpec, readGatewaySpec, readServiceEntrySpec, readSidecarSpec,
} from "./kinds/networking.js";
import {
  readAuthorizationPolicySpec, readPeerAuthenticationSpec, readRequestAuthenticationSpec,
} from "./kinds/security.js";
import { readVirtualServiceSpec } from "./kinds/virtual-service.js";
import { readWorkload } from "./kinds/workload.js";
import { readHorizontalPodAutoscaler } from "./kinds/horizontal-pod-autoscaler.js";
import { readGatewayClassSpec, readGatewaySpecV1, readReferenceGrantSpec } from "./kinds/gateway-api.js";
import { readGRPCRouteSpec, readHTTPRouteSpec } from "./kinds/gateway-api-routes.js";
import { GATEWAY_GROUP, isGatewayApiResource } from "../proxy/api/gateway-api.js";

export type ResourceReader = (doc: YamlMap, metadata: ObjectMeta, pos: SourcePos, apiVersion: string, state: LoadState) => AnyResource | undefined;

export interface KindEntry { group: string; versions: readonly string[]; clusterScoped?: boolean; read: ResourceReader }

const NETWORKING = ["v1alpha3", "v1beta1", "v1"] as const;
const SECURITY = ["v1beta1", "v1"] as const;

/** An Istio kind: `{kind, apiVersion, metadata, spec}` with a typed spec. */
function istio<S>(kind: string, group: string, versions: readonly string[], readSpec: (spec: YamlMap, state: LoadState) => S | undefined): KindEntry {
  return {
    group, versions,
    read: (doc, metadata, _pos, apiVersion, state) => {
      const spec = specOf(doc);
      const s = spec ? readSpec(spec, state) : undefined;
      return s === undefined ? undefined : ({ kind, apiVersion, metadata, spec: s } as AnyResource);
    },
  };
}

/** meshsim's annotation on a ServiceEntry: the round trip to its hosts (default: network.external). */
export const LATENCY_ANNOTATION = "meshsim.dev/latency";

function withLatencyAnnotation(entry: KindEntry): KindEntry {
  return {
    ...entry,
    read: (doc, metadata, pos, apiVersion, state) => {
      const v = doc.get("metadata")?.map()?.get("annotations")?.map()?.get(LATENCY_ANNOTATION);
      const text = v?.str();
      if (v !== undefined && text !== undefined) {
        try {
          parseDuration(text);
        } catch (e) {
          v.error((e as Error).message);
        }
      }
      return entry.read(doc, metadata, pos, apiVersion, state);
    },
  };
}

export const KINDS: Readonly<Record<string, KindEntry>> = {
  Node: { group: "", versions: ["v1"], clusterScoped: true, read: (d, m, p) => readNode(d, m, p) },
  Namespace: { group: "", versions: ["v1"], clusterScoped: true, read: (d, m, p) => readNamespace(d, m, p) },
  ServiceAccount: { group: "", versions: ["v1"], read: (d, m, p) => readServiceAccount(d, m, p) },
  Secret: { group: "", versions: ["v1"], read: (d, m, p) => readSecret(d, m, p) },
  Service: { group: "", versions: ["v1"], read: (d, m, p, _v, s) => readService(d, m, p, s) },
  Deployment: { group: "apps", versions: ["v1"], read: (d, m, p) => readDeployment(d, m, p) },
  VirtualService: istio("VirtualService", "networking.istio.io", NETWORKING, readVirtualServiceSpec),
  DestinationRule: istio("DestinationRule", "networking.istio.io", NETWORKING, readDestinationRuleSpec),
  Gateway: istio("Gateway", "networking.istio.io", NETWORKING, readGatewaySpec),
  ServiceEntry: withLatencyAnnotation(istio("ServiceEntry", "networking.istio.io", NETWORKING, readServiceEntrySpec)),
  Sidecar: istio("Sidecar", "networking.istio.io", NETWORKING, readSidecarSpec),
  PeerAuthentication: istio("PeerAuthentication", "security.istio.io", SECURITY, readPeerAuthenticationSpec),
  AuthorizationPolicy: istio("AuthorizationPolicy", "security.istio.io", SECURITY, readAuthorizationPolicySpec),
  RequestAuthentication: istio("RequestAuthentication", "security.istio.io", SECURITY, readRequestAuthenticationSpec),
  Workload: { group: "meshsim.dev", versions: ["v1alpha1"], read: (d, m, p, _v, s) => readWorkload(d, m, p, s) },
  LoadGenerator: { group: "meshsim.dev", versions: ["v1alpha1"], read: (d, m, p, _v, s) => readLoadGenerator(d, m, p, s) },
  HorizontalPodAutoscaler: { group: "autoscaling", versions: ["v2"], read: (d, m, p, _v, s) => readHorizontalPodAutoscaler(d, m, p, s) },
};

/**
 * Gateway API kinds, keyed "group/kind" because Gateway API's Gateway shares its kind with Istio's.
 * Versions: those the standard-channel CRDs serve (config/crd/standard/*.yaml, `served: true`).
 */
export const GROUPED_KINDS: Readonly<Record<string, KindEntry>> = {
  [`${GATEWAY_GROUP}/GatewayClass`]: { ...istio("GatewayClass", GATEWAY_GROUP, ["v1", "v1beta1"], readGatewayClassSpec), clusterScoped: true },
  [`${GATEWAY_GROUP}/Gateway`]: istio("KubernetesGateway", GATEWAY_GROUP, ["v1", "v1beta1"], readGatewaySpecV1),
  [`${GATEWAY_GROUP}/HTTPRoute`]: istio("HTTPRoute", GATEWAY_GROUP, ["v1", "v1beta1"], readHTTPRouteSpec),
  [`${GATEWAY_GROUP}/GRPCRoute`]: istio("GRPCRoute", GATEWAY_GROUP, ["v1"], readGRPCRouteSpec),
  [`${GATEWAY_GROUP}/ReferenceGrant`]: istio("ReferenceGrant", GATEWAY_GROUP, ["v1", "v1beta1"], readReferenceGrantSpec),
};

export { isGatewayApiResource };

/** The Simulation kind is read by the loader itself (it is the entry point, not a resource). */
export const SIMULATION = { group: "meshsim.dev", versions: ["v1alpha1"] } as const;
