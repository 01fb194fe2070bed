// What the pods' containers used: CPU cores per 1 s window (mean, p99, max), CFS throttled
// periods, memory; and what the mesh's proxies cost (mesh.cost). Read from the world at the end of
// a run (mesh/kube/pod-resources.ts), after the warm-up.
import type { Pod } from "../mesh/kube/pod.js";
import { LabelSelectorIndex } from "../mesh/kube/label-selector-index.js";
import type { ServiceState } from "../mesh/kube/service-registry.js";
import type { World } from "../mesh/world.js";
import { DEFAULT_MEMORY_COEFFICIENTS, proxyMemoryMB } from "../proxy/resources/proxy-memory.js";
import type { ContainerPoint, ContainerSummary, Summary } from "../report/summary-types.js";
import type { Scenario, Simulation } from "../scenario/model.js";
import { monthlyCost } from "../telemetry/resource-cost.js";
import { Translator } from "../xds/translation/translator.js";
import type { ProxyInput } from "../xds/translation/proxy-input.js";

const r3 = (x: number): number => Math.round(x * 1000) / 1000;

type Held = { clusters: number; listeners: number; endpoints: number; routes: number; connections: number };

/**
 * The counts of what a proxy holds, from istiod's translation of the versions it ACKed. Proxies of
 * one namespace under the same Sidecar resource, holding the same versions, hold the same clusters,
 * endpoints and listeners: one translation serves them all (a 1,000-Deployment mesh translated per
 * Deployment took 3 GB and 10× the run's time). Routes can differ among them only by VirtualService
 * `sourceLabels` matches; the count of the first proxy is taken for all (docs/cpu-and-memory.md).
 * Inbound clusters are the pod's own (the services that select it) and are counted per pod.
 */
function heldCounts(world: World, pod: Pod, cache: Map<string, { key: readonly unknown[]; held: Held }>, services: Map<unknown, LabelSelectorIndex<ServiceState>>): Held {
  const t = world.translation;
  if (!(t instanceof Translator)) return { clusters: 0, listeners: 0, endpoints: 0, routes: 0, connections: 0 };
  const versions = pod.proxy!.xds;
  const key = [versions.cds, versions.eds, versions.lds, versions.rds];
  const input = t.input(pod, versions.cds);
  const inbound = inboundClusters(input, services);
  const id = `${pod.namespace}\u0000${pod.gateway ?? ""}\u0000${input.scope.sidecar}`;
  const hit = cache.get(id);
  if (hit !== undefined && hit.key.every((k, i) => k === key[i])) return { ...hit.held, clusters: hit.held.clusters + inbound };
  const cfg = t.proxyConfig(pod, versions);
  let endpoints = 0;
  for (const e of cfg.endpoints) endpoints += e.endpoints.length;
  let routes = 0;
  for (const rc of cfg.routes) for (const vh of rc.virtualHosts) routes += vh.routes.length;
  const held = { clusters: cfg.clusters.length - inbound, listeners: cfg.listeners.length, endpoints, routes, connections: 0 };
  cache.set(id, { key, held });
  return { ...held, clusters: held.clusters + inbound };
}

/** The pod's inbound clusters: one per target port of the services that select it (xds/translation/clusters.ts). */
function inboundClusters(p: ProxyInput, services: Map<unknown, LabelSelectorIndex<ServiceState>>): number {
  if (p.pod.gateway !== undefined) return 0;
  // The services by selector, once per registry: a scan of every service for every pod is quadratic.
  let index = services.get(p.registry);
  if (index === undefined) services.set(p.registry, (index = new LabelSelectorIndex([...p.registry.byFqdn.values()], (s) => s.spec.metadata.namespace, (s) => s.spec.selector)));
  const ports = new Set<number>();
  for (const s of index.all(p.pod.namespace, p.pod.labels)) for (const sp of s.spec.ports) ports.add(sp.targetPort);
  return ports.size;
}

/**
 * The scenario asks about CPU: container resources, the sidecar's resource or concurrency
 * annotations, a `mesh.proxy` block, or Node documents. Only then does summary.json carry the
 * containers' time series (a 1,000-pod mesh would otherwise carry 120,000 points nobody asked for).
 */
export function modelsCpu(scenario: Scenario): boolean {
  if ((scenario.nodes?.length ?? 0) > 0 || scenario.simulation.mesh.proxy.declared === true) return true;
  const set = (o: object | undefined): boolean => o !== undefined && Object.values(o).some((v) => v !== undefined);
  return scenario.deployments.some((d) => set(d.proxy) || (d.containers ?? []).some((c) => set(c.requests) || set(c.limits)));
}


