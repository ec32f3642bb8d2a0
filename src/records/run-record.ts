import { readFileSync } from 'node:fs';
import { recordPath, RUN_FILES } from './names.js';

/**
 * run.json's format. Version 2 adds `format_version` itself; version 1 records (no such field)
 * have the same fields and read the same.
 */
export const RUN_FORMAT_VERSION = 2;

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

/** `.trellis/run.json`, as the job lifecycle writes it (DESIGN.md §5). */
export interface RunRecord {
  format_version: number;
  id: string;
  name: string;
  status: RunStatus;
  start: string;
  end: string | null;
  duration_s: number | null;
  exit_code: number | null;
  error: { type: string; message: string; stack: string | null; code?: string } | null;
  host: string;
  pid: number;
  argv: string[];
  cwd: string;
  entry: string | null;
  config_dir: string;
  config_name: string;
  overrides: string[];
  /** The sweep (directory relative to cwd) and job number, for a job of a sweep. */
  sweep: { dir: string; num: number } | null;
  /** Where a launcher ran the job (SLURM job id, log files). */
  launcher?: Record<string, unknown>;
  /** The run this one reproduces (`trellis rerun`). */
  reproduces: string | null;
  heartbeat: string;
  heartbeat_interval_s: number;
  tags: string[];
  notes: string[];
  artifacts: { name: string; size: number; sha256: string }[];
}

/**
 * run.json of `dir` as far as it can be read: undefined when it is missing, unreadable, or of a
 * newer format than this trellis knows (its fields may mean something else).
 */
export function readRunRecord(dir: string): Partial<RunRecord> | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(recordPath(dir, RUN_FILES.run), 'utf8'));
  } catch {
    return undefined;
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return undefined;
  const record = raw as Partial<RunRecord>;
  const version = record.format_version ?? 1;
  return typeof version === 'number' && version <= RUN_FORMAT_VERSION ? record : undefined;
}
