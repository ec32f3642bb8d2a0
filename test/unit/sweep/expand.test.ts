import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { countJobs, expandBatches, expandJobs, expandSweep, jobAt, planSweep, type SweepInput, type SweepPlan } from '../../../src/sweep/index.js';
import { errorOf } from '../../helpers/errors.js';

// Expected job lists are the ones real Hydra 1.3.2 recorded (/work/shared/compat/hydra/cases
// 064, 067, 070, 073 and the quirks listed for 063, 066, 071, 072, 074).

const jobs = (input: SweepInput): string[][] => [...expandSweep(input)];

describe('basic sweeper job lists', () => {
  it.each<{ name: string; input: SweepInput; expected: string[][] }>([
    {
      name: '064 sweep a group',
      input: { overrides: ['db=mysql,postgres'] },
      expected: [['db=mysql'], ['db=postgres']],
    },
    {
      name: '067 choice over options and sort over values',
      input: { overrides: ['optimizer=choice(adam,sgd)', 'seed=sort(3,1,2)'] },
      expected: [
        ['optimizer=adam', 'seed=1'],
        ['optimizer=adam', 'seed=2'],
        ['optimizer=adam', 'seed=3'],
        ['optimizer=sgd', 'seed=1'],
        ['optimizer=sgd', 'seed=2'],
        ['optimizer=sgd', 'seed=3'],
      ],
    },
    {
      name: '070 fixed overrides keep their positions',
      input: { overrides: ['experiment_name=grid', 'db=mysql,postgres', '+tag=v1', 'trainer.max_epochs=5'] },
      expected: [
        ['experiment_name=grid', 'db=mysql', '+tag=v1', 'trainer.max_epochs=5'],
        ['experiment_name=grid', 'db=postgres', '+tag=v1', 'trainer.max_epochs=5'],
      ],
    },
    {
      name: '073 quoted and list elements',
      input: { overrides: ["+tag='a,b',c", 'trainer.devices=[0],[0,1]'] },
      expected: [
        ["+tag='a,b'", 'trainer.devices=[0]'],
        ["+tag='a,b'", 'trainer.devices=[0,1]'],
        ['+tag=c', 'trainer.devices=[0]'],
        ['+tag=c', 'trainer.devices=[0,1]'],
      ],
    },
    {
      name: '063 cartesian product, first key slowest',
      input: { overrides: ['a=1,2', 'b=x,y,z'] },
      expected: [
        ['a=1', 'b=x'],
        ['a=1', 'b=y'],
        ['a=1', 'b=z'],
        ['a=2', 'b=x'],
        ['a=2', 'b=y'],
        ['a=2', 'b=z'],
      ],
    },
    {
      name: '066 float range values print as Python floats',
      input: { overrides: ['lr=range(0,1,step=0.25)'] },
      expected: [['lr=0.0'], ['lr=0.25'], ['lr=0.5'], ['lr=0.75']],
    },
    {
      name: '072 ~key becomes ~key=null',
      input: { overrides: ['~seed', 'a=1,2'] },
      expected: [
        ['~seed=null', 'a=1'],
        ['~seed=null', 'a=2'],
      ],
    },
    {
      name: '074 an interpolation element is escaped',
      input: { overrides: ['+run=${db.driver},fixed'] },
      expected: [['+run=$\\{db.driver\\}'], ['+run=fixed']],
    },
    {
      name: '071 config params come first, in config order',
      input: { params: { db: 'mysql,postgres', optimizer: 'adam,sgd' }, overrides: ['seed=1'] },
      expected: [
        ['db=mysql', 'optimizer=adam', 'seed=1'],
        ['db=mysql', 'optimizer=sgd', 'seed=1'],
        ['db=postgres', 'optimizer=adam', 'seed=1'],
        ['db=postgres', 'optimizer=sgd', 'seed=1'],
      ],
    },
    {
      name: '071 a CLI override of a param replaces its value but keeps its place',
      input: { params: { db: 'mysql,postgres', optimizer: 'adam,sgd' }, overrides: ['seed=1,2', 'db=sqlite'] },
      expected: [
        ['db=sqlite', 'optimizer=adam', 'seed=1'],
        ['db=sqlite', 'optimizer=adam', 'seed=2'],
        ['db=sqlite', 'optimizer=sgd', 'seed=1'],
        ['db=sqlite', 'optimizer=sgd', 'seed=2'],
      ],
    },
    {
      name: 'params given as ordered pairs',
      input: {
        params: [
          ['lr', 'range(1,3)'],
          ['db', 'a'],
        ],
        overrides: [],
      },
      expected: [
        ['lr=1', 'db=a'],
        ['lr=2', 'db=a'],
      ],
    },
    {
      name: 'non-string params print as Python does',
      input: { params: { seed: 5, lr: 0.5, flag: true }, overrides: [] },
      expected: [['seed=5', 'lr=0.5', 'flag=True']],
    },
    {
      name: 'a repeated key keeps its first place and its last value',
      input: { overrides: ['a=1', 'b=2', 'a=3,4'] },
      expected: [
        ['a=3', 'b=2'],
        ['a=4', 'b=2'],
      ],
    },
    {
      name: 'prefix and package make different slots',
      input: { overrides: ['db=a', '+db=b', 'db@x=c', 'db=d'] },
      expected: [['db=d', '+db=b', 'db@x=c']],
    },
    {
      name: 'no sweep gives one job, re-serialised',
      input: { overrides: ['x=1e3', 'y=true', "z='q'", 'w= a b '] },
      expected: [['x=1000.0', 'y=True', "z='q'", 'w=a\\ b']],
    },
    {
      name: 'glob over the group options',
      input: { overrides: ['db=glob(*,exclude=sqlite)'], listOptions: () => ['mysql', 'postgres', 'sqlite'] },
      expected: [['db=mysql'], ['db=postgres']],
    },
    {
      name: 'shuffle uses the injected random numbers',
      input: { overrides: ['x=shuffle(1,2,3)'], random: () => 0 },
      expected: [['x=2'], ['x=3'], ['x=1']],
    },
    { name: 'an empty range gives no job', input: { overrides: ['a=1,2', 'x=range(0)'] }, expected: [] },
    { name: 'nothing at all gives one empty job', input: { overrides: [] }, expected: [[]] },
  ])('$name', ({ input, expected }) => {
    expect(jobs(input)).toEqual(expected);
    expect(countJobs(input)).toBe(expected.length);
  });
});

