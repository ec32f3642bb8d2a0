import { describe, expect, it } from 'vitest';
import { pluginSettings } from '../../../src/app/hydra-plugins.js';
import { TrellisError } from '../../../src/errors/index.js';

describe('Hydra plugin options', () => {
  it.each([
    { name: 'nothing chosen', choices: {}, target: undefined, expected: {} },
    { name: 'basic sweeper is the grid', choices: { 'hydra/sweeper': 'basic' }, target: undefined, expected: { sweeper: 'grid' } },
    // hydra_optuna_sweeper's defaults: TPESampler, n_trials 20, n_jobs 2.
    { name: 'optuna sweeper', choices: { 'hydra/sweeper': 'optuna' }, target: undefined, expected: { sweeper: 'tpe', trials: 20, jobs: 2 } },
    {
      name: 'optuna with RandomSampler',
      choices: { 'hydra/sweeper': 'optuna' },
      target: 'optuna.samplers.RandomSampler',
      expected: { sweeper: 'random', trials: 20, jobs: 2 },
    },
    {
      name: 'sampler option random',
      choices: { 'hydra/sweeper': 'optuna', 'hydra/sweeper/sampler': 'random' },
      target: undefined,
      expected: { sweeper: 'random', trials: 20, jobs: 2 },
    },
    { name: 'joblib launcher is the local pool', choices: { 'hydra/launcher': 'joblib' }, target: undefined, expected: { launcher: 'local' } },
    { name: 'basic launcher runs inline', choices: { 'hydra/launcher': 'basic' }, target: undefined, expected: { launcher: 'inline' } },
    { name: 'submitit_slurm', choices: { 'hydra/launcher': 'submitit_slurm' }, target: undefined, expected: { launcher: 'slurm' } },
  ])('$name', ({ choices, target, expected }) => {
    expect(pluginSettings(choices, target)).toEqual(expected);
  });

  it.each([
    {
      name: 'unknown sweeper option',
      choices: { 'hydra/sweeper': 'optuma' },
      target: undefined,
      code: 'GROUP_OPTION_NOT_FOUND',
      hint: /did you mean 'optuna'/,
    },
    {
      name: 'unknown launcher option',
      choices: { 'hydra/launcher': 'jobllib' },
      target: undefined,
      code: 'GROUP_OPTION_NOT_FOUND',
      hint: /did you mean 'joblib'/,
    },
    {
      name: 'a prototype key is not an option',
      choices: { 'hydra/sweeper': '__proto__' },
      target: undefined,
      code: 'GROUP_OPTION_NOT_FOUND',
      hint: /basic, optuna/,
    },
    { name: 'a sampler trellis does not run', choices: {}, target: 'optuna.samplers.CmaEsSampler', code: 'USAGE', hint: /TPESampler/ },
  ])('refuses $name', ({ choices, target, code, hint }) => {
    try {
      pluginSettings(choices, target);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(TrellisError);
      expect((error as TrellisError).code).toBe(code);
      expect((error as TrellisError).hint).toMatch(hint);
    }
  });
});
