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

/**
 * A row as kept between requests. Its config leaves and metric statistics are arrays beside key
 * lists that every row with the same keys shares: a table of 10,000 runs kept as 10,000 objects
 * of 20 keys each took 19 MB of the server's memory; a page builds UiRows for its rows only.
 */
export interface KeptRow {
  head: Omit<UiRow, 'config' | 'metrics'>;
  configKeys: readonly string[];
  configValues: readonly unknown[];
  metricNames: readonly string[];
  /** last, min and max of each metric, in metricNames order. */
  stats: readonly unknown[];
}

/** A row as the page receives it. */
export function wireRow(row: KeptRow): UiRow {
  const config = dict<unknown>();
  row.configKeys.forEach((key, i) => (config[key] = row.configValues[i]));
  const metrics = dict<{ last: unknown; min: unknown; max: unknown }>();
  row.metricNames.forEach((name, i) => (metrics[name] = { last: row.stats[3 * i], min: row.stats[3 * i + 1], max: row.stats[3 * i + 2] }));
  return { ...row.head, config, metrics };
}

/**
 * Rows of finished runs, kept by their records' stamp: a run that has recorded its final status
 * changes only through tag and note, which change its stamp. Running runs are built anew.
 */
export class RowCache {
  private readonly rows = new Map<string, { stamp: string; row: KeptRow }>();
  /** Key lists by their JSON text: one array for all rows with the same keys. */
  private readonly keyLists = new Map<string, readonly string[]>();
  /** Rows built so far (not taken from the cache): how many runs' records were read for them. */
  built = 0;

  get(run: StoredRun, cwd: string, now: Date): KeptRow {
    const stamp = run.stamp;
    const kept = stamp === undefined ? undefined : this.rows.get(run.dir);
    if (kept && kept.stamp === stamp) return kept.row;
    const row = this.build(run, cwd, now);
    if (stamp !== undefined && isFinalStatus(row.head.status)) this.rows.set(run.dir, { stamp, row });
    return row;
  }

  /** The row of one run; pure apart from the run's lazy record reads. */
  private build(run: StoredRun, cwd: string, now: Date): KeptRow {
    this.built++;
    const info = run.info;
    const leaves = flatten(run.config());
    const stats: unknown[] = [];
    const names: string[] = [];
    for (const [name, s] of Object.entries(run.summary()?.metrics ?? {})) {
      names.push(name);
      stats.push(s.last ?? null, s.min ?? null, s.max ?? null);
    }
    const row: KeptRow = {
      head: {
        key: displayPath(run.dir, cwd),
        id: info?.id ?? null,
        name: info?.name ?? null,
        status: run.status(now),
        reason: run.reason(),
        started: info?.start ?? null,
        duration_s: info?.duration_s ?? null,
        tags: info?.tags ?? [],
        notes: info?.notes ?? [],
        overrides: info?.overrides ?? [],
        sweep: info?.sweep ?? null,
      },
      configKeys: this.shared([...leaves.keys()]),
      configValues: [...leaves.values()],
      metricNames: this.shared(names),
      stats,
    };
    run.forgetIndexed();
    return row;
  }

  private shared(keys: string[]): readonly string[] {
    const text = JSON.stringify(keys);
    let list = this.keyLists.get(text);
    if (!list) this.keyLists.set(text, (list = keys));
    return list;
  }
}

/** Keys whose value is not the same in every row (missing counts as a value), in first-seen order. */
export function varyingKeys(rows: readonly KeptRow[]): { all: string[]; varying: string[] } {
  const first = new Map<string, string>();
  const count = new Map<string, number>();
  const varying = new Set<string>();
  for (const row of rows) {
    row.configKeys.forEach((key, i) => {
      const v = row.configValues[i];
      const text = v !== null && typeof v === 'object' ? JSON.stringify(v) : typeof v === 'string' ? `s${v}` : String(v);
      const seen = first.get(key);
      if (seen === undefined) first.set(key, text);
      else if (seen !== text) varying.add(key);
      count.set(key, (count.get(key) ?? 0) + 1);
    });
  }
  for (const [key, n] of count) if (n < rows.length) varying.add(key);
  const all = [...first.keys()];
  return { all, varying: all.filter((k) => varying.has(k)) };
}

/** Every metric name of the rows, in first-seen order. */
export function metricNames(rows: readonly KeptRow[]): string[] {
  const names = new Set<string>();
  for (const row of rows) for (const name of row.metricNames) names.add(name);
  return [...names];
}
