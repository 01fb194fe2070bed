// A count as a share of a total, for reading: two significant digits, but never "0%" when some
// failed nor "100%" when some did not (15 errors in 200,000 requests read "0.0075%", not "0%").
// report.html's browser script formats alike (client/common.js, M.share).

/** `part` of `whole` as a percentage text such as "4.9%", "0.0075%", "99.99%". */
export function share(part: number, whole: number): string {
  if (!(whole > 0) || part <= 0) return "0%";
  if (part >= whole) return "100%";
  const p = (100 * part) / whole;
  for (let digits = 2; digits < 16; digits++) {
    const r = Number(p.toPrecision(digits));
    if (r > 0 && r < 100) return `${r}%`;
  }
  return `${p}%`;
}
