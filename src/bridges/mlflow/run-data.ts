import { createHash } from 'node:crypto';
import type { MetricRow } from '../../run/metrics.js';
import { cut, isValidName, MLFLOW_LIMITS, safeName } from './limits.js';

/** What the exporter needs of one trellis run (read through the store; see read-runs.ts). */
export interface ExportedRun {
  id: string;
  name: string;
  /** run.json's status, or `crashed` when a store saw a stale heartbeat. */
  status: string;
  start: string | null;
  end: string | null;
  /** resolved.yaml: the values the job saw. */
  config: unknown;
  overrides: readonly string[];
  tags: readonly string[];
  notes: readonly string[];
  gitCommit: string | null;
  /** The script or command that ran (mlflow.source.name). */
  source: string | null;
  /** The sweep it is a job of: a stable key (its absolute directory), a display name and the job number. */
  sweep: { key: string; name: string; num: number } | null;
  rows: readonly MetricRow[];
}

export type MlflowStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
/** mlflow.entities.RunStatus: meta.yaml stores the number. */
export const RUN_STATUS_NUMBER: Record<MlflowStatus, number> = { RUNNING: 1, SCHEDULED: 2, FINISHED: 3, FAILED: 4, KILLED: 5 };

export interface KeyValue {
  key: string;
  value: string;
}
export interface MetricPoint {
  key: string;
  value: number;
  /** Milliseconds since the epoch. */
  timestamp: number;
  step: number;
}

/** One MLflow run, as both the file store and the REST API take it. */
export interface MlflowRun {
  runId: string;
  name: string;
  status: MlflowStatus;
  startTime: number;
  endTime: number | null;
  params: KeyValue[];
  tags: KeyValue[];
  metrics: MetricPoint[];
  /** The parent's run id for a job of a sweep. */
  parentRunId: string | null;
}

/** Tags trellis sets besides MLflow's own (mlflow.*). */
const TRELLIS_TAGS = { runId: 'trellis.run_id', sweep: 'trellis.sweep', overrides: 'trellis.overrides', labels: 'trellis.tags' } as const;

/**
 * A stable MLflow run id (32 hex digits, the shape of MLflow's uuid4().hex) derived from a trellis
 * identity, so exporting a run again writes to the same MLflow run instead of a new one.
 */
function mlflowRunId(identity: string): string {
  return createHash('sha256').update(identity).digest('hex').slice(0, 32);
}

const runIdentity = (trellisId: string) => `trellis-run:${trellisId}`;
const sweepIdentity = (sweepKey: string) => `trellis-sweep:${sweepKey}`;

function statusOf(status: string): MlflowStatus {
  switch (status) {
    case 'completed':
      return 'FINISHED';
    case 'failed':
    case 'crashed':
      return 'FAILED';
    case 'interrupted':
      return 'KILLED';
    default:
      return 'RUNNING';
  }
}

const millis = (iso: string | null): number | null => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(t) ? null : t;
};

/** A param's text: scalars as written, lists and empty mappings as JSON. */
function paramText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** Nested config keys become dotted names; lists stay one value. */
function flattenConfig(value: unknown, prefix: string, out: Array<[string, unknown]>): void {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0 && prefix) out.push([prefix, value]);
    for (const [k, v] of entries) flattenConfig(v, prefix ? `${prefix}.${k}` : k, out);
  } else if (prefix) out.push([prefix, value]);
}

/** Collects entries under MLflow's names and value limits, noting every rename and cut as a tag. */
class Entries {
  readonly items = new Map<string, string>();
  readonly notes: KeyValue[] = [];
  constructor(
    private readonly kind: 'param' | 'tag' | 'metric',
    private readonly limit: number,
  ) {}

  /** The name MLflow gets for `key`; a rename is noted. */
  name(key: string): string {
    if (isValidName(key)) return key;
    let name = safeName(key);
    // Two names may collapse into one: keep both apart.
    for (let i = 2; this.items.has(name); i++) name = `${safeName(key).slice(0, MLFLOW_LIMITS.key - String(i).length - 1)}~${i}`;
    this.notes.push(noteTag(`trellis.renamed.${this.kind}.${name}`, key));
    return name;
  }

  add(key: string, value: string): void {
    const name = this.name(key);
    const c = cut(value, this.limit);
    if (c.cut) this.notes.push(noteTag(`trellis.truncated.${this.kind}.${name}`, `${c.length} characters, cut to ${this.limit}`));
    this.items.set(name, c.text);
  }

  list(): KeyValue[] {
    return [...this.items].map(([key, value]) => ({ key, value }));
  }
}

