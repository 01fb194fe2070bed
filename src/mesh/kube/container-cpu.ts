// An app container's CPU: its Workload's `compute` steps are CPU work of its threads.
// - With resources.limits.cpu: the threads share the node's cores (processor sharing) under the
//   CFS quota limit × 100 ms per period (cpu.cfs_period_us default 100 ms; the kubelet writes
//   quota = limit × period: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run).
// - On a node of Node documents: the containers bound to it share its allocatable CPU by their
//   cpu.shares (requests.cpu) when it is contended (mesh/kube/node-cpu.ts), each within its quota.
// - Without a limit and without nodes (a node large enough for everything): a compute step is a
//   plain delay, exactly as before the CPU model; its CPU is still counted.
import { ProcessorSharing } from "../../engine/processor-sharing.js";
import type { Simulator } from "../../engine/simulator.js";
import { CpuUsage } from "../../telemetry/cpu-usage.js";
import type { NodeCpu, NodeCpuMember } from "./node-cpu.js";

import { CFS_PERIOD_MS } from "../../proxy/resources/cfs-bandwidth.js";
export { CFS_PERIOD_MS };

export interface ComputeWaiter {
  computeDone(): void;
}

export class ContainerCpu implements NodeCpuMember {
  readonly usage = new CpuUsage();
  private readonly ps: ProcessorSharing<ComputeWaiter> | null;

  constructor(
    sim: Simulator,
    readonly name: string,
    /** limits.cpu in cores (Infinity: none), the node's cores (Infinity: no Node documents). */
    readonly limitCores: number,
    nodeCores: number,
    readonly requestCores: number,
    readonly memoryLimitBytes: number,
    /** The node it shares with the containers bound to it (null: no Node documents). */
    private readonly node: NodeCpu | null = null,
  ) {
    const index = node !== null ? node.add(this) : -1;
    this.ps =
      limitCores === Infinity && nodeCores === Infinity
        ? null
        : new ProcessorSharing<ComputeWaiter>(
            sim,
            {
              capacity: nodeCores,
              quota: limitCores === Infinity ? undefined : { periodMs: CFS_PERIOD_MS, amount: limitCores * CFS_PERIOD_MS },
              onUsage: (a, b, c) => this.usage.add(a, b, c),
              onBusyChange: node !== null ? () => node.changed(index) : undefined,
              onThrottle: (t) => this.usage.throttledAt(t),
            },
            (w) => w.computeDone(),
          );
  }

  demandCores(): number {
    const ps = this.ps;
    if (ps === null || ps.isThrottled) return 0;
    const cap = this.node?.capacityCores ?? Infinity;
    return ps.busy < cap ? ps.busy : cap;
  }

  setCores(cores: number): void {
    this.ps?.setCapacity(cores);
  }

  /** Queues `ms` of CPU; false when compute is a plain delay (the caller schedules it). */
  compute(now: number, ms: number, w: ComputeWaiter): boolean {
    if (this.ps === null) {
      this.usage.add(now, now + ms, 1);
      return false;
    }
    this.ps.submit(ms, w);
    return true;
  }

  get throttledPeriods(): number {
    return this.ps?.throttledPeriods ?? 0;
  }

  get periods(): number {
    return this.ps?.periods ?? 0;
  }

  private finished = false;

  /** Close the books at the end of the run (once). */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    this.ps?.finish();
  }
}
