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
