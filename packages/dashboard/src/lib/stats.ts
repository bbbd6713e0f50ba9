/** Figures derived from an agent's events for its page; pure, so that they can be unit-tested. */
import type { EvaluationEvent } from './api.js';

export interface GateFailureCount {
  name: string;
  failures: number;
}

/** Failures per gate over the given events, most frequent first (skipped gates are not failures). */
export function countGateFailures(events: readonly EvaluationEvent[]): GateFailureCount[] {
  const failures = new Map<string, number>();
  for (const event of events) {
    for (const gate of event.gates) {
      if (!gate.passed && !gate.skipped) failures.set(gate.name, (failures.get(gate.name) ?? 0) + 1);
    }
  }
  return [...failures].map(([name, n]) => ({ name, failures: n })).sort((a, b) => b.failures - a.failures || a.name.localeCompare(b.name));
}

export interface ScorePoint {
  /** Unix seconds. */
  t: number;
  score: number;
}

/**
 * Oldest first, as the chart needs. Events arrive newest first: reversing before the (stable) sort keeps events
 * that share a timestamp in the order they were recorded.
 */
export function scorePoints(events: readonly EvaluationEvent[]): ScorePoint[] {
  return events
    .map((e) => ({ t: new Date(e.created_at).getTime() / 1000, score: e.reputation_score }))
    .filter((p) => Number.isFinite(p.t))
    .reverse()
    .sort((a, b) => a.t - b.t);
}
