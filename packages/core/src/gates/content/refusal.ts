/**
 * Refusal detector: decides whether a piece of model output is the model declining to do what it was asked.
 *
 * Why a scorer and not a phrase list: real refusals vary their wording ("I'm not able to provide…", "It would not be
 * appropriate for me to…", "As an AI developed by …, I don't…") and ordinary answers are full of the same words
 * ("you can't skip this step", "I can't stress enough", "I'm sorry to hear that"). So every rule is a small grammar
 * (first-person subject + negated modal + an assisting verb, an apology followed by "but I…", …) with exclusions for
 * the look-alikes, and each hit is weighted by where it sits: a refusal is announced in the opening sentences, while
 * the same words deep inside a long answer are usually a caveat. A text is a refusal when the weighted evidence
 * reaches 1.
 *
 * Cost: one linear scan with a cheap trigger regex finds candidate sentences; only those sentences (bounded to a few
 * hundred characters, never overlapping) are normalised and matched against the rules. Total work is linear in the
 * text length, and no rule can backtrack beyond one bounded window.
 */

/** Why a text was judged a refusal. Never holds the matched text. */
export interface RefusalMatch {
  /** Id of the rule that contributed most evidence. */
  rule: RefusalRuleId;
  /** Accumulated evidence; a refusal is reported at 1 or more. */
  score: number;
  /** True when the deciding evidence was found in the opening of the text. */
  opening: boolean;
}

export type RefusalRuleId =
  | 'self-refusal'
  | 'apology'
  | 'ai-identity'
  | 'policy'
  | 'decline'
  | 'discomfort'
  | 'not-for-me'
  | 'moralizing'
  | 'no-capability'
  | 'custom';

/** Sentences that start within this many characters of the first visible character count as the opening. */
export const OPENING_CHARS = 200;
/** How far a candidate sentence may reach around its trigger word (keeps every rule's work bounded). */
const WINDOW_BACK = 200;
const WINDOW_FORWARD = 300;
/**
 * Beyond the opening, at most this many candidate sentences are scored per text. Later evidence is weak by design
 * (a refusal is said early), so this only bounds the cost of hostile inputs that repeat trigger words.
 */
const MAX_LATER_WINDOWS = 256;
const REFUSAL_THRESHOLD = 1;

/** Every apostrophe look-alike that models and keyboards produce; `normalizeSentence` maps them all to "'". */
const APOS = String.raw`['\u2018\u2019\u201a\u201b\u02bc\u2032\u0060\u00b4]`;
const MINE = String.raw`(?:my|openai|anthropic|our)\b`;

/**
 * Words that every rule below needs somewhere in its sentence, matched case-insensitively at word starts on the raw
 * text. Grouped by first letter because a flat alternation of ~60 words costs three times as much per character.
 * Keep in sync with the rules: a rule whose words are missing here never runs.
 */
const TRIGGER = new RegExp(
  String.raw`\b(?:` +
    [
      String.raw`a(?:polog|i\b|rtificial intelligence|ssistant|ppropriate|cceptable|gainst ${MINE})`,
      String.raw`b(?:reach\w* ${MINE}|eyond ${MINE})`,
      String.raw`c(?:an(?: ?not|${APOS}?t\b| only)|ould(?:n${APOS}?t| not)|hatbot|omputer program|omfortable|ontrary to ${MINE}|ondemn)`,
      String.raw`d(?:eclin|isrespectful|isagree|enounce|o(?:n${APOS}?t| not) (?:have|hold|possess|think|believe in|personally|really|condone|endorse|support|advocate|agree))`,
      String.raw`ethical`,
      String.raw`for me to`,
      String.raw`(?:designed|trained) (?:not to|to avoid)`,
      String.raw`humane`,
      String.raw`i(?:mmoral|nappropriate|rresponsible|sn${APOS}?t something)`,
      String.raw`l(?:anguage model|lm\b)`,
      String.raw`m(?:oral(?:\b|ly)|achine learning model)`,
      String.raw`n(?:ever|ot (?:able|allowed|permitted|going to|in a position|capable|prepared|willing|authori[sz]ed|equipped|programmed|designed|trained|something|an? |accurate|fair|true|correct|sure|convinced))`,
      String.raw`o(?:nly able|utside(?: of)? ${MINE}|ppose|bject to)`,
      String.raw`p(?:rogramm|refer not)`,
      String.raw`r(?:efus|esponsible|espectful|ather not|eject\b)`,
      String.raw`s(?:orry|hould(?:n${APOS}?t| not))`,
      String.raw`u(?:nable|nethical|nacceptable)`,
      String.raw`violat\w* ${MINE}`,
      String.raw`w(?:on${APOS}?t|ill not|ould(?:n${APOS}?t| not)|ithin ${MINE})`,
    ].join('|') +
    ')',
  'gi',
);

