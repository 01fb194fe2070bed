import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LabelSelectorIndex } from "../../src/mesh/kube/label-selector-index.js";
import { selects } from "../../src/mesh/kube/pod.js";
import { ServiceRegistry } from "../../src/mesh/kube/service-registry.js";
import type { Pod } from "../../src/mesh/kube/pod.js";
import type { Service } from "../../src/scenario/model.js";

// Few namespaces, keys and values, so that selectors and labels meet often (and often only in part).
const labels = fc.dictionary(fc.constantFrom("app", "version", "tier"), fc.constantFrom("a", "b", "c"), { maxKeys: 3 });
const namespace = fc.constantFrom("default", "shop");
const selectorItem = fc.record({ ns: namespace, selector: labels });

describe("LabelSelectorIndex", () => {
  it("finds what a scan with find finds: the first item whose selector picks the labels", () => {
    fc.assert(fc.property(fc.array(selectorItem, { maxLength: 12 }), fc.array(fc.record({ ns: namespace, labels }), { maxLength: 12 }), (items, queries) => {
      const index = new LabelSelectorIndex(items, (x) => x.ns, (x) => x.selector);
      for (const q of queries) {
        expect(index.first(q.ns, q.labels)).toBe(items.find((x) => x.ns === q.ns && selects(x.selector, q.labels)));
      }
    }), { numRuns: 300 });
  });

  it("first, asked again with the same labels objects in any order and namespace, still answers what find gives", () => {
    // `first` keeps its last answer for the same labels object and namespace (a pod's start asks twice:
    // docs/performance.md, Goal 4, session 20): repeated and interleaved questions must not get a stale one.
    fc.assert(fc.property(
      fc.array(selectorItem, { maxLength: 12 }), fc.array(labels, { minLength: 1, maxLength: 3 }),
      fc.array(fc.record({ ns: namespace, which: fc.nat() }), { maxLength: 20 }),
      (items, pool, queries) => {
        const index = new LabelSelectorIndex(items, (x) => x.ns, (x) => x.selector);
        for (const q of queries) {
          const l = pool[q.which % pool.length]!;
          expect(index.first(q.ns, l)).toBe(items.find((x) => x.ns === q.ns && selects(x.selector, l)));
        }
      }), { numRuns: 300 });
  });

  it("all: every item whose selector picks the labels, in the items' order (what a filter gives)", () => {
    fc.assert(fc.property(fc.array(selectorItem, { maxLength: 12 }), fc.array(fc.record({ ns: namespace, labels }), { maxLength: 12 }), (items, queries) => {
      const index = new LabelSelectorIndex(items, (x) => x.ns, (x) => x.selector);
      for (const q of queries) {
        const got = index.all(q.ns, q.labels);
        const expected = items.filter((x) => x.ns === q.ns && selects(x.selector, q.labels));
        expect(got.length).toBe(expected.length);
        got.forEach((x, i) => expect(x).toBe(expected[i]));
      }
    }), { numRuns: 300 });
  });
});

describe("ServiceRegistry.refresh", () => {
  it("gives each service the ready, running pods of its namespace its selector picks, in the pods' order", () => {
    const pod = fc.record({ namespace, labels, alive: fc.boolean(), ready: fc.boolean() });
    fc.assert(fc.property(fc.array(selectorItem, { minLength: 1, maxLength: 8 }), fc.array(pod, { maxLength: 16 }), (svcs, podSpecs) => {
      const services = svcs.map((s, i) => ({ metadata: { name: `s${i}`, namespace: s.ns }, selector: s.selector, ports: [] }) as unknown as Service);
      const pods = podSpecs.map((p) => ({ ...p }) as unknown as Pod);
      const registry = new ServiceRegistry(services);
      registry.refresh(pods);
      services.forEach((s) => {
        const expected = pods.filter((p) => p.alive && p.ready && p.namespace === s.metadata.namespace && selects(s.selector, p.labels));
        const got = registry.byFqdn.get(`${s.metadata.name}.${s.metadata.namespace}.svc.cluster.local`)!.endpoints;
        expect(got).toEqual(expected);
        got.forEach((p, i) => expect(p).toBe(expected[i]));
      });
    }), { numRuns: 300 });
  });
});

describe("ServiceRegistry.selecting", () => {
  it("gives the services of the namespace whose selector picks the labels, by FQDN (what a sort and a scan give)", () => {
    // Names that sort differently from their order in the scenario, so that the FQDN order is checked.
    const name = fc.constantFrom("reviews", "a", "zz", "b-2", "b", "ratings");
    fc.assert(fc.property(fc.array(fc.record({ name, ns: namespace, selector: labels }), { maxLength: 12 }), fc.array(fc.record({ ns: namespace, labels }), { maxLength: 12 }), (svcs, queries) => {
      // Unique names per namespace, as Kubernetes has them.
      const unique = svcs.filter((s, i) => svcs.findIndex((t) => t.name === s.name && t.ns === s.ns) === i);
      const services = unique.map((s) => ({ metadata: { name: s.name, namespace: s.ns }, selector: s.selector, ports: [] }) as unknown as Service);
      const registry = new ServiceRegistry(services);
      const sorted = [...registry.byFqdn.values()].sort((a, b) => (a.fqdn < b.fqdn ? -1 : 1));
      expect(registry.inFqdnOrder()).toEqual(sorted);
      for (const q of queries) {
        const expected = sorted.filter((s) => s.spec.metadata.namespace === q.ns && selects(s.spec.selector, q.labels));
        const got = registry.selecting(q.ns, q.labels);
        expect(got.map((s) => s.fqdn)).toEqual(expected.map((s) => s.fqdn));
      }
    }), { numRuns: 300 });
  });
});
