/** How far one trial (a job of the sweep) has got, as a pruner sees it. */
export interface TrialProgress {
  readonly trial: number;
  readonly state: 'running' | 'complete' | 'pruned' | 'failed';
  /** The objective's intermediate values by step (what the job logged); NaN is kept. */
  readonly values: ReadonlyMap<number, number>;
}

export interface PruneDecision {
  prune: boolean;
  /** Why, in words, when pruned. */
  reason?: string;
}

/**
 * Decides whether a running trial should stop early, after it reported a value at `step`. Pure:
 * it sees only what it is given (it may keep bookkeeping of its own, as Optuna's pruners keep rung
 * values in trial attributes), so the same reports give the same decisions on any launcher.
 */
export interface Pruner {
  readonly name: string;
  /** The pruner and its settings, as sweep.json records them. */
  describe(): Record<string, unknown>;
  /** `trials` holds every trial of the sweep, the deciding one among them. */
  decide(trial: number, step: number, trials: readonly TrialProgress[]): PruneDecision;
}

export type Direction = 'min' | 'max';

/** The highest step a trial reported (Optuna's `last_step`), undefined before its first report. */
export function lastStep(progress: TrialProgress): number | undefined {
  let last: number | undefined;
  for (const step of progress.values.keys()) if (last === undefined || step > last) last = step;
  return last;
}

/** A number as messages show it. */
export function shown(value: number): string {
  return String(Number(value.toPrecision(6)));
}