export function addResources(summary: Summary, world: World, sim: Simulation, fromMs: number, toMs: number): void {
  const cal = sim.mesh.proxy.calibration;
  let proxyCpuMs = 0;
  let proxyMemory = 0;
  let proxies = 0;
  const cache = new Map<string, { key: readonly unknown[]; held: Held }>();
  const services = new Map<unknown, LabelSelectorIndex<ServiceState>>();
  // The Workload describing each pod's app: by selector, not a scan of every Workload per pod.
  const workloads = new LabelSelectorIndex(world.scenario.workloads, (w) => w.metadata.namespace, (w) => w.selector);
  const pods = [...world.resources.pods].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  // cAdvisor's 1 s counters summed into the report's windows (at least 1 s: shorter ones are finer than its counters).
  const series: Record<string, Record<string, ContainerPoint[]>> | null = modelsCpu(world.scenario) ? {} : null;
  const stepMs = Math.max(1000, Math.round(summary.timeSeries.windowSeconds * 1000 / 1000) * 1000);
  for (const pod of pods) {
    const ps = summary.pods[pod.id];
    if (ps === undefined) continue;
    const containers: Record<string, ContainerSummary> = {};
    const app = pod.appCpu;
    if (app !== null) {
      app.finish();
      const u = app.usage.summary(fromMs, toMs);
      // The Workload's working set: its base plus so much per request being served, at the mean.
      const wm = workloads.first(pod.namespace, pod.labels)?.memory;
      const memory = wm === undefined ? undefined : wm.baseBytes + wm.perRequestBytes * ps.meanBusy;
      containers[app.name] = {
        cpuCores: { mean: r3(u.mean), p99: r3(u.p99), max: r3(u.max) },
        throttledPeriods: app.throttledPeriods,
        memoryMB: memory === undefined ? null : r3(memory / 1e6),
        ...(app.limitCores !== Infinity ? { cpuLimitCores: app.limitCores } : {}),
        ...(memory !== undefined && memory > app.memoryLimitBytes ? { overMemoryLimit: true as const } : {}),
      };
    }
    const cpu = pod.proxy?.cpu ?? pod.ambientProxy?.cpu ?? null;
    if (cpu !== null) {
      const u = cpu.usage.summary(fromMs, toMs);
      // A ztunnel holds no Envoy config: its published footprint (its own calibration profile).
      const mem = pod.ambientProxy !== undefined ? cpu.cal.memoryBaseMB : proxyMemoryMB({ baseMB: cal.memoryBaseMB, ...DEFAULT_MEMORY_COEFFICIENTS }, heldCounts(world, pod, cache, services));
      proxies++;
      proxyCpuMs += cpu.cpuMs();
      proxyMemory += mem;
      containers["istio-proxy"] = {
        cpuCores: { mean: r3(u.mean), p99: r3(u.p99), max: r3(u.max) },
        // Its workers and main thread under the container's CFS quota (proxy/resources/cfs-bandwidth.ts).
        throttledPeriods: cpu.bandwidth?.throttledPeriods ?? 0,
        memoryMB: r3(mem),
        concurrency: cpu.concurrency,
        workerUtilization: r3(Math.min(1, cpu.workers.totalBusyMs() / Math.max(1, world.sim.now) / cpu.concurrency)),
        workerQueueMs: { mean: r3(cpu.workers.passes > 0 ? cpu.workers.waitMs / cpu.workers.passes : 0), max: r3(cpu.workers.maxWaitMs) },
        ...(cpu.limits.cpuCores !== Infinity ? { cpuLimitCores: cpu.limits.cpuCores } : {}),
        ...(cpu.limits.memoryBytes !== Infinity && mem * 1e6 > cpu.limits.memoryBytes ? { overMemoryLimit: true } : {}),
      };
    }
    ps.containers = containers;
    if (series !== null) {
      const per: Record<string, ContainerPoint[]> = {};
      if (app !== null) per[app.name] = app.usage.series(fromMs, toMs, stepMs);
      if (cpu !== null) per["istio-proxy"] = cpu.usage.series(fromMs, toMs, stepMs);
      series[pod.id] = per;
    }
  }
  if (series !== null) summary.timeSeries.containers = { windowSeconds: stepMs / 1000, pods: series };
  const seconds = Math.max(1e-9, (toMs - fromMs) / 1000);
  let rps = 0;
  for (const c of Object.values(summary.clients)) rps += c.requests / seconds;
  // Measured: the proxies' CPU over the whole run (what cAdvisor's counter would show at the end).
  summary.mesh.proxyCpuSeconds = r3(proxyCpuMs / 1000);
  const cores = proxyCpuMs / Math.max(1, world.sim.now);
  const monthly = monthlyCost(sim.mesh.cost, cores, proxyMemory);
  summary.mesh.cost = {
    proxies,
    proxyCores: r3(cores),
    proxyMemoryMB: r3(proxyMemory),
    coresPer1000Rps: rps > 0 ? r3((cores / rps) * 1000) : null,
    perMonth: { cpu: r3(monthly.cpu), memory: r3(monthly.memory), total: r3(monthly.total), currency: sim.mesh.cost.currency },
    prices: { vcpuHour: sim.mesh.cost.perVcpuHour, gbHour: sim.mesh.cost.perGbHour },
    // ambient: the ztunnels (and any sidecars) each count with their own calibration.
    profile: [...new Set(pods.map((p) => summary.pods[p.id] === undefined ? null : p.proxy?.cpu ?? p.ambientProxy?.cpu ?? null).filter((c) => c !== null).map((c) => c.cal.name))].join(",") || cal.name,
  };
}
