// The nat-table rules istio-init (or the Istio CNI agent) writes into a pod with a sidecar, built from
// the pod's traffic.sidecar.istio.io annotations, and a walk of those chains for one TCP connection.
// Rules and their order follow istio-iptables in REDIRECT mode:
// https://istio.io/latest/docs/reference/config/annotations/ (traffic.sidecar.istio.io/*)
// https://github.com/istio/istio/blob/master/tools/istio-iptables/pkg/capture/run.go
import { cidrContains, parseCidr, type CidrBlock } from "../security/authorization/ip-block.js";

/** The proxy's user and group: its own traffic is never captured. */
export const PROXY_UID = 1337;
export const OUTBOUND_CAPTURE_PORT = 15001;
export const INBOUND_CAPTURE_PORT = 15006;
/** HBONE: istio-iptables' first ISTIO_INBOUND rule returns it (run.go Run, InboundTunnelPort). */
export const INBOUND_TUNNEL_PORT = 15008;
/**
 * Ports the injection template always passes to istio-iptables' `-d`: Envoy's stats (15090) and health
 * (15021) first, then the pod's excludeInboundPorts, then the agent's status port (15020) unless that list
 * already names it (manifests/.../injection-template.yaml `-d "15090,15021,{{ excludeInboundPort … }}"`,
 * pkg/kube/inject/template.go excludeInboundPort).
 */
export const STATUS_PORT = 15020;
/** Ports Istio always leaves uncaptured on the inbound side: HBONE, Envoy stats, health, agent metrics. */
export const ALWAYS_EXCLUDED_INBOUND_PORTS: readonly number[] = [INBOUND_TUNNEL_PORT, 15090, 15021, STATUS_PORT];

export const ANNOTATIONS = {
  includeOutboundIPRanges: "traffic.sidecar.istio.io/includeOutboundIPRanges",
  excludeOutboundIPRanges: "traffic.sidecar.istio.io/excludeOutboundIPRanges",
  includeOutboundPorts: "traffic.sidecar.istio.io/includeOutboundPorts",
  excludeOutboundPorts: "traffic.sidecar.istio.io/excludeOutboundPorts",
  includeInboundPorts: "traffic.sidecar.istio.io/includeInboundPorts",
  excludeInboundPorts: "traffic.sidecar.istio.io/excludeInboundPorts",
} as const;

export interface RuleMatch {
  dport?: number;
  /** Destination CIDR, negated with `notDestination`. */
  destination?: CidrBlock;
  notDestination?: boolean;
  source?: CidrBlock;
  /** Output interface is loopback. */
  loopback?: boolean;
  /** `-m owner --uid-owner 1337`, negated with `notUid`. */
  uidOwner?: number;
  notUid?: boolean;
  /** `! --dport`. */
  notDport?: number;
}

export interface Rule {
  readonly match: RuleMatch;
  /** A chain to jump to, RETURN, or REDIRECT to a port. */
  readonly target: { kind: "jump"; chain: string } | { kind: "return" } | { kind: "redirect"; port: number };
  /** The rule as `iptables-save` prints it. */
  readonly text: string;
}

export type Chains = ReadonlyMap<string, readonly Rule[]>;

/** A TCP connection as the kernel sees it leaving (OUTPUT) or entering (PREROUTING) the pod. */
export interface Packet {
  readonly dstIp: string;
  readonly dstPort: number;
  readonly srcIp?: string;
  readonly uid?: number;
  readonly loopback?: boolean;
}

export interface Verdict {
  /** Redirected to the sidecar (the port it listens on), or passed through untouched (0). */
  readonly redirectPort: number;
  /** The rules that decided, in order: "CHAIN rule-text". */
  readonly trace: readonly string[];
}

export class InvalidAnnotationError extends Error {}

/**
 * A port list. `*` is a value only for the include lists (istio-iptables' wildcard); the injection
 * webhook rejects it in excludeInboundPorts / excludeOutboundPorts (pkg/kube/inject/validate.go
 * ValidateExcludeInboundPorts → parsePorts), so the pod is never created.
 */
function ports(value: string | undefined, what: string, wildcard = false): number[] {
  if (value === undefined || value.trim() === "" || (wildcard && value.trim() === "*")) return [];
  return value.split(",").map((p) => {
    const n = Number(p.trim());
    if (!Number.isInteger(n) || n < 1 || n > 65535) throw new InvalidAnnotationError(`${what}: invalid port ${JSON.stringify(p.trim())}`);
    return n;
  });
}

/**
 * A CIDR list, as istio-iptables parses it (tools/common/config/config.go SeparateV4V6: netip.ParsePrefix,
 * so a bare address without `/len` is an error). `*` only for includeOutboundIPRanges: the webhook
 * (validate.go ValidateExcludeIPRanges) and istio-iptables (run.go Run: "invalid value for
 * OUTBOUND_IP_RANGES_EXCLUDE") both reject it in the exclude list.
 */
