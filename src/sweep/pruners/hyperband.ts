import { crc32 } from 'node:zlib';
import { lastStep, type Direction, type PruneDecision, type Pruner, type TrialProgress } from './pruner.js';
import { successiveHalvingPruner } from './successive-halving.js';

export interface HyperbandOptions {
  min_resource: number;
  /** 'auto': the longest completed trial's last step + 1. */
  max_resource: number | 'auto';
  reduction_factor: number;
  bootstrap_count: number;
}

/** Optuna's HyperbandPruner defaults. */
export const HYPERBAND_DEFAULTS: HyperbandOptions = { min_resource: 1, max_resource: 'auto', reduction_factor: 3, bootstrap_count: 0 };

/** Optuna's trial allocation budget of a bracket: ceil(n · η^s / (s + 1)) with s = n − 1 − id. */
export function bracketBudgets(nBrackets: number, eta: number): number[] {
  return Array.from({ length: nBrackets }, (_, id) => {
    const s = nBrackets - 1 - id;
    return Math.ceil((nBrackets * eta ** s) / (s + 1));
  });
}

/** Optuna's bracket of a trial: crc32("<study name>_<trial number>") modulo the total budget, counted off bracket by bracket. */
export function bracketOf(studyName: string, trial: number, budgets: readonly number[]): number {
  let n = crc32(`${studyName}_${trial}`) % budgets.reduce((a, b) => a + b, 0);
  for (const [id, budget] of budgets.entries()) {
    n -= budget;
    if (n < 0) return id;
  }
  return budgets.length - 1;
}

/**
 * Optuna's HyperbandPruner: trials are spread over brackets (by a hash of the study name and trial
 * number, so every process agrees), each bracket a successive-halving pruner with its own
 * min_early_stopping_rate, comparing only the trials of its bracket.
 */
export function hyperbandPruner(direction: Direction, studyName: string, given: Partial<HyperbandOptions> = {}): Pruner {
  const o = { ...HYPERBAND_DEFAULTS, ...given };
  let brackets: { budgets: number[]; pruners: Pruner[] } | undefined;
  const init = (trials: readonly TrialProgress[]) => {
    let maxResource = o.max_resource;
    if (maxResource === 'auto') {
      const steps = trials.filter((t) => t.state === 'complete').flatMap((t) => lastStep(t) ?? []);
      if (!steps.length) return undefined;
      maxResource = Math.max(...steps) + 1;
    }
    const n = Math.floor(Math.log(maxResource / o.min_resource) / Math.log(o.reduction_factor)) + 1;
    return {
      budgets: bracketBudgets(n, o.reduction_factor),
      pruners: Array.from({ length: n }, (_, id) =>
        successiveHalvingPruner(direction, {
          min_resource: o.min_resource,
          reduction_factor: o.reduction_factor,
          min_early_stopping_rate: id,
          bootstrap_count: o.bootstrap_count,
        }),
      ),
    };
  };
  // With max_resource given, the brackets are known before any trial: recorded from the start.
  if (o.max_resource !== 'auto') brackets = init([]);
  return {
    name: 'hyperband',
    describe: () => ({ name: 'hyperband', ...o, study_name: studyName, ...(brackets ? { n_brackets: brackets.pruners.length } : {}) }),
    decide(trial: number, step: number, trials: readonly TrialProgress[]): PruneDecision {
      brackets ??= init(trials);
      if (!brackets) return { prune: false };
      const { budgets, pruners } = brackets;
      const id = bracketOf(studyName, trial, budgets);
      const mine = trials.filter((t) => bracketOf(studyName, t.trial, budgets) === id);
      const decision = pruners[id]!.decide(trial, step, mine);
      return decision.prune ? { prune: true, reason: `bracket ${id}: ${decision.reason}` } : decision;
    },
  };
}
