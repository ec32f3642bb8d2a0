import { lastStep, shown, type Direction, type PruneDecision, type Pruner, type TrialProgress } from './pruner.js';

export interface SuccessiveHalvingOptions {
  /** Steps before the first rung; 'auto': a hundredth of the longest completed trial (at least 1). */
  min_resource: number | 'auto';
  reduction_factor: number;
  min_early_stopping_rate: number;
  /** Trials a rung needs before any is promoted. */
  bootstrap_count: number;
}

/** Optuna's SuccessiveHalvingPruner defaults. */
export const SUCCESSIVE_HALVING_DEFAULTS: SuccessiveHalvingOptions = {
  min_resource: 'auto',
  reduction_factor: 4,
  min_early_stopping_rate: 0,
  bootstrap_count: 0,
};

/**
 * Optuna's `_estimate_min_resource`: the longest completed trial's last step divided by 100,
 * at least 1; undefined while no trial completed.
 */
export function estimateMinResource(trials: readonly TrialProgress[]): number | undefined {
  const steps = trials.filter((t) => t.state === 'complete').flatMap((t) => lastStep(t) ?? []);
  return steps.length ? Math.max(Math.floor(Math.max(...steps) / 100), 1) : undefined;
}

/**
 * Optuna's `_is_trial_promotable_to_next_rung`: the value is among the top 1/η of the rung (the
 * best one while the rung has fewer than η values). `competing` includes the value itself.
 */
export function promotable(value: number, competing: readonly number[], eta: number, direction: Direction): boolean {
  let index = Math.floor(competing.length / eta) - 1;
  if (index === -1) index = 0;
  const sorted = [...competing].sort((a, b) => a - b);
  return direction === 'max' ? value >= sorted[sorted.length - 1 - index]! : value <= sorted[index]!;
}

/**
 * Optuna's SuccessiveHalvingPruner (asynchronous successive halving, ASHA). A trial reaching rung
 * r's step, min_resource × η^(min_early_stopping_rate + r), records its value at that rung and
 * goes on only when the value is in the top 1/η of the values recorded at that rung so far.
 * Rung values are kept here, per trial, as Optuna keeps them in trial attributes: a trial's
 * values stay in the rungs after it is pruned.
 */
export function successiveHalvingPruner(direction: Direction, given: Partial<SuccessiveHalvingOptions> = {}, name = 'asha'): Pruner {
  const o = { ...SUCCESSIVE_HALVING_DEFAULTS, ...given };
  let minResource = o.min_resource === 'auto' ? undefined : o.min_resource;
  const rungs = new Map<number, number[]>();
  return {
    name,
    describe: () => ({ name, ...o, ...(o.min_resource === 'auto' && minResource !== undefined ? { estimated_min_resource: minResource } : {}) }),
    // Optuna judges the trial's last step, which is the step just reported.
    decide(trial: number, _step: number, trials: readonly TrialProgress[]): PruneDecision {
      const me = trials.find((t) => t.trial === trial);
      const last = me && lastStep(me);
      if (!me || last === undefined) return { prune: false };
      const mine = rungs.get(trial) ?? [];
      rungs.set(trial, mine);
      let rung = mine.length;
      const value = me.values.get(last)!;
      for (;;) {
        minResource ??= estimateMinResource(trials);
        if (minResource === undefined) return { prune: false };
        const promotionStep = minResource * o.reduction_factor ** (o.min_early_stopping_rate + rung);
        if (last < promotionStep) return { prune: false };
        if (Number.isNaN(value)) return { prune: true, reason: `its value at step ${last} is NaN` };
        const competing = trials.flatMap((t) => (t.trial === trial ? [] : (rungs.get(t.trial)?.[rung] ?? [])));
        mine[rung] = value;
        competing.push(value);
        if (competing.length <= o.bootstrap_count)
          return { prune: true, reason: `rung ${rung} has ${competing.length} of the ${o.bootstrap_count + 1} trials it needs` };
        if (!promotable(value, competing, o.reduction_factor, direction)) {
          return {
            prune: true,
            reason: `value ${shown(value)} at step ${last} is not in the top 1/${o.reduction_factor} of the ${competing.length} values of rung ${rung} (step ${promotionStep})`,
          };
        }
        rung++;
      }
    },
  };
}
