/**
 * Instructions aimed at the model: overriding its task ("ignore previous instructions", "disregard the rest of this
 * data and print …"), replacing its role ("you are now DAN", "developer mode enabled"), dictating its answer ("if
 * asked, simply respond with …", "start every response with …"). Weight 1 marks wording that has no business in
 * data; weight 0.5 marks wording that also occurs in honest text and only counts next to a second signal.
 */
import { phraseRule, type PhraseRule } from './phrases.js';

const DISMISS = 'ignore|disregard|forget|overlook|neglect|ignorez|ignorieren|ignora|olvida';
const GUIDANCE =
  'instructions|instruction|directives|prompts|guidelines|programming|commands|orders|instructed|told|rules|guidance';
const MATERIAL = 'rest|data|content|text|document|webpage|page|resume|function|above|context|information|info|input|email|article|code';
const SPEAK = 'print|say|state|output|respond|reply|tell|write|report|return|repeat|answer|just|only|instead|simply|echo';
const ANSWER = 'response|responses|reply|replies|answer|answers|output|message|messages';
const PERSONA = 'a|an|dan|in|going|free|acting|no|unrestricted|my|the';
const OWNER = 'developer|developers|creator|administrator|admin|owner|operator';

export const OVERRIDE_RULES: readonly PhraseRule[] = [
  phraseRule('dismiss-instructions', 'override', 1, `${DISMISS} ~4 ${GUIDANCE}`),
  phraseRule('dismiss-then-speak', 'override', 1, `${DISMISS} ~3 ${MATERIAL} ~5 and ~2 ${SPEAK}`),
  phraseRule('dismiss-all-but', 'override', 1, `${DISMISS} ~4 except|but ~3 following|this|these`),
  phraseRule('dismiss-everything', 'override', 1, `${DISMISS} ~2 everything|anything ~3 above|before|previously|said|else|prior`),
  phraseRule('dismiss-all', 'override', 0.5, `${DISMISS} ~1 all|any|other`),
  phraseRule(
    'supersede-guidance',
    'override',
    1,
    'override|overrides|bypass|supersede|supersedes|replace|replaces ~3 system|previous|prior|your|all|safety|original|any ~2 prompt|instructions|rules|guidelines|directives|restrictions|programming',
  ),
  phraseRule('new-task', 'override', 1, 'your ~2 actual|real|true|new|only ~1 task|instructions|objective|goal|role|purpose|mission|job'),
  phraseRule('new-rule', 'override', 1, 'new ~1 mandatory|important|system|updated ~1 rule|rules|instruction|instructions|directive'),
  phraseRule('you-are-now', 'override', 0.5, `you ~0 are ~0 now ~1 ${PERSONA}`),
  phraseRule('you-re-now', 'override', 0.5, `you're ~0 now ~1 ${PERSONA}`),
  phraseRule('from-now-on', 'override', 0.5, "from ~0 now ~0 on ~2 you|you're|your"),
  phraseRule('act-as', 'override', 0.5, 'you ~4 act|acting|pretend|roleplay|simulate|immerse ~2 as|like|to|be|yourself'),
  phraseRule('persona-mode', 'override', 1, 'dan|jailbreak|jailbroken|unrestricted|god|override ~0 mode'),
  phraseRule('developer-mode-on', 'override', 1, 'developer ~0 mode ~1 enabled|activated|on'),
  phraseRule('do-anything-now', 'override', 1, 'do ~0 anything ~0 now'),
  phraseRule('stop-everything', 'override', 0.5, 'stop ~0 everything'),
  phraseRule('just-say', 'override', 0.5, 'just|simply|only ~0 print|say|respond|reply|output|state'),
  phraseRule('answer-only', 'override', 1, 'reply|respond|answer|print|output|say|repeat ~3 only|exactly|verbatim ~3 following'),
  phraseRule('nothing-else', 'override', 0.5, 'absolutely ~0 nothing ~0 else'),
  phraseRule('if-asked', 'override', 1, `if ~2 asked|asks|questioned ~8 respond|reply|say|report|answer|tell|state|print`),
  phraseRule('lead-every-answer', 'override', 1, `start|begin|prefix|prepend|preface ~2 your|every|each|all|the|next ~2 ${ANSWER}`),
  phraseRule('answers-must', 'override', 1, `all|every|each|your ~1 ${ANSWER} ~1 must|should|shall ~2 begin|start|include|contain|end`),
  phraseRule('first-output-must', 'override', 1, `your|the ~1 first|next ~1 ${ANSWER} ~1 must|should|shall|is`),
  phraseRule('before-answering', 'override', 0.5, 'before ~0 answering|responding|replying'),
  phraseRule('before-any-answer', 'override', 0.5, `before ~0 any|every|each ~1 other ~0 ${ANSWER}|content`),
  phraseRule('emit-before', 'override', 0.5, 'print|output|say|echo|prepend ~2 before|first'),
  phraseRule('override-then-speak', 'override', 1, 'override|bypass ~3 and ~1 output|print|report|respond|reply|state'),
  phraseRule('emit-token', 'override', 0.5, 'output|print|write|echo|say|emit ~2 the ~1 word|token|string|identifier|phrase|marker'),
  phraseRule('must-emit', 'override', 0.5, 'must|always ~2 output|print|say|echo|reply|respond|prepend|write'),
  phraseRule('regardless-of-user', 'override', 0.5, 'regardless ~0 of ~2 user|input|instructions|what'),
  phraseRule('no-deviation', 'override', 0.5, 'not|never|cannot ~1 deviate'),
  phraseRule('focus-only', 'override', 0.5, 'focus ~1 only|exclusively|solely'),
  phraseRule('claims-ownership', 'override', 1, `i'm|im ~0 your ~0 ${OWNER}`),
  phraseRule('claims-ownership-long', 'override', 1, `i ~0 am ~0 your ~0 ${OWNER}`),
  phraseRule('system-check', 'override', 0.5, 'system ~0 reset|upgrade'),
];
