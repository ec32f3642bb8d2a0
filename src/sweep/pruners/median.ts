import { lastStep, shown, type Direction, type PruneDecision, type Pruner, type TrialProgress } from './pruner.js';

export interface PercentileOptions {
  percentile: number;
  /** No pruning until this many trials completed. */
  n_startup_trials: number;
  /** No pruning before this step. */
  n_warmup_steps: number;
  /** Checks every this many steps after the warm-up. */
  interval_steps: number;
  /** No pruning at a step fewer completed trials reported. */
  n_min_trials: number;
}

/** Optuna's MedianPruner defaults. */
export const MEDIAN_DEFAULTS: PercentileOptions = { percentile: 50, n_startup_trials: 5, n_warmup_steps: 0, interval_steps: 1, n_min_trials: 1 };

/** numpy's nanpercentile with its default linear interpolation; NaN when no value is a number. */
export function nanPercentile(values: readonly number[], q: number): number {
  const sorted = values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const position = ((sorted.length - 1) * q) / 100;
  const lo = Math.floor(position);
  const hi = Math.ceil(position);
  return lo === hi ? sorted[lo]! : sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (position - lo);
}

/**
 * Optuna's `_is_first_in_interval_step`: the step is the first report at or after the latest
 * pruning point, so a check postponed by a missing report happens once.
 */
export function isFirstInInterval(step: number, steps: Iterable<number>, warmup: number, interval: number): boolean {
  const nearestLowerPruningStep = Math.floor((step - warmup) / interval) * interval + warmup;
  let secondLast = -1;
  for (const s of steps) if (s > secondLast && s !== step) secondLast = s;
  return secondLast < nearestLowerPruningStep;
}

/**
 * Optuna's PercentilePruner (MedianPruner at 50): prunes when the trial's best value so far is
 * worse than the percentile of the completed trials' values at the same step.
 */
export function percentilePruner(direction: Direction, given: Partial<PercentileOptions> = {}, name = 'median'): Pruner {
  const o = { ...MEDIAN_DEFAULTS, ...given };
  return {
    name,
    describe: () => ({ name, ...o }),
    decide(trial: number, step: number, trials: readonly TrialProgress[]): PruneDecision {
      const completed = trials.filter((t) => t.state === 'complete');
      if (completed.length === 0 || completed.length < o.n_startup_trials) return { prune: false };
      const me = trials.find((t) => t.trial === trial);
      if (!me || lastStep(me) === undefined || step < o.n_warmup_steps) return { prune: false };
      if (!isFirstInInterval(step, me.values.keys(), o.n_warmup_steps, o.interval_steps)) return { prune: false };
      const own = [...me.values.values()].filter((v) => !Number.isNaN(v));
      if (own.length === 0) return { prune: true, reason: `every value it reported up to step ${step} is NaN` };
      const best = direction === 'max' ? Math.max(...own) : Math.min(...own);
      const atStep = completed.filter((t) => t.values.has(step)).map((t) => t.values.get(step)!);
      if (atStep.length < o.n_min_trials) return { prune: false };
      const p = nanPercentile(atStep, direction === 'max' ? 100 - o.percentile : o.percentile);
      if (Number.isNaN(p)) return { prune: false };
      const worse = direction === 'max' ? best < p : best > p;
      if (!worse) return { prune: false };
      const what = o.percentile === 50 ? 'median' : `${o.percentile}th percentile`;
      return {
        prune: true,
        reason: `best value ${shown(best)} is worse than the ${what} ${shown(p)} of ${atStep.length} completed trial${atStep.length === 1 ? '' : 's'} at step ${step}`,
      };
    },
  };
}
