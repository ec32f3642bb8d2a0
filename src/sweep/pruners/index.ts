import { didYouMean } from '../../errors/suggest.js';
import { TrellisError } from '../../errors/index.js';
import { HYPERBAND_DEFAULTS, hyperbandPruner } from './hyperband.js';
import { MEDIAN_DEFAULTS, percentilePruner } from './median.js';
import type { Direction, Pruner } from './pruner.js';
import { SUCCESSIVE_HALVING_DEFAULTS, successiveHalvingPruner } from './successive-halving.js';

export type { Pruner, TrialProgress } from './pruner.js';

/** Every pruner by name, with the settings it takes (Optuna's argument names and defaults). */
const PRUNERS = {
  median: MEDIAN_DEFAULTS,
  asha: SUCCESSIVE_HALVING_DEFAULTS,
  hyperband: HYPERBAND_DEFAULTS,
} as const;

const PRUNER_NAMES = Object.keys(PRUNERS);

/** Optuna's class names, as a Hydra config would spell them. */
const ALIASES: Record<string, keyof typeof PRUNERS> = {
  medianpruner: 'median',
  successivehalving: 'asha',
  successivehalvingpruner: 'asha',
  hyperbandpruner: 'hyperband',
};

/** A setting as given (config or flag text) checked against its default's kind. */
function setting(pruner: string, key: string, value: unknown, fallback: unknown): number | 'auto' {
  if (value === 'auto' && fallback === 'auto') return 'auto';
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  const integral = key !== 'percentile';
  if (typeof n !== 'number' || !Number.isFinite(n) || (integral && !Number.isInteger(n)) || n < 0) {
    throw new TrellisError(
      'USAGE',
      `Pruner ${pruner}: ${key} must be ${integral ? 'a whole number' : 'a number'}${fallback === 'auto' ? " or 'auto'" : ''}, got '${String(value)}'`,
      {
        keyPath: `trellis.sweeper.pruner.${key}`,
      },
    );
  }
  return n;
}

/** Checks the ranges Optuna checks, with its words. */
function checkRanges(name: string, s: Record<string, number | 'auto'>): void {
  const fail = (text: string) => {
    throw new TrellisError('USAGE', `Pruner ${name}: ${text}`);
  };
  if (typeof s.percentile === 'number' && s.percentile > 100) fail('percentile must be between 0 and 100');
  if (s.interval_steps === 0) fail('interval_steps must be at least 1');
  if (s.n_min_trials === 0) fail('n_min_trials must be at least 1');
  if (s.min_resource === 0) fail('min_resource must be at least 1');
  if (typeof s.reduction_factor === 'number' && s.reduction_factor < 2) fail('reduction_factor must be at least 2');
  if (typeof s.bootstrap_count === 'number' && s.bootstrap_count > 0 && s.min_resource === 'auto') fail("bootstrap_count > 0 needs a min_resource, not 'auto'");
  if (typeof s.max_resource === 'number' && typeof s.min_resource === 'number' && s.max_resource < s.min_resource)
    fail('max_resource must be at least min_resource');
}

/**
 * The pruner named `name` with `settings` (Optuna's argument names; unknown ones are errors).
 * `studyName` places trials in Hyperband's brackets: the same name, the same brackets.
 */
export function createPruner(name: string, settings: Record<string, unknown>, direction: Direction, studyName: string): Pruner {
  const key = (Object.hasOwn(PRUNERS, name) ? name : ALIASES[name.toLowerCase()]) as keyof typeof PRUNERS | undefined;
  if (!key) {
    throw new TrellisError('USAGE', `Unknown pruner '${name}'`, { hint: didYouMean(name, PRUNER_NAMES) ?? `pruners: ${PRUNER_NAMES.join(', ')}` });
  }
  const defaults = PRUNERS[key] as unknown as Record<string, unknown>;
  const checked: Record<string, number | 'auto'> = Object.create(null) as Record<string, number | 'auto'>;
  for (const [k, v] of Object.entries(settings)) {
    if (!Object.hasOwn(defaults, k)) {
      throw new TrellisError('USAGE', `Pruner ${key} has no setting '${k}'`, {
        keyPath: `trellis.sweeper.pruner.${k}`,
        hint: didYouMean(k, Object.keys(defaults)) ?? `its settings: ${Object.keys(defaults).join(', ')}`,
      });
    }
    checked[k] = setting(key, k, v, defaults[k]);
  }
  checkRanges(key, { ...defaults, ...checked } as Record<string, number | 'auto'>);
  if (key === 'median') return percentilePruner(direction, checked as never);
  if (key === 'asha') return successiveHalvingPruner(direction, checked as never);
  return hyperbandPruner(direction, studyName, checked as never);
}
