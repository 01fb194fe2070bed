// kube-scheduler, deterministically: for each pod, filter the nodes (Ready and schedulable,
// NodeAffinity, NodeResourcesFit, PodTopologySpread's DoNotSchedule constraints), score the rest
// (PodTopologySpread ×2 — the pod's ScheduleAnyway constraints, or the cluster defaults that spread
// over hostnames then zones —, NodeResourcesFit LeastAllocated ×1, NodeResourcesBalancedAllocation
// ×1) and bind to the best, ties broken by a seeded draw as selectHost does. No node fits: Pending.
// https://kubernetes.io/docs/concepts/scheduling-eviction/kube-scheduler/
// https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/#internal-default-constraints
// kubernetes/kubernetes pkg/scheduler/framework/plugins/podtopologyspread/{filtering,scoring}.go,
// noderesources/{least_allocated,balanced_allocation}.go, apis/config/v1/default_plugins.go (weights)
import type { Node, PodScheduling, TopologySpreadConstraint } from "../../scenario/model.js";
import { nodeAffinityMatches } from "./node-affinity.js";

export const HOSTNAME_KEY = "kubernetes.io/hostname";
export const ZONE_KEY = "topology.kubernetes.io/zone";

/** The cluster-level default constraints (applied when a pod has none of its own). */
export const DEFAULT_SPREAD: readonly { topologyKey: string; maxSkew: number }[] = [
  { topologyKey: HOSTNAME_KEY, maxSkew: 3 },
  { topologyKey: ZONE_KEY, maxSkew: 5 },
];

/** Requests a pod without any count as for scoring (scheduler util DefaultMilliCPURequest, DefaultMemoryRequest). */
const NON_ZERO_CPU_MILLIS = 100;
const NON_ZERO_MEMORY_BYTES = 200 * 1024 * 1024;
const MAX_NODE_SCORE = 100;
const WEIGHT_SPREAD = 2;
const WEIGHT_FIT = 1;
const WEIGHT_BALANCED = 1;

export interface PodToPlace {
  namespace: string;
  labels: Readonly<Record<string, string>>;
  scheduling?: PodScheduling | undefined;
}

interface NodeState {
  node: Node;
  ready: boolean;
  cpu: number;
  memory: number;
  nonZeroCpu: number;
  nonZeroMemory: number;
  pods: PodToPlace[];
}

export type Placement = { node: string } | { pending: string };

export class Scheduler {
  private readonly nodes: NodeState[];
  private readonly byName = new Map<string, NodeState>();

  constructor(nodes: readonly Node[], private readonly draw: () => number) {
    this.nodes = nodes.map((node) => ({ node, ready: true, cpu: 0, memory: 0, nonZeroCpu: 0, nonZeroMemory: 0, pods: [] }));
    for (const s of this.nodes) this.byName.set(s.node.metadata.name, s);
  }

  node(name: string): Node | undefined {
    return this.byName.get(name)?.node;
  }

  /** A node's Ready condition (NotReady nodes get no new pods). */
  setReady(name: string, ready: boolean): void {
    const s = this.byName.get(name);
    if (s !== undefined) s.ready = ready;
  }

  /** Choose a node for the pod and account for it there; or say why it stays Pending. */
  place(pod: PodToPlace): Placement {
    const sched = pod.scheduling;
    const req = sched?.requests ?? { cpuMillis: 0, memoryBytes: 0 };
    const affine = this.nodes.filter((s) => nodeAffinityMatches(sched, s.node.metadata.labels, s.node.metadata.name));
    const hard = (sched?.topologySpreadConstraints ?? []).filter((c) => c.whenUnsatisfiable === "DoNotSchedule");
    const reasons = new Map<string, number>();
    const why = (r: string) => reasons.set(r, (reasons.get(r) ?? 0) + 1);
    const feasible: NodeState[] = [];
    const affineSet = new Set(affine);
    // Filters in kube-scheduler's order (apis/config/v1/default_plugins.go), each node stopping at the
    // first that fails, with the plugins' own reasons: NodeUnschedulable, TaintToleration (a NotReady
    // node carries the node controller's not-ready/unreachable NoSchedule taint), NodeAffinity,
    // NodeResourcesFit (every resource short is a reason), PodTopologySpread.
    for (const s of this.nodes) {
      const n = s.node;
      if (n.unschedulable) { why("node(s) were unschedulable"); continue; }
      if (!s.ready) { why("node(s) had untolerated taint(s)"); continue; }
      if (!affineSet.has(s)) { why("node(s) didn't match Pod's node affinity/selector"); continue; }
      let fits = true;
      if (s.pods.length + 1 > n.allocatablePods) { why("Too many pods"); fits = false; }
      if (s.cpu + req.cpuMillis > n.allocatableCpuMillis) { why("Insufficient cpu"); fits = false; }
      if (s.memory + req.memoryBytes > n.allocatableMemoryBytes) { why("Insufficient memory"); fits = false; }
      if (!fits) continue;
      if (!hard.every((c) => this.spreadAllows(c, pod, s, affine))) { why("node(s) didn't match pod topology spread constraints"); continue; }
      feasible.push(s);
    }
    if (feasible.length === 0) {
      // FitError.Error: "0/N nodes are available: " and the "count reason" strings sorted, then ".".
      // (kube-scheduler then appends its preemption attempt's own message: not modelled.)
      const text = [...reasons].map(([r, k]) => `${k} ${r}`).sort().join(", ");
      return { pending: `0/${this.nodes.length} nodes are available: ${text}.` };
    }
    const best = this.best(pod, feasible, affine);
    best.pods.push(pod);
    best.cpu += req.cpuMillis;
    best.memory += req.memoryBytes;
    best.nonZeroCpu += req.cpuMillis > 0 ? req.cpuMillis : NON_ZERO_CPU_MILLIS;
    best.nonZeroMemory += req.memoryBytes > 0 ? req.memoryBytes : NON_ZERO_MEMORY_BYTES;
    return { node: best.node.metadata.name };
  }

