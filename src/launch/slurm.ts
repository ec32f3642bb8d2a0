import { execFile } from 'node:child_process';
import { findOnPath } from '../util/find-on-path.js';
import { shellQuote } from '../util/shell-quote.js';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { writeJsonAtomic } from '../run/atomic-write.js';
import { RECORDS_DIR as RECORDS_DIR_NAME, recordPath, RUN_FILES, SWEEP_FILES } from '../records/names.js';
import { CHILD_ENV, LAUNCHER_INFO_ENV } from '../records/env-vars.js';
import { sweepRuns } from '../records/run-record.js';
import type { BatchEvents, BatchJobSpec, BatchLauncher, ChildResult, JobSpec, LaunchedJob, LauncherInfo } from './launcher.js';

/**
 * The SLURM launcher: a sweep becomes one `sbatch --array` (split at the cluster's MaxArraySize),
 * each task recomposes its job from override strings and writes its own result file, and the
 * tasks are followed with `squeue` alone (no sacct: many clusters and every small setup lack
 * accounting). Everything a task leaves lives in `<sweep>/.trellis/slurm/`:
 *
 *   task-<n>.sh        the n-th submitted array's script (array index → job number + overrides)
 *   <A>_<a>.out/.err   the task's stdout/stderr (sbatch `%A_%a`)
 *   <A>_<a>.json       the task's result ({status, dir, returnValue, error}), written by the task
 *
 * Behaviour observed on a real cluster is in shared/slurm/NOTES.md.
 */

/** Options of the SLURM launcher (flags `--partition` …, config `trellis.launcher.*`). */
export interface SlurmOptions {
  partition?: string | undefined;
  /** sbatch `--time`: minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]]. */
  time?: string | undefined;
  cpusPerTask?: number | undefined;
  /** sbatch `--mem`: 500M, 4G … */
  mem?: string | undefined;
  /** The array's `%N` throttle: at most N tasks at once. */
  maxParallel?: number | undefined;
  /** Further sbatch arguments, appended last so they win over trellis's own. */
  sbatchArgs: string[];
  /** Seconds between two squeue polls. */
  pollInterval: number;
  jobName?: string | undefined;
}

export interface ExecResult {
  /** Exit status; null when the program could not be started or was killed. */
  status: number | null;
  stdout: string;
  stderr: string;
  /** ENOENT, EACCES … when the program could not be started. */
  errorCode?: string | undefined;
}

/** Runs a SLURM client program; injectable so the parsing and mapping can be tested without SLURM. */
export type Exec = (program: string, args: string[]) => Promise<ExecResult>;

export interface SlurmLauncherOptions {
  /** The app's script, started once per task. */
  entry: string | undefined;
  /** Flags every task gets (config dir/name). */
  baseArgs: string[];
  sweepDir: string;
  now: Date;
  cwd: string;
  env: NodeJS.ProcessEnv;
  print: (line: string) => void;
  slurm: SlurmOptions;
  exec?: Exec;
}

/** Task states after which the task may still run. Everything else is terminal. */
const ACTIVE = new Set([
  'PENDING',
  'CONFIGURING',
  'RUNNING',
  'COMPLETING',
  'SUSPENDED',
  'REQUEUED',
  'REQUEUE_FED',
  'REQUEUE_HOLD',
  'RESIZING',
  'SIGNALING',
  'STAGE_OUT',
  'STOPPED',
  'RESV_DEL_HOLD',
  'SPECIAL_EXIT',
]);
const RUNNING = new Set(['RUNNING', 'COMPLETING', 'SIGNALING', 'STAGE_OUT', 'SUSPENDED', 'STOPPED']);
/** Pending reasons after which a task is unlikely ever to start without a change by someone. */
const STUCK_REASONS = new Set([
  'PartitionConfig',
  'PartitionNodeLimit',
  'PartitionTimeLimit',
  'ReqNodeNotAvail',
  'BadConstraints',
  'InvalidAccount',
  'InvalidQOS',
  'PartitionDown',
  'PartitionInactive',
  'NodeDown',
  'DependencyNeverSatisfied',
]);

export const SLURM_DIR = join(RECORDS_DIR_NAME, SWEEP_FILES.slurm);

