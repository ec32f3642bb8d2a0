import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { observedStatus } from '../run/run-state.js';
import { readYamlRecord } from './read-yaml.js';
import type { RunInfo, RunSummary, StoreStatus } from './types.js';

export const RECORDS = '.trellis';

/** Where a run looks records up before reading files (a store's index). */
export interface RunPartSource {
  summary(rel: string, stamp: string): { summary: RunSummary | null; summaryProblem: string | null } | undefined;
  config(rel: string, stamp: string): { config: unknown; configProblem: string | null } | undefined;
}

/** What one run directory holds, as far as it has been read; serialisable into the index. */
export interface RunState {
  /** run.json, or null when it could not be read (then `problem` says why). */
  info: RunInfo | null;
  problem: string | null;
  /** undefined: not read yet; null: missing or unreadable (then `summaryProblem`). */
  summary?: RunSummary | null;
  summaryProblem?: string | null;
  /** resolved.yaml as plain values; undefined: not read yet; null: unreadable. */
  config?: unknown;
  configProblem?: string | null;
}

function reasonOf(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'missing';
  if (code) return `cannot be read (${code})`;
  return e instanceof Error ? e.message.split('\n')[0]! : String(e);
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** run.json → RunInfo; a string says why it is not a run record. */
export function normalizeRunInfo(raw: unknown): RunInfo | string {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return 'run.json is not a JSON object';
  const r = raw as Record<string, unknown>;
  if (typeof r.status !== 'string') return 'run.json has no status';
  const error = r.error !== null && typeof r.error === 'object' ? (r.error as Record<string, unknown>) : null;
  const sweep = r.sweep !== null && typeof r.sweep === 'object' ? (r.sweep as Record<string, unknown>) : null;
  return {
    id: str(r.id),
    name: str(r.name),
    status: r.status,
    start: str(r.start),
    end: str(r.end),
    duration_s: num(r.duration_s),
    exit_code: num(r.exit_code),
    error: error ? { type: str(error.type), message: str(error.message) } : null,
    host: str(r.host),
    cwd: str(r.cwd),
    entry: str(r.entry),
    config_dir: str(r.config_dir),
    config_name: str(r.config_name),
    overrides: strings(r.overrides),
    sweep: sweep && typeof sweep.dir === 'string' && typeof sweep.num === 'number' ? { dir: sweep.dir, num: sweep.num } : null,
    reproduces: str(r.reproduces),
    heartbeat: str(r.heartbeat),
    heartbeat_interval_s: num(r.heartbeat_interval_s),
    tags: strings(r.tags),
    notes: strings(r.notes),
  };
}

export function readRunState(dir: string): RunState {
  let text: string;
  try {
    text = readFileSync(join(dir, RECORDS, 'run.json'), 'utf8');
  } catch (e) {
    return { info: null, problem: `run.json ${reasonOf(e)}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { info: null, problem: text.trim() === '' ? 'run.json is empty' : 'run.json is not valid JSON' };
  }
  const info = normalizeRunInfo(raw);
  return typeof info === 'string' ? { info: null, problem: info } : { info, problem: null };
}

function readSummary(dir: string): { summary: RunSummary | null; summaryProblem: string | null } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, RECORDS, 'summary.json'), 'utf8'));
  } catch (e) {
    return { summary: null, summaryProblem: `summary.json ${e instanceof SyntaxError ? 'is not valid JSON' : reasonOf(e)}` };
  }
  if (raw === null || typeof raw !== 'object') return { summary: null, summaryProblem: 'summary.json is not a JSON object' };
  const r = raw as Record<string, unknown>;
  const metrics = r.metrics !== null && typeof r.metrics === 'object' && !Array.isArray(r.metrics) ? (r.metrics as RunSummary['metrics']) : {};
  return { summary: { metrics, result: r.result ?? null }, summaryProblem: null };
}

function readConfig(dir: string): { config: unknown; configProblem: string | null } {
  const file = join(dir, RECORDS, 'resolved.yaml');
  try {
    return { config: readYamlRecord(readFileSync(file, 'utf8'), file), configProblem: null };
  } catch (e) {
    return { config: null, configProblem: `resolved.yaml ${reasonOf(e)}` };
  }
}

/**
 * One run directory of a store. Records are read lazily and at most once: run.json when the run
 * is found, summary.json when a status or a metric is asked for, resolved.yaml only when a
 * config value is.
 */
export class StoredRun {
  /** The run directory (absolute). */
  readonly dir: string;
  /** The root it was found under (absolute), and its path relative to that root. */
  readonly rel: string;
  readonly root: string;
  readonly state: RunState;
  /** Identity + mtime of `.trellis/`, when found through a store (the index key). */
  stamp: string | undefined;
  /** The index to look records up in before reading them. */
  source: RunPartSource | undefined;
  /** Which records were read from files this time (the index needs writing). */
  readonly changed = new Set<'run' | 'summary' | 'config'>();

  constructor(dir: string, root: string, rel: string, state: RunState, stamp?: string, source?: RunPartSource) {
    this.dir = dir;
    this.root = root;
    this.rel = rel;
    this.state = state;
    this.stamp = stamp;
    this.source = source;
  }

  get info(): RunInfo | null {
    return this.state.info;
  }

  get id(): string | null {
    return this.state.info?.id ?? null;
  }

  summary(): RunSummary | null {
    if (this.state.summary === undefined) {
      const cached = this.stamp === undefined ? undefined : this.source?.summary(this.rel, this.stamp);
      if (cached) Object.assign(this.state, cached);
      else {
        Object.assign(this.state, readSummary(this.dir));
        this.changed.add('summary');
        this.changed.add('run');
      }
    }
    return this.state.summary ?? null;
  }

  /** resolved.yaml as plain values; null when it cannot be read. */
  config(): unknown {
    if (this.state.config === undefined) {
      const cached = this.stamp === undefined ? undefined : this.source?.config(this.rel, this.stamp);
      if (cached) Object.assign(this.state, cached);
      else {
        Object.assign(this.state, readConfig(this.dir));
        this.changed.add('config');
      }
    }
    return this.state.config ?? null;
  }

  /** The recorded status as a reader sees it now, or `unreadable`/`partial` (see `reason`). */
  status(now: Date = new Date()): StoreStatus {
    const info = this.state.info;
    if (!info) return 'unreadable';
    const observed = observedStatus(info, now);
    if (observed === 'completed' || observed === 'failed' || observed === 'interrupted') {
      // The index keeps whether summary.json was readable, so a listing need not load summaries.
      if (this.state.summaryProblem === undefined) this.summary();
      if (this.state.summaryProblem) return 'partial';
    }
    if (this.state.configProblem) return 'partial';
    return observed;
  }

  /** Why the run is `unreadable` or `partial`; null otherwise. */
  reason(): string | null {
    if (!this.state.info) return this.state.problem;
    return [this.state.summaryProblem, this.state.configProblem].filter(Boolean).join('; ') || null;
  }
}
