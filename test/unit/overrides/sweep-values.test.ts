import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { parseOverride, sweepElements, sweepValueTexts, type LazySequence } from '../../../src/overrides/index.js';
import { int, str } from './elements.js';
import { errorOf } from '../../helpers/errors.js';

const texts = (override: string, options = {}): string[] => {
  const seq: LazySequence<string> = sweepValueTexts(parseOverride(override, 0), options);
  return Array.from({ length: seq.length }, (_, i) => seq.at(i));
};

describe('sweep values as the basic sweeper prints them', () => {
  it.each([
    // Hydra 1.3 test_sweep_iterators
    { name: 'choice of ints', input: 'x=choice(1,2,3)', expected: ['1', '2', '3'] },
    { name: 'choice of quoted ints (unquoted by the function)', input: "x=choice('1', '2', '3')", expected: ['1', '2', '3'] },
    { name: 'choice of quoted strings', input: "x=choice('a', 'b')", expected: ['a', 'b'] },
    {
      name: 'choice of mixed types',
      input: "x=choice(True, 'True', False, 'False', 'a', 1, 1.1, 2.0, 3, '1.5', '4')",
      expected: ['True', 'True', 'False', 'False', 'a', '1', '1.1', '2.0', '3', '1.5', '4'],
    },
    { name: 'int range', input: 'x=range(1, 10)', expected: ['1', '2', '3', '4', '5', '6', '7', '8', '9'] },
    { name: 'choice of lists', input: "x=choice([1,2,3], ['a', 'b'])", expected: ['[1,2,3]', "['a','b']"] },
    { name: 'choice of mixed lists', input: "x=choice([1, 1.1, '2', 'a'], [True, False])", expected: ["[1,1.1,'2','a']", '[True,False]'] },
    // compat cases 064, 067, 073, 074
    { name: 'simple sweep of a group', input: 'db=mysql,postgres', expected: ['mysql', 'postgres'] },
    { name: 'sort(3,1,2)', input: 'seed=sort(3,1,2)', expected: ['1', '2', '3'] },
    { name: 'quoted element keeps its quotes', input: "+tag='a,b',c", expected: ["'a,b'", 'c'] },
    { name: 'lists', input: 'trainer.devices=[0],[0,1]', expected: ['[0]', '[0,1]'] },
    { name: 'interpolation is escaped', input: '+run=${db.driver},b', expected: ['$\\{db.driver\\}', 'b'] },
    { name: 'booleans print as Python does', input: 'flag=true,false', expected: ['True', 'False'] },
    { name: 'null', input: 'x=null,1', expected: ['null', '1'] },
    // extended grammar docs
    { name: 'range(5)', input: 'num=range(5)', expected: ['0', '1', '2', '3', '4'] },
    { name: 'range(0,5,2)', input: 'num=range(0,5,2)', expected: ['0', '2', '4'] },
    { name: 'range(-5,step=-1)', input: 'num=range(-5,step=-1)', expected: ['0', '-1', '-2', '-3', '-4'] },
    { name: 'empty int range', input: 'num=range(-10)', expected: [] },
    { name: 'reverse-sorted range', input: 'num=sort(range(1,4),reverse=true)', expected: ['3', '2', '1'] },
    // Float ranges accumulate with Python's decimal module (28 digits, half-even); expected
    // values computed with CPython's decimal, as Hydra's FloatRange does.
    { name: 'range(0,10,3.3) (docs)', input: 'num=range(0,10,3.3)', expected: ['0.0', '3.3', '6.6', '9.9'] },
    { name: 'range(0,1,step=0.25) (compat 066)', input: 'lr=range(0,1,step=0.25)', expected: ['0.0', '0.25', '0.5', '0.75'] },
    { name: 'range(0.1,0.5,0.1)', input: 'x=range(0.1,0.5,0.1)', expected: ['0.1', '0.2', '0.30000000000000004', '0.4'] },
    { name: 'float range down', input: 'x=range(10.0,5.0,-2)', expected: ['10.0', '8.0', '6.0'] },
    {
      name: 'float range down through zero',
      input: 'x=range(0.5,-0.5,-0.1)',
      expected: [
        '0.5',
        '0.4',
        '0.3',
        '0.19999999999999998',
        '0.09999999999999998',
        '-2.7755575615555784e-17',
        '-0.10000000000000003',
        '-0.20000000000000004',
        '-0.30000000000000004',
        '-0.4',
      ],
    },
    {
      name: 'small steps',
      input: 'x=range(1e-3,1e-2,1.7e-3)',
      expected: ['0.001', '0.0026999999999999997', '0.004399999999999999', '0.0060999999999999995', '0.0078', '0.0095'],
    },
    { name: 'empty float range', input: 'x=range(0.0,0,1)', expected: [] },
    { name: 'glob picks options, unescaped', input: 'db=glob(*)', expected: ['my sql', 'mysql', 'postgres', 'sqlite'] },
    { name: 'glob with exclude', input: 'db=glob(*,exclude=my*)', expected: ['postgres', 'sqlite'] },
    { name: 'glob with a list', input: 'db=glob([s*,p*],exclude=sqlite)', expected: ['postgres'] },
    { name: 'glob ?', input: 'db=glob(?ysql)', expected: ['mysql'] },
    { name: 'glob [seq]', input: "db=glob('[ps]*')", expected: ['postgres', 'sqlite'] },
    { name: 'glob [!seq]', input: "db=glob('[!ps]*')", expected: ['my sql', 'mysql'] },
  ])('$name', ({ input, expected }) => {
    const listOptions = (group: string): string[] => (group === 'db' ? ['my sql', 'mysql', 'postgres', 'sqlite'] : []);
    expect(texts(input, { listOptions })).toEqual(expected);
  });

  it('glob asks for the options of the override group', () => {
    const asked: string[] = [];
    texts('model/encoder=glob(*)', { listOptions: (g: string) => (asked.push(g), []) });
    expect(asked).toEqual(['model/encoder']);
  });

  it('shuffles with the injected random numbers', () => {
    // Python's random.shuffle: i from the end, j = floor(r * (i + 1)); r = 0 rotates left.
    expect(texts('x=shuffle(1,2,3)', { random: () => 0 })).toEqual(['2', '3', '1']);
    expect(texts('x=shuffle(range(1,4))', { random: () => 0 })).toEqual(['2', '3', '1']);
    expect(texts('x=shuffle(1,2,3)', { random: () => 0.99 })).toEqual(['1', '2', '3']);
  });

  it('sweepElements gives the parsed values', () => {
    expect(sweepElements(parseOverride('x=range(2)', 0))).toEqual([int(0), int(1)]);
    expect(sweepElements(parseOverride('db=glob(m*)', 0), { listOptions: () => ['mysql', 'pg'] })).toEqual([str('mysql')]);
  });

  it('indexes a huge int range without building it', () => {
    const seq = sweepValueTexts(parseOverride('x=range(0,1000000000000,7)', 0));
    expect(seq.length).toBe(142857142858);
    expect(seq.at(142857142857)).toBe('999999999999');
  });
});

