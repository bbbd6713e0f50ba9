/** Display formats. Times are UTC everywhere, so that two people looking at one event see the same time. */
import type { AgentStatus } from './api.js';

/** Below this many evaluations a score says little: the dashboard shows progress (`12/50`) instead. */
export const CALIBRATION_EVALUATIONS = 50;

const pad = (n: number) => String(n).padStart(2, '0');

/** `2026-11-25 17:11:26` (UTC, to the second). */
export function utcSeconds(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

/** `2026-11-25 17:11` (UTC). */
export function utcMinutes(iso: string): string {
  return utcSeconds(iso).slice(0, 16);
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 86400],
  ['month', 30 * 86400],
  ['day', 86400],
  ['hour', 3600],
  ['minute', 60],
];
const relative = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function timeAgo(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (Number.isNaN(seconds)) return iso;
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.trunc(seconds / size), unit);
  }
  return 'just now';
}

export function latency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '—';
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 100) return `${Math.round(ms)} ms`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}

export function percent(rate: number): string {
  return `${(rate * 100).toFixed(1)}%`;
}

const integer = new Intl.NumberFormat('en');
export function count(n: number): string {
  return integer.format(n);
}

export function isCalibrating(status: AgentStatus): boolean {
  return status === 'new' || status === 'calibrating';
}

export type Band = 'calibrating' | 'excellent' | 'good' | 'fair' | 'poor';

/** Colour bands of the score badge; documented in docs/dashboard.md. */
export function scoreBand(score: number, status: AgentStatus): Band {
  if (isCalibrating(status)) return 'calibrating';
  if (score >= 800) return 'excellent';
  if (score >= 600) return 'good';
  if (score >= 400) return 'fair';
  return 'poor';
}

/** The score as the dashboard shows it: `N/50` while calibrating. */
export function scoreLabel(score: number, status: AgentStatus, evaluations: number): string {
  return isCalibrating(status) ? `${evaluations}/${CALIBRATION_EVALUATIONS}` : String(score);
}

/** The latency that counts for reputation: the agent's own when reported, else the gates'. */
export function eventLatency(event: { latency_ms: number | null; total_latency_ms: number | null }): number | null {
  return event.latency_ms ?? event.total_latency_ms;
}

const DAY = 86_400;

/** 24-hour UTC tick labels: dates for long spans, times (with the date where the day changes) for short ones. */
export function utcTicks(splits: number[]): string[] {
  const span = splits.length > 1 ? splits[splits.length - 1]! - splits[0]! : 0;
  let previousDay = '';
  return splits.map((ts) => {
    const iso = new Date(ts * 1000).toISOString();
    const day = iso.slice(5, 10);
    if (span > 3 * DAY) return day;
    const label = previousDay === day ? iso.slice(11, 16) : `${iso.slice(11, 16)}\n${day}`;
    previousDay = day;
    return label;
  });
}
