/**
 * Evaluation ids: `ev_` + 10 Crockford base32 characters of millisecond time + 16 of randomness (a ULID body).
 * Lexicographic order equals time order, and ids made in the same millisecond by one process stay ordered because the
 * random part is incremented rather than redrawn. Uses only WebCrypto so it runs outside Node too.
 */

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const TIME_CHARS = 10;
const RANDOM_CHARS = 16;
const POOL_SIZE = 4096;

let pool = new Uint8Array(0);
let poolOffset = 0;
let lastTime = -1;
const lastRandom = new Uint8Array(RANDOM_CHARS);

function refillRandom(target: Uint8Array): void {
  if (poolOffset + target.length > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(POOL_SIZE));
    poolOffset = 0;
  }
  for (let i = 0; i < target.length; i++) target[i] = pool[poolOffset + i]! & 31;
  poolOffset += target.length;
}

/** Increments a base32 digit array in place; returns false on overflow (all digits were 31). */
function increment(digits: Uint8Array): boolean {
  for (let i = digits.length - 1; i >= 0; i--) {
    if (digits[i]! < 31) {
      digits[i]! += 1;
      return true;
    }
    digits[i] = 0;
  }
  return false;
}

export function encodeTime(ms: number): string {
  let out = '';
  let t = ms;
  for (let i = 0; i < TIME_CHARS; i++) {
    out = ALPHABET[t % 32]! + out;
    t = Math.floor(t / 32);
  }
  return out;
}

/** A new, unique, time-sortable evaluation id. `now` is injectable for tests. */
export function newEvaluationId(now: number = Date.now()): string {
  // A clock that steps backwards must not break ordering within this process.
  const time = Math.max(now, lastTime);
  if (time === lastTime) {
    if (!increment(lastRandom)) {
      lastTime = time + 1;
      refillRandom(lastRandom);
    }
  } else {
    lastTime = time;
    refillRandom(lastRandom);
  }
  let random = '';
  for (let i = 0; i < RANDOM_CHARS; i++) random += ALPHABET[lastRandom[i]!];
  return `ev_${encodeTime(lastTime)}${random}`;
}

/** Milliseconds since the epoch encoded in an id from `newEvaluationId`, or NaN for anything else. */
export function evaluationIdTime(id: string): number {
  if (!/^ev_[0-9A-HJKMNP-TV-Z]{26}$/.test(id)) return Number.NaN;
  let t = 0;
  for (let i = 3; i < 3 + TIME_CHARS; i++) t = t * 32 + ALPHABET.indexOf(id[i]!);
  return t;
}
