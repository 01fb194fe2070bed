// `meshsim proxy-config` and `meshsim explain`: views of one proxy at a simulated time. The world is
// run up to `--at`, so each proxy holds the config version it had then; what is printed is istiod's
// translation of those versions (xds/translation/), the same objects the simulation routes by.
// https://istio.io/latest/docs/reference/commands/istioctl/#istioctl-proxy-config
import { loadScenario, parseDuration } from "../scenario/index.js";
import { createWorld } from "../runner/run-scenario.js";
import { explain, type ExplainView } from "../xds/explain.js";
import { parseCallUrl } from "../scenario/index.js";
import { DEFAULTS } from "../scenario/defaults.js";
import type { CallTarget } from "../scenario/model.js";
import type { World } from "../mesh/world.js";
import type { Pod } from "../mesh/kube/pod.js";
import { Translator, type ProxyConfig } from "../xds/translation/translator.js";
import { clusterJson, clusterLoadAssignmentJson, listenerJson, routeConfigurationJson } from "../xds/translation/envoy-json.js";
import { describeMatch } from "../proxy/route/route-match.js";
import { sdsSecrets, secretsConfigDumpJson } from "../xds/secrets-config-dump.js";
import { UsageError } from "./exit.js";
import { PROXY_CONFIG_KIND_NAMES } from "./proxy-config-kinds.js";
import { explainAmbient, type AmbientExplainView } from "../xds/ambient-explain.js";
import { ambientIndexOf } from "../xds/translation/ztunnel-config.js";

export function worldAt(file: string, at: string | undefined): World {
  const scenario = loadScenario(file);
  const world = createWorld(scenario).world;
  let atMs = 0;
  if (at !== undefined) {
    try {
      atMs = parseDuration(at);
    } catch (e) {
      throw new UsageError(`--at: ${(e as Error).message}`);
    }
  }
  world.advance(atMs);
  return world;
}

/** The translation the world's proxies were given (the runner builds a Translator). */
function translatorOf(world: World): Translator {
  const t = world.translation;
  if (!(t instanceof Translator)) throw new Error("the world's translation is not istiod's Translator");
  return t;
}

function explainView(world: World, pod: Pod): ExplainView {
  return {
    pod, held: world.heldBy(pod), translator: translatorOf(world), nowMs: world.sim.now,
    listenerConfigOf: (p) => world.heldBy(p).lds,
    clusterConfigOf: (p) => world.heldBy(p).cds,
    inboundVerdict: (p, port) => world.interception.explainInbound(p, port),
  };
}

/** An ambient pod as ambient explain reads the world (the waypoint's Envoy through explainView). */
export function ambientExplainView(world: World, pod: Pod): AmbientExplainView {
  const ambient = world.ambient;
  if (ambient === null) throw new Error("internal: an ambient pod in a world without ambient mode");
  const s = world.scenario;
  return {
    from: pod, config: world.config, registry: world.registry, namespaces: s.namespaces,
    index: ambientIndexOf({ mesh: s.simulation.mesh, namespaces: s.namespaces, deployments: s.deployments, services: s.services, config: world.config }),
    ztunnelOf: (p) => ambient.ztunnels.of(p).pod,
    deploymentKeyOf: (p) => {
      const d = world.deploymentOf(p);
      return d === undefined ? undefined : `${d.metadata.namespace}/${d.metadata.name}`;
    },
    waypointEnvoy: (wp, req, target) => explain(explainView(world, wp), req, target, undefined),
  };
}

export function table(rows: Record<string, unknown>[], columns: string[]): string {
  // istioctl's headers: "VIRTUAL SERVICE", "SERIAL NUMBER", ...
  const headers = columns.map((c) => c.replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase());
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? "")));
  const widths = headers.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (xs: string[]) => xs.map((x, i) => x.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headers), ...cells.map(line)].join("\n");
}


/**
 * A pod as istioctl names it: `name`, `name.namespace`, or `deploy/name[.namespace]` (its first
 * running pod); meshsim's pod ids (`namespace/name`) work too.
 */
