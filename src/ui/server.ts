import { createHash } from 'node:crypto';
import { closeSync, createReadStream, existsSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { TrellisError } from '../errors/index.js';
import { annotate, compare, curves, listRuns, logTail, runOf, showRun, sweep, sweeps, type ApiContext, type Params } from './api.js';
import { encodeCurves } from './curves.js';
import { TailCache } from './metrics-tail.js';
import { RowCache } from './run-rows.js';
import { allowedHosts, hostAllowed, newToken, pathInside, tokenMatches } from './security.js';
import type { IndexThreadData } from './index-thread.js';
import { StoreView } from './store-view.js';
import { IdleCollector } from './idle-collect.js';

export interface UiServerOptions {
  roots: readonly string[];
  cwd: string;
  host?: string;
  /** 0: any free port. */
  port?: number;
  /** Default: a fresh random token. */
  token?: string;
  /** Where app.js and app.css are (default: beside the bundle, see assetsDir). */
  assets?: string;
}

export interface UiServer {
  url: string;
  host: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

/**
 * The page's bundle, built by `npm run build` into dist/bundle/ui/. This module runs from the
 * bundle (dist/bundle), from tsc's output (dist/src/ui) or from source in tests (src/ui).
 */
function assetsDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'ui'), join(here, '..', '..', 'bundle', 'ui'), join(here, '..', '..', 'dist', 'bundle', 'ui')];
  return candidates.find((c) => existsSync(join(c, 'app.js'))) ?? candidates[0]!;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

