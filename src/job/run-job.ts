import { randomBytes } from 'node:crypto';
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { relative } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { recordPath, RUN_FILES } from '../records/names.js';
import { OWN_RUN_FORMAT_VERSION, type RunRecord, type RunStatus } from '../records/run-record.js';
import { readControl } from '../records/control.js';
import { RERUN_ENV } from '../records/env-vars.js';
import { writeFileAtomic, writeJsonAtomic, type Durability } from '../run/atomic-write.js';
import { captureEnvironment, type EnvSnapshot } from '../run/env-snapshot.js';
import { captureGit, type GitSnapshot } from '../run/git-snapshot.js';
import { summarizeMetricsFile, type MetricSummary } from '../run/metrics.js';
import { provenanceOf } from '../run/provenance.js';
import { createRunDir } from '../run/run-dir.js';
import { drawMasterSeed } from '../run/seeds.js';
import { redactStrings, redactorFor, secretValuesFromEnv } from '../run/secrets.js';
import { toYamlText } from '../tree/emit.js';
import { fromPlain, getEntry, type Node } from '../tree/node.js';
import { segmentOf } from './segment.js';
import { errorRecord, type ErrorRecord, type JobState } from './execute.js';
import { EXIT_CODES } from '../records/exit-codes.js';
import type { InterruptSignal, Interrupts } from './interrupts.js';
import type { JobOutcome, JobRunner, RunningJob } from './job-runner.js';
import type { JobSource, PreparedJob } from './prepare.js';
import type { TensorBoardSink } from '../bridges/tensorboard/sink.js';

export type { RunStatus } from '../records/run-record.js';

/** How often run.json's heartbeat is refreshed while the job runs. */
const HEARTBEAT_SECONDS = 5;
/** How often a job of a sweep looks at its control file (a stat; a pruner's decision arrives through it). */
const CONTROL_POLL_MS = 100;
/** A job of a sweep writes its metrics at least this often, so a pruner sees them while it runs. */
const SWEEP_METRICS_FLUSH_SECONDS = 0.1;

/** The environment and git state of a run: captured per run, or once for all jobs of one process. */
export interface RunSnapshots {
  env: Promise<EnvSnapshot>;
  git: Promise<GitSnapshot>;
}

/**
 * Starts both captures. Only env-var secrets are known this early; the run also removes the
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

/** What run.json records about a kind of job besides the common fields (a command job's command). */
export type KindRecord = (job: { prepared: PreparedJob; dir: string }) => Partial<RunRecord>;

export interface JobResult {
  id: string;
  dir: string;
  status: RunStatus;
  exitCode: number;
  returnValue?: unknown;
  error?: unknown;
}