// --------------------------------------------------------------------------- availability

/** Config files a SLURM client reads when SLURM_CONF is unset (packaged and source installs). */
const CONF_CANDIDATES = ['/etc/slurm/slurm.conf', '/etc/slurm-llnl/slurm.conf', '/usr/local/etc/slurm.conf'];

/**
 * The slurm.conf a client would read, or undefined. Deciding availability by the file, never by
 * running `sinfo`: a client without a config looks the controller up in DNS before failing.
 */
export function slurmConfigPath(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SLURM_CONF) return existsSync(env.SLURM_CONF) ? env.SLURM_CONF : undefined;
  return CONF_CANDIDATES.find((p) => existsSync(p));
}

/** Throws LAUNCHER_UNAVAILABLE unless a slurm.conf exists and sbatch/squeue/scancel are on PATH. */
export function checkSlurmAvailable(env: NodeJS.ProcessEnv): { conf: string } {
  const conf = slurmConfigPath(env);
  if (!conf) {
    throw new TrellisError(
      'LAUNCHER_UNAVAILABLE',
      env.SLURM_CONF
        ? `SLURM_CONF points at ${env.SLURM_CONF}, which does not exist`
        : `No SLURM configuration found (SLURM_CONF is unset and none of ${CONF_CANDIDATES.join(', ')} exists)`,
      { hint: 'run the sweep on a machine of the cluster (a login node), or set SLURM_CONF to its slurm.conf; --launcher local runs the jobs here' },
    );
  }
  const missing = ['sbatch', 'squeue', 'scancel'].filter((p) => !findOnPath(p, env));
  if (missing.length) {
    throw new TrellisError('LAUNCHER_UNAVAILABLE', `The SLURM launcher needs ${missing.join(', ')}, not found on PATH`, {
      hint: 'load the cluster’s SLURM module or install the SLURM client (Debian: apt-get install slurm-client)',
    });
  }
  return { conf };
}

/** How long `scontrol ping` may take before the controller counts as unreachable. */
const PING_TIMEOUT_MS = 5000;

/** What a SLURM client prints when it cannot reach slurmctld (after retrying for MessageTimeout). */
const UNREACHABLE = /unable to contact slurm controller|socket timed out|connection refused|zero bytes were transmitted/i;

const controllerHint = (conf: string) =>
  `check that slurmctld runs on the host ${conf} names (SlurmctldHost) and that this machine reaches it (scontrol ping); --launcher local runs the jobs here`;

/**
 * Throws LAUNCHER_UNAVAILABLE unless the controller answers `scontrol ping` within a few seconds.
 * A client that cannot reach it retries for a while (18 s and more) before sbatch fails, with a
 * message that reads like a rejected request; this says what is wrong before anything is written.
 */
export async function checkControllerReachable(env: NodeJS.ProcessEnv, conf: string, timeoutMs = PING_TIMEOUT_MS): Promise<void> {
  const r = await new Promise<{ out: string; timedOut: boolean }>((done) => {
    execFile('scontrol', ['ping'], { env, encoding: 'utf8', timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const e = error as (NodeJS.ErrnoException & { killed?: boolean }) | null;
      done({ out: `${String(stdout ?? '')}${String(stderr ?? '')}`.trim(), timedOut: Boolean(e?.killed) });
    });
  });
  if (/\bis UP\b/.test(r.out)) return;
  const said = r.timedOut ? `no answer within ${timeoutMs / 1000} s` : r.out.split('\n').join('; ') || 'no output';
  throw new TrellisError('LAUNCHER_UNAVAILABLE', `The SLURM controller is unreachable (scontrol ping: ${said})`, { hint: controllerHint(conf) });
}

// --------------------------------------------------------------------------- pure helpers

/** A `key = value` line of `scontrol show config`, or undefined. */
export function configValue(text: string, key: string): string | undefined {
  const m = new RegExp(`^${key}\\s*=\\s*(.*?)\\s*$`, 'm').exec(text);
  return m?.[1];
}

export interface TaskState {
  arrayId: string;
  taskId: string;
  state: string;
  /** Raw wait status, as `squeue -O exit_code` prints it. */
  exitCode: number;
  reason: string;
}

