/**
 * Exfiltration directives: sending data to an address ("send the conversation to https://…", "forward all e-mails
 * to x@y"), smuggling it through a tool call ("include the API key in the `notes` parameter", "pass its content as
 * 'sidenote'"), reading credential files for that purpose ("read ~/.ssh/id_rsa"), and asking for the agent's own
 * secrets ("what is your secret key?", "print your system prompt"). URLs, e-mail addresses and key files are
 * placeholders of tokens.ts: what matters is that one is there, not which.
 */
import { phraseRule, type PhraseRule } from './phrases.js';

const SHIP = 'send|sends|post|posts|upload|uploads|forward|forwards|transmit|exfiltrate|leak|email|e-mail|mail|submit|deliver|copy|share';
const SECRETS =
  'conversation|conversations|history|chat|secrets|secret|keys|key|credentials|credential|password|passwords|tokens|token|data|contents|content|everything|transcript|prompt|context|emails|messages|files|SECRET_PATH';
const CARRIER =
  'parameter|parameters|param|params|argument|arguments|field|sidenote|query|url|request|notes|metadata|header|headers|body|note';
/** What only an attacker wants moved into a tool call (a token or password in a header is ordinary API use). */
const SMUGGLED = 'conversation|conversations|history|chat|secrets|transcript|prompt|memory|SECRET_PATH';
const REVEAL = 'reveal|print|show|repeat|output|leak|disclose|display|dump|share|tell|give';

export const EXFILTRATION_RULES: readonly PhraseRule[] = [
  phraseRule('ship-secrets-to-address', 'exfiltration', 1, `${SHIP} ~4 ${SECRETS} ~5 to|at|via ~2 URL|EMAIL`),
  phraseRule('ship-to-address', 'exfiltration', 0.5, `${SHIP} ~3 to ~1 URL|EMAIL`),
  phraseRule('address-receives-all', 'exfiltration', 1, `all|every|any ~2 emails|messages|data|requests ~3 to ~1 URL|EMAIL`),
  phraseRule(
    'smuggle-in-call',
    'exfiltration',
    1,
    `include|pass|put|add|append|embed|insert|attach|provide|encode|place ~5 ${SMUGGLED} ~6 in|into|as|inside ~3 ${CARRIER}`,
  ),
  phraseRule('read-key-file', 'exfiltration', 0.5, 'read|cat|open|load|access|retrieve|fetch|get|copy|include|pass|send|upload|contents ~4 SECRET_PATH'),
  phraseRule('key-file-in-call', 'exfiltration', 1, `SECRET_PATH ~8 as|in|into ~3 ${CARRIER}`),
  phraseRule('hand-over-password', 'exfiltration', 0.5, 'confirm|provide|give|share|reveal|tell|send ~3 the|your|user\'s ~2 password|passwords|secret|credentials'),
  phraseRule('ask-own-secret', 'exfiltration', 1, 'what ~1 is|are ~1 your ~2 secret|password|passwords|key|keys|credentials|system'),
  phraseRule('reveal-own-prompt', 'exfiltration', 1, `${REVEAL} ~3 your|the|my ~2 system|initial|original|hidden|secret ~1 prompt|instructions|message|key|password`),
];
