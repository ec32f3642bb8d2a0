import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve as resolvePath } from 'node:path';
import { openConfigDir } from '../config-dir/compose-dir.js';
import { groupConditions, planJobs, sweepInputFor } from '../config-dir/multirun.js';
import { selectPath } from '../config-dir/select.js';
import { collectErrors, TrellisError } from '../errors/index.js';
import type { Interrupts } from '../job/interrupts.js';
import type { JobRunner, ThreadOutput } from '../job/job-runner.js';
import { prepareJob, type JobSource, type PreparedJob } from '../job/prepare.js';
import type { KindRecord } from '../job/run-job.js';
import { inlineLauncher } from '../launch/inline.js';
import { isBatchLauncher, type BatchEvents, type BatchLauncher, type LaunchedJob, type Launcher } from '../launch/launcher.js';
import { localLauncher } from '../launch/local.js';
import type { SlurmOptions } from '../launch/slurm.js';
import { readCheckpoint } from '../records/checkpoint.js';
import { recordPath, RUN_FILES } from '../records/names.js';
import { writerMayBeAlive } from '../records/process-alive.js';
import { sweepRuns } from '../records/run-record.js';
import { renderSweepTable } from '../records/sweep-table.js';
import { lockSweep, readSweepRecord, sweepRecordPath, SWEEP_FORMAT_VERSION, type JobRow, type SweepRecord } from '../records/sweep-record.js';
import { writeFileAtomic, writeJsonAtomic } from '../run/atomic-write.js';
import { createRunDir } from '../run/run-dir.js';
import { observedStatus } from '../run/run-state.js';
import { createRng, drawMasterSeed } from '../run/seeds.js';
import { gridSweeper, pbtSweeper, randomSweeper, tpeSweeper, type JobOutcome, type Sweeper } from '../sweep/index.js';
import { toYamlText } from '../tree/emit.js';
import { fromPlain } from '../tree/node.js';
import { configFileHashes, describeConfigChanges, sweepFingerprint } from './fingerprint.js';
import { createProgress } from './progress.js';
import { checkPruner, finishedOk, startPruning } from './pruning.js';
import { layered, type SweepSettings } from './sweep-options.js';
import { throttled } from './throttled.js';

export interface MultirunOptions extends SweepSettings {
  source: JobSource;
  /** A job runner for inline jobs, made only when the inline launcher runs them. */
  runner: (output: ThreadOutput) => JobRunner;
  overrides: readonly string[];
  /** Flags passed to every child process of the local launcher. */
  baseArgs: string[];
  argv: readonly string[];
  entry: string | undefined;
  /** What run.json records about this kind of job (see RunJobOptions.record). */
  record?: KindRecord | undefined;
  interrupts: Interrupts;
  io: { stderr: (text: string) => void; isTTY: boolean };
  /** Called once the sweep ends, with its directory and job table (for `--format json`). */
  onEnd?: (sweepDir: string, rows: readonly JobRow[], objective: SweepRecord['objective']) => void;
}

/** The number a job is judged by: `--objective` (a returned key or a metric), or a returned number. */
function objectiveOf(returnValue: unknown, dir: string | undefined, name: string | undefined): number | undefined {
  if (name === undefined) {
    if (typeof returnValue === 'number') return returnValue;
    if (returnValue && typeof returnValue === 'object') {
      const numbers = Object.values(returnValue).filter((v): v is number => typeof v === 'number');
      if (numbers.length === 1) return numbers[0];
    }
    return undefined;
  }
  const fromReturn = returnValue && typeof returnValue === 'object' ? (returnValue as Record<string, unknown>)[name] : undefined;
  if (typeof fromReturn === 'number') return fromReturn;
  if (!dir) return undefined;
  try {
    const summary = JSON.parse(readFileSync(recordPath(dir, RUN_FILES.summary), 'utf8')) as { metrics?: Record<string, { last?: unknown }> };
    const last = summary.metrics?.[name]?.last;
    return typeof last === 'number' ? last : undefined;
  } catch {
    return undefined;
  }
}

