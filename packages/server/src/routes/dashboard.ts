/**
 * Serves the built dashboard (@pecta/dashboard's dist/) at `/` with @fastify/static: every file of the build gets its
 * own route (no wildcard, so unknown paths keep the API's JSON 404), the build's pre-compressed .br/.gz copies are sent
 * when the client accepts them, hashed assets are cached for a year and everything else is revalidated (ETag).
 * Client-side routes (/agents, /events, /settings/…) answer index.html so that deep links and reloads work.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** The dashboard's client-side routes; each one answers index.html. */
export const SPA_ROUTES = ['/', '/agents', '/agents/*', '/events', '/settings', '/settings/*'] as const;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';

/**
 * The page's own code only: no inline script or style, no third-party origin, no framing (key management must not be
 * clickjackable). Styles set from script (CSSOM) are not affected by style-src.
 */
const HTML_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

export interface DashboardOptions {
  /** The built dashboard; default: @pecta/dashboard's dist/. `null` behaves as "not built". */
  distDir?: string | null;
}

/** Where @pecta/dashboard's build output lives, or null when the package is not installed. */
export function resolveDashboardDist(): string | null {
  try {
    return join(dirname(createRequire(import.meta.url).resolve('@pecta/dashboard/package.json')), 'dist');
  } catch {
    return null;
  }
}

/** Vite puts a content hash in every file name under assets/; everything else keeps its name across builds. */
function setHeaders(reply: FastifyReply, path: string): void {
  void reply.header('cache-control', path.includes('/assets/') ? IMMUTABLE : REVALIDATE);
  if (/\.html(\.br|\.gz)?$/.test(path)) void reply.headers(HTML_HEADERS);
}

const NOT_BUILT_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pecta: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>This Pecta server is running and its API answers under <code>/v1</code>, but the web dashboard has not been built.
Build it from the repository root, then restart the server:</p>
<pre>npm run build</pre>
<p>(or only the dashboard: <code>npm run build --workspace=@pecta/dashboard</code>)</p>
</body></html>
`;

export function dashboardRoutes(options: DashboardOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const distDir = options.distDir === undefined ? resolveDashboardDist() : options.distDir;
    if (distDir === null || !existsSync(join(distDir, 'index.html'))) {
      app.log.warn({ distDir }, 'the dashboard is not built: / shows how to build it (npm run build)');
      for (const route of SPA_ROUTES) {
        app.get(route, { schema: { hide: true } }, async (_request, reply) =>
          reply
            .headers({
              ...HTML_HEADERS,
              // Its one inline style is all it needs.
              'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
              'cache-control': REVALIDATE,
            })
            .type('text/html; charset=utf-8')
            .send(NOT_BUILT_PAGE),
        );
      }
      return;
    }
    await app.register(fastifyStatic, {
      root: distDir,
      prefix: '/',
      wildcard: false,
      index: false,
      preCompressed: true,
      cacheControl: false,
      dotfiles: 'ignore',
      // The compressed copies are served in place of their originals, never under their own names.
      globIgnore: ['**/*.br', '**/*.gz'],
      setHeaders,
    });
    for (const route of SPA_ROUTES) {
      app.get(route, { schema: { hide: true } }, async (_request, reply) => reply.sendFile('index.html'));
    }
  };
}
