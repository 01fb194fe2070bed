// Kubernetes kinds meshsim reads: Namespace, ServiceAccount (v1), Service (v1), Deployment (apps/v1).
// Field names and defaults are Kubernetes': https://kubernetes.io/docs/reference/kubernetes-api/
import { ANNOTATIONS, buildChains, InvalidAnnotationError } from "../../proxy/interception/iptables.js";
import type { ObjectMeta } from "../../proxy/api/networking.js";
import { parse as parseYaml } from "yaml";
import type { ContainerResources, Deployment, Namespace, ProxyResources, ReadinessProbe, Secret, Service, ServiceAccount, ServicePort, SourcePos } from "../model.js";
import { DEFAULTS } from "../defaults.js";
import type { LoadState } from "../load-state.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import { TRAFFIC_DISTRIBUTIONS } from "../../proxy/lb/locality-setting.js";
import { readContainerResources, readProxyResources } from "./container-resources.js";
import { readPodScheduling } from "./pod-scheduling.js";
import { parseDuration } from "../duration.js";
import { readDeploymentStrategy } from "./deployment-strategy.js";

const SERVICE_SPEC_IGNORED = [
  "type", "clusterIP", "clusterIPs", "externalIPs", "externalName", "externalTrafficPolicy", "internalTrafficPolicy",
  "healthCheckNodePort", "ipFamilies", "ipFamilyPolicy", "loadBalancerClass", "loadBalancerIP",
  "loadBalancerSourceRanges", "allocateLoadBalancerNodePorts", "publishNotReadyAddresses", "sessionAffinity",
  "sessionAffinityConfig",
];
const DEPLOYMENT_SPEC_IGNORED = ["revisionHistoryLimit", "progressDeadlineSeconds", "paused"];
const POD_SPEC_IGNORED = [
  "initContainers", "ephemeralContainers", "volumes", "tolerations",
  "securityContext", "imagePullSecrets", "hostPID", "hostIPC", "hostAliases", "hostname", "subdomain",
  "dnsPolicy", "dnsConfig", "restartPolicy", "priority", "priorityClassName", "schedulerName", "runtimeClassName",
  "automountServiceAccountToken", "enableServiceLinks", "preemptionPolicy", "overhead",
  "readinessGates", "activeDeadlineSeconds", "shareProcessNamespace", "os", "setHostnameAsFQDN", "hostUsers",
  "resourceClaims", "schedulingGates", "resources",
];
const CONTAINER_IGNORED = [
  "name", "image", "imagePullPolicy", "command", "args", "workingDir", "env", "envFrom", "resources", "resizePolicy",
  "restartPolicy", "volumeMounts", "volumeDevices", "livenessProbe", "startupProbe", "lifecycle",
  "terminationMessagePath", "terminationMessagePolicy", "securityContext", "stdin", "stdinOnce", "tty",
];

export function readNamespace(_doc: YamlMap, metadata: ObjectMeta, pos: SourcePos): Namespace {
  _doc.ignore("spec");
  return { kind: "Namespace", metadata, pos };
}

export function readServiceAccount(doc: YamlMap, metadata: ObjectMeta, pos: SourcePos): ServiceAccount {
  doc.ignore("secrets", "imagePullSecrets", "automountServiceAccountToken");
  return { kind: "ServiceAccount", metadata, pos };
}

/** A Secret key: "a valid config key must consist of alphanumeric characters, '-', '_' or '.'". */
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;
/** Go's base64.StdEncoding, as the API server decodes `data` ([]byte in JSON). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * A Secret (v1) as the API server validates it: keys of `data` (base64) and `stringData` (merged into
 * data, winning over it); a kubernetes.io/tls Secret must hold `tls.crt` and `tls.key`.
 * kubernetes/kubernetes pkg/apis/core/validation/validation.go ValidateSecret.
 */
export function readSecret(doc: YamlMap, metadata: ObjectMeta, pos: SourcePos): Secret {
  const type = doc.get("type")?.nonEmptyStr() ?? "Opaque";
  const data: Record<string, string> = {};
  for (const field of ["data", "stringData"] as const) {
    const m = doc.get(field)?.map();
    if (!m) continue;
    for (const k of m.keys()) {
      const v = m.get(k)!;
      const text = v.str();
      if (!SECRET_KEY.test(k)) v.error("a valid config key must consist of alphanumeric characters, '-', '_' or '.'");
      if (text === undefined) continue;
      const compact = field === "data" ? text.replace(/\s+/g, "") : text;
      if (field === "data" && !BASE64.test(compact)) v.error("illegal base64 data");
      data[k] = field === "data" ? Buffer.from(compact, "base64").toString("utf8") : text;
    }
    m.done();
  }
  doc.ignore("immutable");
  if (type === "kubernetes.io/tls") {
    for (const k of ["tls.crt", "tls.key"]) if (!(k in data)) (doc.get("data") ?? doc.get("stringData") ?? doc.get("type")!).error(`data[${k}]: Required value`);
  }
  return { kind: "Secret", metadata, type, data, pos };
}

