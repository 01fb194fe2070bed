// The typed scenario: what the loader hands to the rest of meshsim once the YAML is parsed and valid.
// Durations are milliseconds (float); rates are per simulated second; fractions are 0..1.
import type { ProxyCalibration } from "../proxy/resources/calibration-profile.js";
import type { ResourcePrices } from "../telemetry/resource-cost.js";
import type { DistributionSpec } from "../engine/distributions/spec.js";
import type {
  DestinationRule, Gateway, H2UpgradePolicy, MeshDefaultTrafficPolicy, ObjectMeta, ServiceEntry, Sidecar, VirtualService,
} from "../proxy/api/networking.js";
import type { AuthorizationPolicy, PeerAuthentication, RequestAuthentication } from "../proxy/api/security.js";
import type { GatewayApiResource, LabelSelector } from "../proxy/api/gateway-api.js";

/** Where a value came from, for messages: file:line:column. */
export interface SourcePos { file: string; line: number; column: number }

/**
 * A Kubernetes Node (core/v1): its labels (topology.kubernetes.io/region|zone, topology.istio.io/subzone,
 * kubernetes.io/hostname) and what it can hold (status.allocatable; absent: unbounded).
 */
export interface Node {
  kind: "Node";
  metadata: ObjectMeta;
  /** status.allocatable.cpu in millicores; Infinity when not given. */
  allocatableCpuMillis: number;
  /** status.allocatable.memory in bytes; Infinity when not given. */
  allocatableMemoryBytes: number;
  /** status.allocatable.pods; Infinity when not given. */
  allocatablePods: number;
  /** spec.unschedulable (kubectl cordon). */
  unschedulable: boolean;
  pos: SourcePos;
}

/** A node selector requirement (required nodeAffinity): In, NotIn, Exists, DoesNotExist, Gt, Lt. */
export interface NodeSelectorRequirement { key: string; operator: "In" | "NotIn" | "Exists" | "DoesNotExist" | "Gt" | "Lt"; values: string[] }

/** A pod template's topologySpreadConstraints entry. */
export interface TopologySpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  whenUnsatisfiable: "DoNotSchedule" | "ScheduleAnyway";
  /** labelSelector.matchLabels (absent: the constraint counts no pods, as in Kubernetes). */
  matchLabels?: Record<string, string>;
  /** minDomains (DoNotSchedule only); default 1. */
  minDomains: number;
  pos: SourcePos;
  path: string;
}

/** Where a Deployment's pods may run and what they ask for (kube-scheduler's inputs). */
export interface PodScheduling {
  /** spec.nodeName: bound to this node without the scheduler. */
  nodeName?: string;
  nodeSelector: Record<string, string>;
  /** requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: OR of terms, each an AND. */
  requiredNodeAffinity: NodeSelectorRequirement[][];
  topologySpreadConstraints: TopologySpreadConstraint[];
  /** Sum of the containers' resources.requests (millicores, bytes). */
  requests: { cpuMillis: number; memoryBytes: number };
  pos: SourcePos;
  /** Where nodeSelector / nodeAffinity are written, for messages. */
  selectorAt?: { pos: SourcePos; path: string };
}

/** Pod-to-pod one-way latency by distance, and the price of crossing zones (Simulation spec.network). */
export interface NetworkTopology {
  sameNode: DistributionSpec;
  sameZone: DistributionSpec;
  crossZone: DistributionSpec;
  crossRegion: DistributionSpec;
  /** Dollars per GB that crosses a zone boundary, counted once per direction it travels. */
  crossZonePricePerGB: number;
  crossRegionPricePerGB: number;
}

export interface Namespace { kind: "Namespace"; metadata: ObjectMeta; pos: SourcePos }
export interface ServiceAccount { kind: "ServiceAccount"; metadata: ObjectMeta; pos: SourcePos }
/**
 * A core Secret as istiod's credential lookup reads it: its type and its data, decoded (`data` from
 * base64, `stringData` as written, merged as the API server merges them).
 */
export interface Secret { kind: "Secret"; metadata: ObjectMeta; type: string; data: Record<string, string>; pos: SourcePos }

export interface ServicePort {
  name?: string;
  port: number;
  /** Defaults to `port`, as in Kubernetes. A named targetPort is resolved against container ports. */
  targetPort: number;
  protocol: "TCP" | "UDP" | "SCTP";
  appProtocol?: string;
}

