import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { bracketBudgets, bracketOf } from '../../../src/sweep/pruners/hyperband.js';
import { createPruner, type Pruner, type TrialProgress } from '../../../src/sweep/pruners/index.js';
import { isFirstInInterval, nanPercentile } from '../../../src/sweep/pruners/median.js';
import { estimateMinResource, promotable } from '../../../src/sweep/pruners/successive-halving.js';
import { errorOf } from '../../helpers/errors.js';

// Expected decisions were worked out by hand from Optuna's rules, then checked against Optuna 5.0
// (the same trials added with optuna.trial.create_trial, or run one after another with
// study.ask/report/should_prune/tell). They are written here; the tests need no Python.

const trial = (n: number, state: TrialProgress['state'], values: Record<number, number>): TrialProgress => ({
  trial: n,
  state,
  values: new Map(Object.entries(values).map(([s, v]) => [Number(s), v])),
});

describe('numpy-style helpers', () => {
  it.each([
    { name: 'median of an even count interpolates', values: [4, 1, 3, 2], q: 50, expected: 2.5 },
    { name: 'first quartile', values: [1, 2, 3, 4], q: 25, expected: 1.75 },
    { name: 'NaN is ignored', values: [Number.NaN, 1, 3], q: 50, expected: 2 },
    { name: 'one value', values: [7], q: 90, expected: 7 },
  ])('nanPercentile: $name', ({ values, q, expected }) => {
    expect(nanPercentile(values, q)).toBeCloseTo(expected, 12);
  });

  it('nanPercentile of only NaN is NaN', () => {
    expect(nanPercentile([Number.NaN], 50)).toBeNaN();
  });

  it.each([
    { name: 'every step checked with interval 1', step: 1, steps: [0, 1], warmup: 0, interval: 1, expected: true },
    { name: 'odd step skipped with interval 2', step: 1, steps: [0, 1], warmup: 0, interval: 2, expected: false },
    { name: 'step 2 checked with interval 2', step: 2, steps: [0, 1, 2], warmup: 0, interval: 2, expected: true },
    { name: 'step 3 after a check at 2 is skipped', step: 3, steps: [0, 2, 3], warmup: 0, interval: 2, expected: false },
    { name: 'a postponed check (no report at 2) happens at 3', step: 3, steps: [0, 3], warmup: 0, interval: 2, expected: true },
    { name: 'interval counted from the warm-up', step: 5, steps: [3, 4, 5], warmup: 3, interval: 2, expected: true },
  ])('isFirstInInterval: $name', ({ step, steps, warmup, interval, expected }) => {
    expect(isFirstInInterval(step, steps, warmup, interval)).toBe(expected);
  });

  it.each([
    { name: 'fewer than η values: only the best goes on', value: 3, competing: [5, 3], eta: 4, direction: 'min' as const, expected: true },
    { name: 'fewer than η values: a worse one stops', value: 4, competing: [5, 3, 4], eta: 4, direction: 'min' as const, expected: false },
    { name: '8 values, η 4: the second best goes on', value: 2, competing: [1, 2, 3, 4, 5, 6, 7, 8], eta: 4, direction: 'min' as const, expected: true },
    { name: '8 values, η 4: the third stops', value: 3, competing: [1, 2, 3, 4, 5, 6, 7, 8], eta: 4, direction: 'min' as const, expected: false },
    { name: 'max: the highest goes on', value: 5, competing: [5, 3], eta: 4, direction: 'max' as const, expected: true },
  ])('promotable: $name', ({ value, competing, eta, direction, expected }) => {
    expect(promotable(value, competing, eta, direction)).toBe(expected);
  });

  it.each([
    { name: 'no completed trial', trials: [trial(0, 'running', { 500: 1 })], expected: undefined },
    { name: 'a hundredth of the longest completed trial', trials: [trial(0, 'complete', { 249: 1 }), trial(1, 'complete', { 99: 1 })], expected: 2 },
    { name: 'at least 1', trials: [trial(0, 'complete', { 50: 1 })], expected: 1 },
  ])('estimateMinResource: $name', ({ trials, expected }) => {
    expect(estimateMinResource(trials)).toBe(expected);
  });
});

