/**
 * What counts as an empty output. An output is empty when it carries no value a user could read:
 *
 * - `undefined`, `null`, and strings made only of whitespace or invisible characters (Unicode spaces, zero-width
 *   spaces and joiners, word joiner, BOM, soft hyphen, Hangul and Braille blanks, variation selectors, control
 *   characters);
 * - containers (arrays, plain objects, Maps, Sets) whose every leaf is empty in that sense, at any depth. Object keys
 *   are structure, not content: `{}`, `[]`, `{ text: "" }`, `[""]`, `{ data: [null, " "] }` are all empty.
 * - an MCP tool result (`{ content: [{ type, … }], isError?, structuredContent?, _meta? }`) whose blocks are all
 *   `text` blocks with empty text and whose `structuredContent` is absent or empty: the `type` tags and `isError` flag
 *   describe the payload, they are not payload.
 *
 * Anything else is content: a number (`0` and `NaN` included), a boolean (`false` included), a bigint, a non-blank
 * string, a Date, a non-empty binary buffer, a function or class instance we cannot see into, and any non-text MCP
 * block (image, audio, resource, resource_link) however small.
 */

import type { Meter } from '../../budget.js';
import { isInvisible } from '../../text/chars.js';
import { PendingValues } from '../pending-values.js';

/** True when nothing in `text` would show on screen. A plain loop: no regex warm-up cost on a first huge input. */
export function isBlankString(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0xdb40) {
      // Tag characters U+E0000–U+E007F are invisible; any other astral character (emoji, CJK ext.) is content.
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdc7f) {
        i++;
        continue;
      }
      return false;
    }
    if (!isInvisible(code)) return false;
  }
  return true;
}

function isMcpToolResult(value: object): value is { content: unknown[]; structuredContent?: unknown } {
  const content = (value as { content?: unknown }).content;
  if (!Array.isArray(content)) return false;
  for (const key of Object.keys(value)) {
    if (key !== 'content' && key !== 'isError' && key !== 'structuredContent' && key !== '_meta') return false;
  }
  return content.every(
    (block) => block !== null && typeof block === 'object' && typeof (block as { type?: unknown }).type === 'string',
  );
}

/**
 * True when `output` holds nothing readable (see the module comment). Iterative and cycle-safe; stops at the first
 * piece of content, so the cost is at most linear in the size of the output; a meter stops it at the deadline.
 */
export function isEmptyOutput(output: unknown, meter?: Meter): boolean {
  // The common output is one string: it needs neither the pending values nor the cycle guard.
  if (typeof output === 'string') {
    meter?.spendChars(output.length);
    return isBlankString(output);
  }
  // With a budget, shared sub-objects are bounded by it; without one, each container is looked into once.
  const pending = new PendingValues(output, meter === undefined);
  while (pending.next()) {
    const item = pending.value;
    meter?.spend(1);
    if (item === undefined || item === null) continue;
    if (typeof item === 'string') {
      meter?.spendChars(item.length);
      if (!isBlankString(item)) return false;
      continue;
    }
    if (typeof item !== 'object') return false;
    if (!pending.enter(item)) continue;
    if (Array.isArray(item)) {
      pending.pushItems(item, item);
    } else if (item instanceof Map || item instanceof Set) {
      meter?.spend(item.size);
      pending.pushItems(item, [...item.values()]);
    } else if (ArrayBuffer.isView(item)) {
      if (item.byteLength > 0) return false;
    } else if (item instanceof ArrayBuffer) {
      if (item.byteLength > 0) return false;
    } else if (!isPlainObject(item)) {
      return false;
    } else if (isMcpToolResult(item)) {
      meter?.spend(item.content.length);
      const texts: unknown[] = [item.structuredContent];
      for (const block of item.content) {
        const { type, text } = block as { type: string; text?: unknown };
        if (type !== 'text') return false;
        texts.push(text);
      }
      pending.pushItems(item, texts);
    } else {
      pending.pushEntries(item as Record<string, unknown>, false);
    }
  }
  return true;
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}