export interface RunJobOptions {
  prepared: PreparedJob;
  /** Runs the job's body where it can be stopped (a thread, a child process). */
  runner: JobRunner;
  /** Ctrl-C and SIGTERM of this invocation. */
  interrupts: Interrupts;
  /** Where the job's config comes from and who it is (name, config dir and name, cwd, env). */
  source: JobSource;
  argv: readonly string[];
  /** The script that defined the app, relative to cwd, so `rerun` can start it again. */
  entry: string | undefined;
  sweep?: { dir: string; num: number } | undefined;
  /** Where a launcher ran the job (SLURM: job id, stdout/stderr paths), recorded in run.json. */
  launcher?: Record<string, unknown> | undefined;
  record?: KindRecord | undefined;
  /**
   * Snapshots to record instead of capturing new ones: jobs run by one process share its code
   * and environment, so one capture serves all of them.
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

function masterSeedOf(plain: unknown, env: NodeJS.ProcessEnv): number {
  const seed = plain !== null && typeof plain === 'object' ? (plain as Record<string, unknown>).seed : undefined;
  if (typeof seed === 'number' && Number.isSafeInteger(seed) && seed >= 0) return seed;
  const recorded = Number(env[RERUN_ENV.masterSeed]);
  return env[RERUN_ENV.masterSeed] !== undefined && Number.isSafeInteger(recorded) && recorded >= 0 ? recorded : drawMasterSeed();
}

/**
 * Runs one prepared job in a new run directory and records everything needed to reproduce it
 * (DESIGN.md §5): start (directory, records) → supervise (the runner, signals, heartbeat) →
 * finish (status, summary). run.json goes running → completed | failed | interrupted.
 */
export async function runJob(options: RunJobOptions): Promise<JobResult> {
  const run = await startRun(options);
  const outcome = await supervise(run, options);
  return finishRun(run, outcome, options.interrupts.received);
}

/** A run whose directory and first records exist. */
interface StartedRun {
  id: string;
  dir: string;
  started: Date;
  record: RunRecord;
  /** Values never to record or print in clear: what the config read, secret env vars. */
  secrets: string[];
  /** The config's own `tags:` (W&B's habit): run tags from the start, before any run.tag(). */
  configTags: string[];
  redact: (text: string) => string;
  masterSeed: number;
  /** The job's tags, notes, artifacts, inputs and seeds as last reported. */
  state: JobState;
  writeRun(durable?: Durability): void;
  /** Once the final status is written, nothing else may change it. */
  finished: boolean;
  /** TensorBoard event files written from metrics.jsonl as the run logs (`trellis.tensorboard`). */
  sink?: TensorBoardSink | undefined;
  /** Set when the control file said prune: the run ends as pruned, whatever the job did next. */
  pruned?: { step: number; reason: string };
}

/** Deprecation warnings already printed by this process: a sweep's jobs all meet the same ones. */
const warned = new Set<string>();

function warnOnce(warning: string, print: (line: string) => void): void {
  if (warned.has(warning)) return;
  warned.add(warning);
  print(`[trellis] warning: ${warning}`);
}

async function startRun(options: RunJobOptions): Promise<StartedRun> {
  const { prepared, source } = options;
  const started = new Date();
  for (const warning of prepared.warnings) warnOnce(warning, options.print);
  const dir = createRunDir(prepared.runDir);
  const id = runId(prepared.now);
  const secrets = [...prepared.secrets, ...secretValuesFromEnv(source.env)];
  const redact = redactorFor(secrets);
  const masterSeed = masterSeedOf(prepared.plain, source.env);
  const tagsFromConfig = redactStrings(configTags(prepared.plain), redact);
  // Values in the tree are redacted, not the text: `***` written bare would not be valid YAML.
  const yaml = (node: Node) => toYamlText(redactNode(node, redact));
  const record: RunRecord = {
    format_version: OWN_RUN_FORMAT_VERSION,
    id,
    name: source.name,
    status: 'running',
    start: started.toISOString(),
    end: null,
    duration_s: null,
    exit_code: null,
    error: null,
    host: hostname(),
    pid: process.pid,
    argv: redactStrings([...options.argv], redact),
    cwd: source.cwd,
    entry: options.entry ?? null,
    config_dir: source.configDir,
    config_name: source.configName,
    overrides: redactStrings([...prepared.overrides], redact),
    sweep: options.sweep ? { dir: relative(source.cwd, options.sweep.dir) || '.', num: options.sweep.num } : null,
    ...(options.launcher ? { launcher: options.launcher } : {}),
    ...(options.record ? redactStrings(options.record({ prepared, dir }), redact) : {}),
    reproduces: source.env[RERUN_ENV.reproduces] ?? null,
    heartbeat: started.toISOString(),
    heartbeat_interval_s: HEARTBEAT_SECONDS,
    tags: [...tagsFromConfig],
    notes: [],
    artifacts: [],
  };
  const run: StartedRun = {
    id,
    dir,
    started,
    record,
    secrets,
    redact,
    configTags: tagsFromConfig,
    masterSeed,
    state: { tags: [], notes: [], artifacts: [], inputs: [], seeds: { master: masterSeed, derived: {} } },
    writeRun: (durable = false) => writeJsonAtomic(recordPath(dir, RUN_FILES.run), record, { durable }),
    finished: false,
  };
  // A signal while the records below are written still leaves a finished run.json.
  const stopEarly = options.interrupts.onExitNow((signal) => finishRun(run, { status: 'stopped' }, signal, true));
  try {
    // run.json comes last: once a reader finds it, the run's other records are complete.
    writeFileAtomic(recordPath(dir, RUN_FILES.config), yaml(prepared.config));
    writeFileAtomic(recordPath(dir, RUN_FILES.resolved), yaml(prepared.resolved));
    writeFileAtomic(recordPath(dir, RUN_FILES.overrides), yaml(fromPlain([...prepared.overrides])));
    writeFileAtomic(recordPath(dir, RUN_FILES.choices), yaml(fromPlain(prepared.composition.choices)));
    writeJsonAtomic(recordPath(dir, RUN_FILES.provenance), redactStrings(provenanceOf(prepared.config), redact));
    writeJsonAtomic(
      recordPath(dir, RUN_FILES.defaults),
      prepared.composition.defaults.map((d) => ({ config: d.configPath, package: d.package, parent: d.parent ?? null })),
    );
    const snapshots = options.snapshots ?? captureSnapshots({ env: source.env, cwd: source.cwd, argv: options.argv });
    const [envCaptured, gitCaptured] = await Promise.all([snapshots.env, snapshots.git]);
    const [envSnapshot, git] = prepared.secrets.size ? [redactStrings(envCaptured, redact), redactStrings(gitCaptured, redact)] : [envCaptured, gitCaptured];
    // The variables the config read (`${oc.env:…}`) change what it computes: rerun and diff compare them.
    writeJsonAtomic(recordPath(dir, RUN_FILES.env), { ...envSnapshot, config_env: redactStrings(prepared.envReads, redact) });
    if (git.available) {
      const { diff, ...rest } = git;
      writeJsonAtomic(recordPath(dir, RUN_FILES.git), rest);
      if (diff) writeFileAtomic(recordPath(dir, RUN_FILES.gitDiff), diff);
    } else writeJsonAtomic(recordPath(dir, RUN_FILES.git), git);
    // seeds.json and run.json are rewritten when the run ends: atomically, each time.
    writeJsonAtomic(recordPath(dir, RUN_FILES.seeds), run.state.seeds);
    if (tensorboardWanted(prepared.runtime)) {
      // Loaded only for runs that ask for it; a sink that cannot start leaves the run without events, not without a run.
      const { TensorBoardSink } = await import('../bridges/tensorboard/sink.js');
      try {
        run.sink = new TensorBoardSink(dir, { metricsPath: recordPath(dir, RUN_FILES.metrics), config: prepared.plain, secrets });
      } catch (error) {
        options.print(`[trellis] no TensorBoard events: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    run.writeRun();
  } finally {
    stopEarly();
  }
  return run;
}

/** Runs the job's body, beating the heartbeat and passing on a stop, until it ends. */
async function supervise(run: StartedRun, options: RunJobOptions): Promise<JobOutcome> {
  const { interrupts } = options;
  if (interrupts.received) return { status: 'stopped' };
  let segment: ReturnType<typeof segmentOf>;
  try {
    segment = segmentOf(options.prepared.runtime, options.source.cwd);
  } catch (error) {
    return { status: 'failed', error: errorRecord(error), summary: {} };
  }
  const running = options.runner.run(
    {
      config: options.prepared.plain,
      dir: run.dir,
      id: run.id,
      jobName: options.source.name,
      masterSeed: run.masterSeed,
      cwd: options.source.cwd,
      secrets: run.secrets,
      logFile: options.prepared.logFile,
      ...(options.sweep ? { metricsFlushSeconds: SWEEP_METRICS_FLUSH_SECONDS } : {}),
      segment,
    },
    {
      log: options.print,
      state: (state) => {
        run.state = state;
      },
    },
    options.prepared,
  );
  // The supervisor's thread is never busy: the heartbeat goes on while the job computes.
  const heartbeat = setInterval(() => {
    run.record.heartbeat = new Date().toISOString();
    try {
      run.writeRun();
    } catch {
      // a missed beat is retried at the next one; the final write reports a lasting failure
    }
  }, HEARTBEAT_SECONDS * 1000);
  heartbeat.unref();
  // The sink follows metrics.jsonl here, on the supervisor's thread: the job's run.log pays nothing for it.
  const tail = run.sink && setInterval(() => pollSink(run, options.print), 1000);
  tail?.unref();
  const control = options.sweep ? watchControl(run, running) : undefined;
  const offInterrupt = interrupts.onInterrupt((signal) => running.stop(signal));
  // A second Ctrl-C exits at once: the job's processes go first, then the record says interrupted.
  const offExitNow = interrupts.onExitNow((signal) => {
    running.killNow?.();
    finishRun(run, { status: 'stopped' }, signal, true);
  });
  try {
    const outcome = await running.ended;
    // A program that read the decision itself may end before the next look at the file.
    if (control && !run.pruned) notePruned(run);
    return outcome;
  } finally {
    clearInterval(heartbeat);
    if (tail) clearInterval(tail);
    if (control) clearInterval(control);
    offInterrupt();
    offExitNow();
  }
}

/**
 * Follows the run's control file: when a pruner decides, the job is told (`run.stopRequested`; a
 * command job reads the file) and the run will be recorded as pruned. The file is the channel
 * whatever runs the job: this process, a pool worker or a SLURM task on another host.
 */
function watchControl(run: StartedRun, running: RunningJob): NodeJS.Timeout {
  const seen = { stamp: '' };
  const timer = setInterval(() => {
    if (run.pruned || !notePruned(run, seen)) return;
    if (running.prune) running.prune();
    else running.stop();
  }, CONTROL_POLL_MS);
  timer.unref();
  return timer;
}

/** Whether the control file says prune; if so, the run will be recorded as pruned. */
function notePruned(run: StartedRun, seen?: { stamp: string }): boolean {
  const decision = readControl(run.dir, seen);
  if (decision?.action !== 'prune') return false;
  run.pruned = { step: decision.step, reason: decision.reason };
  return true;
}

/** Writes the final records; run.json last and synced. Never throws: a failure becomes the run's error. */
/** A top-level `tags:` of the config: a list of scalars, or one string. */
function configTags(plain: unknown): string[] {
  const tags = plain !== null && typeof plain === 'object' && !Array.isArray(plain) ? (plain as Record<string, unknown>).tags : undefined;
  const list = typeof tags === 'string' ? [tags] : Array.isArray(tags) ? tags : [];
  return [...new Set(list.filter((t) => ['string', 'number', 'boolean'].includes(typeof t)).map(String))].filter(Boolean);
}

function finishRun(run: StartedRun, outcome: JobOutcome, signal: InterruptSignal | undefined, durable = false): JobResult {
  if (run.finished) return resultOf(run);
  run.finished = true;
  const end = new Date();
  // A pruned job ends however it ends (returns, is stopped, dies of the stop): it was pruned.
  const pruned = run.pruned !== undefined && !signal;
  const stopped = outcome.status === 'stopped';
  const status: RunStatus = pruned ? 'pruned' : stopped ? 'interrupted' : outcome.status;
  const exitCode = pruned
    ? EXIT_CODES.completed
    : stopped
      ? EXIT_CODES[signal ?? 'SIGINT']
      : outcome.status === 'completed'
        ? EXIT_CODES.completed
        : EXIT_CODES.failed;
  const error: ErrorRecord | null = pruned
    ? null
    : stopped
      ? errorRecord(new Error(`interrupted by ${signal ?? 'a stop request'}`))
      : outcome.status === 'failed'
        ? outcome.error
        : null;
  Object.assign(run.record, {
    status,
    end: end.toISOString(),
    heartbeat: end.toISOString(),
    duration_s: (end.getTime() - run.started.getTime()) / 1000,
    exit_code: exitCode,
    error: error && redactStrings(error, run.redact),
    tags: [...new Set([...run.configTags, ...run.state.tags])],
    notes: run.state.notes,
    artifacts: run.state.artifacts,
    ...(pruned ? { pruned: run.pruned } : {}),
  });
  const returnValue = outcome.status === 'completed' ? outcome.returnValue : null;
  closeSink(run, status);
  try {
    writeJsonAtomic(recordPath(run.dir, RUN_FILES.seeds), run.state.seeds);
    writeJsonAtomic(recordPath(run.dir, RUN_FILES.inputs), run.state.inputs);
    const summary = stopped ? summaryFromMetricsSync(run.dir) : outcome.summary;
    writeJsonAtomic(recordPath(run.dir, RUN_FILES.summary), redactStrings({ metrics: summary, result: returnValue }, run.redact));
    // The final status is the record readers rely on: written last, and synced to disk.
    run.writeRun(durable || 'background');
  } catch (cause) {
    recordWriteFailure(run, cause);
    // The caller reports the failure to write, not the job's own outcome.
    return resultOf(run, returnValue, run.record.error);
  }
  return resultOf(run, returnValue, error);
}

/** What the launcher records of the job (jobs/N.json, sweep.json): redacted like every record. */
function resultOf(run: StartedRun, returnValue?: unknown, error?: ErrorRecord | null): JobResult {
  const status = run.record.status;
  return {
    id: run.id,
    dir: run.dir,
    status,
    exitCode: run.record.exit_code ?? EXIT_CODES.failed,
    returnValue: redactStrings(returnValue, run.redact),
    error: error ? toError(redactStrings(error, run.redact)) : undefined,
  };
}

/** An error that crossed a thread, as an Error again (a TrellisError keeps its code). */
function toError(record: ErrorRecord): Error {
  const error = record.code
    ? new TrellisError(record.code as never, record.message, { where: record.where, keyPath: record.keyPath, hint: record.hint })
    : new Error(record.message);
  if (record.stack) error.stack = record.stack;
  return error;
}

/**
 * The final records could not be written (ENOSPC, a lost mount). run.json must not go on saying
 * "running": it is overwritten in place, which needs no new disk block when the record shrinks,
 * with the failure and its cause.
 */
function recordWriteFailure(run: StartedRun, cause: unknown): void {
  const message = cause instanceof Error ? cause.message : String(cause);
  Object.assign(run.record, {
    status: 'failed' satisfies RunStatus,
    exit_code: EXIT_CODES.recordsIo,
    error: { type: 'TrellisError', code: 'RUN_IO', message: `the run's records could not be written: ${message}`, stack: null },
  });
  const { argv: _argv, overrides: _overrides, tags: _tags, notes: _notes, artifacts: _artifacts, launcher: _launcher, ...compact } = run.record;
  try {
    run.writeRun(true);
  } catch {
    try {
      const fd = openSync(recordPath(run.dir, RUN_FILES.run), 'r+');
      try {
        const bytes = Buffer.from(`${JSON.stringify(compact)}\n`);
        writeSync(fd, bytes, 0, bytes.length, 0);
        ftruncateSync(fd, bytes.length);
      } finally {
        closeSync(fd);
      }
    } catch {
      // nothing on this disk can be written; the stale heartbeat will read as crashed
    }
  }
}

/** The summary of an interrupted job, from what reached metrics.jsonl (a torn last line is skipped). */
function summaryFromMetricsSync(dir: string): Record<string, MetricSummary> {
  try {
    return summarizeMetricsFile(recordPath(dir, RUN_FILES.metrics)).metrics;
  } catch {
    return {}; // no metrics file: the job logged nothing
  }
}

/** A failing sink (a full disk) stops writing events; the run goes on and says so once. */
function pollSink(run: StartedRun, print: (line: string) => void): void {
  try {
    run.sink?.poll();
  } catch (error) {
    run.sink = undefined;
    print(`[trellis] TensorBoard events stopped: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function closeSink(run: StartedRun, status: RunStatus): void {
  try {
    run.sink?.close(status === 'completed' ? 'success' : 'failure');
  } catch {
    // the events so far stay; the run's own records matter more
  }
  run.sink = undefined;
}

/** `trellis.tensorboard: true` (or `hydra.tensorboard`, its alias) in the config, or `--tensorboard`. */
function tensorboardWanted(runtime: Node): boolean {
  const node = runtime.kind === 'dict' ? getEntry(runtime, 'tensorboard')?.node : undefined;
  return node?.kind === 'value' && (node.value === true || node.value === 'true');
}

function redactNode(node: Node, redact: (text: string) => string): Node {
  if (node.kind === 'value') return typeof node.value === 'string' ? { ...node, value: redact(node.value) } : node;
  if (node.kind === 'list') return { ...node, items: node.items.map((item) => redactNode(item, redact)) };
  return { ...node, entries: new Map([...node.entries].map(([id, e]) => [id, { ...e, node: redactNode(e.node, redact) }])) };
}