interface Evidence {
  opening: number;
  later: number;
}

interface Rule {
  id: RefusalRuleId;
  pattern: RegExp;
  /** Weight of an accepted match; may depend on the rest of the sentence. Return null to reject the match. */
  weigh(sentence: string, match: RegExpExecArray): Evidence | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Rule grammar. Rules see a normalised sentence: lower case, straight quotes, markdown emphasis removed, single
// spaces. "can not", "cant", "im", "dont" and friends are spelled out as alternatives.

/** `(?:a|b|c)`: keeps long word lists readable. */
const oneOf = (...alternatives: string[]): string => `(?:${alternatives.join('|')})`;
/** A global regex from source fragments (global so that a rejected look-alike does not hide a later real hit). */
const rule = (...parts: string[]): RegExp => new RegExp(parts.join(''), 'g');

// "would not"/"should not" alone are advice ("I wouldn't recommend eval()"), so they count only with "be able to".
const NEG_MODAL = oneOf(
  String.raw`can ?not`,
  String.raw`can'?t`,
  String.raw`could ?not`,
  String.raw`couldn'?t`,
  String.raw`won'?t`,
  String.raw`will not`,
  String.raw`(?:would|should)(?: not|n'?t) be able to`,
);
const NEG_STATE = oneOf(
  `not ${oneOf('able', 'allowed', 'permitted', 'going', 'in a position', 'capable', 'prepared', 'willing')}`,
  `not ${oneOf('authori[sz]ed', 'equipped', 'comfortable')}`,
  'unable',
);
const SUBJECT_ADVERB = `(?: ${oneOf(
  ...['really', 'truly', 'simply', 'just', 'still', 'therefore', 'also', 'definitely', 'absolutely', 'certainly'],
  ...['honestly', 'unfortunately', 'regretfully', 'currently', 'afraid', 'sorry'],
)},?)?`;
const FILLER = String.raw`(?:,? ${oneOf(
  ...['really', 'simply', 'just', 'actually', 'possibly', 'personally', 'directly', 'currently', 'fully'],
  ...['responsibly', 'ethically', 'legally', 'morally', 'knowingly', 'intentionally', 'in good conscience'],
  ...['in any way', 'at this time', 'right now', 'therefore', 'unfortunately', 'honestly', 'reasonably', 'safely'],
  ...['accurately', 'further', 'otherwise', 'be able to', 'able to', 'be', 'go ahead and', 'proceed to'],
  ...['continue to', 'and will not', "and won'?t", 'or will not', 'and should not', 'help you', 'assist you'],
)}\b)*,?`;
/** Verbs of assisting (as stems): "I can't <verb>" is a refusal only when the verb is about doing what was asked. */
const ASSIST_VERB = oneOf(
  String.raw`help(?! (?:but|it\b|myself|\w+ing\b))`,
  ...['assist', String.raw`aid\b`, 'provid', 'offer', 'giv', 'shar', 'suppl', 'furnish', 'fulfil', 'compl(?:y|ie)'],
  ...['creat', 'writ', 'generat', 'produc', 'compos', 'draft', 'engag', 'answer', 'respond', 'repl(?:y|ie)'],
  ...['encourag', 'promot', 'suggest', 'recommend', 'endors', 'condon', 'support', 'facilitat', 'participat'],
  ...['take part', 'disclos', 'reveal', 'divulg', 'satisf', 'accommodat', 'grant', 'discuss', 'advis', 'comment'],
  ...['speculat', 'justif', 'teach', 'instruct', 'guid', 'walk you', 'show you', 'look up', 'brows', 'perform'],
  ...['carry out', 'go along', 'play along', 'role-?play', 'pretend', 'act as', 'honou?r', 'agree to'],
  `tell (?:you|anyone)(?! how ${oneOf('much', 'many', 'happy', 'glad', 'grateful', 'excited', 'thankful', 'often', 'important')})`,
  `access(?: to)? ${oneOf('the internet', 'external', 'real-time', 'the web', 'websites?', 'urls?', 'links?')}`,
  `access(?: to)? ${oneOf('personal', 'private', 'your', 'other people', 'someone')}`,
  'do (?:that|this|so|it|what)',
  'continu(?:e|ing) (?:with )?(?:this|that)',
  'proceed (?:with )?(?:this|that)',
  'process (?:this|that|your)',
  'make (?:that|this|such|any)',
  'be (?:of (?:any )?(?:help|assistance)|party to|involved)',
  'in good conscience',
);
/** "I don't think I should …", "I'm not sure I can …": a hedged refusal. */
const HEDGED_MODAL = String.raw`(?:\bi (?:do not|don'?t) think|\bi'?m not sure(?: that)?) i (?:can|could|should)`;
const SELF_REFUSAL = rule(
  String.raw`(?:\bi${SUBJECT_ADVERB} ${NEG_MODAL}|\bi(?:'?m| am)${SUBJECT_ADVERB} ${NEG_STATE}|${HEDGED_MODAL})`,
  String.raw`(?: to| of)?${FILLER}(?: ${ASSIST_VERB}|(?= but\b|$))`,
);
/** "I can only help with …": a scope limit, the customer-service way of saying no to everything else. */
const ONLY_SCOPE = rule(
  String.raw`\bi(?: (?:can|could) only|(?:'?m| am) only able to) `,
  String.raw`${oneOf('help', 'assist', 'answer', 'discuss', 'provide', 'respond', 'talk', 'support')}\b`,
);
const NOT_SOMETHING = rule(
  String.raw`\b(?:that|this|it|which)(?:'s not| is not| isn'?t) (?:something|a (?:request|topic|question|task)) `,
  String.raw`(?:that )?i(?:'?m| am)?(?: not)? ${oneOf('able', 'going', 'can', 'could', 'will', 'would', 'feel', 'do', 'should')}\b`,
);
/** Group 1: the apology is followed by the speaker ("sorry, but I …") rather than by a correction. */
const APOLOGY_BUT = rule(
  String.raw`\b(?:sorry|apologi[sz]e|apologies),? (?:but|however)\b`,
  String.raw`(?!,? ${oneOf('i made', 'i misread', 'i misunderstood', 'i was wrong', 'my (?:previous|earlier|last)')})`,
  String.raw`(?!,? ${oneOf('the (?:previous|earlier|last)', 'there (?:was|is) an? (?:error|mistake|typo)')})`,
  String.raw`(?:,? (i\b|as an|it'?s not|it is not|that'?s not|this is not|this isn'?t|that isn'?t|there'?s no way|we))?`,
);
const APOLOGY_OPENING = rule(
  String.raw`^(?:(?:i'?m|i am) )?(?:so |very |really |truly |terribly |deeply )?`,
  String.raw`(?:sorry|apologies|my apologies|i apologi[sz]e)\b`,
  String.raw`(?! (?:to hear|to learn|that you(?:'re| are) (?:going|dealing)))`,
  String.raw`(?! for (?:the|any|my|your) ${oneOf('loss', 'confusion', 'mistake', 'error', 'oversight', 'misunderstanding', 'inconvenience', 'delay')})`,
  String.raw`(?! about (?:the|your) ${oneOf('loss', 'confusion', 'mistake', 'error', 'delay')})`,
);
/** Group 1: a minimising "just"/"only" ("I'm just an AI"). */
const AI_IDENTITY = rule(
  String.raw`\bas an? (?:[a-z-]+ ){0,2}?(?:ai|artificial intelligence|language model|llm|chatbot|assistant)\b`,
  String.raw`(?=,| developed| created| trained| built| designed| made| by| from| model| system| i\b| without| that| who| and| myself)`,
  String.raw`|\bi(?:'?m| am) (?:(just|only|merely|simply) )?an? `,
  String.raw`${oneOf('ai', 'artificial intelligence', '(?:ai |large )?language model', 'llm', 'chatbot', 'ai assistant', 'computer program', 'machine learning model')}\b`,
);
const POLICY = rule(
  String.raw`\b(?:against|violates?|violating|breach(?:es)?|contrary to|not within|outside(?: of)?|beyond) `,
  String.raw`(?:my|openai'?s|anthropic'?s|our) `,
  String.raw`(?:${oneOf('ethical', 'safety', 'content', 'usage', 'use-case', 'community', 'core', 'moral', 'programming')}(?:,| and| or)? )*`,
  oneOf(
    ...['programming', 'guidelines', 'polic(?:y|ies)', 'principles', 'capabilit(?:y|ies)', 'rules', 'scope'],
    ...['standards', 'values', 'training', 'design', 'purpose', 'boundaries', 'terms'],
  ),
  String.raw`\b|\bi(?:'?m| am) (?:not (?:programmed|designed|trained|allowed|permitted) to|`,
  String.raw`(?:programmed|designed|trained) (?:not to|to (?:avoid|refuse|decline)))`,
);
const DECLINE = rule(
  String.raw`\bi(?:'ll|'d|'m going to| am going to)?`,
  String.raw`(?: ${oneOf('must', 'have to', 'need to', 'will', 'would', 'respectfully', 'politely', 'kindly', 'regretfully', 'therefore', 'also', 'have')})*`,
  String.raw` (?:decline|refuse)\b(?! to (?:believe|accept|give up|let))`,
  String.raw`|\bi(?:'d| would) (?:rather|prefer) not\b`,
);
const DISCOMFORT = rule(
  String.raw`\bi(?: do not| don'?t| dont|'?m not| am not| would not| wouldn'?t)(?: really| entirely| quite)?`,
  String.raw` (?:feel |be )?comfortable\b`,
);
const NOT_FOR_ME = rule(
  String.raw`\b(?:not (?:be )?${oneOf('appropriate', 'ethical', 'responsible', 'possible', 'right', 'okay', 'ok', 'wise', 'safe', 'proper')}`,
  String.raw`|inappropriate|unethical|irresponsible|impossible)(?: (?:or|and) \w+)? for me to\b`,
);
const MORAL_ADJ = oneOf('appropriate', 'ethical', 'acceptable', 'responsible', 'moral', 'humane', 'respectful');
const MORAL_NEGATIVE = oneOf('inappropriate', 'unethical', 'irresponsible', 'unacceptable', 'immoral', 'disrespectful');
/** What may follow a moral judgement; "not acceptable input", "not appropriate for production" are technical. */
const MORAL_END = String.raw`(?=$|[,;:!]| to\b| or\b| and\b| nor\b| behaviou?r\b| language\b| content\b)`;
const ANY_ADJ = oneOf(
  ...['accurate', 'fair', 'respectful', 'safe', 'legal', 'right', 'okay', 'ok', 'responsible', 'productive'],
  ...['healthy', 'helpful', 'kind', 'wise', 'advisable', 'acceptable', 'appropriate', 'ethical', 'moral', 'humane'],
  ...['sensitive', 'true', 'correct'],
);
const INTENSIFIER = '(?:highly |very |extremely |deeply )?';
/** Adjectives that judge how people treat each other or themselves. */
const CONDUCT_ADJ = oneOf(
  ...['productive', 'constructive', 'respectful', 'appropriate', 'ethical', 'acceptable', 'responsible', 'healthy'],
  ...['fair', 'kind', 'humane', 'moral', 'compassionate'],
);
const JUDGEMENT_ADVERBS = `(?: ${oneOf(
  ...['also', 'not only', 'both', 'simply', 'clearly', 'highly', 'very', 'extremely', 'deeply', 'morally', 'ethically'],
)})*`;
/** Harms named beside a moral judgement ("illegal and unethical"). */
const HARM = oneOf('illegal', 'unlawful', 'dangerous', 'harmful');
const MORALIZING = rule(
  [
    String.raw`\b(?:it|that|this|doing so)(?:(?:'s| is| would be) (?:not|never)| isn'?t| wouldn'?t be| would not be) ` +
      String.raw`(?:${ANY_ADJ}(?:,| or| and| nor)? )*?${MORAL_ADJ}${MORAL_END}`,
    String.raw`\b(?:it|that|this)(?:'s| is| would be) ${INTENSIFIER}${MORAL_NEGATIVE}${MORAL_END}`,
    String.raw`\bwould be ${INTENSIFIER}${MORAL_NEGATIVE}${MORAL_END}`,
    String.raw`\b(?:i (?:do not|don'?t) think|i(?:'?m| am) not (?:sure|convinced)(?: that)?) ` +
      String.raw`(?:it'?s|it is|it would be|it'?d be|that'?s|that is|this is) ` +
      String.raw`${oneOf('appropriate', 'ethical', 'right', 'respectful', 'fair', 'accurate', 'okay', 'ok')}\b`,
    String.raw`\bi (?:do not|don'?t) think (?:that'?s|this is|it'?s|that is) an? (?:\w+ (?:or|and) )?` +
      String.raw`${oneOf('valid', 'appropriate', 'respectful', 'fair', 'reasonable', 'meaningful')} (?:question|request)`,
    String.raw`\b(?:is|'s|are|'re) not an? (?:\w+ (?:or|and) )?` +
      String.raw`${oneOf('appropriate', 'ethical', 'acceptable', 'responsible', 'healthy', 'respectful', 'humane', 'moral', 'valid')}` +
      // "not a healthy or productive way" is about conduct; "not a healthy or efficient way to poll" is about code.
      String.raw`(?: (?:or|and) ${CONDUCT_ADJ})? ${oneOf('way', 'solution', 'thing', 'approach', 'method', 'response', 'question', 'request')}\b`,
    // Any subject will do when the judgement is moral by itself: "these methods are not only illegal but also
    // unethical", "doing that is not morally justified". Weaker words ("inappropriate", "unacceptable") need a harm
    // word beside them, since "downtime is unacceptable" is an engineering judgement. Present tense only: "the
    // scheme was unethical" describes past events (a summary, an essay) rather than judging the request.
    String.raw`\b(?:is|are|be)${JUDGEMENT_ADVERBS} ${oneOf('unethical', 'immoral')}${MORAL_END}`,
    String.raw`\b(?:is|are|be)${JUDGEMENT_ADVERBS} ${HARM}(?: in \w+ \w+)?,?(?: and| or| but)(?: it(?:'s| is))?` +
      String.raw`${JUDGEMENT_ADVERBS} ${MORAL_NEGATIVE}${MORAL_END}`,
    String.raw`\b(?:is|are|be)(?: not| never) (?:morally|ethically) ` +
      String.raw`${oneOf('justified', 'justifiable', 'acceptable', 'defensible', 'permissible', 'right', 'sound')}\b`,
    String.raw`\b(?:is|are) never (?:an? )?` +
      String.raw`${oneOf('acceptable', 'appropriate', 'okay', 'ok', 'justified', 'justifiable', 'the answer')}\b`,
  ].join('|'),
);
/** Group 1: a doubled judgement ("not accurate or fair to say"). */
const CORRECTION = rule(
  String.raw`\b(?:it|that)(?:'s| is) not (?:accurate|fair|true|correct)((?:,| or| and) (?:accurate|fair|true|correct))? to `,
  String.raw`${oneOf('say', 'suggest', 'claim', 'assume', 'state', 'imply', 'generali[sz]e', 'make', 'label', 'characteri[sz]e', 'describe')}\b`,
);
const NO_CAPABILITY = rule(
  String.raw`\bi (?:do not|don'?t|dont) (?:have|hold|possess) (?:(?:any|the) )?(?:personal )?`,
  oneOf(
    ...['access', '(?:real-time|direct|internet|browsing) access', 'ability', 'capability', 'means', 'opinions?'],
    ...['beliefs?', 'views?', 'feelings?', 'preferences?', 'emotions?'],
  ),
  String.raw`\b`,
);

/**
 * The speaker taking a moral stance against what was asked ("I strongly condemn …", "I don't condone any …", "I
 * disagree with that premise", "I don't believe in punishing …"). Assistants doing a task state no position of their
 * own, so a first-person condemnation is the pushback form of a refusal. Disagreeing counts only with a claim as its
 * object ("I disagree with the linter here" is an opinion about a tool), and "support"/"agree with" only with a
 * determiner, so that "I don't support IE11" stays a compatibility note.
 */
const CLAIM_NOUN = oneOf(
  ...['sentiment', 'statement', 'premise', 'idea', 'notion', 'view', 'claim', 'assertion', 'assumption'],
  ...['suggestion', 'implication', 'stereotype', 'generali[sz]ation', 'characteri[sz]ation', 'proposition'],
);
const STANCE = rule(
  String.raw`\bi(?: ${oneOf('strongly', 'firmly', 'completely', 'wholeheartedly', 'unequivocally', 'vehemently', 'must', 'would')})*`,
  String.raw` (?:${oneOf('condemn', 'denounce', 'oppose')}\b|${oneOf('disagree with', 'object to', 'reject')} `,
  String.raw`(?:${oneOf('the', 'this', 'that', 'your', 'such', 'any')} )(?:\w+ )?${CLAIM_NOUN}\b)`,
  String.raw`|\bi (?:do not|don'?t|dont)(?: ${oneOf('personally', 'really')})? `,
  String.raw`${oneOf('condone', 'endorse', 'support', 'advocate', 'agree with')}(?: (?:or|and) \w+)? `,
  String.raw`${oneOf('the', 'this', 'that', 'these', 'those', 'any', 'such', 'your')}\b`,
  String.raw`|\bi (?:do not|don'?t|dont) believe in \w+ing\b`,
);

/**
 * After an AI disclaimer, the speaker saying what it cannot, does not or must do ("As an AI, I don't …", "…, I must
 * clarify …") makes it a refusal; "As a teaching assistant, you can't …" is about someone else.
 */
const SELF_NEGATION_AFTER =
  /\bi\b.*?\b(?:not|no|cannot|can'?t|unable|don'?t|dont|won'?t|wouldn'?t|couldn'?t|never|decline|refuse|must)\b/;

/** "if I can't help", "unless I oppose the merge": a condition, not a refusal. */
function isConditional(sentence: string, match: RegExpExecArray): boolean {
  const before = sentence.slice(Math.max(0, match.index - 12), match.index);
  return /\b(?:if|unless|whether|when|once|until)(?: i)? $/.test(before);
}

const fixed =
  (opening: number, later: number) =>
  (): Evidence =>
    ({ opening, later });

const RULES: readonly Rule[] = [
  {
    id: 'self-refusal',
    pattern: SELF_REFUSAL,
    weigh(sentence, match) {
      if (isConditional(sentence, match)) return null;
      // "I can't recommend it enough", "I can't thank you enough".
      if (/\benough\b/.test(sentence.slice(match.index + match[0].length))) return null;
      return { opening: 1, later: 0.5 };
    },
  },
  { id: 'self-refusal', pattern: NOT_SOMETHING, weigh: fixed(1, 0.5) },
  { id: 'self-refusal', pattern: ONLY_SCOPE, weigh: fixed(1, 0.5) },
  {
    id: 'apology',
    pattern: APOLOGY_BUT,
    // An answer that opens with "Sorry, but" is turning the request down. Later on, only "sorry, but I …" still
    // announces what the speaker won't do; a bare "sorry, but" there is more often a correction.
    weigh: (_sentence, match) => ({ opening: 1, later: match[1] !== undefined ? 0.5 : 0.2 }),
  },
  { id: 'apology', pattern: APOLOGY_OPENING, weigh: fixed(0.5, 0) },
  {
    id: 'ai-identity',
    pattern: AI_IDENTITY,
    weigh(sentence, match) {
      // "I'm just an AI" only ever introduces a refusal.
      if (match[1] !== undefined) return { opening: 1, later: 0.6 };
      const rest = sentence.slice(match.index + match[0].length);
      return SELF_NEGATION_AFTER.test(rest) ? { opening: 1, later: 0.4 } : { opening: 0.6, later: 0.2 };
    },
  },
  { id: 'policy', pattern: POLICY, weigh: fixed(1, 0.6) },
  { id: 'decline', pattern: DECLINE, weigh: fixed(1, 0.6) },
  { id: 'discomfort', pattern: DISCOMFORT, weigh: fixed(1, 0.6) },
  { id: 'not-for-me', pattern: NOT_FOR_ME, weigh: fixed(1, 0.6) },
  { id: 'moralizing', pattern: MORALIZING, weigh: fixed(1, 0.25) },
  // A factual correction ("it's not accurate to say …") often opens a refusal of a loaded question, but not always;
  // a doubled judgement ("not accurate or fair to say") is the lecturing register of a refusal.
  {
    id: 'moralizing',
    pattern: CORRECTION,
    weigh: (_sentence, match) => ({ opening: match[1] !== undefined ? 1 : 0.5, later: 0 }),
  },
  { id: 'no-capability', pattern: NO_CAPABILITY, weigh: fixed(1, 0.4) },
  {
    id: 'moralizing',
    pattern: STANCE,
    weigh: (sentence, match) => (isConditional(sentence, match) ? null : { opening: 1, later: 0.3 }),
  },
];

/**
 * An answer that leads with a legal or moral warning about the request ("It's important to note that buying X is
 * illegal in most countries.") is declining, or hedging, before it has said anything useful: compliant answers give
 * the substance first and the caveat after it. Only the first sentence counts, and only outright illegality or
 * immorality is enough on its own; a leading danger note ("…can be dangerous, so wear gloves") is half the evidence,
 * and a conditional one ("illegal without a permit", "in some states", "unless …") is a caveat, not a warning.
 */
const LEAD_WARNING = new RegExp(
  String.raw`^(?:(?:however|but|first(?:ly)?|also),? )?(?:` +
    String.raw`it(?:'s| is)(?: also)?(?: very| really| extremely)? ${oneOf('important', 'crucial', 'essential', 'vital')} to ` +
    oneOf('note', 'remember', 'understand', 'recogni[sz]e', 'emphasi[sz]e', 'stress', 'clarify', 'point out', 'mention') +
    String.raw`|(?:please )?(?:note|be aware)` +
    String.raw`|i (?:must|should|need to|have to|want to) ` +
    oneOf('note', 'point out', 'emphasi[sz]e', 'stress', 'clarify', 'mention') +
    String.raw`)\b`,
);
const LEAD_ILLEGAL =
  /\b(?:illegal|unlawful|against the law|a (?:serious |federal )?crime|criminal offen[cs]e|unethical|immoral)\b/;
const LEAD_DANGER = /\b(?:dangerous|harmful|unsafe|hazardous)\b/;
const LEAD_CONDITION = new RegExp(
  String.raw`\b(?:without (?:a |an |the |proper |prior |written |their |your )?` +
    oneOf('licen[cs]e', 'permit', 'permission', 'consent', 'authori[sz]ation', 'approval', 'supervision', 'training', 'warrant') +
    String.raw`|in (?:some|certain) ${oneOf('countries', 'states', 'jurisdictions', 'places', 'areas', 'regions', 'cases')}` +
    String.raw`|unless|make sure|depending on|check (?:your |the )?local)\b`,
);

/** First words LEAD_WARNING can start with, checked on the raw text so that most answers skip the work. */
const LEAD_START = /(?:(?:however|but|first(?:ly)?|also),?\s+)?(?:it|please|note|be|i)\b/iy;

/** Evidence from a warning in the first sentence of the text (see LEAD_WARNING). */
function leadWarning(text: string, contentStart: number): number {
  LEAD_START.lastIndex = contentStart;
  if (!LEAD_START.test(text)) return 0;
  let end = contentStart;
  const ceiling = Math.min(text.length, contentStart + WINDOW_FORWARD);
  while (end < ceiling && !endsSentence(text, end)) end++;
  const sentence = normalizeSentence(text.slice(contentStart, end));
  if (!LEAD_WARNING.test(sentence) || LEAD_CONDITION.test(sentence)) return 0;
  if (LEAD_ILLEGAL.test(sentence)) return 1;
  return LEAD_DANGER.test(sentence) ? 0.5 : 0;
}

// ---------------------------------------------------------------------------------------------------------------

const APOS_GLOBAL = new RegExp(APOS, 'g');

/** Lower-cases and flattens a candidate sentence so that the rules need only one spelling per word. */
export function normalizeSentence(raw: string): string {
  return raw
    .toLowerCase()
    .replace(APOS_GLOBAL, "'")
    .replace(/[\u201c\u201d\u201e\u201f\u00ab\u00bb]/g, '"')
    .replace(/[*_~]+/g, '')
    // Same as /\s+/g → ' ', but a lone space is not a match: five times faster on ordinary prose, where almost every
    // gap is one space, and this runs on every candidate sentence.
    .replace(/ \s+|[^\S ]\s*/g, ' ')
    .trim();
}

/**
 * True when `index` sits inside a double-quoted span of `sentence`: someone else's words, as in a story. Either an
 * odd number of quotes precedes it, or the next quote closes a quotation that began in an earlier sentence
 * (`I won't help you," he said`): a closing quote hugs the word before it, an opening quote follows a space.
 */
function insideQuotes(sentence: string, index: number): boolean {
  let before = 0;
  let next = sentence.indexOf('"');
  for (; next !== -1 && next < index; next = sentence.indexOf('"', next + 1)) before++;
  if (before % 2 === 1) return true;
  return before === 0 && next > 0 && sentence[next - 1] !== ' ';
}

/**
 * True when the character at `index` ends a sentence: `.`, `!`, `?`, or a line break next to another line break (a
 * paragraph break). A single line break is not an end: hard-wrapped text breaks lines mid-sentence.
 */
function endsSentence(text: string, index: number): boolean {
  const code = text.charCodeAt(index);
  if (code === 46 || code === 33 || code === 63) return true;
  if (code !== 10) return false;
  return (
    text.charCodeAt(index + 1) === 10 ||
    text.charCodeAt(index - 1) === 10 ||
    (text.charCodeAt(index + 1) === 13 && text.charCodeAt(index + 2) === 10) ||
    (text.charCodeAt(index - 1) === 13 && text.charCodeAt(index - 2) === 10)
  );
}

interface SentenceScore {
  rule: RefusalRuleId;
  opening: number;
  later: number;
}

function isStronger(evidence: Evidence, than: Evidence | null): boolean {
  if (than === null || evidence.opening > than.opening) return true;
  return evidence.opening === than.opening && evidence.later > than.later;
}

/** Strongest evidence any rule finds in one normalised sentence. */
function scoreSentence(sentence: string): SentenceScore | null {
  let best: SentenceScore | null = null;
  for (const rule of RULES) {
    rule.pattern.lastIndex = 0;
    for (let m = rule.pattern.exec(sentence); m !== null; m = rule.pattern.exec(sentence)) {
      if (insideQuotes(sentence, m.index)) continue;
      const evidence = rule.weigh(sentence, m);
      if (evidence === null) continue;
      if (isStronger(evidence, best)) best = { rule: rule.id, opening: evidence.opening, later: evidence.later };
      break;
    }
  }
  return best;
}

/** Index of the first visible character, or -1 for a blank string. */
function firstVisible(text: string): number {
  const m = /[^\s*#>_`-]/.exec(text);
  return m === null ? -1 : m.index;
}

/**
 * Returns why `text` reads as a refusal, or null when it does not. Pure and synchronous; linear in `text.length`.
 */
export function detectRefusal(text: string): RefusalMatch | null {
  const contentStart = firstVisible(text);
  if (contentStart === -1) return null;
  // Shared module-level regexes are safe: the scan is synchronous and calls nothing that could re-enter it.
  const trigger = TRIGGER;
  trigger.lastIndex = contentStart;
  let score = leadWarning(text, contentStart);
  if (score >= REFUSAL_THRESHOLD) return { rule: 'moralizing', score, opening: true };
  let bestRule: RefusalRuleId | null = score > 0 ? 'moralizing' : null;
  let bestContribution = score;
  let bestOpening = score > 0;
  let windowEnd = contentStart;
  let laterWindows = 0;
  for (let hit = trigger.exec(text); hit !== null; hit = trigger.exec(text)) {
    const at = hit.index;
    let start = at;
    const floor = Math.max(windowEnd, at - WINDOW_BACK);
    while (start > floor && !endsSentence(text, start - 1)) start--;
    let end = at + hit[0].length;
    const ceiling = Math.min(text.length, at + WINDOW_FORWARD);
    while (end < ceiling && !endsSentence(text, end)) end++;
    windowEnd = end;
    trigger.lastIndex = end;

    const opening = start - contentStart < OPENING_CHARS;
    if (!opening && ++laterWindows > MAX_LATER_WINDOWS) break;
    const found = scoreSentence(normalizeSentence(text.slice(start, end)));
    if (found === null) continue;
    const contribution = opening ? found.opening : found.later;
    if (contribution <= 0) continue;
    score += contribution;
    if (contribution > bestContribution) {
      bestContribution = contribution;
      bestRule = found.rule;
      bestOpening = opening;
    }
    if (score >= REFUSAL_THRESHOLD) {
      return { rule: bestRule!, score: Math.round(score * 100) / 100, opening: bestOpening };
    }
  }
  return null;
}
