/**
 * Newline-delimited framing of the MCP stdio transport: one JSON-RPC message (or batch) per line, `\n` terminated,
 * optionally `\r\n`. The splitter hands out each complete line *with* its terminator, as the exact bytes received,
 * so that a line that is not changed can be forwarded byte-for-byte.
 *
 * Cost: each byte is scanned once for `\n` (Buffer#indexOf, memchr speed). A line that arrives within one chunk is a
 * zero-copy view of that chunk; a line spread over many chunks is copied once, when its last chunk arrives — never
 * re-concatenated per chunk, so a multi-megabyte message in 64 KB reads stays linear.
 */

const LF = 0x0a;
const CR = 0x0d;

export class LineSplitter {
  private parts: Buffer[] = [];
  private partsLength = 0;

  constructor(private readonly onLine: (line: Buffer) => void) {}

  /** Bytes of an unfinished line waiting for its `\n`. */
  get buffered(): number {
    return this.partsLength;
  }

  push(chunk: Buffer): void {
    let start = 0;
    let newline = chunk.indexOf(LF);
    while (newline !== -1) {
      const tail = chunk.subarray(start, newline + 1);
      if (this.parts.length === 0) {
        this.onLine(tail);
      } else {
        this.parts.push(tail);
        const line = Buffer.concat(this.parts, this.partsLength + tail.length);
        this.parts = [];
        this.partsLength = 0;
        this.onLine(line);
      }
      start = newline + 1;
      newline = start < chunk.length ? chunk.indexOf(LF, start) : -1;
    }
    if (start < chunk.length) {
      const rest = chunk.subarray(start);
      this.parts.push(rest);
      this.partsLength += rest.length;
    }
  }

  /** The stream ended: returns the unterminated remainder (null when there is none) and resets. */
  end(): Buffer | null {
    if (this.parts.length === 0) return null;
    const rest = this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts, this.partsLength);
    this.parts = [];
    this.partsLength = 0;
    return rest;
  }
}

/** The terminator a line was received with (`\r\n`, `\n`, or '' for an unterminated final line). */
export function lineTerminator(line: Buffer): string {
  const n = line.length;
  if (n === 0 || line[n - 1] !== LF) return '';
  return n >= 2 && line[n - 2] === CR ? '\r\n' : '\n';
}

/** True when the line holds nothing but JSON whitespace (blank lines between messages are legal and forwarded). */
export function isBlankLine(line: Buffer): boolean {
  for (let i = 0; i < line.length; i++) {
    const b = line[i];
    if (b !== 0x20 && b !== 0x09 && b !== LF && b !== CR) return false;
  }
  return true;
}
