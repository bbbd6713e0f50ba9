/**
 * How the property tests run (fast-check): a fresh random seed every run, so the suite keeps exploring new cases
 * rather than replaying the same ones. A failure prints its seed, its path and the counterexample shrunk to a minimal
 * one; setting PECTA_PROPERTY_SEED (and PECTA_PROPERTY_PATH, with `--test-name-pattern` for the one test) replays it.
 */
export interface PropertyRuns {
  numRuns: number;
  seed?: number;
  path?: string;
}

export const PROPERTY_SEED_ENV = 'PECTA_PROPERTY_SEED';
export const PROPERTY_PATH_ENV = 'PECTA_PROPERTY_PATH';

export function propertyRuns(numRuns: number, env: NodeJS.ProcessEnv = process.env): PropertyRuns {
  const seed = env[PROPERTY_SEED_ENV];
  const path = env[PROPERTY_PATH_ENV];
  if (seed !== undefined && seed !== '' && !Number.isInteger(Number(seed))) {
    throw new Error(`${PROPERTY_SEED_ENV} must be the integer seed a failing property printed`);
  }
  return {
    numRuns,
    ...(seed === undefined || seed === '' ? {} : { seed: Number(seed) }),
    ...(path === undefined || path === '' ? {} : { path }),
  };
}
