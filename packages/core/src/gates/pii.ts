/**
 * The `pii` gate: fails when the output carries personal data or secrets — e-mail addresses, phone numbers (US and
 * international), US social security numbers, payment card numbers, IBANs, IPv4/IPv6 addresses and credentials
 * (cloud and SaaS API keys, tokens, JWTs, PEM private keys).
 *
 * Decisions worth knowing:
 * - Every string in `ctx.output` is scanned, object keys included, and so are numeric leaves, as their decimal
 *   text: `4111111111111111` as a JSON number is still a card number. A bare number carries no grouping, so
 *   `{ id: 4155552671 }` passes while `{ phone: 4155552671 }` fails (the key labels it, see below).
 * - Validation beats shape: cards must pass Luhn and carry a known issuer prefix for their length (12 digits only
 *   for Maestro, and next to a card keyword), IBANs mod-97 and their country's length, SSNs must be issuable (no area 000/666/900-999, group
 *   00, serial 0000) and not one of the famous example numbers (078-05-1120, 219-09-9999, 123-45-6789), phone
 *   numbers go through libphonenumber-js. Its `min` metadata is used: as fast as `max`, half the size, and as
 *   accurate on the evaluation set (docs/quality.md).
 * - Keyword context: a number with a phone-like shape that libphonenumber cannot place counts when a phone word
 *   labels it ("Phone: 0490 75 40 81", "781 1704 mobile"); nine bare digits count as an SSN next to "SSN". The
 *   string visited just before (typically the object key) counts as lead-in, so `{ phone: "4155552671" }` fails.
 * - Not flagged: dates, prices, version and section numbers (`v1.2.3.4`, "version 1.2.0.0"), numbers glued to
 *   words or paths, 0.x.x.x / 127.x.x.x / 255.255.255.255 and `::` / `::1`, asset names like `logo@2x.png`, git
 *   remotes `git@host:path`. Private-range IPs (10.x, 192.168.x) are flagged: they map an internal network.
 * - Linear time on any input: digits are read once into clusters, every other detector starts from an `indexOf`
 *   or a literal-prefix regex and reads a bounded token. libphonenumber calls are capped per evaluation; past the
 *   cap, candidates that passed the shape rules count as phone numbers (fail closed).
 * - The scan continues after the first finding so that the reason can name every type present; it is the same
 *   linear pass a passing output gets. The reason and `details` name types and a count, never the matched text.
 */
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/min';
import type { Gate, GateOptions } from '../types.js';
import { assertOptionsObject, booleanOption, gateName } from './options.js';
import { PII_TYPES, PiiScanner, scanConfig, type PiiType, type ScanConfig } from './pii/scan.js';
import { CREDENTIAL_FAMILY_LABELS, credentialSelection, type CredentialFamily } from './pii/credentials/families.js';
import { walkStrings } from './walk.js';
import { warmUp } from './warm-up.js';
import { meterOf } from '../budget.js';
import { markSignalFree } from '../signal-free.js';

export type { PiiType } from './pii/scan.js';

export interface PiiOptions extends GateOptions {
  /** E-mail addresses. Default true. */
  email?: boolean;
  /** Phone numbers, national (see `phoneCountry`) and international. Default true. */
  phone?: boolean;
  /** US social security numbers. Default true. */
  ssn?: boolean;
  /** Payment card numbers (Luhn-valid, known issuer prefix). Default true. */
  card?: boolean;
  /** IBANs (mod-97 valid). Default true. */
  iban?: boolean;
  /** IPv4 and IPv6 addresses. Default true. */
  ip?: boolean;
  /**
   * Credentials: vendor API keys and tokens, private keys, JWTs, passwords in URLs and commands, secret-named
   * values. `true`/`false` switches every family; an object switches the families it names, the others stay on
   * (`{ jwt: false }`). Families: see CREDENTIAL_FAMILIES and docs/sdk.md. Default true.
   */
  credentials?: boolean | Partial<Record<CredentialFamily, boolean>>;
  /** ISO 3166-1 alpha-2 region used to validate numbers written without a country code. Default 'US'. */
  phoneCountry?: string;
}

