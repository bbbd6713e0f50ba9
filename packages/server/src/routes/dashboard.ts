/**
 * Serves the built dashboard (@pecta/dashboard's dist/) at `/`. The files are read once, when the app is built, and
 * served from memory: hashed assets are cached for a year, index.html is revalidated every time (ETag), and text is
 * gzipped when the client accepts it (compressed on first request, then kept). Client-side routes (/agents, /events,
 * /settings/…) get index.html; /v1/*, /health and /openapi.json are never touched, so unknown API paths keep their
 * JSON 404.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';

/** The dashboard's client-side routes; each one answers index.html so that deep links and reloads work. */
export const SPA_ROUTES = ['/', '/agents', '/agents/*', '/events', '/settings', '/settings/*'] as const;

const IMMUTABLE = 'public, max-age=31536000, immutable';
const REVALIDATE = 'no-cache';
/** Below this, gzip's framing eats most of the saving. */
const MIN_GZIP_BYTES = 512;

const TYPES: Record<string, { type: string; compressible: boolean }> = {
  '.html': { type: 'text/html; charset=utf-8', compressible: true },
  '.js': { type: 'text/javascript; charset=utf-8', compressible: true },
  '.mjs': { type: 'text/javascript; charset=utf-8', compressible: true },
  '.css': { type: 'text/css; charset=utf-8', compressible: true },
  '.svg': { type: 'image/svg+xml', compressible: true },
  '.json': { type: 'application/json; charset=utf-8', compressible: true },
  '.map': { type: 'application/json; charset=utf-8', compressible: true },
  '.txt': { type: 'text/plain; charset=utf-8', compressible: true },
  '.png': { type: 'image/png', compressible: false },
  '.ico': { type: 'image/x-icon', compressible: false },
  '.woff2': { type: 'font/woff2', compressible: false },
};

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

interface Asset {
  body: Buffer;
  type: string;
  compressible: boolean;
  cacheControl: string;
  /** Strong validator of the identity bytes; the gzipped variant gets its own (`…-gz`). */
  etag: string;
  gzip: Buffer | null | undefined;
  extraHeaders: Record<string, string>;
}

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

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

function strongEtag(body: Buffer): string {
  return `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
}

/** URL path → asset, for every file of a built dashboard; null when there is no build (no index.html). */
export function loadDashboardAssets(distDir: string | null): Map<string, Asset> | null {
  if (distDir === null || !existsSync(join(distDir, 'index.html'))) return null;
  const assets = new Map<string, Asset>();
  for (const file of listFiles(distDir)) {
    const urlPath = '/' + relative(distDir, file).split(sep).join('/');
    const kind = TYPES[extname(file).toLowerCase()] ?? { type: 'application/octet-stream', compressible: false };
    const body = readFileSync(file);
    assets.set(urlPath, {
      body,
      type: kind.type,
      compressible: kind.compressible && body.length >= MIN_GZIP_BYTES,
      // Vite puts a content hash in every file name under assets/; everything else keeps its name across builds.
      cacheControl: urlPath.startsWith('/assets/') ? IMMUTABLE : REVALIDATE,
      etag: strongEtag(body),
      gzip: undefined,
      extraHeaders: urlPath.endsWith('.html') ? HTML_HEADERS : {},
    });
  }
  return assets;
}

/** Whether Accept-Encoding admits gzip: an explicit `gzip` entry decides, else `*`; `q=0` refuses. */
export function acceptsGzip(header: string | string[] | undefined): boolean {
  if (header === undefined) return false;
  let wildcard: boolean | undefined;
  for (const part of (Array.isArray(header) ? header.join(',') : header).split(',')) {
    const [coding = '', ...params] = part.split(';');
    const name = coding.trim().toLowerCase();
    const q = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith('q='));
    const allowed = q === undefined || Number(q.slice(2)) > 0;
    if (name === 'gzip' || name === 'x-gzip') return allowed;
    if (name === '*') wildcard = allowed;
  }
  return wildcard ?? false;
}

function matchesEtag(header: string | undefined, etags: string[]): boolean {
  if (!header) return false;
  return header.split(',').some((raw) => {
    const tag = raw.trim().replace(/^W\//, '');
    return tag === '*' || etags.includes(tag);
  });
}

function gzipped(asset: Asset): Buffer | null {
  if (asset.gzip === undefined) {
    const packed = gzipSync(asset.body, { level: 9 });
    asset.gzip = packed.length < asset.body.length ? packed : null;
  }
  return asset.gzip;
}

function send(asset: Asset, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const gzip = asset.compressible && acceptsGzip(request.headers['accept-encoding']) ? gzipped(asset) : null;
  const etag = gzip ? asset.etag.replace(/"$/, '-gz"') : asset.etag;
  void reply.headers({ ...asset.extraHeaders, 'cache-control': asset.cacheControl, etag });
  if (asset.compressible) void reply.header('vary', 'Accept-Encoding');
  if (matchesEtag(request.headers['if-none-match'], [asset.etag, asset.etag.replace(/"$/, '-gz"')])) {
    return reply.code(304).send();
  }
  void reply.type(asset.type);
  if (gzip) return reply.header('content-encoding', 'gzip').send(gzip);
  return reply.send(asset.body);
}

const NOT_BUILT_PAGE = Buffer.from(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Pecta: dashboard not built</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem; line-height: 1.5">
<h1>The dashboard is not built</h1>
<p>This Pecta server is running and its API answers under <code>/v1</code>, but the web dashboard has not been built.
Build it from the repository root, then restart the server:</p>
<pre>npm run build</pre>
<p>(or only the dashboard: <code>npm run build --workspace=@pecta/dashboard</code>)</p>
</body></html>
`);

function notBuiltAsset(): Asset {
  return {
    body: NOT_BUILT_PAGE,
    type: 'text/html; charset=utf-8',
    compressible: false,
    cacheControl: REVALIDATE,
    etag: strongEtag(NOT_BUILT_PAGE),
    gzip: null,
    // Its one inline style is all it needs.
    extraHeaders: { ...HTML_HEADERS, 'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" },
  };
}

function registerFile(app: FastifyInstance, path: string, asset: Asset): void {
  app.get(path, { schema: { hide: true } }, async (request, reply) => send(asset, request, reply));
}

export function dashboardRoutes(options: DashboardOptions = {}): FastifyPluginAsync {
  return async (app) => {
    const distDir = options.distDir === undefined ? resolveDashboardDist() : options.distDir;
    const assets = loadDashboardAssets(distDir);
    if (!assets) {
      app.log.warn({ distDir }, 'the dashboard is not built: / shows how to build it (npm run build)');
    }
    const index = assets?.get('/index.html') ?? notBuiltAsset();
    for (const route of SPA_ROUTES) registerFile(app, route, index);
    if (!assets) return;

    // Hashed assets share one wildcard route; a miss is the API's JSON 404, never index.html.
    app.get('/assets/*', { schema: { hide: true } }, async (request, reply) => {
      const asset = assets.get(request.url.split('?')[0]!);
      if (!asset) throw new ApiError('not_found', `no route ${request.method} ${request.url.split('?')[0]}`);
      return send(asset, request, reply);
    });
    // Files at the top of dist/ (index.html, favicon.svg, …) each get their own route.
    for (const [path, asset] of assets) {
      if (!path.startsWith('/assets/') && /^\/[\w.-]+$/.test(path)) registerFile(app, path, asset);
    }
  };
}