  /** A pod left its node (deleted or killed): its resources are free again. */
  release(pod: PodToPlace, nodeName: string): void {
    const s = this.byName.get(nodeName);
    if (s === undefined) return;
    const i = s.pods.indexOf(pod);
    if (i < 0) return;
    s.pods.splice(i, 1);
    const req = pod.scheduling?.requests ?? { cpuMillis: 0, memoryBytes: 0 };
    s.cpu -= req.cpuMillis;
    s.memory -= req.memoryBytes;
    s.nonZeroCpu -= req.cpuMillis > 0 ? req.cpuMillis : NON_ZERO_CPU_MILLIS;
    s.nonZeroMemory -= req.memoryBytes > 0 ? req.memoryBytes : NON_ZERO_MEMORY_BYTES;
  }

  /** Pods on a node matching a spread constraint's selector (same namespace). */
  private matching(s: NodeState, pod: PodToPlace, selector: Readonly<Record<string, string>> | undefined): number {
    if (selector === undefined) return 0;
    let k = 0;
    for (const p of s.pods) if (p.namespace === pod.namespace && matchesLabels(selector, p.labels)) k++;
    return k;
  }

  /** Matching pods per domain of `key`, over the nodes that pass the pod's node affinity and carry the key. */
  private domainCounts(key: string, pod: PodToPlace, selector: Readonly<Record<string, string>> | undefined, affine: readonly NodeState[]): Map<string, number> {
    const counts = new Map<string, number>();
    for (const s of affine) {
      const d = s.node.metadata.labels[key];
      if (d === undefined) continue;
      counts.set(d, (counts.get(d) ?? 0) + this.matching(s, pod, selector));
    }
    return counts;
  }

  /** PodTopologySpread Filter: skew after placing here ≤ maxSkew (minDomains: fewer domains ⇒ global minimum 0). */
  private spreadAllows(c: TopologySpreadConstraint, pod: PodToPlace, s: NodeState, affine: readonly NodeState[]): boolean {
    const d = s.node.metadata.labels[c.topologyKey];
    if (d === undefined) return false;
    const counts = this.domainCounts(c.topologyKey, pod, c.matchLabels, affine);
    let min = Infinity;
    for (const v of counts.values()) min = Math.min(min, v);
    if (counts.size < c.minDomains) min = 0;
    const self = c.matchLabels !== undefined && matchesLabels(c.matchLabels, pod.labels) ? 1 : 0;
    return (counts.get(d) ?? 0) + self - min <= c.maxSkew;
  }

  private best(pod: PodToPlace, feasible: NodeState[], affine: readonly NodeState[]): NodeState {
    const spread = this.spreadScores(pod, feasible, affine);
    const req = pod.scheduling?.requests ?? { cpuMillis: 0, memoryBytes: 0 };
    const cpuReq = req.cpuMillis > 0 ? req.cpuMillis : NON_ZERO_CPU_MILLIS;
    const memReq = req.memoryBytes > 0 ? req.memoryBytes : NON_ZERO_MEMORY_BYTES;
    // A pod that requests nothing skips BalancedAllocation (its PreScore returns Skip:
    // noderesources/balanced_allocation.go, kubernetes/kubernetes#129138): it scores 0 everywhere.
    const bestEffort = req.cpuMillis === 0 && req.memoryBytes === 0;
    let top = -Infinity;
    let ties: NodeState[] = [];
    for (let i = 0; i < feasible.length; i++) {
      const s = feasible[i]!;
      const n = s.node;
      // Integer arithmetic as kube-scheduler's: each resource's score truncated, then their mean
      // (noderesources/least_allocated.go leastResourceScorer, leastRequestedScore).
      const fit = Math.trunc((leastAllocated(s.nonZeroCpu + cpuReq, n.allocatableCpuMillis) + leastAllocated(s.nonZeroMemory + memReq, n.allocatableMemoryBytes)) / 2);
      const balanced = bestEffort ? 0 : balancedAllocation(s.cpu + req.cpuMillis, n.allocatableCpuMillis, s.memory + req.memoryBytes, n.allocatableMemoryBytes);
      const score = WEIGHT_SPREAD * spread[i]! + WEIGHT_FIT * fit + WEIGHT_BALANCED * balanced;
      if (score > top) { top = score; ties = [s]; } else if (score === top) ties.push(s);
    }
    // selectHost: a uniformly random node among the top scores.
    return ties.length === 1 ? ties[0]! : ties[Math.min(ties.length - 1, Math.floor(this.draw() * ties.length))]!;
  }

