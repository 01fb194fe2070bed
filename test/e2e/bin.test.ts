// The package's bin as npm installs it: compiled, bundled JavaScript (dist/bin/), no TypeScript
// loader or bundler at run time, its own version from any folder, and a package that ships it.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, ROOT } from "../support/cli.js";

const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string; dependencies: Record<string, string>; devDependencies: Record<string, string>; files: string[]; bin: Record<string, string>;
};

describe("the meshsim bin", () => {
  it("prints meshsim's own version from any folder", () => {
    const r = spawnSync(process.execPath, [BIN, "--version"], { cwd: os.tmpdir(), encoding: "utf8" });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`${pkg.version}\n`);
  });

  it("runs the bundle, and neither tsx nor esbuild is a run-time dependency or loaded", () => {
    expect(pkg.bin["meshsim"]).toBe("bin/meshsim.js");
    expect(Object.keys(pkg.dependencies)).not.toContain("tsx");
    expect(Object.keys(pkg.dependencies)).not.toContain("esbuild");
    expect(Object.keys(pkg.devDependencies)).toEqual(expect.arrayContaining(["tsx", "esbuild"]));
    expect(fs.readFileSync(BIN, "utf8")).not.toMatch(/import[^\n]*["'](tsx|esbuild)/);
    // The script, its loader and its entry (esbuild.config.mjs) import no module of tsx or esbuild, nor any TypeScript file.
    const files = fs.readdirSync(path.join(ROOT, "dist/bin")).filter((f) => /\.c?js$/.test(f));
    expect(files.sort()).toEqual(["command-script-entry.cjs", "command-script.cjs", "script-cache.cjs"]);
    for (const f of files) {
      const text = fs.readFileSync(path.join(ROOT, "dist/bin", f), "utf8");
      expect(text).not.toMatch(/(from\s+|require\()"(tsx|esbuild)[/"]/);
      expect(text).not.toMatch(/(import|require)\("[^"]*\.ts"\)/);
    }
  });

  it("a run through the bundle writes the same summary.json as the sources do", () => {
    const [a, b] = [fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-bin-")), fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-src-"))];
    const args = ["run", "scenarios/mmc.yaml", "--duration", "60s", "--format", "json", "--quiet"];
    expect(spawnSync(process.execPath, [BIN, ...args, "--out", a], { cwd: ROOT }).status).toBe(0);
    expect(spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args, "--out", b], { cwd: ROOT }).status).toBe(0);
    expect(fs.readFileSync(path.join(a, "summary.json"), "utf8")).toBe(fs.readFileSync(path.join(b, "summary.json"), "utf8"));
  });

  it("the package ships the bin and dist/ (bundle and library), not the TypeScript sources", () => {
    expect(pkg.files).toEqual(["bin", "dist"]);
    const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
    expect(r.status).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining([
      "bin/meshsim.js", "dist/bin/command-script-entry.cjs", "dist/bin/command-script.cjs", "dist/bin/script-cache.cjs",
      "dist/bin/page.css", "dist/bin/client/main.js", "dist/index.js", "dist/index.d.ts",
    ]));
    expect(files.some((f) => f.startsWith("src/"))).toBe(false);
  });
});
