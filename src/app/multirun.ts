import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve as resolvePath } from 'node:path';
import { openConfigDir } from '../api/compose-dir.js';
import { planJobs, sweepInputFor } from '../api/multirun.js';
import { selectPath } from '../api/select.js';
import { TrellisError } from '../errors/index.js';
import { inlineLauncher } from '../launch/inline.js';
import { isBatchLauncher, type LaunchedJob, type Launcher, type LauncherInfo } from '../launch/launcher.js';
import { localLauncher } from '../launch/local.js';
import type { SlurmOptions } from '../launch/slurm.js';
import { writeFileAtomic, writeJsonAtomic } from '../run/atomic-write.js';
import { createRng, drawMasterSeed } from '../run/seeds.js';
import { gridSweeper, randomSweeper, type JobOutcome, type Sweeper } from '../sweep/index.js';
import { toYamlText } from '../tree/emit.js';
import { fromPlain } from '../tree/node.js';
import { sweepFingerprint } from './fingerprint.js';
import { prepareJob, type JobSource, type PreparedJob } from './prepare-job.js';
import { throttled } from './throttled.js';
import type { JobFunction } from './run-job.js';

export interface MultirunOptions {
  source: JobSource;
  job: JobFunction<unknown>;
  overrides: readonly string[];
  /** Flags passed to every child process of the local launcher. */
  baseArgs: string[];
  argv: readonly string[];
  entry: string | undefined;
  /** inline, local or slurm; undefined: what a resumed sweep used, else inline. */
  launcher: string | undefined;
  jobs: number;
  devices: string[] | undefined;
  /** SLURM launcher options given by flag or config; a resumed sweep keeps its recorded ones otherwise. */
  slurm?: Partial<SlurmOptions> | undefined;
  sweeper: string;
  trials: number | undefined;
  seed: number | undefined;
  failFast: boolean;
  objective: string | undefined;
  mode: 'min' | 'max';
  /** A sweep directory to resume, or 'auto' to find the last sweep of the same command. */
  resume: string | undefined;
  io: { stderr: (text: string) => void; isTTY: boolean };
}

type JobRow = {
  num: number;
  overrides: string[];
  status: string;
  dir: string | null;
  objective: number | null;
  error: string | null;
  /** What a batch launcher knows of the job (SLURM: job id, state, stdout/stderr files). */
  launcher?: LauncherInfo;
};

interface SweepRecord {
  strategy: string;
  search_space: Record<string, unknown>;
  seed: number | null;
  fingerprint: string;
  config_dir: string;
  config_name: string;
  /** Where the sweep was started: config and entry paths are relative to it. */
  cwd: string;
  overrides: string[];
  launcher: string;
  /** The launcher's options (SLURM: partition, time, …), reused when the sweep is resumed. */
  launcher_options?: Record<string, unknown>;
  entry: string | null;
  objective: { name: string | null; mode: string };
  created: string;
  jobs: JobRow[];
}

const SWEEP_RECORD = join('.trellis', 'sweep.json');

/** The number a job is judged by: `--objective` (a returned key or a metric), or a returned number. */
export function objectiveOf(returnValue: unknown, dir: string | undefined, name: string | undefined): number | undefined {
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
    const summary = JSON.parse(readFileSync(join(dir, '.trellis', 'summary.json'), 'utf8')) as { metrics?: Record<string, { last?: unknown }> };
    const last = summary.metrics?.[name]?.last;
    return typeof last === 'number' ? last : undefined;
  } catch {
    return undefined;
  }
}

