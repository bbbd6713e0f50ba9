/**
 * Newline-delimited framing of the MCP stdio transport: one JSON-RPC message (or batch) per line, `\n` terminated,
 * optionally `\r\n`. The splitter hands out each complete line *with* its terminator, as the exact bytes received,
 * so that a line that is not changed can be forwarded byte-for-byte.
 *
 * Cost: each byte is scanned once for `\n` (Buffer#indexOf, memchr speed). A line that arrives within one chunk is a
 * zero-copy view of that chunk; a line spread over many chunks is copied once, when its last chunk arrives — never
 * re-concatenated per chunk, so a multi-megabyte message in 64 KB reads stays linear.
 *
 * Memory is bounded by `maxLineBytes`: once a line has more bytes than that before its `\n` (the `\r` of a `\r\n`
 * counts), it is not buffered any further. The splitter reports the overflow once and ignores everything after it,
 * because the rest of the stream can no longer be framed reliably.
 */

const LF = 0x0a;
const CR = 0x0d;

/** 16 MiB: above the official SDK client's own 10 MB read buffer, far below what would strain the process. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

export interface LineSplitterOptions {
  maxLineBytes?: number;
  onOverflow?: () => void;
}

export class LineSplitter {
  private parts: Buffer[] = [];
  private partsLength = 0;
  private readonly maxLineBytes: number;
  private readonly onOverflow: () => void;
  private overflowed = false;

  constructor(
    private readonly onLine: (line: Buffer) => void,
    options: LineSplitterOptions = {},
  ) {
    this.maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
    this.onOverflow = options.onOverflow ?? (() => {});
  }

  /** A line went over `maxLineBytes`; nothing is split any more. */
  get failed(): boolean {
    return this.overflowed;
  }

  /** Bytes of an unfinished line waiting for its `\n`. */
  get buffered(): number {
    return this.partsLength;
  }

  push(chunk: Buffer): void {
    if (this.overflowed) return;
    let start = 0;
    let newline = chunk.indexOf(LF);
    while (newline !== -1) {
      if (this.partsLength + newline - start > this.maxLineBytes) return this.overflow();
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
      if (this.partsLength + chunk.length - start > this.maxLineBytes) return this.overflow();
      const rest = chunk.subarray(start);
      this.parts.push(rest);
      this.partsLength += rest.length;
    }
  }

  private overflow(): void {
    this.overflowed = true;
    this.parts = [];
    this.partsLength = 0;
    this.onOverflow();
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
