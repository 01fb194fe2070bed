// 110,000 resources of one kind (issue 20, item 10): the loader once spread them as call arguments
// (push(...array)) and overflowed the stack. In the slow lane: loading them takes 10 to 30 s.
import { describe, expect, it } from "vitest";
import { join } from "node:path";
import { loadScenario } from "../../src/scenario/index.js";
import { SIM, writeScenario } from "../scenario/scenario-files.js";

describe("110,000 resources of one kind", () => {
  it("load without overflowing the call stack", () => {
    const items: string[] = [];
    for (let i = 0; i < 110_000; i++) items.push(`- {apiVersion: v1, kind: ServiceAccount, metadata: {name: sa-${i}}}`);
    const dir = writeScenario({ "sim.yaml": `${SIM}spec: {duration: 1s}\n---\napiVersion: v1\nkind: List\nitems:\n${items.join("\n")}\n` });
    expect(loadScenario(join(dir, "sim.yaml")).serviceAccounts).toHaveLength(110_000);
  }, 60_000);
});
