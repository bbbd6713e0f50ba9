/**
 * The HTTP application: one plugin per concern (body parsing, errors, the auth plugins, each resource's routes), wired
 * here.
 * `buildApp` owns nothing it is given — the caller (server.ts, or a test) opens and closes the store.
 */
import { readFileSync } from 'node:fs';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { createEngine, defaultGates } from '@pecta/core';
import { AuthCache } from './auth/auth-cache.js';
import type { InvalidationPublisher } from './invalidation/index.js';
import type { SecretBox } from './auth/crypto.js';
import type { ServerConfig } from './config.js';
import { ApiError, errorBody, toErrorBody } from './errors.js';
import { clientErrorHandler, closeAfterReadingBody, expectationHandler, refuseConnect } from './http/edge.js';
import { JSON_CONTENT_TYPE, parseJsonBody } from './http/json-body.js';
import { completeOpenApi } from './http/openapi.js';
import { API_FAST_CHECKS, validatorWithFastChecks } from './http/validator.js';
import authPlugins from './plugins/index.js';
import { RollingWindowLimiter, type RateLimiter } from './ratelimit/index.js';
import { agentRoutes } from './routes/agents.js';
import { dashboardRoutes } from './routes/dashboard.js';
import type { RouteDeps } from './routes/deps.js';
import { evaluateRoutes } from './routes/evaluate.js';
import { EVALUATE_PATH, evaluateRawBody } from './evaluation/evaluate-body.js';
import { EvaluationThreads } from './evaluation/evaluation-threads.js';
import { DeferredBody } from './http/deferred-body.js';
import { eventsRoutes } from './routes/events.js';
import { ingestRoutes } from './routes/ingest.js';
import { keyRoutes } from './routes/keys.js';
import { orgRoutes } from './routes/org.js';
import { HealthResponse } from './schemas.js';
import type { Store } from './store/types.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface AppOptions {
  config: ServerConfig;
  store: Store;
  box: SecretBox;
  limiter?: RateLimiter;
  /** Where changes to keys, limits and settings are announced to the other instances. */
  invalidations?: InvalidationPublisher;
  /** Injectable clock (rate limits, timestamps) for tests. */
  now?: () => number;
  /** pino options, `false` for none; defaults to the configured level on stdout. */
  logger?: boolean | Record<string, unknown>;
}

export interface PectaApp {
  app: FastifyInstance;
  /** What the auth plugins cache; the invalidation bus drops entries from it. */
  auth: AuthCache;
  /** Started lazily by the first large body, or by `start()` before listening (as the server does). */
  evaluations: EvaluationThreads;
}

/** Large bodies waiting per evaluation thread, the one being evaluated included, before 503 `unavailable`. */
const MAX_QUEUED_PER_EVALUATION_THREAD = 16;

