// Whether an include entry could be a glob, decided without loading the glob library: picomatch's
// scan (which tinyglobby's isDynamicPattern asks) reads glob syntax only at `*`, `?`, `[`, `{`, `(`
// and a leading `!` (picomatch lib/scan.js `scan`; tinyglobby src/utils.ts `isDynamicPattern`). An
// entry with none of them is a file name: a Simulation whose includes are all file names (every
// shipped one) never loads tinyglobby, picomatch and fdir (≈ 27 ms of a Bookinfo run's start;
// docs/performance.md, Goal 2, session 21).

const GLOB_SYNTAX = /[*?[{(!]/;

/** False when `pattern` is certainly not a glob; true when tinyglobby must be asked. */
export function mayBeGlob(pattern: string): boolean {
  return GLOB_SYNTAX.test(pattern);
}
