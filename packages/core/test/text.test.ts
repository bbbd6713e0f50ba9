import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gates } from '../src/index.js';
import { isInvisible, isLineBreak, isSpaceOrZeroWidth, isWhitespace, isZeroWidth } from '../src/text/chars.js';

const code = (ch: string) => ch.charCodeAt(0);

describe('text primitives: one definition for every gate', () => {
  it('whitespace is Unicode White_Space: NEL included, zero-width characters and BOM not', () => {
    for (const ch of [' ', '\t', '\n', '\v', '\f', '\r', '\u0085', '\u00a0', '\u1680', '\u2000', '\u200a', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000']) {
      assert.equal(isWhitespace(code(ch)), true, ch.charCodeAt(0).toString(16));
    }
    for (const ch of ['a', '\u200b', '\ufeff', '\u2060', '\u0084', '\u00ad', '\u180e']) assert.equal(isWhitespace(code(ch)), false, ch.charCodeAt(0).toString(16));
  });
  it('zero-width characters are their own class, and neither class is a letter', () => {
    for (const ch of ['\u200b', '\u200c', '\u200d', '\u2060', '\ufeff', '\u180e']) {
      assert.equal(isZeroWidth(code(ch)), true);
      assert.equal(isSpaceOrZeroWidth(code(ch)), true);
      assert.equal(isInvisible(code(ch)), true);
    }
    assert.equal(isSpaceOrZeroWidth(code('x')), false);
  });
  it('line breaks are LF, VT, FF, CR, NEL and the two separators', () => {
    assert.deepEqual(['\n', '\v', '\f', '\r', '\u0085', '\u2028', '\u2029', '\t', ' '].map((ch) => isLineBreak(code(ch))), [true, true, true, true, true, true, true, false, false]);
  });
});

describe('gates read the same text the same way', () => {
  it('a zero-width space inside a refusal phrase does not hide it', async () => {
    const gate = gates.content({ extraRefusalPhrases: ['cannot assist with'] });
    const outcome = await gate.run({ agent_id: 'a', output: 'Sorry, I can\u200bnot assist\u2060 with that request.' } as never, new AbortController().signal);
    assert.equal(outcome.passed, false);
  });
  it('NEL separates a value from the word before it, as a space does, in pii and filesystem', async () => {
    const pii = gates.pii();
    const email = await pii.run({ agent_id: 'a', output: 'write to\u0085jane.doe@example.com today' } as never, new AbortController().signal);
    assert.equal(email.passed, false, 'the address after a NEL is found');
    const filesystem = gates.filesystem();
    const del = await filesystem.run({ agent_id: 'a', output: 'then run\u0085rm -rf /\u0085and wait' } as never, new AbortController().signal);
    assert.equal(del.passed, false, 'the command after a NEL is found');
  });
});
