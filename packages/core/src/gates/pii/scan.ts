import type { CountryCode } from 'libphonenumber-js/min';
import type { Meter } from '../../budget.js';
import { cardWindowEnd } from './cards.js';
import { createCluster, GAP_DOT, GAP_OPEN, GAP_SPACE, groupLength, readNextCluster, type DigitCluster } from './clusters.js';
import { CARD_KEYWORDS, KeywordContext, PHONE_KEYWORDS, SSN_KEYWORDS } from './context.js';
import { CREDENTIAL_FAMILIES, type CredentialFamily, type CredentialSelection } from './credentials/families.js';
import { scanCredentials } from './credentials/scan.js';
import { countEmails } from './email.js';
import { ibanEndAt } from './iban.js';
import { isIpv4Window } from './ipv4.js';
import { countIpv6 } from './ipv6.js';
import { PHONE_VALIDATION_BUDGET, phoneSettings, phoneWindowEnd, type PhoneScan, type PhoneSettings } from './phone.js';
import { ssnWindowEnd } from './ssn.js';

/**
 * Texts at least this long are also metered inside the scan. The walker charges every string before handing it
 * over, which bounds a short text's scan; only a long one can take long enough to overrun the budget by itself, and
 * metering the many small steps of a short scan would cost the common case for nothing.
 */
const METERED_TEXT_LENGTH = 4096;

/** The families of personal data and secrets the pii gate knows, in reporting order. */
export const PII_TYPES = ['email', 'phone', 'ssn', 'card', 'iban', 'ip', 'credential'] as const;
export type PiiType = (typeof PII_TYPES)[number];

export type PiiSelection = Readonly<Record<PiiType, boolean>>;

/** What a scanner needs to know once, at gate construction. */
export interface ScanConfig {
  enabled: PiiSelection;
  phone: PhoneSettings;
  /** Credential families to report; `enabled.credential` is true when any is on. */
  credentials: CredentialSelection;
}

export function scanConfig(enabled: PiiSelection, region: CountryCode, credentials: CredentialSelection): ScanConfig {
  return { enabled, phone: phoneSettings(region), credentials };
}

/**
 * One evaluation's scan over any number of strings: holds the per-evaluation libphonenumber budget, scratch
 * space, and the previous string as lead-in context for the next one.
 */
export class PiiScanner {
  readonly counts: Record<PiiType, number> = { email: 0, phone: 0, ssn: 0, card: 0, iban: 0, ip: 0, credential: 0 };
  /** Credentials found per family, indexed as CREDENTIAL_FAMILIES. */
  readonly credentialCounts = new Uint32Array(CREDENTIAL_FAMILIES.length);
  readonly #config: ScanConfig;
  readonly #cluster: DigitCluster = createCluster();
  readonly #phoneContext = new KeywordContext(PHONE_KEYWORDS);
  readonly #ssnContext = new KeywordContext(SSN_KEYWORDS);
  readonly #cardContext = new KeywordContext(CARD_KEYWORDS);
  readonly #phoneScan: PhoneScan;
  readonly #numeric: boolean;
  readonly #ssnKeyword: (start: number, end: number) => boolean;
  readonly #cardKeyword: (start: number, end: number) => boolean;
  readonly #meter: Meter | undefined;
  /** The meter while a long text is scanned; none for short ones (see METERED_TEXT_LENGTH). */
  #inner: Meter | undefined;
  #previous = '';
  #previousIsNumber = false;