describe('sweep value errors', () => {
  it.each([
    { name: 'interval in a grid', input: 'lr=interval(0,1)', message: 'BasicSweeper does not support sweep type : INTERVAL_SWEEP' },
    { name: 'not a sweep', input: 'lr=1', message: 'Can only enumerate CHOICE and RANGE sweeps, type is ValueType.ELEMENT' },
    { name: 'bare delete', input: '~lr', message: 'Can only enumerate CHOICE and RANGE sweeps' },
    { name: 'glob without options', input: 'db=glob(*)', message: "glob() needs the options of group 'db'" },
    { name: 'int range with zero step', input: 'x=range(1,5,0)', message: 'range() arg 3 must not be zero' },
    { name: 'float range with zero step', input: 'x=range(0.0,1,0)', message: 'Invalid range values (start:0, stop:1, step:0)' },
  ])('$name', ({ input, message }) => {
    const e = errorOf(() => texts(input));
    expect(e.code).toBe('SWEEP_INVALID');
    expect(e.message).toContain(message);
    expect(e.where).toMatchObject({ kind: 'override', text: input, index: 0 });
  });

  it.each([
    { name: 'too many values', input: 'x=range(0.0,1e12,1)', message: 'more than 1000000' },
    { name: 'a step lost to rounding', input: 'x=range(1e30,2e30,1e-10)', message: 'more than 1000000' },
  ])('refuses a float range with $name', ({ input, message }) => {
    const e = errorOf(() => texts(input));
    expect(e.code).toBe('SWEEP_INVALID');
    expect(e.message).toContain(message);
  });
});
