// A small world for istiod unit tests and properties: pods with sidecars, their xDS state, a Sidecar
// scope from the real scoping code, and an observer recording every ACK/NACK in order.
import { Simulator } from "../../src/engine/simulator.js";
import { ControlPlane, type ControlPlaneSettings } from "../../src/xds/control-plane.js";
import type { PushRecord } from "../../src/xds/push-queue.js";
import type { MeshConfig } from "../../src/config/mesh-config.js";
import { sidecarScope, type SidecarScope } from "../../src/config/sidecar-scope.js";
import { Pod } from "../../src/mesh/kube/pod.js";
import { Sidecar } from "../../src/mesh/sidecar/sidecar.js";
import { ProxyXds, type EndpointSnapshot } from "../../src/mesh/sidecar/proxy-xds.js";
import type { XdsTypeName } from "../../src/xds/push-request.js";
import type { Scenario } from "../../src/scenario/model.js";
import { initialConfig } from "../../src/config/mesh-config.js";
import { ServiceRegistry } from "../../src/mesh/kube/service-registry.js";
import { Translator } from "../../src/xds/translation/translator.js";

export interface Arrival { t: number; pod: string; type: XdsTypeName; ok: boolean; version: number }

export const SERVICES = ["a", "b", "c"].map((n) => ({ fqdn: `${n}.default.svc.cluster.local`, namespace: "default" }));

/** The three services, one HTTP port each, as istiod's translation reads them (push sizing counts its output). */
const REGISTRY = new ServiceRegistry(SERVICES.map((s, i) => ({
  kind: "Service" as const, ports: [{ name: "http", port: 80, targetPort: 80, protocol: "TCP" as const }], selector: { app: s.fqdn.split(".")[0]! },
  metadata: { name: s.fqdn.split(".")[0]!, namespace: s.namespace, labels: {}, annotations: {}, creationIndex: i }, pos: { file: "harness", line: 1, column: 1 },
})));

export function emptyConfig(): MeshConfig {
  return initialConfig({
    virtualServices: [], destinationRules: [], gateways: [], serviceEntries: [], sidecars: [],
    peerAuthentications: [], authorizationPolicies: [], requestAuthentications: [],
    gatewayApi: [], services: [], namespaces: [],
  } as unknown as Scenario);
}

let edsVersion = 1_000_000;
export function eds(byFqdn: Record<string, Pod[]> = {}): EndpointSnapshot {
  return { version: ++edsVersion, byFqdn: new Map(Object.entries(byFqdn)) };
}

export class Harness {
  readonly sim = new Simulator();
  readonly pods: Pod[] = [];
  readonly xds = new Map<Pod, ProxyXds>();
  readonly arrivals: Arrival[] = [];
  readonly converged: { changedAt: number; at: number }[] = [];
  /** Every push istiod started, live (its counts grow as it goes on). */
  readonly pushes: PushRecord[] = [];
  maxInFlight = 0;
  private inFlight = new Set<Pod>();
  readonly cp: ControlPlane;

  /** `e0`: the endpoints istiod and the proxies start with (none: every service is new to istiod). */
  constructor(n: number, settings: Partial<ControlPlaneSettings> = {}, readonly initial = emptyConfig(), namespaces?: string[], e0: EndpointSnapshot = eds()) {
    for (let i = 0; i < n; i++) {
      const ns = namespaces?.[i % namespaces.length] ?? "default";
      const p = new Pod(`p-${i}`, ns, "w", { app: "w" }, {}, "default", true, `10.0.0.${i + 1}`);
      this.pods.push(p);
      p.proxy = new Sidecar(p, "sidecar", { clustersPushed: () => {}, configured: () => {} });
      p.proxy.xds = new ProxyXds(initial, e0, initial, initial, true);
      this.xds.set(p, p.proxy.xds);
    }
    const self = this;
    const scopeOf = (p: Pod, c: MeshConfig): SidecarScope => sidecarScope(c, SERVICES, p.namespace, p.labels, "istio-system");
    this.cp = new ControlPlane(this.sim, {
      debounceAfterMs: 100, debounceMaxMs: 10_000, pushThrottle: 100, requestsPerSecond: 25, pushTime: () => 10, pushTimePerResourceMs: 0,
      workloadTtlMs: 24 * 3_600_000, certJitter: () => 0.5, ...settings,
    }, initial, e0, {
      proxies: () => self.pods,
      proxyOf: (p) => p.proxy!,
      scopeOf,
      translation: new Translator(REGISTRY, "ALLOW_ANY", scopeOf),
    }, {
      pushed: (pod, type, now) => {
        const x = self.xds.get(pod)!;
        self.arrivals.push({ t: now, pod: pod.name, type, ok: true, version: type === "eds" ? x.eds.version : x[type].version });
        self.inFlight.add(pod);
        self.maxInFlight = Math.max(self.maxInFlight, self.inFlight.size);
      },
      rejected: (pod, type, _r, now) => self.arrivals.push({ t: now, pod: pod.name, type, ok: false, version: -1 }),
      proxyPushed: (pod) => self.inFlight.delete(pod),
      pushStarted: (push) => self.pushes.push(push),
      converged: (changedAt, at) => self.converged.push({ changedAt, at }),
      bootstrapped: () => {},
      stale: () => {},
      certificateIssued: () => {},
      certificateExpired: () => {},
    });
  }

  /** A new pod's sidecar connects (scale-up): not bootstrapped until istiod has pushed it. */
  addPod(): Pod {
    const i = this.pods.length;
    const p = new Pod(`p-${i}`, "default", "w", { app: "w" }, {}, "default", true, `10.0.1.${i + 1}`);
    this.pods.push(p);
    p.proxy = new Sidecar(p, "sidecar", { clustersPushed: () => {}, configured: () => {} });
    p.proxy.xds = new ProxyXds(this.cp.config, eds(), this.cp.config, this.cp.config, false);
    this.xds.set(p, p.proxy.xds);
    this.cp.connect(p);
    return p;
  }

  /** Run `fn` at simulated time `t`, then let the event loop go on to `until`. */
  at(t: number, fn: () => void): void {
    const k = this.sim.on(() => fn());
    this.sim.at(t, k);
  }

  run(until = 1e9): void {
    this.sim.run(until);
  }
}