export interface Service {
  kind: "Service";
  metadata: ObjectMeta;
  ports: ServicePort[];
  selector: Record<string, string>;
  /** spec.trafficDistribution (PreferClose, PreferSameZone, PreferSameNode). */
  trafficDistribution?: string;
  pos: SourcePos;
}

/** An apps/v1 IntOrString of maxSurge / maxUnavailable: a count, or a percentage of the replicas. */
export interface IntOrPercent {
  value: number;
  percent: boolean;
}

export interface DeploymentStrategy {
  /** spec.strategy.type (default RollingUpdate). */
  type: "RollingUpdate" | "Recreate";
  /** spec.strategy.rollingUpdate.maxSurge (default 25 %). */
  maxSurge: IntOrPercent;
  /** spec.strategy.rollingUpdate.maxUnavailable (default 25 %). */
  maxUnavailable: IntOrPercent;
  /** spec.minReadySeconds in ms (default 0): how long a Ready pod waits before it counts as available. */
  minReadyMs: number;
}

export interface Deployment {
  kind: "Deployment";
  metadata: ObjectMeta;
  replicas: number;
  /** spec.template.metadata.labels */
  podLabels: Record<string, string>;
  /** spec.template.metadata.annotations */
  podAnnotations: Record<string, string>;
  /** spec.template.spec.hostNetwork: such pods are never injected (inject.go injectRequired). */
  hostNetwork?: true;
  containerPorts: { name?: string; containerPort: number }[];
  serviceAccountName: string;
  /** spec.template.spec.terminationGracePeriodSeconds in ms (Kubernetes default 30 s). */
  terminationGracePeriodMs: number;
  /** The readinessProbe timing of each container that has one. */
  readinessProbes: ReadinessProbe[];
  /** ProxyConfig holdApplicationUntilProxyStarts from the `proxy.istio.io/config` pod annotation (Istio default false). */
  holdApplicationUntilProxyStarts: boolean;
  /** ProxyConfig terminationDrainDuration from the `proxy.istio.io/config` pod annotation, in ms
   *  (Istio default 5 s): how long pilot-agent lets Envoy drain after SIGTERM before it stops it. */
  terminationDrainMs: number;
  /** The `sidecar.istio.io/nativeSidecar` pod annotation: istio-proxy injected as a Kubernetes native
   *  sidecar (an init container with restartPolicy Always). Absent: false (ENABLE_NATIVE_SIDECARS off). */
  nativeSidecar: boolean;
  /** spec.strategy and spec.minReadySeconds: how a timeline `rollout` replaces the pods. */
  strategy: DeploymentStrategy;
  /** nodeSelector, affinity, topologySpreadConstraints, requests (absent: none of them set). */
  scheduling?: PodScheduling;
  /** The app containers' resources, in order (the first one runs the Workload's compute steps). */
  containers?: ContainerResources[];
  /** The sidecar's resources and concurrency from the pod's annotations. */
  proxy?: ProxyResources;
  pos: SourcePos;
}

/** A container's resources.requests / resources.limits (absent: not set). */
export interface ContainerResources {
  name: string;
  requests: { cpuMillis?: number; memoryBytes?: number };
  limits: { cpuMillis?: number; memoryBytes?: number };
}

/** The injected istio-proxy container as the pod's annotations set it (absent: Istio's defaults). */
export interface ProxyResources {
  cpuRequestMillis?: number;
  cpuLimitMillis?: number;
  memoryRequestBytes?: number;
  memoryLimitBytes?: number;
  /** ProxyConfig.concurrency from `proxy.istio.io/config` (0: all cores). */
  concurrency?: number;
}

/** What meshsim takes from a container's readinessProbe (ms; Kubernetes' defaults 0 s, 10 s, 1). */
export interface ReadinessProbe { initialDelayMs: number; periodMs: number; successThreshold: number }

export interface CallTarget {
  scheme: "http" | "https";
  /** Host as written in the URL (what the app puts in the Host header, without port). */
  host: string;
  port: number;
  path: string;
  /** An in-mesh Service or ServiceEntry host, or a host outside the cluster. */
  resolved:
    | { kind: "service"; name: string; namespace: string; fqdn: string }
    | { kind: "serviceEntry"; host: string; namespace: string }
    | { kind: "external"; host: string };
}

