// CIDR matching for `ipBlocks`, `remoteIpBlocks`, `source.ip`, `remote.ip`, `destination.ip`.
// Istio turns "1.2.3.4" into 1.2.3.4/32 (util.AddrStrToCidrRange); Envoy's CidrRange ignores host bits.
// IPv4 only in meshsim (the simulated network hands out IPv4 pod IPs).

/** Parse dotted-quad IPv4 into an unsigned 32-bit number without allocating; -1 if not IPv4. */
export function parseIpv4(s: string): number {
  let out = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      part = part * 10 + (c - 48);
      if (++digits > 3 || part > 255) return -1;
    } else if (c === 46 /* . */) {
      if (digits === 0 || ++dots > 3) return -1;
      out = out * 256 + part;
      part = 0;
      digits = 0;
    } else return -1;
  }
  if (digits === 0 || dots !== 3) return -1;
  return out * 256 + part;
}

export interface CidrBlock {
  /** Network address with host bits cleared (unsigned). */
  readonly base: number;
  readonly prefixLength: number;
}

/** "10.0.0.0/8" or "10.1.2.3"; undefined when not valid IPv4 CIDR. */
export function parseCidr(s: string): CidrBlock | undefined {
  const slash = s.indexOf("/");
  const ip = parseIpv4(slash < 0 ? s : s.slice(0, slash));
  if (ip < 0) return undefined;
  let len = 32;
  if (slash >= 0) {
    const t = s.slice(slash + 1);
    if (!/^\d{1,2}$/.test(t)) return undefined;
    len = Number(t);
    if (len > 32) return undefined;
  }
  return { base: maskIp(ip, len), prefixLength: len };
}

function maskIp(ip: number, len: number): number {
  if (len === 0) return 0;
  const hostBits = 2 ** (32 - len);
  return ip - (ip % hostBits);
}

/** Whether an IPv4 address string lies in the block. */
export function cidrContains(block: CidrBlock, ip: string): boolean {
  const n = parseIpv4(ip);
  return n >= 0 && maskIp(n, block.prefixLength) === block.base;
}
