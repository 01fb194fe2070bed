// A node's allocatable CPU shared by the app containers bound to it, as CFS shares it: while their
// threads together want more cores than the node has, each container gets cores in proportion to its
// cpu.shares (from requests.cpu), up to what it wants, and an idle container's share goes to the
// others (weighted max-min fairness, cfs-shares.ts). Within a container its threads share its cores
// equally (engine/processor-sharing.ts); a container with a limit also keeps its own CFS quota.
// https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#how-pods-with-resource-limits-are-run
// Recomputed whenever a container's demand changes (a thread started or finished computing): the
// cost is the node's container count per change, and only with Node documents.
// Not in it: the sidecars' Envoy workers (FIFO "free at" queues, mesh/sidecar/sidecar-cpu.ts) take
// no part in the node's sharing (docs/cpu-and-memory.md, "Limits of the model").
import { cpuShares, divideNodeCpu } from "./cfs-shares.js";

/** What the node needs of a container: its threads' demand, its shares, and a way to set its cores. */
export interface NodeCpuMember {
  /** Cores its running threads would use now if alone on the node (0 while its quota is spent). */
  demandCores(): number;
  readonly requestCores: number;
  setCores(cores: number): void;
}

export class NodeCpu {
  private readonly members: NodeCpuMember[] = [];
  private readonly shares: number[] = [];
  private readonly demand: number[] = [];

  constructor(
    readonly name: string,
    /** The node's allocatable CPU (cores). */
    readonly capacityCores: number,
  ) {}

  /** A new member; returns its number on this node. */
  add(m: NodeCpuMember): number {
    this.members.push(m);
    this.shares.push(cpuShares(m.requestCores));
    this.demand.push(0);
    return this.members.length - 1;
  }

  /** Member `i`'s demand may have changed: reshare the node if it did. */
  changed(i: number): void {
    const m = this.members[i]!;
    const d = m.demandCores();
    if (d === this.demand[i]) return;
    this.demand[i] = d;
    const cores = divideNodeCpu(this.capacityCores, this.members.map((_, j) => ({ shares: this.shares[j]!, demandCores: this.demand[j]! })));
    for (let j = 0; j < this.members.length; j++) if (this.demand[j]! > 0) this.members[j]!.setCores(cores[j]!);
  }
}