export interface CallSpec {
  to: CallTarget;
  method: string;
  /** The application's own timeout for one attempt; undefined = waits forever. */
  timeoutMs?: number;
  /** The application's own retries after the first attempt (any failed attempt is retried). */
  retries: number;
  onError: "fail" | "continue";
  /** Incoming request headers copied onto this call (lowercase names). */
  forwardHeaders: string[];
  /** Request body size in bytes (istio_request_bytes, BYTES_RECEIVED); absent: 0. */
  requestSize?: number;
  /**
   * `perCall`: a new TCP connection for every attempt (Python `requests.get` without a Session);
   * absent: `keepAlive`, the app's calls share its sidecar's workers in turn and dial nothing.
   */
  connection?: "keepAlive" | "perCall";
}

export type Step =
  | { kind: "compute"; time: DistributionSpec }
  | { kind: "call"; call: CallSpec }
  | { kind: "parallel"; steps: Step[] };

export interface WorkloadBehaviour {
  /** Slots: requests served at once (blocking) or computing at once (async). */
  concurrency: number;
  /**
   * The waiting room: how many may wait for a slot beyond the `concurrency` being served (a pod
   * holds at most concurrency + queueLimit in blocking threading); an arrival finding it full gets
   * the app's own 503. 0: no waiting (Erlang's loss system).
   */
  queueLimit: number;
  threading: "blocking" | "async";
  errorRate: number;
  script: Step[];
  /** Response body size in bytes (istio_response_bytes, BYTES_SENT); absent: 0. */
  responseSize?: DistributionSpec;
}

export interface Workload {
  kind: "Workload";
  metadata: ObjectMeta;
  selector: Record<string, string>;
  /** Defaults: concurrency and queueLimit unbounded (Infinity), threading blocking, errorRate 0, script empty (answers at once). */
  behaviour: WorkloadBehaviour;
  /** Per `version` label: the fields given there replace the base behaviour's. */
  versions: Record<string, Partial<WorkloadBehaviour>>;
  /** How long the app takes to listen once its container starts (meshsim default 0). */
  startupTime: DistributionSpec;
  /** The app container's memory working set: a base plus bytes per request in the app (absent: not modelled). */
  memory?: { baseBytes: number; perRequestBytes: number };
  pos: SourcePos;
}

export type LoadSource =
  | { kind: "outside" }
  | { kind: "deployment"; name: string }
  | { kind: "gateway"; name: string };

export interface LoadGenerator {
  kind: "LoadGenerator";
  metadata: ObjectMeta;
  from: LoadSource;
  /** For `outside`: the namespace the client stands in. */
  namespace: string;
  target: CallTarget;
  method: string;
  /** Open loop. `profile` points are piecewise linear in time (ms) and override `rate`. */
  open?: { rate: number; arrival: "poisson" | "constant"; profile?: { atMs: number; rate: number }[] };
  /** Closed loop, like fortio: `qps` 0 = as fast as answers come; `requests` total over all connections. */
  /** `timeoutMs`: fortio's -timeout, each call's deadline after its dial. */
  closed?: { connections: number; requests?: number; qps: number; timeoutMs: number };
  /** Mutually exclusive slices of the requests (fractions sum to at most 1) with headers to set. */
  headers: { fraction: number; set: Record<string, string> }[];
  /** Request body size in bytes; absent: 0. */
  requestSize?: number;
  startMs: number;
  stopMs?: number;
  pos: SourcePos;
}

export type Comparison = "<" | "<=" | ">" | ">=" | "==" | "!=";

export interface ExpectCheck {
  /** `requests`, `errorRate`, `mean`, `p50`, `p90`, `p99`, `p999`, `max`, `codes.<code>`, `flags.<flag>`, `rps`. */
  metric: string;
  op: Comparison;
  /** In the metric's unit: ms for latencies, 0..1 for rates, a count otherwise. */
  value: number;
  /** As the user wrote it, for the report: "< 300ms". */
  text: string;
}

export interface Expectation {
  subject: { kind: "client"; name: string } | { kind: "edge"; source: string; destination: string } | { kind: "mesh" } | { kind: "autoscaler"; name: string };
  checks: ExpectCheck[];
  pos: SourcePos;
}

