import type { ObservedStatus } from '../run/run-state.js';

/** What a listing reports for a run: the observed status, or why its records cannot be used. */
export type StoreStatus = ObservedStatus | 'partial' | 'unreadable';

export const STORE_STATUSES: readonly StoreStatus[] = [
  'running',
  'completed',
  'failed',
  'interrupted',
  'pruned',
  'crashed',
  'unknown',
  'partial',
  'unreadable',
];

/** The fields of run.json the store uses (DESIGN.md §5), normalised: absent fields are null. */
export interface RunInfo {
  id: string | null;
  name: string | null;
  /** As recorded; a listing shows the observed status (a stale heartbeat reads as crashed). */
  status: string | null;
  start: string | null;
  end: string | null;
  duration_s: number | null;
  exit_code: number | null;
  error: { type: string | null; message: string | null } | null;
  host: string | null;
  cwd: string | null;
  entry: string | null;
  config_dir: string | null;
  config_name: string | null;
  /** A command job's command (`trellis run -- PROGRAM ARGS`); null for Node-function runs. */
  command: RunCommand | null;
  overrides: string[];
  sweep: { dir: string; num: number } | null;
  reproduces: string | null;
  /** A run a pruner stopped early: the step whose report decided it, and why. */
  pruned: { step: number; reason: string } | null;
  heartbeat: string | null;
  heartbeat_interval_s: number | null;
  tags: string[];
  notes: string[];
}

/** run.json `command`: the argv that ran, and whatever else the runner records beside it. */
export type RunCommand = { args: string[] } & Record<string, unknown>;

/** A number as summary.json holds it: JSON has no NaN or ±Infinity, so those are strings. */
export type RecordedNumber = number | 'NaN' | 'Infinity' | '-Infinity';

/** One metric of summary.json. */
export interface MetricStats {
  last?: RecordedNumber | null;
  last_step?: number | null;
  min?: RecordedNumber | null;
  min_step?: number | null;
  max?: RecordedNumber | null;
  max_step?: number | null;
  count?: number | null;
}

export interface RunSummary {
  metrics: Record<string, MetricStats>;
  /** The job's return value. */
  result: unknown;
}
