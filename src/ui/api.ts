import { closeSync, fstatSync, openSync, readSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { closest, TrellisError } from '../errors/index.js';
import { diffRuns, flatten, originText } from '../store/diff-runs.js';
import { readRecords } from '../store/find-run.js';
import { displayPath } from '../store/open-store.js';
import { queryRuns } from '../store/query-runs.js';
import { noteRun, tagRun } from '../store/annotate-run.js';
import { readSweepRecord } from '../records/sweep-record.js';
import { RUN_FILES, recordPath } from '../records/names.js';
import { curveOf, type CurveEntry, type XAxis } from './curves.js';
import type { TailCache } from './metrics-tail.js';
import { metricNames, RowCache, varyingKeys, wireRow, type KeptRow } from './run-rows.js';
import { listFiles, type StoreView } from './store-view.js';
import { isFinalStatus, readRunState, type StoredRun } from '../store/stored-run.js';
import { observedStatus } from '../run/run-state.js';

/** What every handler reads: the store, the rows and tails kept between requests. */
export interface ApiContext {
  view: StoreView;
  rows: RowCache;
  tails: TailCache;
  /** The last listing's rows, keys and problems, while the store stays open: the pages of one scroll share it. */
  listing?: { generation: number; q: string; sort: string; value: Listing };
}

interface Listing {
  total: number;
  matched: number;
  all: KeptRow[];
  keys: string[];
  varying: string[];
  metrics: string[];
  problems: QueryProblem[];
}

export type Params = URLSearchParams;

function notFound(what: string, hint?: string): TrellisError {
  return new TrellisError('RUN_NOT_FOUND', what, { hint });
}

export function runOf(ctx: ApiContext, key: string | null): StoredRun {
  if (!key) throw new TrellisError('USAGE', 'missing the run parameter', { hint: 'name a run by its directory, as the table lists it' });
  const run = ctx.view.run(key);
  if (!run)
    throw notFound(
      `No run '${key}' under the UI's roots`,
      closest(
        key,
        [...ctx.view.current().runs].map((r) => displayPath(r.dir, ctx.view.cwd)),
      )[0],
    );
  return run;
}

const intParam = (params: Params, name: string, fallback: number, max: number) => {
  const n = Number(params.get(name) ?? fallback);
  return Number.isSafeInteger(n) && n >= 0 ? Math.min(n, max) : fallback;
};

/** A query problem as the page shows it: under the query box, at its column. */
interface QueryProblem {
  code: string;
  message: string;
  hint: string | null;
  col: number | null;
  length: number | null;
}

function problemsOf(error: TrellisError): QueryProblem[] {
  return [error, ...error.related].map((e) => ({
    code: e.code,
    message: e.message,
    hint: e.hint ?? null,
    col: e.where?.kind === 'file' ? e.where.col : null,
    length: e.where?.kind === 'file' ? (e.where.length ?? 1) : null,
  }));
}

/**
 * GET /api/runs: the runs matching `q` (the query language of `trellis runs list`), sorted by
 * `sort` (as `--sort`), one page of rows from `offset`. Besides the rows: how many matched, the
 * config keys of all matched runs and those that vary, the metric names, and the query's
 * problems (a syntax error, or a name that no run has, with a did-you-mean).
 */
export function listRuns(ctx: ApiContext, params: Params) {
  const q = params.get('q') ?? '';
  const sort = params.get('sort') || '-started';
  const offset = intParam(params, 'offset', 0, Number.MAX_SAFE_INTEGER);
  const limit = intParam(params, 'limit', 200, 2000);
  ctx.view.current(); // opens the store again when it is old, which bumps its generation
  const { generation } = ctx.view;
  const kept = ctx.listing;
  const listing = kept && kept.generation === generation && kept.q === q && kept.sort === sort ? kept.value : computeListing(ctx, q, sort);
  ctx.listing = { generation, q, sort, value: listing };
  const { all, ...rest } = listing;
  return { ...rest, offset, rows: all.slice(offset, offset + limit).map(wireRow) };
}

function computeListing(ctx: ApiContext, q: string, sort: string): Listing {
  const store = ctx.view.current();
  let result;
  try {
    result = queryRuns(store, q, { sort, cwd: ctx.view.cwd });
  } catch (e) {
    if (!(e instanceof TrellisError)) throw e;
    return { total: store.runs.length, matched: 0, all: [], keys: [], varying: [], metrics: [], problems: problemsOf(e) };
  }
  const built = ctx.rows.built;
  const all = result.runs.map((run) => ctx.rows.get(run, ctx.view.cwd, store.now));
  const { all: keys, varying } = varyingKeys(all);
  const listing = {
    total: store.runs.length,
    matched: result.matched,
    all,
    keys,
    varying,
    metrics: metricNames(all),
    problems: unknownNames(ctx, result.query.fields, all),
  };
  // What was read from files (summaries, configs) goes into the index, as `runs list` does.
  store.flush();
  if (ctx.rows.built - built > RELEASE_AFTER_ROWS) ctx.view.release();
  return listing;
}

/** Rows built from runs' records in one listing beyond which the store is opened again lean (StoreView.release). */
const RELEASE_AFTER_ROWS = 1000;

/** Names in the query that no run of the store has: likely misspelt, with the closest known names. */
function unknownNames(ctx: ApiContext, fields: ReturnType<typeof queryRuns>['query']['fields'], matched: readonly KeptRow[]): QueryProblem[] {
  const named = fields.filter((f) => f.ns !== 'run');
  if (!named.length || matched.length) return [];
  const store = ctx.view.current();
  const rows = store.runs.slice(0, 2000).map((run) => ctx.rows.get(run, ctx.view.cwd, store.now));
  const known = new Set<string>([...varyingKeys(rows).all]);
  for (const name of metricNames(rows)) for (const stat of ['', '.last', '.min', '.max']) known.add(name + stat);
  const text = (f: (typeof named)[number]) => (f.ns === 'config' || f.ns === 'auto' ? f.path.join('.') : f.ns === 'metric' ? f.name : f.path.join('.'));
  return named
    .filter((f) => !known.has(text(f)) && !known.has(f.text))
    .map((f) => {
      const near = closest(f.text, known);
      return {
        code: 'QUERY_UNKNOWN_KEY',
        message: `No run has '${f.text}'`,
        hint: near.length ? `did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : null,
        col: null,
        length: null,
      };
    });
}

/** The log file of a run: `<name>.log`, else the first `*.log` beside its records. */
function logFileOf(run: StoredRun): string | undefined {
  const name = run.info?.name;
  let files: string[];
  try {
    files = readdirSync(run.dir).filter((f) => f.endsWith('.log'));
  } catch {
    return undefined;
  }
  const own = name ? `${name.replace(/^.*[\\/]/, '')}.log` : undefined;
  const file = own && files.includes(own) ? own : files.sort()[0];
  return file === undefined ? undefined : join(run.dir, file);
}

/** The last `bytes` of a file (from a line start), and its size: the page asks again from there. */
function tailText(path: string, bytes: number): { text: string; size: number } {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return { text: '', size: 0 };
  }
  try {
    const size = fstatSync(fd).size;
    const start = Math.max(0, size - bytes);
    const buffer = Buffer.alloc(size - start);
    readSync(fd, buffer, 0, buffer.length, start);
    let text = buffer.toString('utf8');
    if (start > 0) text = text.slice(text.indexOf('\n') + 1);
    return { text, size };
  } finally {
    closeSync(fd);
  }
}

/** GET /api/run: every record of one run, the config with where each value came from, its files and log tail. */
export function showRun(ctx: ApiContext, params: Params) {
  const run = runOf(ctx, params.get('run'));
  const r = readRecords(run);
  const key = displayPath(run.dir, ctx.view.cwd);
  const composed = flatten(r.config);
  const config = [...flatten(r.resolved)].map(([k, value]) => ({
    key: k,
    value,
    composed: composed.has(k) && JSON.stringify(composed.get(k)) !== JSON.stringify(value) ? composed.get(k) : undefined,
    origin: originText(r.provenance, k) ?? null,
  }));
  const log = logFileOf(run);
  const { configText: _text, config: _composed, resolved: _resolved, ...records } = r;
  return {
    ...records,
    dir: key,
    key,
    status: run.status(),
    reason: run.reason(),
    config,
    files: listFiles(run.dir),
    log: log ? { file: displayPath(log, ctx.view.cwd), ...tailText(log, intParam(params, 'logBytes', 16_384, 1 << 20)) } : null,
    rerun: `trellis rerun ${quoteArg(key)}`,
  };
}

const quoteArg = (s: string) => (/^[\w./@%+=:,-]+$/.test(s) ? s : `'${s.replaceAll("'", "'\\''")}'`);

/**
 * GET /api/curves: the curves of `runs` (comma-separated keys) for `metrics` (all when empty),
 * smoothed then bucketed (see curves.ts), and which of those runs are still running: the page
 * asks again while one is. A running run's metrics.jsonl is read from where the last request
 * stopped.
 */
export function curves(ctx: ApiContext, params: Params): { entries: CurveEntry[]; running: string[] } {
  const keys = (params.get('runs') ?? '').split(',').filter(Boolean).slice(0, 500);
  const wanted = (params.get('metrics') ?? '').split(',').filter(Boolean);
  const x: XAxis = params.get('x') === 'time' ? 'time' : 'step';
  // The page's slider gives 0 … 0.99 (TensorBoard's smoothing weight); anything else is a bad request.
  const smooth = Number(params.get('smooth') ?? 0);
  if (!Number.isFinite(smooth) || smooth < 0 || smooth >= 1) {
    throw new TrellisError('USAGE', `smooth must be a number from 0 to below 1, got '${params.get('smooth') ?? ''}'`);
  }
  const buckets = intParam(params, 'buckets', 1000, 10_000);
  const entries: CurveEntry[] = [];
  const running: string[] = [];
  for (const key of keys) {
    const run = ctx.view.known(key) ?? runOf(ctx, key);
    if (stillRunning(run)) running.push(key);
    const tail = ctx.tails.read(recordPath(run.dir, RUN_FILES.metrics));
    if (!tail) continue;
    for (const metric of wanted.length ? wanted : tail.names()) {
      const series = tail.get(metric);
      if (series) entries.push({ run: key, metric, curve: curveOf(series, { x, smooth, buckets }) });
    }
  }
  return { entries, running };
}

/**
 * Whether a run runs now, from its run.json as it is: a page with a live run asks for curves
 * every second, and opening the store again for each ask is what a large store cannot afford.
 */
function stillRunning(run: StoredRun): boolean {
  const recorded = run.recordedStatus();
  if (recorded !== null && isFinalStatus(recorded)) return false;
  const { info } = readRunState(run.dir);
  return info !== null && observedStatus(info) === 'running';
}

/** GET /api/log: the log from byte `from` (or its last `bytes`), for a live tail. */
export function logTail(ctx: ApiContext, params: Params) {
  const run = runOf(ctx, params.get('run'));
  const log = logFileOf(run);
  if (!log) return { text: '', size: 0, status: run.status() };
  return { ...tailText(log, intParam(params, 'bytes', 16_384, 1 << 20)), status: run.status() };
}

/** GET /api/diff: the first run against each other one, as `trellis runs diff` gives it. */
export function compare(ctx: ApiContext, params: Params) {
  const keys = (params.get('runs') ?? '').split(',').filter(Boolean);
  if (keys.length < 2) throw new TrellisError('USAGE', 'compare needs two runs or more', { hint: 'select runs in the table' });
  const [first, ...others] = keys.map((k) => runOf(ctx, k));
  return { runs: keys, diffs: others.map((other) => diffRuns(first!, other)) };
}

/** GET /api/sweeps and /api/sweep: sweep directories, and one sweep's record with its runs' rows. */
export function sweeps(ctx: ApiContext) {
  return { sweeps: ctx.view.sweeps() };
}

export function sweep(ctx: ApiContext, params: Params) {
  const dir = params.get('dir') ?? '';
  if (!ctx.view.sweeps().includes(dir)) throw notFound(`No sweep '${dir}' under the UI's roots`, closest(dir, ctx.view.sweeps())[0]);
  const record = readSweepRecord(join(ctx.view.cwd, dir));
  const store = ctx.view.current();
  const rows = store.runs
    .filter((run) => run.info?.sweep && displayPath(run.info.sweep.dir, ctx.view.cwd) === dir)
    .map((run) => wireRow(ctx.rows.get(run, ctx.view.cwd, store.now)));
  return { dir, record, rows };
}

/** POST /api/tag and /api/note: through the same store API as `runs tag` and `runs note`. */
export function annotate(ctx: ApiContext, kind: 'tag' | 'note', body: Record<string, unknown>) {
  const run = runOf(ctx, typeof body.run === 'string' ? body.run : null);
  let result;
  if (kind === 'tag') {
    const tags = Array.isArray(body.tags) ? body.tags.filter((t): t is string => typeof t === 'string' && t.trim() !== '').map((t) => t.trim()) : [];
    if (!tags.length) throw new TrellisError('USAGE', 'a tag needs a name');
    result = tagRun(run.dir, tags, { remove: body.remove === true });
  } else {
    const text = typeof body.text === 'string' ? body.text.trim() : '';
    if (!text) throw new TrellisError('USAGE', 'a note needs text');
    result = noteRun(run.dir, text);
  }
  ctx.view.invalidate();
  return result;
}
