import { closeSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { recordPath, RECORDS_DIR, SWEEP_FILES } from './names.js';
import { processAlive } from './process-alive.js';

/**
 * sweep.json's format. Version 2 adds `format_version`; version 1 (without it) reads the same.
 */
export const SWEEP_FORMAT_VERSION = 2;

/** One job of a sweep's table. */
export interface JobRow {
  num: number;
  overrides: string[];
  status: string;
  /** The job's run directory, relative to the sweep directory. */
  dir: string | null;
  objective: number | null;
  error: string | null;
  /** What a batch launcher knows of the job (SLURM: job id, state, stdout/stderr files). */
  launcher?: Record<string, unknown>;
}

/** `.trellis/sweep.json` of a sweep directory. */
export interface SweepRecord {
  format_version?: number;
  strategy: string;
  search_space: Record<string, unknown>;
  seed: number | null;
  fingerprint: string;
  config_dir: string;
  config_name: string;
  /** Where the sweep was started: config and entry paths are relative to it. */
  cwd: string;
  overrides: string[];
  launcher: string;
  /** The launcher's options (SLURM: partition, time, …), reused when the sweep is resumed. */
  launcher_options?: Record<string, unknown>;
  entry: string | null;
  objective: { name: string | null; mode: string };
  created: string;
  jobs: JobRow[];
}

export function sweepRecordPath(sweepDir: string): string {
  return recordPath(sweepDir, SWEEP_FILES.sweep);
}

/** The sweep record of `sweepDir`; a TrellisError says why it cannot be used. */
export function readSweepRecord(sweepDir: string): SweepRecord {
  const path = sweepRecordPath(sweepDir);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (cause) {
    throw new TrellisError('SWEEP_INVALID', `${path} cannot be read (${(cause as NodeJS.ErrnoException).code ?? 'not valid JSON'})`, { cause });
  }
  const record = raw as SweepRecord;
  if (record === null || typeof record !== 'object' || !Array.isArray(record.jobs)) throw new TrellisError('SWEEP_INVALID', `${path} is not a sweep record (no job table)`);
  if ((record.format_version ?? 1) > SWEEP_FORMAT_VERSION) {
    throw new TrellisError('SWEEP_INVALID', `${path} has format version ${record.format_version}, newer than this trellis reads (${SWEEP_FORMAT_VERSION})`, { hint: 'update trellis to resume or read this sweep' });
  }
  return record;
}

interface LockHolder {
  pid: number;
  host: string;
  started: string;
}

function takeOver(path: string, dead: LockHolder): void {
  const guard = `${path}.takeover`;
  try {
    closeSync(openSync(guard, 'wx'));
  } catch {
    // another process is taking over; a guard left by a crash is stale after a few seconds
    try {
      if (Date.now() - statSync(guard).mtimeMs > 10_000) rmSync(guard, { force: true });
    } catch {
      // gone already
    }
    return;
  }
  try {
    const now = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    if (now.pid === dead.pid && now.host === dead.host && now.started === dead.started) rmSync(path, { force: true });
  } catch {
    // removed or rewritten meanwhile: the next attempt looks again
  } finally {
    rmSync(guard, { force: true });
  }
}

/**
 * Claims the sweep for this process: `.trellis/sweep.lock`, created exclusively, names the pid
 * and host that run it. A second run or resume of the same sweep refuses while the holder lives;
 * a lock whose holder died on this host is taken over. Returns the release function.
 */
export function lockSweep(sweepDir: string): () => void {
  mkdirSync(join(sweepDir, RECORDS_DIR), { recursive: true });
  const path = recordPath(sweepDir, SWEEP_FILES.lock);
  const me: LockHolder = { pid: process.pid, host: hostname(), started: new Date().toISOString() };
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      try {
        writeSync(fd, `${JSON.stringify(me)}\n`);
      } finally {
        closeSync(fd);
      }
      return () => rmSync(path, { force: true });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new TrellisError('RUN_IO', `Cannot create ${path} (${(e as NodeJS.ErrnoException).code ?? 'error'})`, { cause: e });
    }
    let holder: LockHolder | undefined;
    try {
      holder = JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
    } catch {
      holder = undefined; // being written this instant, or torn by a crash: look again
    }
    if (holder && (holder.host !== me.host || processAlive(holder.pid))) {
      throw new TrellisError('SWEEP_INVALID', `The sweep in ${sweepDir} is being run by process ${holder.pid} on ${holder.host} (since ${holder.started})`, {
        hint: holder.host === me.host ? `wait for it, or stop it (kill ${holder.pid}) and resume again` : `wait for it, or stop it on ${holder.host}; if that host is gone, delete ${path}`,
      });
    }
    // The holder died without releasing: take the lock over, one taker at a time (else one
    // taker could remove the lock another has just made).
    if (holder) takeOver(path, holder);
  }
  throw new TrellisError('SWEEP_INVALID', `Cannot take the lock ${path}: another process keeps taking it`, { hint: 'is another resume of this sweep starting right now?' });
}