/** SLURM options as sweep.json records them: the config's key names (max_parallel, sbatch_args …). */
const RECORD_KEYS: Record<string, string> = {
  cpusPerTask: 'cpus_per_task',
  maxParallel: 'max_parallel',
  sbatchArgs: 'sbatch_args',
  pollInterval: 'poll_interval',
  jobName: 'job_name',
};
function toRecordKeys(options: object): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(options)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [RECORD_KEYS[k] ?? k, v]),
  );
}
function fromRecordKeys(recorded: Record<string, unknown>): Record<string, unknown> {
  const back = Object.fromEntries(Object.entries(RECORD_KEYS).map(([k, v]) => [v, k]));
  return Object.fromEntries(Object.entries(recorded).map(([k, v]) => [back[k] ?? k, v]));
}

/** The newest sweep under `root` started with the same config and overrides. */
function findPreviousSweep(root: string, configName: string, overrides: readonly string[]): string | undefined {
  const found: Array<{ dir: string; created: string }> = [];
  const walk = (dir: string, depth: number) => {
    if (depth > 4 || !existsSync(dir)) return;
    if (existsSync(sweepRecordPath(dir))) {
      try {
        const r = readSweepRecord(dir);
        if (r.config_name === configName && JSON.stringify(r.overrides) === JSON.stringify(overrides)) found.push({ dir, created: r.created });
      } catch {
        // an unreadable record is not a sweep we can resume
      }
      return;
    }
    for (const name of readdirSync(dir)) if (statSync(join(dir, name)).isDirectory()) walk(join(dir, name), depth + 1);
  };
  walk(root, 0);
  return found.sort((a, b) => a.created.localeCompare(b.created)).at(-1)?.dir;
}

/** sweep.json may take this share of a sweep's time at most (see `throttled`). */
const SAVE_TIME_SHARE = 0.05;
/** How many pre-checked jobs an inline sweep keeps for its launches. */
const MAX_CHECKED_KEPT = 1000;
/** How long a resume waits for a job that is still running (a pool worker stopping) to end. */
const RUNNING_JOB_WAIT_MS = 5000;

/**
 * Runs a sweep: plans every job, composes and validates all of them before the first starts,
 * launches them, keeps sweep.json current, reports failures at once and ends with a results table.
 */
export async function runMultirun(options: MultirunOptions): Promise<number> {
  // One repository for the pre-check and every inline job: each config file is parsed once. The
  // env is copied once too: each job copies it again, and copying process.env is slow.
  const source: JobSource = {
    ...options.source,
    env: { ...options.source.env },
    repository:
      options.source.repository ??
      openConfigDir(options.source.configDir, options.source.configName, options.source.cwd, options.overrides, options.source.env),
  };
  const now = new Date();
  const previous = options.resume === undefined ? undefined : findSweepToResume(options, source);
  const sweep = planSweep(options, source, previous?.record);
  const launcherName = options.launcher ?? previous?.record.launcher ?? 'inline';
  if (!['inline', 'local', 'slurm'].includes(launcherName)) {
    throw new TrellisError('USAGE', `Unknown launcher '${launcherName}'`, { hint: 'launchers: inline, local (--jobs N), slurm' });
  }
  const slurmOptions = launcherName === 'slurm' ? await checkedSlurmOptions(options, source, previous?.record) : undefined;
  checkPruner(options, previous?.record);
  if (sweep.strategy === 'pbt' && (options.pruner ?? previous?.record.pruner)) {
    throw new TrellisError('USAGE', 'The pbt sweeper takes no pruner: its bottom members are replaced by copies of the top ones', {
      hint: 'leave out --pruner (and trellis.sweeper.pruner)',
    });
  }
  const subdirs = new Map<number, string | undefined>();
  const checked = await precheck(source, sweep.planned, now, launcherName, subdirs);
  const first = checked.get(0) ?? (await prepareJob(source, [], { num: 0, sweepDir: '.' }, now));

  // A new sweep claims a directory of its own, as runs do; a resumed one is locked against a
  // second resume. Either way no two processes drive one sweep.
  const sweepDir = previous?.dir ?? claimSweepDir(first, source.cwd);
  const unlock = lockSweep(sweepDir);
  try {
    const rows: JobRow[] =
      previous?.record.jobs ??
      sweep.planned.map((o, num) => ({ num, overrides: o, status: 'pending', dir: null, objective: null, error: null, ...trialParams(sweep.sweeper, o) }));
    // One objective for the whole table: the sweep's own, or the one a resume names first.
    const adopted = previous && !previous.record.objective.name && options.objective ? options.objective : undefined;
    const objectiveName = previous ? (previous.record.objective.name ?? adopted) : options.objective;
    if (previous) await reconcileWithRuns(rows, sweepDir, objectiveName ?? undefined);
    if (adopted) {
      for (const row of rows)
        if (row.status === 'completed' && row.dir)
          row.objective = objectiveOf(readSummaryResult(join(sweepDir, row.dir)), join(sweepDir, row.dir), adopted) ?? null;
    }
    const record: SweepRecord = {
      ...(previous?.record ?? {
        strategy: sweep.strategy,
        search_space: sweep.sweeper.describe(),
        seed: sweep.seed,
        fingerprint: sweep.fingerprint,
        config_files: configFileHashes(source),
        config_dir: source.configDir,
        config_name: source.configName,
        cwd: source.cwd,
        overrides: sweep.overrides,
        entry: options.entry ? relative(source.cwd, options.entry) : null,
        objective: { name: options.objective ?? null, mode: options.mode },
        created: now.toISOString(),
      }),
      format_version: SWEEP_FORMAT_VERSION,
      launcher: launcherName,
      jobs: rows,
    };
    if (adopted) record.objective = { name: adopted, mode: options.mode };
    if (slurmOptions) record.launcher_options = toRecordKeys(slurmOptions);
    if (!previous)
      writeFileAtomic(
        join(sweepDir, 'multirun.yaml'),
        toYamlText(fromPlain({ overrides: sweep.overrides, strategy: sweep.strategy, config_name: source.configName })),
      );
    // The objective's name and direction are the sweep's: a resume shows the same table.
    const objective = record.objective.name ?? undefined;
    const mode = record.objective.mode === 'max' ? 'max' : 'min';
    return await drive({ options, source, sweepDir, record, rows, launcherName, slurmOptions, checked, now, objective, mode, sweeper: sweep.sweeper, subdirs });
  } finally {
    unlock();
  }
}