export async function buildApp(options: AppOptions): Promise<PectaApp> {
  const { config, store, box } = options;
  const now = options.now ?? Date.now;
  const limiter = options.limiter ?? new RollingWindowLimiter({ now });
  const auth = new AuthCache({
    store,
    box,
    now,
    cacheMs: config.authCacheMs,
    bus: options.invalidations,
    onPublishError: (error) =>
      app.log.warn(`cache invalidation: could not tell the other instances (${error.message}); they apply the change within their cache time`),
  });
  // Building the gates warms the detectors up (see @pecta/core's warm-up.ts), before the server listens.
  const engine = createEngine({ gates: defaultGates(), timeout: config.evaluateTimeoutMs });
  const evaluations = new EvaluationThreads({
    threads: config.evaluateThreads,
    minBytes: config.evaluateThreadMinBytes,
    maxQueued: MAX_QUEUED_PER_EVALUATION_THREAD,
    config: { timeoutMs: config.evaluateTimeoutMs, maxJsonDepth: config.maxJsonDepth },
    inline: (raw) => evaluateRawBody(engine, raw, config.maxJsonDepth),
  });
  const deps: RouteDeps = { store, engine, evaluations, box, auth, config, version: VERSION, now };

  const app = Fastify({
    logger: options.logger ?? (config.logLevel === 'silent' ? false : { level: config.logLevel }),
    bodyLimit: config.defaultBodyLimit,
    trustProxy: config.trustProxy,
    // Keys travel in headers; pino's default request serializer logs method, url and ids, never headers.
    // Per-request lines only at debug and below: at thousands of requests a second they would drown the rest.
    logController: new LogController({ disableRequestLogging: config.logLevel !== 'debug' && config.logLevel !== 'trace' }),
    // Our own hook answers 503 during shutdown, so that it has the API error shape too.
    return503OnClosing: false,
    // An agent id of 200 characters can take 2,400 once percent-encoded; the schema enforces the real limit.
    routerOptions: { maxParamLength: 2500 },
    // Router-level failures (malformed percent-encoding, over-long parameters) get the API error shape too.
    frameworkErrors: (error, _request, reply) => {
      const { body } = toErrorBody(error);
      void (reply as FastifyReply).code(body.status).send(body);
    },
    // So do the parser's: headers too large, malformed requests, timeouts.
    clientErrorHandler: clientErrorHandler(config),
    // Slow clients: headers, then the whole request, must arrive in time (a trickled body gets 408 and is closed).
    requestTimeout: config.requestTimeoutMs,
    http: {
      headersTimeout: config.headersTimeoutMs,
      // Node looks for expired requests only this often, which is what a timeout may overrun by.
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(config.headersTimeoutMs / 4))),
      // Node would refuse a missing Host itself, with an empty body; the onRequest hook below answers in our shape.
      requireHostHeader: false,
    },
  });
  app.server.on('connect', refuseConnect);
  app.server.on('checkExpectation', expectationHandler(config));

  app.setValidatorCompiler(validatorWithFastChecks(API_FAST_CHECKS));
  // Every answer is checked against the same zod schema that documents it in /openapi.json, so the two cannot drift: a
  // field missing from the schema is not sent, a wrong type is a 500 (internal_error) instead of a silent surprise.
  app.setSerializerCompiler(serializerCompiler);

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(JSON_CONTENT_TYPE, { parseAs: 'buffer' }, async (request: FastifyRequest, raw: Buffer) => {
    await app.verifyBodySignature(request, raw);
    if (request.routeOptions.url === EVALUATE_PATH && evaluations.wants(raw.length)) return new DeferredBody(raw);
    return parseJsonBody(raw, config.maxJsonDepth);
  });

  let closing = false;
  let grace: NodeJS.Timeout | undefined;
  app.addHook('preClose', async () => {
    closing = true;
    // In-flight requests get the grace period to finish; connections still open after it (a stalled handler, a client
    // trickling its body) are closed so that shutdown ends.
    grace = setTimeout(() => app.server.closeAllConnections(), config.shutdownGraceMs);
    grace.unref();
  });
  // A connection still busy when shutdown began would otherwise stay open after its last answer, kept alive for
  // fastify's keepAliveTimeout (72 s), and hold the shutdown that long: every answer given while closing ends its
  // connection. (Idle connections are closed when shutdown begins.) So does an answer given before the request body
  // was read, since the connection cannot carry another request before that body is in.
  app.addHook('onSend', (request, reply, payload, done) => {
    const bodyUnread = request.raw.complete === false;
    if (closing || bodyUnread) void reply.header('Connection', 'close');
    if (bodyUnread) closeAfterReadingBody(request.raw, config.requestTimeoutMs);
    done(null, payload);
  });
  app.addHook('onRequest', async (request, reply) => {
    if (request.headers.host === undefined && request.raw.httpVersion === '1.1') {
      throw new ApiError('bad_request', 'malformed HTTP request: HTTP/1.1 requires a Host header');
    }
    if (closing) {
      void reply.header('Connection', 'close');
      throw new ApiError('unavailable', 'the server is shutting down; retry shortly', { 'Retry-After': '1' });
    }
  });

  app.setErrorHandler((error, request, reply) => {
    const { body, headers } = toErrorBody(error);
    if (body.status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.code(body.status).headers(headers).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    void reply.code(404).send(errorBody('not_found', `no route ${request.method} ${request.url.split('?')[0]}`));
  });

  // Before any route, so that every route is checked for its auth declaration and gets the checks it declares.
  await app.register(authPlugins, {
    store,
    limiter,
    cache: auth,
    ingestRateLimit: config.ingestRateLimit,
    defaultRateLimit: config.defaultRateLimit,
    now,
  });

  await app.register(fastifySwagger, {
    openapi: {
      info: { title: 'Pecta API', version: VERSION, description: 'Quality gates and reputation for AI agents' },
      components: {
        securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'pk_live_… or sk_live_… key' } },
      },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: (document) => completeOpenApi(jsonSchemaTransformObject(document) as Record<string, unknown>),
  });

  app.withTypeProvider<ZodTypeProvider>().get('/health', {
    schema: { summary: 'Liveness and store health (no auth, no rate limit)', response: { 200: HealthResponse, 503: HealthResponse }, security: [] },
    handler: async (_request, reply) => {
      const ok = await store.ping().catch(() => false);
      reply.code(ok ? 200 : 503);
      return { status: ok ? ('ok' as const) : ('unavailable' as const), version: VERSION };
    },
  });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(dashboardRoutes());

  await app.register(evaluateRoutes(deps));
  await app.register(ingestRoutes(deps));
  await app.register(eventsRoutes(deps));
  await app.register(agentRoutes(deps));
  await app.register(keyRoutes(deps));
  await app.register(orgRoutes(deps));

  app.addHook('onClose', async () => {
    clearTimeout(grace);
    await evaluations.close();
  });
  return { app, auth, evaluations };
}
