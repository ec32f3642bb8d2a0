import { existsSync, readFileSync, statSync } from 'node:fs';
import { readRecordText } from '../records/inline-records.js';
import { RECORDS_DIR, RUN_FILES, SWEEP_FILES, recordPath } from '../records/names.js';
import { join } from 'node:path';
import { summarizeMetricsFile, type MetricSummary } from '../run/metrics.js';
import { observedStatus, type ObservedStatus } from '../run/run-state.js';
import { getPath } from './query-fields.js';
import { readYamlRecord } from './read-yaml.js';
import type { RecordedNumber, RunCommand, RunInfo, RunSummary, StoreStatus } from './types.js';

/** What an index answers when it holds nothing valid for a run: read its files instead. */
export const NOT_INDEXED = Symbol('not indexed');

/** Bits of `StoredRun.changed`: which records were read from files, so the index needs writing. */
export const CHANGED = { run: 1, summary: 2, config: 4 } as const;

const FINAL_STATUSES = new Set(['completed', 'failed', 'interrupted', 'pruned']);
/** A status a run ends with: run.json is written with it last and not rewritten by the run. */
export const isFinalStatus = (status: string): status is 'completed' | 'failed' | 'interrupted' | 'pruned' => FINAL_STATUSES.has(status);

/**
 * A store's index, as a run found through it sees it: what run.json held by the run's row, and
 * summaries and configs for the run (valid only for its records as they are, by its stamp).
 * Lookups answer NOT_INDEXED when the index holds nothing valid.
 */
export interface RunSource {
  /** run.json as kept, or why it could not be used (a string). */
  record(row: number): RunInfo | string | typeof NOT_INDEXED;
  /** The status run.json records; null when run.json could not be used. */
  recordedStatus(row: number): string | null;
  /** The row's stamp (identity + mtime of `.trellis/`). */
  stamp(row: number): string;
  /** A run not finished: run.json's heartbeat and its interval, as a status needs them. */
  heartbeat(row: number): { heartbeat: unknown; heartbeat_interval_s: unknown } | typeof NOT_INDEXED;
  id(row: number): string | null | typeof NOT_INDEXED;
  /** run.json's start in ms since the epoch, null when it has none. */
  started(row: number): number | null | typeof NOT_INDEXED;
  /** Why summary.json could not be read, null when it could, undefined when it was never read. */
  summaryProblem(row: number): string | null | undefined;
  summary(run: StoredRun): SummaryRead | undefined;
  /** One statistic of a metric as summary.json holds it, null when absent. */
  metric(run: StoredRun, name: string, stat: string): unknown;
  /** Why the run's summary.json could not be read, as the summaries part keeps it (null: it could). */
  summaryPartProblem(run: StoredRun): string | null;
  config(run: StoredRun): { config: unknown; configProblem: string | null } | undefined;
  /** The config value at `path`, undefined when there is none. */
  configAt(run: StoredRun, path: readonly string[]): unknown;
  configProblem(run: StoredRun): string | null;
  /** Whether the index can keep this config (else it is read from its file every time). */
  keepsConfig(config: unknown): boolean;
}

/** What one run directory holds, as far as it has been read. */
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
/** The strings of a list in a record (others left out); [] when it is no list. */
export const stringsOf = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** run.json `command`, when it has its argv. */
function commandOf(v: unknown): RunCommand | null {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return null;
  const command = v as Record<string, unknown>;
  return Array.isArray(command.args) ? { ...command, args: stringsOf(command.args) } : null;
}

/** run.json → RunInfo; a string says why it is not a run record. */
function normalizeRunInfo(raw: unknown): RunInfo | string {
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
    command: commandOf(r.command),
    overrides: stringsOf(r.overrides),
    sweep: sweep && typeof sweep.dir === 'string' && typeof sweep.num === 'number' ? { dir: sweep.dir, num: sweep.num } : null,
    reproduces: str(r.reproduces),
    pruned: prunedOf(r.pruned),
    heartbeat: str(r.heartbeat),
    heartbeat_interval_s: num(r.heartbeat_interval_s),
    tags: stringsOf(r.tags),
    notes: stringsOf(r.notes),
  };
}

function prunedOf(value: unknown): RunInfo['pruned'] {
  if (value === null || typeof value !== 'object') return null;
  const { step, reason } = value as Record<string, unknown>;
  return typeof step === 'number' ? { step, reason: typeof reason === 'string' ? reason : '' } : null;
}

