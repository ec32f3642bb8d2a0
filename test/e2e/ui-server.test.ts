/**
 * The UI's server over plain HTTP: who may ask (token, Host), what may be read (nothing outside
 * the roots), and what the API answers over a hand-written store (test/fixtures/ui/store).
 */
import { request } from 'node:http';
import { readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startUiServer, type UiServer } from '../../src/ui/server.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';

const RUN_A = 'runs/2026-11-23/10-15-02';
const RUN_B = 'runs/2026-11-23/10-20-00';
let server: UiServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(): Promise<{ server: UiServer; cwd: string }> {
  const cwd = tmpDir({}, join(repoRoot, 'test', 'fixtures', 'ui', 'store'));
  server = await startUiServer({ roots: ['runs'], cwd });
  return { server, cwd };
}

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json: () => Record<string, unknown>;
}

function call(s: UiServer, path: string, options: { host?: string; headers?: Record<string, string>; method?: string; body?: unknown } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: s.port,
        path,
        method: options.method ?? 'GET',
        headers: { host: options.host ?? `127.0.0.1:${s.port}`, ...options.headers },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown> });
        });
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(JSON.stringify(options.body));
    req.end();
  });
}

const withToken = (s: UiServer, path: string) => `${path}${path.includes('?') ? '&' : '?'}token=${s.token}`;

describe('trellis ui server: who may ask', () => {
  it.each([
    { name: 'no token', path: '/api/runs', status: 403, code: 'TOKEN_REFUSED' },
    { name: 'a wrong token', path: '/api/runs?token=wrong', status: 403, code: 'TOKEN_REFUSED' },
    { name: 'no token for the page', path: '/', status: 403, code: 'TOKEN_REFUSED' },
    { name: 'no token for an artifact', path: `/api/artifact?run=${RUN_A}&path=model.json`, status: 403, code: 'TOKEN_REFUSED' },
  ])('refuses $name', async ({ path, status, code }) => {
    const { server: s } = await start();
    const r = await call(s, path);
    expect(r.status).toBe(status);
    expect(r.json()).toMatchObject({ error: { code } });
  });

  it.each([
    { name: 'a rebinding name', host: (port: number) => `attacker.example:${port}` },
    { name: 'another port', host: (port: number) => `127.0.0.1:${port + 1}` },
    { name: 'no port', host: () => '127.0.0.1' },
  ])('refuses a foreign Host header ($name), even with the token', async ({ host }) => {
    const { server: s } = await start();
    const r = await call(s, withToken(s, '/api/runs'), { host: host(s.port) });
    expect(r.status).toBe(421);
    expect(r.json()).toMatchObject({ error: { code: 'HOST_REFUSED' } });
  });

  it('answers with the token in the URL or in the header, and localhost as Host', async () => {
    const { server: s } = await start();
    expect((await call(s, withToken(s, '/api/runs'))).status).toBe(200);
    expect((await call(s, '/api/runs', { headers: { 'x-trellis-token': s.token } })).status).toBe(200);
    expect((await call(s, withToken(s, '/api/runs'), { host: `localhost:${s.port}` })).status).toBe(200);
    expect(s.url).toBe(`http://127.0.0.1:${s.port}/?token=${s.token}`);
  });

  it('serves the page script under a URL naming its content, to be cached; data is never cached', async () => {
    const { server: s } = await start();
    const html = (await call(s, withToken(s, '/'))).body.toString('utf8');
    const src = /<script type="module" src="([^"]+)"/.exec(html)![1]!;
    expect(src).toMatch(/^\/assets\/app\.js\?v=[0-9a-f]{12}&token=/);
    const asset = await call(s, src);
    expect(asset.status).toBe(200);
    expect(asset.headers['cache-control']).toBe('private, max-age=31536000, immutable');
    expect(asset.body.equals(readFileSync(join(repoRoot, 'dist', 'bundle', 'ui', 'app.js')))).toBe(true);
    expect((await call(s, src.replace(/&token=.*/, ''))).status).toBe(403);
    expect((await call(s, withToken(s, '/api/runs'))).headers['cache-control']).toBe('no-store');
  });

  it('changes need the token in a header, never only in the URL', async () => {
    const { server: s, cwd } = await start();
    const r = await call(s, withToken(s, '/api/tag'), { method: 'POST', body: { run: RUN_A, tags: ['x'] } });
    expect(r.status).toBe(403);
    expect(JSON.parse(readFileSync(join(cwd, RUN_A, '.trellis', 'run.json'), 'utf8')).tags).toEqual([]);
  });
});

