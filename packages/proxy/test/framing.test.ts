import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isBlankLine, LineSplitter, lineTerminator } from '../src/framing.js';

function split(chunks: Buffer[]): { lines: Buffer[]; rest: Buffer | null } {
  const lines: Buffer[] = [];
  const splitter = new LineSplitter((line) => lines.push(Buffer.from(line)));
  for (const chunk of chunks) splitter.push(chunk);
  return { lines, rest: splitter.end() };
}

const MESSAGES = [
  '{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"read","arguments":{"path":"/tmp/é✓"}}}\n',
  '{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":1,"progress":0.5}}\r\n',
  '[{"jsonrpc":"2.0","id":2,"result":{}},{"jsonrpc":"2.0","id":3,"error":{"code":-1,"message":"x"}}]\n',
  '\n',
  '{"jsonrpc":"2.0","id":"s-1","result":{"content":[{"type":"text","text":"line1\\nline2"}]}}\n',
];
const STREAM = Buffer.from(MESSAGES.join(''), 'utf8');

describe('LineSplitter', () => {
  it('yields every line with its terminator, whatever the single split point', () => {
    const expected = MESSAGES.map((m) => Buffer.from(m, 'utf8'));
    for (let at = 0; at <= STREAM.length; at++) {
      const { lines, rest } = split([STREAM.subarray(0, at), STREAM.subarray(at)]);
      assert.deepEqual(lines, expected, `split at byte ${at}`);
      assert.equal(rest, null);
    }
  });

  it('yields the same lines when every byte arrives in its own chunk', () => {
    const chunks = [...STREAM].map((b) => Buffer.from([b]));
    const { lines } = split(chunks);
    assert.equal(Buffer.concat(lines).toString('utf8'), MESSAGES.join(''));
    assert.equal(lines.length, MESSAGES.length);
  });

  it('splits at every pair of positions of a two-message stream', () => {
    const two = Buffer.from('{"id":1}\r\n{"id":2,"x":"ü"}\n', 'utf8');
    for (let a = 0; a <= two.length; a++) {
      for (let b = a; b <= two.length; b++) {
        const { lines } = split([two.subarray(0, a), two.subarray(a, b), two.subarray(b)]);
        assert.deepEqual(
          lines.map((l) => l.toString('utf8')),
          ['{"id":1}\r\n', '{"id":2,"x":"ü"}\n'],
          `splits at ${a}, ${b}`,
        );
      }
    }
  });

  it('hands out several messages from one chunk in order', () => {
    const { lines } = split([Buffer.from('{"a":1}\n{"b":2}\n{"c":3}\n{"d"')]);
    assert.deepEqual(lines.map(String), ['{"a":1}\n', '{"b":2}\n', '{"c":3}\n']);
  });

  it('reassembles a 5 MB message delivered in 64 KB chunks, byte for byte', () => {
    const text = 'x'.repeat(5 * 1024 * 1024);
    const message = Buffer.from(`{"jsonrpc":"2.0","id":7,"result":{"content":[{"type":"text","text":"${text}"}]}}\n`);
    const chunks: Buffer[] = [];
    for (let i = 0; i < message.length; i += 65536) chunks.push(message.subarray(i, i + 65536));
    const { lines, rest } = split(chunks);
    assert.equal(lines.length, 1);
    assert.ok(lines[0]!.equals(message));
    assert.equal(rest, null);
  });

  it('returns an unterminated tail at the end of the stream, and nothing twice', () => {
    const splitter = new LineSplitter(() => {});
    splitter.push(Buffer.from('{"a":1}\n{"b"'));
    splitter.push(Buffer.from(':2}'));
    assert.equal(splitter.buffered, 7);
    assert.equal(String(splitter.end()), '{"b":2}');
    assert.equal(splitter.end(), null);
  });

  it('keeps lines that are views of a chunk intact (no reuse of the chunk memory)', () => {
    const lines: Buffer[] = [];
    const splitter = new LineSplitter((line) => lines.push(line));
    splitter.push(Buffer.from('{"a":1}\n{"b":2}\n'));
    assert.deepEqual(lines.map(String), ['{"a":1}\n', '{"b":2}\n']);
  });
});

describe('lineTerminator and isBlankLine', () => {
  it('tells LF, CRLF and unterminated lines apart', () => {
    assert.equal(lineTerminator(Buffer.from('{}\n')), '\n');
    assert.equal(lineTerminator(Buffer.from('{}\r\n')), '\r\n');
    assert.equal(lineTerminator(Buffer.from('{}')), '');
    assert.equal(lineTerminator(Buffer.from('\n')), '\n');
    assert.equal(lineTerminator(Buffer.from('')), '');
  });

  it('recognises whitespace-only lines', () => {
    assert.equal(isBlankLine(Buffer.from(' \t\r\n')), true);
    assert.equal(isBlankLine(Buffer.from('\n')), true);
    assert.equal(isBlankLine(Buffer.from(' {}\n')), false);
  });
});

describe('LineSplitter line cap', () => {
  it('stops buffering at maxLineBytes, reports once, and ignores everything after', () => {
    const lines: string[] = [];
    let overflows = 0;
    const splitter = new LineSplitter((l) => lines.push(l.toString()), { maxLineBytes: 8, onOverflow: () => overflows++ });
    splitter.push(Buffer.from('12345678\nabc'));
    for (let i = 0; i < 100; i++) {
      splitter.push(Buffer.from('defghijk'));
      assert.ok(splitter.buffered <= 8);
    }
    splitter.push(Buffer.from('\nlater\n'));
    assert.deepEqual(lines, ['12345678\n']);
    assert.equal(overflows, 1);
    assert.equal(splitter.failed, true);
    assert.equal(splitter.end(), null);
  });

  it('counts the bytes before the newline, the CR of CRLF included, within one chunk or across chunks', () => {
    for (const chunks of [['1234567\r\n'], ['1234', '567\r', '\n']]) {
      const splitter = new LineSplitter(() => {}, { maxLineBytes: 8 });
      for (const c of chunks) splitter.push(Buffer.from(c));
      assert.equal(splitter.failed, false);
    }
    for (const chunks of [['12345678\r\n'], ['12345', '678\r', '\n']]) {
      const splitter = new LineSplitter(() => {}, { maxLineBytes: 8 });
      for (const c of chunks) splitter.push(Buffer.from(c));
      assert.equal(splitter.failed, true, chunks.join('|'));
    }
  });
});
