// WorkloadSelection answers what the scans over every Deployment and every Workload answered
// (scenario/kinds/workload.ts checkSelection), on random labels and selectors.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Deployment, Workload } from "../../src/scenario/model.js";
import { labelsMatch } from "../../src/proxy/lb/host.js";
import { WorkloadSelection } from "../../src/scenario/workload-selection.js";

const labels = fc.dictionary(fc.constantFrom("app", "version", "tier"), fc.constantFrom("a", "b"), { maxKeys: 3 });
const ns = fc.constantFrom("default", "shop");
const deployment = fc.record({ ns, podLabels: labels }).map(({ ns, podLabels }) => ({ metadata: { namespace: ns }, podLabels }) as unknown as Deployment);
const workload = fc.record({ ns, selector: labels }).map(({ ns, selector }) => ({ metadata: { namespace: ns }, selector }) as unknown as Workload);

describe("WorkloadSelection", () => {
  it("picks the Deployments a scan picks, and offers every Workload that picks one of them, in order", () => {
    fc.assert(fc.property(fc.array(deployment, { maxLength: 12 }), fc.array(workload, { maxLength: 12 }), (deps, wls) => {
      const sel = new WorkloadSelection(deps, wls);
      for (const w of wls) {
        const n = w.metadata.namespace;
        const picked = sel.deploymentsPicked(n, w.selector);
        expect(picked).toEqual(deps.filter((d) => d.metadata.namespace === n && labelsMatch(w.selector, d.podLabels)));
        const offered = sel.workloadsThatMayPick(n, picked);
        const needed = wls.filter((o) => o.metadata.namespace === n && picked.some((d) => labelsMatch(o.selector, d.podLabels)));
        for (const o of needed) expect(offered).toContain(o);
        expect(offered.every((o) => o.metadata.namespace === n)).toBe(true);
        expect(offered.map((o) => wls.indexOf(o))).toEqual([...offered.map((o) => wls.indexOf(o))].sort((a, b) => a - b));
      }
    }), { numRuns: 300 });
  });
});