describe('median pruner', () => {
  const A = { 0: 1, 1: 0.5 };
  const B = { 0: 3, 1: 2 };
  it.each([
    { name: 'worse than the median at step 0', running: { 0: 5 }, step: 0, settings: { n_startup_trials: 2 }, direction: 'min' as const, expected: true },
    { name: 'max: 5 beats the median 2', running: { 0: 5 }, step: 0, settings: { n_startup_trials: 2 }, direction: 'max' as const, expected: false },
    {
      name: 'best so far 1.5 > median 1.25 at step 1',
      running: { 0: 1.5, 1: 2.5 },
      step: 1,
      settings: { n_startup_trials: 2 },
      direction: 'min' as const,
      expected: true,
    },
    {
      name: 'best so far (0.9), not the last value, is compared',
      running: { 0: 0.9, 1: 2.5 },
      step: 1,
      settings: { n_startup_trials: 2 },
      direction: 'min' as const,
      expected: false,
    },
    { name: 'default: 5 startup trials', running: { 0: 5 }, step: 0, settings: {}, direction: 'min' as const, expected: false },
    {
      name: 'warm-up steps',
      running: { 0: 5, 1: 5 },
      step: 1,
      settings: { n_startup_trials: 2, n_warmup_steps: 2 },
      direction: 'min' as const,
      expected: false,
    },
    {
      name: 'between interval steps',
      running: { 0: 5, 1: 5 },
      step: 1,
      settings: { n_startup_trials: 2, interval_steps: 2 },
      direction: 'min' as const,
      expected: false,
    },
    { name: 'every value NaN', running: { 0: Number.NaN }, step: 0, settings: { n_startup_trials: 2 }, direction: 'min' as const, expected: true },
    {
      name: 'fewer completed values at the step than n_min_trials',
      running: { 0: 5 },
      step: 0,
      settings: { n_startup_trials: 2, n_min_trials: 3 },
      direction: 'min' as const,
      expected: false,
    },
  ])('$name', ({ running, step, settings, direction, expected }) => {
    const pruner = createPruner('median', settings, direction, 'study');
    const trials = [trial(0, 'complete', A), trial(1, 'complete', B), trial(2, 'running', running)];
    const decision = pruner.decide(2, step, trials);
    expect(decision.prune).toBe(expected);
    if (expected) expect(decision.reason).toMatch(/median|NaN/);
  });

  it('counts only completed trials: pruned and running ones are not the reference', () => {
    const pruner = createPruner('median', { n_startup_trials: 1 }, 'min', 'study');
    const trials = [trial(0, 'complete', { 0: 10 }), trial(1, 'pruned', { 0: 1 }), trial(3, 'running', { 0: 2 }), trial(2, 'running', { 0: 5 })];
    expect(pruner.decide(2, 0, trials).prune).toBe(false);
  });

  it('a completed trial that never reported the step is not compared there', () => {
    const pruner = createPruner('median', { n_startup_trials: 1 }, 'min', 'study');
    expect(pruner.decide(1, 3, [trial(0, 'complete', { 0: 1, 1: 1 }), trial(1, 'running', { 0: 9, 3: 9 })]).prune).toBe(false);
  });

  it('says why', () => {
    const pruner = createPruner('median', { n_startup_trials: 2 }, 'min', 'study');
    const decision = pruner.decide(2, 0, [trial(0, 'complete', A), trial(1, 'complete', B), trial(2, 'running', { 0: 5 })]);
    expect(decision.reason).toBe('best value 5 is worse than the median 2 of 2 completed trials at step 0');
  });
});

/** Runs trials one after another, as Optuna's study.optimize does with n_jobs=1: report, ask, stop when pruned. */
function sequential(pruner: Pruner, reports: Array<Array<[number, number]>>): Array<[string, number]> {
  const trials: Array<TrialProgress & { values: Map<number, number>; state: TrialProgress['state'] }> = [];
  return reports.map((steps, n) => {
    const t = { trial: n, state: 'running' as TrialProgress['state'], values: new Map<number, number>() };
    trials.push(t);
    for (const [step, value] of steps) {
      t.values.set(step, value);
      if (pruner.decide(n, step, trials).prune) {
        t.state = 'pruned';
        return ['pruned', step];
      }
    }
    t.state = 'complete';
    return ['complete', steps.at(-1)![0]];
  });
}