export function findPod(world: World, ref: string): Pod {
  const all = [...world.pods.values()];
  const deploy = /^(?:deploy|deployment|deployments)\/(.+)$/.exec(ref);
  if (deploy !== null) {
    const [name, ns] = deploy[1]!.split(".");
    const pods = all.filter((p) => p.workload === name && (ns === undefined || p.namespace === ns));
    const pod = pods.find((p) => p.alive) ?? pods[0];
    if (pod === undefined) throw new UsageError(`no deployment named ${deploy[1]} (deployments: ${[...new Set(all.map((p) => p.workload))].join(", ")})`);
    return pod;
  }
  const byName = all.filter((p) => p.name === ref || p.id === ref || `${p.name}.${p.namespace}` === ref);
  if (byName.length === 1) return byName[0]!;
  if (byName.length > 1) throw new UsageError(`pod name ${ref} is in several namespaces: name it as <pod>.<namespace> (${byName.map((p) => `${p.name}.${p.namespace}`).join(", ")})`);
  throw new UsageError(`no pod named ${ref} (pods: ${all.map((p) => `${p.name}.${p.namespace}`).join(", ")})`);
}

export interface ProxyConfigArgs {
  kind: string; pod: string; scenario: string; at?: string | undefined; output?: string | undefined;
  port?: number | undefined; name?: string | undefined; fqdn?: string | undefined; cluster?: string | undefined;
}

/** A kind's table, and its `-o json`: Envoy's resources (an array), or for secrets Envoy's SecretsConfigDump. */
type Rows = { rows: Record<string, unknown>[]; columns: string[]; json: unknown[] | Record<string, unknown> };

function listenerRows(cfg: ProxyConfig, a: ProxyConfigArgs): Rows {
  const ls = cfg.listeners.filter((l) => a.port === undefined || l.port === a.port);
  return {
    rows: ls.map((l) => ({ name: l.name, address: l.address, port: l.port, match: l.routeConfigName === "" ? "ALL" : "ALL (HTTP)", destination: l.routeConfigName === "" ? `${l.defaultCluster} (or the listener of the original destination port)` : `Route: ${l.routeConfigName}` })),
    columns: ["name", "address", "port", "match", "destination"],
    json: ls.map(listenerJson),
  };
}

function routeRows(cfg: ProxyConfig, a: ProxyConfigArgs): Rows {
  const rcs = cfg.routes.filter((rc) => a.name === undefined || rc.name === a.name);
  const rows: Record<string, unknown>[] = [];
  // istioctl prints one row per route: its MATCH is the route's match, not its name.
  for (const rc of rcs) {
    for (const vh of rc.virtualHosts) {
      const domains = vh.domains.length > 2 ? `${vh.domains.slice(0, 2).join(", ")} + ${vh.domains.length - 2} more...` : vh.domains.join(", ");
      const vs = vh.virtualService === "" ? "" : vh.virtualService;
      if (vh.routes.length === 0) rows.push({ name: rc.name, vhostName: vh.name, domains, match: "", virtualService: vs });
      for (const r of vh.routes) rows.push({ name: rc.name, vhostName: vh.name, domains, match: describeMatch(r.match), virtualService: vs });
    }
  }
  return { rows, columns: ["name", "vhostName", "domains", "match", "virtualService"], json: rcs.map(routeConfigurationJson) };
}

function clusterRows(cfg: ProxyConfig, a: ProxyConfigArgs): Rows {
  const cs = cfg.clusters.filter((c) => (a.port === undefined || c.port === a.port) && (a.fqdn === undefined || c.host === a.fqdn || c.host.startsWith(`${a.fqdn}.`)) && (a.name === undefined || c.name === a.name));
  const cla = new Map(cfg.endpoints.map((e) => [e.clusterName, e]));
  return {
    rows: cs.map((c) => ({
      serviceFqdn: c.direction === "" ? c.name : c.host, port: c.port === 0 ? "-" : c.port, subset: c.subset === "" ? "-" : c.subset,
      direction: c.direction === "" ? "-" : c.direction, type: c.type, destinationRule: c.destinationRule, name: c.name,
    })),
    columns: ["serviceFqdn", "port", "subset", "direction", "type", "destinationRule", "name"],
    json: cs.map((c) => clusterJson(c, cla.get(c.name))),
  };
}

