/**
 * The client's requests the relay waits on, matched to the server's responses by `idKey` (see jsonrpc.ts): a response
 * is claimed by the request any MCP client would pair it with, whatever the type or spelling of its id.
 *
 * Answered requests are remembered too (as many as are pending at most). Clients disagree on which of two responses
 * with the same key is "the" answer: after `"id":"0x1"`, the TypeScript SDK has consumed request 1 and ignores a
 * following `"id":1`, while the Python SDK never matched `"0x1"` and takes `"id":1`. So a later response under an
 * answered key is evaluated like the first one instead of slipping through as "unknown". A new request from the client
 * under that key (any method: the id is in use again) ends the memory, so its own response is not taken for a
 * duplicate.
 *
 * Each key holds a short list, normally of one request: distinct client ids that share a key (`"1"` and `1`) both
 * stay pending, and a response prefers the one whose id it repeats exactly.
 */
import { idKey, sameId, type RequestId } from './jsonrpc.js';

export interface PendingRequest {
  id: RequestId;
  method: string;
  /** tools/call: the tool's name (capped). */
  tool: string | undefined;
  startedAt: number;
}

export interface Claim {
  request: PendingRequest;
  /** The request had been answered already: this is a further response under the same key. */
  duplicate: boolean;
}

export class PendingRequests {
  private readonly pending = new Map<string, PendingRequest[]>();
  private readonly answered = new Map<string, PendingRequest>();
  private count = 0;

  constructor(
    private readonly max: number,
    private readonly onForget: () => void = () => {},
  ) {}

  /** Requests waiting for their first response. */
  get size(): number {
    return this.count;
  }

  /** True while any response could still be matched (pending or answered requests). */
  get watching(): boolean {
    return this.count > 0 || this.answered.size > 0;
  }

  add(request: PendingRequest): void {
    const key = idKey(request.id);
    this.answered.delete(key);
    const list = this.pending.get(key);
    const same = list === undefined ? -1 : list.findIndex((r) => sameId(r.id, request.id));
    if (list !== undefined && same !== -1) {
      // A reused id replaces the older request: the server can only answer it once more anyway.
      list[same] = request;
      return;
    }
    if (this.count >= this.max) this.forgetOldest();
    if (list === undefined) this.pending.set(key, [request]);
    else list.push(request);
    this.count++;
  }

  /** A request id seen from the client for a request that is not tracked: its key is in use again. */
  reuse(id: RequestId): void {
    if (this.answered.size > 0) this.answered.delete(idKey(id));
  }

  claim(id: RequestId): Claim | undefined {
    const key = idKey(id);
    const list = this.pending.get(key);
    if (list === undefined) {
      const request = this.answered.get(key);
      return request === undefined ? undefined : { request, duplicate: true };
    }
    const exact = list.findIndex((r) => sameId(r.id, id));
    const [request] = list.splice(exact === -1 ? 0 : exact, 1);
    if (list.length === 0) this.pending.delete(key);
    this.count--;
    if (this.answered.size >= this.max) this.answered.delete(this.answered.keys().next().value as string);
    this.answered.set(key, request!);
    return { request: request!, duplicate: false };
  }

  /** Every request still waiting, oldest key first; nothing is pending or remembered afterwards. */
  takeAll(): PendingRequest[] {
    const all = [...this.pending.values()].flat();
    this.pending.clear();
    this.answered.clear();
    this.count = 0;
    return all;
  }

  private forgetOldest(): void {
    const [key, list] = this.pending.entries().next().value as [string, PendingRequest[]];
    list.shift();
    if (list.length === 0) this.pending.delete(key);
    this.count--;
    this.onForget();
  }
}
