import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { TrellisError } from '../../errors/index.js';
import { recordPath, RUN_FILES } from '../../records/names.js';
import { readMetricsSync, type MetricRow } from '../../run/metrics.js';
import { metricsStamp, type StoredRun } from '../../store/stored-run.js';
import type { StoreStatus } from '../../store/types.js';
import { EventEncoder } from './event-encoder.js';
import { runFolderName } from './folder-name.js';
import { configHParams, sessionEndValue, sessionStartValue, type SessionStatus } from './hparams.js';

/** Which run went to which folder, and what it was made from: a re-export reuses the folder and skips unchanged runs. */
export const EXPORT_INDEX = '.trellis-export.json';

interface IndexEntry {
  folder: string;
  /** The run's records and metrics as exported; equal next time means nothing to rewrite. */
  stamp: string | null;
  file: string;
}

interface ExportedRun {
  id: string;
  dir: string;
  /** Relative to the export directory, with '/'. */
  folder: string;
  action: 'written' | 'unchanged' | 'skipped';
  /** Scalars written (0 when unchanged or skipped). */
  scalars: number;
  /** Why a run was skipped (no readable records). */
  reason?: string;
}

export interface ExportReport {
  to: string;
  runs: ExportedRun[];
  scalars: number;
}

/** The HParams session status of a run's status. */
function sessionStatus(status: StoreStatus): SessionStatus | undefined {
  if (status === 'completed') return 'success';
  if (status === 'failed' || status === 'interrupted' || status === 'crashed') return 'failure';
  if (status === 'running') return undefined; // no end yet
  return 'unknown';
}

const seconds = (iso: string | null | undefined) => (iso ? Date.parse(iso) / 1000 : Number.NaN);

/**
 * The whole event file of one run: the file version, the HParams session start (the resolved
 * config, dotted), one event per metrics row, and the session end once the run has finished.
 * A row without a time gets the previous row's (the run's start for the first).
 */
export function runEventFile(
  run: { config: unknown; start: number; end: number; status: StoreStatus },
  rows: Iterable<MetricRow>,
  encoder = metricsEncoder(),
): { bytes: Buffer; scalars: number } {
  const start = Number.isFinite(run.start) ? run.start : 0;
  encoder.fileVersion(start);
  encoder.event({ wallTime: start, step: 0, summary: [sessionStartValue(configHParams(run.config), start)] });
  let time = start;
  let scalars = 0;
  for (const row of rows) {
    if (row.time !== undefined) time = row.time;
    scalars += encoder.scalars(row, row.step, time);
  }
  const status = sessionStatus(run.status);
  if (status) {
    const end = Number.isFinite(run.end) ? run.end : time;
    encoder.event({ wallTime: end, step: 0, summary: [sessionEndValue(status, end)] });
  }
  return { bytes: encoder.take(), scalars };
}

/** An encoder for metrics rows (their own step and time are no scalars); one serves many runs, its buffer grown once. */
const metricsEncoder = () => new EventEncoder({ skip: ['step', 'time'] });

function readIndex(to: string): Map<string, IndexEntry> {
  const entries = new Map<string, IndexEntry>();
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(to, EXPORT_INDEX), 'utf8'));
  } catch {
    return entries; // none yet, or unreadable: folders are found again by name
  }
  const runs = raw !== null && typeof raw === 'object' ? (raw as { runs?: unknown }).runs : undefined;
  if (runs === null || typeof runs !== 'object') return entries;
  for (const [id, e] of Object.entries(runs as Record<string, unknown>)) {
    const entry = e as Partial<IndexEntry> | null;
    if (typeof entry?.folder === 'string' && typeof entry.file === 'string' && isInside(entry.folder) && isEventFileName(entry.file)) {
      entries.set(id, { folder: entry.folder, file: entry.file, stamp: typeof entry.stamp === 'string' ? entry.stamp : null });
    }
  }
  return entries;
}

/** An index entry is data from disk: it must not lead a write or a delete outside the export. */
const isInside = (folder: string) => folder !== '' && !folder.split('/').some((p) => p === '' || p === '.' || p === '..') && !/[\\\0]/.test(folder);
const isEventFileName = (name: string) => /^events\.out\.tfevents\.[\w.-]+$/.test(name);

function writeAtomic(path: string, bytes: Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, bytes);
  renameSync(tmp, path);
}

/**
 * Writes one folder per run under `to` (see runFolderName), each with one event file. A run
 * exported before keeps its folder; one whose records and metrics have not changed since is
 * left as it is, so a re-export never duplicates a run and rewrites only what changed.
 */
export function exportRuns(runs: readonly StoredRun[], to: string, now = new Date()): ExportReport {
  const target = resolve(to);
  try {
    mkdirSync(target, { recursive: true });
  } catch (cause) {
    throw new TrellisError('RUN_IO', `Cannot create the export directory ${to} (${(cause as NodeJS.ErrnoException).code ?? 'error'})`, { cause });
  }
  const index = readIndex(target);
  const taken = new Map<string, string>([...index].map(([id, e]) => [e.folder, id]));
  const report: ExportReport = { to: target, runs: [], scalars: 0 };
  const encoder = metricsEncoder();
  for (const run of runs) {
    const info = run.info;
    const id = run.id;
    if (!info || !id) {
      report.runs.push({ id: id ?? '', dir: run.dir, folder: '', action: 'skipped', scalars: 0, reason: run.reason() ?? 'run.json unreadable' });
      continue;
    }
    const known = index.get(id);
    let folder = known?.folder ?? runFolderName({ id, dir: run.dir, root: run.root, overrides: info.overrides });
    if (!known && taken.has(folder) && taken.get(folder) !== id) folder = `${folder} ${id}`;
    taken.set(folder, id);
    const status = run.status(now);
    const stamp = run.stamp === undefined ? null : `${run.stamp}|${metricsStamp(run.dir) ?? '-'}|${status}`;
    if (known && stamp !== null && known.stamp === stamp) {
      report.runs.push({ id, dir: run.dir, folder, action: 'unchanged', scalars: 0 });
      continue;
    }
    const start = seconds(info.start);
    const file = `events.out.tfevents.${String(Math.floor(Number.isFinite(start) ? start : 0)).padStart(10, '0')}.trellis`;
    let rows: MetricRow[] = [];
    try {
      rows = readMetricsSync(recordPath(run.dir, RUN_FILES.metrics)).rows;
    } catch {
      // no metrics.jsonl: the run logged nothing; its hparams still belong in the table
    }
    const { bytes, scalars } = runEventFile({ config: run.config(), start, end: seconds(info.end), status }, rows, encoder);
    const dir = join(target, ...folder.split('/'));
    mkdirSync(dir, { recursive: true });
    if (known && known.file !== file) rmSync(join(dir, known.file), { force: true });
    writeAtomic(join(dir, file), bytes);
    index.set(id, { folder, stamp, file });
    report.runs.push({ id, dir: run.dir, folder, action: 'written', scalars });
    report.scalars += scalars;
  }
  writeAtomic(join(target, EXPORT_INDEX), Buffer.from(`${JSON.stringify({ format_version: 1, runs: Object.fromEntries(index) }, null, 1)}\n`));
  return report;
}