/** The squeue call that lists every task of the given arrays, finished ones included. */
export function squeueArgs(arrayIds: string[]): string[] {
  return ['--noheader', '--array', '--states=all', `--jobs=${arrayIds.join(',')}`, '--Format=ArrayJobID:|,ArrayTaskID:|,State:|,exit_code:|,Reason:'];
}

/** Parses `squeueArgs` output: one `A|i|STATE|raw|Reason` line per task; keyed `A_i`. */
export function parseSqueue(text: string): Map<string, TaskState> {
  const states = new Map<string, TaskState>();
  for (const line of text.split('\n')) {
    const [arrayId, taskId, state, exitCode, ...reason] = line.trim().split('|');
    if (!arrayId || !taskId || !state || !/^\d+$/.test(taskId)) continue;
    // A State with flags, e.g. "CANCELLED by 0", keeps its first word.
    states.set(`${arrayId}_${taskId}`, { arrayId, taskId, state: state.split(/\s+/)[0]!, exitCode: Number(exitCode) || 0, reason: reason.join('|') });
  }
  return states;
}

/** `sbatch --parsable` prints `A` or `A;cluster`; anything else is a rejection with its message. */
export function parseSbatch(result: ExecResult, args: string[]): string {
  if (result.errorCode === 'ENOENT') {
    throw new TrellisError('LAUNCHER_UNAVAILABLE', 'sbatch is not installed (not found on PATH)', {
      hint: 'load the cluster’s SLURM module or install the SLURM client',
    });
  }
  const id = result.stdout.trim().split(/\s+/).pop()?.split(';')[0];
  if (result.status === 0 && id && /^\d+$/.test(id)) return id;
  const message = (
    result.stderr.trim() ||
    result.stdout.trim() ||
    (result.errorCode ? `could not start sbatch (${result.errorCode})` : `exit ${result.status}`)
  )
    .replace(/^sbatch: error: /gm, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join('; ');
  if (UNREACHABLE.test(message)) {
    throw new TrellisError('LAUNCHER_UNAVAILABLE', `sbatch could not reach the SLURM controller: ${message}`, {
      hint: controllerHint('slurm.conf'),
    });
  }
  throw new TrellisError('LAUNCHER_REJECTED', `sbatch rejected the job array: ${message}`, {
    hint: `the request was: sbatch ${args.map(shellQuote).join(' ')}\nfix the SLURM options (--partition, --time, --cpus-per-task, --mem, --sbatch-arg) and run the sweep again, or resume it: trellis sweep resume <sweep-dir>`,
  });
}

/** What a task's outcome becomes in the sweep: a run status and a one-line reason. */
export interface TaskOutcome {
  status: LaunchedJob['status'];
  error: string | undefined;
}

function decodeWait(raw: number): string {
  const signal = raw & 0x7f;
  return signal ? `signal ${signal}` : `exit ${raw >> 8}`;
}

/**
 * Maps what is known of an ended task onto a run status. The task's own result wins when it
 * completed; otherwise SLURM's state says why it ended (CANCELLED/TIMEOUT by state, never by exit
 * code); a task SLURM no longer lists is judged by the line slurmstepd leaves in its stderr file.
 */
export function taskOutcome(input: {
  state: TaskState | undefined;
  result: ChildResult | undefined;
  stderrText: string;
  time: string | undefined;
}): TaskOutcome {
  const { state, result } = input;
  const timeout = (): TaskOutcome => ({ status: 'failed', error: `reached the SLURM time limit (TIMEOUT${input.time ? `, --time ${input.time}` : ''})` });
  if (result?.status === 'completed') return { status: 'completed', error: undefined };
  let name = state?.state;
  if (!name) {
    // Gone from squeue (forgotten after MinJobAge, or purged): slurmstepd's stderr line is the trace.
    if (/\*\*\* JOB \d+ ON \S+ CANCELLED AT \S+ DUE TO TIME LIMIT/.test(input.stderrText)) name = 'TIMEOUT';
    else if (/\*\*\* JOB \d+ ON \S+ CANCELLED AT \S+ DUE TO PREEMPTION/.test(input.stderrText)) name = 'PREEMPTED';
    else if (/\*\*\* JOB \d+ ON \S+ CANCELLED AT/.test(input.stderrText)) name = 'CANCELLED';
  }
  const lastLine = input.stderrText
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('slurmstepd'))
    .at(-1);
  const tail = lastLine ? `; last stderr line: ${lastLine.length > 200 ? `${lastLine.slice(0, 200)}…` : lastLine}` : '';
  switch (name) {
    case 'TIMEOUT':
      return timeout();
    case 'CANCELLED':
      return { status: 'interrupted', error: result ? 'cancelled in SLURM (scancel) while running' : 'cancelled in SLURM (scancel) before reporting a result' };
    case 'PREEMPTED':
      return { status: 'interrupted', error: 'preempted by SLURM (PREEMPTED)' };
    case undefined:
      if (result) return { status: result.status, error: result.error };
      return { status: 'failed', error: `the task ended without reporting a result and SLURM no longer lists it${tail}` };
    case 'COMPLETED':
      return result ? { status: result.status, error: result.error } : { status: 'failed', error: `the task exited 0 without reporting a result${tail}` };
    case 'FAILED':
      if (result) return { status: result.status, error: result.error };
      return {
        status: 'failed',
        error: `the task failed (${decodeWait(state!.exitCode)}${state!.reason && state!.reason !== 'None' && state!.reason !== 'NonZeroExitCode' ? `, ${state!.reason}` : ''}) before reporting a result${tail}`,
      };
    case 'OUT_OF_MEMORY':
      return { status: 'failed', error: 'ran out of memory (OUT_OF_MEMORY); ask for more with --mem' };
    default:
      return result && result.status !== 'interrupted'
        ? { status: result.status, error: result.error }
        : { status: 'failed', error: `SLURM ended the task: ${name}${state?.reason && state.reason !== 'None' ? ` (${state.reason})` : ''}${tail}` };
  }
}