interface PlannedSweep {
  strategy: string;
  sweeper: Sweeper;
  seed: number | null;
  overrides: string[];
  fingerprint: string;
  planned: string[][];
}

function planSweep(options: MultirunOptions, source: JobSource, previous: SweepRecord | undefined): PlannedSweep {
  const base = { configDir: source.configDir, configName: source.configName, cwd: source.cwd, env: source.env };
  const overrides = previous?.overrides ?? [...options.overrides];
  const strategy = previous?.strategy ?? options.sweeper;
  let sweeper: Sweeper;
  let seed: number | null = null;
  if (strategy === 'random') {
    seed = previous?.seed ?? options.seed ?? drawMasterSeed();
    const trials = (previous?.search_space.trials as number | undefined) ?? options.trials ?? 10;
    sweeper = randomSweeper(sweepInputFor({ ...base, overrides }), { trials, seed, rng: createRng(seed) });
  } else if (strategy === 'grid') {
    sweeper = gridSweeper(planJobs({ ...base, overrides }));
  } else if (strategy === 'tpe') {
    seed = previous?.seed ?? options.seed ?? drawMasterSeed();
    const recorded = previous?.search_space as
      | {
          trials?: number;
          sampler?: { startup_trials?: number; candidates?: number; constant_liar?: boolean; prior_weight?: number; magic_clip?: boolean; endpoints?: boolean };
        }
      | undefined;
    // A resumed sweep samples as it started; a new one as the config says.
    const tuning = recorded?.sampler
      ? definedOnly({
          candidates: recorded.sampler.candidates,
          constantLiar: recorded.sampler.constant_liar,
          priorWeight: recorded.sampler.prior_weight,
          magicClip: recorded.sampler.magic_clip,
          endpoints: recorded.sampler.endpoints,
        })
      : options.sampler;
    const input = sweepInputFor({ ...base, overrides });
    sweeper = tpeSweeper(input, {
      trials: recorded?.trials ?? options.trials ?? 20,
      seed,
      mode: previous ? (previous.objective.mode === 'max' ? 'max' : 'min') : options.mode,
      startupTrials: recorded?.sampler?.startup_trials ?? options.startupTrials,
      tuning,
      conditions: groupConditions({ ...base, overrides }, input),
      history: previous?.jobs.map((j) => j.params),
    });
  } else if (strategy === 'pbt') {
    seed = previous?.seed ?? options.seed ?? drawMasterSeed();
    const recorded = previous?.search_space as { population?: number; generations?: number; perturbation_interval?: number } | undefined;
    const population = recorded?.population ?? options.population ?? 4;
    sweeper = pbtSweeper(sweepInputFor({ ...base, overrides }), {
      population,
      generations: recorded?.generations ?? pbtGenerations(options, population),
      interval: recorded?.perturbation_interval ?? options.perturbationInterval ?? 10,
      seed,
      mode: previous ? (previous.objective.mode === 'max' ? 'max' : 'min') : options.mode,
      history: previous?.jobs.map((j) => ({ params: j.params, pbt: j.pbt })),
    });
  } else {
    throw new TrellisError('USAGE', `Unknown sweeper '${strategy}'`, { hint: 'sweepers: grid, random, tpe, pbt' });
  }
  const fingerprint = sweepFingerprint({ ...base, overrides, sweeper: { strategy, describe: sweeper.describe() } });
  if (previous && previous.fingerprint !== fingerprint) {
    const files = describeConfigChanges(previous.config_files, { ...base, since: previous.created });
    throw new TrellisError(
      'SWEEP_INVALID',
      `The config changed since the sweep started (${files ?? 'no config file differs: the primary config name, overrides or sweeper settings do'}; fingerprint ${previous.fingerprint} → ${fingerprint}); refusing to resume`,
      {
        hint: 'restore the config files as they were, or start a new sweep',
      },
    );
  }
  // A model-based sweeper proposes as slots free: only the first jobs are known before the start.
  const first = sweeper.adaptive ? Math.min(Math.max(1, options.jobs), sweeper.total ?? 1) : (sweeper.total ?? Number.MAX_SAFE_INTEGER);
  const planned = previous ? previous.jobs.map((j) => j.overrides) : sweeper.ask(first, []);
  return { strategy, sweeper, seed, overrides, fingerprint, planned };
}

