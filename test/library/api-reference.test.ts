// The generated API reference (TypeDoc, `npm run docs:api` → docs/api/) builds from the sources'
// comments without errors and documents both entry points. It is generated here rather than
// committed (several MB of HTML).
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");

describe("the API reference", () => {
  it("builds with TypeDoc (exit 0: no errors), with a page per public function of both entry points", () => {
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-api-"));
    const r = spawnSync(process.execPath, [path.join(ROOT, "node_modules/typedoc/bin/typedoc"), "--out", out], { cwd: ROOT, encoding: "utf8", timeout: 240_000 });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    const page = fs.readFileSync(path.join(out, "functions/index.parseIstioResource.html"), "utf8");
    expect(page).toContain("ScenarioError");
    expect(fs.existsSync(path.join(out, "functions/index.matchHttpRoutes.html"))).toBe(true);
    expect(fs.readdirSync(path.join(out, "variables")).some((f) => f.startsWith("arbitraries.httpRouteArb"))).toBe(true);
  }, 300_000);
});
