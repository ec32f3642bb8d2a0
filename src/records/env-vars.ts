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

/** What a command job (`trellis run -- …`) finds in its environment: the contract with any program. */
export const COMMAND_ENV = {
  runDir: 'TRELLIS_RUN_DIR',
  runId: 'TRELLIS_RUN_ID',
  /** The resolved config as JSON (a file). */
  config: 'TRELLIS_CONFIG',
  /** The resolved config as YAML (a file). */
  configYaml: 'TRELLIS_CONFIG_YAML',
  /** The master seed. */
  seed: 'TRELLIS_SEED',
  /** The derived seeds asked for with --seeds, as a JSON object name → seed. */
  seeds: 'TRELLIS_SEEDS',
  /** A file to append metrics to, one JSON object per line. */
  metrics: 'TRELLIS_METRICS',
  /** A folder for files to keep; they are listed in run.json when the job ends. */
  artifacts: 'TRELLIS_ARTIFACTS',
  /** A file that appears when trellis decides about the running job: {"action": "stop" | "prune", …}. */
  control: 'TRELLIS_CONTROL',
  /** A folder for the job's checkpoints: files, then `latest.json` ({"step": N, "file": "<name in it>"} or {"step": N, "data": …}) written last, by rename. */
  checkpointDir: 'TRELLIS_CHECKPOINT_DIR',
  /** PBT: the checkpoints folder to start from (its latest.json names the checkpoint); unset when starting from scratch. */
  restoreFrom: 'TRELLIS_RESTORE_FROM',
  /** PBT: the segment to train, as JSON {"member", "generation", "start", "end"}: steps [start, end). */
  segment: 'TRELLIS_SEGMENT',
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

/**
 * The variables one trellis process sets for another: they differ from run to run by
 * construction (a sweep's folder, a job's number, the run being reproduced), so an environment
 * snapshot leaves them out and a comparison of runs ignores them.
 */
const HANDOFF_ENV: ReadonlySet<string> = new Set([
  ...Object.values(CHILD_ENV),
  ...Object.values(COMMAND_ENV),
  ...Object.values(RERUN_ENV),
  POOL_ENV,
  LAUNCHER_INFO_ENV,
]);

export function isHandoffEnv(name: string): boolean {
  return HANDOFF_ENV.has(name);
}