describe('counting and indexing', () => {
  const axis = fc.oneof(
    fc.integer({ min: 1, max: 4 }).map((n) => `range(${n})`),
    fc.array(fc.constantFrom('a', 'b', "'c,d'", '[1]', '2.5'), { minLength: 2, maxLength: 3 }).map((xs) => xs.join(',')),
    fc.constant('fixed'),
  );

  it('job count is the product of the sweep sizes; jobAt(n) is the n-th job', () => {
    fc.assert(
      fc.property(fc.array(axis, { maxLength: 4 }), (values) => {
        const overrides = values.map((v, i) => `k${i}=${v}`);
        const plan = planSweep({ overrides });
        const sizes = plan.axes.map((a) => a.values.length);
        const all = [...expandJobs(plan)];
        expect(plan.count).toBe(sizes.reduce((a, b) => a * b, 1));
        expect(all).toHaveLength(plan.count);
        all.forEach((job, n) => expect(jobAt(plan, n)).toEqual(job));
        // The cartesian product written as nested loops, first key outermost (slowest).
        const lists = plan.axes.map((a) => Array.from({ length: a.values.length }, (_, i) => a.values.at(i)));
        const product = lists.reduce<string[][]>((acc, list) => acc.flatMap((prefix) => list.map((v) => [...prefix, v])), [[]]);
        expect(all).toEqual(product);
      }),
      { numRuns: 200 },
    );
  });

  it('resumes from any job', () => {
    const plan = planSweep({ overrides: ['a=1,2,3', 'b=x,y'] });
    expect([...expandJobs(plan, 4)]).toEqual([jobAt(plan, 4), jobAt(plan, 5)]);
    expect([...expandJobs(plan, 6)]).toEqual([]);
  });

  it('jobAt refuses a job that does not exist', () => {
    const plan = planSweep({ overrides: ['a=1,2'] });
    expect(() => jobAt(plan, 2)).toThrow(RangeError);
    expect(() => jobAt(plan, -1)).toThrow(RangeError);
  });

  it('batches jobs as max_batch_size asks', () => {
    const plan = planSweep({ overrides: ['a=range(5)'] });
    expect([...expandBatches(plan, 2)].map((b) => b.length)).toEqual([2, 2, 1]);
    expect([...expandBatches(plan)].map((b) => b.length)).toEqual([5]);
    expect(errorOf(() => [...expandBatches(plan, 0)]).code).toBe('SWEEP_INVALID');
  });
});

