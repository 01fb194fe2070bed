// The hash behind ring hash, Maglev and request hash keys. Envoy uses xxHash64 over the bytes of
// the key; meshsim uses its own murmur3-style 32-bit mix over UTF-16 code units, twice with
// different seeds, combined into a 52-bit integer (exact in a double). Same role and mixing quality
// for simulation purposes, not the same values as Envoy: a given key lands on a different host than
// in a real Envoy. https://www.envoyproxy.io/docs/envoy/latest/intro/arch_overview/upstream/load_balancing/load_balancers#ring-hash

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

/** murmur3_x86_32-style hash of the string's UTF-16 code units (one code unit per block). */
export function hash32(s: string, seed: number): number {
  let h = seed | 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    let k = Math.imul(s.charCodeAt(i), C1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, C2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  h ^= n;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export const HASH_SPACE = 2 ** 52;

/** A 52-bit hash in [0, 2^52): the "64-bit-ish" hash of ring positions and request keys. */
export function hash52(s: string, seed = 0): number {
  const hi = hash32(s, seed);
  const lo = hash32(s, seed ^ 0x9e3779b9);
  return hi * 2 ** 20 + (lo >>> 12);
}

/**
 * A uniformly random 52-bit hash, for a request without a hash key: Envoy draws random() (64 bits)
 * and uses it for the priority (`hash % 100 + 1`) and the host (envoyproxy/envoy
 * source/extensions/load_balancing_policies/common/thread_aware_lb_impl.cc
 * ThreadAwareLoadBalancerBase::LoadBalancerImpl::chooseHost). meshsim's streams give 32 bits a draw:
 * they make the high 32 bits, and a mix of them the low 20. Scaling the draw to 2^52 alone left the
 * low 20 bits zero, so `hash % 100` was always a multiple of 4 (2^20 % 100 = 76) and the priority
 * choice moved in steps of 4 % (93 / 7 % loads split 96 / 4).
 */
export function randomHash(source: () => number): number {
  const x = Math.floor(source() * 4294967296) >>> 0;
  // murmur3's fmix32 of the draw: low bits that vary with all of its bits.
  let m = x ^ (x >>> 16);
  m = Math.imul(m, 0x85ebca6b);
  m ^= m >>> 13;
  m = Math.imul(m, 0xc2b2ae35);
  m ^= m >>> 16;
  return x * 2 ** 20 + ((m >>> 0) >>> 12);
}
