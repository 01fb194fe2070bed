// Small zeroed Float64Arrays carved from shared chunks. A 1,000-service mesh makes thousands of
// telemetry series at their first request (each edge's window counts and code series' buckets): as
// arrays of their own, each over 64 bytes gets a backing store of its own outside V8's heap — a
// calloc, an ArrayBuffer tracked by the garbage collector — ≈ 1 µs each, and tens of thousands of
// them for the collector to sweep (docs/performance.md, "Goal 4"). Views of one chunk cost a small
// object each. A chunk lives as long as any of its views; nothing is ever handed out twice, so a view
// starts zeroed, as `new Float64Array(n)` does.
// https://v8.dev/blog/pointer-compression (on-heap typed arrays only up to 64 bytes: typed_array_max_size_in_heap)

/** Doubles per chunk (512 KB): a few chunks for the largest meshes, one for small ones. */
const CHUNK = 65_536;

let chunk = new ArrayBuffer(0);
let used = CHUNK;

/** A zeroed Float64Array of `n` doubles (a view of a shared chunk; a buffer of its own when large). */
export function float64s(n: number): Float64Array {
  if (n > CHUNK / 16) return new Float64Array(n);
  if (used + n > CHUNK) {
    chunk = new ArrayBuffer(CHUNK * 8);
    used = 0;
  }
  const v = new Float64Array(chunk, used * 8, n);
  used += n;
  return v;
}