describe('successive halving (ASHA) pruner', () => {
  it.each<{
    name: string;
    settings: Record<string, unknown>;
    direction?: 'min' | 'max';
    reports: Array<Array<[number, number]>>;
    expected: Array<[string, number]>;
  }>([
    {
      name: 'rung 0 at step 1 (min_resource 1, η 4): fewer than η values, only the best goes on',
      settings: { min_resource: 1 },
      reports: [[[1, 5]], [[1, 3]], [[1, 4]], [[1, 1]]],
      expected: [
        ['complete', 1],
        ['complete', 1],
        ['pruned', 1],
        ['complete', 1],
      ],
    },
    {
      name: 'η 2: rungs at steps 1, 2, 4; a pruned trial stays in the rung it reached',
      settings: { min_resource: 1, reduction_factor: 2 },
      reports: [
        [
          [1, 5],
          [4, 5],
        ],
        [
          [1, 3],
          [4, 3],
        ],
        [[1, 4]],
        [
          [1, 1],
          [4, 6],
        ],
      ],
      expected: [
        ['complete', 4],
        ['complete', 4],
        ['pruned', 1],
        ['pruned', 4],
      ],
    },
    {
      name: 'maximise',
      settings: { min_resource: 1 },
      direction: 'max',
      reports: [[[1, 5]], [[1, 3]], [[1, 4]]],
      expected: [
        ['complete', 1],
        ['pruned', 1],
        ['pruned', 1],
      ],
    },
    {
      name: "min_resource 'auto': nothing is judged before a trial completes, then rungs start at last_step // 100",
      settings: {},
      reports: [Array.from({ length: 250 }, (_, s): [number, number] => [s, 10 - s]), Array.from({ length: 10 }, (_, s): [number, number] => [s, 20])],
      expected: [
        ['complete', 249],
        ['complete', 9],
      ],
    },
    {
      name: 'a report that jumps over rungs is judged at each of them',
      settings: { min_resource: 1 },
      reports: [
        [[16, 5]],
        [[16, 6]],
        [
          [1, 1],
          [4, 1],
          [16, 5.5],
        ],
      ],
      expected: [
        ['complete', 16],
        ['pruned', 16],
        ['pruned', 16],
      ],
    },
    {
      name: 'bootstrap_count: a rung needs more trials than that before any goes on',
      settings: { min_resource: 1, bootstrap_count: 2 },
      reports: [[[1, 5]], [[1, 3]], [[1, 1]]],
      expected: [
        ['pruned', 1],
        ['pruned', 1],
        ['complete', 1],
      ],
    },
    {
      name: 'min_early_stopping_rate 1: the first rung is at min_resource × η',
      settings: { min_resource: 1, min_early_stopping_rate: 1 },
      reports: [
        [[4, 5]],
        [
          [1, 3],
          [4, 6],
        ],
      ],
      expected: [
        ['complete', 4],
        ['pruned', 4],
      ],
    },
  ])('$name', ({ settings, direction, reports, expected }) => {
    expect(sequential(createPruner('asha', settings, direction ?? 'min', 'study'), reports)).toEqual(expected);
  });
});

