/**
 * In-process gate latency (issue #2, docs/benchmarks.md). Not a test: prints numbers.
 *   npm run bench:gates            full run
 *   npm run bench:gates -- --quick fewer iterations
 *   npm run bench:gates -- --ab <path>   interleaved A/B of the pii gate and the default suite on 2 KB against
 *                                        another build of @pecta/core (e.g. a copy of packages/core/dist from an
 *                                        earlier commit); only this comparison is run
 * Reports p50/p99 per gate (the opt-in commands and injection gates included) and for the default suite (filesystem +
 * pii + content through the engine) on a realistic
 * 2 KB output, a 100 KB output and hostile outputs up to 1 MiB (packages/core/test/fixtures/hostile-shapes.ts): each
 * gate must stay linear and under 50 ms, and with the 50 ms budget an evaluation must end within 10 ms of it.
 */
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEngine, defaultGates, gates, type Gate } from '@pecta/core';
import { z } from 'zod';
import { realistic } from './reference.js';
import { HOSTILE_SHAPES } from '../packages/core/test/fixtures/hostile-shapes.js';

const quick = process.argv.includes('--quick');
const abIndex = process.argv.indexOf('--ab');
const abPath = abIndex >= 0 ? process.argv[abIndex + 1] : undefined;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function fmt(ms: number): string {
  return ms < 1 ? `${(ms * 1000).toFixed(1)} µs` : `${ms.toFixed(2)} ms`;
}

const signal = new AbortController().signal;

