// The kubelet's restart back-off for one container (CrashLoopBackOff), as pkg/kubelet's doBackOff and
// client-go's flowcontrol.Backoff compute it: a crash that is not inside a back-off window restarts
// at once and starts the window at 10 s; a crash inside one waits out the window, which then doubles
// up to 5 min. The window is forgotten when the container crashes more than twice the maximum
// (10 min) after its last restart, i.e. once it has run 10 minutes.
// https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#container-restarts
// kubernetes/kubernetes pkg/kubelet/kuberuntime/kuberuntime_manager.go (doBackOff)
export const CRASH_BACKOFF_INITIAL_MS = 10_000;
export const CRASH_BACKOFF_MAX_MS = 300_000;

export class CrashBackoff {
  /** The current window (0: none yet). */
  private windowMs = 0;
  /** When the window was last moved (the last restart). */
  private lastUpdate = 0;

  constructor(readonly initialMs = CRASH_BACKOFF_INITIAL_MS, readonly maxMs = CRASH_BACKOFF_MAX_MS) {}

  /** The container exited at `crashedAt`: how long until the kubelet starts it again. */
  restartDelay(crashedAt: number): number {
    if (this.windowMs === 0 || crashedAt - this.lastUpdate > 2 * this.maxMs) {
      this.windowMs = this.initialMs;
      this.lastUpdate = crashedAt;
      return 0;
    }
    const wait = this.windowMs;
    this.windowMs = Math.min(2 * this.windowMs, this.maxMs);
    this.lastUpdate = crashedAt + wait;
    return wait;
  }
}
