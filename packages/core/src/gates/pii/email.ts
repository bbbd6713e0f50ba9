import type { Meter } from '../../budget.js';
import { isAsciiAlphanumeric, isAsciiLetter, isDigit, isUnicodeSpace } from './chars.js';

const MAX_LOCAL_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;
const MAX_LABEL_LENGTH = 63;
/** Work units charged per `@`: a candidate reads at most a local part and a domain around it. */
const EMAIL_CANDIDATE_UNITS = 2;

/**
 * File extensions that are not top-level domains: `logo@2x.png` or `icon@3x.webp` are asset names, not mailboxes.
 * (Extensions that are also real TLDs, such as .zip or .mov, stay e-mail domains.)
 */
const FILE_EXTENSIONS = new Set([
  'png', 'jpg', 'jpeg', 'gif', 'svg', 'webp', 'bmp', 'ico', 'tif', 'tiff', 'avif', 'heic',
  'js', 'mjs', 'cjs', 'ts', 'tsx', 'jsx', 'css', 'scss', 'less', 'json', 'yaml', 'yml', 'toml', 'lock', 'map',
  'txt', 'md', 'html', 'htm', 'xml', 'csv', 'log', 'pdf', 'wasm', 'py', 'rb', 'java', 'kt', 'swift', 'php',
]);

/**
 * Counts e-mail addresses in `text`. Every `@` is found with `indexOf` and the local part and domain are read
 * outwards from it with bounded scans that stop at the neighbouring `@`, so the total work is linear.
 * Accepted: local part of ASCII letters, digits and `._%+-` (or non-ASCII letters), a domain of at least two
 * labels whose last label (the TLD) is alphabetic and not a file extension. An scp-style `user@host:path`
 * (a git remote) is not a mailbox and is not counted.
 */
export function countEmails(text: string, meter?: Meter): number {
  let count = 0;
  let at = text.indexOf('@');
  while (at !== -1) {
    meter?.spend(EMAIL_CANDIDATE_UNITS);
    const end = emailEndAt(text, at);
    if (end > 0) count++;
    at = text.indexOf('@', Math.max(at + 1, end));
  }
  return count;
}

/** Index just past the address whose `@` is at `at`, or -1 when there is none. */
function emailEndAt(text: string, at: number): number {
  if (!hasLocalPart(text, at)) return -1;
  const domainEnd = domainEndAt(text, at + 1);
  if (domainEnd < 0) return -1;
  if (text.charCodeAt(domainEnd) === 58 /* : */ && isPathStart(text.charCodeAt(domainEnd + 1))) return -1;
  return domainEnd;
}

function hasLocalPart(text: string, at: number): boolean {
  let start = at;
  while (start > 0 && at - start < MAX_LOCAL_LENGTH && isLocalPartCode(text.charCodeAt(start - 1))) start--;
  // Still inside an allowed run after 64 characters: a long token, not an address.
  if (start > 0 && isLocalPartCode(text.charCodeAt(start - 1))) return false;
  // Leading punctuation (quotes are excluded already; dots and dashes) is text around the address.
  while (start < at && !isLocalWordCode(text.charCodeAt(start))) start++;
  return start < at && text.charCodeAt(at - 1) !== 46 /* . */;
}

/** Reads dot-separated labels from `from`; returns the end of the domain or -1. */
function domainEndAt(text: string, from: number): number {
  let pos = from;
  let labels = 0;
  let lastLabelStart = from;
  let lastLabelEnd = from;
  while (pos - from <= MAX_DOMAIN_LENGTH) {
    const labelStart = pos;
    while (pos < text.length && pos - labelStart <= MAX_LABEL_LENGTH && isDomainCode(text.charCodeAt(pos))) pos++;
    const labelLength = pos - labelStart;
    if (labelLength === 0 || labelLength > MAX_LABEL_LENGTH) break;
    if (text.charCodeAt(labelStart) === 45 || text.charCodeAt(pos - 1) === 45) break;
    labels++;
    lastLabelStart = labelStart;
    lastLabelEnd = pos;
    if (text.charCodeAt(pos) !== 46 /* . */ || !isDomainCode(text.charCodeAt(pos + 1))) break;
    pos++;
  }
  if (labels < 2 || lastLabelEnd - from > MAX_DOMAIN_LENGTH) return -1;
  if (!isTopLevelDomainAt(text, lastLabelStart, lastLabelEnd)) return -1;
  return lastLabelEnd;
}

/** Read in place: hostile text can make a candidate domain at every `@`, and most fail before a string is needed. */
function isTopLevelDomainAt(text: string, start: number, end: number): boolean {
  if (end - start < 2) return false;
  if (isPunycodePrefix(text, start, end)) return true;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (!isAsciiLetter(code) && code < 0x80) return false;
  }
  return !FILE_EXTENSIONS.has(text.slice(start, end).toLowerCase());
}

/** The label starts with `xn--` (any case). */
function isPunycodePrefix(text: string, start: number, end: number): boolean {
  return (
    end - start >= 4 &&
    (text.charCodeAt(start) | 0x20) === 120 &&
    (text.charCodeAt(start + 1) | 0x20) === 110 &&
    text.charCodeAt(start + 2) === 45 &&
    text.charCodeAt(start + 3) === 45
  );
}

function isPathStart(code: number): boolean {
  return code === code && code !== 32 && code !== 9 && code !== 10 && code !== 13 && !isUnicodeSpace(code);
}

function isLocalWordCode(code: number): boolean {
  return isAsciiAlphanumeric(code) || (code >= 0x80 && !isUnicodeSpace(code));
}

function isLocalPartCode(code: number): boolean {
  // . _ % + -
  return isLocalWordCode(code) || code === 46 || code === 95 || code === 37 || code === 43 || code === 45;
}

function isDomainCode(code: number): boolean {
  return isAsciiLetter(code) || isDigit(code) || code === 45 || (code >= 0x80 && !isUnicodeSpace(code));
}