/** A resource metric an HPA scales on: the pods' (Resource) or one container's (ContainerResource). */
export interface HpaMetric {
  type: "Resource" | "ContainerResource";
  resource: "cpu" | "memory";
  /** ContainerResource: the container's name. */
  container?: string;
  /** Utilization: percent of the requests; AverageValue: per pod, in milli-units (millicores, or bytes × 1000). */
  target: { type: "Utilization"; averageUtilization: number } | { type: "AverageValue"; averageValueMilli: number; text: string };
  /** Where it is written (spec.metrics[i]), for messages. */
  path: string;
}

/** behavior.scaleUp / scaleDown with the API server's defaults filled in. */
export interface HpaScalingRules {
  /** null: scaleDown without a window of its own (the controller's --horizontal-pod-autoscaler-downscale-stabilization applies). */
  stabilizationWindowSeconds: number | null;
  selectPolicy: "Max" | "Min" | "Disabled";
  policies: { type: "Pods" | "Percent"; value: number; periodSeconds: number }[];
  /** The usage ratio's dead band this way (HPAConfigurableTolerance, beta in 1.35); null: the controller's 0.1. */
  tolerance: number | null;
}

/** autoscaling/v2 HorizontalPodAutoscaler (scaleTargetRef a Deployment). */
export interface HorizontalPodAutoscaler {
  kind: "HorizontalPodAutoscaler";
  metadata: ObjectMeta;
  /** scaleTargetRef.name: a Deployment of the HPA's namespace. */
  target: string;
  minReplicas: number;
  maxReplicas: number;
  /** The modelled metrics (Pods, Object, External ones are warned about and left out). */
  metrics: HpaMetric[];
  /** null: spec.behavior unset (the API server leaves it nil; the controller's legacy rules apply). */
  behavior: { scaleUp: HpaScalingRules; scaleDown: HpaScalingRules } | null;
  pos: SourcePos;
}

export type AnyResource =
  | Node | Namespace | ServiceAccount | Secret | Service | Deployment | Workload | LoadGenerator | HorizontalPodAutoscaler
  | VirtualService | DestinationRule | Gateway | ServiceEntry | Sidecar
  | PeerAuthentication | AuthorizationPolicy | RequestAuthentication | GatewayApiResource;

export type TimelineAction =
  | { kind: "apply"; resources: AnyResource[] }
  | { kind: "delete"; resourceKind: string; name: string; namespace: string }
  | { kind: "kill"; deployment?: string; pod?: string; count: number; namespace: string; network: "refuse" | "blackhole"; zone?: string; node?: string }
  /** kubectl drain of a node or of every node in a zone: cordon, evict (graceful), the Deployments recreate the pods elsewhere. */
  | { kind: "drain"; zone?: string; node?: string }
  /** A node's (or a zone's nodes') Ready condition: NotReady ⇒ its pods are unreachable and taken out of endpoints after the grace period. */
  | { kind: "nodeCondition"; zone?: string; node?: string; ready: boolean }
  /** Traffic between pods of these zones is dropped (connect timeouts), or restored (`heal`). */
  | { kind: "partition"; zones: string[]; heal: boolean }
  | {
    kind: "crash"; deployment?: string; pod?: string; count: number; namespace: string;
    /** Each restarted container crashes again after running this long (absent: it crashes once). */
    crashAfter?: DistributionSpec;
    /** Crashes in all, the first included (absent with crashAfter: for ever). */
    times?: number;
  }
  | { kind: "scale"; deployment: string; replicas: number; namespace: string }
  /** `kubectl rollout restart`: a new ReplicaSet of the same template replaces the pods. */
  | { kind: "rollout"; deployment: string; namespace: string }
  | { kind: "set"; workload: string; namespace: string; errorRate?: number; serviceTime?: DistributionSpec }
  | { kind: "controlPlane"; state: "up" | "down" };

export interface TimelineEvent { atMs: number; action: TimelineAction; pos: SourcePos }