export function readService(doc: YamlMap, metadata: ObjectMeta, pos: SourcePos, state: LoadState): Service | undefined {
  const spec = doc.req("spec")?.map();
  if (!spec) return undefined;
  const selector = spec.get("selector")?.strMap() ?? {};
  const ports: ServicePort[] = [];
  const portsV = spec.req("ports")?.list();
  if (portsV && portsV.length === 0) spec.get("ports")!.error("a Service needs at least one port");
  const seen = new Set<string>();
  for (const pv of portsV ?? []) {
    const pm = pv.map();
    if (!pm) continue;
    const port = pm.req("port")?.port();
    const name = pm.get("name")?.str();
    const protocol = pm.get("protocol")?.oneOf(["TCP", "UDP", "SCTP"] as const) ?? DEFAULTS.service.protocol;
    const appProtocol = pm.get("appProtocol")?.str();
    const tpV = pm.get("targetPort");
    pm.ignore("nodePort");
    pm.done();
    if (port === undefined) continue;
    if (portsV!.length > 1 && name === undefined) pv.error("name is required when a Service has more than one port");
    if (name !== undefined) {
      if (seen.has(name)) pv.error(`duplicate port name ${JSON.stringify(name)}`);
      seen.add(name);
    }
    const sp: ServicePort = { port, targetPort: port, protocol };
    if (name !== undefined) sp.name = name;
    if (appProtocol !== undefined) sp.appProtocol = appProtocol;
    if (tpV) {
      if (tpV.isString) {
        const portName = tpV.str()!;
        // Kubernetes resolves a named targetPort per pod; meshsim takes it from the selected Deployments.
        state.defer(() => resolveNamedTargetPort(sp, portName, tpV, selector, metadata.namespace, state));
      } else {
        const tp = tpV.port();
        if (tp !== undefined) sp.targetPort = tp;
      }
    }
    ports.push(sp);
  }
  // Istio reads trafficDistribution for locality failover (pilot/pkg/model/service.go); any other value is "no preference".
  const tdV = spec.get("trafficDistribution");
  const trafficDistribution = tdV?.str();
  if (tdV && trafficDistribution !== undefined && !TRAFFIC_DISTRIBUTIONS.includes(trafficDistribution as never)) {
    tdV.warn(`trafficDistribution ${JSON.stringify(trafficDistribution)} is not one Istio acts on (${TRAFFIC_DISTRIBUTIONS.join(", ")}); no preference`);
  }
  spec.ignore(...SERVICE_SPEC_IGNORED);
  spec.done();
  doc.ignore("status");
  return { kind: "Service", metadata, ports, selector, ...(trafficDistribution !== undefined ? { trafficDistribution } : {}), pos };
}

function selects(selector: Record<string, string>, labels: Readonly<Record<string, string>>): boolean {
  const keys = Object.keys(selector);
  return keys.length > 0 && keys.every((k) => labels[k] === selector[k]);
}

function resolveNamedTargetPort(
  sp: ServicePort, portName: string, at: YamlValue, selector: Record<string, string>, namespace: string, state: LoadState,
): void {
  const found = new Set<number>();
  for (const d of state.ofKind("Deployment")) {
    if (d.metadata.namespace !== namespace || !selects(selector, d.podLabels)) continue;
    for (const cp of d.containerPorts) if (cp.name === portName) found.add(cp.containerPort);
  }
  if (found.size === 0) {
    at.error(`named targetPort ${JSON.stringify(portName)} matches no container port of the pods this Service selects`);
    return;
  }
  if (found.size > 1) at.warn(`named targetPort ${JSON.stringify(portName)} means different ports in different pods; meshsim uses ${[...found][0]}`);
  sp.targetPort = [...found][0]!;
}

/** istio-iptables refuses a malformed port list or CIDR: the pod would never start. */
function checkInterceptionAnnotations(m: YamlMap | undefined, annotations: Record<string, string>): void {
  for (const key of Object.values(ANNOTATIONS)) {
    const v = annotations[key];
    if (v === undefined) continue;
    try {
      buildChains({ [key]: v });
    } catch (e) {
      if (!(e instanceof InvalidAnnotationError)) throw e;
      m?.get(key)?.error(e.message);
    }
  }
}