function endpointRows(cfg: ProxyConfig, a: ProxyConfigArgs): Rows {
  const clas = cfg.endpoints.filter((e) => (a.cluster === undefined || e.clusterName === a.cluster) && (a.name === undefined || e.clusterName === a.name));
  const rows: Record<string, unknown>[] = [];
  for (const cla of clas) {
    for (const e of cla.endpoints) {
      if (a.port !== undefined && e.port !== a.port) continue;
      rows.push({ endpoint: `${e.address}:${e.port}`, status: e.healthStatus, outlierCheck: "OK", cluster: cla.clusterName, pod: e.pod === "" ? "-" : e.pod, locality: e.locality });
    }
  }
  // With nodes, Envoy's endpoints carry a locality (istioctl prints it); without, the column is left out.
  const locality = rows.some((r) => r["locality"] !== "") ? ["locality"] : [];
  return { rows, columns: ["endpoint", "status", "outlierCheck", "cluster", "pod", ...locality], json: clas.map(clusterLoadAssignmentJson) };
}

export function proxyConfigCommand(a: ProxyConfigArgs): number {
  const kind = PROXY_CONFIG_KIND_NAMES[a.kind];
  if (kind === undefined) throw new UsageError(`unknown config kind "${a.kind}" (all, listeners, routes, clusters, endpoints, secrets)`);
  const world = worldAt(a.scenario, a.at);
  const pod = findPod(world, a.pod);
  if (pod.ambientProxy !== undefined || pod.ambient) {
    throw new UsageError(`pod ${a.pod} ${pod.ambient ? "is in the ambient mesh: its node's ztunnel carries its traffic" : "is a ztunnel"}, not an Envoy: see \`meshsim ztunnel-config\` (a waypoint's pod takes proxy-config)`);
  }
  if (!pod.hasSidecar) throw new UsageError(`pod ${a.pod} has no sidecar: it holds no proxy config`);
  const cfg = translatorOf(world).proxyConfig(pod, world.heldBy(pod));
  const json = a.output === "json";
  const parts: [string, Rows][] = [];
  if (kind === "listeners" || kind === "all") parts.push(["listeners", listenerRows(cfg, a)]);
  if (kind === "routes" || kind === "all") parts.push(["routes", routeRows(cfg, a)]);
  if (kind === "clusters" || kind === "all") parts.push(["clusters", clusterRows(cfg, a)]);
  if (kind === "endpoints" || kind === "all") parts.push(["endpoints", endpointRows(cfg, a)]);
  if (kind === "secrets" || kind === "all") {
    parts.push(["secrets", secretRows(world, pod)]);
  }
  if (json) {
    // One kind: Envoy's resources as an array (istioctl's shape); `all`: one array per kind.
    const out = kind === "all" ? Object.fromEntries(parts.map(([k, r]) => [k, r.json])) : parts[0]![1].json;
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
  } else {
    process.stdout.write(`${parts.map(([k, r]) => (kind === "all" ? `${k.toUpperCase()}\n` : "") + table(r.rows, r.columns)).join("\n\n")}\n`);
  }
  return 0;
}

/** Simulated time as istioctl prints a certificate's dates, from the run's start (simulated time 0). */
function simTime(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return `+${d > 0 ? `${d}d` : ""}${h}h${String(m).padStart(2, "0")}m${String(sec).padStart(2, "0")}s`;
}

/**
 * `istioctl proxy-config secret`: the SDS resources istio-agent serves the pod's Envoy — `default`
 * (the workload certificate chain) and `ROOTCA` (the mesh's root). VALID CERT is false once notAfter
 * has passed (istiod was unreachable at the rotation point). `-o json` is Envoy's SecretsConfigDump
 * (xds/secrets-config-dump.ts); the table is read from the same secrets.
 * https://istio.io/latest/docs/ops/diagnostic-tools/proxy-cmd/#verifying-connectivity-to-istiod
 */
function secretRows(world: World, pod: Pod): Rows {
  const now = world.sim.now;
  const held = sdsSecrets(world.distributor.certificateOf(pod), world.distributor.rootCertificate, `spiffe://${pod.identity.principal}`);
  const rows = held.map((s) => {
    const c = s.chain[0];
    return {
      resourceName: s.name, type: s.name === "default" ? "Cert Chain" : "CA", status: s.state,
      validCert: c !== undefined && now >= c.validFromMs && now < c.expirationTimeMs,
      serialNumber: c?.serialNumber ?? "-", notAfter: c === undefined ? "-" : simTime(c.expirationTimeMs), notBefore: c === undefined ? "-" : simTime(c.validFromMs),
    };
  });
  return { rows, columns: ["resourceName", "type", "status", "validCert", "serialNumber", "notAfter", "notBefore"], json: secretsConfigDumpJson(held, now) };
}