function page(token: string, version: string): string {
  const q = `v=${version}&token=${encodeURIComponent(token)}`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>trellis ui</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/app.css?${q}"></head>
<body><div id="app"></div><script type="module" src="/assets/app.js?${q}"></script></body></html>
`;
}

interface Asset {
  body: Buffer;
  type: string;
}

/**
 * The page's script and style, read once. Their URLs name a hash of both, so the browser may
 * keep them (and V8 its compiled code of app.js, which a reload then skips): a new build gives
 * new URLs. Missing files (not built) are left out, and their route says so.
 */
function loadAssets(dir: string): { files: Map<string, Asset>; version: string } {
  const files = new Map<string, Asset>();
  const hash = createHash('sha256');
  for (const [name, type] of [
    ['app.js', 'text/javascript; charset=utf-8'],
    ['app.css', 'text/css; charset=utf-8'],
  ] as const) {
    const path = join(dir, name);
    if (!existsSync(path)) continue;
    const body = readFileSync(path);
    hash.update(body);
    files.set(`/assets/${name}`, { body, type });
  }
  return { files, version: hash.digest('hex').slice(0, 12) };
}

const STATUS_OF: Partial<Record<string, number>> = { RUN_NOT_FOUND: 404, USAGE: 400, QUERY_SYNTAX: 400, QUERY_TYPE: 400, RUN_LOCKED: 409, SWEEP_INVALID: 422 };

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, code: string, message: string, hint?: string): void {
  sendJson(res, status, { error: { code, message, hint: hint ?? null } });
}

const MAX_BODY = 64 * 1024;

/** A request body over MAX_BODY: answered 413. */
class BodyTooLarge extends TrellisError {}

function readBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (tooLarge) return;
      if (size > MAX_BODY) {
        // Answered (413), not cut off: the rest of the body is read and dropped.
        tooLarge = true;
        chunks.length = 0;
        reject(new BodyTooLarge('USAGE', `request body too large (at most ${MAX_BODY / 1024} KiB)`));
      } else chunks.push(c);
    });
    req.on('end', () => {
      if (tooLarge) return;
      try {
        const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        resolve(v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
      } catch {
        reject(new TrellisError('USAGE', 'request body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

/**
 * Brings the roots' index up to date in a worker thread (see index-thread.ts). Best effort: a
 * failure there (a root that does not exist) is reported by the server's own opening.
 */
function warmIndex(data: IndexThreadData): Promise<void> {
  return new Promise((resolve) => {
    const worker = new Worker(new URL('./index-thread.js', import.meta.url), { workerData: data });
    worker.once('error', () => resolve());
    worker.once('exit', () => resolve());
  });
}

/**
 * The UI's HTTP server: node:http, no framework. Every request must name the `Host` the server
 * listens on (no DNS rebinding) and carry the token: in the `token` query parameter (the
 * printed URL, assets, downloads) or the `x-trellis-token` header. Changes (POST) take the token
 * from the header only, which a page of another origin cannot set without a CORS preflight
 * that this server never grants.
 */
export async function startUiServer(options: UiServerOptions): Promise<UiServer> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? newToken();
  const assets = loadAssets(options.assets ?? assetsDir());
  const collector = new IdleCollector();
  const ctx: ApiContext = {
    view: new StoreView(options.roots, options.cwd, undefined, () => collector.soon()),
    rows: new RowCache(),
    tails: new TailCache(),
  };
  await warmIndex({ roots: [...options.roots], cwd: options.cwd });
  // Roots that do not exist fail here, before a URL is printed.
  ctx.view.current();
  let hosts = new Set<string>();

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    collector.busy();
    if (!hostAllowed(req.headers.host, hosts)) return sendError(res, 421, 'HOST_REFUSED', 'This server answers only requests for its own address');
    const url = new URL(req.url ?? '/', 'http://ui.invalid');
    const header = req.headers['x-trellis-token'];
    const given = typeof header === 'string' ? header : req.method === 'GET' ? url.searchParams.get('token') : null;
    if (!tokenMatches(given, token)) return sendError(res, 403, 'TOKEN_REFUSED', 'Missing or wrong token', 'open the URL trellis ui printed, with its ?token=');
    const params: Params = url.searchParams;
    const path = url.pathname;
    if (req.method === 'POST') {
      if (path !== '/api/tag' && path !== '/api/note') return sendError(res, 404, 'NOT_FOUND', `No route POST ${path}`);
      if (typeof header !== 'string') return sendError(res, 403, 'TOKEN_REFUSED', 'Changes need the x-trellis-token header');
      return sendJson(res, 200, annotate(ctx, path === '/api/tag' ? 'tag' : 'note', await readBody(req)));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return sendError(res, 405, 'METHOD', `Method ${req.method} not allowed`);
    switch (path) {
      case '/':
      case '/index.html': {
        const html = page(token, assets.version);
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP });
        return res.end(html);
      }
      case '/assets/app.js':
      case '/assets/app.css': {
        const asset = assets.files.get(path);
        if (!asset) return sendError(res, 404, 'NOT_FOUND', `${basename(path)} is not built`, 'run npm run build');
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': asset.type, 'cache-control': 'private, max-age=31536000, immutable' });
        return res.end(asset.body);
      }
      case '/api/runs':
        return sendJson(res, 200, listRuns(ctx, params));
      case '/api/run':
        return sendJson(res, 200, showRun(ctx, params));
      case '/api/log':
        return sendJson(res, 200, logTail(ctx, params));
      case '/api/diff':
        return sendJson(res, 200, compare(ctx, params));
      case '/api/sweeps':
        return sendJson(res, 200, sweeps(ctx));
      case '/api/sweep':
        return sendJson(res, 200, sweep(ctx, params));
      case '/api/curves': {
        const { entries, running } = curves(ctx, params);
        const body = encodeCurves(entries, { running });
        res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/octet-stream', 'content-length': body.length });
        return res.end(body);
      }
      case '/api/artifact':
        return sendArtifact(ctx, params, res);
    }
    return sendError(res, 404, 'NOT_FOUND', `No route ${path}`);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (res.headersSent) return res.destroy();
      if (e instanceof TrellisError) sendError(res, e instanceof BodyTooLarge ? 413 : (STATUS_OF[e.code] ?? 500), e.code, e.message, e.hint);
      else sendError(res, 500, 'INTERNAL', e instanceof Error ? e.message : String(e));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  hosts = allowedHosts(host, port);
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shownHost}:${port}/?token=${encodeURIComponent(token)}`,
    host,
    port,
    token,
    close: () =>
      new Promise((resolve) => {
        collector.stop();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Everything from this server; nothing fetched from elsewhere, no inline script. */
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/** GET /api/artifact?run=KEY&path=REL: a file inside the run's directory, never outside it. */
function sendArtifact(ctx: ApiContext, params: Params, res: ServerResponse): void {
  const run = runOf(ctx, params.get('run'));
  const file = pathInside(run.dir, params.get('path') ?? '');
  if (!file) return sendError(res, 404, 'PATH_ESCAPE', `No file '${params.get('path') ?? ''}' inside the run directory`);
  // Opened before the headers go out: a folder or a file gone since is a 404, not a cut reply.
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch {
    return sendError(res, 404, 'RUN_NOT_FOUND', `No file '${params.get('path') ?? ''}' inside the run directory`);
  }
  if (!fstatSync(fd).isFile()) {
    closeSync(fd);
    return sendError(res, 404, 'RUN_NOT_FOUND', `'${params.get('path') ?? ''}' is a folder, not a file`);
  }
  const name = basename(file).replace(/[^\w.-]/g, '_');
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${name}"` });
  createReadStream('', { fd })
    .on('error', () => res.destroy())
    .pipe(res);
}
