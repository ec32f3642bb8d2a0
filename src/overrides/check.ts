import { TrellisError, collectErrors } from '../errors/index.js';
import { overrideWhere } from './convert.js';
import type { Override } from './types.js';

export type RunMode = 'run' | 'multirun';

/** Hydra's `is_hydra_override`; trellis's own node counts too, since `hydra:` is its alias. */
function isFrameworkOverride(override: Pick<Override, 'key'>): boolean {
  return /^(hydra|trellis)[./]/.test(override.key);
}

/**
 * Hydra's validate_sweep_overrides_legal. In a single run every sweep is an error (a simple
 * `a,b` gets Hydra's "Ambiguous value" text); in a multirun, sweeping the hydra/trellis node
 * is. Every offending override is reported, in one thrown error.
 */
export function checkSweepsAllowed(overrides: readonly Override[], mode: RunMode): void {
  const problems = collectErrors();
  for (const o of overrides) {
    if (!o.isSweep) continue;
    const where = { ...overrideWhere(o), col: 1, length: o.text.length };
    if (mode === 'multirun') {
      if (isFrameworkOverride(o)) {
        problems.add(
          new TrellisError('SWEEP_INVALID', `Sweeping over Hydra's configuration is not supported : '${o.text}'`, {
            where,
            keyPath: o.key,
          }),
        );
      }
    } else if (o.valueType === 'simple-choice') {
      problems.add(
        new TrellisError('SWEEP_WITHOUT_MULTIRUN', `Ambiguous value for argument '${o.text}'`, {
          where,
          keyPath: o.key,
          hint: "to use it as a list, write key=[value1,value2]; as a string, quote it: key='value1,value2'; to sweep over it, add --multirun",
        }),
      );
    } else {
      problems.add(
        new TrellisError('SWEEP_WITHOUT_MULTIRUN', `Sweep parameters '${o.text}' requires --multirun`, {
          where,
          keyPath: o.key,
          hint: 'add --multirun (-m) to run one job per value',
        }),
      );
    }
  }
  problems.throwIfAny();
}
