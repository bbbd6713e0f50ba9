/**
 * JSON Web Tokens: base64url segments separated by dots whose header decodes to a JSON object naming an `alg`
 * (the signature may be empty for `alg: none`), and Grafana API keys, which are one base64 JSON segment starting
 * `{"k":"`. `eyJ` is `{"` in base64, the start of every JWT header.
 */
import { BASE64_EXTRA, WORD_DASH, runEnd } from './chars.js';

const MAX_SEGMENT = 4096;
/** JWT payloads carry claims and can be much longer than keys. */
const MAX_PAYLOAD = 65_536;
/** {"alg":""} is the shortest header: 14 characters of base64. */
const MIN_HEADER = 14;
const GRAFANA_KEY_PREFIX = 'eyJrIjoi';
const MIN_GRAFANA_KEY = 70;

/** End of the JWT starting at `start`, or -1. */
export function jwtEnd(text: string, start: number): number {
  const headerEnd = runEnd(text, start, WORD_DASH, MAX_SEGMENT);
  const headerLength = headerEnd - start;
  if (headerLength < MIN_HEADER || headerLength > MAX_SEGMENT || text.charCodeAt(headerEnd) !== 46) return -1;
  const payloadStart = headerEnd + 1;
  const payloadEnd = runEnd(text, payloadStart, WORD_DASH, MAX_PAYLOAD);
  const payloadLength = payloadEnd - payloadStart;
  if (payloadLength < 2 || payloadLength > MAX_PAYLOAD || text.charCodeAt(payloadEnd) !== 46) return -1;
  if (!decodesToAlgHeader(text.slice(start, headerEnd)) || !decodesToObject(text.slice(payloadStart, payloadStart + 4))) return -1;
  return runEnd(text, payloadEnd + 1, WORD_DASH, MAX_SEGMENT);
}

/** End of a Grafana API key (base64 of `{"k":"…","n":…}`) starting at `start`, or -1. */
export function grafanaKeyEnd(text: string, start: number): number {
  if (!text.startsWith(GRAFANA_KEY_PREFIX, start)) return -1;
  let end = runEnd(text, start, WORD_DASH | BASE64_EXTRA, MAX_SEGMENT);
  while (end < start + MAX_SEGMENT && text.charCodeAt(end) === 61) end++;
  return end - start >= MIN_GRAFANA_KEY ? end : -1;
}

function base64UrlDecode(segment: string): string {
  const usable = segment.length - (segment.length % 4 === 1 ? 1 : 0);
  const base64 = segment.slice(0, usable).replace(/-/g, '+').replace(/_/g, '/');
  return atob(base64 + '='.repeat((4 - (base64.length % 4)) % 4));
}

/** A header names its algorithm; a made-up `eyJ….eyJ…` string does not decode to one. */
function decodesToAlgHeader(segment: string): boolean {
  const json = base64UrlDecode(segment);
  return json.startsWith('{') && json.includes('"alg"');
}

function decodesToObject(prefix: string): boolean {
  return base64UrlDecode(prefix).trimStart().startsWith('{');
}
