import { gates } from '@pecta/core';
import { HOSTILE_SHAPES } from '../packages/core/test/fixtures/hostile-shapes.js';
const sig = new AbortController().signal;
const g = gates.pii();
const shape = process.argv[2]!;
const output = HOSTILE_SHAPES[shape]!();
const ts: string[] = [];
for (let i = 0; i < 15; i++) { const t = performance.now(); g.run({ agent_id: 'a', output }, sig); ts.push((performance.now() - t).toFixed(1)); }
console.log(shape, ts.join(' '));
