/** The kinds of injection evidence the gate knows; each can be switched off and is named in reasons. */
export const INJECTION_KINDS = [
  'override',
  'roleMarker',
  'hiddenDirective',
  'concealment',
  'exfiltration',
  'invisible',
] as const;

export type InjectionKind = (typeof INJECTION_KINDS)[number];

/** How a reason names each kind (words about the finding, never its text). */
export const KIND_LABELS: Readonly<Record<InjectionKind, string>> = {
  override: 'instructions aimed at the model',
  roleMarker: 'chat role or system markers',
  hiddenDirective: 'a hidden directive',
  concealment: 'concealment or steering of the agent',
  exfiltration: 'an exfiltration directive',
  invisible: 'invisible characters',
};

/** One piece of evidence: the rule that fired and what it weighs. */
export interface Finding {
  kind: InjectionKind;
  rule: string;
  weight: number;
}
