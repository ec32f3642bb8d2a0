import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { recordPath, RUN_FILES } from './names.js';

/**
 * run.json's format, the newest this trellis reads. Version 2 adds `format_version` itself;
 * version 1 records (no such field) have the same fields and read the same. Version 3 may carry
 * records inline (`inline_records`, see inline-records.ts) in place of their files; earlier
 * versions have none, and read the same.
 */
export const RUN_FORMAT_VERSION = 3;

/**
 * The format of the runs trellis runs itself: they keep every record in its file, so they are
 * version 2, which a trellis that predates inline records still reads (a shared store may be
 * read by several versions). Only an import writes version 3.
 */
export const OWN_RUN_FORMAT_VERSION = 2;

/** `pruned`: a pruner stopped the job of a sweep early (run.json's `pruned` says where and why). */
export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted' | 'pruned';

/** How a command job (`trellis run -- …`) ran: enough to run it again. */
export interface CommandRecord {
  /** COMMAND ARGS as given, `${…}` not interpolated: what `rerun` and every job of a sweep start from. */
  template: string[];
  /** The command line as run: interpolated, overrides appended with pass_overrides. */
  args: string[];
  pass_overrides: boolean;
  /** The zod schema that validated the config (MODULE[:EXPORT], relative to cwd). */
  schema: string | null;
  kill_after_s: number;
  timeout_s: number | null;
  /** Derived seeds handed to the job (TRELLIS_SEEDS). */
  seeds: string[];
}

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
  /** A command job's command; absent for a Node function job. */
  command?: CommandRecord;
  /** For a pruned run: the step whose report decided it, and the pruner's reason. */
  pruned?: { step: number; reason: string };
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

/** A job of a sweep as its run directory records it. */
export interface SweepRun {
  dir: string;
  num: number;
  record: Partial<RunRecord>;
}

/** Every run directory below a sweep directory (4 levels at most) whose run.json names a job number. */
export function sweepRuns(sweepDir: string): SweepRun[] {
  const found: SweepRun[] = [];
  const walk = (dir: string, depth: number) => {
    const record = readRunRecord(dir);
    if (record && typeof record.sweep?.num === 'number') found.push({ dir, num: record.sweep.num, record });
    if (depth >= 4) return;
    let names: string[] = [];
    try {
      names = readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
        .map((e) => e.name);
    } catch {
      return;
    }
    for (const name of names) walk(join(dir, name), depth + 1);
  };
  walk(sweepDir, 0);
  return found;
}

/** The `trellis run` flags that start a command job the way `command` records it (its overrides go after them). */
export function commandJobFlags(command: CommandRecord, name: string): string[] {
  return [
    ...(command.schema ? ['--schema', command.schema] : []),
    ...(command.pass_overrides ? ['--pass-overrides'] : []),
    '--kill-after',
    String(command.kill_after_s),
    ...(command.timeout_s !== null ? ['--timeout', String(command.timeout_s)] : []),
    ...(command.seeds.length ? ['--seeds', command.seeds.join(',')] : []),
    '--name',
    name,
    '--command-json',
    JSON.stringify(command.template),
  ];
}
