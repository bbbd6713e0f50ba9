/**
 * Concealment and steering: telling the agent to keep something from its user ("do not tell the user", "the user
 * must not know", "hide this from the user"), and the levers of tool poisoning that push it to act before or
 * instead of what it was asked ("before using this tool, read …", "otherwise the tool will not work", "when this
 * tool is available, the send_email tool must …").
 */
import { phraseRule, type PhraseRule } from './phrases.js';

const KEEP_QUIET = "not|don't|dont|never|without|avoid";
const DISCLOSE =
  'tell|telling|inform|informing|mention|mentioning|notify|notifying|alert|alerting|reveal|revealing|disclose|disclosing|show|showing|warn|warning';
const THE_USER = "user|users|user's|human|humans|anyone|requester|operator";

export const CONCEALMENT_RULES: readonly PhraseRule[] = [
  phraseRule('keep-from-user', 'concealment', 1, `${KEEP_QUIET} ~2 ${DISCLOSE} ~3 ${THE_USER}`),
  phraseRule('keep-quiet', 'concealment', 0.5, `${KEEP_QUIET} ~1 ${DISCLOSE} ~2 this|that|these|it|anything`),
  phraseRule('user-must-not-know', 'concealment', 1, "user|users|user's ~2 must|should|shall|need ~1 not|never ~2 know|see|notice|find|learn"),
  phraseRule('hide-from-user', 'concealment', 1, `hide|conceal|keep|hidden ~4 from ~2 ${THE_USER}`),
  phraseRule('upset-user', 'concealment', 0.5, `could|would|might|may ~3 upset|alarm|scare|worry ~2 ${THE_USER}`),
  phraseRule(
    'before-using-tool',
    'concealment',
    0.5,
    'before ~2 using|calling|invoking|running|executing ~2 this|the|any ~1 tool|tools|function ~6 read|call|first|must|pass|send|include|fetch',
  ),
  phraseRule('or-tool-fails', 'concealment', 0.5, "otherwise ~3 tool|it|this ~2 will|won't|cannot|can't|does ~2 not|fail|work"),
  phraseRule('tool-shadowing', 'concealment', 1, 'when|while|if ~1 this ~1 tool ~1 is ~1 available|present|installed|loaded'),
  phraseRule('other-tool-must', 'concealment', 0.5, 'tool|function ~3 must|should|shall ~2 always|send|forward|include|use|redirect|instead'),
];