export interface PiiDetails {
  /** Types found, in a fixed order: email, phone, ssn, card, iban, ip, credential. */
  types: PiiType[];
  /** Number of matches across all strings. */
  count: number;
  /** Credential families found, when `types` holds `credential`. */
  credentials?: CredentialFamily[];
}

const LABELS: Readonly<Record<PiiType, string>> = {
  email: 'email address',
  phone: 'phone number',
  ssn: 'US social security number',
  card: 'payment card number',
  iban: 'IBAN',
  ip: 'IP address',
  credential: 'credential',
};

const OPTION_KEYS = new Set(['name', 'email', 'phone', 'ssn', 'card', 'iban', 'ip', 'credentials', 'phoneCountry']);

/** Findings and clean text of the kinds this gate reads, run once at start-up (see warm-up.ts). */
const PII_WARM_UP: readonly unknown[] = [
  'Write to jane.doe@example.com or call (415) 555-2671; SSN 123-45-6788, card 4111 1111 1111 1111.',
  'IBAN GB82 WEST 1234 5698 7654 32 from 192.168.10.4 and 2001:db8::7334, key AKIAIOSFODNN7EXAMPL3',
  { phone: '4155552671', id: 4155552671, note: 'Version 1.2.3 shipped on 2024-05-01 for $12.50.' },
];

export function pii(options?: PiiOptions): Gate {
  assertOptionsObject(options, 'pii');
  const name = gateName(options, 'pii');
  const config = configFrom(options ?? {});
  return warmUp(
    `pii:${JSON.stringify(config.enabled)}:${JSON.stringify(config.credentials)}:${config.phone.region}`,
    markSignalFree({
      name,
      run(ctx, _signal, budget) {
        const meter = meterOf(budget);
        const scanner = new PiiScanner(config, meter);
        const visit = (text: string, fromNumber: boolean): void => (fromNumber ? scanner.scanNumber(text) : scanner.scan(text));
        walkStrings(ctx.output, visit, { keys: true, numbers: true, meter });
        const types = scanner.found();
        if (types.length === 0) return { passed: true };
        const details: PiiDetails = { types, count: scanner.total() };
        if (types.includes('credential')) details.credentials = scanner.credentialFamilies();
        return { passed: false, reason: `${joinLabels(types, details.credentials)} detected in output`, details };
      },
    }),
    PII_WARM_UP,
  );
}

function configFrom(options: PiiOptions): ScanConfig {
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) throw new TypeError(`pii: unknown option "${key}"`);
  }
  const enabled: Record<PiiType, boolean> = {
    email: booleanOption(options.email, true, 'pii: email'),
    phone: booleanOption(options.phone, true, 'pii: phone'),
    ssn: booleanOption(options.ssn, true, 'pii: ssn'),
    card: booleanOption(options.card, true, 'pii: card'),
    iban: booleanOption(options.iban, true, 'pii: iban'),
    ip: booleanOption(options.ip, true, 'pii: ip'),
    credential: false,
  };
  const credentials = credentialSelection(options.credentials);
  enabled.credential = Object.values(credentials).some(Boolean);
  return scanConfig(Object.freeze(enabled), phoneCountryOption(options.phoneCountry), credentials);
}

function phoneCountryOption(value: unknown): CountryCode {
  if (value === undefined) return 'US';
  if (typeof value !== 'string' || !isSupportedCountry(value)) {
    throw new TypeError('pii: phoneCountry must be a supported ISO 3166-1 alpha-2 region code such as "US" or "GB"');
  }
  return value;
}

/** "a", "a and b", "a, b and c"; a credential names its families: "credential (private key, JWT)". */
function joinLabels(types: readonly PiiType[], families: readonly CredentialFamily[] = []): string {
  const credential = `${LABELS.credential} (${families.map((f) => CREDENTIAL_FAMILY_LABELS[f]).join(', ')})`;
  const labels = types.map((type) => (type === 'credential' ? credential : LABELS[type]));
  if (labels.length === 1) return labels[0]!;
  return `${labels.slice(0, -1).join(', ')} and ${labels[labels.length - 1]}`;
}

export { PII_TYPES };
