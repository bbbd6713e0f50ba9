import { GAP_DOT, groupLength, isGluedAfter, isGluedBefore, type DigitCluster } from './clusters.js';

const VERSION_WORD = /(?:\bv|\bver\.?|\bversion|\brelease|\bbuild|\bfirmware|\bsdk|\bapi|\bsection|\bchapter|\bclause|§)\s*$/i;

/**
 * True when groups `first..first+3` are a dotted quad that is a usable IPv4 address: four decimal octets ≤ 255
 * without leading zeros, not part of a longer dotted chain, not glued to a word (`v1.2.3.4`), not introduced as a
 * version or a section ("version 1.2.0.0", "section 3.2.1.4"), and not one of the addresses that say nothing about anyone: 0.x.x.x (unspecified),
 * 127.x.x.x (loopback) and 255.255.255.255 (broadcast).
 */
export function isIpv4Window(text: string, cluster: DigitCluster, first: number): boolean {
  const last = first + 3;
  if (last >= cluster.size) return false;
  const { gaps } = cluster;
  if (gaps[first + 1] !== GAP_DOT || gaps[first + 2] !== GAP_DOT || gaps[first + 3] !== GAP_DOT) return false;
  if (first > 0 && (gaps[first]! & GAP_DOT) !== 0) return false;
  if (last + 1 < cluster.size && (gaps[last + 1]! & GAP_DOT) !== 0) return false;
  if (first === 0 && (cluster.plus || text.charCodeAt(cluster.leadStart - 1) === 46)) return false;
  if (isGluedBefore(text, cluster, first) || isGluedAfter(text, cluster, last)) return false;
  const octets: number[] = [];
  for (let k = first; k <= last; k++) {
    const octet = octetValue(text, cluster, k);
    if (octet < 0) return false;
    octets.push(octet);
  }
  if (!isMeaningfulAddress(octets)) return false;
  const windowStart = cluster.starts[first]!;
  return !VERSION_WORD.test(text.slice(Math.max(0, windowStart - 12), windowStart));
}

function octetValue(text: string, cluster: DigitCluster, k: number): number {
  const length = groupLength(cluster, k);
  const start = cluster.starts[k]!;
  if (length > 3 || (length > 1 && text.charCodeAt(start) === 48)) return -1;
  const value = Number(text.slice(start, start + length));
  return value <= 255 ? value : -1;
}

function isMeaningfulAddress(octets: number[]): boolean {
  const [a, b, c, d] = octets as [number, number, number, number];
  if (a === 0 || a === 127) return false;
  return !(a === 255 && b === 255 && c === 255 && d === 255);
}
