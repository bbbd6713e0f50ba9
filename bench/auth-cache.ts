/**
 * The cost of one auth-cache hit: lru-cache (what AuthCache uses) against the plain Map with an expiry time it
 * replaced, interleaved in one process. Usage: npm run bench:auth-cache
 */
import { LRUCache } from 'lru-cache';

const KEYS = 1000;
const LOOKUPS = 200_000;
const ROUNDS = 10;
const keys = Array.from({ length: KEYS }, (_, i) => i.toString(16).padStart(64, '0'));
const now = Date.now;

const map = new Map<string, { record: object; until: number }>();
const lru = new LRUCache<string, object>({ max: 10_000, ttl: 1e9, ttlResolution: 0, perf: { now } });
for (const key of keys) {
  map.set(key, { record: { key }, until: now() + 1e9 });
  lru.set(key, { key });
}

function nsPerLookup(lookup: (key: string) => boolean): number {
  const start = process.hrtime.bigint();
  let hits = 0;
  for (let i = 0; i < LOOKUPS; i++) if (lookup(keys[i % KEYS]!)) hits++;
  if (hits !== LOOKUPS) throw new Error('a lookup missed');
  return Number(process.hrtime.bigint() - start) / LOOKUPS;
}

const viaMap = (key: string) => {
  const hit = map.get(key);
  return hit !== undefined && hit.until > now();
};
const viaLru = (key: string) => lru.get(key) !== undefined;

const mapNs: number[] = [];
const lruNs: number[] = [];
for (let round = 0; round < ROUNDS; round++) {
  mapNs.push(nsPerLookup(viaMap));
  lruNs.push(nsPerLookup(viaLru));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
console.log(`auth cache hit, median of ${ROUNDS} interleaved rounds of ${LOOKUPS} lookups over ${KEYS} keys:`);
console.log(`  Map with an expiry time: ${median(mapNs).toFixed(0)} ns`);
console.log(`  lru-cache:               ${median(lruNs).toFixed(0)} ns`);