/** The bash script of one array: index → job number and override strings, then the app. */
export function taskScript(input: { jobs: JobSpec[]; sweepDir: string; cwd: string; now: Date; command: string[] }): string {
  const slurmDir = join(input.sweepDir, SLURM_DIR);
  const cases = input.jobs.map((job, index) => `  ${index}) TRELLIS_JOB_NUM=${job.num}; set -- ${job.overrides.map(shellQuote).join(' ')} ;;`);
  const id = '${SLURM_ARRAY_JOB_ID}_${SLURM_ARRAY_TASK_ID}';
  return [
    '#!/bin/bash',
    '# Written by trellis: one SLURM array task = one job of the sweep, recomposed from its overrides.',
    `cd ${shellQuote(input.cwd)} || exit 1`,
    `export ${CHILD_ENV.sweepDir}=${shellQuote(input.sweepDir)}`,
    `export ${CHILD_ENV.now}=${shellQuote(input.now.toISOString())}`,
    'case "${SLURM_ARRAY_TASK_ID:-}" in',
    ...cases,
    '  *) echo "trellis: array task ${SLURM_ARRAY_TASK_ID:-?} has no job in $0" >&2; exit 2 ;;',
    'esac',
    `export TRELLIS_JOB_NUM`,
    `export ${CHILD_ENV.resultFile}=${shellQuote(slurmDir)}/"${id}.json"`,
    `export ${LAUNCHER_INFO_ENV}="{\\"name\\":\\"slurm\\",\\"job_id\\":\\"${id}\\",\\"stdout\\":\\"${SLURM_DIR}/${id}.out\\",\\"stderr\\":\\"${SLURM_DIR}/${id}.err\\"}"`,
    `exec ${input.command.map(shellQuote).join(' ')} "$@"`,
    '',
  ].join('\n');
}

// --------------------------------------------------------------------------- I/O

function defaultExec(env: NodeJS.ProcessEnv): Exec {
  return (program, args) =>
    new Promise((resolve) => {
      execFile(program, args, { env, encoding: 'utf8', timeout: 120_000, maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
        const e = error as (NodeJS.ErrnoException & { code?: string | number }) | null;
        resolve({
          status: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          stdout: String(stdout ?? ''),
          stderr: String(stderr ?? ''),
          errorCode: e && typeof e.code === 'string' ? e.code : undefined,
        });
      });
    });
}

