import { existsSync } from 'node:fs';
import { relative, resolve as resolvePath } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { writeControl } from '../records/control.js';
import { recordPath, RUN_FILES } from '../records/names.js';
import { readRunRecord } from '../records/run-record.js';
import { MetricsTail, type MetricRow } from '../run/metrics.js';
import type { JobRow, SweepRecord } from '../records/sweep-record.js';
import { createPruner, type Pruner, type TrialProgress } from '../sweep/pruners/index.js';
import type { PrunerSettings } from './sweep-options.js';

/** How often the supervisor reads what running jobs logged since the last look. */
const POLL_MS = 100;

interface Trial {
  trial: number;
  state: TrialProgress['state'];
  values: Map<number, number>;
  dir: string | undefined;
  tail: MetricsTail | undefined;
  /** The decision once made; nothing more is asked about the trial. */
  decided: { step: number; reason: string } | undefined;
}

export interface PruningOptions {
  pruner: Pruner;
  /** The metric the pruner judges (`--objective`). */
  objective: string;
  sweepDir: string;
  /** A job's run directory relative to the sweep's, as planned (a taken name gets `_1`, `_2` …). */
  subdirOf: (num: number) => string | undefined;
  print: (line: string) => void;
}

/**
 * The sweep's side of early stopping. While jobs run, it reads the new lines of each one's
 * metrics.jsonl, asks the pruner after each reported value, and writes a prune decision to the
 * run's control file; the job's side (run-job) picks it up there. No server: the run directory,
 * on a shared file system for SLURM, is the channel both ways.
 */
export class PruningSupervisor {
  private readonly trials = new Map<number, Trial>();
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly options: PruningOptions) {
    this.timer = setInterval(() => this.poll(), POLL_MS);
    this.timer.unref();
  }

  /** A job of an earlier attempt (resume) that completed: its values count, read once. */
  known(num: number, dir: string, state: TrialProgress['state']): void {
    const trial = this.trial(num);
    trial.dir = dir;
    trial.tail = new MetricsTail(recordPath(dir, RUN_FILES.metrics));
    this.take(trial, trial.tail.read());
    trial.state = state;
  }

  /** The job started (or was handed to the scheduler). */
  started(num: number): void {
    const trial = this.trial(num);
    trial.state = 'running';
  }

  /** The job ended: the rest of its values are read, and it counts as complete, pruned or failed. */
  ended(num: number, status: string, dir: string | undefined): { step: number; reason: string } | undefined {
    const trial = this.trial(num);
    trial.dir ??= dir;
    if (trial.dir && !trial.tail) trial.tail = new MetricsTail(recordPath(trial.dir, RUN_FILES.metrics));
    // Values it logged since the last poll are reported as they would have been while it ran,
    // so a pruner's bookkeeping (ASHA's rungs) holds every trial; a late decision is moot.
    if (trial.tail) this.take(trial, trial.tail.read(), !trial.decided, false);
    trial.state = status === 'completed' ? 'complete' : status === 'pruned' ? 'pruned' : 'failed';
    return trial.decided;
  }

  close(): void {
    clearInterval(this.timer);
  }

  private trial(num: number): Trial {
    let trial = this.trials.get(num);
    if (!trial) {
      trial = { trial: num, state: 'running', values: new Map(), dir: undefined, tail: undefined, decided: undefined };
      this.trials.set(num, trial);
    }
    return trial;
  }

  /** Reads what every running job logged since the last poll and decides on each new report. */
  poll(): void {
    for (const trial of this.trials.values()) {
      if (trial.state !== 'running' || trial.decided) continue;
      if (!trial.tail) {
        trial.dir = this.locate(trial.trial);
        if (!trial.dir) continue;
        trial.tail = new MetricsTail(recordPath(trial.dir, RUN_FILES.metrics));
      }
      this.take(trial, trial.tail.read(), true);
    }
  }

  /**
   * Adds a job's new rows; with `decide`, asks the pruner after each value, as Optuna asks after
   * each report, and with `act` tells the job when it says prune.
   */
  private take(trial: Trial, rows: MetricRow[], decide = false, act = true): void {
    let deciding = decide && !trial.decided;
    for (const row of rows) {
      const value = row[this.options.objective];
      if (typeof value !== 'number') continue;
      trial.values.set(row.step, value);
      if (!deciding) continue;
      const decision = this.options.pruner.decide(trial.trial, row.step, [...this.trials.values()]);
      if (!decision.prune) continue;
      deciding = false;
      if (!act) continue;
      trial.decided = { step: row.step, reason: decision.reason ?? 'pruned' };
      try {
        writeControl(trial.dir!, { action: 'prune', ...trial.decided });
        this.options.print(`[trellis] job #${trial.trial} pruned at step ${row.step}: ${trial.decided.reason}`);
      } catch (error) {
        this.options.print(`[trellis] job #${trial.trial} should be pruned but its control file cannot be written: ${String(error)}`);
      }
    }
  }

  /**
   * The running job's directory: the planned one or, when that name was taken (a resumed job), the
   * newest suffixed one, whichever run.json names this job and is running. Undefined until it exists.
   */
  private locate(num: number): string | undefined {
    const subdir = this.options.subdirOf(num);
    if (subdir === undefined) return undefined;
    const base = resolvePath(this.options.sweepDir, subdir);
    let found: string | undefined;
    for (let n = 0; ; n++) {
      const dir = n === 0 ? base : `${base}_${n}`;
      if (!existsSync(dir)) break;
      const record = readRunRecord(dir);
      if (record?.sweep?.num === num && record.status === 'running') found = dir;
    }
    return found;
  }
}

