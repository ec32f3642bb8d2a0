import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../run/atomic-write.js';
import type { RunInfo, RunSummary } from './types.js';

/**
 * The index a store keeps in each root: a cache of what was read from each run directory,
 * always rebuildable from them and never the source of truth (delete it and nothing is lost).
 * Three files, so a query loads only what it needs: `runs.json` (the walk and run.json),
 * `summaries.json` (summary.json) and `configs.json` (resolved.yaml).
 */
export const INDEX_DIR = '.trellis-index';
const VERSION = 1;

/**
 * A directory of the walk: its sub-directories, valid while its mtime is unchanged (adding or
 * removing an entry changes a directory's mtime).
 */
export interface IndexedDir {
  mtime: number;
  children: string[];
  /** It has a `.trellis/` sub-directory (a run, or a sweep's records). */
  records: boolean;
}

/**
 * A run (or a sweep directory) is keyed by the identity and mtime of its `.trellis/` directory.
 * Every record is written by rename (DESIGN.md §5: temp file + rename), which changes that
 * directory's mtime, so one stat per run tells whether anything read from it may have changed.
 */
export type IndexedRun =
  | { stamp: string; sweep: true }
  | { stamp: string; sweep?: false; info: RunInfo | null; problem: string | null; summaryProblem?: string | null };

export interface PartEntry<T> {
  stamp: string;
  value: T;
}

export type SummaryPart = { summary: RunSummary | null; summaryProblem: string | null };
export type ConfigPart = { config: unknown; configProblem: string | null };

const INFO_KEYS = ['id', 'name', 'status', 'start', 'end', 'duration_s', 'exit_code', 'error', 'host', 'cwd', 'entry', 'config_dir', 'config_name', 'overrides', 'sweep', 'reproduces', 'heartbeat', 'heartbeat_interval_s', 'tags', 'notes'] as const satisfies ReadonlyArray<keyof RunInfo>;

/** RunInfo as an array in INFO_KEYS order: a third of the size, so the index parses faster. */
const packInfo = (info: RunInfo) => INFO_KEYS.map((k) => info[k]);
function unpackInfo(packed: unknown[]): RunInfo {
  const info = {} as Record<string, unknown>;
  INFO_KEYS.forEach((k, i) => (info[k] = packed[i] ?? (k === 'overrides' || k === 'tags' || k === 'notes' ? [] : null)));
  return info as unknown as RunInfo;
}

const STAT_KEYS = ['last', 'last_step', 'min', 'min_step', 'max', 'max_step', 'count'] as const;
function packSummary(s: SummaryPart): unknown {
  if (!s.summary) return [null, s.summaryProblem];
  const metrics = Object.entries(s.summary.metrics).map(([name, m]) => [name, ...STAT_KEYS.map((k) => (m as Record<string, unknown>)[k] ?? null)]);
  return [metrics, null, s.summary.result ?? null];
}
function unpackSummary(packed: unknown): SummaryPart {
  const [metrics, problem, result] = packed as [unknown[][] | null, string | null, unknown];
  if (!metrics) return { summary: null, summaryProblem: problem };
  const out = Object.create(null) as RunSummary['metrics'];
  for (const [name, ...values] of metrics) out[String(name)] = Object.fromEntries(STAT_KEYS.map((k, i) => [k, values[i] ?? null]));
  return { summary: { metrics: out, result }, summaryProblem: null };
}

function readJson(path: string): Record<string, unknown> | undefined {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    return raw.version === VERSION ? raw : undefined;
  } catch {
    return undefined;
  }
}

const dict = <T>() => Object.create(null) as Record<string, T>;

/** One root's index: the run part is loaded at once, summaries and configs on first use. */
export class RootIndex {
  readonly dirs: Record<string, IndexedDir> = dict();
  readonly runs: Record<string, IndexedRun> = dict();
  private summaries: Record<string, PartEntry<SummaryPart>> | undefined;
  private configs: Record<string, PartEntry<ConfigPart>> | undefined;

  constructor(
    readonly root: string,
    readonly enabled: boolean,
  ) {
    if (!enabled) return;
    const raw = readJson(join(root, INDEX_DIR, 'runs.json'));
    if (!raw) return;
    Object.assign(this.dirs, raw.dirs);
    for (const [rel, entry] of Object.entries((raw.runs ?? {}) as Record<string, unknown[]>)) {
      const [stamp, kind, info, problem, summaryProblem] = entry as [string, string, unknown[] | null, string | null, string | null | undefined];
      this.runs[rel] = kind === 'sweep' ? { stamp, sweep: true } : { stamp, info: info ? unpackInfo(info) : null, problem, ...(summaryProblem === undefined ? {} : { summaryProblem }) };
    }
  }

  private loadPart<T>(file: string, unpack: (v: unknown) => T): Record<string, PartEntry<T>> {
    const out = dict<PartEntry<T>>();
    const raw = this.enabled ? readJson(join(this.root, INDEX_DIR, file)) : undefined;
    for (const [rel, [stamp, value]] of Object.entries((raw?.runs ?? {}) as Record<string, [string, unknown]>)) out[rel] = { stamp, value: unpack(value) };
    return out;
  }

  summary(rel: string, stamp: string): SummaryPart | undefined {
    this.summaries ??= this.loadPart('summaries.json', unpackSummary);
    const e = this.summaries[rel];
    return e && e.stamp === stamp ? e.value : undefined;
  }

  config(rel: string, stamp: string): ConfigPart | undefined {
    this.configs ??= this.loadPart('configs.json', (v) => {
      const [config, configProblem] = v as [unknown, string | null];
      return { config, configProblem };
    });
    const e = this.configs[rel];
    return e && e.stamp === stamp ? e.value : undefined;
  }

  private write(file: string, runs: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
    try {
      mkdirSync(join(this.root, INDEX_DIR), { recursive: true });
      writeFileAtomic(join(this.root, INDEX_DIR, file), JSON.stringify({ version: VERSION, ...extra, runs }));
    } catch {
      // A root that cannot be written to simply keeps no index.
    }
  }

  /** Writes the run part: the walk's directories and what run.json held. */
  saveRuns(dirs: Record<string, IndexedDir>, runs: Record<string, IndexedRun>): void {
    const packed = dict<unknown[]>();
    for (const [rel, r] of Object.entries(runs)) {
      packed[rel] = r.sweep ? [r.stamp, 'sweep'] : [r.stamp, 'run', r.info ? packInfo(r.info) : null, r.problem, ...(r.summaryProblem === undefined ? [] : [r.summaryProblem])];
    }
    this.write('runs.json', packed, { dirs });
  }

  /** Writes a part for the runs listed (rel → stamp): fresh values first, else what the file had. */
  savePart(part: 'summaries' | 'configs', current: Map<string, { stamp: string; value: SummaryPart | ConfigPart | undefined }>): void {
    const old = part === 'summaries' ? (this.summaries ??= this.loadPart('summaries.json', unpackSummary)) : undefined;
    if (part === 'configs') this.config('', '');
    const oldConfigs = this.configs;
    const out = dict<unknown>();
    for (const [rel, { stamp, value }] of current) {
      const prior = (part === 'summaries' ? old : oldConfigs)?.[rel];
      const v = value ?? (prior && prior.stamp === stamp ? prior.value : undefined);
      if (v === undefined) continue;
      out[rel] = [stamp, part === 'summaries' ? packSummary(v as SummaryPart) : [(v as ConfigPart).config, (v as ConfigPart).configProblem]];
    }
    this.write(`${part}.json`, out);
  }
}