/** Split a request line as a shell would: words, with '…' and "…" quoting (curl's -H "name: value"). */
function words(text: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) out.push(m[1] ?? m[2] ?? m[3]!);
  return out;
}

const REQUEST_FORM = `expected "[METHOD] URL [-H 'name: value']...", e.g. "GET http://reviews:9080/reviews/0 -H 'end-user: jason'"`;

/**
 * Parse `GET http://reviews:9080/x -H end-user:jason -H 'authorization: Bearer T'`: an optional
 * method, an http(s) URL, then only -H headers. Anything else (a curl command line, options other
 * than -H) is an input error, never guessed at.
 */
export function parseRequest(text: string): { method: string; url: string; headers: Record<string, string> } {
  const parts = words(text.trim());
  let method = "GET";
  if (parts.length > 0 && /^[A-Z]+$/.test(parts[0]!)) method = parts.shift()!;
  const url = parts.shift();
  if (url === undefined || !/^https?:\/\//i.test(url)) {
    throw new UsageError(`--request: ${url === undefined ? "no URL" : `${JSON.stringify(url)} is not an http:// or https:// URL`}; ${REQUEST_FORM}`);
  }
  const headers: Record<string, string> = {};
  while (parts.length > 0) {
    const flag = parts.shift()!;
    if (flag !== "-H") throw new UsageError(`--request: unexpected ${JSON.stringify(flag)} after the URL (only -H headers may follow); ${REQUEST_FORM}`);
    // A value may hold spaces, as curl's -H "authorization: Bearer TOKEN": it runs to the next -H.
    const ws: string[] = [];
    while (parts.length > 0 && parts[0] !== "-H") ws.push(parts.shift()!);
    const h = ws.join(" ");
    const i = h.indexOf(":");
    if (i <= 0) throw new UsageError(`--request: -H takes "name: value", got ${JSON.stringify(h)}`);
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  return { method, url, headers };
}

export function explainCommand(a: { scenario: string; from: string; request: string; at?: string | undefined }): number {
  const r = parseRequest(a.request);
  let parsed;
  try {
    parsed = parseCallUrl(r.url);
  } catch (e) {
    throw new UsageError(`--request: ${(e as Error).message}`);
  }
  const world = worldAt(a.scenario, a.at);
  const pod = [...world.pods.values()].find((p) => p.workload === a.from || p.name === a.from || p.id === a.from || `${p.name}.${p.namespace}` === a.from)
    ?? (/^deploy(ment)?s?\//.test(a.from) ? findPod(world, a.from) : undefined);
  if (pod === undefined) throw new UsageError(`--from: no deployment or pod named ${a.from}`);
  const target = targetOf(world, pod, parsed);
  const authority = parsed.port !== undefined ? `${parsed.host}:${parsed.port}` : parsed.host;
  if (pod.ambient) {
    const { lines } = explainAmbient(ambientExplainView(world, pod), { method: r.method, scheme: parsed.scheme, authority, path: parsed.path, headers: r.headers }, target);
    process.stdout.write(`${lines.join("\n")}\n`);
    return 0;
  }
  const { lines } = explain(explainView(world, pod), { method: r.method, scheme: parsed.scheme, authority, path: parsed.path, headers: r.headers }, target,
    pod.hasSidecar && pod.gateway === undefined ? world.interception.explainOutbound(pod, target) : undefined);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}

/** Resolve a URL's host as the pod's DNS would (short name in its namespace, name.ns, FQDN), else outside the cluster. */
export function targetOf(world: World, pod: Pod, parsed: { scheme: string; host: string; port?: number; path: string }): CallTarget {
  let svc;
  for (const s of world.registry.byFqdn.values()) {
    const n = s.spec.metadata.name, ns = s.spec.metadata.namespace;
    if ([n, `${n}.${ns}`, `${n}.${ns}.svc`, s.fqdn].includes(parsed.host) && (parsed.host.includes(".") || ns === pod.namespace)) svc = s;
  }
  const scheme = parsed.scheme as "http" | "https";
  const port = parsed.port ?? svc?.spec.ports[0]?.port ?? DEFAULTS.call.externalPort[scheme];
  return {
    scheme, host: parsed.host, port, path: parsed.path,
    resolved: svc !== undefined ? { kind: "service", name: svc.spec.metadata.name, namespace: svc.spec.metadata.namespace, fqdn: svc.fqdn } : { kind: "external", host: parsed.host },
  };
}
