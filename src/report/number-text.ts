// Numbers for reading in report.md and report.html: digit grouping fixed, never the locale's.

/** 12345 → "12,345"; decimals kept as they are (12345.678 → "12,345.678"). */
export function int(n: number): string {
  const [whole, frac] = String(n).split(".");
  const grouped = whole!.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return frac === undefined ? grouped : `${grouped}.${frac}`;
}
