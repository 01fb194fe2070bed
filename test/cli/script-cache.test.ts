// The bin's code cache (src/cli/script-cache.ts): a cache is used only for the script it was
// made from, a damaged or refused one is never run and is rewritten, and a folder that cannot be written
// costs nothing but the cache. V8 checks only a cache's version, flags and the source's length
// (SerializedCodeData::SanityCheck, v8/src/snapshot/code-serializer.cc), and the payload's checksum only
// in debug builds (verify_snapshot_checksum, v8/src/flags/flag-definitions.h):
// https://nodejs.org/api/vm.html#new-vmscriptcode-options
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cacheFileOf, defaultCacheDir, runCachedScript, type ScriptCacheOptions } from "../../src/cli/script-cache.js";

const made: string[] = [];
function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "meshsim-script-cache-"));
  made.push(d);
  return d;
}
afterEach(() => {
  for (const d of made.splice(0)) {
    fs.chmodSync(d, 0o700);
    fs.rmSync(d, { recursive: true, force: true });
  }
});

/**
 * A script whose answer comes from a function compiled lazily (called after the script ran), so that a
 * cache made afterwards holds that function's bytecode. `label` must keep the length: two scripts of the
 * same length are what V8 alone cannot tell apart.
 */
function script(dir: string, label: string): string {
  const file = path.join(dir, `s-${label}.cjs`);
  fs.writeFileSync(file, `"use strict";\nfunction answer() { return ${JSON.stringify(label)} + String(1 + 1); }\nmodule.exports = { answer, url: __meshsimScriptUrl };\n`);
  return file;
}

/**
 * Runs a copy of the script under a name of its own: V8 keeps the scripts an isolate compiled, keyed by
 * source and name (CompilationCacheScript::Lookup, v8/src/codegen/compilation-cache.cc), and a hit there
 * would skip the code cache this test is about.
 */
let copies = 0;
function run(o: ScriptCacheOptions): { outcome: string; answer: string; save: () => void; url: string; file: string | undefined } {
  const copy = path.join(path.dirname(o.script), `copy-${++copies}-${path.basename(o.script)}`);
  fs.copyFileSync(o.script, copy);
  const r = runCachedScript({ ...o, script: copy });
  const e = r.exports as { answer: () => string; url: string };
  return { outcome: r.outcome, answer: e.answer(), save: r.save, url: e.url, file: r.file };
}

