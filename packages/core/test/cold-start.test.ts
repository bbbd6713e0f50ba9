import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';

/**
 * A fresh process, the compiled package as users get it, the in-process budget (15 ms, README.md): the very first
 * evaluation of each detector's positive example must be judged on its merits, not fail because the detector's
 * code was still being compiled.
 */
const root = new URL('../../..', import.meta.url).pathname;

const EXAMPLES: Record<string, { output: unknown; failing: string }> = {
  refusal: { output: "I'm sorry, but I can't help with that request.", failing: 'content' },
  pii: { output: 'Reach me at jane.doe@example.com or (415) 555-2671.', failing: 'pii' },
  filesystem: { output: 'Now run rm -rf / --no-preserve-root', failing: 'filesystem' },
  empty: { output: '   ', failing: 'content' },
};

function firstEvaluation(output: unknown): { name: string; passed: boolean; reason?: string }[] {
  const script = `
    import { createEngine, defaultGates } from '@pecta/core';
    const engine = createEngine({ gates: defaultGates(), timeout: 15 });
    const r = await engine.evaluate({ agent_id: 'cold', output: ${JSON.stringify(output)} });
    process.stdout.write(JSON.stringify(r.gates.map(({ name, passed, reason }) => ({ name, passed, reason }))));
  `;
  return JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: root, encoding: 'utf8' }));
}

describe('cold start', () => {
  for (const [detector, { output, failing }] of Object.entries(EXAMPLES)) {
    it(`a fresh process's first ${detector} example fails on its merits, not by timeout`, () => {
      const gates = firstEvaluation(output);
      for (const g of gates) assert.notEqual(g.reason, 'pecta:timeout', `${g.name} timed out on a first evaluation`);
      const failed = gates.filter((g) => !g.passed).map((g) => g.name);
      assert.deepEqual(failed, [failing]);
    });
  }
});
