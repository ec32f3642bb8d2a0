import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { recordPath, RECORDS_DIR, SWEEP_FILES } from './names.js';
import { acquireRecordLock } from '../run/record-lock.js';
import type { PbtLineage } from '../sweep/lineage.js';

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
  /** A model-based sweep's trial: the parameters it proposed, key → value. */
  params?: Record<string, string | number>;
  /** …and what its sampler knew then: a random startup draw or the model, from how many finished and running trials. */
  sampler?: { by: string; finished: number; running: number };
  /** A model-based sweep's trial as its sampler counted it (a completed job without an objective counts as failed). */
  state?: 'complete' | 'pruned' | 'failed';
  /** PBT: the segment's member, generation, steps, and whose checkpoint and config it started from. */
  pbt?: PbtLineage;
  /** A pruned job: the step whose report decided it, and why. */
  pruned?: { step: number; reason: string };
}

/** `.trellis/sweep.json` of a sweep directory. */
export interface SweepRecord {
  format_version?: number;
  strategy: string;
  search_space: Record<string, unknown>;
  seed: number | null;
  fingerprint: string;
  /** Config file (relative to config_dir) → sha256, so a refused resume names what changed. */
  config_files?: Record<string, string>;
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
  /** Early stopping: the pruner's name, its settings as given, and all its settings with defaults. */
  pruner?: { name: string; settings: Record<string, unknown>; study_name: string; effective: Record<string, unknown> };
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
  if (record === null || typeof record !== 'object' || !Array.isArray(record.jobs))
    throw new TrellisError('SWEEP_INVALID', `${path} is not a sweep record (no job table)`);
  if ((record.format_version ?? 1) > SWEEP_FORMAT_VERSION) {
    throw new TrellisError('SWEEP_INVALID', `${path} has format version ${record.format_version}, newer than this trellis reads (${SWEEP_FORMAT_VERSION})`, {
      hint: 'update trellis to resume or read this sweep',
    });
  }
  return record;
}

/**
 * Claims the sweep for this process: a lock on sweep.json, held while the sweep runs, names the
 * pid and host that run it. A second run or resume of the same sweep refuses at once while the
 * holder lives; a lock whose holder died on this host is taken over. Returns the release.
 */
export function lockSweep(sweepDir: string): () => void {
  mkdirSync(join(sweepDir, RECORDS_DIR), { recursive: true });
  try {
    const lock = acquireRecordLock(sweepRecordPath(sweepDir), { timeoutMs: 0 });
    return () => lock.release();
  } catch (error) {
    if (!(error instanceof TrellisError) || error.code !== 'RUN_LOCKED') throw error;
    const holder = /held by (.*)$/.exec(error.message)?.[1] ?? 'another process';
    throw new TrellisError('SWEEP_INVALID', `The sweep in ${sweepDir} is being run by ${holder}`, {
      hint: 'wait for it, or stop that process, then resume again',
      cause: error,
    });
  }
}