/** PBT's segments per member: --generations, or --trials (segments in all) over the population; 4 when neither. */
function pbtGenerations(options: MultirunOptions, population: number): number {
  const { trials, generations } = options;
  if (trials === undefined) return generations ?? 4;
  if (trials % population !== 0 || (generations !== undefined && generations * population !== trials)) {
    throw new TrellisError('USAGE', `--trials ${trials} is not --population ${population} × --generations ${generations ?? 'G'}`, {
      hint: `PBT runs population × generations segments: give --generations alone, or --trials as a multiple of ${population}`,
    });
  }
  return trials / population;
}

function findSweepToResume(options: MultirunOptions, source: JobSource): { dir: string; record: SweepRecord } {
  const dir =
    options.resume === 'auto'
      ? findPreviousSweep(resolvePath(source.cwd, 'multirun'), source.configName, options.overrides)
      : resolvePath(source.cwd, options.resume!);
  if (!dir || !existsSync(sweepRecordPath(dir))) {
    throw new TrellisError('SWEEP_INVALID', `No sweep to resume${dir ? ` in ${relative(source.cwd, dir)}` : ' for this command'}`, {
      hint: 'give the sweep directory: --resume multirun/<date>/<time>, or trellis sweep resume <dir>',
    });
  }
  return { dir, record: readSweepRecord(dir) };
}

async function checkedSlurmOptions(options: MultirunOptions, source: JobSource, previous: SweepRecord | undefined): Promise<SlurmOptions> {
  const recorded: Partial<SlurmOptions> = previous?.launcher === 'slurm' ? fromRecordKeys(previous.launcher_options ?? {}) : {};
  // Before anything is written: no sweep directory for a sweep that cannot be submitted.
  const slurm = await import('../launch/slurm.js');
  await slurm.checkControllerReachable(source.env, slurm.checkSlurmAvailable(source.env).conf);
  // Defaults, then what the sweep was started with, then what is given now.
  return layered({ sbatchArgs: [] as string[], pollInterval: 1 }, recorded, options.slurm ?? {}) as SlurmOptions;
}

