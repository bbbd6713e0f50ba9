/**
 * A request body left unparsed by the content-type parser because it will be parsed, validated and used on another
 * thread (a large `POST /v1/evaluate` body, see evaluation/evaluation-threads.ts). The validator lets it through
 * untouched; whoever takes it applies the route's schema itself.
 */
export class DeferredBody {
  constructor(readonly raw: Buffer) {}
}
