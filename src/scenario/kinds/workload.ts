// meshsim's Workload: what the application in the selected pods does per request (scenario-format.md).
import type { ObjectMeta } from "../../proxy/api/networking.js";
import type { CallSpec, SourcePos, Step, Workload, WorkloadBehaviour } from "../model.js";
import { readCallTarget } from "../call-target.js";
import { DEFAULTS } from "../defaults.js";
import { readDistribution } from "../distribution.js";
import type { LoadState } from "../load-state.js";
import { labelsMatch } from "../../proxy/lb/host.js";
import { WorkloadSelection } from "../workload-selection.js";
import type { YamlMap, YamlValue } from "../yaml-value.js";

const METHOD = /^[A-Za-z]+$/;

export function readMethod(v: YamlValue | undefined): string {
  const s = v?.nonEmptyStr();
  if (s === undefined) return DEFAULTS.call.method;
  if (!METHOD.test(s)) { v!.error(`invalid HTTP method ${JSON.stringify(s)}`); return DEFAULTS.call.method; }
  return s.toUpperCase();
}

function readCall(v: YamlValue, namespace: string, state: LoadState): CallSpec | undefined {
  // `call: reviews:9080/reviews` is shorthand for `call: {to: reviews:9080/reviews}`.
  if (v.isString) {
    const to = readCallTarget(v, namespace, state);
    return to && { to, method: DEFAULTS.call.method, retries: DEFAULTS.call.retries, onError: DEFAULTS.call.onError, forwardHeaders: [] };
  }
  const m = v.map();
  if (!m) return undefined;
  const toV = m.req("to");
  const to = toV ? readCallTarget(toV, namespace, state) : undefined;
  const method = readMethod(m.get("method"));
  const timeout = m.get("timeout")?.duration({ positive: true });
  const retries = m.get("retries")?.int({ min: 0 }) ?? DEFAULTS.call.retries;
  const onError = m.get("onError")?.oneOf(["fail", "continue"] as const) ?? DEFAULTS.call.onError;
  const forwardHeaders = (m.get("forwardHeaders")?.strList() ?? []).map((h) => h.toLowerCase());
  const requestSize = m.get("requestSize")?.int({ min: 0 });
  const connection = m.get("connection")?.oneOf(["keepAlive", "perCall"] as const);
  m.done();
  if (!to) return undefined;
  const call: CallSpec = { to, method, retries, onError, forwardHeaders };
  if (timeout !== undefined) call.timeoutMs = timeout;
  if (requestSize !== undefined) call.requestSize = requestSize;
  if (connection === "perCall") call.connection = connection;
  return call;
}

export function readScript(v: YamlValue, namespace: string, state: LoadState): Step[] | undefined {
  const items = v.list();
  if (!items) return undefined;
  const steps: Step[] = [];
  let ok = true;
  for (const it of items) {
    const s = readStep(it, namespace, state);
    if (s) steps.push(s); else ok = false;
  }
  return ok ? steps : undefined;
}

function readStep(v: YamlValue, namespace: string, state: LoadState): Step | undefined {
  const m = v.map();
  if (!m) return undefined;
  const which = m.exclusive(["compute", "call", "parallel"], true);
  let step: Step | undefined;
  if (which === "compute") {
    const time = readDistribution(m.get("compute")!);
    if (time) step = { kind: "compute", time };
  } else if (which === "call") {
    const call = readCall(m.get("call")!, namespace, state);
    if (call) step = { kind: "call", call };
  } else if (which === "parallel") {
    const steps = readScript(m.get("parallel")!, namespace, state);
    if (steps) step = { kind: "parallel", steps };
  }
  m.done();
  return step;
}

/** The behaviour fields of a Workload spec or of one of its `versions` entries (only fields present). */
function readBehaviourFields(m: YamlMap, namespace: string, state: LoadState): Partial<WorkloadBehaviour> | undefined {
  const out: Partial<WorkloadBehaviour> = {};
  let ok = true;
  const cV = m.get("concurrency");
  if (cV) { const n = cV.int({ min: 1 }); if (n === undefined) ok = false; else out.concurrency = n; }
  const qV = m.get("queueLimit");
  if (qV) { const n = qV.int({ min: 0 }); if (n === undefined) ok = false; else out.queueLimit = n; }
  const tV = m.get("threading");
  if (tV) { const t = tV.oneOf(["blocking", "async"] as const); if (!t) ok = false; else out.threading = t; }
  const eV = m.get("errorRate");
  if (eV) { const e = eV.num({ min: 0, max: 1 }); if (e === undefined) ok = false; else out.errorRate = e; }
  m.exclusive(["script", "serviceTime"]);
  const sV = m.get("script");
  if (sV) { const s = readScript(sV, namespace, state); if (!s) ok = false; else out.script = s; }
  const stV = m.get("serviceTime");
  if (stV) {
    // `serviceTime: D` is shorthand for `script: [{compute: D}]`.
    const d = readDistribution(stV);
    if (!d) ok = false; else out.script = [{ kind: "compute", time: d }];
  }
  const rsV = m.get("responseSize");
  if (rsV) {
    // Bytes: a number, or a distribution of numbers ({dist: lognormal, median: 800, p99: 20000}).
    const d = readDistribution(rsV, "bytes");
    if (!d) ok = false; else out.responseSize = d;
  }
  return ok ? out : undefined;
}

