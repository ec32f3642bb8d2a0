import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { RECORDS_DIR } from '../records/names.js';
import { readSweepRecord, sweepRecordPath, type SweepRecord } from '../records/sweep-record.js';
import { TrellisError } from '../errors/index.js';
import { displayPath } from './open-store.js';

/** What `trellis sweep list` shows of one sweep. */
export interface SweepSummary {
  dir: string;
  created: string | null;
  strategy: string | null;
  launcher: string | null;
  objective: { name: string | null; mode: string } | null;
  jobs: number;
  /** Status → how many jobs have it. */
  statuses: Record<string, number>;
  /** The best objective value of a completed job, by the sweep's mode. */
  best: number | null;
  /** Why sweep.json could not be read, or null. */
  problem: string | null;
}

/** How deep below a root sweeps are looked for (multirun/<date>/<time> is 2). */
const MAX_DEPTH = 5;

/** Directories holding .trellis/sweep.json under `root`; a sweep's own job directories are not entered. */
function sweepDirs(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    if (existsSync(sweepRecordPath(dir))) {
      found.push(dir);
      return;
    }
    if (depth >= MAX_DEPTH) return;
    let names: string[];
    try {
      names = readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isDirectory() && !d.name.startsWith('.'))
        .map((d) => d.name);
    } catch {
      return;
    }
    for (const name of names.sort()) walk(join(dir, name), depth + 1);
  };
  walk(root, 0);
  return found;
}

export function summarizeSweep(dir: string, record: SweepRecord, cwd: string): SweepSummary {
  const statuses: Record<string, number> = Object.create(null) as Record<string, number>;
  for (const job of record.jobs) statuses[job.status] = (statuses[job.status] ?? 0) + 1;
  const mode = record.objective?.mode === 'max' ? 'max' : 'min';
  const values = record.jobs.filter((j) => j.status === 'completed' && typeof j.objective === 'number').map((j) => j.objective!);
  return {
    dir: displayPath(dir, cwd),
    created: record.created ?? null,
    strategy: record.strategy ?? null,
    launcher: record.launcher ?? null,
    objective: record.objective ?? null,
    jobs: record.jobs.length,
    statuses: { ...statuses },
    best: values.length ? (mode === 'min' ? Math.min(...values) : Math.max(...values)) : null,
    problem: null,
  };
}

/** Every sweep under `roots` (default: multirun/), oldest first. */
export function listSweeps(roots: readonly string[], cwd: string): SweepSummary[] {
  const explicit = roots.length > 0;
  const dirs = (explicit ? roots : ['multirun']).map((r) => resolve(cwd, r));
  const missing = dirs.filter((d) => !existsSync(d));
  if (explicit && missing.length)
    throw new TrellisError('USAGE', `No such directory: ${missing.map((d) => displayPath(d, cwd)).join(', ')}`, { hint: 'name directories that hold sweeps' });
  const out: SweepSummary[] = [];
  for (const dir of dirs.flatMap(sweepDirs)) {
    try {
      out.push(summarizeSweep(dir, readSweepRecord(dir), cwd));
    } catch (error) {
      if (!(error instanceof TrellisError)) throw error;
      const empty = { created: null, strategy: null, launcher: null, objective: null, jobs: 0, statuses: {}, best: null };
      out.push({ dir: displayPath(dir, cwd), ...empty, problem: error.message });
    }
  }
  return out.sort((a, b) => (a.created ?? '').localeCompare(b.created ?? '') || a.dir.localeCompare(b.dir));
}

/** The absolute directory of a sweep; a TrellisError when it holds no sweep.json. */
export function sweepDirOf(dir: string, cwd: string): string {
  const abs = resolve(cwd, dir);
  if (existsSync(sweepRecordPath(abs))) return abs;
  throw new TrellisError('SWEEP_INVALID', `${dir} is not a sweep directory (no ${RECORDS_DIR}/sweep.json)`, {
    hint: "see the sweeps here with 'trellis sweep list'",
  });
}