describe("the bin's code cache", () => {
  it("is absent at first, written by save(), then accepted, and the script's answer is the same", () => {
    const dir = tmp(), cache = path.join(dir, "cache");
    const o = { script: script(dir, "A"), hash: "aaaa", dir: cache, name: "run", write: false };
    const first = run(o);
    expect(first).toMatchObject({ outcome: "absent", answer: "A2" });
    expect(first.url).toBe(`file://${path.dirname(o.script)}/copy-${copies}-${path.basename(o.script)}`);
    first.save();
    const file = cacheFileOf(o)!;
    expect(fs.statSync(file).size).toBeGreaterThan(100);
    expect(path.basename(file)).toBe(`aaaa-${process.version}-${process.arch}-run.v8cache`);
    expect(run(o)).toMatchObject({ outcome: "accepted", answer: "A2" });
    // Another command has a cache of its own.
    expect(run({ ...o, name: "sweep" }).outcome).toBe("absent");
  });

  it("runs with the fallback's cache while its own is absent, and still writes its own", () => {
    const dir = tmp(), cache = path.join(dir, "cache");
    const runs = { script: script(dir, "A"), hash: "aaaa", dir: cache, name: "run", write: false };
    const sweep = { ...runs, name: "sweep", fallback: "run" };
    expect(run(sweep)).toMatchObject({ outcome: "absent", answer: "A2", file: cacheFileOf(sweep) });
    run(runs).save();
    const runsCache = fs.readFileSync(cacheFileOf(runs)!);
    const first = run(sweep);
    expect(first).toMatchObject({ outcome: "accepted", answer: "A2", file: cacheFileOf(runs) });
    first.save();
    // Its own now, and the fallback's file left as it was.
    expect(run(sweep)).toMatchObject({ outcome: "accepted", answer: "A2", file: cacheFileOf(sweep) });
    expect(fs.readFileSync(cacheFileOf(runs)!).equals(runsCache)).toBe(true);
    // A damaged cache of its own is reported and rewritten from a cold compile, not replaced by the fallback.
    const own = fs.readFileSync(cacheFileOf(sweep)!);
    own[own.length - 9] ^= 0x5a;
    fs.writeFileSync(cacheFileOf(sweep)!, own);
    expect(run(sweep)).toMatchObject({ outcome: "corrupt", answer: "A2", file: cacheFileOf(sweep) });
  });

  it("a cache from another bundle of the same length is not used (V8 would run its code)", () => {
    const dir = tmp(), cache = path.join(dir, "cache");
    const a = { script: script(dir, "A"), hash: "aaaa", dir: cache, name: "run", write: false };
    const b = { ...a, script: script(dir, "B"), hash: "bbbb" };
    expect(fs.statSync(a.script).size).toBe(fs.statSync(b.script).size);
    run(a).save();
    expect(run(b)).toMatchObject({ outcome: "absent", answer: "B2" });
    // What the key prevents: A's cache given to B's source is accepted by V8 and answers A's way.
    fs.copyFileSync(cacheFileOf(a)!, cacheFileOf(b)!);
    expect(run(b)).toMatchObject({ outcome: "accepted", answer: "A2" });
  });

  it("a damaged cache file is not given to V8, and is rewritten", () => {
    const dir = tmp(), cache = path.join(dir, "cache");
    const o = { script: script(dir, "A"), hash: "aaaa", dir: cache, name: "run", write: false };
    run(o).save();
    const file = cacheFileOf(o)!;
    const good = fs.readFileSync(file);
    for (const damage of [
      (b: Buffer) => { b[b.length - 9] ^= 0x5a; }, // in V8's payload: only the checksum sees it
      (b: Buffer) => { b[2] ^= 0x01; }, // in the header's magic
    ]) {
      const bad = Buffer.from(good);
      damage(bad);
      fs.writeFileSync(file, bad);
      const r = run(o);
      expect(r).toMatchObject({ outcome: "corrupt", answer: "A2" });
      r.save();
      expect(run(o).outcome).toBe("accepted");
    }
    fs.writeFileSync(file, good.subarray(0, 10));
    expect(run(o)).toMatchObject({ outcome: "corrupt", answer: "A2" });
  });

  it("a cache V8 refuses (made for another source) is reported and rewritten", () => {
    const dir = tmp(), cache = path.join(dir, "cache");
    const o = { script: script(dir, "A"), hash: "aaaa", dir: cache, name: "run", write: false };
    const other = path.join(dir, "other.cjs");
    fs.writeFileSync(other, "module.exports = { answer: () => 'other, and longer' };\n");
    const stale = { ...o, script: other };
    run(stale).save();
    // The other source's cache, under this script's name and key (a well-formed file of ours).
    fs.copyFileSync(cacheFileOf(stale)!, cacheFileOf(o)!);
    const before = fs.readFileSync(cacheFileOf(o)!);
    const r = run(o);
    expect(r).toMatchObject({ outcome: "rejected", answer: "A2" });
    r.save();
    expect(fs.readFileSync(cacheFileOf(o)!).equals(before)).toBe(false);
    expect(run(o).outcome).toBe("accepted");
  });

  it("a cache folder that cannot be written costs only the cache; a read-only one is still read", () => {
    const dir = tmp();
    const o = { script: script(dir, "A"), hash: "aaaa", name: "run", write: false };
    // Under a regular file: no folder can be made there, whoever runs the test.
    fs.writeFileSync(path.join(dir, "file"), "");
    const blocked = { ...o, dir: path.join(dir, "file", "cache") };
    const r = run(blocked);
    expect(r).toMatchObject({ outcome: "absent", answer: "A2" });
    expect(() => r.save()).not.toThrow();
    // Read-only after the cache was written: read, not rewritten (the mode stops non-root writers only).
    const cache = path.join(dir, "cache");
    run({ ...o, dir: cache }).save();
    fs.chmodSync(cache, 0o500);
    const ro = run({ ...o, dir: cache });
    expect(ro).toMatchObject({ outcome: "accepted", answer: "A2" });
    expect(() => ro.save()).not.toThrow();
    expect(fs.readdirSync(cache)).toEqual([path.basename(cacheFileOf({ ...o, dir: cache })!)]);
  });

  it.runIf(process.getuid?.() === 0)("a folder owned by another user is not read (a cache is code)", () => {
    const dir = tmp(), cache = path.join(dir, "cache");
    const o = { script: script(dir, "A"), hash: "aaaa", dir: cache, name: "run", write: false };
    run(o).save();
    expect(run(o).outcome).toBe("accepted");
    fs.chownSync(cache, 65534, 65534);
    expect(run(o).outcome).toBe("absent");
  });

  it("the folder: $MESHSIM_CODE_CACHE, none when it is empty, else this user's in os.tmpdir()", () => {
    expect(defaultCacheDir({ MESHSIM_CODE_CACHE: "/x/y" })).toBe("/x/y");
    expect(defaultCacheDir({ MESHSIM_CODE_CACHE: "" })).toBeUndefined();
    expect(defaultCacheDir({})).toBe(path.join(os.tmpdir(), `meshsim-code-cache-${process.getuid?.() ?? "user"}`));
    const dir = tmp();
    expect(run({ script: script(dir, "A"), hash: "aaaa", dir: undefined, name: "run", write: false })).toMatchObject({ outcome: "off", answer: "A2" });
  });
});