describe('trellis ui server: the artifact route stays inside the roots', () => {
  it('serves a file of the run', async () => {
    const { server: s } = await start();
    const r = await call(s, withToken(s, `/api/artifact?run=${RUN_A}&path=model.json`));
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('{"w": 1}\n');
  });

  it.each([
    { name: 'parent of the run', run: RUN_A, path: '../../../secret.txt' },
    { name: 'encoded parent', run: RUN_A, path: '%2e%2e%2f%2e%2e%2f%2e%2e%2fsecret.txt' },
    { name: 'an absolute path', run: RUN_A, path: '/etc/passwd' },
    { name: 'a link out of the run', run: RUN_A, path: 'link-out' },
    { name: 'a run key that is no run', run: 'runs/2026-11-23', path: '../secret.txt' },
    { name: 'a run key outside the roots', run: '.', path: 'secret.txt' },
    { name: 'a run key climbing out', run: `${RUN_A}/../../..`, path: 'secret.txt' },
    { name: 'the run directory itself', run: RUN_A, path: '.' },
    // A folder inside the run: an answer, not a connection cut after a 200.
    { name: 'a folder of the run', run: RUN_A, path: '.trellis' },
    { name: 'a file that is not there', run: RUN_A, path: 'nope.bin' },
  ])('refuses $name', async ({ run, path }) => {
    const { server: s, cwd } = await start();
    symlinkSync(join(cwd, 'secret.txt'), join(cwd, RUN_A, 'link-out'));
    const r = await call(s, withToken(s, `/api/artifact?run=${encodeURIComponent(run)}&path=${path.startsWith('%') ? path : encodeURIComponent(path)}`));
    expect(r.status).toBe(404);
    expect(r.body.toString()).not.toContain('not for the UI');
  });
});

