// Text into HTML, and JSON into a <script> element without ending it early.

export function esc(s: string | number): string {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#39;");
}

/**
 * JSON for `<script type="application/json">`: `<` only occurs inside strings there, so writing it
 * as \u003c keeps the JSON equal while `</script>` or `<!--` in a name cannot close the element.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, "\\u003c").replace(/\u2028/g, "\\u2028").replace(/\u2029/g, "\\u2029");
}

/** Script source inlined in a <script> element (d3, our client code): `</script` must not appear. */
export function inlineScript(source: string): string {
  if (/<\/script/i.test(source)) throw new Error("inlined script contains </script");
  return source;
}
