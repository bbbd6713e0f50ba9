/**
 * The default suite with one shared never-aborted signal (built-in gates only, what the engine does) against a fresh
 * AbortSignal per evaluation (what it does as soon as one gate is not marked signal-free), interleaved in one process.
 *
 *   node --conditions=development --import tsx bench/signal-ab.ts
 */
import { createEngine, defaultGates, type Gate } from '@pecta/core';
import { realistic } from './reference.js';

const output = realistic(2048);
const ROUNDS = 12;
const PER_ROUND = 3000;
// A copy of a gate is not marked signal-free, so an engine holding one builds a signal per evaluation.
const unmarked = (gates: Gate[]) => gates.map((gate) => ({ name: gate.name, run: gate.run }) as Gate);
const shared = createEngine({ gates: defaultGates(), timeout: 10_000 });
const perEvaluation = createEngine({ gates: unmarked(defaultGates()), timeout: 10_000 });

async function p50(engine: typeof shared): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < PER_ROUND; i++) {
    const start = performance.now();
    await engine.evaluate({ agent_id: 'ab', output });
    times.push((performance.now() - start) * 1000);
  }
  return times.sort((a, b) => a - b)[PER_ROUND >> 1]!;
}

for (let i = 0; i < 1000; i++) {
  await shared.evaluate({ agent_id: 'warm', output });
  await perEvaluation.evaluate({ agent_id: 'warm', output });
}
const a: number[] = [];
const b: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  a.push(await p50(shared));
  b.push(await p50(perEvaluation));
}
const median = (values: number[]) => [...values].sort((x, y) => x - y)[values.length >> 1]!;
console.log(`default suite on 2 KB, p50 (median of ${ROUNDS} interleaved rounds of ${PER_ROUND}):`);
console.log(`  shared never-aborted signal: ${median(a).toFixed(1)} µs`);
console.log(`  a signal per evaluation:     ${median(b).toFixed(1)} µs`);
