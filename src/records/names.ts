import { join } from 'node:path';

/**
 * The names of everything trellis keeps on disk (DESIGN.md §5). Nothing else spells them out:
 * a record moves or gets a new name here, once.
 */

/** Where trellis keeps its records inside a run or sweep directory. */
export const RECORDS_DIR = '.trellis';

/** The records of one run, inside `<run dir>/.trellis/`. */
export const RUN_FILES = {
  run: 'run.json',
  config: 'config.yaml',
  resolved: 'resolved.yaml',
  overrides: 'overrides.yaml',
  choices: 'choices.yaml',
  /** Key → the file:line:col or override that set it (for `trellis explain`). */
  provenance: 'provenance.json',
  /** The configs merged, in order, with their packages. */
  defaults: 'defaults.json',
  seeds: 'seeds.json',
  env: 'env.json',
  /** A command job's program: interpreter, venv, distributions, script hash (absent for Node-function runs). */
  program: 'program.json',
  git: 'git.json',
  gitDiff: 'git.diff',
  inputs: 'inputs.json',
  metrics: 'metrics.jsonl',
  summary: 'summary.json',
  /** A command job's config as the job reads it (secrets in clear): exists only while it runs. */
  jobConfig: 'job-config.json',
  jobConfigYaml: 'job-config.yaml',
  /** Decisions for a running command job (stop, prune), written by trellis, read by the job. */
  control: 'control.json',
} as const;

/** Where a command job puts files to keep (TRELLIS_ARTIFACTS), inside its run directory. */
export const ARTIFACTS_DIR = 'artifacts';

/**
 * A run's checkpoints (`run.checkpoint()`, TRELLIS_CHECKPOINT_DIR), inside its run directory:
 * `latest.json` names the newest; files checkpointed go under `<step>/`. None is ever deleted:
 * a PBT member may copy any of them later.
 */
export const CHECKPOINTS_DIR = 'checkpoints';
export const CHECKPOINT_LATEST = 'latest.json';

/** The records of one sweep, inside `<sweep dir>/.trellis/`. */
export const SWEEP_FILES = {
  /** Strategy, search space, seed, fingerprint and the job table. */
  sweep: 'sweep.json',
  /** Result files of jobs started by a process launcher (SLURM), one per job number. */
  jobs: 'jobs',
  /** SLURM scripts and task logs. */
  slurm: 'slurm',
} as const;

/** `<dir>/.trellis/<file>`. */
export function recordPath(dir: string, file: string): string {
  return join(dir, RECORDS_DIR, file);
}

/** The run's own log file (Hydra's `<job name>.log`), next to `.trellis/`. */
export function logFilePath(runDir: string, jobName: string): string {
  return join(runDir, `${jobName.replace(/^.*[\\/]/, '')}.log`);
}
