// `--set` on a path the document does not have adds the field, and the loader reads it like a
// written one: a real field takes effect; a misplaced one is an error (a --set that changes nothing
// is the user's mistake: `mesh.proxy.profile` for `spec.mesh.proxy.profile`), never an internal error
// from the key `setIn` created, which is a plain string rather than a YAML node. An unknown field the
// file itself has stays a warning, as before.
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadScenario } from "../../src/scenario/index.js";
import { parseOverrides } from "../../src/scenario/overrides.js";

const FILE = path.resolve(import.meta.dirname, "../../scenarios/queueing/erlang-loss.yaml");

describe("--set on a field the document does not have", () => {
  it("a new field under spec takes effect", () => {
    const s = loadScenario(FILE, { overrides: parseOverrides(["Workload/server:spec.errorRate=0.25"]) });
    expect(s.workloads.find((w) => w.metadata.name === "server")!.behaviour.errorRate).toBe(0.25);
    expect(s.warnings).toEqual([]);
  });

  it("a new field at the document's top level is an input error naming the field, not a silent no-op", () => {
    expect(() => loadScenario(FILE, { overrides: parseOverrides(["Workload/server:queueLimit=3"]) })).toThrow(/queueLimit: unknown field: the --set that adds it would change nothing/);
  });

  it("so is an unknown field inside a subtree the --set adds", () => {
    expect(() => loadScenario(FILE, { overrides: parseOverrides(["spec.mesh.proxy.profilez=istio-1.8"]) })).toThrow(/spec\.mesh\.proxy\.profilez: unknown field/);
    expect(() => loadScenario(FILE, { overrides: parseOverrides(["spec.mesh.proxy.profile=istio-1.8"]) })).not.toThrow();
  });
});
