import { TrellisError } from '../errors/index.js';
import { displayPath, type RunStore } from './open-store.js';
import { fieldRef, type FieldRef } from './query-fields.js';
import { compareValues, fieldValue, matches, type EvalContext } from './query-eval.js';
import { parseQuery, parseSortKeys, type ParsedQuery, type SortKey } from './query-parse.js';
import type { StoredRun } from './stored-run.js';
import type { StoreStatus } from './types.js';
import { checkArgs } from '../errors/check-args.js';

export interface QueryOptions {
  /** `--sort`: "KEY", "-KEY" (descending), "KEY:desc", or several joined by commas. Default: -started. */
  sort?: string | SortKey[];
  limit?: number;
  /** Paths shown relative to it (default: process.cwd()). */
  cwd?: string;
}

export interface QueryResult {
  query: ParsedQuery;
  sort: SortKey[];
  runs: StoredRun[];
  /** How many runs matched before `limit`. */
  matched: number;
  context: EvalContext;
}

/** Runs of the store that match `query`, sorted, at most `limit`. */
export function queryRuns(store: RunStore, query: string | ParsedQuery = '', options: QueryOptions = {}): QueryResult {
  checkArgs('queryRuns', [
    ['store', store, 'object'],
    ['query', query, ['string', 'object']],
    ['options', options, 'object', { cwd: 'string?', limit: 'number?' }],
  ]);
  const parsed = typeof query === 'string' ? parseQuery(query, store.now) : query;
  const sort = typeof options.sort === 'string' ? parseSortKeys(options.sort) : (options.sort ?? parseSortKeys('-started'));
  const limit = options.limit;
  if (limit !== undefined && (!Number.isSafeInteger(limit) || limit < 0)) {
    throw new TrellisError('USAGE', `--limit must be a whole number, got '${String(limit)}'`);
  }
  const context: EvalContext = { now: store.now, cwd: options.cwd ?? process.cwd() };
  const found = store.runs.filter((run) => matches(run, parsed.root, context));
  const keyed = found.map((run) => ({ run, keys: sort.map((k) => fieldValue(run, k.field, context)) }));
  // Missing values sort last in both directions.
  const missing = (v: unknown) => v === undefined || v === null;
  const order = (a: Keyed, b: Keyed) => {
    for (let i = 0; i < sort.length; i++) {
      const x = a.keys[i];
      const y = b.keys[i];
      if (missing(x) || missing(y)) {
        if (missing(x) !== missing(y)) return missing(x) ? 1 : -1;
        continue;
      }
      const d = compareValues(x, y);
      if (d !== 0) return sort[i]!.descending ? -d : d;
    }
    return a.run.dir < b.run.dir ? -1 : a.run.dir > b.run.dir ? 1 : 0;
  };
  // A few of many (`best` shows one of thousands) are picked in one pass rather than sorting all.
  const shown = limit === undefined || limit * 8 > keyed.length ? keyed.sort(order).slice(0, limit) : firstInOrder(keyed, limit, order);
  return { query: parsed, sort, runs: shown.map((k) => k.run), matched: keyed.length, context };
}

interface Keyed {
  run: StoredRun;
  keys: unknown[];
}

/** The first `count` items in `order` (a total order, so the same as sorting all), by binary insertion. */
function firstInOrder<T>(items: readonly T[], count: number, order: (a: T, b: T) => number): T[] {
  const first: T[] = [];
  for (const item of items) {
    if (first.length === count && (count === 0 || order(item, first[count - 1]!) >= 0)) continue;
    let [lo, hi] = [0, first.length];
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (order(item, first[mid]!) < 0) hi = mid;
      else lo = mid + 1;
    }
    first.splice(lo, 0, item);
    if (first.length > count) first.pop();
  }
  return first;
}

/** The plain record of a run a listing prints (`--format json`), plus the requested fields. */
export interface RunRow {
  dir: string;
  id: string | null;
  name: string | null;
  status: StoreStatus;
  reason: string | null;
  started: string | null;
  ended: string | null;
  duration_s: number | null;
  overrides: string[];
  tags: string[];
  sweep: { dir: string; num: number } | null;
  reproduces: string | null;
  fields: Record<string, unknown>;
}

export function runRow(run: StoredRun, fields: readonly FieldRef[], ctx: EvalContext): RunRow {
  const info = run.info;
  const values: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const f of fields) {
    const v = fieldValue(run, f, ctx);
    values[f.text] =
      v === undefined ? null : f.ns === 'run' && ['started', 'ended', 'heartbeat'].includes(f.name) && typeof v === 'number' ? new Date(v).toISOString() : v;
  }
  return {
    dir: displayPath(run.dir, ctx.cwd),
    id: info?.id ?? null,
    name: info?.name ?? null,
    status: run.status(ctx.now),
    reason: run.reason(),
    started: info?.start ?? null,
    ended: info?.end ?? null,
    duration_s: info?.duration_s ?? null,
    overrides: info?.overrides ?? [],
    tags: info?.tags ?? [],
    sweep: info?.sweep ?? null,
    reproduces: info?.reproduces ?? null,
    fields: values,
  };
}

/** Fields named by a query and sort keys, without duplicates or ones every row shows anyway. */
export function extraFields(
  query: ParsedQuery,
  sort: readonly SortKey[],
  shown: readonly string[] = ['status', 'started', 'duration', 'overrides', 'dir', 'id', 'tags'],
): FieldRef[] {
  const out: FieldRef[] = [];
  const seen = new Set<string>(shown);
  for (const f of [...query.fields, ...sort.map((s) => s.field)]) {
    const key = f.ns === 'run' ? f.name : f.text;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(f);
  }
  return out;
}

export function parseColumns(text: string): FieldRef[] {
  return text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((name) => {
      const f = fieldRef(name);
      if (!f) throw new TrellisError('USAGE', `--columns: '${name}' is not a field name`);
      return f;
    });
}
