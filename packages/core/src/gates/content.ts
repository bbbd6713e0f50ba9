/**
 * `content` gate: fails outputs that carry nothing (empty) or that are the model declining the task (refusal).
 *
 * Empty: `undefined`, `null`, blank strings (Unicode whitespace and invisible characters included), and containers
 * whose every leaf is blank or null at any depth — `[]`, `{}`, `{ text: "" }`, `[""]`, `{ items: [null, " "] }`, and
 * MCP tool results whose blocks are all blank text blocks. Nested empties count as empty because a user reading the
 * output would see nothing; object keys and MCP `type` tags are structure, not content. `false`, `0`, any number,
 * boolean or bigint, and non-text MCP blocks are content. See `content/empty.ts` for the exact rules.
 *
 * Refusal: every string value in the output (object keys excluded) is read by the refusal scorer in
 * `content/refusal.ts`; the first string that reads as a refusal fails the gate. The scorer weighs refusal grammar
 * ("I can't / I'm not able to <help|provide|…>", "Sorry, but I…", "As an AI, I don't…", "against my guidelines",
 * "it would not be appropriate for me to", moral lectures such as "it's not appropriate or ethical to…" or "… is
 * illegal and unethical", first-person stances such as "I strongly condemn…" or "I don't condone…") by position: in
 * the opening sentences one hit is enough; deeper in a long answer a single caveat is not, two are. An answer whose
 * first sentence is a legal or moral warning ("It's important to note that X is illegal.") counts too; a conditional
 * caveat ("illegal without a permit") or a safety note ("can be dangerous") does not. Partial refusals ("I can't help
 * with X, but here is general information …") count as refusals. Quoted speech ("I can't help you," he said) does
 * not count. Not detected: answers that decline only by taking the opposite moral stance without refusal wording
 * ("X was not justified.", "There is no reason why X should not …"), which need the prompt to be recognised.
 *
 * Reasons never quote the output: "output is empty" or "output is an AI refusal". `details` holds
 * `{ check: "empty" }` or `{ check: "refusal", rule, score, opening }` — the rule id, the evidence score and whether
 * the deciding evidence was in the opening — never the matched text.
 */
import type { Gate, GateOptions, GateOutcome } from '../types.js';
import { isEmptyOutput } from './content/empty.js';
import { foldText, PhraseSet } from './content/phrases.js';
import { detectRefusal, type RefusalMatch } from './content/refusal.js';
import { assertOptionsObject, booleanOption, gateName } from './options.js';
import { walkStrings } from './walk.js';
import { warmUp } from './warm-up.js';
import { meterOf, type Meter } from '../budget.js';
import { markSignalFree } from '../signal-free.js';

export { detectRefusal, type RefusalMatch, type RefusalRuleId } from './content/refusal.js';
export { isEmptyOutput } from './content/empty.js';

export interface ContentOptions extends GateOptions {
  /** Fail empty outputs (default true). */
  empty?: boolean;
  /** Fail AI refusals (default true). */
  refusal?: boolean;
  /**
   * Extra phrases that mark a refusal wherever they appear, for wording the built-in scorer does not know (another
   * language, a house style). Needs the refusal check on. At most 100 entries.
   * - A string (non-blank, at most 200 characters) matches as whole words, ignoring case, apostrophe and quote
   *   style, markdown emphasis and runs of whitespace. All strings are found in one linear pass (Aho–Corasick).
   * - A RegExp is run as given on every string of the output (its `g`/`y` flags are dropped so no state leaks
   *   between calls); its cost is the caller's: keep it free of nested quantifiers.
   */
  extraRefusalPhrases?: readonly (string | RegExp)[];
}

export const MAX_EXTRA_REFUSAL_PHRASES = 100;
export const MAX_EXTRA_PHRASE_LENGTH = 200;

const KNOWN_OPTIONS = new Set(['name', 'empty', 'refusal', 'extraRefusalPhrases']);

const CUSTOM_MATCH: RefusalMatch = Object.freeze({ rule: 'custom', score: 1, opening: false });

/** Findings and clean text of the kinds this gate reads, run once at start-up (see warm-up.ts). */
const CONTENT_WARM_UP: readonly unknown[] = [
  "I'm sorry, but I can't help with that. As an AI language model, it would not be appropriate for me to assist.",
  "It's important to note that this is illegal and unethical. Instead, I encourage you to seek legal advice.",
  'The capital of France is Paris. Here is a short summary of its history and its main sights.',
  { content: [{ type: 'text', text: ' ' }] },
];

