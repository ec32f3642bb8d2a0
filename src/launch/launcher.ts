/** One job of a sweep, as every launcher receives it: override strings to recompose from. */
export interface JobSpec {
  num: number;
  overrides: string[];
}

/** What a launcher reports when a job ends. */
export interface LaunchedJob {
  num: number;
  overrides: string[];
  status: 'completed' | 'failed' | 'interrupted' | 'pruned';
  /** The job's run directory (absolute), when it got one. */
  dir: string | undefined;
  returnValue: unknown;
  /** One line saying why the job failed. */
  error: string | undefined;
}

/**
 * Runs jobs. Launchers get override strings and recompose, so a job composes the same in this
 * process, in a child process or on another machine.
 */
export interface Launcher {
  readonly name: string;
  /** How many jobs may run at once. */
  readonly parallelism: number;
  launch(job: JobSpec): Promise<LaunchedJob>;
  /** Stops every running job (Ctrl-C); each records itself as interrupted. */
  cancel(): Promise<void>;
  /** Releases what the launcher keeps between jobs (worker processes, a job thread). */
  close?(): Promise<void>;
}

/**
 * What a batch launcher knows about one job besides its result (SLURM: the array task id, its
 * state and its stdout/stderr files). Recorded in the sweep's job table as `launcher`; paths in
 * it are relative to the sweep directory.
 */
export type LauncherInfo = Record<string, unknown>;

/** A job handed to a batch launcher; `previous` is what an earlier attempt recorded (resume). */
export interface BatchJobSpec extends JobSpec {
  previous?: LauncherInfo | undefined;
}

/** How a batch launcher reports progress while it follows its jobs. */
export interface BatchEvents {
  /** The job was submitted, or an earlier submission of it was found still queued or running. */
  submitted(num: number, info: LauncherInfo): void;
  /** The job started running. */
  started(num: number, info: LauncherInfo): void;
  /** The job ended; each job ends once, except those `stopPending` removed before they started. */
  finished(job: LaunchedJob, info: LauncherInfo): void;
}

/**
 * A launcher that hands a whole sweep to a scheduler at once (one SLURM job array) instead of
 * job by job; the scheduler decides how many run at a time. `launch()` still works (a batch of
 * one), so code written against `Launcher` keeps working.
 */
export interface BatchLauncher extends Launcher {
  /** Submits every job, follows them and resolves when each has ended (or was stopped). */
  launchBatch(jobs: BatchJobSpec[], events: BatchEvents): Promise<void>;
  /** Removes the jobs that have not started yet (fail-fast); running ones go on. */
  stopPending(): Promise<void>;
}

export function isBatchLauncher(launcher: Launcher): launcher is BatchLauncher {
  return typeof (launcher as Partial<BatchLauncher>).launchBatch === 'function';
}

/** What a job started by a batch launcher writes to its result file. */
export interface ChildResult {
  status: 'completed' | 'failed' | 'interrupted' | 'pruned';
  dir: string | undefined;
  returnValue: unknown;
  error: string | undefined;
}

/** From the local launcher to a pool worker: run one job, or end. */
export type PoolMessage = { type: 'job'; num: number; overrides: string[] } | { type: 'close' };

/** From a pool worker: ready for jobs, or one job's result. */
export type PoolReply = { type: 'ready' } | { type: 'result'; num: number; result: ChildResult };
