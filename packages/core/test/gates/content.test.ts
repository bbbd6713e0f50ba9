import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { content, type ContentOptions } from '../../src/gates/content.js';
import type { Gate, GateOutcome } from '../../src/types.js';

const signal = new AbortController().signal;
const run = (gate: Gate, output: unknown) => gate.run({ agent_id: 'agent', output }, signal) as GateOutcome;
const gate = content();

const REFUSAL = "I'm sorry, but I can't help with that.";

describe('content gate: construction and options', () => {
  it('has the default name and accepts an override', () => {
    assert.equal(content().name, 'content');
    assert.equal(content({ name: 'no-refusals' }).name, 'no-refusals');
  });

  it('rejects bad options at construction', () => {
    const bad: [unknown, RegExp][] = [
      ['strict', /options must be an object/],
      [[], /options must be an object/],
      [null, /options must be an object/],
      [{ name: '' }, /gate name/],
      [{ name: 42 }, /gate name/],
      [{ empty: 'yes' }, /empty must be a boolean/],
      [{ refusal: 1 }, /refusal must be a boolean/],
      [{ emtpy: false }, /unknown option "emtpy"/],
      [{ empty: false, refusal: false }, /at least one of the empty and refusal checks/],
      [{ extraRefusalPhrases: 'no way' }, /must be an array/],
      [{ extraRefusalPhrases: [42] }, /\[0\] must be a string or a RegExp/],
      [{ extraRefusalPhrases: ['ok', '   '] }, /\[1\] must be a non-blank string/],
      [{ extraRefusalPhrases: ['x'.repeat(201)] }, /at most 200 characters/],
      [{ extraRefusalPhrases: Array.from({ length: 101 }, (_, i) => `phrase ${i}`) }, /at most 100 entries/],
      [{ refusal: false, extraRefusalPhrases: ['nope'] }, /needs the refusal check enabled/],
    ];
    for (const [options, message] of bad) {
      assert.throws(() => content(options as ContentOptions), (error: unknown) => {
        assert.ok(error instanceof TypeError, `TypeError for ${JSON.stringify(options)}`);
        assert.match(error.message, message);
        return true;
      });
    }
  });

  it('accepts an empty options object and explicit defaults', () => {
    assert.doesNotThrow(() => content({}));
    assert.doesNotThrow(() => content({ empty: true, refusal: true, extraRefusalPhrases: [] }));
  });
});

describe('content gate: empty outputs', () => {
  const empties: [string, unknown][] = [
    ['undefined', undefined],
    ['null', null],
    ['empty string', ''],
    ['ASCII whitespace', ' \t\r\n '],
    ['Unicode spaces', '\u00a0\u2003\u3000\u202f\u205f'],
    ['zero-width and BOM', '\u200b\u200c\u200d\u2060\ufeff'],
    ['soft hyphen, Hangul and Braille blanks', '\u00ad\u3164\u2800'],
    ['control characters', '\u0000\u0007\u001b'],
    ['C1 controls and tag characters', '\u0085\u009f\u{e0001}\u{e0067}'],
    ['empty array', []],
    ['empty object', {}],
    ['object without prototype', Object.create(null)],
    ['array of blank strings', ['', '  ', '\n']],
    ['array of nulls', [null, undefined]],
    ['object with blank text', { text: '' }],
    ['nested blanks', { data: { items: [null, ' ', { note: '\u200b' }] } }],
    ['empty Map and Set', [new Map(), new Set()]],
    ['Map and Set of blanks', [new Map([['key', '  ']]), new Set(['', null])]],
    ['empty byte array', new Uint8Array(0)],
    ['MCP result with blank text', { content: [{ type: 'text', text: '' }] }],
    ['MCP error with blank text', { content: [{ type: 'text', text: ' \n' }], isError: true }],
    ['MCP error without blocks', { content: [], isError: true }],
    ['MCP result with empty structured content', { content: [{ type: 'text', text: '' }], structuredContent: {}, _meta: { id: 'x' } }],
  ];
  for (const [label, output] of empties) {
    it(`fails ${label}`, () => {
      assert.deepEqual(run(gate, output), { passed: false, reason: 'output is empty', details: { check: 'empty' } });
    });
  }

  const contents: [string, unknown][] = [
    ['false', false],
    ['0', 0],
    ['NaN', Number.NaN],
    ['0n', 0n],
    ['true', true],
    ['one visible character', '.'],
    ['text surrounded by blanks', '\u200b  ok \n'],
    ['an emoji', '👍'],
    ['a lone surrogate (renders as a replacement mark)', '\ud83d'],
    ['[0]', [0]],
    ['[false]', [false]],
    ['an object holding false', { ok: false }],
    ['an object holding text', { text: 'hi' }],
    ['a Date', new Date(0)],
    ['a non-empty byte array', new Uint8Array([1])],
    ['a class instance', new (class Result {})()],
    ['MCP text', { content: [{ type: 'text', text: 'done' }] }],
    ['MCP image block', { content: [{ type: 'image', data: '', mimeType: 'image/png' }] }],
    ['MCP blank text with structured content', { content: [{ type: 'text', text: '' }], structuredContent: { count: 0 } }],
    ['an MCP look-alike with other fields', { content: [{ type: 'text', text: '' }], id: 'req-1' }],
  ];
  for (const [label, output] of contents) {
    it(`passes ${label}`, () => {
      assert.deepEqual(run(gate, output), { passed: true });
    });
  }

  it('does not count object keys as content', () => {
    assert.equal(run(gate, { 'a key with words': '' }).passed, false);
  });

  it('terminates on cyclic and deeply nested outputs', () => {
    const cyclic: unknown[] = [];
    cyclic.push(cyclic, '');
    assert.equal(run(gate, cyclic).reason, 'output is empty');
    const withContent: Record<string, unknown> = { value: 1 };
    withContent.self = withContent;
    assert.deepEqual(run(gate, withContent), { passed: true });
    let deep: unknown = '';
    for (let i = 0; i < 100_000; i++) deep = [deep];
    assert.equal(run(gate, deep).reason, 'output is empty');
  });

  it('can be switched off, leaving the refusal check', () => {
    const refusalOnly = content({ empty: false });
    for (const output of [undefined, null, '', '   ', [], {}]) assert.deepEqual(run(refusalOnly, output), { passed: true });
    assert.equal(run(refusalOnly, REFUSAL).passed, false);
  });
});

