// `--set` on a path the document does not have adds the field, and the loader reads it like a
// written one: a real field takes effect, a misplaced one is an unknown-field warning (never an
// internal error from the key `setIn` created, which is a plain string rather than a YAML node).
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

  it("a new field at the document's top level is an unknown-field warning, not an internal error", () => {
    const s = loadScenario(FILE, { overrides: parseOverrides(["Workload/server:queueLimit=3"]) });
    expect(s.warnings.map((w) => `${w.path}: ${w.message}`).join("\n")).toMatch(/queueLimit: unknown field/);
    expect(s.workloads.find((w) => w.metadata.name === "server")!.behaviour.queueLimit).toBe(0);
  });
});