/** SLURM options as sweep.json records them: the config's key names (max_parallel, sbatch_args …). */
const RECORD_KEYS: Record<string, string> = { cpusPerTask: 'cpus_per_task', maxParallel: 'max_parallel', sbatchArgs: 'sbatch_args', pollInterval: 'poll_interval', jobName: 'job_name' };
function toRecordKeys(options: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined).map(([k, v]) => [RECORD_KEYS[k] ?? k, v]));
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
    const record = join(dir, SWEEP_RECORD);
    if (existsSync(record)) {
      try {
        const r = JSON.parse(readFileSync(record, 'utf8')) as SweepRecord;
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

function table(rows: JobRow[], mode: 'min' | 'max', objectiveName: string): string {
  const sorted = [...rows].sort((a, b) => {
    if (a.objective === null) return b.objective === null ? a.num - b.num : 1;
    if (b.objective === null) return -1;
    return mode === 'min' ? a.objective - b.objective : b.objective - a.objective;
  });
  const header = ['#', 'status', objectiveName, 'overrides', 'dir'];
  const body = sorted.map((r) => [String(r.num), r.status, r.objective === null ? '-' : String(Number(r.objective.toPrecision(6))), r.overrides.join(' '), r.dir ?? '-']);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 2 || i === 0 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** sweep.json may take this share of a sweep's time at most (see `throttled`). */
const SAVE_TIME_SHARE = 0.05;
/** How many pre-checked jobs an inline sweep keeps for its launches. */
const MAX_CHECKED_KEPT = 1000;

/**
 * Runs a sweep: plans every job, composes and validates all of them before the first starts,
 * launches them, keeps sweep.json current, reports failures at once and ends with a results table.
 */
export async function runMultirun(options: MultirunOptions): Promise<number> {
  const { io } = options;
  // One repository for the pre-check and every inline job: each config file is parsed once. The
  // env is copied once too: each job copies it again, and copying process.env is slow.
  const source: JobSource = {
    ...options.source,
    env: { ...options.source.env },
    repository: options.source.repository ?? openConfigDir(options.source.configDir, options.source.configName, options.source.cwd),
  };
  const now = new Date();
  const base = { configDir: source.configDir, configName: source.configName, cwd: source.cwd, env: source.env };

  let resumeDir: string | undefined;
  let previous: SweepRecord | undefined;
  if (options.resume !== undefined) {
    resumeDir = options.resume === 'auto' ? findPreviousSweep(resolvePath(source.cwd, 'multirun'), source.configName, options.overrides) : resolvePath(source.cwd, options.resume);
    if (!resumeDir || !existsSync(join(resumeDir, SWEEP_RECORD))) {
      throw new TrellisError('SWEEP_INVALID', `No sweep to resume${resumeDir ? ` in ${relative(source.cwd, resumeDir)}` : ' for this command'}`, {
        hint: 'give the sweep directory: --resume multirun/<date>/<time>, or trellis sweep resume <dir>',
      });
    }
    previous = JSON.parse(readFileSync(join(resumeDir, SWEEP_RECORD), 'utf8')) as SweepRecord;
  }

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
  } else {
    throw new TrellisError('USAGE', `Unknown sweeper '${strategy}'`, { hint: 'sweepers: grid, random' });
  }
  const fingerprint = sweepFingerprint({ ...base, overrides, sweeper: { strategy, describe: sweeper.describe() } });
  if (previous && previous.fingerprint !== fingerprint) {
    throw new TrellisError('SWEEP_INVALID', `The config changed since the sweep in ${relative(source.cwd, resumeDir!)} started (fingerprint ${previous.fingerprint} → ${fingerprint}); refusing to resume`, {
      hint: 'restore the config files as they were, or start a new sweep',
    });
  }

  const launcherName = options.launcher ?? previous?.launcher ?? 'inline';
  if (!['inline', 'local', 'slurm'].includes(launcherName)) {
    throw new TrellisError('USAGE', `Unknown launcher '${launcherName}'`, { hint: 'launchers: inline, local (--jobs N), slurm' });
  }
  let slurmOptions: SlurmOptions | undefined;
  if (launcherName === 'slurm') {
    const given = Object.fromEntries(Object.entries(options.slurm ?? {}).filter(([, v]) => v !== undefined));
    const recorded = previous?.launcher === 'slurm' ? fromRecordKeys(previous.launcher_options ?? {}) : {};
    slurmOptions = { sbatchArgs: [], pollInterval: 1, ...recorded, ...given } as SlurmOptions;
    // Before anything is written: no sweep directory for a sweep that cannot be submitted.
    (await import('../launch/slurm.js')).checkSlurmAvailable(source.env);
  }

  // Every job is planned and checked before the first one starts.
  const planned = previous ? previous.jobs.map((j) => j.overrides) : sweeper.ask(sweeper.total ?? Number.MAX_SAFE_INTEGER, []);
  const problems: TrellisError[] = [];
  // Inline jobs start from their checked preparation instead of composing again (bounded: each
  // holds its config trees).
  const checked = new Map<number, PreparedJob>();
  for (const [num, jobOverrides] of planned.entries()) {
    try {
      const prepared = await prepareJob(source, jobOverrides, { num, sweepDir: '.' }, now);
      if (num === 0 || (launcherName === 'inline' && checked.size < MAX_CHECKED_KEPT)) checked.set(num, prepared);
    } catch (error) {
      if (!(error instanceof TrellisError)) throw error;
      error.message = `Job #${num} (${jobOverrides.join(' ')}): ${error.message}`;
      problems.push(error);
    }
  }
  if (problems.length) {
    const [first, ...rest] = problems;
    first!.related.push(...rest);
    first!.hint = first!.hint ?? 'nothing was launched; fix the sweep and run it again';
    throw first!;
  }
  const first = checked.get(0) ?? (await prepareJob(source, [], { num: 0, sweepDir: '.' }, now));
  const sweepDirNode = selectPath(first.runtime, 'sweep.dir');
  const sweepDir = resumeDir ?? resolvePath(source.cwd, sweepDirNode?.kind === 'value' ? String(sweepDirNode.value) : 'multirun');
  mkdirSync(join(sweepDir, '.trellis'), { recursive: true });

  const rows: JobRow[] = previous?.jobs ?? planned.map((o, num) => ({ num, overrides: o, status: 'pending', dir: null, objective: null, error: null }));
  const record: SweepRecord = previous ?? {
    strategy,
    search_space: sweeper.describe(),
    seed,
    fingerprint,
    config_dir: source.configDir,
    config_name: source.configName,
    cwd: source.cwd,
    overrides,
    launcher: launcherName,
    entry: options.entry ? relative(source.cwd, options.entry) : null,
    objective: { name: options.objective ?? null, mode: options.mode },
    created: now.toISOString(),
    jobs: rows,
  };
  record.jobs = rows;
  record.launcher = launcherName;
  if (slurmOptions) record.launcher_options = toRecordKeys(slurmOptions);
  // The job table is rewritten whole: per job, a big sweep of short jobs would spend most of its
  // time writing it. Scheduler events (job ids a resume needs) save at once.
  const saves = throttled(() => writeJsonAtomic(join(sweepDir, SWEEP_RECORD), record), SAVE_TIME_SHARE);
  const save = saves.now;
  if (!previous) writeFileAtomic(join(sweepDir, 'multirun.yaml'), toYamlText(fromPlain({ overrides, strategy, config_name: source.configName })));
  save();

  const print = (line: string) => io.stderr(`${line}\n`);
  const launcher: Launcher =
    launcherName === 'local'
      ? localLauncher({ entry: options.entry, baseArgs: options.baseArgs, sweepDir, now, jobs: options.jobs, devices: options.devices, cwd: source.cwd, env: source.env, print })
      : launcherName === 'slurm'
        ? (await import('../launch/slurm.js')).slurmLauncher({
            entry: options.entry,
            baseArgs: options.baseArgs,
            sweepDir,
            now,
            cwd: source.cwd,
            env: source.env,
            print,
            slurm: { jobName: `trellis-${source.name}`, ...slurmOptions! },
          })
        : inlineLauncher({ source, job: options.job, sweepDir, now, argv: options.argv, entry: options.entry, print, checked });

  const todo = rows.filter((r) => r.status !== 'completed');
  const total = todo.length;
  let done = 0;
  let failed = 0;
  let running = 0;
  // On a terminal a live bar (cli-progress, loaded only then); elsewhere one plain line per event.
  // cli-progress is CommonJS: its exports are the `default` import, in Node as in the bundle.
  const progressBars = io.isTTY ? (await import('cli-progress')).default : undefined;
  const bar = progressBars
    ? new progressBars.SingleBar(
        {
          format: '[trellis] {bar} {value}/{total} jobs | {running} running | {failed} failed | ETA {eta_formatted}',
          stream: process.stderr,
          hideCursor: true,
          clearOnComplete: true,
          etaBuffer: 4,
        },
        progressBars.Presets.shades_classic,
      )
    : undefined;
  bar?.start(total, 0, { running: 0, failed: 0 });
  const progress = () => bar?.update(done, { running, failed });
  const outcomes: JobOutcome[] = rows.filter((r) => r.status === 'completed').map((r) => ({ num: r.num, overrides: r.overrides, status: 'completed', objective: r.objective ?? undefined }));
  let stop = false;
  let interrupted = false;
  const onSigint = () => {
    interrupted = true;
    stop = true;
    for (const r of rows) if (r.status === 'pending' || r.status === 'running') r.status = 'interrupted';
    save();
    if (launcher.name !== 'inline') void launcher.cancel().then(() => process.exit(130));
  };
  process.once('SIGINT', onSigint);
  const finishRow = (job: LaunchedJob) => {
    const row = rows[job.num]!;
    row.status = job.status;
    row.dir = job.dir ? relative(sweepDir, job.dir) || '.' : null;
    row.error = job.error ?? null;
    const objective = job.status === 'completed' ? objectiveOf(job.returnValue, job.dir, options.objective) : undefined;
    row.objective = objective ?? null;
    outcomes.push({ num: job.num, overrides: job.overrides, status: job.status, objective });
    saves.soon();
    done++;
    if (job.status !== 'completed') {
      failed++;
      bar?.stop();
      print(`[trellis] job #${job.num} ${job.status}: ${job.error ?? ''} (${row.dir ?? 'no run directory'})`);
      if (options.failFast) stop = true;
      bar?.start(total, done, { running, failed });
    } else if (!io.isTTY) print(`[trellis] job #${job.num} completed${objective === undefined ? '' : ` (${options.objective ?? 'objective'}=${objective})`}: ${row.dir}`);
    progress();
  };

  try {
    if (isBatchLauncher(launcher)) {
      // The whole sweep goes to the scheduler at once; it reports jobs as they start and end.
      let stopping = false;
      if (!io.isTTY) print(`[trellis] submitting ${todo.length} job${todo.length === 1 ? '' : 's'} to ${launcher.name}`);
      await launcher.launchBatch(
        todo.map((r) => ({ num: r.num, overrides: r.overrides, previous: r.launcher })),
        {
          submitted(num, info) {
            const row = rows[num]!;
            if (!interrupted) row.status = 'pending';
            row.launcher = info;
            save();
          },
          started(num, info) {
            const row = rows[num]!;
            if (!interrupted) row.status = 'running';
            row.launcher = info;
            running++;
            save();
            progress();
            if (!io.isTTY) print(`[trellis] job #${num} running${typeof info.job_id === 'string' ? ` (${launcher.name} ${info.job_id})` : ''}: ${row.overrides.join(' ')}`);
          },
          finished(job, info) {
            rows[job.num]!.launcher = info;
            if (running > 0) running--;
            finishRow(job);
            if (stop && options.failFast && !stopping) {
              stopping = true;
              void launcher.stopPending();
            }
          },
        },
      );
    } else {
      const queue = [...todo];
      const workers = Array.from({ length: Math.max(1, launcher.parallelism) }, async () => {
        while (!stop) {
          const row = queue.shift();
          if (!row) return;
          row.status = 'running';
          running++;
          saves.soon();
          progress();
          if (!io.isTTY) print(`[trellis] launching job #${row.num}: ${row.overrides.join(' ')}`);
          const job = await launcher.launch({ num: row.num, overrides: row.overrides });
          running--;
          finishRow(job);
        }
      });
      await Promise.all(workers);
    }
  } finally {
    process.removeListener('SIGINT', onSigint);
    bar?.stop();
  }
  bar?.stop();
  for (const r of rows) if (r.status === 'pending' && stop) r.status = options.failFast ? 'skipped' : 'interrupted';
  save();
  const completed = rows.filter((r) => r.status === 'completed').length;
  print('');
  print(table(rows, options.mode, options.objective ?? 'objective'));
  print('');
  print(`[trellis] sweep ${interrupted ? 'interrupted' : 'finished'}: ${completed}/${rows.length} jobs completed (${relative(source.cwd, sweepDir) || '.'})`);
  if (interrupted) return 130;
  return completed === rows.length ? 0 : 1;
}