export function content(options?: ContentOptions): Gate {
  assertOptionsObject(options, 'content');
  for (const key of Object.keys(options ?? {})) {
    if (!KNOWN_OPTIONS.has(key)) throw new TypeError(`content: unknown option "${key}"`);
  }
  const name = gateName(options, 'content');
  const checkEmpty = booleanOption(options?.empty, true, 'content: empty');
  const checkRefusal = booleanOption(options?.refusal, true, 'content: refusal');
  const extras = extraPhrases(options?.extraRefusalPhrases);
  if (!checkEmpty && !checkRefusal) {
    throw new TypeError('content: at least one of the empty and refusal checks must be enabled');
  }
  if (!checkRefusal && (extras.words !== null || extras.patterns.length > 0)) {
    throw new TypeError('content: extraRefusalPhrases needs the refusal check enabled');
  }
  const detect = (text: string): RefusalMatch | null =>
    detectRefusal(text) ?? (matchesExtra(text, extras) ? CUSTOM_MATCH : null);

  return warmUp(
    `content:${checkEmpty}:${checkRefusal}`,
    markSignalFree({
      name,
      run(ctx, _signal, budget) {
        const output = ctx.output;
        const meter = meterOf(budget);
        // Fresh outcome objects: callers may annotate what a gate returns.
        if (checkEmpty && isEmptyOutput(output, meter)) {
          return { passed: false, reason: 'output is empty', details: { check: 'empty' } };
        }
        if (checkRefusal) {
          const found = firstRefusal(output, detect, meter);
          if (found !== null) return refusalOutcome(found);
        }
        return { passed: true };
      },
    }),
    CONTENT_WARM_UP,
  );
}

/** The first string value of `output` (object keys are field names, not speech) that reads as a refusal. */
function firstRefusal(
  output: unknown,
  detect: (text: string) => RefusalMatch | null,
  meter: Meter | undefined,
): RefusalMatch | null {
  const state: { found: RefusalMatch | null } = { found: null };
  walkStrings(
    output,
    (text) => {
      state.found = detect(text);
      return state.found !== null;
    },
    { keys: false, meter },
  );
  return state.found;
}

function refusalOutcome(match: RefusalMatch): GateOutcome {
  return {
    passed: false,
    reason: 'output is an AI refusal',
    details: { check: 'refusal', rule: match.rule, score: match.score, opening: match.opening },
  };
}

interface ExtraPhrases {
  words: PhraseSet | null;
  patterns: RegExp[];
}

const NO_EXTRAS: ExtraPhrases = { words: null, patterns: [] };

function extraPhrases(value: unknown): ExtraPhrases {
  if (value === undefined) return NO_EXTRAS;
  if (!Array.isArray(value)) throw new TypeError('content: extraRefusalPhrases must be an array of strings or RegExps');
  if (value.length > MAX_EXTRA_REFUSAL_PHRASES) {
    throw new TypeError(`content: extraRefusalPhrases holds at most ${MAX_EXTRA_REFUSAL_PHRASES} entries`);
  }
  const words: string[] = [];
  const patterns: RegExp[] = [];
  value.forEach((phrase: unknown, index) => {
    if (phrase instanceof RegExp) {
      // A shared global/sticky regex would carry lastIndex from one output to the next.
      patterns.push(new RegExp(phrase.source, phrase.flags.replace(/[gy]/g, '')));
    } else if (typeof phrase === 'string' && phrase.length <= MAX_EXTRA_PHRASE_LENGTH && foldText(phrase).length > 0) {
      words.push(phrase);
    } else {
      const what = `content: extraRefusalPhrases[${index}]`;
      throw new TypeError(
        typeof phrase === 'string'
          ? `${what} must be a non-blank string of at most ${MAX_EXTRA_PHRASE_LENGTH} characters`
          : `${what} must be a string or a RegExp`,
      );
    }
  });
  return { words: words.length > 0 ? new PhraseSet(words) : null, patterns };
}

function matchesExtra(text: string, extras: ExtraPhrases): boolean {
  if (extras.words?.matches(text)) return true;
  return extras.patterns.some((pattern) => pattern.test(text));
}