/** A job that needs no second run: it completed, or a pruner stopped it on purpose. */
export function finishedOk(status: string | undefined): boolean {
  return status === 'completed' || status === 'pruned';
}

/** What early stopping needs from the sweep. */
interface PruningContext {
  options: { pruner?: PrunerSettings | undefined; objective?: string | undefined };
  source: { cwd: string };
  sweepDir: string;
  record: SweepRecord;
  rows: readonly JobRow[];
  objective: string | undefined;
  mode: 'min' | 'max';
  subdirs: ReadonlyMap<number, string | undefined>;
}

/** Fails before anything is written when the pruner cannot run: unknown, bad settings, no objective. */
export function checkPruner(options: PruningContext['options'], previous: SweepRecord | undefined): void {
  const chosen = options.pruner ?? (previous?.pruner ? { name: previous.pruner.name, settings: previous.pruner.settings } : undefined);
  if (!chosen) return;
  createPruner(chosen.name, chosen.settings, 'min', 'check');
  if ((options.objective ?? previous?.objective.name ?? undefined) === undefined) {
    throw new TrellisError('USAGE', `--pruner ${chosen.name} needs the metric to judge jobs by`, {
      hint: `give --objective NAME (a metric the job logs: run.log({ NAME }, { step })) and --mode min|max`,
    });
  }
}

/**
 * Starts early stopping for a sweep that asked for it (a resumed sweep keeps its pruner), records
 * the pruner in sweep.json, and counts the jobs an earlier attempt finished.
 */
export function startPruning(ctx: PruningContext, print: (line: string) => void): PruningSupervisor | undefined {
  const previous = ctx.record.pruner;
  const chosen = ctx.options.pruner ?? (previous ? { name: previous.name, settings: previous.settings } : undefined);
  if (!chosen || ctx.objective === undefined) return undefined;
  const studyName = previous?.study_name ?? (relative(ctx.source.cwd, ctx.sweepDir) || '.');
  const pruner = createPruner(chosen.name, chosen.settings, ctx.mode, studyName);
  ctx.record.pruner = { name: pruner.name, settings: chosen.settings, study_name: studyName, effective: pruner.describe() };
  const supervisor = new PruningSupervisor({
    pruner,
    objective: ctx.objective,
    sweepDir: ctx.sweepDir,
    subdirOf: (num) => ctx.subdirs.get(num),
    print,
  });
  for (const row of ctx.rows) {
    if (row.dir && finishedOk(row.status)) supervisor.known(row.num, resolvePath(ctx.sweepDir, row.dir), row.status === 'completed' ? 'complete' : 'pruned');
  }
  return supervisor;
}