export function readWorkload(doc: YamlMap, metadata: ObjectMeta, pos: SourcePos, state: LoadState): Workload | undefined {
  const spec = doc.req("spec")?.map();
  if (!spec) return undefined;
  const selV = spec.req("selector");
  const selector = selV?.strMap();
  if (selector && Object.keys(selector).length === 0) selV!.error("must select at least one label");
  const ns = metadata.namespace;
  const base = readBehaviourFields(spec, ns, state);
  const versions: Record<string, Partial<WorkloadBehaviour>> = {};
  let ok = base !== undefined && selector !== undefined;
  const suV = spec.get("startupTime");
  const startupTime = suV ? readDistribution(suV) : DEFAULTS.workload.startupTime;
  if (!startupTime) ok = false;
  const memory = readWorkloadMemory(spec);
  if (memory === null) ok = false;
  const vm = spec.get("versions")?.map();
  if (vm) {
    for (const key of vm.keys()) {
      const entry = vm.get(key)?.map();
      if (!entry) { ok = false; continue; }
      const b = readBehaviourFields(entry, ns, state);
      entry.done();
      if (b) versions[key] = b; else ok = false;
    }
  }
  spec.done();
  if (!ok) return undefined;
  const behaviour: WorkloadBehaviour = {
    concurrency: base!.concurrency ?? DEFAULTS.workload.concurrency,
    queueLimit: base!.queueLimit ?? DEFAULTS.workload.queueLimit,
    threading: base!.threading ?? DEFAULTS.workload.threading,
    errorRate: base!.errorRate ?? DEFAULTS.workload.errorRate,
    script: base!.script ?? [],
  };
  if (base!.responseSize !== undefined) behaviour.responseSize = base!.responseSize;
  const wl: Workload = { kind: "Workload", metadata, selector: selector!, behaviour, versions, startupTime: startupTime!, pos };
  if (memory !== undefined && memory !== null) wl.memory = memory;
  state.defer(() => checkSelection(wl, selV!, state));
  return wl;
}

function checkSelection(wl: Workload, at: YamlValue, state: LoadState): void {
  const ns = wl.metadata.namespace;
  const sel = selectionOf(state);
  const deps = sel.deploymentsPicked(ns, wl.selector);
  if (deps.length === 0) { at.warn(`selects no Deployment in namespace ${JSON.stringify(ns)}; the Workload has no effect`); return; }
  for (const other of sel.workloadsThatMayPick(ns, deps)) {
    if (other === wl || other.metadata.name === wl.metadata.name) continue;
    if (other.metadata.creationIndex > wl.metadata.creationIndex) continue;
    const both = deps.find((d) => labelsMatch(other.selector, d.podLabels));
    if (both) at.error(`Deployment ${JSON.stringify(both.metadata.name)} is already selected by Workload ${JSON.stringify(other.metadata.name)}`);
  }
}

/** One index per load, rebuilt when a Deployment or Workload was read since (ofKind's lists change then). */
const selections = new WeakMap<LoadState, WorkloadSelection>();
function selectionOf(state: LoadState): WorkloadSelection {
  const deps = state.ofKind("Deployment"), wls = state.ofKind("Workload");
  let sel = selections.get(state);
  if (sel === undefined || sel.deployments !== deps || sel.workloads !== wls) selections.set(state, (sel = new WorkloadSelection(deps, wls)));
  return sel;
}

/**
 * `memory: {workingSet: 200Mi, perRequest: 512Ki}`: the app container's working set (what cAdvisor and
 * metrics-server report for it) as a base plus so much per request inside the app (served or
 * waiting). Absent: meshsim does not know the app's memory. null: invalid (reported).
 */
function readWorkloadMemory(spec: YamlMap): Workload["memory"] | null | undefined {
  const mV = spec.get("memory");
  if (!mV) return undefined;
  const m = mV.map();
  if (!m) return null;
  const base = m.req("workingSet")?.bytes();
  const perV = m.get("perRequest");
  const per = perV ? perV.bytes() : 0;
  m.done();
  if (base === undefined || per === undefined) return null;
  return { baseBytes: base, perRequestBytes: per };
}
