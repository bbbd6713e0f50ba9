/**
 * Vendor tokens that announce themselves with a literal prefix, after gitleaks' rule set: the prefix, the family,
 * and the shape of the body that follows (character class and length). A rule is only tried where a candidate
 * token starts with its prefix, so the table can grow without slowing the scan of text that holds none.
 */
import type { CredentialFamily } from './families.js';
import { ALNUM, BASE64, BASE64_EXTRA, DASH, DIGIT, EQUALS, HEX, HEX_LOWER, JOINER, LOWER, SYMBOL, UPPER, WORD, WORD_DASH } from './chars.js';

export interface PrefixRule {
  prefix: string;
  family: CredentialFamily;
  /** Character class of the body (chars.ts bits). */
  body: number;
  /** Body length bounds; a longer run is not this token (it is part of something else). */
  min: number;
  max: number;
  /** The body must hold a digit (true for almost every random body; hf_ tokens are letters only). */
  digit?: boolean;
  /** Minimum entropy of the body in bits per character (randomness.ts). */
  minEntropy?: number;
  /** Further shape test on the body [start, end). */
  check?: (text: string, start: number, end: number) => boolean;
}

const HEX_DASH = HEX | DASH;
const B64_URL = WORD_DASH | EQUALS;
const ANY_TOKEN = WORD_DASH | JOINER | BASE64_EXTRA | EQUALS;

const endsWithAA = (text: string, _start: number, end: number): boolean => text.startsWith('AA', end - 2);
const startsWithDigits =
  (count: number) =>
  (text: string, start: number): boolean => {
    for (let i = start; i < start + count; i++) {
      const c = text.charCodeAt(i);
      if (c < 48 || c > 57) return false;
    }
    return true;
  };
const hasLetter = (text: string, start: number, end: number): boolean => {
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i) | 0x20;
    if (c >= 97 && c <= 122) return true;
  }
  return false;
};
/** Upper- and lower-case letters both present: OpenAI-style keys are mixed case, `sk-learn-…` prose is not. */
const mixedCase = (text: string, start: number, end: number): boolean => {
  let upper = false;
  let lower = false;
  for (let i = start; i < end; i++) {
    const c = text.charCodeAt(i);
    if (c >= 65 && c <= 90) upper = true;
    else if (c >= 97 && c <= 122) lower = true;
  }
  return upper && lower;
};

type Row = [prefix: string, family: CredentialFamily, body: number, min: number, max: number, extra?: Partial<PrefixRule>];