describe('content gate: refusals', () => {
  it('fails a refusal with a fixed reason and details that do not quote the output', () => {
    const outcome = run(gate, REFUSAL);
    assert.equal(outcome.passed, false);
    assert.equal(outcome.reason, 'output is an AI refusal');
    assert.deepEqual(outcome.details, { check: 'refusal', rule: 'self-refusal', score: 1, opening: true });
    assert.doesNotMatch(JSON.stringify(outcome), /sorry|help with/i);
  });

  it('finds a refusal in any string of a nested output, but not in object keys', () => {
    assert.equal(run(gate, { content: [{ type: 'text', text: REFUSAL }] }).passed, false);
    assert.equal(run(gate, { results: [{ id: 1, answer: 'ok' }, { id: 2, answer: REFUSAL }] }).passed, false);
    assert.equal(run(gate, new Map([['reply', REFUSAL]])).passed, false);
    assert.deepEqual(run(gate, { [REFUSAL]: 'fine' }), { passed: true });
  });

  it('passes outputs made of non-string leaves and ordinary answers', () => {
    assert.deepEqual(run(gate, { n: 1, ok: false, at: new Date(0), list: [1, 2, 3] }), { passed: true });
    assert.deepEqual(run(gate, 'The capital of France is Paris.'), { passed: true });
  });

  it('can be switched off, leaving the empty check', () => {
    const emptyOnly = content({ refusal: false });
    assert.deepEqual(run(emptyOnly, REFUSAL), { passed: true });
    assert.equal(run(emptyOnly, '').reason, 'output is empty');
  });

  it('checks emptiness before refusals', () => {
    assert.equal(run(gate, ['', { text: ' ' }]).reason, 'output is empty');
  });
});

describe('content gate: extraRefusalPhrases', () => {
  it('matches a string phrase as whole words, ignoring case, apostrophe style and spacing', () => {
    const custom = content({ extraRefusalPhrases: ["That's above my pay grade"] });
    const outcome = run(custom, 'Hmm. THAT’S   ABOVE MY\nPAY GRADE, honestly.');
    assert.equal(outcome.passed, false);
    assert.equal(outcome.reason, 'output is an AI refusal');
    assert.deepEqual(outcome.details, { check: 'refusal', rule: 'custom', score: 1, opening: false });
    assert.deepEqual(run(custom, "That's above my pay grades list"), { passed: true });
  });

  it('does not match a phrase glued to other letters', () => {
    const custom = content({ extraRefusalPhrases: ['nein'] });
    assert.equal(run(custom, 'Nein, das mache ich nicht.').passed, false);
    assert.deepEqual(run(custom, 'The neins have it; neinzig is not a word.'), { passed: true });
  });

  it('runs a RegExp as given, ignoring its global and sticky state', () => {
    const custom = content({ extraRefusalPhrases: [/\bje ne peux pas\b/gi, /ne pourrai pas/y] });
    for (let i = 0; i < 3; i++) assert.equal(run(custom, 'Désolé, je ne peux pas faire cela.').passed, false);
    assert.equal(run(custom, 'Hélas, je ne pourrai pas.').passed, false);
    assert.deepEqual(run(custom, 'Je peux vous aider.'), { passed: true });
  });

  it('adds to the built-in detector rather than replacing it', () => {
    assert.equal(run(content({ extraRefusalPhrases: ['nope'] }), REFUSAL).passed, false);
  });
});

describe('content gate: hostile inputs terminate', () => {
  const MB = 1_000_000;
  const hostile: [string, string][] = [
    ['letters', 'a'.repeat(MB)],
    ['spaces', ' '.repeat(MB)],
    ['"I " repeated', 'I '.repeat(MB / 2)],
    ['"sorry " repeated', 'sorry '.repeat(MB / 5)],
    ['curly apostrophes', '\u2019'.repeat(MB)],
    ['"I can\'t " repeated', "I can't ".repeat(MB / 8)],
    ['"as an AI " repeated', 'as an AI '.repeat(MB / 9)],
    ['double quotes', '"'.repeat(MB)],
    ['"never " repeated', 'never '.repeat(MB / 6)],
    ['zero-width spaces', '\u200b'.repeat(MB)],
    ['mixed', Array.from({ length: MB }, (_, i) => "I’m sorry, can't .\n\"aa ai"[(i * 7919) % 24]).join('')],
  ];
  for (const [label, text] of hostile) {
    it(`handles 1 MB of ${label}`, () => {
      const outcome = run(gate, text);
      assert.equal(typeof outcome.passed, 'boolean');
    });
  }

  it('handles 100,000 short strings in one output', () => {
    const output = Array.from({ length: 100_000 }, (_, i) => (i % 2 === 0 ? 'sorry x' : "can't y"));
    assert.deepEqual(run(gate, output), { passed: true });
  });
});
