// A fresh copy of a long-lived array that young objects are stored into, made every so many stores:
// storing a young object into an array that has reached V8's old generation takes the write barrier's
// slow path, a remembered-set insertion (≈ 55 instructions a store), and a store into a young array
// none (V8 src/compiler/backend/x64/code-generator-x64.cc, kArchStoreWithWriteBarrier: the host's page
// is tested for kPointersFromHereAreInterestingMask before the out-of-line record-write, and a young
// page has it only during incremental marking). An array survives two scavenges before it is promoted,
// and the young generation takes thousands of requests between scavenges, so a copy every `length`
// stores (about one copied element a store) keeps it young (docs/performance.md, Goal 2, session 21).

/** Past this many elements (128 KB, V8's largest regular object) a copy would be a large object,
 *  which is never young: the array is kept as it is. */
const MAX_YOUNG_LENGTH = 16384;

/** `a` copied into a fresh array, or `a` itself when a copy could not be young. */
export function youngCopy<T>(a: T[]): T[] {
  return a.length <= MAX_YOUNG_LENGTH ? a.slice() : a;
}
