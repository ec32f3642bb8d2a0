import { TrellisError, didYouMean } from '../errors/index.js';

/**
 * The options of Hydra's `hydra/sweeper` and `hydra/launcher` groups that its plugins provide,
 * built in so a Hydra config selects them unchanged (`defaults: [override hydra/sweeper: optuna]`,
 * `hydra/launcher=joblib`), each mapped to a trellis sweeper or launcher. The settings are
 * the plugins' defaults (hydra_plugins/hydra_optuna_sweeper/config.py: n_trials 20, n_jobs 2,
 * direction minimize, TPESampler); the config's `hydra.sweeper.*` and flags win over them.
 */
const SWEEPERS: Record<string, { sweeper: string; trials?: number; jobs?: number }> = {
  basic: { sweeper: 'grid' },
  optuna: { sweeper: 'tpe', trials: 20, jobs: 2 },
};
const LAUNCHERS: Record<string, { launcher: string }> = {
  basic: { launcher: 'inline' },
  joblib: { launcher: 'local' },
  submitit_local: { launcher: 'local' },
  submitit_slurm: { launcher: 'slurm' },
};

/** Optuna's sampler classes by the last part of `_target_`, and the plugin's `hydra/sweeper/sampler` options. */
const SAMPLERS: Record<string, string> = { TPESampler: 'tpe', RandomSampler: 'random' };
const SAMPLER_OPTIONS: Record<string, string> = { tpe: 'tpe', random: 'random' };

export interface PluginSettings {
  sweeper?: string;
  launcher?: string;
  trials?: number;
  jobs?: number;
}

function unknownOption(group: string, name: string, known: string[]): TrellisError {
  return new TrellisError('GROUP_OPTION_NOT_FOUND', `Could not find '${group}/${name}'`, {
    where: { kind: 'override', text: `${group}=${name}`, index: 0 },
    hint: [didYouMean(name, known), `built-in options in '${group}': ${known.join(', ')}`].filter(Boolean).join('; '),
  });
}

/** The sweeper and launcher chosen through `hydra/sweeper` and `hydra/launcher` (or `trellis/…`). */
export function pluginSettings(choices: Readonly<Record<string, string | null>>, samplerTarget: string | undefined): PluginSettings {
  const out: PluginSettings = {};
  const sweeper = choices['hydra/sweeper'] ?? choices['trellis/sweeper'] ?? undefined;
  if (sweeper) {
    const known = SWEEPERS[sweeper];
    if (!known || !Object.hasOwn(SWEEPERS, sweeper)) throw unknownOption('hydra/sweeper', sweeper, Object.keys(SWEEPERS));
    Object.assign(out, known);
  }
  const samplerOption = choices['hydra/sweeper/sampler'] ?? undefined;
  if (samplerOption) {
    if (!Object.hasOwn(SAMPLER_OPTIONS, samplerOption)) throw unknownOption('hydra/sweeper/sampler', samplerOption, Object.keys(SAMPLER_OPTIONS));
    out.sweeper = SAMPLER_OPTIONS[samplerOption];
  }
  if (samplerTarget !== undefined) {
    const cls = samplerTarget.split('.').at(-1)!;
    if (!Object.hasOwn(SAMPLERS, cls)) {
      throw new TrellisError('USAGE', `The sampler '${samplerTarget}' is not one trellis runs`, {
        keyPath: 'hydra.sweeper.sampler._target_',
        hint: `samplers: ${Object.keys(SAMPLERS)
          .map((c) => `optuna.samplers.${c}`)
          .join(', ')}`,
      });
    }
    out.sweeper = SAMPLERS[cls];
  }
  const launcher = choices['hydra/launcher'] ?? choices['trellis/launcher'] ?? undefined;
  if (launcher) {
    if (!Object.hasOwn(LAUNCHERS, launcher)) throw unknownOption('hydra/launcher', launcher, Object.keys(LAUNCHERS));
    out.launcher = LAUNCHERS[launcher]!.launcher;
  }
  return out;
}
