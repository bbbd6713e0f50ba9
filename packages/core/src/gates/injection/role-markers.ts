/**
 * Chat-template and role markers inside data: special tokens of model chat formats (`<|im_start|>`, `[INST]`,
 * `<<SYS>>`, `<|endoftext|>`), pseudo system tags (`<system>`, `[system]`, `### System:`), shouted authority headers
 * ("SYSTEM:", "ADMIN REQUEST", "SYSTEM OVERRIDE") and a fake conversation: a line that starts "Assistant:" next to
 * one that starts "User:" or "Human:". Tool output has no reason to carry any of them; a single "System:" line in
 * mixed case is weak (system information tools print it), so it counts half.
 *
 * Markers are found in one pass per first character (marker-set.ts) and line starts are visited once.
 */
import type { Finding } from './kinds.js';
import { MarkerSet } from './marker-set.js';
import { MARK_ANGLE, MARK_BRACKET, MARK_CAPITAL, MARK_COLON, MARK_HASH } from './tokens.js';

/** Searched in the lower-cased text. */
const TEMPLATE_MARKERS = new MarkerSet([
  '<|im_start|>',
  '<|im_end|>',
  '<|endoftext|>',
  '<|system|>',
  '<|user|>',
  '<|assistant|>',
  '<|start_header_id|>',
  '<|eot_id|>',
  '<|begin_of_text|>',
  '[inst]',
  '[/inst]',
  '<<sys>>',
  '<</sys>>',
  '<system>',
  '</system>',
  '[system]',
  '<end of session>',
  '<system mode>',
  '<instruction>',
  '</instruction>',
  '### system:',
  '### instruction:',
]);

/** Searched as written: in capitals these are headers addressed to a reader, in prose they are ordinary words. */
const SHOUTED_MARKERS = new MarkerSet([
  'SYSTEM:',
  'SYSTEM MESSAGE',
  'SYSTEM NOTICE',
  'SYSTEM OVERRIDE',
  'SYSTEM MODE',
  'ADMIN REQUEST',
  'CORE INSTRUCTION',
  'FOLLOW INSTRUCTION',
  'METADATA OVERRIDE',
  'OVERRIDE MODE',
  '[OVERRIDE]',
]);

const MAX_LABEL_INDENT = 4;

/** `marks` are the tokenizer's MARK_* bits: a text without "<", "[" or "#" holds no template marker, and so on. */
export function findRoleMarkers(text: string, marks: number, lowered: () => string, out: Finding[]): void {
  if (marks & (MARK_ANGLE | MARK_BRACKET | MARK_HASH) && TEMPLATE_MARKERS.foundIn(lowered())) {
    out.push({ kind: 'roleMarker', rule: 'template-marker', weight: 1 });
  }
  if (marks & MARK_CAPITAL && SHOUTED_MARKERS.foundIn(text)) {
    out.push({ kind: 'roleMarker', rule: 'shouted-header', weight: 1 });
  }
  if (!(marks & MARK_COLON)) return;
  const labels = lineLabels(text);
  if (labels.assistant && labels.user) out.push({ kind: 'roleMarker', rule: 'fake-conversation', weight: 1 });
  else if (labels.system) out.push({ kind: 'roleMarker', rule: 'system-line', weight: 0.5 });
}

interface LineLabels {
  system: boolean;
  assistant: boolean;
  user: boolean;
}

/** Which turn labels start a line (after a little indentation, quote or list marks), in any case. */
function lineLabels(text: string): LineLabels {
  const labels: LineLabels = { system: false, assistant: false, user: false };
  let start = 0;
  while (start < text.length) {
    let i = start;
    const limit = Math.min(text.length, start + MAX_LABEL_INDENT);
    while (i < limit && ' \t>#-*'.includes(text[i]!)) i++;
    if (startsWithLabel(text, i, 'system:')) labels.system = true;
    else if (startsWithLabel(text, i, 'assistant:')) labels.assistant = true;
    else if (startsWithLabel(text, i, 'user:') || startsWithLabel(text, i, 'human:')) labels.user = true;
    const next = text.indexOf('\n', start);
    if (next < 0) break;
    start = next + 1;
  }
  return labels;
}

/** `label` (lower-case letters and a colon) at `at`, letters compared in either case. */
function startsWithLabel(text: string, at: number, label: string): boolean {
  if (at + label.length > text.length) return false;
  for (let k = 0; k < label.length; k++) {
    const code = text.charCodeAt(at + k);
    const folded = code >= 65 && code <= 90 ? code + 32 : code;
    if (folded !== label.charCodeAt(k)) return false;
  }
  return true;
}