function readJson<T>(path: string): T | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch {
    return undefined;
  }
}

function readTail(path: string, bytes = 8192): string {
  try {
    const text = readFileSync(path, 'utf8');
    return text.length > bytes ? text.slice(-bytes) : text;
  } catch {
    return '';
  }
}

/** The run directory a task made, found by the launcher job id its run.json records. */
function findRunDir(sweepDir: string, num: number, jobId: string): string | undefined {
  return sweepRuns(sweepDir).find((r) => r.num === num && r.record.launcher?.job_id === jobId)?.dir;
}

/**
 * A task killed hard (SIGKILL after KillWait, a node failure) never finishes its run.json, and a
 * timed-out task records itself as interrupted by SIGTERM: the run's record gets the status the
 * sweep reports, so both say the same.
 */
function settleRunRecord(dir: string, outcome: TaskOutcome, slurmState: string | undefined): void {
  const path = recordPath(dir, RUN_FILES.run);
  const run = readJson<Record<string, unknown>>(path);
  if (!run) return;
  const stale = run.status === 'running' || (slurmState === 'TIMEOUT' && run.status === 'interrupted' && outcome.status === 'failed');
  if (!stale || outcome.status === 'completed') return;
  const now = new Date().toISOString();
  const error = run.error && typeof run.error === 'object' ? (run.error as Record<string, unknown>) : {};
  writeJsonAtomic(path, {
    ...run,
    status: outcome.status,
    end: run.end ?? now,
    error: { ...error, type: slurmState ?? 'SLURM', message: outcome.error ?? 'ended in SLURM', stack: error.stack ?? null },
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** sbatch's arguments for one array of `tasks` tasks running `script`. */
function sbatchArguments(slurm: SlurmOptions, where: { cwd: string; slurmDir: string; tasks: number; script: string }): string[] {
  return [
    '--parsable',
    `--job-name=${slurm.jobName ?? 'trellis'}`,
    `--array=0-${where.tasks - 1}${slurm.maxParallel ? `%${slurm.maxParallel}` : ''}`,
    `--chdir=${where.cwd}`,
    `--output=${join(where.slurmDir, '%A_%a.out')}`,
    `--error=${join(where.slurmDir, '%A_%a.err')}`,
    '--export=ALL',
    ...(slurm.partition ? [`--partition=${slurm.partition}`] : []),
    ...(slurm.time ? [`--time=${slurm.time}`] : []),
    ...(slurm.cpusPerTask ? [`--cpus-per-task=${slurm.cpusPerTask}`] : []),
    ...(slurm.mem ? [`--mem=${slurm.mem}`] : []),
    ...slurm.sbatchArgs,
    where.script,
  ];
}

/**
 * On resume: the jobs whose task of an earlier attempt is still queued or running, or ended
 * unseen with a completed result file, are followed (`follow`); the others are returned, to be
 * submitted again.
 */
async function followEarlierTasks(
  specs: BatchJobSpec[],
  ctx: { exec: Exec; slurmDir: string; print: (line: string) => void },
  follow: (spec: BatchJobSpec, id: string) => void,
): Promise<BatchJobSpec[]> {
  const earlier = specs.filter((s) => typeof s.previous?.job_id === 'string' && s.previous.name === 'slurm');
  if (!earlier.length) return specs;
  const arrays = [...new Set(earlier.map((s) => String(s.previous!.job_id).split('_')[0]!))];
  const listed = await ctx.exec('squeue', squeueArgs(arrays));
  const states = listed.status === 0 ? parseSqueue(listed.stdout) : new Map<string, TaskState>();
  const fresh: BatchJobSpec[] = [];
  for (const spec of specs) {
    const id = typeof spec.previous?.job_id === 'string' ? spec.previous.job_id : undefined;
    const state = id ? states.get(id) : undefined;
    // A task that ended while no one watched left its result file: that result counts.
    const finishedUnseen = id && (!state || !ACTIVE.has(state.state)) && readJson<ChildResult>(join(ctx.slurmDir, `${id}.json`))?.status === 'completed';
    if (id && ((state && ACTIVE.has(state.state)) || finishedUnseen)) {
      follow(spec, id);
      ctx.print(
        `[trellis] job #${spec.num} ${finishedUnseen ? 'completed' : `is still in SLURM (${state!.state})`} as ${id}: ${finishedUnseen ? 'taking its result' : 'following it'}`,
      );
    } else fresh.push(spec);
  }
  return fresh;
}

/**
 * Reports what squeue says of a task: its start, and a reason SLURM keeps it pending that may
 * never clear (once per reason). True while the task is still active.
 */
function observeTask(task: Task, state: TaskState | undefined, events: BatchEvents, warned: Set<string>, print: (line: string) => void): boolean {
  if (state && ACTIVE.has(state.state)) {
    if (RUNNING.has(state.state) && !task.started) {
      task.started = true;
      task.info = { ...task.info, state: state.state };
      events.started(task.num, task.info);
    }
    if (state.state === 'PENDING' && STUCK_REASONS.has(state.reason) && !warned.has(state.reason)) {
      warned.add(state.reason);
      print(`[trellis] SLURM keeps tasks pending: ${state.reason} (they may never start; scancel ${task.arrayId} or Ctrl-C, then fix the request)`);
    }
    return true;
  }
  // Ended before a poll saw it run (a cancelled task never ran).
  if (state && !task.started && state.state !== 'CANCELLED') {
    task.started = true;
    events.started(task.num, task.info);
  }
  return false;
}

/**
 * A task SLURM no longer lists as active: its result file (or its SLURM state) becomes the job's
 * outcome, reported once. A task that ran but left no result yet gets RESULT_GRACE_S for a
 * shared file system to catch up.
 */
function settleTask(
  task: Task,
  state: TaskState | undefined,
  ctx: { sweepDir: string; skipPending: boolean; time: string | undefined },
  events: BatchEvents,
): void {
  const resultPath = join(ctx.sweepDir, String(task.info.result));
  const result = readJson<ChildResult>(resultPath);
  const stderrPath = join(ctx.sweepDir, String(task.info.stderr));
  const ran = task.started || existsSync(join(ctx.sweepDir, String(task.info.stdout))) || existsSync(stderrPath);
  if (!result && ran) {
    task.endedAt ??= Date.now();
    if (Date.now() - task.endedAt < RESULT_GRACE_S * 1000) return;
  }
  task.done = true;
  // Removed by fail-fast before it ever ran: the sweep reports it as skipped. squeue may
  // already have forgotten it (no state at all) by the time it is polled.
  if (ctx.skipPending && !ran && (state === undefined || state.state === 'CANCELLED')) return;
  const outcome = taskOutcome({ state, result, stderrText: readTail(stderrPath), time: ctx.time });
  const dir = result?.dir ?? findRunDir(ctx.sweepDir, task.num, task.id);
  if (dir) settleRunRecord(dir, outcome, state?.state);
  task.info = { ...task.info, state: state?.state ?? 'UNKNOWN', exit_code: state ? decodeWait(state.exitCode) : null };
  events.finished(
    {
      num: task.num,
      overrides: task.overrides,
      status: outcome.status,
      dir,
      returnValue: outcome.status === 'completed' ? result?.returnValue : undefined,
      error: outcome.error,
    },
    task.info,
  );
}

// --------------------------------------------------------------------------- the launcher

interface Task {
  num: number;
  overrides: string[];
  arrayId: string;
  index: number;
  id: string;
  started: boolean;
  done: boolean;
  /** When squeue first showed the task ended while its result file was not there yet. */
  endedAt: number | undefined;
  info: LauncherInfo;
}

/** Seconds to wait for a started task's result file after SLURM says it ended (shared file systems lag). */
const RESULT_GRACE_S = 5;
/** Seconds of failing squeue calls before the launcher gives up following the array. */
const POLL_GIVE_UP_S = 300;

export function slurmLauncher(options: SlurmLauncherOptions): BatchLauncher {
  if (!options.entry) {
    throw new TrellisError('USAGE', 'The SLURM launcher needs the app to be started from a script', {
      hint: 'run the app as `node your-app.js -m … --launcher slurm`',
    });
  }
  checkSlurmAvailable(options.env);
  const entry = options.entry;
  const exec = options.exec ?? defaultExec(options.env);
  const slurm = options.slurm;
  const slurmDir = join(options.sweepDir, SLURM_DIR);
  const pollMs = Math.max(100, Math.round(slurm.pollInterval * 1000));
  const active = new Set<{ tasks: Task[]; done: Promise<void>; wake: () => void }>();
  let cancelled = false;
  /** sbatch calls under way: a cancel waits for them, so no array is left behind. */
  const inflight = new Set<Promise<unknown>>();
  let skipPending = false;
  let clusterConfig: Promise<{ maxArraySize: number; killWait: number }> | undefined;

  const readClusterConfig = () =>
    (clusterConfig ??= exec('scontrol', ['show', 'config']).then((r) => {
      const max = Number(configValue(r.stdout, 'MaxArraySize'));
      const killWait = Number.parseInt(configValue(r.stdout, 'KillWait') ?? '', 10);
      return { maxArraySize: Number.isInteger(max) && max > 0 ? max : 1001, killWait: Number.isInteger(killWait) ? killWait : 30 };
    }));

  const rel = (path: string) => relative(options.sweepDir, path);
  const infoOf = (arrayId: string, index: number, extra: LauncherInfo = {}): LauncherInfo => {
    const id = `${arrayId}_${index}`;
    return {
      name: 'slurm',
      job_id: id,
      state: 'PENDING',
      stdout: rel(join(slurmDir, `${id}.out`)),
      stderr: rel(join(slurmDir, `${id}.err`)),
      result: rel(join(slurmDir, `${id}.json`)),
      ...extra,
    };
  };
  const scancel = (ids: string[], extra: string[] = []) => (ids.length ? exec('scancel', [...extra, ...ids]) : Promise.resolve(undefined));

  /** Submits one array of at most MaxArraySize tasks; returns its id. */
  const submit = async (jobs: JobSpec[]): Promise<string> => {
    const existing = readdirSync(slurmDir).filter((n) => /^task-\d+\.sh$/.test(n)).length;
    const script = join(slurmDir, `task-${existing}.sh`);
    const command = [process.execPath, ...process.execArgv, entry, ...options.baseArgs];
    writeFileSync(script, taskScript({ jobs, sweepDir: options.sweepDir, cwd: options.cwd, now: options.now, command }), { mode: 0o755 });
    const args = sbatchArguments(slurm, { cwd: options.cwd, slurmDir, tasks: jobs.length, script });
    const submitting = exec('sbatch', args);
    inflight.add(submitting);
    const result = await submitting.finally(() => inflight.delete(submitting));
    const id = parseSbatch(result, args);
    // Ctrl-C while sbatch ran: the array exists now, so cancel it too.
    if (cancelled) await scancel([id]);
    return id;
  };

  const launchBatch = async (specs: BatchJobSpec[], events: BatchEvents): Promise<void> => {
    mkdirSync(slurmDir, { recursive: true });
    const tasks: Task[] = [];
    const newTask = (spec: JobSpec, arrayId: string, index: number, extra: LauncherInfo = {}): Task => {
      const task: Task = {
        num: spec.num,
        overrides: spec.overrides,
        arrayId,
        index,
        id: `${arrayId}_${index}`,
        started: false,
        done: false,
        endedAt: undefined,
        info: infoOf(arrayId, index, extra),
      };
      tasks.push(task);
      return task;
    };
    let wake = () => {};
    let finishFollow = () => {};
    const handle = { tasks, done: new Promise<void>((r) => (finishFollow = r)), wake: () => wake() };
    active.add(handle);
    try {
      // Resume: a task of an earlier attempt that is still queued or running is followed, not submitted again.
      const fresh = await followEarlierTasks(specs, { exec, slurmDir, print: options.print }, (spec, id) => {
        const [arrayId, index] = id.split('_');
        const task = newTask(spec, arrayId!, Number(index));
        task.started = true;
        events.submitted(task.num, task.info);
      });
      if (fresh.length && !cancelled) {
        const { maxArraySize } = await readClusterConfig();
        for (let start = 0; start < fresh.length && !cancelled; start += maxArraySize) {
          const chunk = fresh.slice(start, start + maxArraySize);
          const arrayId = await submit(chunk);
          for (const [index, spec] of chunk.entries()) events.submitted(spec.num, newTask(spec, arrayId, index).info);
          const nums = chunk.map((j) => j.num);
          options.print(
            `[trellis] submitted SLURM array ${arrayId}: ${chunk.length} task${chunk.length === 1 ? '' : 's'} (jobs #${Math.min(...nums)}–#${Math.max(...nums)})${slurm.maxParallel ? `, at most ${slurm.maxParallel} at once` : ''}; logs in ${rel(slurmDir)}/${arrayId}_*.out`,
          );
        }
      }

      const warned = new Set<string>();
      let failingSince: number | undefined;
      const settle = (task: Task, state: TaskState | undefined) =>
        settleTask(task, state, { sweepDir: options.sweepDir, skipPending, time: slurm.time }, events);

      while (tasks.some((t) => !t.done)) {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, pollMs);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        const live = tasks.filter((t) => !t.done);
        const arrays = [...new Set(live.map((t) => t.arrayId))];
        const listed = await exec('squeue', squeueArgs(arrays));
        let states: Map<string, TaskState>;
        if (listed.status === 0) states = parseSqueue(listed.stdout);
        else if (/Invalid job id/i.test(listed.stderr)) states = new Map();
        else {
          // The controller may be restarting or busy: keep the tasks, retry, give up after a while.
          failingSince ??= Date.now();
          if (!warned.has('squeue'))
            options.print(`[trellis] squeue failed (${(listed.stderr.trim() || listed.errorCode) ?? `exit ${listed.status}`}); retrying`);
          warned.add('squeue');
          if (Date.now() - failingSince > POLL_GIVE_UP_S * 1000) {
            throw new TrellisError('LAUNCHER_UNAVAILABLE', `squeue has failed for ${POLL_GIVE_UP_S} s: ${listed.stderr.trim()}`, {
              hint: `the tasks may still run; when SLURM answers again, resume the sweep: trellis sweep resume ${relative(options.cwd, options.sweepDir)}`,
            });
          }
          continue;
        }
        failingSince = undefined;
        for (const task of live) {
          const state = states.get(task.id);
          if (!observeTask(task, state, events, warned, options.print)) settle(task, state);
        }
      }
    } finally {
      active.delete(handle);
      finishFollow();
    }
  };

  return {
    name: 'slurm',
    // The scheduler decides how many tasks run at once; this is the throttle when one is set.
    parallelism: slurm.maxParallel ?? Number.MAX_SAFE_INTEGER,
    launchBatch,
    launch(spec: JobSpec): Promise<LaunchedJob> {
      return new Promise((resolve, reject) => {
        let outcome: LaunchedJob | undefined;
        launchBatch([spec], { submitted() {}, started() {}, finished: (job) => (outcome = job) }).then(
          () =>
            resolve(
              outcome ?? {
                num: spec.num,
                overrides: spec.overrides,
                status: 'interrupted',
                dir: undefined,
                returnValue: undefined,
                error: 'stopped before it started',
              },
            ),
          reject,
        );
      });
    },
    async stopPending() {
      skipPending = true;
      const arrays = [...new Set([...active].flatMap((h) => h.tasks.filter((t) => !t.done).map((t) => t.arrayId)))];
      await scancel(arrays, ['--state=PENDING']);
    },
    async cancel() {
      cancelled = true;
      await Promise.allSettled([...inflight]);
      const handles = [...active];
      const arrays = [...new Set(handles.flatMap((h) => h.tasks.filter((t) => !t.done).map((t) => t.arrayId)))];
      if (!arrays.length) return;
      options.print(`[trellis] cancelling SLURM array${arrays.length === 1 ? '' : 's'} ${arrays.join(', ')} (scancel)`);
      await scancel(arrays);
      // Running tasks get SIGTERM, record themselves as interrupted and exit; wait for squeue to
      // say so (bounded by KillWait: after it SLURM kills them), so the job table is final.
      const { killWait } = await readClusterConfig().catch(() => ({ killWait: 30 }));
      for (const h of handles) h.wake();
      await Promise.race([Promise.all(handles.map((h) => h.done)), sleep((Math.min(killWait, 60) + 10) * 1000)]);
    },
  };
}