describe('trellis ui server: the API', () => {
  it('lists runs with the query language of runs list: filter, sort, varying keys, metrics', async () => {
    const { server: s } = await start();
    const all = (await call(s, withToken(s, '/api/runs?sort=optimizer.lr'))).json();
    expect(all).toMatchObject({ total: 2, matched: 2, varying: ['optimizer.name', 'optimizer.lr'], metrics: ['loss'], problems: [] });
    expect((all.rows as Array<{ key: string }>).map((r) => r.key)).toEqual([RUN_A, RUN_B]);
    const desc = (await call(s, withToken(s, '/api/runs?sort=-optimizer.lr'))).json();
    expect((desc.rows as Array<{ key: string }>).map((r) => r.key)).toEqual([RUN_B, RUN_A]);
    const sgd = (await call(s, withToken(s, `/api/runs?q=${encodeURIComponent('optimizer.name = sgd')}`))).json();
    expect(sgd.matched).toBe(1);
    const page = (await call(s, withToken(s, '/api/runs?sort=optimizer.lr&offset=1&limit=1'))).json();
    expect((page.rows as Array<{ key: string }>).map((r) => r.key)).toEqual([RUN_B]);
  });

  it.each([
    {
      name: 'a syntax error, at its column',
      q: 'optimizer.lr <',
      code: 'QUERY_SYNTAX',
      col: 15,
      hint: "quote values with spaces or operator characters: name = 'a b'",
    },
    { name: 'an unknown status, with a did-you-mean', q: 'status = compleeted', code: 'QUERY_TYPE', col: 10, hint: "did you mean 'completed'?" },
    { name: 'a key no run has, with a did-you-mean', q: 'optimizr.lr < 1', code: 'QUERY_UNKNOWN_KEY', col: null, hint: "did you mean 'optimizer.lr'?" },
  ])('reports $name', async ({ q, code, col, hint }) => {
    const { server: s } = await start();
    const r = (await call(s, withToken(s, `/api/runs?q=${encodeURIComponent(q)}`))).json();
    expect(r.problems).toEqual([expect.objectContaining({ code, col, hint })]);
  });

  it('shows a run: config with origins, files, log, rerun command', async () => {
    const { server: s } = await start();
    const r = (await call(s, withToken(s, `/api/run?run=${RUN_A}`))).json();
    expect(r.config).toEqual([
      { key: 'optimizer.name', value: 'adam', origin: "override 'optimizer=adam'" },
      { key: 'optimizer.lr', value: 0.01, origin: 'conf/optimizer/adam.yaml:2:5' },
      { key: 'seed', value: 1, origin: 'conf/config.yaml:3:7' },
    ]);
    expect(r.files).toEqual([
      { path: 'model.json', size: 9 },
      { path: 'train.log', size: 24 },
    ]);
    expect(r.log).toMatchObject({ file: `${RUN_A}/train.log`, text: 'epoch 0\nepoch 1\nepoch 2\n' });
    expect(r.rerun).toBe(`trellis rerun ${RUN_A}`);
  });

  it('compares runs as runs diff does, with origins', async () => {
    const { server: s } = await start();
    const r = (await call(s, withToken(s, `/api/diff?runs=${RUN_A},${RUN_B}`))).json() as { diffs: Array<{ categories: Record<string, unknown[]> }> };
    expect(r.diffs[0]!.categories.config).toContainEqual({
      key: 'optimizer.lr',
      a: 0.01,
      b: 0.1,
      aFrom: 'conf/optimizer/adam.yaml:2:5',
      bFrom: 'conf/optimizer/sgd.yaml:2:5',
    });
  });

  it('tags and notes through the store API; run.json is the truth', async () => {
    const { server: s, cwd } = await start();
    const headers = { 'x-trellis-token': s.token };
    expect((await call(s, '/api/tag', { method: 'POST', headers, body: { run: RUN_A, tags: ['best'] } })).status).toBe(200);
    expect((await call(s, '/api/note', { method: 'POST', headers, body: { run: RUN_A, text: 'looks good' } })).status).toBe(200);
    const record = JSON.parse(readFileSync(join(cwd, RUN_A, '.trellis', 'run.json'), 'utf8'));
    expect(record).toMatchObject({ tags: ['best'], notes: ['looks good'] });
    const rows = (await call(s, withToken(s, `/api/runs?q=${encodeURIComponent('tags = best')}`))).json();
    expect(rows.matched).toBe(1);
  });

  it('answers a body over its limit with 413, not a cut connection', async () => {
    const { server: s } = await start();
    const headers = { 'x-trellis-token': s.token };
    const r = await call(s, '/api/note', { method: 'POST', headers, body: { run: RUN_A, text: 'x'.repeat(200 * 1024) } });
    expect(r.status).toBe(413);
    expect(r.json()).toMatchObject({ error: { code: 'USAGE' } });
  });

  it.each(['5', '-1', 'abc', '1'])('refuses smoothing %s (0 to below 1, as the page sends)', async (smooth) => {
    const { server: s } = await start();
    const r = await call(s, withToken(s, `/api/curves?runs=${RUN_A}&smooth=${smooth}`));
    expect(r.status).toBe(400);
  });

  it('sends curves as binary columns after a JSON header', async () => {
    const { server: s } = await start();
    const r = await call(s, withToken(s, `/api/curves?runs=${RUN_A}&x=time`));
    const headerLength = r.body.readUInt32LE(0);
    const header = JSON.parse(r.body.subarray(4, 4 + headerLength).toString('utf8'));
    // Not bucketed and not smoothed: min, max and smooth equal y and are left out; 1, 0.5 and
    // 0.25 are exact in float32, so y travels at 4 bytes a value.
    expect(header).toEqual({ curves: [{ run: RUN_A, metric: 'loss', points: 3, bucketed: false, n: 3, x: 0, columns: { y: 4 } }], running: [] });
    const start8 = Math.ceil((4 + headerLength) / 8) * 8;
    expect([0, 1, 2].map((k) => r.body.readDoubleLE(start8 + k * 8))).toEqual([1, 2, 3]); // x: time, float64
    expect([0, 1, 2].map((k) => r.body.readFloatLE(start8 + 24 + k * 4))).toEqual([1, 0.5, 0.25]); // y
    expect(r.body.length).toBe(start8 + 24 + 16); // y padded to 8 bytes
  });
});

describe('trellis ui: the command line', () => {
  it.each([
    { name: '--help', args: ['ui', '--help'], code: 0, stdout: 'trellis ui [ROOT…] [--port N] [--host 127.0.0.1] [--open]', stderr: '' },
    { name: 'a port out of range', args: ['ui', '--port', '70000'], code: 2, stdout: '', stderr: "--port must be a port number (0-65535), got '70000'" },
    { name: 'a root that does not exist', args: ['ui', 'nowhere'], code: 1, stdout: '', stderr: 'No such directory: nowhere' },
  ])('$name', ({ args, code, stdout, stderr }) => {
    const r = runCli(args, { cwd: tmpDir() });
    expect(r.stdout).toContain(stdout);
    expect(r.stderr).toContain(stderr);
    expect(r.code).toBe(code);
  });
});
