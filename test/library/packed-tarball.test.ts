// The library as a user gets it: `npm pack` (which builds dist/ through the prepare script), the
// tarball installed into a separate, fresh project with fast-check and TypeScript, and
// docs/library-example.ts — plain routes, Istio's own YAML through parseIstioResource, the
// `meshsim/arbitraries` subpath — compiled there under `tsc --strict` and run with node.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(import.meta.dirname, "../..");
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as {
  version: string; devDependencies: Record<string, string>;
};

function run(cmd: string, args: string[], cwd: string): string {
  return execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 180_000 });
}

describe("the packed package, from a separate project", () => {
  it("installs, type-checks the library example under --strict, and runs its fast-check properties", () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-pack-"));
    // Packed from a copy of the package's sources, so that the build (npm's prepare step) writes its
    // own dist/ and never the one other tests import at the same time.
    const copy = path.join(work, "meshsim");
    for (const f of ["package.json", "tsconfig.json", "tsconfig.build.json", "esbuild.config.mjs", "README.md", "bin", "src"]) {
      fs.cpSync(path.join(ROOT, f), path.join(copy, f), { recursive: true });
    }
    fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(copy, "node_modules"), "dir");
    run("npm", ["pack", "--silent", "--pack-destination", work], copy);
    const tarball = path.join(work, `meshsim-${pkg.version}.tgz`);
    expect(fs.existsSync(tarball)).toBe(true);

    const project = path.join(work, "consumer");
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name: "consumer", private: true, type: "module" }));
    const dev = pkg.devDependencies;
    run("npm", [
      "install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", tarball,
      `fast-check@${dev["fast-check"]}`, `typescript@${dev["typescript"]}`, `@types/node@${dev["@types/node"]}`,
    ], project);
    // The project sees only the package: no path into the repository.
    fs.copyFileSync(path.join(ROOT, "docs/library-example.ts"), path.join(project, "example.ts"));
    run(process.execPath, [
      path.join(project, "node_modules/typescript/bin/tsc"), "--strict", "--module", "nodenext", "--moduleResolution", "nodenext",
      "--target", "es2022", "--types", "node", "--outDir", "out", "example.ts",
    ], project);
    expect(run(process.execPath, ["out/example.js"], project).trim()).toBe("library example: ok");

    // Only the documented entry points resolve: internals are not importable by path.
    const probe = "import('meshsim/dist/mesh/world.js').then(() => console.log('reachable'), (e) => console.log(e.code))";
    expect(run(process.execPath, ["--input-type=module", "-e", probe], project).trim()).toBe("ERR_PACKAGE_PATH_NOT_EXPORTED");
  }, 300_000);
});
