/**
 * Chat-template and role markers inside data: special tokens of model chat formats (`<|im_start|>`, `[INST]`,
 * `<<SYS>>`, `<|endoftext|>`), pseudo system tags (`<system>`, `[system]`, `### System:`), shouted authority headers
 * ("SYSTEM:", "ADMIN REQUEST", "SYSTEM OVERRIDE") and a fake conversation: a line that starts "Assistant:" next to
 * one that starts "User:" or "Human:". Tool output has no reason to carry any of them; a single "System:" line in
 * mixed case is weak (system information tools print it), so it counts half.
 *
 * Every marker is found with `indexOf` (one linear search each) and line starts are visited once.
 */
import type { Finding } from './kinds.js';

/** Searched in the lower-cased text. */
const TEMPLATE_MARKERS: readonly string[] = [
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
];

/** Searched as written: in capitals these are headers addressed to a reader, in prose they are ordinary words. */
const SHOUTED_MARKERS: readonly string[] = [
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
];

const MAX_LABEL_INDENT = 4;

export function findRoleMarkers(text: string, lowered: () => string, out: Finding[]): void {
  // Every template marker holds "<", "[" or "#", every shouted one a capital S, A, C, F, M or O: most text has
  // neither, and one search for a character is cheaper than twenty for a marker.
  if (hasAny(text, '<[#') && TEMPLATE_MARKERS.some((marker) => lowered().includes(marker))) {
    out.push({ kind: 'roleMarker', rule: 'template-marker', weight: 1 });
  }
  if (hasAny(text, 'SACFMO[') && SHOUTED_MARKERS.some((marker) => text.includes(marker))) {
    out.push({ kind: 'roleMarker', rule: 'shouted-header', weight: 1 });
  }
  if (!text.includes(':')) return;
  const labels = lineLabels(lowered());
  if (labels.assistant && labels.user) out.push({ kind: 'roleMarker', rule: 'fake-conversation', weight: 1 });
  else if (labels.system) out.push({ kind: 'roleMarker', rule: 'system-line', weight: 0.5 });
}

function hasAny(text: string, chars: string): boolean {
  for (const ch of chars) if (text.includes(ch)) return true;
  return false;
}

interface LineLabels {
  system: boolean;
  assistant: boolean;
  user: boolean;
}

/** Which turn labels start a line (after a little indentation, quote or list marks). */
function lineLabels(lower: string): LineLabels {
  const labels: LineLabels = { system: false, assistant: false, user: false };
  let start = 0;
  while (start < lower.length) {
    let i = start;
    const limit = Math.min(lower.length, start + MAX_LABEL_INDENT);
    while (i < limit && ' \t>#-*'.includes(lower[i]!)) i++;
    if (lower.startsWith('system:', i)) labels.system = true;
    else if (lower.startsWith('assistant:', i)) labels.assistant = true;
    else if (lower.startsWith('user:', i) || lower.startsWith('human:', i)) labels.user = true;
    const next = lower.indexOf('\n', start);
    if (next < 0) break;
    start = next + 1;
  }
  return labels;
}
