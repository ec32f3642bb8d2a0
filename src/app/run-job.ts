import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { basename, relative } from 'node:path';
import { isTrellisError } from '../errors/index.js';
import { writeFileAtomic, writeJsonAtomic, type Durability } from '../run/atomic-write.js';
import { captureEnvironment, type EnvSnapshot } from '../run/env-snapshot.js';
import { captureGit, type GitSnapshot } from '../run/git-snapshot.js';
import { createRunDir } from '../run/run-dir.js';
import { drawMasterSeed, SeedBook } from '../run/seeds.js';
import { redactStrings, redactText, secretValuesFromEnv } from '../run/secrets.js';
import { fromPlain, type Node } from '../tree/node.js';
import { provenanceOf } from '../run/provenance.js';
import { toYamlText } from '../tree/emit.js';
import type { JobSource, PreparedJob } from './prepare-job.js';
import { createRunHandle, RECORD_FILES, recordPath, type Run } from './run-handle.js';

/** How often run.json's heartbeat is refreshed while the job runs. */
export const HEARTBEAT_SECONDS = 5;

/** The environment and git state of a run: captured per run, or once for all jobs of one process. */
export interface RunSnapshots {
  env: Promise<EnvSnapshot>;
  git: Promise<GitSnapshot>;
}

/**
 * Starts both captures. Only env-var secrets are known this early; runJob also removes the
 * secrets the job's config read (oc.env), so a capture may start before the config is composed.
 */
export function captureSnapshots(options: { env: NodeJS.ProcessEnv; cwd: string; argv: readonly string[] }): RunSnapshots {
  const secrets = secretValuesFromEnv(options.env);
  const snapshots = {
    env: captureEnvironment({ env: options.env, cwd: options.cwd, argv: [...options.argv], secretValues: secrets }),
    git: captureGit(options.cwd, secrets),
  };
  // A config that fails to compose leaves them unawaited: that is no unhandled rejection.
  snapshots.env.catch(() => undefined);
  return snapshots;
}

export type RunStatus = 'running' | 'completed' | 'failed' | 'interrupted';

export type JobFunction<C> = (cfg: C, run: Run) => unknown;

export interface JobResult {
  id: string;
  dir: string;
  status: RunStatus;
  exitCode: number;
  returnValue?: unknown;
  error?: unknown;
}

export interface RunJobOptions<C> {
  prepared: PreparedJob;
  job: JobFunction<C>;
  /** Where the job's config comes from and who it is (name, config dir and name, cwd, env). */
  source: JobSource;
  argv: readonly string[];
  /** The script that defined the app, relative to cwd, so `rerun` can start it again. */
  entry: string | undefined;
  sweep?: { dir: string; num: number } | undefined;
  /** Where a launcher ran the job (SLURM: job id, stdout/stderr paths), recorded in run.json. */
  launcher?: Record<string, unknown> | undefined;
  /**
   * Snapshots to record instead of capturing new ones: jobs run inline share their process,
   * code and environment, so one capture serves the whole sweep.
   */
  snapshots?: RunSnapshots | undefined;
  /** Console output; the log file gets a copy of everything. */
  print: (line: string) => void;
}

function runId(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `${stamp}-${randomBytes(3).toString('hex')}`;
}

/** Set by `trellis rerun`: the run being reproduced, and its master seed when it was drawn. */
export const RERUN_ENV = { reproduces: 'TRELLIS_REPRODUCES', masterSeed: 'TRELLIS_MASTER_SEED' } as const;

function masterSeedOf(plain: unknown, env: NodeJS.ProcessEnv): number {
  const seed = plain !== null && typeof plain === 'object' ? (plain as Record<string, unknown>).seed : undefined;
  if (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0) return seed;
  const recorded = Number(env[RERUN_ENV.masterSeed]);
  return env[RERUN_ENV.masterSeed] !== undefined && Number.isSafeInteger(recorded) && recorded >= 0 ? recorded : drawMasterSeed();
}

