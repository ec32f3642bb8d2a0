import { describe, expect, it } from 'vitest';
import { tpeSweeper, type JobOutcome } from '../../../src/sweep/index.js';

const base = { trials: 12, seed: 5, mode: 'min' as const, startupTrials: 4 };

/** Runs a sweep one trial at a time, scoring each with `score` of its overrides. */
function run(sweeper: ReturnType<typeof tpeSweeper>, score: (o: string[]) => number, from: JobOutcome[] = []): string[][] {
  const outcomes = [...from];
  const jobs: string[][] = [];
  for (;;) {
    const [next] = sweeper.ask(1, outcomes);
    if (!next) return jobs;
    outcomes.push({ num: from.length + jobs.length, overrides: next, status: 'completed', objective: score(next) });
    jobs.push(next);
  }
}
const valueOf = (o: string[], key: string) => o.find((t) => t.startsWith(`${key}=`))?.slice(key.length + 1);

describe('tpeSweeper', () => {
  const overrides = ['x=interval(-2.0, 2.0)', 'n=range(1, 10, 3)', 'k=tag(int, interval(1, 4))', 'opt=adam,sgd', 'opt.momentum=interval(0, 1)', 'tag=run'];
  const conditions = new Map([['opt.momentum', { parent: 'opt', options: ['opt=sgd'] }]]);
  const score = (o: string[]) => Number(valueOf(o, 'x')) ** 2 + Number(valueOf(o, 'n')) / 10;

  it('writes overrides in slot order: floats, int ranges and int intervals as ints, fixed ones as given, conditional keys only under their option', () => {
    const jobs = run(tpeSweeper({ overrides }, { ...base, conditions }), score);
    expect(jobs).toHaveLength(12);
    for (const o of jobs) {
      expect(o.map((t) => t.split('=')[0])).toEqual(['x', 'n', 'k', 'opt', ...(valueOf(o, 'opt') === 'sgd' ? ['opt.momentum'] : []), 'tag']);
      expect(Number(valueOf(o, 'x'))).toBeGreaterThanOrEqual(-2);
      expect(Number(valueOf(o, 'x'))).toBeLessThanOrEqual(2);
      expect(['1', '4', '7']).toContain(valueOf(o, 'n'));
      // tag(int, interval(1, 4)) is Optuna's IntDistribution(1, 4): both bounds included.
      expect(['1', '2', '3', '4']).toContain(valueOf(o, 'k'));
      expect(valueOf(o, 'tag')).toBe('run');
    }
    expect(new Set(jobs.map((o) => valueOf(o, 'opt')))).toEqual(new Set(['adam', 'sgd']));
  });

  it('records the parameters of each proposal and describes its space and sampler', () => {
    const sweeper = tpeSweeper({ overrides }, { ...base, conditions });
    const [first] = sweeper.ask(1, []);
    const { params, sampler } = sweeper.trialOf!(first!)!;
    expect(sampler).toEqual({ by: 'random', finished: 0, running: 0 });
    expect(Object.keys(params)).toEqual(['x', 'n', 'k', 'opt', ...(params.opt === 'sgd' ? ['opt.momentum'] : [])]);
    expect(sweeper.describe()).toMatchObject({
      seed: 5,
      trials: 12,
      sampler: { startup_trials: 4, candidates: 24, multivariate: true, constant_liar: true },
      space: [
        { key: 'x', kind: 'float', low: -2, high: 2, log: false },
        { key: 'n', kind: 'int', low: 1, high: 7, step: 3 },
        { key: 'k', kind: 'int', low: 1, high: 4, step: 1 },
        { key: 'opt', kind: 'categorical', size: 2 },
        { key: 'opt.momentum', kind: 'float', only_under: { key: 'opt', options: ['sgd'] } },
        { key: 'tag', fixed: 'tag=run' },
      ],
    });
  });

  it('a resumed sweep continues from the recorded trials: same proposals as an uninterrupted run, none repeated', () => {
    const whole = run(tpeSweeper({ overrides }, { ...base, conditions }), score);
    const first = tpeSweeper({ overrides }, { ...base, conditions });
    const firstJobs: string[][] = [];
    const outcomes: JobOutcome[] = [];
    for (let i = 0; i < 7; i++) {
      const [o] = first.ask(1, outcomes);
      firstJobs.push(o!);
      outcomes.push({ num: i, overrides: o!, status: 'completed', objective: score(o!) });
    }
    const resumed = tpeSweeper({ overrides }, { ...base, conditions, history: firstJobs.map((o) => first.trialOf!(o)!.params) });
    const rest = run(resumed, score, outcomes);
    expect([...firstJobs, ...rest]).toEqual(whole);
  });

  it('max mode prefers high values: it converges to the other end', () => {
    const sweeper = (mode: 'min' | 'max') => tpeSweeper({ overrides: ['x=interval(0.0, 1.0)'] }, { ...base, trials: 40, mode });
    const mean = (jobs: string[][]) => jobs.slice(20).reduce((s, o) => s + Number(valueOf(o, 'x')), 0) / 20;
    const identity = (o: string[]) => Number(valueOf(o, 'x'));
    expect(mean(run(sweeper('min'), identity))).toBeLessThan(0.3);
    expect(mean(run(sweeper('max'), identity))).toBeGreaterThan(0.7);
  });

  it.each([
    { name: 'zero trials', options: { ...base, trials: 0 }, overrides: ['x=interval(0, 1)'], message: /--trials must be a positive whole number/ },
    {
      name: 'a condition on a slot that is not a list',
      options: { ...base, conditions: new Map([['y', { parent: 'x', options: ['x=1'] }]]) },
      overrides: ['x=interval(0, 1)', 'y=interval(0, 1)'],
      message: /'y' depends on 'x', which is not a list of options/,
    },
    // Optuna refuses an empty CategoricalDistribution; drawing from nothing made values up.
    { name: 'an empty range', options: base, overrides: ['n=range(5, 1)'], message: /'n=range\(5, 1\)' gives no values to choose from/ },
    { name: 'a range stepping away from its stop', options: base, overrides: ['n=range(1, 5, -1)'], message: /gives no values to choose from/ },
  ])('refuses $name', ({ options, overrides, message }) => {
    expect(() => tpeSweeper({ overrides }, options)).toThrow(message);
  });
});