  /** PodTopologySpread Score and NormalizeScore for the feasible nodes (0..100, higher = better spread). */
  private spreadScores(pod: PodToPlace, feasible: NodeState[], affine: readonly NodeState[]): number[] {
    const own = (pod.scheduling?.topologySpreadConstraints ?? []);
    let soft: { topologyKey: string; maxSkew: number; selector: Readonly<Record<string, string>> | undefined }[];
    let requireAll: boolean;
    if (own.length > 0) {
      soft = own.filter((c) => c.whenUnsatisfiable === "ScheduleAnyway").map((c) => ({ topologyKey: c.topologyKey, maxSkew: c.maxSkew, selector: c.matchLabels }));
      requireAll = true;
    } else {
      // System defaults select the pods of the same owner (here: the same Deployment's template labels).
      soft = DEFAULT_SPREAD.map((c) => ({ ...c, selector: pod.labels }));
      requireAll = false;
    }
    const out = new Array<number>(feasible.length).fill(MAX_NODE_SCORE);
    if (soft.length === 0) return out;
    // Default constraints only count topology keys present on all nodes (scoring.go initPreScoreState).
    if (!requireAll) soft = soft.filter((c) => feasible.every((s) => s.node.metadata.labels[c.topologyKey] !== undefined));
    if (soft.length === 0) return out;
    const ignored = feasible.map((s) => requireAll && !soft.every((c) => s.node.metadata.labels[c.topologyKey] !== undefined));
    const weights = soft.map((c) => {
      const domains = new Set<string>();
      for (let i = 0; i < feasible.length; i++) if (!ignored[i]) { const v = feasible[i]!.node.metadata.labels[c.topologyKey]; if (v !== undefined) domains.add(v); }
      return Math.log(domains.size + 2);
    });
    const counts = soft.map((c) => this.domainCounts(c.topologyKey, pod, c.selector, affine));
    const raw = feasible.map((s, i) => {
      if (ignored[i]) return 0;
      let score = 0;
      soft.forEach((c, k) => {
        const d = s.node.metadata.labels[c.topologyKey]!;
        score += (counts[k]!.get(d) ?? 0) * weights[k]! + (c.maxSkew - 1);
      });
      return Math.round(score);
    });
    let min = Infinity;
    let max = -Infinity;
    raw.forEach((r, i) => { if (!ignored[i]) { min = Math.min(min, r); max = Math.max(max, r); } });
    for (let i = 0; i < feasible.length; i++) {
      if (ignored[i]) out[i] = 0;
      else if (max === 0) out[i] = MAX_NODE_SCORE;
      else out[i] = Math.trunc((MAX_NODE_SCORE * (max + min - raw[i]!)) / max);
    }
    return out;
  }
}

function matchesLabels(selector: Readonly<Record<string, string>>, labels: Readonly<Record<string, string>>): boolean {
  for (const k in selector) if (labels[k] !== selector[k]) return false;
  return true;
}

/** LeastAllocated: share of the node left free after placing the pod, 0..100, truncated (unbounded nodes: 100). */
function leastAllocated(requested: number, allocatable: number): number {
  if (!Number.isFinite(allocatable)) return MAX_NODE_SCORE;
  if (allocatable === 0 || requested > allocatable) return 0;
  return Math.trunc(((allocatable - requested) * MAX_NODE_SCORE) / allocatable);
}

/**
 * BalancedAllocation with cpu and memory: (1 − |cpu share − memory share| / 2) · 100, truncated; a
 * resource the node has none of (or, in meshsim, no bound on) is left out, and one resource alone
 * has no deviation (balanced_allocation.go balancedResourceScorer).
 */
function balancedAllocation(cpu: number, cpuAllocatable: number, memory: number, memoryAllocatable: number): number {
  const shares: number[] = [];
  if (Number.isFinite(cpuAllocatable) && cpuAllocatable !== 0) shares.push(Math.min(1, cpu / cpuAllocatable));
  if (Number.isFinite(memoryAllocatable) && memoryAllocatable !== 0) shares.push(Math.min(1, memory / memoryAllocatable));
  const std = shares.length === 2 ? Math.abs(shares[0]! - shares[1]!) / 2 : 0;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}
