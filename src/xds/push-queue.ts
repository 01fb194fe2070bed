// istiod's push queue: the proxies waiting for a push, each at most once. A change for a proxy already
// queued merges into its entry; one for a proxy being pushed waits in an entry of its own that is
// queued when that push is done (MarkDone). A connecting proxy's entry is not queued but admitted by
// istiod's stream rate limit (the control plane decides when it starts).
// https://github.com/istio/istio/blob/master/pilot/pkg/xds/pushqueue.go
import type { Pod } from "../mesh/kube/pod.js";
import type { MeshConfig } from "../config/mesh-config.js";
import type { EndpointSnapshot } from "../mesh/sidecar/proxy-xds.js";
import type { PushRequest } from "./push-request.js";

/**
 * One push istiod started, as reports list it: several changes merged by the debounce are one push.
 * Its counts are live (they grow while the push goes on).
 */
export interface PushRecord {
  /** 0, 1, 2... in the order istiod started its pushes. */
  readonly id: number;
  /** When the first change merged into it reached istiod. */
  readonly changedAt: number;
  /** A config change (full push), not endpoints only (incremental EDS). */
  readonly full: boolean;
  /** The config kinds, or the services whose endpoints, it was about (sorted, comma-separated). */
  readonly about: string;
  /** Proxies it was sent to (all connected ones again after istiod came back up). */
  readonly proxies: number;
  /** Proxies that NACKed it. */
  readonly rejected: number;
}

/** A change whose convergence is being measured. */
export class Generation implements PushRecord {
  remaining = 0;
  proxies = 0;
  rejected = 0;
  constructor(readonly id: number, readonly changedAt: number, readonly full: boolean, readonly about: string) {}

  static of(id: number, req: PushRequest): Generation {
    return new Generation(id, req.firstAt, req.full, describePush(req));
  }
}

/** What a push is about: its config kinds (full push) or the services whose endpoints changed. */
function describePush(req: PushRequest): string {
  const parts = req.full ? [...req.kinds].sort() : [...req.endpoints].sort();
  if (req.full && req.endpoints.size > 0) parts.push("endpoints");
  return parts.length > 0 ? parts.join(", ") : "no effective change";
}

/** A proxy waiting for or being pushed: the xDS types it needs and the changes it carries. */
export class PushEntry {
  types = 0;
  /** A (re)connecting proxy's initial request: admitted by the stream rate limit, not the push throttle. */
  connection = false;
  gens: Generation[] = [];
  bootstrap = false;
  /** What the push sends, fixed when it starts (istiod builds it from one PushContext). */
  config: MeshConfig | null = null;
  eds: EndpointSnapshot | null = null;
  /** The hosts whose EDS clusters this push sends (null: all of them). */
  endpoints: Set<string> | null = new Set();
  /** A request that arrived while this entry was being pushed (pushed right after). */
  next: PushEntry | null = null;
  constructor(readonly pod: Pod) {}

  merge(types: number, gens: readonly Generation[], endpoints: ReadonlySet<string> | null): void {
    this.types |= types;
    for (const g of gens) if (!this.gens.includes(g)) this.gens.push(g);
    if (endpoints === null) this.endpoints = null;
    else if (this.endpoints !== null) for (const e of endpoints) this.endpoints.add(e);
  }
}

export class PushQueue {
  private queue: PushEntry[] = [];
  private head = 0;
  private readonly queued = new Map<Pod, PushEntry>();
  private readonly inFlight = new Map<Pod, PushEntry>();

  /**
   * A request for `pod` (Enqueue): merged into the entry after its push in flight, or into its queued
   * entry, or a new entry — queued, or handed to `admit` when it is a new stream's (`admit` non-null).
   */
  add(pod: Pod, types: number, gens: readonly Generation[], endpoints: ReadonlySet<string> | null, admit: ((e: PushEntry) => void) | null): PushEntry {
    const busy = this.inFlight.get(pod);
    if (busy !== undefined) {
      busy.next ??= new PushEntry(pod);
      busy.next.merge(types, gens, endpoints);
      return busy.next;
    }
    let e = this.queued.get(pod);
    if (e === undefined) {
      e = new PushEntry(pod);
      this.queued.set(pod, e);
      if (admit !== null) admit(e);
      else this.queue.push(e);
    }
    e.merge(types, gens, endpoints);
    return e;
  }

  /** The proxy's entry waiting to start (queued, or a new stream's waiting to be admitted). */
  waiting(pod: Pod): PushEntry | undefined {
    return this.queued.get(pod);
  }

  /** The next queued entry in order (Dequeue), or undefined; it stays `waiting` until `leave`. */
  next(): PushEntry | undefined {
    if (this.head >= this.queue.length) return undefined;
    const e = this.queue[this.head++]!;
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
    return e;
  }

  /** The entry leaves the queue: pushed from now on when `pushing`, else dropped. */
  leave(e: PushEntry, pushing: boolean): void {
    this.queued.delete(e.pod);
    if (pushing) this.inFlight.set(e.pod, e);
  }

  /** The entry's push ended (or was abandoned). */
  finished(e: PushEntry): void {
    this.inFlight.delete(e.pod);
  }

  /** MarkDone: what arrived during the push is queued now. */
  requeueNext(e: PushEntry): void {
    const n = e.next;
    if (n === null) return;
    this.queued.set(n.pod, n);
    this.queue.push(n);
  }

  /** istiod lost its connections: every entry is dropped; the pods whose first push was lost (in flight first). */
  clear(): Pod[] {
    const lost: Pod[] = [];
    for (const e of this.inFlight.values()) if (e.bootstrap) lost.push(e.pod);
    for (const e of this.queued.values()) if (e.bootstrap) lost.push(e.pod);
    this.queue = [];
    this.head = 0;
    this.queued.clear();
    this.inFlight.clear();
    return lost;
  }
}
