// The requests of many edges, recorded a batch at a time, one edge after another. Recording a
// request touches its edge's stats, histogram, code series and windows (a dozen cache lines). With
// a few dozen edges those stay in the CPU's caches; with thousands (a 1,000-service mesh has one
// edge per reporter per hop) each record finds them evicted, and the cost per request grew with the
// mesh (docs/performance.md, "Goal 4"). Here the records go to flat arrays first, in arrival order,
// and a full buffer is applied grouped by edge (a stable counting sort): each edge's records reach it
// in the order they came, so every sum, count, histogram and window is what recording them one by
// one gives (floating-point sums included: per edge, the same additions in the same order), and no
// edge's figures depend on another's. Nothing is read from an edge before `flush` (the Recorder
// flushes before its edges are read, at the end of the run or when it is interrupted).

/** What a buffered record is applied to (an edge's stats). */
export interface RecordTarget {
  record(endMs: number, latencyMs: number, code: number, flags: string, requestBytes: number, responseBytes: number): void;
}

/** Records per batch: enough that each of thousands of edges gets tens of them per flush (≈ 1.8 MB). */
export const CAPACITY = 32_768;

/**
 * Records in a buffer's first batch. `flush` runs once a batch, so V8 never optimizes it as a whole:
 * its loops are compiled on stack replacement (OSR) when one gets hot. If that first happens in a
 * full batch, each loop is compiled before the code after it has ever run, so that code is compiled
 * as "insufficient type feedback" exits; V8 keeps OSR code whose deoptimization is outside its loop
 * (v8 src/runtime/runtime-compiler.cc, Runtime_NotifyDeoptimized: `DeoptExitIsInsideOsrLoop`), and
 * every later flush entered the same OSR code and deoptimized three times (docs/performance.md,
 * Goal 4, sessions 23 `scale11` and `flush`). A small first batch runs every line of `flush` once,
 * too few iterations for OSR, before the first full one. Batches end anywhere without changing a
 * figure (each edge's records still reach it in arrival order).
 */
export const FIRST_BATCH = 1_024;

/**
 * Doubles per record in `records`: endMs, latencyMs, requestBytes, responseBytes, and a slot holding
 * two int32s (the status code and the flags' number). One record is 40 bytes in one array, so `flush`,
 * which reads the records in edge order (scattered over the batch), loads one or two cache lines per
 * record where seven arrays cost seven (docs/performance.md, Goal 4, session 24 `scale12`).
 */
const STRIDE = 5;

export class EdgeRecordBuffer {
  private n = 0;
  /** Records at which the batch is applied: FIRST_BATCH, then CAPACITY. */
  private limit = FIRST_BATCH;
  /** Apart from the records: the counting sort's two passes read it in order, 4 bytes a record. */
  private readonly edgeOf = new Int32Array(CAPACITY);
  private readonly records = new Float64Array(CAPACITY * STRIDE);
  // Status codes are whole numbers: read back as doubles they would be heap numbers, and a code
  // series made from one would get a map of its own (V8 field representation; docs/performance.md,
  // Goal 4, session 17). So they are int32s, through a view of the same memory.
  private readonly ints = new Int32Array(this.records.buffer);
  /** Each flags string met, by its number (a record holds the number: no string array to clear). */
  private readonly flagNames: string[] = [];
  private readonly flagIds = new Map<string, number>();
  /** The flags of the last record and their number (nearly every record has the last one's, "-"). */
  private lastFlags = "";
  private lastFlagId = -1;
  private readonly order = new Int32Array(CAPACITY);
  /** Per edge id: records of this batch, then (during a flush) where its next one goes. */
  private counts = new Int32Array(1024);

  constructor(
    /** The edges by id. */
    private readonly edges: readonly RecordTarget[],
  ) {}

  add(edge: number, endMs: number, latencyMs: number, code: number, flags: string, requestBytes: number, responseBytes: number): void {
    const i = this.n;
    const r = i * STRIDE;
    const f = flags === this.lastFlags ? this.lastFlagId : this.flagId(flags);
    this.edgeOf[i] = edge;
    const rec = this.records;
    rec[r] = endMs;
    rec[r + 1] = latencyMs;
    rec[r + 2] = requestBytes;
    rec[r + 3] = responseBytes;
    const ints = this.ints;
    ints[(r + 4) * 2] = code;
    ints[(r + 4) * 2 + 1] = f;
    this.n = i + 1;
    if (this.n === this.limit) this.flush();
  }

  /** The number of a flags string (a new one is numbered in the order met). */
  private flagId(flags: string): number {
    let id = this.flagIds.get(flags);
    if (id === undefined) {
      id = this.flagNames.length;
      this.flagNames.push(flags);
      this.flagIds.set(flags, id);
    }
    this.lastFlags = flags;
    this.lastFlagId = id;
    return id;
  }

  /** Apply every buffered record to its edge, an edge at a time, each edge's in arrival order. */
  flush(): void {
    const n = this.n;
    if (n === 0) return;
    const edges = this.edges.length;
    if (this.counts.length < edges + 1) this.counts = new Int32Array(Math.max(edges + 1, this.counts.length * 2));
    const counts = this.counts;
    counts.fill(0, 0, edges + 1);
    const edgeOf = this.edgeOf;
    for (let i = 0; i < n; i++) counts[edgeOf[i]! + 1]!++;
    for (let e = 0; e < edges; e++) counts[e + 1]! += counts[e]!;
    const order = this.order;
    for (let i = 0; i < n; i++) order[counts[edgeOf[i]!]!++] = i;
    const list = this.edges;
    const rec = this.records;
    const ints = this.ints;
    const names = this.flagNames;
    // After the scatter `counts[e]` is where edge e's records end in `order`: each edge's run is
    // applied to it without reading `edgeOf` again.
    let k = 0;
    for (let e = 0; e < edges; e++) {
      const end = counts[e]!;
      if (k === end) continue;
      const target = list[e]!;
      for (; k < end; k++) {
        const r = order[k]! * STRIDE;
        target.record(rec[r]!, rec[r + 1]!, ints[(r + 4) * 2]!, names[ints[(r + 4) * 2 + 1]!]!, rec[r + 2]!, rec[r + 3]!);
      }
    }
    this.n = 0;
    this.limit = CAPACITY;
  }
}

/**
 * The world's handle on one edge's stats (one per EdgeStats, so that all of an edge's records take
 * the same way): straight to the stats while the recorder has no buffer, into it once it has one.
 */
export class EdgeSink {
  constructor(
    private readonly stats: RecordTarget & { connection(opened: boolean, now: number): void },
    /** The stats' index in the recorder's edge list (the buffer's edge id). */
    private readonly id: number,
    private readonly owner: { readonly buffer: EdgeRecordBuffer | null },
  ) {}

  record(endMs: number, latencyMs: number, code: number, flags: string, requestBytes = 0, responseBytes = 0): void {
    const b = this.owner.buffer;
    if (b === null) this.stats.record(endMs, latencyMs, code, flags, requestBytes, responseBytes);
    else b.add(this.id, endMs, latencyMs, code, flags, requestBytes, responseBytes);
  }

  connection(opened: boolean, now: number): void {
    this.stats.connection(opened, now);
  }
}
