/**
 * The REST path against a stub tracking server on 127.0.0.1 that checks each request against
 * MLflow's REST API 2.0 (the rest-api docs and mlflow/utils/validation.py): paths and methods,
 * required fields and their types, name rules, value lengths and the log-batch limits. It keeps
 * what it is sent, so a test can see what an MLflow server would hold.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runMlflowExport } from '../../../src/bridges/mlflow/export-command.js';
import type { CliIo } from '../../../src/cli/io.js';
import { repoRoot } from '../../helpers/run-cli.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { writeRun, type SyntheticRun } from '../store/synthetic-runs.js';

interface StubRun {
  experiment_id: string;
  run_name: string;
  status: string;
  end_time: number | null;
  params: Map<string, string>;
  tags: Map<string, string>;
  metrics: Array<{ key: string; value: number | string; timestamp: number; step: number }>;
}

class BadRequest extends Error {}
const NAME = /^[/\w.\- ]*$/;
const STATUSES = new Set(['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED']);

function check(ok: boolean, message: string): asserts ok {
  if (!ok) throw new BadRequest(message);
}
const isInt = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v);
function checkName(kind: string, key: unknown): asserts key is string {
  check(typeof key === 'string' && key.length > 0, `${kind} name missing`);
  check(NAME.test(key) && !key.startsWith('/') && !key.split('/').some((p) => p === '' || p === '.' || p === '..'), `Invalid ${kind} name: '${key}'`);
  check(key.length <= 250, `${kind} name had length ${key.length}, which exceeded length limit of 250`);
}

class StubMlflow {
  readonly experiments = new Map<string, string>([['Default', '0']]);
  readonly runs = new Map<string, StubRun>();
  readonly calls: Array<{ path: string; body: Record<string, unknown> }> = [];
  rejectLogBatch = false;
  private nextRun = 1;
  server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void this.handle(req).then(
        ([status, body]) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        },
        () => res.writeHead(500).end(),
      );
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}`;
  }

  private async handle(req: IncomingMessage): Promise<[number, unknown]> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname.replace(/^\/api\/2\.0\/mlflow\//, '');
    try {
      check(url.pathname.startsWith('/api/2.0/mlflow/'), `not an MLflow API path: ${url.pathname}`);
      if (path === 'experiments/get-by-name') {
        check(req.method === 'GET', 'get-by-name is a GET');
        this.calls.push({ path, body: {} });
        const id = this.experiments.get(url.searchParams.get('experiment_name') ?? '');
        if (id === undefined) return [404, { error_code: 'RESOURCE_DOES_NOT_EXIST', message: 'no such experiment' }];
        return [200, { experiment: { experiment_id: id, name: url.searchParams.get('experiment_name') } }];
      }
      check(req.method === 'POST', `${path} is a POST`);
      check(req.headers['content-type'] === 'application/json', 'JSON body expected');
      // MAX_BATCH_LOG_REQUEST_SIZE
      if (path === 'runs/log-batch') check(raw.length <= 1_000_000, `request of ${raw.length} bytes`);
      const body = JSON.parse(raw) as Record<string, unknown>;
      this.calls.push({ path, body });
      return [200, this.route(path, body)];
    } catch (e) {
      return [400, { error_code: 'INVALID_PARAMETER_VALUE', message: e instanceof Error ? e.message : String(e) }];
    }
  }

  private run(id: unknown): StubRun {
    const run = typeof id === 'string' ? this.runs.get(id) : undefined;
    check(run !== undefined, `Run '${String(id)}' not found`);
    return run;
  }

  private route(path: string, body: Record<string, unknown>): unknown {
    switch (path) {
      case 'experiments/create': {
        check(typeof body.name === 'string' && body.name !== '', 'name required');
        check(!this.experiments.has(body.name), 'already exists');
        const id = String(100 + this.experiments.size);
        this.experiments.set(body.name, id);
        return { experiment_id: id };
      }
      case 'runs/search': {
        check(Array.isArray(body.experiment_ids), 'experiment_ids required');
        const m = /^tags\.`([^`]+)` = '([^']*)'$/.exec(String(body.filter));
        check(m !== null, `filter not understood: ${String(body.filter)}`);
        const found = [...this.runs]
          .filter(([, r]) => (body.experiment_ids as string[]).includes(r.experiment_id) && r.tags.get(m[1]!) === m[2])
          .map(([run_id, r]) => ({ info: { run_id }, data: { tags: [...r.tags].map(([key, value]) => ({ key, value })) } }));
        return found.length ? { runs: found.slice(0, Number(body.max_results ?? 1000)) } : {};
      }
      case 'runs/create': {
        check([...this.experiments.values()].includes(String(body.experiment_id)), 'experiment_id does not exist');
        check(body.start_time === undefined || isInt(body.start_time), 'start_time must be an int64');
        const tags = (body.tags ?? []) as Array<{ key: string; value: string }>;
        const run_id = `srv${this.nextRun++}`;
        this.runs.set(run_id, {
          experiment_id: String(body.experiment_id),
          run_name: String(body.run_name ?? ''),
          status: 'RUNNING',
          end_time: null,
          params: new Map(),
          tags: new Map(tags.map((t) => [t.key, t.value])),
          metrics: [],
        });
        return { run: { info: { run_id, experiment_id: body.experiment_id, status: 'RUNNING' } } };
      }
      case 'runs/log-batch': {
        check(!this.rejectLogBatch, 'the server refuses');
        const run = this.run(body.run_id);
        const metrics = (body.metrics ?? []) as StubRun['metrics'];
        const params = (body.params ?? []) as Array<{ key: string; value: string }>;
        const tags = (body.tags ?? []) as Array<{ key: string; value: string }>;
        check(metrics.length <= 1000, `A batch logging request can contain at most 1000 metrics. Got ${metrics.length}`);
        check(params.length <= 100, `A batch logging request can contain at most 100 params. Got ${params.length}`);
        check(tags.length <= 100, `A batch logging request can contain at most 100 tags. Got ${tags.length}`);
        check(metrics.length + params.length + tags.length <= 1000, 'at most 1000 metrics, params, and tags');
        for (const m of metrics) {
          checkName('metric', m.key);
          check(typeof m.value === 'number' || ['NaN', 'Infinity', '-Infinity'].includes(m.value), `bad metric value ${String(m.value)}`);
          check(isInt(m.timestamp) && m.timestamp >= 0, 'timestamp must be a nonnegative int64');
          check(isInt(m.step), 'step must be an int64');
        }
        const keys = new Set<string>();
        for (const p of params) {
          checkName('param', p.key);
          check(typeof p.value === 'string' && p.value.length <= 6000, `Param value had length ${String(p.value).length}`);
          check(!keys.has(p.key), `Duplicate parameter keys have been submitted: ${p.key}`);
          keys.add(p.key);
          check(!run.params.has(p.key) || run.params.get(p.key) === p.value, `Changing param values is not allowed (${p.key})`);
        }
        for (const t of tags) {
          checkName('tag', t.key);
          check(typeof t.value === 'string' && t.value.length <= 5000, `Tag value had length ${String(t.value).length}`);
        }
        for (const p of params) run.params.set(p.key, p.value);
        for (const t of tags) run.tags.set(t.key, t.value);
        run.metrics.push(...metrics);
        return {};
      }
      case 'runs/update': {
        const run = this.run(body.run_id);
        check(body.status === undefined || STATUSES.has(String(body.status)), `bad status ${String(body.status)}`);
        check(body.end_time === undefined || isInt(body.end_time), 'end_time must be an int64');
        if (body.status) run.status = String(body.status);
        if (body.end_time !== undefined) run.end_time = body.end_time as number;
        if (body.run_name) run.run_name = String(body.run_name);
        return { run_info: { run_id: body.run_id, status: run.status } };
      }
      default:
        throw new BadRequest(`no such endpoint: ${path}`);
    }
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => (this.server ? this.server.close(() => done()) : done()));
  }
}

const stubs: StubMlflow[] = [];
afterEach(async () => {
  while (stubs.length) await stubs.pop()!.stop();
});
async function stub(): Promise<StubMlflow> {
  const s = new StubMlflow();
  stubs.push(s);
  await s.start();
  return s;
}

const io = (cwd: string): CliIo => ({ stdout: () => {}, stderr: () => {}, env: {}, cwd, color: false });
const exportTo = (cwd: string, uri: string, flags: Record<string, string> = {}) =>
  runMlflowExport({ flags: { 'tracking-uri': uri, format: 'json', ...flags }, overrides: ['mlflow'] }, io(cwd));

const FIXTURE = join(repoRoot, 'test', 'fixtures', 'mlflow', 'single-run');
const single: SyntheticRun = {
  id: '20261120-100000-aaaaaa',
  resolved: { optimizer: { name: 'adam', lr: 0.01 }, seed: 1 },
  notes: ['first try'],
  metricsJsonl: readFileSync(join(FIXTURE, 'input', 'metrics.jsonl'), 'utf8'),
};
const sweep = 'multirun/2026-11-21/09-00-00';

function project(): string {
  const root = tmpDir();
  writeRun(join(root, 'outputs/a'), { ...single, cwd: root });
  writeRun(join(root, `${sweep}/0`), { id: '20261121-090000-bbbbbb', sweep: { dir: sweep, num: 0 }, cwd: root });
  writeRun(join(root, `${sweep}/1`), { id: '20261121-090001-cccccc', sweep: { dir: sweep, num: 1 }, cwd: root });
  return root;
}

const byTag = (s: StubMlflow, key: string, value: string) => [...s.runs].filter(([, r]) => r.tags.get(key) === value);

describe('trellis export mlflow --tracking-uri', () => {
  it('creates, logs in batches and finishes each run; jobs point at their parent by the server’s id', async () => {
    const s = await stub();
    const root = project();
    expect(await exportTo(root, s.url)).toBe(0);
    expect(s.runs.size).toBe(4);
    const [[, run]] = byTag(s, 'trellis.run_id', '20261120-100000-aaaaaa') as [[string, StubRun]];
    expect(Object.fromEntries(run.params)).toEqual({ 'optimizer.name': 'adam', 'optimizer.lr': '0.01', seed: '1' });
    expect(run.metrics.filter((m) => m.key === 'loss').map((m) => [m.timestamp, m.value, m.step])).toEqual([
      [1795168801250, 0.5, 0],
      [1795168802000, 0.25, 1],
      [1795168800000, 1e-5, 2],
    ]);
    expect(run.metrics.find((m) => m.key === 'acc' && m.step === 1)?.value).toBe('NaN');
    expect(run.tags.get('mlflow.note.content')).toBe('first try');
    expect([run.status, run.end_time]).toEqual(['FINISHED', 1795168805000]);
    const [[parentId]] = byTag(s, 'mlflow.runName', sweep) as [[string, StubRun]];
    expect(byTag(s, 'mlflow.parentRunId', parentId)).toHaveLength(2);
  });

  it('exporting again updates the same runs and sends only the metric points logged since', async () => {
    const s = await stub();
    const root = project();
    await exportTo(root, s.url);
    const creates = s.calls.filter((c) => c.path === 'runs/create').length;
    await exportTo(root, s.url);
    expect(s.calls.filter((c) => c.path === 'runs/create').length).toBe(creates);
    appendFileSync(join(root, 'outputs/a/.trellis/metrics.jsonl'), '{"step":3,"time":1795168803,"loss":0.125}\n');
    await exportTo(root, s.url);
    const [[, run]] = byTag(s, 'trellis.run_id', '20261120-100000-aaaaaa') as [[string, StubRun]];
    expect(run.metrics.filter((m) => m.key === 'loss').map((m) => m.step)).toEqual([0, 1, 2, 3]);
    expect(s.runs.size).toBe(4);
  });

  it('keeps every log-batch within MLflow’s limits: 250 params and 3000 metric points', async () => {
    const s = await stub();
    const root = tmpDir();
    const resolved = Object.fromEntries(Array.from({ length: 250 }, (_, i) => [`p${i}`, 'v'.repeat(5000)]));
    const lines = Array.from({ length: 1000 }, (_, step) => JSON.stringify({ step, time: 1795168800 + step, a: step, b: -step, c: step / 2 })).join('\n');
    writeRun(join(root, 'outputs/big'), { id: '20261120-110000-dddddd', resolved, metricsJsonl: `${lines}\n`, cwd: root });
    expect(await exportTo(root, s.url, { experiment: 'big' })).toBe(0);
    const [run] = [...s.runs.values()];
    expect(run!.experiment_id).toBe(s.experiments.get('big'));
    expect(run!.params.size).toBe(250);
    expect(run!.metrics).toHaveLength(3000);
    // 250 params of 5000 characters need at least 2 requests for the 1 MB cap alone, 3 for the 100-param cap.
    expect(s.calls.filter((c) => c.path === 'runs/log-batch').length).toBeGreaterThanOrEqual(6);
  });

  it.each([
    {
      name: 'a server that refuses a request',
      setup: (s: StubMlflow) => (s.rejectLogBatch = true),
      message: /runs\/log-batch answered 400 INVALID_PARAMETER_VALUE: the server refuses/,
    },
    { name: 'a server that is not there', setup: (s: StubMlflow) => s.stop(), message: /Cannot reach the MLflow server/ },
  ])('reports $name as RUN_IO', async ({ setup, message }) => {
    const s = await stub();
    await setup(s);
    await expect(exportTo(project(), s.url)).rejects.toMatchObject({ code: 'RUN_IO', message: expect.stringMatching(message) });
  });

  it('refuses a tracking URI that is no http(s) URL', async () => {
    await expect(exportTo(project(), 'file:///tmp/mlruns')).rejects.toMatchObject({ code: 'USAGE' });
  });
});