/** Composes and validates every job before the first starts; one bad job stops the sweep, naming every bad one. */
async function precheck(
  source: JobSource,
  planned: string[][],
  now: Date,
  launcherName: string,
  subdirs: Map<number, string | undefined>,
): Promise<Map<number, PreparedJob>> {
  const problems = collectErrors();
  // Inline jobs start from their checked preparation instead of composing again (bounded: each
  // holds its config trees).
  const checked = new Map<number, PreparedJob>();
  for (const [num, jobOverrides] of planned.entries()) {
    const prepared = await problems.attemptAsync(
      () => prepareJob(source, jobOverrides, { num, sweepDir: '.' }, now),
      (error) => error.derive({ message: `Job #${num} (${jobOverrides.join(' ')}): ${error.message}` }),
    );
    if (prepared) subdirs.set(num, prepared.sweepSubdir);
    if (prepared && (num === 0 || (launcherName === 'inline' && checked.size < MAX_CHECKED_KEPT))) checked.set(num, prepared);
  }
  problems.throwIfAny('nothing was launched; fix the sweep and run it again');
  return checked;
}

/** One job as a scheduler's batch of one, reporting its events; a job stopped before it started ends interrupted. */
async function launchOneOnScheduler(launcher: BatchLauncher, row: JobRow, events: BatchEvents): Promise<LaunchedJob> {
  let ended: LaunchedJob | undefined;
  await launcher.launchBatch([{ num: row.num, overrides: row.overrides, previous: row.launcher }], {
    ...events,
    finished(job, info) {
      ended = job;
      row.launcher = info;
    },
  });
  return ended ?? { num: row.num, overrides: row.overrides, status: 'interrupted', dir: undefined, returnValue: undefined, error: 'stopped before it started' };
}

/**
 * A job whose config does not compose or validate when it launches (a trial a model-based
 * sweeper proposed after the pre-check, outside what the schema allows) fails alone, as a job
 * that throws does; the sweep goes on. Anything else is a fault of trellis and stops it.
 */
async function launchOrFail(launcher: Launcher, row: JobRow): Promise<LaunchedJob> {
  try {
    return await launcher.launch({ num: row.num, overrides: row.overrides });
  } catch (error) {
    if (!(error instanceof TrellisError)) throw error;
    const where = error.where?.kind === 'override' ? `override '${error.where.text}': ` : '';
    return {
      num: row.num,
      overrides: row.overrides,
      status: 'failed',
      dir: undefined,
      returnValue: undefined,
      error: `${where}${error.code}: ${error.message}`,
    };
  }
}

function claimSweepDir(first: PreparedJob, cwd: string): string {
  const node = selectPath(first.runtime, 'sweep.dir');
  return createRunDir(resolvePath(cwd, node?.kind === 'value' ? String(node.value) : 'multirun'));
}

/**
 * A job's own run.json is the truth; sweep.json is written lazily and may be behind. A job whose
 * run completed is not run again, whatever the table says; one still running (a worker of a
 * killed sweep stopping) is waited for briefly, then the resume refuses. Jobs submitted to a
 * scheduler are left to their launcher, which follows them by job id.
 */
