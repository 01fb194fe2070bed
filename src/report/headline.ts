// The report's first sentence: the clients' view and the calls between services side by side, so a
// run whose users saw no error but whose services failed 958 calls does not read "all green".
import { int } from "./number-text.js";
import { internalFailures, userFailures } from "./internal-failures.js";
import { share } from "./share.js";
import type { Summary } from "./summary-types.js";

export interface Headline {
  users: { requests: number; failed: number };
  internal: ReturnType<typeof internalFailures>;
  /** "0% of user requests failed (0 of 2,915); 958 of 6,799 calls between services failed (14%)" */
  text: string;
  /** The edges that failed most, as "source → destination (service): N failed (503 NC)". */
  worst: string[];
}

/** Edges named in the headline's detail. */
const WORST_SHOWN = 3;

export function headline(s: Summary): Headline {
  const users = userFailures(s);
  const internal = internalFailures(s);
  let text = `${share(users.failed, users.requests)} of user requests failed (${int(users.failed)} of ${int(users.requests)})`;
  if (internal.calls > 0) {
    text += `; ${int(internal.failed)} of ${int(internal.calls)} calls between services failed (${share(internal.failed, internal.calls)})`;
  }
  const worst = internal.failing.slice(0, WORST_SHOWN).map(({ edge: e, failed }) => {
    const why = Object.entries(e.codes).filter(([c]) => Number(c) === 0 || Number(c) >= 500).map(([c, n]) => `${int(n)} × ${c}`).join(", ");
    const flags = Object.keys(e.flags).filter((f) => f !== "-").join(", ");
    return `${e.source} → ${e.destination} (${e.service}): ${int(failed)} failed (${why}${flags === "" ? "" : `; flags ${flags}`})`;
  });
  return { users, internal, text, worst };
}
