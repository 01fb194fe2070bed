// `meshsim proxy-config` and `meshsim explain`: views of one sidecar at a simulated time. The world
// is run up to `--at`, so each proxy holds the config version it had then.
import { loadScenario, parseDuration } from "../scenario/index.js";
import { createWorld } from "../runner/run-scenario.js";
import { clusters, endpoints, listeners, routes, type ProxyView } from "../xds/proxy-view.js";
import { explain } from "../xds/explain.js";
import { parseCallUrl } from "../scenario/index.js";
import type { CallTarget } from "../scenario/model.js";
import type { World } from "../mesh/world.js";
import type { Pod } from "../mesh/pod.js";
import { UsageError } from "./exit.js";

function worldAt(file: string, at: string | undefined): World {
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

function view(world: World, pod: Pod): ProxyView {
  const x = world.xdsOf(pod);
  return { pod, config: x.rds, clusterConfig: x.cds, eds: x.eds, registry: world.registry, scope: world.scopeOf(pod, x.rds), listenerConfigOf: (p) => world.xdsOf(p).lds, rejected: x.rejected, nowMs: world.sim.now,
    inboundVerdict: (p, port) => world.interception.explainInbound(p, port) };
}

function table(rows: Record<string, unknown>[], columns: string[]): string {
  // istioctl's headers: "VIRTUAL SERVICE", "SERIAL NUMBER", ...
  const headers = columns.map((c) => c.replace(/([a-z])([A-Z])/g, "$1 $2").toUpperCase());
  const cells = rows.map((r) => columns.map((c) => String(r[c] ?? "")));
  const widths = headers.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i]!.length)));
  const line = (xs: string[]) => xs.map((x, i) => x.padEnd(widths[i]!)).join("  ").trimEnd();
  return [line(headers), ...cells.map(line)].join("\n");
}

export function proxyConfigCommand(a: { kind: string; pod: string; scenario: string; at?: string | undefined; output?: string | undefined }): number {
  const world = worldAt(a.scenario, a.at);
  const pod = world.pods.get(a.pod);
  if (pod === undefined) throw new UsageError(`no pod named ${a.pod} (pods: ${[...world.pods.keys()].join(", ")})`);
  if (!pod.hasSidecar) throw new UsageError(`pod ${a.pod} has no sidecar: it holds no proxy config`);
  const v = view(world, pod);
  let rows: Record<string, unknown>[];
  let columns: string[];
  switch (a.kind) {
    case "listeners":
      rows = listeners(v) as unknown as Record<string, unknown>[];
      columns = ["name", "address", "port", "match", "destination"];
      break;
    case "routes":
      rows = routes(v).map((vh) => ({
        name: vh.routeTable, virtualHost: vh.virtualHost, domains: vh.domains.slice(0, 2).join(", ") + ", ...",
        match: vh.routes.map((r) => r.name).join(" | "), virtualService: vh.virtualService,
      }));
      columns = ["name", "virtualHost", "domains", "match", "virtualService"];
      break;
    case "clusters":
      rows = clusters(v) as unknown as Record<string, unknown>[];
      columns = ["fqdn", "port", "subset", "direction", "type", "destinationRule", "name"];
      break;
    case "endpoints":
      rows = endpoints(v) as unknown as Record<string, unknown>[];
      columns = ["endpoint", "status", "cluster", "pod", ...(rows.some((r) => r["locality"] !== undefined) ? ["locality"] : [])];
      break;
    case "secrets":
      rows = secrets(world, pod) as unknown as Record<string, unknown>[];
      columns = ["resourceName", "type", "status", "validCert", "serialNumber", "notAfter", "notBefore"];
      break;
    default:
      throw new UsageError(`unknown config kind "${a.kind}" (listeners, routes, clusters, endpoints, secrets)`);
  }
  process.stdout.write(a.output === "json" ? `${JSON.stringify(rows, null, 2)}\n` : `${table(rows, columns)}\n`);
  return 0;
}

/** Simulated time as istioctl prints a certificate's dates, from the run's start (simulated time 0). */
function simTime(ms: number): string {
  if (!Number.isFinite(ms)) return "-";
  const s = Math.round(ms / 1000);
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return `+${d > 0 ? `${d}d` : ""}${h}h${String(m).padStart(2, "0")}m${String(sec).padStart(2, "0")}s`;
}

interface SecretRow { resourceName: string; type: string; status: string; validCert: boolean; serialNumber: string; notAfter: string; notBefore: string }