function timeSync(gate: Gate, output: unknown, iterations: number): number[] {
  const ctx = { agent_id: 'bench', output, input: undefined };
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    gate.run(ctx, signal);
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

async function timeSuite(output: unknown, iterations: number): Promise<number[]> {
  const engine = createEngine({ gates: defaultGates(), timeout: 10_000 });
  const times: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const t0 = performance.now();
    await engine.evaluate({ agent_id: 'bench', output });
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

const gateList: Gate[] = [
  gates.filesystem(),
  gates.pii(),
  gates.content(),
  gates.commands(),
  gates.injection(),
  gates.latency({ maxMs: 1000 }),
  gates.schema(z.object({ text: z.string() })),
];

interface CoreBuild {
  createEngine: typeof createEngine;
  defaultGates: typeof defaultGates;
  gates: typeof gates;
}

/**
 * The machine's speed drifts 2-4x within minutes, so two builds are only comparable in one process, in alternating
 * short batches: each batch of each side runs right after the other's.
 */
async function abRun(otherPath: string): Promise<void> {
  const other = (await import(pathToFileURL(resolve(otherPath)).href)) as CoreBuild;
  const output = realistic(2048);
  const rounds = quick ? 20 : 100;
  const batch = 200;
  const sides: Array<[string, CoreBuild]> = [
    ['A (this checkout)', { createEngine, defaultGates, gates }],
    [`B (${otherPath})`, other],
  ];
  const piiTimes = sides.map(() => [] as number[]);
  const suiteTimes = sides.map(() => [] as number[]);
  const piiGates = sides.map(([, build]) => build.gates.pii());
  const engines = sides.map(([, build]) => build.createEngine({ gates: build.defaultGates(), timeout: 10_000 }));
  for (let warm = 0; warm < 2; warm++) {
    for (let k = 0; k < sides.length; k++) {
      timeSync(piiGates[k]!, output, 2000);
      for (let i = 0; i < 500; i++) await engines[k]!.evaluate({ agent_id: 'bench', output });
    }
  }
  for (let round = 0; round < rounds; round++) {
    for (let k = 0; k < sides.length; k++) {
      piiTimes[k]!.push(...timeSync(piiGates[k]!, output, batch));
      for (let i = 0; i < batch; i++) {
        const t0 = performance.now();
        await engines[k]!.evaluate({ agent_id: 'bench', output });
        suiteTimes[k]!.push(performance.now() - t0);
      }
    }
  }
  console.log(`\n## A/B on 2 KB realistic, interleaved (${rounds} rounds × ${batch} runs per side)`);
  console.log('| build | pii p50 | pii p99 | default suite p50 | default suite p99 |');
  console.log('|---|---|---|---|---|');
  for (let k = 0; k < sides.length; k++) {
    const p = piiTimes[k]!.sort((a, b) => a - b);
    const d = suiteTimes[k]!.sort((a, b) => a - b);
    console.log(`| ${sides[k]![0]} | ${fmt(percentile(p, 50))} | ${fmt(percentile(p, 99))} | ${fmt(percentile(d, 50))} | ${fmt(percentile(d, 99))} |`);
  }
}

async function main(): Promise<void> {
  console.log(`# bench:gates — node ${process.version}, ${cpus()[0]?.model ?? 'cpu'} × ${cpus().length}${quick ? ' (quick)' : ''}`);
  const small = realistic(2048);
  const medium = realistic(100 * 1024);
  const sizes: Array<[string, unknown, number]> = [
    ['2 KB realistic', small, quick ? 2000 : 20000],
    ['100 KB realistic', medium, quick ? 50 : 400],
  ];
  for (const [label, output, n] of sizes) {
    console.log(`\n## ${label} (${n} runs each, after warm-up)`);
    console.log('| gate | p50 | p99 | max |');
    console.log('|---|---|---|---|');
    for (const gate of gateList) {
      const value = gate.name === 'schema' ? { text: output } : output;
      timeSync(gate, value, Math.min(n, 500));
      const t = timeSync(gate, value, n);
      console.log(`| ${gate.name} | ${fmt(percentile(t, 50))} | ${fmt(percentile(t, 99))} | ${fmt(t[t.length - 1]!)} |`);
    }
    await timeSuite(output, Math.min(n, 500));
    const s = await timeSuite(output, n);
    console.log(`| **default suite** (engine.evaluate) | ${fmt(percentile(s, 50))} | ${fmt(percentile(s, 99))} | ${fmt(s[s.length - 1]!)} |`);
  }

  console.log('\n## Hostile outputs up to 1 MiB (worst / best of 8 runs per gate, no budget; target < 50 ms)');
  const hostileGates = gateList.slice(0, 5);
  const names = [...hostileGates.map((gate) => gate.name), 'default suite'];
  console.log(`| input | ${names.join(' | ')} | default suite, 50 ms budget |`);
  console.log(`|---|${names.map(() => '---').join('|')}|---|`);
  const budgeted = createEngine({ gates: defaultGates() });
  let worst = 0;
  let worstBudgeted = 0;
  for (const [label, make] of Object.entries(HOSTILE_SHAPES)) {
    const output = make();
    const cells: string[] = [];
    // The worst run is usually the first on a shape, before V8 has optimised its paths; the best is steady state.
    for (const gate of hostileGates) {
      const t = timeSync(gate, output, 8);
      worst = Math.max(worst, t[t.length - 1]!);
      cells.push(`${fmt(t[t.length - 1]!)} / ${fmt(t[0]!)}`);
    }
    const s = await timeSuite(output, 8);
    worst = Math.max(worst, s[s.length - 1]!);
    cells.push(`${fmt(s[s.length - 1]!)} / ${fmt(s[0]!)}`);
    // With the default budget the evaluation gives up at 50 ms; what matters is by how much it can overrun.
    let slowest = 0;
    for (let i = 0; i < 8; i++) {
      const t0 = performance.now();
      await budgeted.evaluate({ agent_id: 'bench', output });
      slowest = Math.max(slowest, performance.now() - t0);
    }
    worstBudgeted = Math.max(worstBudgeted, slowest);
    cells.push(fmt(slowest));
    console.log(`| ${label} | ${cells.join(' | ')} |`);
  }
  console.log(`\nworst hostile case without a budget: ${fmt(worst)} (${worst < 50 ? 'within' : 'OVER'} the 50 ms target)`);
  console.log(`worst evaluation with the 50 ms budget: ${fmt(worstBudgeted)} (${worstBudgeted <= 60 ? 'within' : 'OVER'} budget + 10 ms slack)`);
}

if (abPath !== undefined) await abRun(abPath);
else await main();