  constructor(config: ScanConfig, meter?: Meter) {
    this.#config = config;
    this.#meter = meter;
    const { enabled } = config;
    this.#numeric = enabled.phone || enabled.ssn || enabled.card || enabled.iban || enabled.ip;
    const phoneContext = this.#phoneContext;
    const ssnContext = this.#ssnContext;
    const cardContext = this.#cardContext;
    this.#ssnKeyword = (start, end) => ssnContext.near(start, end);
    this.#cardKeyword = (start, end) => cardContext.near(start, end);
    this.#phoneScan = {
      settings: config.phone,
      budget: { remaining: PHONE_VALIDATION_BUDGET },
      hasKeyword: (start, end) => phoneContext.near(start, end),
      mayHaveKeyword: (from, to) => phoneContext.anyAround(from, to),
    };
  }

  scan(text: string): void {
    const { enabled } = this.#config;
    const { counts } = this;
    const meter = text.length >= METERED_TEXT_LENGTH ? this.#meter : undefined;
    this.#inner = meter;
    if (enabled.email) counts.email += countEmails(text, meter);
    if (enabled.credential) counts.credential += scanCredentials(text, this.#config.credentials, this.credentialCounts, meter);
    if (enabled.ip) counts.ip += countIpv6(text, meter);
    if (this.#numeric) this.#scanNumbers(text, false);
    this.#previous = text;
    this.#previousIsNumber = false;
  }

  /**
   * A number's decimal text: only digits, a sign, a point and an exponent, so there is nothing for the e-mail,
   * credential and IPv6 scans to find (and they would cost more than the number itself).
   */
  scanNumber(text: string): void {
    this.#inner = undefined;
    if (this.#numeric) this.#scanNumbers(text, true);
    this.#previous = text;
    this.#previousIsNumber = true;
  }

  /** Types found so far, in reporting order. */
  found(): PiiType[] {
    return PII_TYPES.filter((type) => this.counts[type] > 0);
  }

  /** Credential families found so far, in CREDENTIAL_FAMILIES order. */
  credentialFamilies(): CredentialFamily[] {
    return CREDENTIAL_FAMILIES.filter((_, index) => this.credentialCounts[index]! > 0);
  }

  total(): number {
    let total = 0;
    for (const type of PII_TYPES) total += this.counts[type];
    return total;
  }

  #scanNumbers(text: string, isNumber: boolean): void {
    const previous = this.#previous;
    const previousIsNumber = this.#previousIsNumber;
    this.#phoneContext.reset(text, previous, isNumber, previousIsNumber);
    this.#ssnContext.reset(text, previous, isNumber, previousIsNumber);
    this.#cardContext.reset(text, previous, isNumber, previousIsNumber);
    const cluster = this.#cluster;
    const meter = this.#inner;
    let from = 0;
    while (readNextCluster(text, from, cluster, meter)) {
      meter?.spendChars(cluster.end - from);
      from = Math.max(cluster.end, this.#visitCluster(text, cluster));
    }
  }

  /** Counts what the cluster holds; returns how far it consumed the text (past the cluster for an IBAN). */
  #visitCluster(text: string, cluster: DigitCluster): number {
    const first = cluster.starts[0]!;
    if (this.#config.enabled.iban && cluster.leadStart === first && first >= 2) {
      const end = ibanEndAt(text, first - 2);
      if (end >= 0) {
        this.counts.iban++;
        return end;
      }
    }
    // Every numeric identifier has at least 4 digits in several groups or 9 in one.
    if (cluster.size === 1 && groupLength(cluster, 0) < 9) return cluster.end;
    let k = 0;
    let previousEnd = -1;
    const meter = this.#inner;
    while (k < cluster.size) {
      meter?.spend(1);
      const last = this.#findingEndAt(text, cluster, k, previousEnd === k - 1);
      if (last >= 0) previousEnd = last;
      k = last >= 0 ? last + 1 : k + 1;
    }
    return cluster.end;
  }

  /**
   * Counts the identifier starting at group `k` (IPv4, then SSN, card, phone) and returns its last group, or -1.
   * Cheap shape tests come first: long runs of short groups must not pay for a call per detector per group.
   */
  #findingEndAt(text: string, cluster: DigitCluster, k: number, afterFinding: boolean): number {
    const { enabled } = this.#config;
    const { counts } = this;
    const length = groupLength(cluster, k);
    if (enabled.ip && length <= 3 && cluster.gaps[k + 1] === GAP_DOT && isIpv4Window(text, cluster, k)) {
      counts.ip++;
      return k + 3;
    }
    if (enabled.ssn && (length === 3 || length === 9)) {
      const last = ssnWindowEnd(text, cluster, k, this.#ssnKeyword);
      if (last >= 0) {
        counts.ssn++;
        return last;
      }
    }
    if (enabled.card && (length === 4 || length >= 12)) {
      const last = cardWindowEnd(text, cluster, k, afterFinding, this.#cardKeyword);
      if (last >= 0) {
        counts.card++;
        return last;
      }
    }
    if (enabled.phone && (k === 0 || (cluster.gaps[k]! & GAP_SPACE) !== 0) && mayStartPhone(cluster, k, length)) {
      const last = phoneWindowEnd(text, cluster, k, this.#phoneScan);
      if (last >= 0) {
        counts.phone++;
        return last;
      }
    }
    return -1;
  }
}

/**
 * A phone reading can start at group `k`: after a `+`, as one long run (10+ digits), or followed by a group of
 * 2+ digits or a bracketed trunk `(0)` (single-digit groups cannot continue a number).
 */
function mayStartPhone(cluster: DigitCluster, k: number, length: number): boolean {
  if ((k === 0 && cluster.plus) || length >= 10) return true;
  if (k + 1 >= cluster.size) return false;
  return groupLength(cluster, k + 1) >= 2 || (cluster.gaps[k + 1]! & GAP_OPEN) !== 0;
}
