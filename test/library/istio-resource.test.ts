// parseIstioResource: Istio's YAML (a string or a parsed object) into what the library's functions
// take, with the CLI's validation and messages (meshsim issue 20, item 4).
import fs from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { decideFault, matchHttpRoutes, parseIstioResource, parseIstioResources, ScenarioError } from "../../src/index.js";
import type { HttpRequest } from "../../src/index.js";
import { meshsim, tmpDir } from "../support/cli.js";

const ROOT = path.resolve(import.meta.dirname, "../..");
// Istio's samples/bookinfo/networking/virtual-service-ratings-test-delay.yaml, as shipped in scenarios/.
const DELAY = fs.readFileSync(path.join(ROOT, "scenarios/bookinfo/networking/virtual-service-ratings-test-delay.yaml"), "utf8");
const jason: HttpRequest = { method: "GET", scheme: "http", authority: "ratings:9080", path: "/ratings/0", headers: { "end-user": "jason" } };

function thrown(f: () => unknown): ScenarioError {
  try {
    f();
  } catch (e) {
    if (e instanceof ScenarioError) return e;
    throw e;
  }
  throw new Error("no ScenarioError thrown");
}

describe("parseIstioResource", () => {
  it("keeps the fault of Istio's delay sample: 7 s for jason, none for others (a plain YAML parse lost it)", () => {
    for (const input of [DELAY, parse(DELAY) as Record<string, unknown>]) {
      const vs = parseIstioResource(input, { kind: "VirtualService" });
      expect(vs.metadata).toMatchObject({ name: "ratings", namespace: "default" });
      const route = matchHttpRoutes(vs.spec.http ?? [], jason);
      expect(decideFault(route?.fault, 0.99, 0.99)).toMatchObject({ delayed: true, delayMs: 7000, aborted: false });
      const other = matchHttpRoutes(vs.spec.http ?? [], { ...jason, headers: {} });
      expect(other?.fault).toBeUndefined();
    }
    // What the issue saw: the raw parse handed to the same function has no fault at all.
    const raw = parse(DELAY) as { spec: { http: never[] } };
    expect(matchHttpRoutes(raw.spec.http, jason)?.fault).toBeUndefined();
  });

  it("reports a bad field exactly as `meshsim analyze` does for the same file", () => {
    const bad = DELAY.replace("fixedDelay: 7s", "fixedDelay: 7 parsecs");
    const dir = tmpDir();
    const file = path.join(dir, "vs.yaml");
    fs.writeFileSync(file, bad);
    fs.writeFileSync(path.join(dir, "sim.yaml"), "apiVersion: meshsim.dev/v1alpha1\nkind: Simulation\nmetadata: {name: x}\nspec: {include: [vs.yaml]}\n");
    const cli = meshsim("analyze", path.join(dir, "sim.yaml"));
    expect(cli.code).toBe(2);
    const e = thrown(() => parseIstioResource(bad, { file }));
    expect(e.diagnostics).toHaveLength(1);
    expect(e.diagnostics[0]).toMatchObject({ severity: "error", pos: { line: 15, column: 21 }, path: "spec.http[0].fault.delay.fixedDelay" });
    expect(cli.stderr).toContain(e.message);
    expect(thrown(() => parseIstioResource(bad)).message).toMatch(/^<input>:15:21: error: spec\.http\[0\]\.fault\.delay\.fixedDelay: invalid duration "7 parsecs"/);
  });

  it("refuses another kind than asked, a non-Istio kind, and no or several resources", () => {
    expect(thrown(() => parseIstioResource(DELAY, { kind: "DestinationRule" })).message).toContain("kind: expected a DestinationRule, found a VirtualService");
    expect(thrown(() => parseIstioResource("apiVersion: v1\nkind: Service\nmetadata: {name: x}\n")).message).toContain('"Service" is not an Istio resource');
    expect(thrown(() => parseIstioResource("")).message).toContain("expected one Istio resource, found 0");
    expect(thrown(() => parseIstioResource(`${DELAY}---\n${DELAY.replace("name: ratings", "name: r2")}`)).message).toContain("found 2");
  });

  it("reads several documents and returns the warnings the CLI prints (unknown fields are ignored)", () => {
    const dr = "apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {name: ratings}\nspec: {host: ratings, subsets: [{name: v1, labels: {version: v1}}], colour: blue}\n";
    const { resources, warnings } = parseIstioResources(`${DELAY}---\n${dr}`);
    expect(resources.map((r) => r.kind)).toEqual(["VirtualService", "DestinationRule"]);
    expect(warnings.map((w) => `${w.path}: ${w.message}`)).toEqual(["spec.colour: unknown field; ignored"]);
  });
});
