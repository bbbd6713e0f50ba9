/**
 * Request bodies arrive as raw bytes so that an HMAC signature can be checked over exactly what was sent (docs/api.md, Signing request bodies)
 * before anything is parsed. Then: strict UTF-8, a linear nesting-depth scan (a 1 MB `[[[[…` must not reach the
 * parser or the gates), and JSON.parse.
 */
import { ApiError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

export function parseJsonBody(raw: Buffer, maxDepth: number): unknown {
  let text: string;
  try {
    text = utf8.decode(raw);
  } catch {
    throw new ApiError('bad_json', 'request body is not valid UTF-8');
  }
  if (raw.length > maxDepth && exceedsDepth(raw, maxDepth)) {
    throw new ApiError('validation_error', `body: JSON nests deeper than ${maxDepth} levels`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('bad_json', 'request body is not valid JSON');
  }
}

/** One pass over the bytes, skipping string contents (where brackets are just text). */
export function exceedsDepth(raw: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (inString) {
      if (c === 0x5c /* \ */) i++;
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b /* [ */ || c === 0x7b /* { */) {
      if (++depth > maxDepth) return true;
    } else if (c === 0x5d /* ] */ || c === 0x7d /* } */) {
      depth--;
    }
  }
  return false;
}

/** application/json and any application/*+json, with or without parameters. */
export const JSON_CONTENT_TYPE = /^application\/(?:[\w.+-]+\+)?json(?:\s*;.*)?$/i;
