// The bin raises V8's inlining budget before the bundle is compiled (bin/meshsim.js; docs/performance.md,
// Goal 2, session 30 `flags17`), unless the user gave node that flag. V8's flags cannot be read back from
// JavaScript, but the code cache can: V8 accepts a cache only under the flag hash it was written with
// (src/cli/script-cache.ts), so a cache written under a flag given to node on its command line is
// accepted by a plain run exactly when the bin set the same flag to the same value.
import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, ROOT, tmpDir } from "../support/cli.js";

const FLAG = "--max-inlined-bytecode-size-cumulative";

/** `meshsim run --help` under `node ...nodeArgs` with MESHSIM_DEBUG: the bin's lines about V8's flags and the code cache. */
function debugLines(cache: string, ...nodeArgs: string[]): string[] {
  const r = spawnSync(process.execPath, [...nodeArgs, BIN, "run", "--help"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, MESHSIM_CODE_CACHE: cache, MESHSIM_DEBUG: "1" } });
  expect(r.status).toBe(0);
  return r.stderr.split("\n").filter((l) => l.startsWith("meshsim: ")).map((l) => l.replace(/: \/.*\/[0-9a-f]{32}-v[\d.]+-\w+-([^/]*)$/, ": $1"));
}

describe("the V8 flags the bin sets", () => {
  it("the bin names the budget it set, and V8 compiles under it: a cache written with the same flag given to node is accepted", () => {
    const cache = path.join(tmpDir(), "cache");
    expect(debugLines(cache, `${FLAG}=1840`)).toEqual(["meshsim: V8 flags set: none", "meshsim: code cache absent: other.v8cache"]);
    // Accepted only if the bin's setFlagsFromString ran with the same value: without it (920) or with
    // another value V8's flag hash differs and the cache is rejected.
    expect(debugLines(cache)).toEqual([`meshsim: V8 flags set: ${FLAG}=1840`, "meshsim: code cache accepted: other.v8cache"]);
  });

  it("a value the user gives node wins, in either spelling, and the cache follows it", () => {
    const cache = path.join(tmpDir(), "cache");
    expect(debugLines(cache, `${FLAG}=1000`)).toEqual(["meshsim: V8 flags set: none", "meshsim: code cache absent: other.v8cache"]);
    expect(debugLines(cache, "--max_inlined_bytecode_size_cumulative=1000")).toEqual(["meshsim: V8 flags set: none", "meshsim: code cache accepted: other.v8cache"]);
    // Had the bin overwritten the user's 1000 with its own value, this plain run would have accepted it.
    expect(debugLines(cache)).toEqual([`meshsim: V8 flags set: ${FLAG}=1840`, "meshsim: code cache rejected: other.v8cache"]);
    // Another flag, even one whose name starts the same, leaves the budget to the bin.
    expect(debugLines(cache, "--max-inlined-bytecode-size=460")[0]).toBe(`meshsim: V8 flags set: ${FLAG}=1840`);
  });

  it("--version is answered before any flag is set", () => {
    const r = spawnSync(process.execPath, [BIN, "--version"], { cwd: ROOT, encoding: "utf8", env: { ...process.env, MESHSIM_DEBUG: "1" } });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });
});
