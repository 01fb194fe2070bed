// What kube-scheduler reads from a pod template: nodeSelector, required nodeAffinity,
// topologySpreadConstraints and the containers' resource requests.
// https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/
// https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/
import type { NodeSelectorRequirement, PodScheduling, TopologySpreadConstraint } from "../model.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";
import { readCpu } from "./node.js";

const OPERATORS = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"] as const;

function readRequirement(v: YamlValue): NodeSelectorRequirement | undefined {
  const m = v.map();
  if (!m) return undefined;
  const key = m.req("key")?.nonEmptyStr();
  const operator = m.req("operator")?.oneOf(OPERATORS);
  const valuesV = m.get("values");
  const values = valuesV?.strList() ?? [];
  m.done();
  if (key === undefined || operator === undefined) return undefined;
  // The API server's validation of a NodeSelectorRequirement.
  if ((operator === "In" || operator === "NotIn") && values.length === 0) (valuesV ?? v).error(`operator ${operator} needs at least one value`);
  if ((operator === "Exists" || operator === "DoesNotExist") && values.length > 0) valuesV!.error(`operator ${operator} takes no values`);
  if ((operator === "Gt" || operator === "Lt") && (values.length !== 1 || !/^-?\d+$/.test(values[0]!))) (valuesV ?? v).error(`operator ${operator} needs exactly one integer value`);
  return { key, operator, values };
}

function readAffinity(v: YamlValue, out: PodScheduling): void {
  const m = v.map();
  if (!m) return;
  const na = m.get("nodeAffinity")?.map();
  if (na) {
    const req = na.get("requiredDuringSchedulingIgnoredDuringExecution")?.map();
    if (req) {
      for (const tv of req.req("nodeSelectorTerms")?.list() ?? []) {
        const tm = tv.map();
        if (!tm) continue;
        const term: NodeSelectorRequirement[] = [];
        for (const rv of tm.get("matchExpressions")?.list() ?? []) {
          const r = readRequirement(rv);
          if (r) term.push(r);
        }
        const fields = tm.get("matchFields");
        if (fields) fields.warn("matchFields is not modelled; ignored");
        tm.done();
        out.requiredNodeAffinity.push(term);
      }
      req.done();
    }
    const pref = na.get("preferredDuringSchedulingIgnoredDuringExecution");
    if (pref) pref.warn("preferred node affinity is not modelled (only required affinity filters nodes); ignored");
    na.done();
  }
  for (const k of ["podAffinity", "podAntiAffinity"]) {
    const x = m.get(k);
    if (x) x.warn(`${k} is not modelled; ignored`);
  }
  m.done();
}

function readSpread(v: YamlValue): TopologySpreadConstraint | undefined {
  const m = v.map();
  if (!m) return undefined;
  const maxSkew = m.req("maxSkew")?.int({ min: 1 });
  const topologyKey = m.req("topologyKey")?.nonEmptyStr();
  const whenUnsatisfiable = m.req("whenUnsatisfiable")?.oneOf(["DoNotSchedule", "ScheduleAnyway"] as const);
  const sel = m.get("labelSelector")?.map();
  const matchLabels = sel?.get("matchLabels")?.strMap();
  if (sel?.get("matchExpressions")) sel.get("matchExpressions")!.warn("matchExpressions in a spread constraint's labelSelector are not modelled; ignored");
  sel?.done();
  const minDomainsV = m.get("minDomains");
  const minDomains = minDomainsV?.int({ min: 1 }) ?? 1;
  if (minDomainsV && whenUnsatisfiable === "ScheduleAnyway") minDomainsV.error("minDomains may only be set with whenUnsatisfiable: DoNotSchedule");
  m.ignore("matchLabelKeys", "nodeAffinityPolicy", "nodeTaintsPolicy");
  m.done();
  if (maxSkew === undefined || topologyKey === undefined || whenUnsatisfiable === undefined) return undefined;
  const c: TopologySpreadConstraint = { maxSkew, topologyKey, whenUnsatisfiable, minDomains, pos: v.pos, path: v.path };
  if (matchLabels !== undefined) c.matchLabels = matchLabels;
  return c;
}

/** Reads the scheduling fields of a pod spec (call before the pod spec's done()); undefined when none is set. */
export function readPodScheduling(ps: YamlMap, podSpec: YamlValue): PodScheduling | undefined {
  const out: PodScheduling = {
    nodeSelector: {}, requiredNodeAffinity: [], topologySpreadConstraints: [],
    requests: { cpuMillis: 0, memoryBytes: 0 }, pos: podSpec.pos,
  };
  let any = false;
  const nnV = ps.get("nodeName");
  const nodeName = nnV?.nonEmptyStr();
  if (nnV && nodeName !== undefined) {
    out.nodeName = nodeName;
    out.selectorAt = { pos: nnV.pos, path: nnV.path };
    any = true;
  }
  const selV = ps.get("nodeSelector");
  if (selV) {
    out.nodeSelector = selV.strMap() ?? {};
    out.selectorAt = { pos: selV.pos, path: selV.path };
    any = true;
  }
  const affV = ps.get("affinity");
  if (affV) {
    readAffinity(affV, out);
    if (out.requiredNodeAffinity.length > 0) {
      out.selectorAt ??= { pos: affV.pos, path: affV.path };
      any = true;
    }
  }
  for (const cv of ps.get("topologySpreadConstraints")?.list() ?? []) {
    const c = readSpread(cv);
    if (c) out.topologySpreadConstraints.push(c);
    any = true;
  }
  for (const cv of ps.get("containers")?.list() ?? []) {
    const req = cv.map()?.get("resources")?.map()?.get("requests")?.map();
    if (!req) continue;
    const cpu = req.get("cpu");
    const mem = req.get("memory");
    const c = cpu ? readCpu(cpu) : undefined;
    const b = mem ? mem.bytes() : undefined;
    if (c !== undefined) out.requests.cpuMillis += c;
    if (b !== undefined) out.requests.memoryBytes += b;
    if (c !== undefined || b !== undefined) any = true;
  }
  return any ? out : undefined;
}