/** A note as a tag: its key made valid and short enough, its value cut to the tag limit. */
function noteTag(key: string, value: string): KeyValue {
  return { key: safeName(key), value: cut(value, MLFLOW_LIMITS.tagValue).text };
}

/** Metric points from metrics.jsonl rows: numbers as logged, booleans as 1/0; text values are left out. */
function metricPoints(rows: readonly MetricRow[], fallbackTime: number, names: Entries): MetricPoint[] {
  const points: MetricPoint[] = [];
  const nameOf = new Map<string, string>();
  for (const row of rows) {
    const timestamp = typeof row.time === 'number' && Number.isFinite(row.time) && row.time >= 0 ? Math.round(row.time * 1000) : fallbackTime;
    for (const [key, v] of Object.entries(row)) {
      if (key === 'step' || key === 'time') continue;
      const value = typeof v === 'number' ? v : typeof v === 'boolean' ? Number(v) : undefined;
      if (value === undefined) continue;
      let name = nameOf.get(key);
      if (name === undefined) nameOf.set(key, (name = names.name(key)));
      points.push({ key: name, value, timestamp, step: row.step });
    }
  }
  return points;
}

/**
 * The MLflow run for a trellis run: the resolved config as dotted params, metrics.jsonl as metric
 * histories, and tags for the run name, git commit, note, parent sweep and trellis's own fields.
 * Pure.
 */
export function toMlflowRun(run: ExportedRun, now: number): MlflowRun {
  const startTime = millis(run.start) ?? now;
  const params = new Entries('param', MLFLOW_LIMITS.paramValue);
  const flat: Array<[string, unknown]> = [];
  flattenConfig(run.config, '', flat);
  for (const [key, value] of flat) params.add(key, paramText(value));

  const tags = new Entries('tag', MLFLOW_LIMITS.tagValue);
  const name = run.sweep ? `${run.name} #${run.sweep.num}` : run.name;
  const parentRunId = run.sweep ? mlflowRunId(sweepIdentity(run.sweep.key)) : null;
  tags.add('mlflow.runName', name);
  tags.add('mlflow.source.type', 'LOCAL');
  if (run.source) tags.add('mlflow.source.name', run.source);
  if (run.gitCommit) tags.add('mlflow.source.git.commit', run.gitCommit);
  if (parentRunId) tags.add('mlflow.parentRunId', parentRunId);
  if (run.notes.length) tags.add('mlflow.note.content', run.notes.join('\n\n'));
  tags.add(TRELLIS_TAGS.runId, run.id);
  if (run.sweep) tags.add(TRELLIS_TAGS.sweep, `${run.sweep.name} job ${run.sweep.num}`);
  if (run.overrides.length) tags.add(TRELLIS_TAGS.overrides, run.overrides.join(' '));
  if (run.tags.length) tags.add(TRELLIS_TAGS.labels, run.tags.join(','));

  const metricNames = new Entries('metric', Number.POSITIVE_INFINITY);
  const metrics = metricPoints(run.rows, startTime, metricNames);
  const notes = [...params.notes, ...tags.notes, ...metricNames.notes];
  const allTags = tags.list();
  for (const n of notes) if (!allTags.some((t) => t.key === n.key)) allTags.push(n);
  return {
    runId: mlflowRunId(runIdentity(run.id)),
    name,
    status: statusOf(run.status),
    startTime,
    endTime: millis(run.end),
    params: params.list(),
    tags: allTags,
    metrics,
    parentRunId,
  };
}

/**
 * The parent run of a sweep's jobs (MLflow nests runs through `mlflow.parentRunId`): it spans
 * its jobs' times, and has failed when any job failed, is running while any job runs.
 */
export function sweepParentRun(sweep: { key: string; name: string }, jobs: readonly MlflowRun[]): MlflowRun {
  const starts = jobs.map((j) => j.startTime);
  const ends = jobs.map((j) => j.endTime);
  const status: MlflowStatus = jobs.some((j) => j.status === 'RUNNING')
    ? 'RUNNING'
    : jobs.some((j) => j.status === 'FAILED')
      ? 'FAILED'
      : jobs.some((j) => j.status === 'KILLED')
        ? 'KILLED'
        : 'FINISHED';
  const name = cut(sweep.name, MLFLOW_LIMITS.tagValue).text;
  return {
    runId: mlflowRunId(sweepIdentity(sweep.key)),
    name,
    status,
    startTime: Math.min(...starts),
    endTime: status === 'RUNNING' || ends.some((e) => e === null) ? null : Math.max(...(ends as number[])),
    params: [],
    tags: [
      { key: 'mlflow.runName', value: name },
      { key: 'mlflow.source.type', value: 'LOCAL' },
      { key: TRELLIS_TAGS.sweep, value: name },
    ],
    metrics: [],
    parentRunId: null,
  };
}