async function reconcileWithRuns(rows: JobRow[], sweepDir: string, objectiveName: string | undefined): Promise<void> {
  const deadline = Date.now() + RUNNING_JOB_WAIT_MS;
  for (;;) {
    const runs = sweepRuns(sweepDir);
    const stillRunning: string[] = [];
    for (const row of rows) {
      // A job handed to a scheduler (SLURM) is followed by its launcher, by job id.
      if (finishedOk(row.status) || row.launcher) continue;
      const mine = runs.filter((r) => r.num === row.num);
      const completed = mine.find((r) => finishedOk(r.record.status));
      if (completed) {
        row.status = completed.record.status!;
        row.dir = relative(sweepDir, completed.dir) || '.';
        row.error = null;
        const summary = readSummaryResult(completed.dir);
        row.objective = objectiveOf(summary, completed.dir, objectiveName) ?? null;
        continue;
      }
      const live = mine.find((r) => observedStatus(r.record) === 'running' && writerMayBeAlive(r.record));
      if (live) stillRunning.push(`#${row.num} (pid ${live.record.pid ?? '?'} on ${live.record.host ?? '?'}, ${relative(sweepDir, live.dir)})`);
    }
    if (!stillRunning.length) return;
    if (Date.now() > deadline) {
      throw new TrellisError('SWEEP_INVALID', `Jobs of the sweep in ${sweepDir} are still running: ${stillRunning.join(', ')}`, {
        hint: 'a process of an earlier attempt still runs them: wait for it or stop it, then resume again',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

function readSummaryResult(dir: string): unknown {
  try {
    return (JSON.parse(readFileSync(recordPath(dir, RUN_FILES.summary), 'utf8')) as { result?: unknown }).result;
  } catch {
    return undefined;
  }
}

interface DriveContext {
  options: MultirunOptions;
  source: JobSource;
  sweepDir: string;
  record: SweepRecord;
  rows: JobRow[];
  launcherName: string;
  slurmOptions: SlurmOptions | undefined;
  checked: Map<number, PreparedJob>;
  now: Date;
  objective: string | undefined;
  mode: 'min' | 'max';
  sweeper: Sweeper;
  /** Each job's run directory relative to the sweep's, as planned. */
  subdirs: Map<number, string | undefined>;
}

/** A job's run directory relative to the sweep's, as its config names it; undefined when it does not compose (it fails when launched). */
async function plannedSubdir(ctx: DriveContext, row: JobRow): Promise<string | undefined> {
  try {
    return (await prepareJob(ctx.source, row.overrides, { num: row.num, sweepDir: '.' }, ctx.now)).sweepSubdir;
  } catch {
    return undefined;
  }
}

/** The fields of `o` that have a value. */
function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The parameters (and the sampler's inputs) sweep.json records with a model-based sweeper's trial. */
function trialParams(sweeper: Sweeper, overrides: readonly string[]): Pick<JobRow, 'params' | 'sampler'> {
  return sweeper.trialOf?.(overrides) ?? {};
}

/** PBT learns where a finished job is and what it checkpointed (the sweeper itself reads no file). */
function checkpointOutcome(strategy: string, sweepDir: string, cwd: string, dir: string | null): Pick<JobOutcome, 'dir' | 'checkpoint'> {
  if (strategy !== 'pbt' || dir === null) return {};
  const pointer = readCheckpoint(resolvePath(sweepDir, dir));
  // Relative to where the sweep runs, as a rerun of the job (outside the sweep) finds it too.
  return { dir: relative(cwd, resolvePath(sweepDir, dir)) || '.', ...(pointer ? { checkpoint: { step: pointer.step } } : {}) };
}

/** How a model-based sweeper counted a finished trial. */
function trialState(status: string, objective: number | undefined): JobRow['state'] {
  if (status === 'pruned') return 'pruned';
  return status === 'completed' && objective !== undefined && Number.isFinite(objective) ? 'complete' : 'failed';
}

async function createLauncher(ctx: DriveContext, print: (line: string) => void): Promise<Launcher> {
  const { options, source, sweepDir, now } = ctx;
  if (ctx.launcherName === 'local') {
    return localLauncher({
      entry: options.entry,
      baseArgs: options.baseArgs,
      sweepDir,
      now,
      jobs: options.jobs,
      devices: options.devices,
      cwd: source.cwd,
      env: source.env,
      print,
    });
  }
  if (ctx.launcherName === 'slurm') {
    return (await import('../launch/slurm.js')).slurmLauncher({
      entry: options.entry,
      baseArgs: options.baseArgs,
      sweepDir,
      now,
      cwd: source.cwd,
      env: source.env,
      print,
      slurm: { jobName: `trellis-${source.name}`, ...ctx.slurmOptions! },
    });
  }
  return inlineLauncher({
    source,
    runner: options.runner(print),
    interrupts: options.interrupts,
    sweepDir,
    now,
    argv: options.argv,
    entry: options.entry,
    record: options.record,
    print,
    checked: ctx.checked,
  });
}

/** Launches the jobs that did not complete, keeps the table current, and ends with the results table. */
async function drive(ctx: DriveContext): Promise<number> {
  const { options, rows, record, sweepDir, source } = ctx;
  // The job table is rewritten whole: per job, a big sweep of short jobs would spend most of its
  // time writing it. Scheduler events (job ids a resume needs) save at once.
  const saves = throttled(() => writeJsonAtomic(sweepRecordPath(sweepDir), record), SAVE_TIME_SHARE);
  const save = saves.now;
  save();
  const todo = rows.filter((r) => !finishedOk(r.status));
  const adaptive = Boolean(ctx.sweeper.adaptive);
  const total = adaptive ? Math.max(todo.length, (ctx.sweeper.total ?? rows.length) - (rows.length - todo.length)) : todo.length;
  const progress = await createProgress({ total, isTTY: options.io.isTTY, write: options.io.stderr });
  const print = progress.print;
  const launcher = await createLauncher(ctx, print);
  const pruning = startPruning(ctx, print);
  // What a model-based sweeper learns from on a resume: every finished trial, pruned ones with their step.
  const outcomes: JobOutcome[] = rows
    .filter((r) => finishedOk(r.status))
    .map((r) => ({
      num: r.num,
      overrides: r.overrides,
      status: r.status === 'pruned' ? 'pruned' : 'completed',
      objective: r.objective ?? undefined,
      ...(r.pruned ? { step: r.pruned.step } : {}),
      ...checkpointOutcome(record.strategy, sweepDir, source.cwd, r.dir),
    }));
  let stop = false;
  const offInterrupt = options.interrupts.onInterrupt(() => {
    stop = true;
    for (const r of rows) if (r.status === 'pending') r.status = 'interrupted';
    save();
    void launcher.cancel();
  });
  let warnedNoObjective = false;
  const finishRow = (job: LaunchedJob) => {
    const row = rows[job.num]!;
    // A job that never got a run directory because the sweep was being stopped was not run.
    row.status = options.interrupts.received && job.status === 'failed' && !job.dir ? 'interrupted' : job.status;
    row.dir = job.dir ? relative(sweepDir, job.dir) || '.' : null;
    row.error = job.error ?? null;
    const pruned = pruning?.ended(job.num, job.status, job.dir);
    if (pruned && job.status === 'pruned') row.pruned = pruned;
    // A pruned job's value is its last reported one, as Optuna records a pruned trial's.
    const objective = finishedOk(job.status) ? objectiveOf(job.returnValue, job.dir, ctx.objective) : undefined;
    row.objective = objective ?? null;
    outcomes.push({
      num: job.num,
      overrides: job.overrides,
      status: job.status,
      objective,
      ...(row.pruned ? { step: row.pruned.step } : {}),
      ...checkpointOutcome(record.strategy, sweepDir, source.cwd, row.dir),
    });
    if (row.params && row.status !== 'interrupted') {
      row.state = trialState(job.status, objective);
      // A model-based sweeper learns nothing from a trial without a value: say so once.
      if (job.status === 'completed' && row.state === 'failed' && !warnedNoObjective) {
        warnedNoObjective = true;
        print(
          `[trellis] job #${job.num} gave no ${ctx.objective ? `value of '${ctx.objective}'` : 'single number'}: the ${record.strategy} sweeper counts it as failed (give --objective NAME: a returned key or a logged metric)`,
        );
      }
    }
    saves.soon();
    progress.jobEnded(finishedOk(job.status));
    if (job.status === 'pruned') {
      if (!options.io.isTTY) print(`[trellis] job #${job.num} pruned at step ${row.pruned?.step ?? '?'}: ${row.dir}`);
    } else if (job.status !== 'completed') {
      if (!options.interrupts.received) print(`[trellis] job #${job.num} ${job.status}: ${job.error ?? ''} (${row.dir ?? 'no run directory'})`);
      if (options.failFast) stop = true;
    } else if (!options.io.isTTY)
      print(`[trellis] job #${job.num} completed${objective === undefined ? '' : ` (${ctx.objective ?? 'objective'}=${objective})`}: ${row.dir}`);
  };

  // What a scheduler reports of a job: its id and state are saved at once (a resume needs them).
  const batchEvents = (countedBySlot: boolean): BatchEvents => ({
    submitted(num, info) {
      const row = rows[num]!;
      if (!options.interrupts.received && !countedBySlot) row.status = 'pending';
      row.launcher = info;
      save();
    },
    started(num, info) {
      const row = rows[num]!;
      if (!countedBySlot) {
        pruning?.started(num);
        progress.jobStarted();
      }
      if (!options.interrupts.received) row.status = 'running';
      row.launcher = info;
      save();
      if (!options.io.isTTY)
        print(`[trellis] job #${num} running${typeof info.job_id === 'string' ? ` (${launcher.name} ${info.job_id})` : ''}: ${row.overrides.join(' ')}`);
    },
    finished(job, info) {
      rows[job.num]!.launcher = info;
      finishRow(job);
    },
  });

  try {
    if (isBatchLauncher(launcher) && !adaptive) {
      // The whole sweep goes to the scheduler at once; it reports jobs as they start and end.
      let stopping = false;
      if (!options.io.isTTY) print(`[trellis] submitting ${todo.length} job${todo.length === 1 ? '' : 's'} to ${launcher.name}`);
      const events = batchEvents(false);
      await launcher.launchBatch(
        todo.map((r) => ({ num: r.num, overrides: r.overrides, previous: r.launcher })),
        {
          ...events,
          finished(job, info) {
            events.finished(job, info);
            if (stop && options.failFast && !stopping) {
              stopping = true;
              void launcher.stopPending();
            }
          },
        },
      );
    } else {
      const queue = [...todo];
      // A model-based sweeper is asked for the next trial when a slot frees, knowing every outcome so far.
      const nextTrial = async (): Promise<JobRow | undefined> => {
        if (!adaptive || rows.length >= (ctx.sweeper.total ?? 0)) return undefined;
        const [overrides] = ctx.sweeper.ask(1, outcomes);
        if (!overrides) return undefined;
        const row: JobRow = { num: rows.length, overrides, status: 'pending', dir: null, objective: null, error: null, ...trialParams(ctx.sweeper, overrides) };
        rows.push(row);
        // The pruner follows a running job through its directory, which the config names
        // (hydra.sweep.subdir); a trial proposed now was not among the jobs checked up front.
        if (pruning && !ctx.subdirs.has(row.num)) ctx.subdirs.set(row.num, await plannedSubdir(ctx, row));
        return row;
      };
      // On a scheduler a model-based sweep submits each trial as a slot frees (so it proposes
      // from what has finished), as many at once as --max-parallel, or else --jobs, allows.
      const width = isBatchLauncher(launcher) && launcher.parallelism === Number.MAX_SAFE_INTEGER ? options.jobs : launcher.parallelism;
      const slots = Array.from({ length: Math.max(1, width) }, async () => {
        while (!stop) {
          const row = queue.shift() ?? (await nextTrial());
          // A stop may have come while the trial was being proposed: it stays pending.
          if (!row || stop) return;
          row.status = 'running';
          pruning?.started(row.num);
          progress.jobStarted();
          saves.soon();
          if (!options.io.isTTY) print(`[trellis] launching job #${row.num}: ${row.overrides.join(' ')}`);
          finishRow(isBatchLauncher(launcher) ? await launchOneOnScheduler(launcher, row, batchEvents(true)) : await launchOrFail(launcher, row));
        }
      });
      await Promise.all(slots);
    }
  } finally {
    offInterrupt();
    pruning?.close();
    await launcher.close?.();
    // The bar goes before the table: nothing is drawn over it.
    progress.stop();
  }
  const interrupted = Boolean(options.interrupts.received);
  for (const r of rows) if (r.status === 'pending' && stop) r.status = interrupted || !options.failFast ? 'interrupted' : 'skipped';
  save();
  const pruned = rows.filter((r) => r.status === 'pruned').length;
  const completed = rows.filter((r) => r.status === 'completed').length;
  const write = (line: string) => options.io.stderr(`${line}\n`);
  write('');
  write(renderSweepTable(rows, ctx.mode, ctx.objective ?? 'objective'));
  write('');
  write(
    `[trellis] sweep ${interrupted ? 'interrupted' : 'finished'}: ${completed}/${rows.length} jobs completed${pruned ? `, ${pruned} pruned` : ''} (${relative(source.cwd, sweepDir) || '.'})`,
  );
  options.onEnd?.(sweepDir, rows, record.objective);
  if (interrupted) return 130;
  return completed + pruned === rows.length ? 0 : 1;
}
