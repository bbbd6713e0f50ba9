/**
 * Vendor tokens recognised by a structure rather than a prefix at the token start: Azure AD client secrets (`Q~`
 * after four characters), Terraform Cloud tokens (`.atlasv1.` inside), Mailchimp keys (`-us<dc>` after 32 hex
 * digits), Microsoft Teams webhooks (a `webhook.office.com` host), Sourcegraph and Airtable tokens (a prefix with
 * a structured body), Facebook app tokens (`<app id>|<secret>`). Each test is a few character comparisons on a candidate token.
 */
import { ALNUM, BASE64_EXTRA, DIGIT, EQUALS, HEX, JOINER, SYMBOL, WORD, WORD_DASH, allOfClass, classAt, isClass, runEnd } from './chars.js';
import { found, type CredentialMatch } from './match.js';
import { looksRandom } from './randomness.js';

const MIN_ENTROPY = 3;

/** Azure AD client secret: 3 word characters, a digit, `Q~`, then 31-34 of [\w.~-]. */
function azureSecretEnd(text: string, start: number): number {
  if (text.charCodeAt(start + 4) !== 81 || text.charCodeAt(start + 5) !== 126 || !isClass(text, start + 3, DIGIT)) return -1;
  const end = runEnd(text, start + 6, WORD_DASH | JOINER, 34);
  const length = end - start - 6;
  if (length < 31 || length > 34) return -1;
  return looksRandom(text, start, end, MIN_ENTROPY) ? end : -1;
}

/** Terraform Cloud / Enterprise API token: 14 alphanumerics, `.atlasv1.`, 60-70 more. */
function terraformTokenEnd(text: string, start: number, tokenEnd: number): number {
  if (tokenEnd - start < 14 + 9 + 60 || !text.startsWith('.atlasv1.', start + 14)) return -1;
  const end = runEnd(text, start + 23, WORD_DASH | EQUALS, 70);
  return end - start - 23 >= 60 && end - start - 23 <= 70 && looksRandom(text, start + 23, end, MIN_ENTROPY) ? end : -1;
}

/** Mailchimp API key: 32 hex digits, `-us`, a one- or two-digit data centre. */
function mailchimpKeyEnd(text: string, start: number, tokenEnd: number): number {
  const length = tokenEnd - start;
  if ((length !== 36 && length !== 37) || !text.startsWith('-us', start + 32)) return -1;
  if (!allOfClass(text, start, start + 32, HEX) || !allOfClass(text, start + 35, tokenEnd, DIGIT)) return -1;
  return looksRandom(text, start, start + 32, MIN_ENTROPY) ? tokenEnd : -1;
}

/** Microsoft Teams incoming webhook URL: `<tenant>.webhook.office.com/webhookb2/<ids>`. */
function teamsWebhookEnd(text: string, start: number, tokenEnd: number): number {
  if (!text.startsWith('webhook.office.com', tokenEnd - 18) || !text.startsWith('/webhookb2/', tokenEnd)) return -1;
  const bodyStart = tokenEnd + 11;
  const end = runEnd(text, bodyStart, WORD_DASH | BASE64_EXTRA | SYMBOL, 300);
  return end - bodyStart >= 40 && looksRandom(text, bodyStart, end, MIN_ENTROPY) ? end : -1;
}

/** Sourcegraph access token: `sgp_` + 40 hex, `sgp_local_` + 40 hex, or `sgp_` + 16 hex + `_` + 40 hex. */
function sourcegraphTokenEnd(text: string, start: number): number {
  if (!text.startsWith('sgp_', start)) return -1;
  let at = start + 4;
  if (text.startsWith('local_', at)) at += 6;
  else if (hexRun(text, at) === 16 && text.charCodeAt(at + 16) === 95) at += 17;
  if (hexRun(text, at) !== 40 || (classAt(text, at + 40) & WORD) !== 0) return -1;
  return looksRandom(text, at, at + 40, MIN_ENTROPY) ? at + 40 : -1;
}

/** Airtable personal access token: `pat` + 14 alphanumerics + `.` + 64 hex. */
function airtableTokenEnd(text: string, start: number): number {
  if (!text.startsWith('pat', start) || text.charCodeAt(start + 17) !== 46) return -1;
  if (!allOfClass(text, start + 3, start + 17, ALNUM) || hexRun(text, start + 18) !== 64) return -1;
  const end = start + 18 + 64;
  return !isClass(text, end, ALNUM) && looksRandom(text, start + 18, end, MIN_ENTROPY) ? end : -1;
}

/** Facebook app access token: the numeric app id, `|`, the 27-character app secret part. */
function facebookAppTokenEnd(text: string, start: number, tokenEnd: number): number {
  const idLength = tokenEnd - start;
  if (idLength < 15 || idLength > 16 || text.charCodeAt(tokenEnd) !== 124 || !allOfClass(text, start, tokenEnd, DIGIT)) return -1;
  const end = runEnd(text, tokenEnd + 1, WORD_DASH, 27);
  return end - tokenEnd - 1 === 27 && looksRandom(text, tokenEnd + 1, end, MIN_ENTROPY) ? end : -1;
}

function hexRun(text: string, start: number): number {
  return runEnd(text, start, HEX, 64) - start;
}

/** Tries every shape on the candidate token [start, tokenEnd); fills `match` and returns true on the first fit. */
export function matchShape(text: string, start: number, tokenEnd: number, match: CredentialMatch): boolean {
  let end = azureSecretEnd(text, start);
  if (end >= 0) return found(match, 'cloud', end);
  end = terraformTokenEnd(text, start, tokenEnd);
  if (end >= 0) return found(match, 'cloud', end);
  end = mailchimpKeyEnd(text, start, tokenEnd);
  if (end >= 0) return found(match, 'saas', end);
  end = teamsWebhookEnd(text, start, tokenEnd);
  if (end >= 0) return found(match, 'chat', end);
  end = sourcegraphTokenEnd(text, start);
  if (end >= 0) return found(match, 'vcs', end);
  end = airtableTokenEnd(text, start);
  if (end >= 0) return found(match, 'saas', end);
  end = facebookAppTokenEnd(text, start, tokenEnd);
  if (end >= 0) return found(match, 'saas', end);
  return false;
}