describe('hyperband pruner', () => {
  const study = 'multirun/2026-12-05/07-00-00';

  it('brackets: floor(log_η(max/min)) + 1 of them, budgets ceil(n·η^s/(s+1))', () => {
    // min 1, max 81, η 3: 5 brackets; by hand: 81, ceil(33.75), 15, ceil(7.5), 5.
    expect(bracketBudgets(5, 3)).toEqual([81, 34, 15, 8, 5]);
  });

  it('places trials by crc32("<study>_<number>") as Optuna does', () => {
    // crc32 % 143 of trials 0..7 is 129, 46, 140, 108, 23, 31, 25, 114 (Python's binascii.crc32).
    expect([0, 1, 2, 3, 4, 5, 6, 7].map((n) => bracketOf(study, n, [81, 34, 15, 8, 5]))).toEqual([2, 0, 4, 1, 0, 0, 0, 1]);
  });

  it('each bracket halves its own trials, from its own first rung', () => {
    const pruner = createPruner('hyperband', { min_resource: 1, max_resource: 81 }, 'min', study);
    const reports: Array<Array<[number, number]>> = [
      [
        [1, 5],
        [9, 5],
      ],
      [[1, 5]],
      [[1, 1]],
      [[1, 1]],
      [[1, 9]],
      [[1, 7]],
      [
        [1, 2],
        [9, 2],
      ],
      [
        [1, 0.5],
        [3, 8],
      ],
    ];
    expect(sequential(pruner, reports)).toEqual([
      ['complete', 9],
      ['complete', 1],
      ['complete', 1],
      ['complete', 1],
      ['pruned', 1],
      ['pruned', 1],
      ['complete', 9],
      ['complete', 3],
    ]);
  });

  it("max_resource 'auto' waits for a completed trial", () => {
    const pruner = createPruner('hyperband', {}, 'min', study);
    expect(pruner.decide(0, 5, [trial(0, 'running', { 5: 100 }), trial(1, 'running', { 5: 1 })]).prune).toBe(false);
    expect(pruner.describe()).toEqual({ name: 'hyperband', min_resource: 1, max_resource: 'auto', reduction_factor: 3, bootstrap_count: 0, study_name: study });
  });

  it('records its brackets from the start when max_resource is given', () => {
    // floor(log3(81 / 1)) + 1 = 5 brackets, as Optuna's HyperbandPruner computes them.
    expect(createPruner('hyperband', { min_resource: 1, max_resource: 81 }, 'min', study).describe()).toMatchObject({ max_resource: 81, n_brackets: 5 });
  });
});

describe('createPruner', () => {
  it('records its settings with Optuna defaults filled in', () => {
    expect(createPruner('median', {}, 'min', 's').describe()).toEqual({
      name: 'median',
      percentile: 50,
      n_startup_trials: 5,
      n_warmup_steps: 0,
      interval_steps: 1,
      n_min_trials: 1,
    });
    expect(createPruner('asha', { reduction_factor: '3' }, 'min', 's').describe()).toEqual({
      name: 'asha',
      min_resource: 'auto',
      reduction_factor: 3,
      min_early_stopping_rate: 0,
      bootstrap_count: 0,
    });
  });

  it.each([
    { name: 'unknown pruner', pruner: 'medain', settings: {}, message: "Unknown pruner 'medain'", hint: "did you mean 'median'?" },
    {
      name: 'unknown setting',
      pruner: 'median',
      settings: { n_startup_trial: 2 },
      message: "Pruner median has no setting 'n_startup_trial'",
      hint: "did you mean 'n_startup_trials'?",
    },
    {
      name: 'not a whole number',
      pruner: 'asha',
      settings: { reduction_factor: 2.5 },
      message: "Pruner asha: reduction_factor must be a whole number, got '2.5'",
    },
    { name: 'reduction factor below 2', pruner: 'asha', settings: { reduction_factor: 1 }, message: 'Pruner asha: reduction_factor must be at least 2' },
    {
      name: "'auto' where a number is needed",
      pruner: 'median',
      settings: { n_warmup_steps: 'auto' },
      message: "Pruner median: n_warmup_steps must be a whole number, got 'auto'",
    },
    {
      name: 'bootstrap without min_resource',
      pruner: 'asha',
      settings: { bootstrap_count: 1 },
      message: "Pruner asha: bootstrap_count > 0 needs a min_resource, not 'auto'",
    },
  ])('refuses: $name', ({ pruner, settings, message, hint }) => {
    const error = errorOf(() => createPruner(pruner, settings, 'min', 's'));
    expect(error).toBeInstanceOf(TrellisError);
    expect((error as TrellisError).code).toBe('USAGE');
    expect((error as TrellisError).message).toBe(message);
    if (hint) expect((error as TrellisError).hint).toBe(hint);
  });

  it('a __proto__ setting is refused, never merged into the settings', () => {
    const settings = JSON.parse('{"__proto__": {"n_startup_trials": 0}}') as Record<string, unknown>;
    expect((errorOf(() => createPruner('median', settings, 'min', 's')) as TrellisError).message).toBe("Pruner median has no setting '__proto__'");
  });
});