const ROWS: Row[] = [
  // Cloud providers and infrastructure.
  ['AKIA', 'cloud', UPPER | DIGIT, 16, 16, { digit: false }],
  ['ASIA', 'cloud', UPPER | DIGIT, 16, 16, { digit: false }],
  ['ABIA', 'cloud', UPPER | DIGIT, 16, 16, { digit: false }],
  ['ACCA', 'cloud', UPPER | DIGIT, 16, 16, { digit: false }],
  ['A3T', 'cloud', UPPER | DIGIT, 17, 17, { digit: false }],
  ['ABSKQmVkcm9ja0FQSUtleS', 'cloud', BASE64, 60, 400],
  ['bedrock-api-key-', 'cloud', BASE64, 28, 4096, { check: (t, s) => t.startsWith('YmVkcm9jay5hbWF6b25hd3MuY29t', s) }],
  ['AIza', 'cloud', WORD_DASH, 35, 35],
  ['LTAI', 'cloud', ALNUM, 20, 30],
  ['dop_v1_', 'cloud', HEX, 64, 64],
  ['doo_v1_', 'cloud', HEX, 64, 64],
  ['dor_v1_', 'cloud', HEX, 64, 64],
  ['fo1_', 'cloud', WORD_DASH, 43, 43],
  ['fm1a_', 'cloud', BASE64 | WORD_DASH, 30, 4096],
  ['fm1r_', 'cloud', BASE64 | WORD_DASH, 30, 4096],
  ['fm2_', 'cloud', BASE64 | WORD_DASH, 30, 4096],
  ['v1.0-', 'cloud', HEX_DASH, 150, 180],
  ['dapi', 'cloud', HEX, 32, 32],
  ['hvs.', 'cloud', WORD_DASH, 24, 200],
  ['hvb.', 'cloud', WORD_DASH, 90, 400],
  ['YC', 'cloud', WORD_DASH, 38, 38],
  ['AQVN', 'cloud', WORD_DASH, 35, 38],
  ['t1.', 'cloud', WORD_DASH | EQUALS | JOINER, 90, 200],
  ['sha256~', 'cloud', WORD_DASH, 43, 43],
  ['HRKU-AA', 'cloud', WORD_DASH, 58, 58],
  ['pul-', 'cloud', HEX, 40, 40],
  ['tk-us-', 'cloud', WORD_DASH, 48, 48],
  ['4b1d', 'cloud', ALNUM, 38, 38],
  ['dnkey-', 'cloud', ANY_TOKEN, 60, 120],
  ['pscale_pw_', 'cloud', ANY_TOKEN, 32, 64],
  ['pscale_tkn_', 'cloud', ANY_TOKEN, 32, 64],
  ['pscale_oauth_', 'cloud', ANY_TOKEN, 32, 64],
  // Code hosting, CI/CD and package registries.
  ['ghp_', 'vcs', ALNUM, 36, 36],
  ['gho_', 'vcs', ALNUM, 36, 36],
  ['ghu_', 'vcs', ALNUM, 36, 36],
  ['ghs_', 'vcs', ALNUM, 36, 36],
  ['ghr_', 'vcs', ALNUM, 36, 36],
  ['github_pat_', 'vcs', WORD, 70, 100],
  ['glpat-', 'vcs', WORD_DASH | JOINER, 20, 300],
  ['glptt-', 'vcs', HEX, 40, 40],
  ['GR1348941', 'vcs', WORD_DASH, 20, 20],
  ['glcbt-', 'vcs', WORD_DASH, 20, 100],
  ['gldt-', 'vcs', WORD_DASH, 20, 100],
  ['glffct-', 'vcs', WORD_DASH, 20, 100],
  ['glft-', 'vcs', WORD_DASH, 20, 100],
  ['glimt-', 'vcs', WORD_DASH, 25, 100],
  ['glagent-', 'vcs', WORD_DASH, 50, 100],
  ['gloas-', 'vcs', WORD_DASH, 64, 100],
  ['glrt-', 'vcs', WORD_DASH, 20, 100],
  ['glsoat-', 'vcs', WORD_DASH, 20, 100],
  ['_gitlab_session=', 'vcs', ALNUM, 32, 32],
  ['ATBB', 'vcs', ALNUM, 32, 32],
  ['ATATT3', 'vcs', B64_URL, 180, 200],
  ['npm_', 'vcs', ALNUM, 36, 36],
  ['pypi-AgEIcHlwaS5vcmc', 'vcs', WORD_DASH, 50, 1000],
  ['rubygems_', 'vcs', HEX, 48, 48],
  ['CLOJARS_', 'vcs', ALNUM, 60, 60],
  ['AKCp', 'vcs', ALNUM, 69, 69],
  ['cmVmd', 'vcs', ALNUM, 59, 59],
  ['API-', 'vcs', UPPER | DIGIT, 26, 26],
  ['pat.', 'vcs', WORD_DASH | JOINER, 66, 70],
  ['sat.', 'vcs', WORD_DASH | JOINER, 66, 70],
  // Chat.
  // Slack tokens carry workspace and user ids before the secret part: real ones are 30+ characters long.
  ['xoxb-', 'chat', WORD_DASH, 24, 300],
  ['xoxp-', 'chat', WORD_DASH, 24, 300],
  // Legacy workspace and refresh tokens are shorter.
  ['xoxa-', 'chat', WORD_DASH, 10, 300],
  ['xoxr-', 'chat', WORD_DASH, 10, 300],
  ['xoxs-', 'chat', WORD_DASH, 24, 300],
  ['xoxo-', 'chat', WORD_DASH, 24, 300],
  ['xoxe-', 'chat', WORD_DASH, 24, 300],
  ['xoxe.xoxp-', 'chat', WORD_DASH, 24, 300],
  ['xoxe.xoxb-', 'chat', WORD_DASH, 24, 300],
  ['xapp-', 'chat', WORD_DASH, 24, 300],
  ['hooks.slack.com/services/', 'chat', WORD_DASH | BASE64_EXTRA, 20, 300],
  ['hooks.slack.com/workflows/', 'chat', WORD_DASH | BASE64_EXTRA, 20, 300],
  ['hooks.slack.com/triggers/', 'chat', WORD_DASH | BASE64_EXTRA, 20, 300],
  ['discord.com/api/webhooks/', 'chat', WORD_DASH | BASE64_EXTRA, 60, 200],
  ['discordapp.com/api/webhooks/', 'chat', WORD_DASH | BASE64_EXTRA, 60, 200],
  // Payment.
  ['sk_live_', 'payment', ALNUM, 10, 247],
  ['sk_test_', 'payment', ALNUM, 10, 247],
  ['sk_prod_', 'payment', ALNUM, 10, 247],
  ['rk_live_', 'payment', ALNUM, 10, 247],
  ['rk_test_', 'payment', ALNUM, 10, 247],
  ['rk_prod_', 'payment', ALNUM, 10, 247],
  ['sq0atp-', 'payment', WORD_DASH, 22, 60],
  ['sq0csp-', 'payment', WORD_DASH, 40, 60],
  ['EAAA', 'payment', WORD_DASH, 22, 60],
  ['FLWPUBK_TEST-', 'payment', HEX_DASH | UPPER, 12, 40],
  ['FLWSECK_TEST-', 'payment', HEX_DASH | UPPER, 12, 40],
  ['FLWPUBK-', 'payment', HEX_DASH | UPPER, 12, 40],
  ['FLWSECK-', 'payment', HEX_DASH | UPPER, 12, 40],
  ['access-production-', 'payment', HEX_DASH, 36, 36],
  ['access-sandbox-', 'payment', HEX_DASH, 36, 36],
  ['access-development-', 'payment', HEX_DASH, 36, 36],
  ['rzp_live_', 'payment', ALNUM, 14, 14],
  ['rzp_test_', 'payment', ALNUM, 14, 14],
  ['live_', 'payment', B64_URL, 40, 40],
  ['test_', 'payment', HEX, 35, 35],
  ['live_pub_', 'payment', HEX, 31, 31],
  ['test_pub_', 'payment', HEX, 31, 31],
  // AI providers.
  ['sk-ant-api03-', 'ai', WORD_DASH, 95, 95, { check: endsWithAA }],
  ['sk-ant-admin01-', 'ai', WORD_DASH, 95, 95, { check: endsWithAA }],
  ['sk-', 'ai', WORD_DASH, 20, 300, { check: mixedCase }],
  ['pplx-', 'ai', ALNUM, 48, 48],
  ['hf_', 'ai', UPPER | LOWER, 34, 34, { digit: false }],
  ['api_org_', 'ai', UPPER | LOWER, 34, 34, { digit: false }],
  ['r8_', 'ai', ALNUM, 37, 37],
  ['gsk_', 'ai', ALNUM, 52, 52],
  ['xai-', 'ai', ALNUM, 80, 80],
  ['nvapi-', 'ai', WORD_DASH, 64, 64],
  // SaaS API tokens.
  ['ops_eyJ', 'saas', BASE64, 250, 4096],
  ['A3-', 'saas', UPPER | DIGIT | DASH, 34, 40],
  ['p8e-', 'saas', ALNUM, 32, 32],
  ['b_', 'saas', B64_URL, 44, 44],
  ['dp.pt.', 'saas', ALNUM, 43, 43],
  ['dp.st.', 'saas', WORD_DASH | JOINER, 43, 80],
  ['dp.sa.', 'saas', ALNUM, 43, 43],
  ['dp.ct.', 'saas', ALNUM, 43, 43],
  ['dp.scim.', 'saas', ALNUM, 43, 43],
  ['dp.audit.', 'saas', ALNUM, 43, 43],
  ['dt0c01.', 'saas', ALNUM | JOINER, 89, 89],
  ['EZAK', 'saas', ALNUM, 54, 54],
  ['EZTK', 'saas', ALNUM, 54, 54],
  ['fio-u-', 'saas', B64_URL, 64, 64],
  ['glc_', 'saas', BASE64, 32, 400],
  ['glsa_', 'saas', WORD, 41, 41],
  ['s-s4t2ud-', 'saas', HEX, 64, 64],
  ['s-s4t2af-', 'saas', HEX, 64, 64],
  ['lin_api_', 'saas', ALNUM, 40, 40],
  ['key-', 'saas', HEX, 32, 32],
  ['pubkey-', 'saas', HEX, 32, 32],
  ['pk.', 'saas', WORD_DASH | JOINER, 80, 90],
  ['sk.', 'saas', WORD_DASH | JOINER, 80, 90],
  ['NRAK-', 'saas', UPPER | DIGIT, 27, 27],
  ['NRJS-', 'saas', HEX, 19, 19],
  ['NRII-', 'saas', WORD_DASH, 32, 32],
  ['ntn_', 'saas', ALNUM, 46, 46, { check: (t, s, e) => startsWithDigits(11)(t, s) && hasLetter(t, s, e) }],
  ['secret_', 'saas', ALNUM, 43, 43],
  ['PMAK-', 'saas', HEX_DASH, 59, 59],
  ['SG.', 'saas', WORD_DASH | JOINER, 66, 66],
  ['xkeysib-', 'saas', HEX_DASH | ALNUM, 81, 81],
  ['sntrys_', 'saas', BASE64 | WORD_DASH, 60, 400],
  ['sntryu_', 'saas', HEX, 64, 64],
  ['shpat_', 'saas', HEX, 32, 32],
  ['shpca_', 'saas', HEX, 32, 32],
  ['shppa_', 'saas', HEX, 32, 32],
  ['shpss_', 'saas', HEX, 32, 32],
  ['sm_pat_', 'saas', ALNUM, 16, 16],
  ['sm_aat_', 'saas', ALNUM, 16, 16],
  ['sm_sat_', 'saas', ALNUM, 16, 16],
  ['tfp_', 'saas', WORD_DASH | JOINER | EQUALS, 59, 59],
  ['SK', 'saas', DIGIT | HEX_LOWER, 32, 32],
  ['AAAAAAAAAAAAAAAAAAAAAA', 'saas', ALNUM | SYMBOL, 80, 110],
  ['EAAM', 'saas', ALNUM, 100, 400],
  ['EAAC', 'saas', ALNUM, 100, 400],
  ['pnu_', 'saas', ALNUM, 36, 36],
  ['rdme_', 'saas', ALNUM, 70, 70],
  ['ico-', 'saas', ALNUM, 32, 32],
  ['pat-na1-', 'saas', HEX_DASH, 36, 36],
  ['pat-eu1-', 'saas', HEX_DASH, 36, 36],
  ['sl.', 'saas', B64_URL, 130, 1400],
  ['duffel_test_', 'saas', B64_URL, 43, 43],
  ['duffel_live_', 'saas', B64_URL, 43, 43],
  ['shippo_live_', 'saas', HEX, 40, 40],
  ['shippo_test_', 'saas', HEX, 40, 40],
  // Private keys that are not PEM blocks.
  ['AGE-SECRET-KEY-1', 'privateKey', UPPER | DIGIT, 58, 58],
];

export const PREFIX_RULES: readonly PrefixRule[] = ROWS.map(([prefix, family, body, min, max, extra]) => ({
  prefix,
  family,
  body,
  min,
  max,
  ...extra,
}));

/** Rules by the first code unit of their prefix, longest prefix first. */
export const RULES_BY_FIRST_CHAR: ReadonlyMap<number, readonly PrefixRule[]> = (() => {
  const map = new Map<number, PrefixRule[]>();
  for (const rule of PREFIX_RULES) {
    const key = rule.prefix.charCodeAt(0);
    const list = map.get(key) ?? [];
    list.push(rule);
    map.set(key, list);
  }
  for (const list of map.values()) list.sort((a, b) => b.prefix.length - a.prefix.length);
  return map;
})();