function cidrs(value: string | undefined, what: string, wildcard = false): CidrBlock[] {
  if (value === undefined || value.trim() === "" || (wildcard && value.trim() === "*")) return [];
  return value.split(",").map((c) => {
    const b = c.includes("/") ? parseCidr(c.trim()) : undefined;
    if (b === undefined) throw new InvalidAnnotationError(`${what}: invalid CIDR ${JSON.stringify(c.trim())} (an address/prefix-length)`);
    return b;
  });
}

const r = (match: RuleMatch, target: Rule["target"], text: string): Rule => ({ match, target, text });
const LOCALHOST = parseCidr("127.0.0.1/32")!;
const INBOUND_PASSTHROUGH = parseCidr("127.0.0.6/32")!;

/**
 * The pod's nat chains, rule for rule in the order istio-iptables appends them in REDIRECT mode
 * (tools/istio-iptables/pkg/capture/run.go IptablesConfigurator.Run, handleInboundPortsInclude,
 * handleOutboundPortsInclude, handleOutboundIncludeRules; DNS capture and TPROXY are not modelled).
 * Throws InvalidAnnotationError for an annotation the injector or istio-iptables would reject.
 * ISTIO_OUTPUT's order decides which annotation wins: excluded ports come before everything, then the
 * proxy's own traffic, then localhost and the excluded ranges, and only after them the included ports
 * and ranges — so an included port to an excluded range is not captured.
 */
export function buildChains(annotations: Readonly<Record<string, string>>): Chains {
  const a = ANNOTATIONS;
  const inc = annotations[a.includeOutboundIPRanges] ?? "*";
  const includeAll = inc.trim() === "*";
  const includeRanges = cidrs(inc, a.includeOutboundIPRanges, true);
  const excludeRanges = cidrs(annotations[a.excludeOutboundIPRanges], a.excludeOutboundIPRanges);
  const excludeOutPorts = ports(annotations[a.excludeOutboundPorts], a.excludeOutboundPorts);
  const includeOutPorts = ports(annotations[a.includeOutboundPorts], a.includeOutboundPorts);
  const incIn = annotations[a.includeInboundPorts] ?? "*";
  const includeInAll = incIn.trim() === "*";
  const includeInPorts = ports(incIn, a.includeInboundPorts, true);
  const userExcludedIn = ports(annotations[a.excludeInboundPorts], a.excludeInboundPorts);
  const excludeInPorts = [15090, 15021, ...userExcludedIn, ...(userExcludedIn.includes(STATUS_PORT) ? [] : [STATUS_PORT])];

  const inbound: Rule[] = [r({ dport: INBOUND_TUNNEL_PORT }, { kind: "return" }, `-A ISTIO_INBOUND -p tcp --dport ${INBOUND_TUNNEL_PORT} -j RETURN`)];
  if (includeInAll) {
    for (const p of excludeInPorts) inbound.push(r({ dport: p }, { kind: "return" }, `-A ISTIO_INBOUND -p tcp --dport ${p} -j RETURN`));
    inbound.push(r({}, { kind: "jump", chain: "ISTIO_IN_REDIRECT" }, "-A ISTIO_INBOUND -p tcp -j ISTIO_IN_REDIRECT"));
  } else {
    for (const p of includeInPorts) inbound.push(r({ dport: p }, { kind: "jump", chain: "ISTIO_IN_REDIRECT" }, `-A ISTIO_INBOUND -p tcp --dport ${p} -j ISTIO_IN_REDIRECT`));
  }

  // Excluded ports first: "Must be applied before connections back to self are redirected" (run.go).
  const output: Rule[] = excludeOutPorts.map((p) => r({ dport: p }, { kind: "return" }, `-A ISTIO_OUTPUT -p tcp --dport ${p} -j RETURN`));
  // A loopback include range keeps the app's own loopback traffic capturable (config.go HasLoopBackIP).
  const includesLoopback = includeRanges.some((c) => Math.floor(c.base / 2 ** 24) === 127);
  output.push(r({ source: INBOUND_PASSTHROUGH, loopback: true }, { kind: "return" }, "-A ISTIO_OUTPUT -s 127.0.0.6/32 -o lo -j RETURN"));
  // The same three rules for the proxy's uid, then its gid (both 1337); a packet carries both.
  for (const [flag, id] of [["uid", PROXY_UID], ["gid", PROXY_UID]] as const) {
    output.push(r({ destination: LOCALHOST, notDestination: true, loopback: true, uidOwner: id, notDport: INBOUND_TUNNEL_PORT }, { kind: "jump", chain: "ISTIO_IN_REDIRECT" },
      `-A ISTIO_OUTPUT ! -d 127.0.0.1/32 -o lo -p tcp ! --dport ${INBOUND_TUNNEL_PORT} -m owner --${flag}-owner ${id} -j ISTIO_IN_REDIRECT`));
    if (!includesLoopback) output.push(r({ loopback: true, uidOwner: id, notUid: true }, { kind: "return" }, `-A ISTIO_OUTPUT -o lo -m owner ! --${flag}-owner ${id} -j RETURN`));
    output.push(r({ uidOwner: id }, { kind: "return" }, `-A ISTIO_OUTPUT -m owner --${flag}-owner ${id} -j RETURN`));
  }
  output.push(r({ destination: LOCALHOST }, { kind: "return" }, "-A ISTIO_OUTPUT -d 127.0.0.1/32 -j RETURN"));
  for (const c of excludeRanges) output.push(r({ destination: c }, { kind: "return" }, `-A ISTIO_OUTPUT -d ${cidrText(c)} -j RETURN`));
  for (const p of includeOutPorts) output.push(r({ dport: p }, { kind: "jump", chain: "ISTIO_REDIRECT" }, `-A ISTIO_OUTPUT -p tcp --dport ${p} -j ISTIO_REDIRECT`));
  if (includeAll) output.push(r({}, { kind: "jump", chain: "ISTIO_REDIRECT" }, "-A ISTIO_OUTPUT -j ISTIO_REDIRECT"));
  else for (const c of includeRanges) output.push(r({ destination: c }, { kind: "jump", chain: "ISTIO_REDIRECT" }, `-A ISTIO_OUTPUT -d ${cidrText(c)} -j ISTIO_REDIRECT`));
  // Whatever no rule took falls off the end of ISTIO_OUTPUT: not redirected.

  const prerouting = includeInAll || includeInPorts.length > 0 ? [r({}, { kind: "jump", chain: "ISTIO_INBOUND" }, "-A PREROUTING -p tcp -j ISTIO_INBOUND")] : [];
  return new Map<string, readonly Rule[]>([
    ["PREROUTING", prerouting],
    ["OUTPUT", [r({}, { kind: "jump", chain: "ISTIO_OUTPUT" }, "-A OUTPUT -j ISTIO_OUTPUT")]],
    ["ISTIO_INBOUND", inbound],
    ["ISTIO_IN_REDIRECT", [r({}, { kind: "redirect", port: INBOUND_CAPTURE_PORT }, `-A ISTIO_IN_REDIRECT -p tcp -j REDIRECT --to-ports ${INBOUND_CAPTURE_PORT}`)]],
    ["ISTIO_OUTPUT", output],
    ["ISTIO_REDIRECT", [r({}, { kind: "redirect", port: OUTBOUND_CAPTURE_PORT }, `-A ISTIO_REDIRECT -p tcp -j REDIRECT --to-ports ${OUTBOUND_CAPTURE_PORT}`)]],
  ]);
}

