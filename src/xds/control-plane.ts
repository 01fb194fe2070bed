// istiod as an actor on the event loop: config changes enter the debounce, then every proxy is
// pushed the new snapshot, at most `pushThrottle` at a time (PILOT_PUSH_THROTTLE), each push taking
// `pushTime`. A proxy routes by the last snapshot it received, so while a change propagates,
// different proxies route by different versions. While istiod is down nothing is pushed; when it
// comes back, the proxies get the latest snapshot.
// https://istio.io/latest/docs/ops/deployment/performance-and-scalability/#control-plane-performance
import type { Simulator } from "../engine/simulator.js";
import type { MeshConfig } from "../config/mesh-config.js";
import { Debounce } from "./debounce.js";

/** A proxy as istiod sees it (implemented by the simulated world's pods with a sidecar). */
export interface XdsClient {
  readonly name: string;
  /** Does this proxy still exist (a stopped pod's proxy gets nothing)? */
  readonly connected: boolean;
}

export interface ControlPlaneSettings {
  debounceAfterMs: number;
  debounceMaxMs: number;
  pushThrottle: number;
  pushTime: () => number;
}

export interface ControlPlaneObserver {
  /** A proxy accepted (ACKed) a snapshot. */
  pushed(client: XdsClient, config: MeshConfig, now: number): void;
  /** Every proxy has the snapshot of a push that started with a change at `changedAt`. */
  converged(changedAt: number, now: number, proxies: number): void;
}

export class ControlPlane {
  private readonly debounce: Debounce;
  private readonly kDue: number;
  private readonly kPushed: number;
  private timer = -1;
  private latest: MeshConfig;
  private up = true;
  /** Proxies waiting for a push slot, and how many pushes are running. */
  private queue: XdsClient[] = [];
  private running = 0;
  private pushConfig: MeshConfig;
  private pushChangedAt = 0;
  /** Pushes of the current generation not yet done. */
  private remaining = 0;
  private generation = 0;
  pushes = 0;

  constructor(
    private readonly sim: Simulator,
    private readonly s: ControlPlaneSettings,
    initial: MeshConfig,
    private readonly clients: () => XdsClient[],
    private readonly observer: ControlPlaneObserver,
  ) {
    this.debounce = new Debounce(s.debounceAfterMs, s.debounceMaxMs);
    this.latest = initial;
    this.pushConfig = initial;
    this.kDue = sim.on(() => this.due());
    this.kPushed = sim.on((p: Push) => this.pushDone(p));
  }

  /** The newest snapshot (what istiod would push next). */
  get config(): MeshConfig {
    return this.latest;
  }

  /** A config change reaches istiod. */
  change(config: MeshConfig): void {
    this.latest = config;
    this.debounce.event(this.sim.now);
    if (this.up) this.arm();
  }

  setUp(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    // Reconnecting proxies get a full push of the latest config.
    if (up && (this.debounce.waiting || this.pushConfig !== this.latest)) {
      if (!this.debounce.waiting) this.debounce.event(this.sim.now);
      this.arm();
    }
  }

  private arm(): void {
    const at = Math.max(this.sim.now, this.debounce.dueAt());
    if (this.timer >= 0) this.sim.cancel(this.timer);
    this.timer = this.sim.at(at, this.kDue);
  }

  private due(): void {
    this.timer = -1;
    if (!this.up) return;
    const changedAt = this.debounce.firstAt;
    this.debounce.flush();
    this.pushConfig = this.latest;
    this.pushChangedAt = changedAt;
    this.generation++;
    // A new push supersedes the proxies still queued for an older one.
    this.queue = this.clients().filter((c) => c.connected);
    this.remaining = this.queue.length;
    if (this.remaining === 0) this.observer.converged(changedAt, this.sim.now, 0);
    this.startPushes();
  }

  private startPushes(): void {
    while (this.up && this.running < this.s.pushThrottle && this.queue.length > 0) {
      const c = this.queue.shift()!;
      this.running++;
      this.pushes++;
      this.sim.after(this.s.pushTime(), this.kPushed, new Push(c, this.pushConfig, this.generation));
    }
  }

  private pushDone(p: Push): void {
    this.running--;
    if (p.client.connected) this.observer.pushed(p.client, p.config, this.sim.now);
    if (p.generation === this.generation && --this.remaining === 0) {
      this.observer.converged(this.pushChangedAt, this.sim.now, this.clients().length);
    }
    this.startPushes();
  }
}

class Push {
  constructor(readonly client: XdsClient, readonly config: MeshConfig, readonly generation: number) {}
}
