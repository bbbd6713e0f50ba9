/**
 * Failures a store reports in terms callers can act on, whatever the back end. Routes never see a driver's error:
 * the app maps StoreUnavailableError to 503 `unavailable` with Retry-After, and anything else stays a 500 (a bug).
 */

/** The back end cannot be reached or did not answer in time; the same request may succeed shortly. Nothing was written. */
export class StoreUnavailableError extends Error {
  override readonly name: string = 'StoreUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The back end was reached, but whether a write committed is unknown (the connection broke during COMMIT). Callers
 * treat it as unavailable; a client that retries with the same event_id is counted once either way.
 */
export class StoreOutcomeUnknownError extends StoreUnavailableError {
  override readonly name: string = 'StoreOutcomeUnknownError';
}

export function isStoreUnavailable(error: unknown): error is StoreUnavailableError {
  return error instanceof StoreUnavailableError;
}
