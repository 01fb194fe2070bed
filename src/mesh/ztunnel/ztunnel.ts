// One node's ztunnel: a DaemonSet pod in istio-system (its container is named istio-proxy, as in
// Istio's chart) whose worker threads carry every ambient pod's connections on that node, and the
// HBONE pool it dials tunnels from. Its CPU runs through the same worker model as a sidecar
// (mesh/sidecar/sidecar-cpu.ts) with ztunnel's calibration (proxy/resources/calibration-profile.ts).
// https://istio.io/latest/docs/ambient/architecture/data-plane/
// https://github.com/istio/ztunnel/blob/62d82653/ARCHITECTURE.md
import { HbonePool } from "../../proxy/ztunnel/hbone-pool.js";
import type { Pod } from "../kube/pod.js";
import type { SidecarCpu } from "../sidecar/sidecar-cpu.js";

export class Ztunnel {
  /** Keyed by source pod and destination pod: each in-pod workload's own pool, per destination address. */
  readonly pool = new HbonePool<Pod, Pod>();
  constructor(
    readonly pod: Pod,
    readonly cpu: SidecarCpu,
  ) {}
}

/**
 * ztunnel's worker threads when its chart sets no CPU limit: a quarter of the node's cores,
 * rounded up, at least 2 (DEFAULT_WORKER_THREADS) and at least its CPU request (200m ⇒ 1).
 * https://github.com/istio/ztunnel/blob/62d82653/src/config.rs#L486-L499
 */
export function ztunnelWorkerThreads(nodeCores: number): number {
  if (!Number.isFinite(nodeCores)) return 2;
  return Math.max(2, Math.ceil(nodeCores * 0.25));
}