/**
 * `istioctl proxy-config secret`: the SDS resources istio-agent serves the pod's Envoy — `default`
 * (the workload certificate chain) and `ROOTCA` (the mesh's root). VALID CERT is false once notAfter
 * has passed (istiod was unreachable at the rotation point).
 * https://istio.io/latest/docs/ops/diagnostic-tools/proxy-cmd/#verifying-connectivity-to-istiod
 */
function secrets(world: World, pod: Pod): SecretRow[] {
  const now = world.sim.now;
  const cert = world.distributor.certificateOf(pod);
  const root = world.distributor.rootCertificate;
  const rows: SecretRow[] = [];
  if (cert === undefined) {
    rows.push({ resourceName: "default", type: "Cert Chain", status: "WARMING", validCert: false, serialNumber: "-", notAfter: "-", notBefore: "-" });
  } else {
    rows.push({
      resourceName: "default", type: "Cert Chain", status: "ACTIVE", validCert: now >= cert.notBeforeMs && now < cert.notAfterMs,
      serialNumber: cert.serial, notAfter: simTime(cert.notAfterMs), notBefore: simTime(cert.notBeforeMs),
    });
  }
  rows.push({ resourceName: "ROOTCA", type: "CA", status: "ACTIVE", validCert: now < root.notAfterMs, serialNumber: root.serial, notAfter: simTime(root.notAfterMs), notBefore: simTime(root.notBeforeMs) });
  return rows;
}

/** Parse `GET http://reviews:9080/x -H end-user:jason -H authorization: Bearer T`. */
function parseRequest(text: string): { method: string; url: string; headers: Record<string, string> } {
  const parts = text.trim().split(/\s+/);
  let method = "GET";
  if (parts.length > 0 && /^[A-Z]+$/.test(parts[0]!)) method = parts.shift()!;
  const url = parts.shift();
  if (url === undefined) throw new UsageError(`--request: expected "METHOD URL [-H name:value]...", got ${JSON.stringify(text)}`);
  const headers: Record<string, string> = {};
  while (parts.length > 0) {
    const flag = parts.shift();
    // A value may hold spaces, as curl's -H "authorization: Bearer TOKEN": it runs to the next -H.
    const words: string[] = [];
    while (parts.length > 0 && parts[0] !== "-H") words.push(parts.shift()!);
    const h = words.length === 0 ? undefined : words.join(" ");
    if (flag !== "-H" || h === undefined || !h.includes(":")) throw new UsageError(`--request: headers are given as -H name:value`);
    const i = h.indexOf(":");
    headers[h.slice(0, i).trim().toLowerCase()] = h.slice(i + 1).trim();
  }
  return { method, url, headers };
}

export function explainCommand(a: { scenario: string; from: string; request: string; at?: string | undefined }): number {
  const world = worldAt(a.scenario, a.at);
  const pod = [...world.pods.values()].find((p) => p.workload === a.from || p.name === a.from || p.id === a.from);
  if (pod === undefined) throw new UsageError(`--from: no deployment or pod named ${a.from}`);
  const r = parseRequest(a.request);
  let parsed;
  try {
    parsed = parseCallUrl(r.url);
  } catch (e) {
    throw new UsageError(`--request: ${(e as Error).message}`);
  }
  const fqdnOf = (host: string): string | undefined => {
    for (const s of world.registry.byFqdn.values()) {
      const n = s.spec.metadata.name, ns = s.spec.metadata.namespace;
      if ([n, `${n}.${ns}`, `${n}.${ns}.svc`, s.fqdn].includes(host) && (host.includes(".") || ns === pod.namespace)) return s.fqdn;
    }
    return undefined;
  };
  const fqdn = fqdnOf(parsed.host);
  const svc = fqdn ? world.registry.byFqdn.get(fqdn) : undefined;
  const port = parsed.port ?? svc?.spec.ports[0]?.port ?? (parsed.scheme === "https" ? 443 : 80);
  const target: CallTarget = {
    scheme: parsed.scheme as "http" | "https", host: parsed.host, port, path: parsed.path,
    resolved: fqdn && svc ? { kind: "service", name: svc.spec.metadata.name, namespace: svc.spec.metadata.namespace, fqdn } : { kind: "external", host: parsed.host },
  };
  const authority = parsed.port !== undefined ? `${parsed.host}:${parsed.port}` : parsed.host;
  const lines = explain(view(world, pod), { method: r.method, scheme: parsed.scheme, authority, path: parsed.path, headers: r.headers }, target,
    world.scenario.simulation.mesh.outboundTrafficPolicy, pod.hasSidecar ? world.interception.explainOutbound(pod, target) : undefined);
  process.stdout.write(`${lines.join("\n")}\n`);
  return 0;
}
