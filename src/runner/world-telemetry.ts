// The world's view of telemetry (mesh/WorldTelemetry) over the streaming Recorder. The world caches
// edge sinks itself (mesh/edge-sinks.ts), so `edge` is called once per distinct edge.
import type { AppObserver } from "../mesh/app/app-server.js";
import type { ClientSink } from "../mesh/app/load-generator.js";
import type { EdgeKey, RequestSink } from "../mesh/mesh-telemetry.js";
import type { WorldTelemetry } from "../mesh/world.js";
import type { Recorder } from "../telemetry/recorder.js";
import type { PushRecord } from "../xds/push-queue.js";
import { ChangeLog } from "./change-log.js";

export class WorldTelemetryAdapter implements WorldTelemetry {
  private passes = 0;
  private readonly changes: ChangeLog;

  constructor(private readonly recorder: Recorder, private readonly cpuPerPassMs: number) {
    this.changes = new ChangeLog(recorder);
    // The same product as once stored per pass, computed when the run ends: a pass only counts
    // (docs/performance.md, Goal 3, session 18).
    recorder.proxyCpuOf = () => this.passes * this.cpuPerPassMs;
  }

  setProxies(n: number): void {
    this.recorder.mesh.proxies = n;
  }

  edge(k: EdgeKey): RequestSink {
    return this.recorder.edgeSink(k);
  }

  proxyPass(): void {
    this.passes++;
  }

  client(name: string): ClientSink {
    return this.recorder.client(name);
  }

  pod(name: string, concurrency: number): AppObserver {
    return this.recorder.pod(name, concurrency);
  }

  event(tMs: number, kind: string, detail: Record<string, string | number>): void {
    this.recorder.event(tMs, kind, detail);
    this.changes.noted(tMs, kind, detail);
  }

  clusterCounters(sourceWorkload: string, cluster: string, counters: object): void {
    this.recorder.cluster(sourceWorkload, cluster, counters as unknown as Record<string, number>);
  }

  /** istiod started a push (one per debounced batch of changes). */
  pushStarted(push: PushRecord): void {
    this.changes.started(push);
  }

  /** A push's change reached every proxy after `ms`. */
  converged(ms: number, push: PushRecord): void {
    this.recorder.mesh.convergence.record(ms);
    this.changes.converged(push, ms);
  }

  xdsPush(): void {
    this.recorder.mesh.xdsPushes++;
  }

  xdsType(type: "cds" | "eds" | "lds" | "rds", accepted: boolean): void {
    if (accepted) this.recorder.mesh.pushesByType[type]++;
    else this.recorder.mesh.rejectsByType[type]++;
  }

  staleProxies(n: number, now: number): void {
    this.recorder.staleProxies.set(n, now);
  }

  certificateIssued(): void {
    this.recorder.mesh.certificatesIssued++;
  }

  podEjected(pod: string): void {
    const p = this.recorder.pods.get(pod);
    if (p !== undefined) p.ejections++;
  }
}
