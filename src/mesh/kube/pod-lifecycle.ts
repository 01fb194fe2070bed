// Pods starting, crashing and restarting on the event loop, as the kubelet runs them. A new pod (a
// scale-up) is an endpoint only once it is Ready (see readiness.ts); a crashed app container takes
// its pod out of Ready, resets what it was serving, and is restarted after the kubelet's
// CrashLoopBackOff (crash-backoff.ts), then goes through its readiness probes again. Every change
// of readiness is announced with `podsChanged`, so endpoints follow with istiod's propagation delay.
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/
import type { Simulator } from "../../engine/simulator.js";
import { CrashBackoff } from "./crash-backoff.js";
import type { Inbound } from "../sidecar/inbound.js";
import type { Pod } from "./pod.js";
import { appReadyAfterMs, podStart, type AppHold, type ProbeTiming } from "./readiness.js";

/** How a pod starts (from its Deployment and Workload). */
export interface PodStartSpec {
  probes: readonly ProbeTiming[];
  /** What holds the app until the proxy is up (holdApplicationUntilProxyStarts, a native sidecar). */
  hold: AppHold;
  /** Draws how long the app takes to listen once its container runs. */
  appStartup: () => number;
}

export interface LifecycleHost {
  readonly sim: Simulator;
  readonly inbound: Inbound;
  readonly telemetry: { event(tMs: number, kind: string, detail: Record<string, string | number>): void };
  /** Draws how long a sidecar takes until Envoy has its first config. */
  readonly proxyStartup: () => number;
  podsChanged(): void;
  /** Give the pod a fresh app process (its container restarted). */
  restartApp(pod: Pod): void;
}

/** What the lifecycle keeps per pod. */
class PodLife {
  /** Bumped by every crash or stop: events of an older generation are stale. */
  gen = 0;
  readonly backoff = new CrashBackoff();
  crashAfter: (() => number) | null = null;
  crashesLeft = 0;
  /** The kubelet's probes say Ready (the app's containers and the sidecar's startup probe). */
  probesPassed = false;
  constructor(readonly pod: Pod, readonly spec: PodStartSpec, public proxyConfigured: boolean) {}
}

/** A lifecycle event for a pod, valid while the pod's generation is `gen`. */
class LifeEvent {
  constructor(readonly life: PodLife, readonly gen: number) {}
}

export class PodLifecycle {
  private readonly lives = new Map<Pod, PodLife>();
  private readonly kAppUp: number;
  private readonly kReady: number;
  private readonly kRestart: number;
  private readonly kCrash: number;
  private readonly kNotReady: number;

  constructor(private readonly h: LifecycleHost) {
    const sim = h.sim;
    this.kAppUp = sim.on((e: LifeEvent) => { if (this.current(e)) e.life.pod.appUp = true; });
    this.kReady = sim.on((e: LifeEvent) => this.ready(e));
    this.kRestart = sim.on((e: LifeEvent) => this.restart(e));
    this.kCrash = sim.on((e: LifeEvent) => { if (this.current(e)) this.crashNow(e.life); });
    this.kNotReady = sim.on((e: LifeEvent) => this.notReady(e));
  }

  /**
   * A pod exists; `starting`: it is created now and goes through its startup (else it runs already).
   * `proxyConfigured`: its sidecar (if any) has its first config; else the pod waits for
   * `proxyConfigured(pod)` too before it is Ready.
   */
  add(pod: Pod, spec: PodStartSpec, starting: boolean, proxyConfigured: boolean): void {
    const life = new PodLife(pod, spec, proxyConfigured);
    this.lives.set(pod, life);
    if (!starting) {
      life.probesPassed = true;
      return;
    }
    const t = podStart(pod.hasSidecar ? this.h.proxyStartup() : undefined, spec.hold, spec.appStartup(), spec.probes);
    pod.ready = false;
    pod.appUp = t.appUpMs <= 0;
    const e = new LifeEvent(life, life.gen);
    if (!pod.appUp) this.h.sim.after(t.appUpMs, this.kAppUp, e);
    this.h.sim.after(t.readyMs, this.kReady, e);
  }

