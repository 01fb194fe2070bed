// What each pod's app does: its Workload's behaviour (with the `versions` entry for the pod's
// `version` label), compiled once per Workload and version, and the app servers built from it.
// Draws come from streams named after the Workload, so one Workload's change shifts no other's.
import type { DistributionSpec } from "../../engine/distributions/spec.js";
import type { Workload, WorkloadBehaviour } from "../../scenario/model.js";
import { selects, type Pod } from "../kube/pod.js";
import { LabelSelectorIndex } from "../kube/label-selector-index.js";
import { originOf } from "../kube/pod-origin.js";
import { AppServer, type AppObserver, type Apps } from "./app-server.js";
import { compileBehaviour, type CompiledBehaviour } from "./compiled-script.js";
import { DEFAULTS } from "../../scenario/defaults.js";

export class WorkloadBehaviours {
  private readonly behaviours = new Map<string, CompiledBehaviour>();
  /** Per Workload: draws how long its app takes to start. */
  private readonly appStartups = new Map<Workload | undefined, () => number>();
  /** Workloads by selector: every pod asks for its own, a scan of all would be quadratic. */
  private readonly index: LabelSelectorIndex<Workload>;

  constructor(
    private readonly workloads: readonly Workload[],
    private readonly apps: Apps,
    /** The telemetry of one pod's app. */
    private readonly observer: (pod: string, concurrency: number) => AppObserver,
    private readonly sampler: (spec: DistributionSpec, stream: string) => () => number,
  ) {
    this.index = new LabelSelectorIndex(workloads, (w) => w.metadata.namespace, (w) => w.selector);
  }

  /** The Workload whose selector picks these pod labels in the namespace. */
  workloadOf(namespace: string, labels: Readonly<Record<string, string>>): Workload | undefined {
    return this.index.first(namespace, labels);
  }

  /** The behaviour of a pod's app: its Workload, with the `versions` entry for its `version` label. */
  behaviourFor(namespace: string, labels: Readonly<Record<string, string>>): CompiledBehaviour {
    const w = this.workloadOf(namespace, labels);
    const version = labels["version"] ?? "";
    const key = w ? `${namespace}/${w.metadata.name}/${version}` : "";
    let b = this.behaviours.get(key);
    if (b === undefined) {
      b = this.compile(w, version);
      this.behaviours.set(key, b);
    }
    return b;
  }

  private compile(w: Workload | undefined, version: string, override?: Partial<WorkloadBehaviour>): CompiledBehaviour {
    const base: WorkloadBehaviour = w
      ? { ...w.behaviour, ...(w.versions[version] ?? {}), ...(override ?? {}) }
      : { concurrency: Infinity, queueLimit: Infinity, threading: "blocking", errorRate: 0, script: [] };
    const stream = w ? `app:${w.metadata.namespace}/${w.metadata.name}:${version}` : "app:-";
    // Sizes draw from streams of their own, so giving a Workload a responseSize shifts no other draw.
    const sizes = w ? `size:${w.metadata.namespace}/${w.metadata.name}:${version}` : "size:-";
    return compileBehaviour(base, (spec) => this.sampler(spec, stream), (spec) => {
      const draw = this.sampler(spec, sizes);
      return () => Math.max(0, Math.round(draw()));
    });
  }

  /** `set` on the timeline: new error rate or service time for every pod of a workload. */
  set(namespace: string, name: string, change: { errorRate?: number; serviceTime?: DistributionSpec }, pods: Iterable<Pod>): void {
    const w = this.workloads.find((x) => x.metadata.namespace === namespace && x.metadata.name === name);
    if (!w) return;
    const override: Partial<WorkloadBehaviour> = {};
    if (change.errorRate !== undefined) override.errorRate = change.errorRate;
    if (change.serviceTime !== undefined) override.script = [{ kind: "compute", time: change.serviceTime }];
    for (const pod of pods) {
      if (pod.namespace !== namespace || !selects(w.selector, pod.labels)) continue;
      const version = pod.labels["version"] ?? "";
      const cur = pod.app.behaviour;
      const next = this.compile(w, version, {
        errorRate: override.errorRate ?? cur.errorRate,
        ...(override.script ? { script: override.script } : {}),
      });
      // Keep the current script when only the error rate changes (its samplers stay in their streams).
      pod.app.behaviour = override.script ? next : { ...cur, errorRate: next.errorRate };
    }
  }

  /** The app server of a pod (a new one after its container restarts). */
  newApp(pod: Pod, behaviour: CompiledBehaviour, errorDraw: () => number): AppServer {
    const app = new AppServer(this.apps, behaviour, originOf(pod), this.observer(pod.id, behaviour.concurrency), errorDraw);
    app.cpu = pod.appCpu;
    return app;
  }

  /** How long a Workload's app takes to start (one draw per start). */
  startupOf(w: Workload | undefined): () => number {
    let appStartup = this.appStartups.get(w);
    if (appStartup === undefined) {
      const spec = w?.startupTime ?? DEFAULTS.workload.startupTime;
      appStartup = this.sampler(spec, `startup:${w ? `${w.metadata.namespace}/${w.metadata.name}` : "-"}`);
      this.appStartups.set(w, appStartup);
    }
    return appStartup;
  }
}
