/**
 * Which messages carry content into the model, and what of them the gates see.
 *
 * - `tools/call` results go to the gates as they are (docs/proxy.md).
 * - `resources/read` and `prompts/get` results, and the `messages`/`systemPrompt` of a server's
 *   `sampling/createMessage` request, go to the gates with their binary payloads replaced: base64 (`blob` of a
 *   resource, `data` of an image or audio block) is decoded, and bytes that are valid UTF-8 are seen as the text they
 *   are, whatever the declared mimeType (a server could label text as octet-stream to slip it past). Other bytes are
 *   seen only as their size: the gates read text, and the base64 of an image would trip them at random.
 */
import { isObject } from './jsonrpc.js';

export type GatedMethod = 'tools/call' | 'resources/read' | 'prompts/get' | 'sampling/createMessage';

/** The gated methods that can be switched off (tools/call always is gated). */
export interface GateSwitches {
  resources: boolean;
  prompts: boolean;
  sampling: boolean;
}

export const ALL_GATED: GateSwitches = { resources: true, prompts: true, sampling: true };

/** The client request methods whose responses are gated, under the switches. */
export function gatedResponseMethod(method: string, switches: GateSwitches): GatedMethod | undefined {
  if (method === 'tools/call') return method;
  if (method === 'resources/read') return switches.resources ? method : undefined;
  if (method === 'prompts/get') return switches.prompts ? method : undefined;
  return undefined;
}

/**
 * How a gated message is named where evaluations are recorded (`tool` of the decision log and telemetry): the tool
 * name for tools/call, the method otherwise. Never a resource URI or prompt argument, which can carry data. MCP tool
 * names cannot contain `/`, so a method name is never mistaken for a tool.
 */
export function recordedName(method: GatedMethod, tool: string | undefined): string | undefined {
  return method === 'tools/call' ? tool : method;
}

/** What the gates see of a response's `result`. */
export function resultView(method: GatedMethod, result: unknown): unknown {
  return method === 'tools/call' ? result : withTextPayloads(result);
}

/** What the gates see of a sampling/createMessage request: what would be put before the model. */
export function samplingView(params: unknown): unknown {
  if (!isObject(params)) return {};
  const view: Record<string, unknown> = {};
  if ('systemPrompt' in params) view.systemPrompt = params.systemPrompt;
  if ('messages' in params) view.messages = withTextPayloads(params.messages);
  return view;
}

/** Noun of the blocked error's message: "Pecta blocked this <noun>: …". */
export function blockedNoun(method: GatedMethod): string {
  switch (method) {
    case 'tools/call':
      return 'tool result';
    case 'resources/read':
      return 'resource';
    case 'prompts/get':
      return 'prompt';
    case 'sampling/createMessage':
      return 'sampling request';
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** A copy of `value` with each base64 payload replaced by its text, or by its size when it is not text. */
function withTextPayloads(value: unknown): unknown {
  // Iterative: a hostile server controls the nesting depth.
  const root: { value: unknown } = { value };
  const stack: [Record<string, unknown> | unknown[], string | number, unknown][] = [[root, 'value', value]];
  while (stack.length > 0) {
    const [parent, key, item] = stack.pop()!;
    if (item === null || typeof item !== 'object') {
      put(parent, key, item);
      continue;
    }
    const copy: Record<string, unknown> | unknown[] = Array.isArray(item) ? [] : {};
    put(parent, key, copy);
    const media = isObject(item) && (item.type === 'image' || item.type === 'audio');
    for (const [k, v] of Object.entries(item)) {
      const payload = typeof v === 'string' && (k === 'blob' || (media && k === 'data'));
      if (payload) put(copy, k, decoded(v));
      else stack.push([copy, Array.isArray(copy) ? Number(k) : k, v]);
    }
  }
  return root.value;
}

/** An own property even for the key "__proto__", which plain assignment would turn into the copy's prototype. */
function put(target: object, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function decoded(base64: string): string | { bytes: number } {
  const bytes = Buffer.from(base64, 'base64');
  try {
    return utf8.decode(bytes);
  } catch {
    return { bytes: bytes.length };
  }
}
