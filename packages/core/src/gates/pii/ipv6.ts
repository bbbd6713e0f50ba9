import type { Meter } from '../../budget.js';
import { isDigit, isHexDigit, isWordCode } from './chars.js';

const MAX_IPV6_LENGTH = 45;

/**
 * Counts IPv6 addresses. Each `:` is found with `indexOf` and the surrounding run of hex digits, colons and dots
 * is read once, so the work is linear. A run counts when it is a complete address (8 groups, or fewer around one
 * `::`, optionally ending in a dotted IPv4), holds at least one decimal digit, is not glued to a word
 * (`std::vector`, `Foo::Bar`) and is not the unspecified `::` or loopback `::1`. Times (`12:30:45`) and MAC
 * addresses have the wrong group count and are not addresses.
 */
export function countIpv6(text: string, meter?: Meter): number {
  let count = 0;
  let colon = text.indexOf(':');
  let scanned = 0;
  while (colon !== -1) {
    let start = colon;
    while (start > 0 && isRunCode(text.charCodeAt(start - 1))) start--;
    let end = colon + 1;
    while (end < text.length && isRunCode(text.charCodeAt(end))) end++;
    if (isIpv6Run(text, start, end)) count++;
    meter?.spendChars(end - scanned);
    scanned = end;
    colon = text.indexOf(':', end);
  }
  return count;
}

function isRunCode(code: number): boolean {
  return isHexDigit(code) || code === 58 || code === 46;
}

function isIpv6Run(text: string, start: number, end: number): boolean {
  // A sentence may end right after an address.
  while (end > start && text.charCodeAt(end - 1) === 46) end--;
  if (end - start > MAX_IPV6_LENGTH || end - start < 3) return false;
  if (isWordCode(text.charCodeAt(start - 1)) || isWordCode(text.charCodeAt(end))) return false;
  return isIpv6Address(text.slice(start, end));
}

function isIpv6Address(candidate: string): boolean {
  const halves = candidate.split('::');
  if (halves.length > 2) return false;
  const compressed = halves.length === 2;
  const groups: string[] = [];
  for (const half of halves) {
    if (half.length > 0) groups.push(...half.split(':'));
  }
  let groupCount = groups.length;
  const lastGroup = groups[groups.length - 1];
  if (lastGroup !== undefined && lastGroup.includes('.')) {
    if (!isDottedQuad(lastGroup)) return false;
    groups.pop();
    groupCount++;
  }
  for (const group of groups) if (!isHexGroup(group)) return false;
  if (compressed ? groupCount > 7 : groupCount !== 8) return false;
  if (!hasDecimalDigit(candidate)) return false;
  return !/^[0:]*1?$/.test(candidate);
}

function isHexGroup(group: string): boolean {
  if (group.length === 0 || group.length > 4) return false;
  for (let i = 0; i < group.length; i++) if (!isHexDigit(group.charCodeAt(i))) return false;
  return true;
}

function isDottedQuad(text: string): boolean {
  const parts = text.split('.');
  return parts.length === 4 && parts.every((p) => /^(?:0|[1-9]\d{0,2})$/.test(p) && Number(p) <= 255);
}

function hasDecimalDigit(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (isDigit(text.charCodeAt(i))) return true;
  return false;
}
