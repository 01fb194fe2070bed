// meshsim's LoadGenerator: open loop (rate/arrival/profile) or closed loop like fortio
// (connections/requests/qps), see scenario-format.md.
import type { ObjectMeta } from "../../proxy/api/networking.js";
import type { LoadGenerator, SourcePos } from "../model.js";
import { readCallTarget } from "../call-target.js";
import { DEFAULTS } from "../defaults.js";
import type { LoadState } from "../load-state.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import { readMethod } from "./workload.js";

const OPEN = ["rate", "arrival", "profile"];
const CLOSED = ["connections", "requests", "qps", "timeout"];

export function readLoadGenerator(doc: YamlMap, metadata: ObjectMeta, pos: SourcePos, state: LoadState): LoadGenerator | undefined {
  const spec = doc.req("spec")?.map();
  if (!spec) return undefined;
  let ok = true;
  const nsV = spec.get("namespace");
  const namespace = nsV?.nonEmptyStr() ?? metadata.namespace;
  const fromV = spec.get("from");
  const from = fromV?.nonEmptyStr() ?? "outside";
  const targetV = spec.req("target");
  const target = targetV ? readCallTarget(targetV, namespace, state) : undefined;
  if (!target) ok = false;
  const method = readMethod(spec.get("method"));

  const open = spec.present(OPEN);
  const closed = spec.present(CLOSED);
  let openSpec: LoadGenerator["open"];
  let closedSpec: LoadGenerator["closed"];
  if (open.length > 0 && closed.length > 0) {
    ok = false;
    spec.error(`open loop (${open.join(", ")}) and closed loop (${closed.join(", ")}) fields cannot be mixed`);
  } else if (open.length === 0 && closed.length === 0) {
    ok = false;
    spec.error("either rate or profile (open loop) or connections (closed loop) is required");
  } else if (open.length > 0) {
    openSpec = readOpen(spec);
    if (!openSpec) ok = false;
  } else {
    closedSpec = readClosed(spec);
    if (!closedSpec) ok = false;
  }
  spec.ignore(...OPEN, ...CLOSED);

  const headers: LoadGenerator["headers"] = [];
  const hV = spec.get("headers");
  let sum = 0;
  for (const item of hV?.list() ?? []) {
    const hm = item.map();
    if (!hm) { ok = false; continue; }
    const fraction = hm.req("fraction")?.num({ min: 0, max: 1 });
    const setRaw = hm.req("set")?.strMap();
    hm.done();
    if (fraction === undefined || !setRaw) { ok = false; continue; }
    const set: Record<string, string> = {};
    for (const [k, val] of Object.entries(setRaw)) set[k.toLowerCase()] = val;
    sum += fraction;
    headers.push({ fraction, set });
  }
  if (sum > 1 + 1e-9) { ok = false; hV!.error(`fractions sum to ${sum}; they are shares of the requests and must sum to at most 1`); }

  const rqV = spec.get("requestSize");
  const requestSize = rqV?.int({ min: 0 });
  if (rqV && requestSize === undefined) ok = false;
  const startMs = spec.get("start")?.duration() ?? DEFAULTS.loadGenerator.startMs;
  const stopV = spec.get("stop");
  const stopMs = stopV?.duration();
  if (stopMs !== undefined && stopMs <= startMs) { ok = false; stopV!.error("stop must be after start"); }
  spec.done();
  if (!ok) return undefined;
  const lg: LoadGenerator = {
    kind: "LoadGenerator", metadata, from: { kind: "outside" }, namespace, target: target!, method, headers, startMs, pos,
  };
  if (openSpec) lg.open = openSpec;
  if (closedSpec) lg.closed = closedSpec;
  if (stopMs !== undefined) lg.stopMs = stopMs;
  if (requestSize !== undefined) lg.requestSize = requestSize;
  if (from !== "outside") state.defer(() => resolveSource(lg, from, fromV!, state));
  return lg;
}

function readOpen(spec: YamlMap): LoadGenerator["open"] | undefined {
  let ok = true;
  const profileV = spec.get("profile");
  let profile: { atMs: number; rate: number }[] | undefined;
  if (profileV) {
    profile = [];
    for (const pv of profileV.list() ?? []) {
      const pm = pv.map();
      if (!pm) { ok = false; continue; }
      const atMs = pm.req("at")?.duration();
      const rate = pm.req("rate")?.num({ min: 0 });
      pm.done();
      if (atMs === undefined || rate === undefined) { ok = false; continue; }
      if (profile.length > 0 && atMs <= profile[profile.length - 1]!.atMs) { ok = false; pv.error("profile points must be in increasing time order"); }
      profile.push({ atMs, rate });
    }
    if (profileV.isList && profile.length === 0) { ok = false; profileV.error("a profile needs at least one point"); }
  }
  const rateV = spec.get("rate");
  let rate = 0;
  if (rateV) {
    const r = rateV.num();
    if (r === undefined) ok = false;
    else if (r < 0) { ok = false; rateV.error(`rate must not be negative, got ${r}`); }
    else if (r === 0 && !profileV) { ok = false; rateV.error("rate must be > 0 (requests per second) unless a profile is given"); }
    else rate = r;
  } else if (!profileV) {
    ok = false;
    spec.error("rate or profile is required for an open loop");
  }
  const arrival = spec.get("arrival")?.oneOf(["poisson", "constant"] as const) ?? DEFAULTS.loadGenerator.arrival;
  if (!ok) return undefined;
  return profile ? { rate, arrival, profile } : { rate, arrival };
}

function readClosed(spec: YamlMap): LoadGenerator["closed"] | undefined {
  const connections = spec.req("connections")?.int({ min: 1 });
  const requestsV = spec.get("requests");
  const requests = requestsV?.int({ min: 1 });
  const qpsV = spec.get("qps");
  const qps = qpsV ? qpsV.num({ min: 0 }) : DEFAULTS.loadGenerator.qps;
  const timeoutV = spec.get("timeout");
  const timeoutMs = timeoutV ? timeoutV.duration({ positive: true }) : DEFAULTS.loadGenerator.timeoutMs;
  if (connections === undefined || qps === undefined || timeoutMs === undefined || (requestsV && requests === undefined)) return undefined;
  return requests === undefined ? { connections, qps, timeoutMs } : { connections, requests, qps, timeoutMs };
}

function resolveSource(lg: LoadGenerator, from: string, at: YamlValue, state: LoadState): void {
  if (state.find("Deployment", from, lg.namespace)) lg.from = { kind: "deployment", name: from };
  else if (state.find("Gateway", from, lg.namespace) || state.find("KubernetesGateway", from, lg.namespace)) lg.from = { kind: "gateway", name: from };
  else at.error(`no Deployment or Gateway named ${JSON.stringify(from)} in namespace ${JSON.stringify(lg.namespace)} (or use "outside")`);
}
