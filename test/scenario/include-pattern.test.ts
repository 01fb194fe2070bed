// include-pattern.ts decides "a file name" without tinyglobby only where tinyglobby itself would:
// whenever mayBeGlob says false, tinyglobby's isDynamicPattern (picomatch's scan) says false too.
// Checked over every short string of a glob-rich alphabet and over random longer ones.
// https://github.com/SuperchupuDev/tinyglobby/blob/main/src/utils.ts (isDynamicPattern) ;
// https://github.com/micromatch/picomatch/blob/master/lib/scan.js
import { createRequire } from "node:module";
import { describe, expect, it } from "vitest";
import { mayBeGlob } from "../../src/scenario/include-pattern.js";

const { isDynamicPattern } = createRequire(import.meta.url)("tinyglobby") as typeof import("tinyglobby");
const ALPHABET = ["a", ".", "/", "\\", "*", "?", "[", "]", "{", "}", "(", ")", "!", "@", "+", ",", "-", "^", "$", "|", " ", "~", "#"];

function* strings(maxLength: number): Generator<string> {
  yield "";
  let level = [""];
  for (let n = 1; n <= maxLength; n++) {
    const next: string[] = [];
    for (const s of level) for (const c of ALPHABET) next.push(s + c);
    yield* next;
    level = next;
  }
}

describe("mayBeGlob", () => {
  it("is true for every string of up to 4 characters tinyglobby reads as a glob", () => {
    let globs = 0;
    for (const s of strings(4)) {
      if (isDynamicPattern(s)) { globs++; expect(mayBeGlob(s), JSON.stringify(s)).toBe(true); }
    }
    expect(globs).toBeGreaterThan(10_000); // the alphabet does produce globs of every kind
  });

  it("is true for every random path-like string tinyglobby reads as a glob", () => {
    let seed = 7;
    const next = (n: number) => { seed = (seed * 1103515245 + 12345) % 2 ** 31; return seed % n; };
    for (let i = 0; i < 20_000; i++) {
      let s = "";
      const len = 1 + next(24);
      for (let k = 0; k < len; k++) s += ALPHABET[next(ALPHABET.length)];
      if (isDynamicPattern(s)) expect(mayBeGlob(s), JSON.stringify(s)).toBe(true);
    }
  });

  it("reads the shipped scenarios' includes as file names", () => {
    for (const f of ["bookinfo.yaml", "workloads.yaml", "networking/bookinfo-gateway.yaml", "../backend.yaml"]) expect(mayBeGlob(f)).toBe(false);
    for (const g of ["*.yaml", "routes/**/*.yaml", "a?.yaml", "[ab].yaml", "{a,b}.yaml", "!x.yaml", "@(a|b).yaml"]) expect(mayBeGlob(g)).toBe(true);
  });
});
