import { flatten } from '../store/diff-runs.js';
import { displayPath } from '../store/open-store.js';
import { isFinalStatus, type StoredRun } from '../store/stored-run.js';
import type { StoreStatus } from '../store/types.js';

/** A run as one row of the UI's table: what `runs list` shows, every config leaf and every metric. */
export interface UiRow {
  /** The run directory relative to the working directory: how the UI names a run. */
  key: string;
  id: string | null;
  name: string | null;
  status: StoreStatus;
  reason: string | null;
  started: string | null;
  duration_s: number | null;
  tags: string[];
  notes: string[];
  overrides: string[];
  sweep: { dir: string; num: number } | null;
  /** Config leaf (`a.b[0]`) → value. */
  config: Record<string, unknown>;
  /** Metric → last, min, max (NaN and ±Infinity as the strings summary.json uses). */
  metrics: Record<string, { last: unknown; min: unknown; max: unknown }>;
}

const dict = <T>(): Record<string, T> => Object.create(null) as Record<string, T>;

/** The row of one run; pure apart from the run's lazy record reads. */
function uiRow(run: StoredRun, cwd: string, now: Date): UiRow {
  const info = run.info;
  const status = run.status(now);
  const config = dict<unknown>();
  for (const [k, v] of flatten(run.config())) config[k] = v;
  const metrics = dict<{ last: unknown; min: unknown; max: unknown }>();
  for (const [name, s] of Object.entries(run.summary()?.metrics ?? {})) metrics[name] = { last: s.last ?? null, min: s.min ?? null, max: s.max ?? null };
  return {
    key: displayPath(run.dir, cwd),
    id: info?.id ?? null,
    name: info?.name ?? null,
    status,
    reason: run.reason(),
    started: info?.start ?? null,
    duration_s: info?.duration_s ?? null,
    tags: info?.tags ?? [],
    notes: info?.notes ?? [],
    overrides: info?.overrides ?? [],
    sweep: info?.sweep ?? null,
    config,
    metrics,
  };
}

/**
 * Rows of finished runs, kept by their records' stamp: a run that has recorded its final status
 * changes only through tag and note, which change its stamp. Running runs are built anew.
 */
export class RowCache {
  private readonly rows = new Map<string, { stamp: string; row: UiRow }>();

  get(run: StoredRun, cwd: string, now: Date): UiRow {
    const stamp = run.stamp;
    const kept = stamp === undefined ? undefined : this.rows.get(run.dir);
    if (kept && kept.stamp === stamp) return kept.row;
    const row = uiRow(run, cwd, now);
    if (stamp !== undefined && isFinalStatus(row.status)) this.rows.set(run.dir, { stamp, row });
    return row;
  }
}

/** Keys whose value is not the same in every row (missing counts as a value), in first-seen order. */
export function varyingKeys(rows: readonly UiRow[]): { all: string[]; varying: string[] } {
  const first = new Map<string, string>();
  const count = new Map<string, number>();
  const varying = new Set<string>();
  for (const row of rows) {
    for (const key of Object.keys(row.config)) {
      const v = row.config[key];
      const text = v !== null && typeof v === 'object' ? JSON.stringify(v) : typeof v === 'string' ? `s${v}` : String(v);
      const seen = first.get(key);
      if (seen === undefined) first.set(key, text);
      else if (seen !== text) varying.add(key);
      count.set(key, (count.get(key) ?? 0) + 1);
    }
  }
  for (const [key, n] of count) if (n < rows.length) varying.add(key);
  const all = [...first.keys()];
  return { all, varying: all.filter((k) => varying.has(k)) };
}

/** Every metric name of the rows, in first-seen order. */
export function metricNames(rows: readonly UiRow[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const name of Object.keys(row.metrics)) names.add(name);
  return [...names];
}