/** The timing of a container's readinessProbe; the handler (httpGet, tcpSocket, exec, grpc) succeeds once the app listens. */
function readReadinessProbe(v: YamlValue): ReadinessProbe | undefined {
  const m = v.map();
  if (!m) return undefined;
  const d = DEFAULTS.deployment.readinessProbe;
  const delay = m.get("initialDelaySeconds")?.int({ min: 0 });
  const period = m.get("periodSeconds")?.int({ min: 1 });
  const success = m.get("successThreshold")?.int({ min: 1 });
  m.ignore("httpGet", "tcpSocket", "exec", "grpc", "timeoutSeconds", "failureThreshold", "terminationGracePeriodSeconds");
  m.done();
  return {
    initialDelayMs: delay !== undefined ? delay * 1000 : d.initialDelayMs,
    periodMs: period !== undefined ? period * 1000 : d.periodMs,
    successThreshold: success ?? d.successThreshold,
  };
}

/** ProxyConfig's holdApplicationUntilProxyStarts from the `proxy.istio.io/config` annotation (YAML or JSON). */
function holdsApplication(m: YamlMap | undefined, annotations: Record<string, string>): boolean {
  const text = annotations["proxy.istio.io/config"];
  if (text === undefined) return DEFAULTS.deployment.holdApplicationUntilProxyStarts;
  let cfg: unknown;
  try {
    cfg = parseYaml(text);
  } catch {
    m?.get("proxy.istio.io/config")?.error("is not a YAML or JSON ProxyConfig");
    return DEFAULTS.deployment.holdApplicationUntilProxyStarts;
  }
  const hold = cfg !== null && typeof cfg === "object" ? (cfg as Record<string, unknown>)["holdApplicationUntilProxyStarts"] : undefined;
  if (hold === undefined) return DEFAULTS.deployment.holdApplicationUntilProxyStarts;
  if (typeof hold !== "boolean") {
    m?.get("proxy.istio.io/config")?.error("holdApplicationUntilProxyStarts must be true or false");
    return DEFAULTS.deployment.holdApplicationUntilProxyStarts;
  }
  return hold;
}

/**
 * ProxyConfig's terminationDrainDuration from the `proxy.istio.io/config` annotation (a duration
 * string, e.g. "5s"), in ms. Istio's default is 5 s: pkg/config/mesh/mesh.go (DefaultProxyConfig).
 */
function terminationDrain(m: YamlMap | undefined, annotations: Record<string, string>): number {
  const text = annotations["proxy.istio.io/config"];
  let cfg: unknown;
  try {
    cfg = text === undefined ? undefined : parseYaml(text);
  } catch {
    cfg = undefined; // reported by the holdApplicationUntilProxyStarts reader
  }
  const v = cfg !== null && typeof cfg === "object" ? (cfg as Record<string, unknown>)["terminationDrainDuration"] : undefined;
  if (v === undefined) return DEFAULTS.deployment.terminationDrainMs;
  try {
    if (typeof v !== "string") throw new Error("must be a duration string such as \"5s\"");
    return parseDuration(v);
  } catch (e) {
    m?.get("proxy.istio.io/config")?.error(`terminationDrainDuration ${(e as Error).message}`);
    return DEFAULTS.deployment.terminationDrainMs;
  }
}

/**
 * The `sidecar.istio.io/nativeSidecar` annotation, which takes precedence over ENABLE_NATIVE_SIDECARS.
 * Istio's injection template decides the container's place with `ne (annotation | default
 * .NativeSidecars) "false"`: any value but "false" makes istio-proxy a native sidecar (an init
 * container with restartPolicy Always). Absent, meshsim keeps the classic sidecar container: the
 * global default before istio/istio#56428 ("auto" since: native on kubelets ≥ 1.33, which meshsim does not model).
 * istio/istio manifests/charts/istio-control/istio-discovery/files/injection-template.yaml ($nativeSidecar),
 * pkg/kube/inject/webhook.go DetectNativeSidecar, pilot/pkg/features/pilot.go EnableNativeSidecars.
 */
function nativeSidecar(m: YamlMap | undefined, annotations: Record<string, string>): boolean {
  const v = annotations["sidecar.istio.io/nativeSidecar"];
  if (v === undefined || v === "false") return false;
  if (v !== "true") m?.get("sidecar.istio.io/nativeSidecar")?.warn(`${JSON.stringify(v)} is neither "true" nor "false"; Istio's injection template treats any value but "false" as true (native sidecar)`);
  return true;
}