function errorRecord(error: unknown): Record<string, unknown> {
  if (isTrellisError(error)) return { type: 'TrellisError', code: error.code, message: error.message, stack: error.stack ?? null };
  if (error instanceof Error) return { type: error.name, message: error.message, stack: error.stack ?? null };
  return { type: typeof error, message: String(error), stack: null };
}

function plainResult(value: unknown): unknown {
  try {
    return value === undefined ? null : JSON.parse(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)));
  } catch {
    return String(value);
  }
}

/**
 * Runs one prepared job inside a new run directory and records everything needed to reproduce
 * it (DESIGN.md §5). The status in run.json goes running → completed | failed | interrupted.
 */
export async function runJob<C>(options: RunJobOptions<C>): Promise<JobResult> {
  const { prepared } = options;
  const started = new Date();
  const dir = createRunDir(prepared.runDir);
  const id = runId(prepared.now);
  const secrets = [...prepared.secrets, ...secretValuesFromEnv(options.source.env)];
  const redact = (text: string) => redactText(text, secrets);
  const seeds = new SeedBook(masterSeedOf(prepared.plain, options.source.env));
  // Redact values in the tree, not the text: `***` written bare would not even be valid YAML.
  const redactNode = (node: Node): Node =>
    node.kind === 'value'
      ? typeof node.value === 'string'
        ? { ...node, value: redact(node.value) }
        : node
      : node.kind === 'list'
        ? { ...node, items: node.items.map(redactNode) }
        : { ...node, entries: new Map([...node.entries].map(([id, e]) => [id, { ...e, node: redactNode(e.node) }])) };
  const yaml = (node: Node) => toYamlText(redactNode(node));

  const runRecord: Record<string, unknown> = {
    id,
    name: options.source.name,
    status: 'running' as RunStatus,
    start: started.toISOString(),
    end: null,
    duration_s: null,
    exit_code: null,
    error: null,
    host: hostname(),
    pid: process.pid,
    argv: redactStrings([...options.argv], redact),
    cwd: options.source.cwd,
    entry: options.entry ?? null,
    config_dir: options.source.configDir,
    config_name: options.source.configName,
    overrides: redactStrings([...prepared.overrides], redact),
    sweep: options.sweep ? { dir: relative(options.source.cwd, options.sweep.dir) || '.', num: options.sweep.num } : null,
    ...(options.launcher ? { launcher: options.launcher } : {}),
    reproduces: options.source.env[RERUN_ENV.reproduces] ?? null,
    heartbeat: started.toISOString(),
    heartbeat_interval_s: HEARTBEAT_SECONDS,
    tags: [],
    notes: [],
    artifacts: [],
  };
  const writeRun = (durable: Durability = false) => writeJsonAtomic(recordPath(dir, RECORD_FILES.run), runRecord, { durable });
  // A signal while the records below are captured (before the job's own handler is set) still
  // leaves a finished run.json, not one that says "running" forever.
  const onEarlySignal = (signal: NodeJS.Signals) => {
    const code = signal === 'SIGINT' ? 130 : 143;
    const end = new Date();
    Object.assign(runRecord, { status: 'interrupted', end: end.toISOString(), heartbeat: end.toISOString(), duration_s: (end.getTime() - started.getTime()) / 1000, exit_code: code, error: errorRecord(new Error(`interrupted by ${signal}`)) });
    writeRun(true);
    process.exit(code);
  };
  process.once('SIGINT', onEarlySignal);
  process.once('SIGTERM', onEarlySignal);
  // run.json comes last: once a reader finds it, the run's other records are complete.
  writeFileAtomic(recordPath(dir, RECORD_FILES.config), yaml(prepared.config));
  writeFileAtomic(recordPath(dir, RECORD_FILES.resolved), yaml(prepared.resolved));
  writeFileAtomic(recordPath(dir, RECORD_FILES.overrides), yaml(fromPlain([...prepared.overrides])));
  writeFileAtomic(recordPath(dir, RECORD_FILES.choices), yaml(fromPlain(prepared.composition.choices)));
  writeJsonAtomic(recordPath(dir, RECORD_FILES.provenance), redactStrings(provenanceOf(prepared.config), redact));
  writeJsonAtomic(recordPath(dir, RECORD_FILES.defaults), prepared.composition.defaults.map((d) => ({ config: d.configPath, package: d.package, parent: d.parent ?? null })));

  const snapshots = options.snapshots ?? captureSnapshots({ env: options.source.env, cwd: options.source.cwd, argv: options.argv });
  const [envCaptured, gitCaptured] = await Promise.all([snapshots.env, snapshots.git]);
  const [envSnapshot, git] = prepared.secrets.size ? [redactStrings(envCaptured, redact), redactStrings(gitCaptured, redact)] : [envCaptured, gitCaptured];
  writeJsonAtomic(recordPath(dir, RECORD_FILES.env), envSnapshot);
  if (git.available) {
    const { diff, ...rest } = git;
    writeJsonAtomic(recordPath(dir, RECORD_FILES.git), rest);
    if (diff) writeFileAtomic(recordPath(dir, RECORD_FILES.gitDiff), diff);
  } else writeJsonAtomic(recordPath(dir, RECORD_FILES.git), git);
  // seeds.json and run.json are rewritten when the run ends: atomically, each time.
  writeJsonAtomic(recordPath(dir, RECORD_FILES.seeds), seeds.toJSON());
  writeRun();

  const { run, state } = createRunHandle({
    dir,
    id,
    jobName: options.source.name,
    seeds,
    metricsPath: recordPath(dir, RECORD_FILES.metrics),
    logPath: `${dir}/${basename(options.source.name)}.log`,
    cwd: options.source.cwd,
    print: options.print,
    redact,
  });

  let finished = false;
  /** `durable`: true when the process exits right after (a signal), else synced in the background. */
  const finish = (status: RunStatus, exitCode: number, ending: { error?: unknown; returnValue?: unknown; durable?: Durability } = {}) => {
    const { error, returnValue } = ending;
    if (finished) return;
    finished = true;
    state.metrics.close();
    const end = new Date();
    Object.assign(runRecord, {
      status,
      end: end.toISOString(),
      heartbeat: end.toISOString(),
      duration_s: (end.getTime() - started.getTime()) / 1000,
      exit_code: exitCode,
      error: error === undefined ? null : redactStrings(errorRecord(error), redact),
      tags: state.tags,
      notes: state.notes,
      artifacts: state.artifacts,
    });
    writeJsonAtomic(recordPath(dir, RECORD_FILES.seeds), seeds.toJSON());
    writeJsonAtomic(recordPath(dir, RECORD_FILES.inputs), state.inputs.toJSON());
    writeJsonAtomic(recordPath(dir, RECORD_FILES.summary), redactStrings({ metrics: state.metrics.summary(), result: plainResult(returnValue) }, redact));
    // The final status is the record readers rely on: written last, and synced to disk.
    writeRun(ending.durable ?? 'background');
    state.logFile.close();
  };
  // A heartbeat tells a reader a live run from one killed with -9 (status stays "running").
  let beats = 0;
  const heartbeat = setInterval(() => {
    state.metrics.flush();
    if (++beats % HEARTBEAT_SECONDS === 0) {
      runRecord.heartbeat = new Date().toISOString();
      writeRun();
    }
  }, 1000);
  heartbeat.unref();
  const onSignal = (signal: NodeJS.Signals) => {
    clearInterval(heartbeat);
    const code = signal === 'SIGINT' ? 130 : 143;
    finish('interrupted', code, { error: new Error(`interrupted by ${signal}`), durable: true });
    process.exit(code);
  };
  process.removeListener('SIGINT', onEarlySignal);
  process.removeListener('SIGTERM', onEarlySignal);
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const returnValue = await options.job(prepared.plain as C, run);
    finish('completed', 0, { returnValue });
    return { id, dir, status: 'completed', exitCode: 0, returnValue };
  } catch (error) {
    run.logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    finish('failed', 1, { error });
    return { id, dir, status: 'failed', exitCode: 1, error };
  } finally {
    clearInterval(heartbeat);
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
