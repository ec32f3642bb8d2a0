import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { sweepSettings } from '../../../src/app/sweep-options.js';
import { fromPlain } from '../../../src/tree/node.js';

const optunaNode = {
  sweeper: { sampler: { _target_: 'optuna.samplers.TPESampler', seed: 5, n_startup_trials: 3 }, direction: 'maximize', n_trials: 7, n_jobs: 3 },
};

describe('sweep settings from Hydra plugin options', () => {
  it.each([
    {
      name: 'optuna with the basic launcher: its n_jobs does not start a pool',
      flags: {},
      runtime: optunaNode,
      choices: { 'hydra/sweeper': 'optuna' },
      expected: { sweeper: 'tpe', trials: 7, seed: 5, startupTrials: 3, mode: 'max', launcher: undefined, jobs: 1 },
    },
    {
      name: 'optuna with joblib: n_jobs trials at once in the local pool',
      flags: {},
      runtime: optunaNode,
      choices: { 'hydra/sweeper': 'optuna', 'hydra/launcher': 'joblib' },
      expected: { sweeper: 'tpe', launcher: 'local', jobs: 3 },
    },
    {
      name: "joblib's n_jobs -1 is one job per CPU",
      flags: {},
      runtime: { launcher: { n_jobs: -1 } },
      choices: { 'hydra/launcher': 'joblib' },
      expected: { launcher: 'local', jobs: availableParallelism() },
    },
    {
      name: 'the plugin defaults when the config sets nothing',
      flags: {},
      runtime: {},
      choices: { 'hydra/sweeper': 'optuna' },
      expected: { sweeper: 'tpe', trials: 20, mode: 'min', jobs: 1 },
    },
    {
      name: 'flags win over the config',
      flags: { sweeper: 'random', trials: '4', 'sweep-seed': '9', mode: 'min' },
      runtime: optunaNode,
      choices: { 'hydra/sweeper': 'optuna' },
      expected: { sweeper: 'random', trials: 4, seed: 9 },
    },
  ])('$name', ({ flags, runtime, choices, expected }) => {
    expect(sweepSettings(flags, [], fromPlain(runtime), choices)).toMatchObject(expected);
  });

  it('refuses a direction Optuna does not know', () => {
    expect(() => sweepSettings({}, [], fromPlain({ sweeper: { direction: 'up' } }), {})).toThrow(/sweeper.direction must be minimize or maximize, got 'up'/);
  });
});

describe("the sampler's arguments, as Optuna would instantiate it", () => {
  const withSampler = (sampler: Record<string, unknown>) => fromPlain({ sweeper: { sampler: { _target_: 'optuna.samplers.TPESampler', ...sampler } } });

  it('applies the TPESampler arguments trellis has', () => {
    const settings = sweepSettings(
      {},
      [],
      withSampler({ n_ei_candidates: 5, constant_liar: false, prior_weight: 0.5, consider_magic_clip: false, consider_endpoints: true }),
      {},
    );
    expect(settings.sampler).toEqual({ candidates: 5, constantLiar: false, priorWeight: 0.5, magicClip: false, endpoints: true });
    expect(settings.warnings).toEqual([]);
  });

  it.each([
    { name: 'a misspelt argument', sampler: { n_startup_trial: 3 }, message: /TPESampler has no argument 'n_startup_trial'/ },
    {
      name: 'an argument of another sampler',
      sampler: { _target_: 'optuna.samplers.RandomSampler', n_startup_trials: 3 },
      message: /RandomSampler has no argument/,
    },
    { name: 'a count that is not a whole number', sampler: { n_ei_candidates: 2.5 }, message: /n_ei_candidates must be a whole number of at least 1/ },
    { name: 'a flag that is not a boolean', sampler: { constant_liar: 'yes' }, message: /constant_liar must be true or false/ },
  ])('refuses $name', ({ sampler, message }) => {
    expect(() => sweepSettings({}, [], withSampler(sampler), {})).toThrow(message);
  });

  it('warns about arguments it reads but does not follow, and is silent when they say what it does', () => {
    expect(sweepSettings({}, [], withSampler({ multivariate: false, gamma: 'x' }), {}).warnings).toEqual([
      'hydra.sweeper.sampler.multivariate: false is not applied: trellis samples multivariate (Optuna 5.0 does by default)',
      'hydra.sweeper.sampler.gamma: "x" is not applied: the split is always min(ceil(0.1 n), 25), Optuna\'s default',
    ]);
    expect(sweepSettings({}, [], withSampler({ multivariate: true, consider_prior: true, warn_independent_sampling: false }), {}).warnings).toEqual([]);
  });
});
