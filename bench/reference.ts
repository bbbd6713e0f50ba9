/**
 * A realistic agent output for the gate benchmarks, and a machine-speed reference every benchmark prints first.
 *
 * The machines these benchmarks run on are shared virtual machines whose speed varies from day to day (the same
 * commit measured 2–4× apart on different days). The reference, the default suite's p50 on the 2 KB output in the
 * benchmark's own process, lets a reader compare two runs: docs/benchmarks.md gives it for every table it shows.
 */
import { createEngine, defaultGates } from '@pecta/core';

const PROSE = `Here is the summary you asked for. The quarterly earnings report shows a 12% increase in revenue, driven by
the new subscription tier launched on 2026-03-14. Operating costs rose 4.5% to $1,284,000, mostly from cloud spend
(see https://status.example.org/incidents/2026/q1 for the outage timeline). Customer count grew from 18,240 to 21,905;
churn fell to 2.1%. The board approved version 3.2.1 of the pricing model; the next review is scheduled for 10:30 on
Friday in room 4B. Action items: (1) finalize the Q2 forecast by April 30, (2) migrate the reporting job to the new
scheduler, (3) re-run the cohort analysis with the 90-day window. In the codebase, run \`npm run build && npm test\`
before merging; the CI pipeline takes about 6 minutes. Ranges such as 1..10 and paths like ./src/reports/q1.ts are
fine. Order #A-77812 shipped via tracking 1Z999AA10123456784 was delayed by 2 days. Loading... done.
`;

/** `bytes` characters of prose with numbers, a URL, a date, a price, a version and an order id, but no personal data. */
export function realistic(bytes: number): string {
  let out = '';
  let i = 0;
  while (out.length < bytes) out += PROSE.replace('12%', `${12 + (i++ % 7)}%`);
  return out.slice(0, bytes);
}

/** p50 in µs of the default suite (engine.evaluate) on the 2 KB output, after warm-up. */
export async function machineReference(runs = 5000): Promise<number> {
  const engine = createEngine({ gates: defaultGates(), timeout: 10_000 });
  const output = realistic(2048);
  for (let i = 0; i < 1000; i++) await engine.evaluate({ agent_id: 'reference', output });
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await engine.evaluate({ agent_id: 'reference', output });
    times.push((performance.now() - start) * 1000);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

export function referenceLine(p50Micros: number): string {
  return `machine reference: default suite p50 on 2 KB = ${p50Micros.toFixed(1)} µs (lower is faster; see bench/reference.ts)`;
}