describe('laziness', () => {
  it('yields the first job of a 10^6 grid without building the product', () => {
    const plan = planSweep({ overrides: ['a=range(100)', 'b=range(100)', 'c=range(100)'] });
    expect(plan.count).toBe(1_000_000);
    const first = expandJobs(plan).next();
    expect(first.value).toEqual(['a=0', 'b=0', 'c=0']);
    expect(jobAt(plan, 999_999)).toEqual(['a=99', 'b=99', 'c=99']);
  });

  it('touches only the values of the jobs it yields', () => {
    // Two axes of a million values each: 10^12 jobs, which could never be materialised.
    let reads = 0;
    const huge = { length: 1_000_000, at: (i: number) => (reads++, `x=${i}`) };
    const plan: SweepPlan = {
      axes: [
        { key: 'x', override: planSweep({ overrides: ['x=1,2'] }).axes[0]!.override, values: huge },
        { key: 'y', override: planSweep({ overrides: ['y=1,2'] }).axes[0]!.override, values: huge },
      ],
      count: 1_000_000 * 1_000_000,
    };
    const it = expandJobs(plan);
    it.next();
    it.next();
    expect(reads).toBe(4);
  });

  it('plans a 10^12-job grid of ranges and reads its first job', () => {
    const plan = planSweep({ overrides: ['x=range(1000000)', 'y=range(1000000)'] });
    expect(plan.count).toBe(1e12);
    expect(expandJobs(plan).next().value).toEqual(['x=0', 'y=0']);
  });
});

describe('sweep errors', () => {
  it.each<{ name: string; input: SweepInput; expected: Array<{ code: string; message: string; keyPath?: string }> }>([
    {
      name: 'interval is not for a grid',
      input: { overrides: ['lr=interval(0,1)'] },
      expected: [{ code: 'SWEEP_INVALID', message: 'BasicSweeper does not support sweep type : INTERVAL_SWEEP' }],
    },
    {
      name: 'sweeping hydra config',
      input: { overrides: ['hydra.job.name=a,b'] },
      expected: [{ code: 'SWEEP_INVALID', message: "Sweeping over Hydra's configuration is not supported" }],
    },
    {
      name: 'two hydra sweeps, each reported once',
      input: { overrides: ['hydra.a=1,2', 'hydra.b=3,4'] },
      expected: [
        { code: 'SWEEP_INVALID', message: "not supported : 'hydra.a=1,2'" },
        { code: 'SWEEP_INVALID', message: "not supported : 'hydra.b=3,4'" },
      ],
    },
    {
      name: 'glob without the group options',
      input: { overrides: ['db=glob(*)'] },
      expected: [{ code: 'SWEEP_INVALID', message: "glob() needs the options of group 'db'" }],
    },
    {
      name: 'every problem at once, params and command line',
      input: { params: { lr: '[1,' }, overrides: ['a=', 'b=int(x)', 'c=range(1,2,0)'] },
      expected: [
        { code: 'OVERRIDE_SYNTAX', message: "unclosed '['", keyPath: 'hydra.sweeper.params.lr' },
        { code: 'OVERRIDE_INVALID', message: "ValueError while evaluating 'int(x)'" },
        { code: 'SWEEP_INVALID', message: 'range() arg 3 must not be zero' },
      ],
    },
  ])('$name', ({ input, expected }) => {
    const e = errorOf(() => planSweep(input));
    const got = e.all();
    expect(got).toHaveLength(expected.length);
    expected.forEach((x, i) => {
      expect(got[i]?.code).toBe(x.code);
      expect(got[i]?.message).toContain(x.message);
      if (x.keyPath !== undefined) expect(got[i]?.keyPath).toBe(x.keyPath);
    });
  });

  it('names the params path it was given', () => {
    const e = errorOf(() => planSweep({ params: { lr: 'f(' }, paramsPath: 'trellis.sweeper.params', overrides: [] }));
    expect(e.keyPath).toBe('trellis.sweeper.params.lr');
  });
});