export interface MeshSettings {
  mode: "sidecar" | "ambient" | "none";
  outboundTrafficPolicy: "ALLOW_ANY" | "REGISTRY_ONLY";
  /** MeshConfig defaultTrafficPolicy (Istio ≥ 1.31): absent unless the scenario sets it. */
  defaultTrafficPolicy?: MeshDefaultTrafficPolicy;
  /** MeshConfig h2UpgradePolicy (absent: DO_NOT_UPGRADE, Istio's default); a DestinationRule's overrides it. */
  h2UpgradePolicy?: H2UpgradePolicy;
  /** `startupTime`: from the sidecar's start until Envoy has its first config and /healthz/ready passes. */
  proxy: {
    latency: DistributionSpec; cpuPerRequestMs: number; memoryBytes: number; startupTime: DistributionSpec;
    /** The calibration profile (`profile`, default istio-1.24) with the overrides applied. */
    calibration: ProxyCalibration;
    /** Mesh-wide ProxyConfig.concurrency (absent: from each sidecar's CPU, else 2). */
    concurrency?: number;
    /** The scenario wrote a `mesh.proxy` block (it asks about the proxies' cost: the report charts their CPU). */
    declared?: true;
  };
  /** Prices for the mesh's monthly cost (default AWS Fargate us-east-1). */
  cost: ResourcePrices;
  controlPlane: { debounceAfterMs: number; debounceMaxMs: number; pushThrottle: number; maxRequestsPerSecond: number; pushTime: DistributionSpec; pushTimePerResourceMs: number };
  certificates: { workloadTTLMs: number };
  /**
   * Istio's sidecarInjectorWebhook.enableNamespacesByDefault: true injects every namespace not
   * labelled istio-injection=disabled. Not set: true when the scenario has no Namespace documents,
   * false (only labelled namespaces) when it has some (docs/injection.md).
   */
  injection: {
    enableNamespacesByDefault?: boolean;
    /** sidecarInjectorWebhook.neverInjectSelector: pods these select get no sidecar unless their label/annotation says "true". */
    neverInjectSelector?: LabelSelector[];
    /** sidecarInjectorWebhook.alwaysInjectSelector: consulted after neverInjectSelector, same precedence rule. */
    alwaysInjectSelector?: LabelSelector[];
    /** global.proxy.autoInject: the injector's policy for a pod that says nothing (default enabled). */
    autoInject?: "enabled" | "disabled";
  };
}

export interface Simulation {
  kind: "Simulation";
  metadata: ObjectMeta;
  seed: number;
  durationMs: number;
  warmupMs: number;
  mesh: MeshSettings;
  network: { latency: DistributionSpec; external: { latency: DistributionSpec } };
  timeline: TimelineEvent[];
  expect: Expectation[];
  /** `windowMs` null: the runner picks the window from the run's length (report/report-window.ts). */
  report: { windowMs: number | null; accessLog: boolean; traces: { enabled: boolean; sample: number } };
  /** Nodes declared by the `nodes` shorthand (added to the scenario's Node documents). */
  nodes?: Node[];
  /** Latency by distance and cross-zone prices (used only when the scenario has nodes). */
  topology?: NetworkTopology;
  pos: SourcePos;
}

export interface Diagnostic { severity: "warning" | "error"; pos: SourcePos; path: string; message: string }

export interface Scenario {
  /** Absolute path of the file holding the Simulation. */
  file: string;
  simulation: Simulation;
  namespaces: Namespace[];
  /** Node documents and the Simulation's `nodes` shorthand; absent or empty: one implicit node, no locality. */
  nodes?: Node[];
  serviceAccounts: ServiceAccount[];
  services: Service[];
  deployments: Deployment[];
  workloads: Workload[];
  loadGenerators: LoadGenerator[];
  /** autoscaling/v2 HorizontalPodAutoscalers (absent or empty: none). */
  autoscalers?: HorizontalPodAutoscaler[];
  /** Secrets (absent or empty: none); a Gateway listener's certificateRefs name them. */
  secrets?: Secret[];
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  gateways: Gateway[];
  serviceEntries: ServiceEntry[];
  sidecars: Sidecar[];
  peerAuthentications: PeerAuthentication[];
  authorizationPolicies: AuthorizationPolicy[];
  requestAuthentications: RequestAuthentication[];
  /** Gateway API resources (GatewayClass, Gateway as KubernetesGateway, HTTPRoute, GRPCRoute, ReferenceGrant). */
  gatewayApi: GatewayApiResource[];
  warnings: Diagnostic[];
}
