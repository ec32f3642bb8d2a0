import { closeSync, copyFileSync, lstatSync, mkdirSync, openSync, realpathSync, writeFileSync, writeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { loadCheckpoint, writeCheckpoint, type Checkpoint } from '../records/checkpoint.js';
import { RECORDS_DIR } from '../records/names.js';
import { InputBook, type InputRecord } from '../run/inputs.js';
import { MetricsLog, type MetricValue } from '../run/metrics.js';
import { keepText } from '../run/secrets.js';
import type { SeedBook, SeededRng } from '../run/seeds.js';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** The part of a population-based training a job runs: member `member` trains steps [start, end). */
export interface Segment {
  member: number;
  generation: number;
  start: number;
  end: number;
}

/** A segment as the job is given it: with the run directory (absolute) whose checkpoint it restores. */
export type SegmentToRun = Segment & { restoreFrom: string | null };

export interface ArtifactRecord {
  name: string;
  size: number;
  sha256: string;
}

/** What a job receives next to its config: its directory, logging, seeded randomness, records. */
export interface Run {
  /** The run directory (absolute); the process's working directory is never changed. */
  readonly dir: string;
  readonly id: string;
  /** The master seed: `seed` from the config, or drawn and recorded. */
  readonly seed: number;
  /** Appends one line to metrics.jsonl: `run.log({ loss }, { step })`. */
  log(metrics: Record<string, MetricValue>, options?: { step?: number }): void;
  /** A seeded generator for a purpose ("data", "init"…); its seed is recorded in seeds.json. */
  rng(purpose?: string): SeededRng;
  /** Records a data file's size and sha256 in inputs.json. */
  trackInput(path: string): Promise<InputRecord>;
  /** Writes data (or copies a file) into the run directory and records its hash. */
  saveArtifact(name: string, data: string | Uint8Array | { path: string }): Promise<string>;
  tag(...tags: string[]): void;
  note(text: string): void;
  /**
   * Saves the job's state in the run directory (atomically: a reader sees the old checkpoint or
   * the new one): a JSON value, or `{ path }` to copy a file. `step` defaults to the last step
   * logged. A population-based sweep copies it into other members; it is never deleted.
   */
  checkpoint(state: unknown, options?: { step?: number }): string;
  /**
   * The checkpoint this run starts from: in a PBT sweep, the member's own last one or the top
   * member's it copies; undefined when it starts from scratch. `data` is the JSON value saved;
   * `path` the file saved (in the run that saved it: read it, never change it).
   */
  restore(): Checkpoint | undefined;
  /** In a PBT sweep, the member and the steps [start, end) this job trains; undefined otherwise. */
  readonly segment: Segment | undefined;
  readonly logger: Logger;
  /**
   * True once the run was asked to stop (Ctrl-C, SIGTERM, a sweeper's decision). A job that
   * checks it can save its state and return; one that does not is stopped at its next
   * `log()` call, or terminated after a short grace period.
   */
  readonly stopRequested: boolean;
}

export interface RunHandleState {
  tags: string[];
  notes: string[];
  artifacts: ArtifactRecord[];
  inputs: InputBook;
  metrics: MetricsLog;
  logFile: LogFile;
}

/**
 * The job's log file (`<job>.log`, created at once as Hydra does). Lines are written as they
 * come, synchronously like Python's FileHandler: a crash loses none, and nothing is left to
 * await when the run ends. Lines after `close()` reach the console only.
 */
class LogFile {
  private fd: number | undefined;

  constructor(path: string) {
    this.fd = openSync(path, 'a');
  }

  write(line: string): void {
    if (this.fd !== undefined) writeSync(this.fd, `${line}\n`);
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

function timestamp(date: Date): string {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())},${pad(date.getMilliseconds(), 3)}`;
}

export function createRunHandle(options: {
  dir: string;
  id: string;
  jobName: string;
  seeds: SeedBook;
  metricsPath: string;
  metricsFlushSeconds?: number | undefined;
  logPath: string;
  cwd: string;
  print: (line: string) => void;
  redact: (text: string) => string;
  /** Called after the run's tags, notes, artifacts, inputs or seeds changed. */
  changed?: () => void;
  /** Whether the supervisor asked the job to stop. */
  stopRequested?: () => boolean;
  /** Ends the job now, its metrics flushed (called from `log()` once a stop was asked for). */
  stopNow?: () => never;
  /** PBT: the segment this job trains, and the run directory whose checkpoint it restores. */
  segment?: SegmentToRun | undefined;
}): { run: Run; state: RunHandleState } {
  const state: RunHandleState = {
    tags: [],
    notes: [],
    artifacts: [],
    inputs: new InputBook(options.cwd),
    metrics: new MetricsLog(options.metricsPath, options.metricsFlushSeconds === undefined ? {} : { flushSeconds: options.metricsFlushSeconds }),
    logFile: new LogFile(options.logPath),
  };
  const line = (level: string) => (message: string) => {
    // The log file is a record too: secrets the config read never reach it (nor the console).
    const text = options.redact(`[${timestamp(new Date())}][${options.jobName}][${level}] - ${message}`);
    options.print(text);
    state.logFile.write(text);
  };
  const changed = options.changed ?? (() => undefined);
  const stopRequested = options.stopRequested ?? (() => false);
  const run: Run = {
    dir: options.dir,
    id: options.id,
    seed: options.seeds.master,
    log: (metrics, opts) => {
      // A busy job cannot be interrupted from outside its thread gently: logging is where it
      // stops, with every metric it logged so far on disk.
      if (options.stopNow && stopRequested()) {
        state.metrics.flush();
        options.stopNow();
      }
      state.metrics.log(options.redact === keepText ? metrics : redactMetrics(metrics, options.redact), opts);
    },
    rng: (purpose) => {
      const rng = options.seeds.rng(purpose);
      if (purpose !== undefined) changed();
      return rng;
    },
    trackInput: async (path) => {
      const record = await state.inputs.add(path);
      changed();
      return record;
    },
    async saveArtifact(name, data) {
      const target = resolve(options.dir, name);
      const rel = relative(options.dir, target);
      if (rel.startsWith('..') || isAbsolute(rel) || rel === '') {
        throw new TrellisError('RUN_IO', `Artifact name '${name}' would leave the run directory`, {
          hint: 'use a relative name such as model.bin or plots/loss.png',
        });
      }
      if (rel.split(sep)[0] === RECORDS_DIR) {
        throw new TrellisError('RUN_IO', `Artifact name '${name}' is inside ${RECORDS_DIR}/, which holds the run's records`, {
          hint: 'use a name outside .trellis/, such as model.bin or plots/loss.png',
        });
      }
      mkdirSync(dirname(target), { recursive: true });
      // A symlink on the way (plots -> /elsewhere) must not carry the write out of the run directory.
      const landing = relative(realpathSync(options.dir), join(realpathSync(dirname(target)), basename(target)));
      if (landing.startsWith('..') || isAbsolute(landing) || landing.split(sep)[0] === RECORDS_DIR || isSymlink(target)) {
        throw new TrellisError('RUN_IO', `Artifact name '${name}' leads through a symbolic link out of the run directory or into its records`, {
          hint: 'save artifacts under plain folders of the run directory',
        });
      }
      if (typeof data === 'object' && data !== null && 'path' in data) copyFileSync(resolve(options.cwd, data.path), target);
      else writeFileSync(target, data);
      const bytes = readFileSync(target);
      state.artifacts.push({ name: rel, size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
      changed();
      return target;
    },
    tag: (...tags) => {
      for (const t of tags.map(options.redact)) if (!state.tags.includes(t)) state.tags.push(t);
      changed();
    },
    note: (text) => {
      state.notes.push(options.redact(text));
      changed();
    },
    checkpoint: (data, opts) => writeCheckpoint(options.dir, opts?.step ?? state.metrics.lastStep ?? options.segment?.start ?? 0, data, options.cwd),
    restore: () => (options.segment?.restoreFrom ? loadCheckpoint(options.segment.restoreFrom) : undefined),
    segment: options.segment && {
      member: options.segment.member,
      generation: options.segment.generation,
      start: options.segment.start,
      end: options.segment.end,
    },
    logger: { debug: line('DEBUG'), info: line('INFO'), warn: line('WARNING'), error: line('ERROR') },
    get stopRequested() {
      return stopRequested();
    },
  };
  return { run, state };
}

/** String metrics are records too: a logged secret is stored as `***`. */
function redactMetrics(metrics: Record<string, MetricValue>, redact: (text: string) => string): Record<string, MetricValue> {
  // fromEntries defines own properties, so a metric named `__proto__` stays a plain name.
  return Object.fromEntries(Object.entries(metrics).map(([name, value]) => [redact(name), typeof value === 'string' ? redact(value) : value]));
}

/** The path itself is a symbolic link (writing through it would land wherever it points). */
function isSymlink(path: string): boolean {
  try {
    return lstatSync(path).isSymbolicLink();
  } catch {
    return false; // nothing there yet
  }
}