function cidrText(c: CidrBlock): string {
  const b = c.base;
  return `${Math.floor(b / 2 ** 24) % 256}.${Math.floor(b / 2 ** 16) % 256}.${Math.floor(b / 2 ** 8) % 256}.${b % 256}/${c.prefixLength}`;
}

function matches(m: RuleMatch, p: Packet): boolean {
  if (m.dport !== undefined && m.dport !== p.dstPort) return false;
  if (m.notDport !== undefined && m.notDport === p.dstPort) return false;
  if (m.destination !== undefined && cidrContains(m.destination, p.dstIp) === (m.notDestination === true)) return false;
  if (m.source !== undefined && (p.srcIp === undefined || !cidrContains(m.source, p.srcIp))) return false;
  if (m.loopback !== undefined && m.loopback !== (p.loopback === true)) return false;
  if (m.uidOwner !== undefined && (p.uid === m.uidOwner) === (m.notUid === true)) return false;
  return true;
}

/** Walk a built-in chain (OUTPUT for connections the pod opens, PREROUTING for ones it receives). */
export function classify(chains: Chains, start: "OUTPUT" | "PREROUTING", p: Packet): Verdict {
  const trace: string[] = [];
  const walk = (chain: string): number | undefined => {
    for (const rule of chains.get(chain) ?? []) {
      if (!matches(rule.match, p)) continue;
      trace.push(rule.text);
      const t = rule.target;
      if (t.kind === "return") return undefined;
      if (t.kind === "redirect") return t.port;
      const port = walk(t.chain);
      if (port !== undefined) return port;
      // A RETURN from a user chain ends the built-in chain's walk here too (every jump is the last word).
      return undefined;
    }
    return undefined;
  };
  const port = walk(start);
  return { redirectPort: port ?? 0, trace };
}

/** `iptables-save -t nat` of the pod. */
export function iptablesSave(chains: Chains): string {
  const lines = ["*nat", ":PREROUTING ACCEPT [0:0]", ":OUTPUT ACCEPT [0:0]"];
  for (const name of chains.keys()) if (name.startsWith("ISTIO_")) lines.push(`:${name} - [0:0]`);
  for (const rules of chains.values()) for (const rule of rules) lines.push(rule.text);
  lines.push("COMMIT");
  return lines.join("\n");
}
