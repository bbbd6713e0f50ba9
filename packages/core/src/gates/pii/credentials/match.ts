import type { CredentialFamily } from './families.js';

/** What a reader found: reused across calls so that the scan allocates nothing per candidate. */
export interface CredentialMatch {
  family: CredentialFamily;
  /** End of the credential in the text. */
  end: number;
  /**
   * How far the readers read while testing the current candidate, match or not. The scan resumes after it, so no
   * stretch of text is read twice by long-bodied rules (linear time on any input).
   */
  scanned: number;
  /** Full value checks of secret-named assignments left for this text (see assignment.ts). */
  assignmentChecks: number;
}

export function found(match: CredentialMatch, family: CredentialFamily, end: number): true {
  match.family = family;
  match.end = end;
  return true;
}
