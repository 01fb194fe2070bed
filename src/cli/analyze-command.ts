// `meshsim analyze SCENARIO`: configuration problems, like `istioctl analyze`, over the scenario's
// initial config and every change on its timeline. Exit 1 when an Error-level message is found.
import { analyzeTimeline, type TimedMessage } from "../config/analyze-timeline.js";
import { formatMessage } from "../config/analyze.js";
import { loadScenario } from "../scenario/index.js";
import { analyzeInjection } from "../config/namespace-injection.js";
import { analyzeAutoscalers } from "../config/autoscaler-analyze.js";
import { loadOptionsOf, type LoadArgs } from "./load-options.js";
import { overridesOf } from "./run-command.js";

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(3))}s`;
}

/** One line per message; the simulated times are added when it does not hold from start to end. */
export function formatTimed(t: TimedMessage): string {
  const when = t.fromMs === 0 && t.untilMs === undefined
    ? ""
    : t.untilMs === undefined ? ` [from ${seconds(t.fromMs)}]` : ` [from ${seconds(t.fromMs)} to ${seconds(t.untilMs)}]`;
  return formatMessage(t.message) + when;
}

export function analyzeCommand(a: { scenario: string; set?: readonly string[] | undefined } & LoadArgs): number {
  const scenario = loadScenario(a.scenario, { ...loadOptionsOf(a), overrides: overridesOf(a.set ?? []) });
  const messages: TimedMessage[] = [...analyzeTimeline(scenario), ...analyzeInjection(scenario).map((message) => ({ message, fromMs: 0, untilMs: undefined })),
    ...analyzeAutoscalers(scenario).map((message) => ({ message, fromMs: 0, untilMs: undefined }))];
  if (messages.length === 0) {
    process.stdout.write("✔ No validation issues found when analyzing the scenario.\n");
    return 0;
  }
  for (const m of messages) process.stdout.write(`${formatTimed(m)}\n`);
  return messages.some((m) => m.message.level === "Error") ? 1 : 0;
}
