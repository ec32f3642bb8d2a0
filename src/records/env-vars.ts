/**
 * The `TRELLIS_*` variables one trellis process hands another. Their names live here alone:
 * a launcher sets them, the job side reads them.
 */

/** Turn an app's `main()` into one job of a sweep started by a process launcher (SLURM). */
export const CHILD_ENV = {
  sweepDir: 'TRELLIS_SWEEP_DIR',
  jobNum: 'TRELLIS_JOB_NUM',
  resultFile: 'TRELLIS_JOB_RESULT',
  now: 'TRELLIS_SWEEP_TIME',
} as const;

/** Turns an app's `main()` into a worker of the local launcher's pool (jobs arrive over IPC). */
export const POOL_ENV = 'TRELLIS_POOL_WORKER';

/**
 * A JSON object (name, job id, stdout/stderr paths relative to the sweep directory) that a
 * launcher sets for each job; the job records it in its run.json as `launcher`.
 */
export const LAUNCHER_INFO_ENV = 'TRELLIS_LAUNCHER_INFO';

/** Set by `trellis rerun`: the run being reproduced, and its master seed when it was drawn. */
export const RERUN_ENV = { reproduces: 'TRELLIS_REPRODUCES', masterSeed: 'TRELLIS_MASTER_SEED' } as const;

/**
 * `off` runs Node function jobs on the main thread instead of a job thread (then a busy job
 * stops only at its next run.log()). For measuring what the supervisor costs, and as a way out
 * for a program whose module cannot be imported twice.
 */
export const JOB_THREAD_ENV = 'TRELLIS_JOB_THREAD';