export function readDeployment(doc: YamlMap, metadata: ObjectMeta, pos: SourcePos): Deployment | undefined {
  const spec = doc.req("spec")?.map();
  if (!spec) return undefined;
  const replicas = spec.get("replicas")?.int({ min: 0 }) ?? DEFAULTS.deployment.replicas;
  const tmpl = spec.req("template")?.map();
  let podLabels: Record<string, string> = {};
  let podAnnotations: Record<string, string> = {};
  const containerPorts: Deployment["containerPorts"] = [];
  let serviceAccountName: string = DEFAULTS.deployment.serviceAccountName;
  let terminationGracePeriodMs: number = DEFAULTS.deployment.terminationGracePeriodMs;
  const readinessProbes: ReadinessProbe[] = [];
  let holdApplicationUntilProxyStarts: boolean = DEFAULTS.deployment.holdApplicationUntilProxyStarts;
  let terminationDrainMs: number = DEFAULTS.deployment.terminationDrainMs;
  let native = false;
  let hostNetwork = false;
  let scheduling: Deployment["scheduling"];
  const containers: ContainerResources[] = [];
  let proxy: ProxyResources = {};
  if (tmpl) {
    const tm = tmpl.get("metadata")?.map();
    if (tm) {
      podLabels = tm.get("labels")?.strMap() ?? {};
      podAnnotations = tm.get("annotations")?.strMap() ?? {};
      checkInterceptionAnnotations(tm.get("annotations")?.map(), podAnnotations);
      holdApplicationUntilProxyStarts = holdsApplication(tm.get("annotations")?.map(), podAnnotations);
      terminationDrainMs = terminationDrain(tm.get("annotations")?.map(), podAnnotations);
      native = nativeSidecar(tm.get("annotations")?.map(), podAnnotations);
      proxy = readProxyResources(tm.get("annotations")?.map(), podAnnotations);
      tm.ignore("name", "namespace", "generateName", "creationTimestamp");
      tm.done();
    }
    const ps = tmpl.req("spec")?.map();
    if (ps) {
      for (const cv of ps.req("containers")?.list() ?? []) {
        const c = cv.map();
        if (!c) continue;
        containers.push(readContainerResources(c, containers.length));
        for (const portV of c.get("ports")?.list() ?? []) {
          const p = portV.map();
          if (!p) continue;
          const containerPort = p.req("containerPort")?.port();
          const name = p.get("name")?.str();
          p.ignore("protocol", "hostPort", "hostIP");
          p.done();
          if (containerPort !== undefined) containerPorts.push(name === undefined ? { containerPort } : { name, containerPort });
        }
        const rpV = c.get("readinessProbe");
        const rp = rpV ? readReadinessProbe(rpV) : undefined;
        if (rp) readinessProbes.push(rp);
        c.ignore(...CONTAINER_IGNORED);
        c.done();
      }
      const saV = ps.get("serviceAccountName") ?? ps.get("serviceAccount");
      serviceAccountName = saV?.nonEmptyStr() ?? serviceAccountName;
      const grace = ps.get("terminationGracePeriodSeconds")?.int({ min: 0 });
      if (grace !== undefined) terminationGracePeriodMs = grace * 1000;
      if (ps.get("hostNetwork")?.bool() === true) hostNetwork = true;
      scheduling = readPodScheduling(ps, tmpl.get("spec")!);
      ps.ignore(...POD_SPEC_IGNORED);
      ps.done();
    }
    tmpl.done();
  }
  const selV = spec.get("selector");
  const sel = selV?.map();
  if (sel) {
    const matchLabels = sel.get("matchLabels")?.strMap();
    sel.ignore("matchExpressions");
    sel.done();
    // apps/v1 rejects a Deployment whose selector does not match its own pod template.
    if (matchLabels && tmpl && !Object.entries(matchLabels).every(([k, v]) => podLabels[k] === v)) {
      selV!.error("selector does not match the template's labels");
    }
  }
  const strategy = readDeploymentStrategy(spec);
  spec.ignore(...DEPLOYMENT_SPEC_IGNORED);
  spec.done();
  doc.ignore("status");
  return {
    kind: "Deployment", metadata, replicas, podLabels, podAnnotations, containerPorts, serviceAccountName,
    terminationGracePeriodMs, readinessProbes, holdApplicationUntilProxyStarts, terminationDrainMs, nativeSidecar: native, ...(hostNetwork ? { hostNetwork: true as const } : {}), strategy, ...(scheduling ? { scheduling } : {}),
    ...(containers.length > 0 ? { containers } : {}), ...(Object.keys(proxy).length > 0 ? { proxy } : {}), pos,
  };
}