  /** The timeline's `crash`: the app container exits now, and (with crashAfter) keeps doing so. */
  crash(pod: Pod, crashAfter: (() => number) | null, times: number | undefined): void {
    const life = this.lives.get(pod);
    if (life === undefined || !pod.alive || pod.blackholed) return;
    life.crashAfter = crashAfter;
    life.crashesLeft = times ?? (crashAfter !== null ? Infinity : 1);
    this.crashNow(life);
  }

  /**
   * The pod is gone or unreachable: nothing it had scheduled happens. `notReadyAfterMs`: it stays
   * Ready (an endpoint) that much longer, as an unreachable node's pods do.
   */
  stopped(pod: Pod, notReadyAfterMs?: number): void {
    const life = this.lives.get(pod);
    if (life === undefined) return;
    life.gen++;
    if (notReadyAfterMs !== undefined) this.h.sim.after(notReadyAfterMs, this.kNotReady, new LifeEvent(life, life.gen));
  }

  private current(e: LifeEvent): boolean {
    const p = e.life.pod;
    return e.gen === e.life.gen && p.alive && !p.blackholed;
  }

  private crashNow(life: PodLife): void {
    const pod = life.pod;
    const now = this.h.sim.now;
    life.gen++;
    life.crashesLeft--;
    life.probesPassed = false;
    pod.appUp = false;
    const wasReady = pod.ready;
    pod.ready = false;
    pod.app.crash();
    this.h.inbound.appCrashed(pod);
    const delay = life.backoff.restartDelay(now);
    this.h.telemetry.event(now, "crashed", { pod: pod.id, restarts: pod.restarts, backOffMs: delay });
    if (wasReady) this.h.podsChanged();
    if (!pod.terminating) this.h.sim.after(delay, this.kRestart, new LifeEvent(life, life.gen));
  }

  /** The kubelet starts the container again: the app boots, probes run, and it may crash again. */
  private restart(e: LifeEvent): void {
    if (!this.current(e)) return;
    const life = e.life;
    const pod = life.pod;
    pod.restarts++;
    this.h.restartApp(pod);
    this.h.telemetry.event(this.h.sim.now, "restarted", { pod: pod.id, restarts: pod.restarts });
    const startup = life.spec.appStartup();
    // The sidecar kept running: only the app container's start and probes decide.
    const ready = appReadyAfterMs(life.spec.probes, startup);
    if (startup <= 0) pod.appUp = true;
    else this.h.sim.after(startup, this.kAppUp, e);
    this.h.sim.after(ready, this.kReady, e);
    if (life.crashesLeft > 0 && life.crashAfter !== null) this.h.sim.after(life.crashAfter(), this.kCrash, e);
  }

  /** istiod has sent the pod's sidecar its first config. */
  proxyConfigured(pod: Pod): void {
    const life = this.lives.get(pod);
    if (life === undefined) return;
    life.proxyConfigured = true;
    if (life.probesPassed) this.becomeReady(life);
  }

  private ready(e: LifeEvent): void {
    if (!this.current(e)) return;
    e.life.probesPassed = true;
    if (e.life.proxyConfigured) this.becomeReady(e.life);
  }

  private becomeReady(life: PodLife): void {
    const pod = life.pod;
    if (!pod.alive || pod.blackholed || pod.terminating || pod.ready) return;
    pod.ready = true;
    pod.readySinceMs = this.h.sim.now;
    this.h.telemetry.event(this.h.sim.now, "ready", { pod: pod.id });
    this.h.podsChanged();
  }

  private notReady(e: LifeEvent): void {
    if (e.gen !== e.life.gen) return;
    const pod = e.life.pod;
    if (!pod.ready) return;
    pod.ready = false;
    this.h.telemetry.event(this.h.sim.now, "notReady", { pod: pod.id });
    this.h.podsChanged();
  }
}
