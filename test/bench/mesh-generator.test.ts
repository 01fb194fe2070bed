// The bench's generated meshes: the shipped files are what the generator writes, and they are valid
// scenarios of the size and shape their names say.
import fs from "node:fs";
import { describe, expect, it } from "vitest";
import { generateMesh, scenarioFile, SHAPES, SIZES } from "../../bench/mesh-generator.js";
import { loadScenario } from "../../src/scenario/index.js";

describe("generated bench meshes", () => {
  it("bench/scenarios/ holds exactly what bench/mesh-generator.ts writes", () => {
    for (const shape of SHAPES) for (const n of SIZES) expect(fs.readFileSync(scenarioFile(shape, n), "utf8")).toBe(generateMesh(shape, n));
  });

  it("a chain of 1,000 services and a fan-out to 999 leaves load as scenarios of that many services", () => {
    for (const shape of SHAPES) {
      const s = loadScenario(scenarioFile(shape, 1000));
      expect(s.services).toHaveLength(1000);
      expect(s.simulation.mesh.mode).toBe("sidecar");
    }
  });
});