export function readRunState(dir: string): RunState {
  let text: string;
  try {
    text = readFileSync(recordPath(dir, RUN_FILES.run), 'utf8');
  } catch (e) {
    const atStart = (e as NodeJS.ErrnoException).code === 'ENOENT' ? startedOnly(dir) : undefined;
    return atStart ? { info: atStart, problem: null } : { info: null, problem: `run.json ${reasonOf(e)}` };
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

/**
 * A run directory whose process died before it wrote run.json (run.json comes last of the first
 * records): what little is known, as a run still starting. Its heartbeat is the records
 * directory's time, so it reads as running for a few seconds and as crashed after.
 */
function startedOnly(dir: string): RunInfo | undefined {
  // A sweep's directory has records too, and is no run.
  if (existsSync(join(dir, RECORDS_DIR, SWEEP_FILES.sweep)) || existsSync(join(dir, RECORDS_DIR, `${SWEEP_FILES.sweep}.lock`))) return undefined;
  let since: Date;
  try {
    since = statSync(join(dir, RECORDS_DIR)).mtime;
  } catch {
    return undefined;
  }
  const info = normalizeRunInfo({
    status: 'running',
    start: since.toISOString(),
    heartbeat: since.toISOString(),
    heartbeat_interval_s: 5,
    error: { type: 'crashed at start', message: 'the run ended before its run.json was written' },
  });
  return typeof info === 'string' ? undefined : info;
}

/** A run's summary as read: from summary.json, or derived from metrics.jsonl when that has none. */
export interface SummaryRead {
  summary: RunSummary | null;
  /** Why summary.json could not be read (and, when derived, that the metrics are from metrics.jsonl). */
  summaryProblem: string | null;
  /** Derived: metrics.jsonl's size and mtime when read (see metricsStamp); absent otherwise. */
  metricsStamp?: string;
}

const metricsFile = (dir: string) => recordPath(dir, RUN_FILES.metrics);

/**
 * What a summary derived from metrics.jsonl is valid for: the file is append-only, so its size
 * (and mtime) change with every line, though `.trellis/`'s mtime (the run's stamp) does not.
 * Undefined when there is no such file.
 */
export function metricsStamp(dir: string): string | undefined {
  const st = statSync(metricsFile(dir), { throwIfNoEntry: false });
  return st?.isFile() ? `${st.size}:${st.mtimeMs}` : undefined;
}

function readSummary(dir: string): SummaryRead {
  let raw: unknown;
  try {
    raw = JSON.parse(readRecordText(dir, RUN_FILES.summary));
  } catch (e) {
    return derivedSummary(dir, `summary.json ${e instanceof SyntaxError ? 'is not valid JSON' : reasonOf(e)}`);
  }
  if (raw === null || typeof raw !== 'object') return derivedSummary(dir, 'summary.json is not a JSON object');
  const r = raw as Record<string, unknown>;
  const metrics = r.metrics !== null && typeof r.metrics === 'object' && !Array.isArray(r.metrics) ? (r.metrics as RunSummary['metrics']) : {};
  return { summary: { metrics, result: r.result ?? null }, summaryProblem: null };
}

/**
 * A run killed (or still running) has no summary.json but its metrics.jsonl: the metrics are
 * summarised from that, by the writer's rules; the return value stays unknown (null).
 */
function derivedSummary(dir: string, problem: string): SummaryRead {
  // Stamped before reading: lines appended meanwhile make the stamp stale, never the summary.
  const stamp = metricsStamp(dir);
  if (stamp === undefined) return { summary: null, summaryProblem: problem };
  let metrics;
  try {
    metrics = summarizeMetricsFile(metricsFile(dir)).metrics;
  } catch {
    return { summary: null, summaryProblem: problem };
  }
  return { summary: { metrics: asRecorded(metrics), result: null }, summaryProblem: `${problem}; metrics from metrics.jsonl`, metricsStamp: stamp };
}

/** NaN and ±Infinity as summary.json holds them (strings: JSON has no such numbers), so both read alike. */
function asRecorded(metrics: Record<string, MetricSummary>): RunSummary['metrics'] {
  const recorded = (v: number | null) => (v === null || Number.isFinite(v) ? v : (String(v) as RecordedNumber));
  return Object.fromEntries(Object.entries(metrics).map(([name, s]) => [name, { ...s, last: recorded(s.last), min: recorded(s.min), max: recorded(s.max) }]));
}

function readConfig(dir: string): { config: unknown; configProblem: string | null } {
  const file = recordPath(dir, RUN_FILES.resolved);
  try {
    return { config: readYamlRecord(readRecordText(dir, RUN_FILES.resolved), file), configProblem: null };
  } catch (e) {
    return { config: null, configProblem: `resolved.yaml ${reasonOf(e)}` };
  }
}

/**
 * One run directory of a store. Records are read lazily and at most once: run.json when the run
 * is found, summary.json when a status or a metric is asked for, resolved.yaml only when a
 * config value is. A run found through an index reads from it instead, and only what is asked
 * for: its status, start and id from the index's columns, its whole run.json only when shown.
 */
export class StoredRun {
  /** The run directory (absolute). */
  readonly dir: string;
  /** The root it was found under (absolute), and its path relative to that root. */
  readonly root: string;
  readonly rel: string;
  /** Identity + mtime of `.trellis/` (the index key); null until asked for when the index has it. */
  private stampValue: string | undefined | null;
  /** The index it was found through and its row there (-1: run.json was read from its file). */
  readonly source: RunSource | undefined;
  readonly row: number;
  /** Which records were read from files this time (bits of CHANGED): the index needs writing. */
  changed = 0;
  // What has been read so far; undefined: not yet.
  private infoValue: RunInfo | null | undefined;
  private problemValue: string | null = null;
  private summaryValue: RunSummary | null | undefined;
  private summaryProblemValue: string | null | undefined;
  private metricsStampValue: string | undefined;
  private configValue: unknown;
  private configProblemValue: string | null | undefined;

  /**
   * `state` is what was read from the files; without it, the run reads `source` at `row`. A
   * `stamp` of null is the one the source has at `row` (read only when needed).
   */
  constructor(dir: string, root: string, rel: string, state: RunState | undefined, stamp?: string | null, source?: RunSource, row = -1) {
    this.dir = dir;
    this.root = root;
    this.rel = rel;
    this.stampValue = stamp;
    this.source = source;
    this.row = state ? -1 : row;
    if (state) {
      this.infoValue = state.info;
      this.problemValue = state.problem;
      this.summaryValue = state.summary;
      this.summaryProblemValue = state.summaryProblem;
      this.configValue = state.config;
      this.configProblemValue = state.configProblem;
    }
  }

  /** Identity + mtime of `.trellis/`, when found through a store (the index key). */
  get stamp(): string | undefined {
    if (this.stampValue === null) this.stampValue = this.source!.stamp(this.row);
    return this.stampValue;
  }

  get info(): RunInfo | null {
    if (this.infoValue === undefined) {
      const record = this.source!.record(this.row);
      if (record === NOT_INDEXED) {
        const state = readRunState(this.dir);
        this.problemValue = state.problem;
        this.changed |= CHANGED.run;
        this.infoValue = state.info;
      } else if (typeof record === 'string') {
        this.problemValue = record;
        this.infoValue = null;
      } else this.infoValue = record;
    }
    return this.infoValue;
  }

  get id(): string | null {
    const id = this.infoValue === undefined ? this.source!.id(this.row) : NOT_INDEXED;
    return id === NOT_INDEXED ? (this.info?.id ?? null) : id;
  }

  /** The status run.json records; null when run.json cannot be used. */
  recordedStatus(): string | null {
    return this.infoValue === undefined ? this.source!.recordedStatus(this.row) : (this.infoValue?.status ?? null);
  }

  /** When the run started (ms since the epoch); undefined when run.json does not say. */
  started(): number | undefined {
    const indexed = this.infoValue === undefined ? this.source!.started(this.row) : NOT_INDEXED;
    if (indexed !== NOT_INDEXED) return indexed ?? undefined;
    const start = this.info?.start;
    const t = start ? Date.parse(start) : Number.NaN;
    return Number.isNaN(t) ? undefined : t;
  }

  /**
   * Why summary.json could not be read, null when it could, undefined when not known yet. An
   * index keeps it for finished runs only: a running run has none yet, and is read anew anyway.
   */
  summaryProblem(): string | null | undefined {
    return this.summaryProblemValue === undefined && this.row >= 0 ? this.source!.summaryProblem(this.row) : this.summaryProblemValue;
  }

  summary(): RunSummary | null {
    if (this.summaryValue === undefined) {
      const cached = this.stamp === undefined ? undefined : this.source?.summary(this);
      const read = cached ?? readSummary(this.dir);
      if (!cached) this.changed |= CHANGED.summary | CHANGED.run;
      // The index's run part keeps whether a finished run's summary.json was readable, once known.
      else if (this.row >= 0 && this.source!.summaryProblem(this.row) === undefined && isFinalStatus(this.recordedStatus() ?? '')) this.changed |= CHANGED.run;
      this.summaryValue = read.summary;
      this.summaryProblemValue = read.summaryProblem;
      this.metricsStampValue = read.metricsStamp;
    }
    return this.summaryValue;
  }

  /** One statistic of a metric as summary.json records it (not converted); undefined when absent. */
  metric(name: string, stat: string): unknown {
    if (this.summaryValue === undefined && this.stamp !== undefined && this.source) {
      const v = this.source.metric(this, name, stat);
      if (v !== NOT_INDEXED) {
        // As when summary.json is read: a listing showing metrics gives the reason the same, warm or cold.
        if (this.summaryProblemValue === undefined) this.summaryProblemValue = this.source.summaryPartProblem(this);
        return v ?? undefined;
      }
    }
    const stats = this.summary()?.metrics[name];
    return stats !== null && typeof stats === 'object' ? (stats as Record<string, unknown>)[stat] : undefined;
  }

  /** resolved.yaml as plain values; null when it cannot be read. */
  config(): unknown {
    if (this.configValue === undefined) {
      const cached = this.stamp === undefined ? undefined : this.source?.config(this);
      const read = cached ?? readConfig(this.dir);
      if (!cached && this.source?.keepsConfig(read.config)) this.changed |= CHANGED.config;
      this.configValue = read.config;
      this.configProblemValue = read.configProblem;
    }
    return this.configValue ?? null;
  }

  /** The resolved config value at `path`; undefined when the run has none. */
  configAt(path: readonly string[]): unknown {
    if (this.configValue === undefined && this.stamp !== undefined && this.source) {
      const v = this.source.configAt(this, path);
      if (v !== NOT_INDEXED) {
        if (this.configProblemValue === undefined) this.configProblemValue = this.source.configProblem(this);
        return v;
      }
    }
    return getPath(this.config(), path);
  }

  /**
   * Lets go of the records this run parsed from its index: they can be parsed from it again.
   * Those read from files stay until an index has them. A reader that keeps what it needs of
   * many runs (the UI's rows) calls this, so 10,000 parsed records do not outlive the reading.
   */
  forgetIndexed(): void {
    if (this.row < 0) return;
    if (!(this.changed & CHANGED.run)) this.infoValue = undefined;
    if (!(this.changed & CHANGED.summary)) {
      this.summaryValue = undefined;
      this.metricsStampValue = undefined;
    }
    if (!(this.changed & CHANGED.config)) this.configValue = undefined;
  }

  /** summary.json and resolved.yaml as far as they were read (for the index). */
  loadedSummary(): SummaryRead | undefined {
    if (this.summaryValue === undefined) return undefined;
    const read: SummaryRead = { summary: this.summaryValue, summaryProblem: this.summaryProblemValue ?? null };
    if (this.metricsStampValue !== undefined) read.metricsStamp = this.metricsStampValue;
    return read;
  }
  loadedConfig(): { config: unknown; configProblem: string | null } | undefined {
    return this.configValue === undefined ? undefined : { config: this.configValue, configProblem: this.configProblemValue ?? null };
  }

  /** The recorded status as a reader sees it now, or `unreadable`/`partial` (see `reason`). */
  status(now: Date = new Date()): StoreStatus {
    const recorded = this.recordedStatus();
    if (recorded === null) return 'unreadable';
    // Only a run still marked running needs run.json's heartbeat.
    const observed: ObservedStatus = isFinalStatus(recorded) ? recorded : observedStatus(this.beat(recorded), now);
    // Only a completed run promises complete records; a running, crashed, failed or interrupted
    // one may lack some (a Ctrl-C can land before its summary), and its status says more.
    if (observed !== 'completed') return observed;
    // The index keeps whether summary.json was readable, so a listing need not load summaries.
    if (this.summaryProblem() === undefined) this.summary();
    if (this.summaryProblem()) return 'partial';
    if (this.configProblemValue) return 'partial';
    return observed;
  }

  /** What a status needs of a run not finished: from the index when it has it, else run.json. */
  private beat(recorded: string): { status?: unknown; heartbeat?: unknown; heartbeat_interval_s?: unknown } {
    const indexed = this.infoValue === undefined ? this.source!.heartbeat(this.row) : NOT_INDEXED;
    return indexed === NOT_INDEXED ? this.info! : { status: recorded, ...indexed };
  }

  /** Why the run is `unreadable` or `partial`; null otherwise. */
  reason(): string | null {
    if (!this.info) return this.problemValue;
    // Unknown until the summary is read (a run the index holds no finished state for): read it
    // now, so the reason never depends on which field a listing happened to read first.
    if (this.summaryProblem() === undefined) this.summary();
    return [this.summaryProblem(), this.configProblemValue].filter(Boolean).join('; ') || null;
  }
}
