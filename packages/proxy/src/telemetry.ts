/**
 * Shipping decisions to the Pecta API (`--key`) with PectaTelemetry (docs/sdk.md, Telemetry). The proxy depends only on this
 * interface, so the relay and its tests can run with any sink; the CLI plugs the real client in.
 */
import { PectaTelemetry, type EvaluationResult, type TelemetryOptions, type TelemetryStats } from '@pecta/core';

export interface TelemetrySink {
  /** Synchronous, never throws; strips the result to the data boundary itself. */
  track(result: EvaluationResult): void;
  /**
   * Drains the buffer; resolves when everything was delivered or definitively rejected, or at `timeoutMs`, when
   * what is left counts as dropped.
   */
  shutdown(options?: { timeoutMs?: number }): Promise<void>;
  stats?(): TelemetryStats;
}

export interface TelemetrySettings {
  apiKey: string;
  endpoint: string;
  secretKey?: string;
  onError?: (message: string) => void;
}

export type TelemetryFactory = (settings: TelemetrySettings) => TelemetrySink | Promise<TelemetrySink>;

/** The real client from @pecta/core. Its constructor validates the options and throws a TypeError on bad ones. */
export const pectaTelemetry: TelemetryFactory = (settings) => {
  const options: TelemetryOptions = { apiKey: settings.apiKey, endpoint: settings.endpoint };
  if (settings.secretKey !== undefined) options.secretKey = settings.secretKey;
  if (settings.onError !== undefined) options.onError = settings.onError;
  return new PectaTelemetry(options);
};
