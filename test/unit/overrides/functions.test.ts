import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { parseOverride, type ChoiceSweep, type ParsedElement, type ParsedValue, type RangeSweep, type SweepNumber } from '../../../src/overrides/index.js';
import { bool, dict, float, int, list, quoted, str } from './elements.js';

// Rows from Hydra 1.3's tests/test_overrides_parser.py (test_value, test_choice_sweep,
// test_range_sweep, test_interval_sweep, test_tag_sweep, test_sort, test_sweep_shuffle,
// test_cast_conversions, test_glob) and the extended-grammar docs.

const valueOf = (text: string, random?: () => number): ParsedValue | undefined => parseOverride(`key=${text}`, 0, random ? { random } : {}).value;

const choice = (items: ParsedElement[], extra: Partial<ChoiceSweep> = {}): ChoiceSweep => ({
  kind: 'choice',
  items,
  simpleForm: false,
  shuffle: false,
  tags: [],
  ...extra,
});
const simple = (items: ParsedElement[], extra: Partial<ChoiceSweep> = {}): ChoiceSweep => choice(items, { simpleForm: true, ...extra });
const n = (v: number | bigint | string): SweepNumber => (typeof v === 'string' ? { kind: 'float', value: Number(v) } : { kind: 'int', value: BigInt(v) });
const range = (start: SweepNumber, stop: SweepNumber, step: SweepNumber = n(1), extra: Partial<RangeSweep> = {}): RangeSweep => ({
  kind: 'range',
  start,
  stop,
  step,
  shuffle: false,
  tags: [],
  ...extra,
});
const f = (v: number): SweepNumber => ({ kind: 'float', value: v });

describe('sweep functions', () => {
  it.each<{ name: string; input: string; expected: ParsedValue }>([
    { name: 'choice(a)', input: 'choice(a)', expected: choice([str('a')]) },
    { name: 'choice(a,b)', input: 'choice(a,b)', expected: choice([str('a'), str('b')]) },
    { name: 'space before (', input: 'choice (a,b)', expected: choice([str('a'), str('b')]) },
    { name: 'spaces around args', input: 'choice( 10 , 20 )', expected: choice([int(10), int(20)]) },
    { name: 'tabs around args', input: 'choice\t(  1\t\t )', expected: choice([int(1)]) },
    { name: 'choice(str(10))', input: 'choice(str(10))', expected: choice([str('10')]) },
    { name: 'choice of lists', input: 'choice([1,2],[3,4])', expected: choice([list(int(1), int(2)), list(int(3), int(4))]) },
    { name: 'choice unquotes its arguments', input: "choice('a,b',c)", expected: choice([str('a,b'), str('c')]) },
    { name: 'but not inside lists', input: "choice(['a'])", expected: choice([list(quoted('a'))]) },
    { name: 'choice of a simple sweep', input: 'choice(sort(b,a))', expected: choice([str('a'), str('b')]) },
    { name: 'range(10,11)', input: 'range(10,11)', expected: range(n(10), n(11)) },
    { name: 'range with step', input: 'range(1,10,2)', expected: range(n(1), n(10), n(2)) },
    { name: 'named range args', input: 'range(start=1,stop=10,step=2)', expected: range(n(1), n(10), n(2)) },
    { name: 'float range', input: 'range(1.0, 3.14)', expected: range(f(1), f(3.14)) },
    { name: 'float range with step', input: 'range(1.0, 3.14, 0.1)', expected: range(f(1), f(3.14), f(0.1)) },
    { name: 'range(stop)', input: 'range(10)', expected: range(n(0), n(10)) },
    { name: 'range(-10)', input: 'range(-10)', expected: range(n(0), n(-10)) },
    { name: 'range(-10, step=-1)', input: 'range(-10, step=-1)', expected: range(n(0), n(-10), n(-1)) },
    { name: 'range(5.5)', input: 'range(5.5)', expected: range(n(0), f(5.5)) },
    { name: 'range(5.5, step=0.5)', input: 'range(5.5, step=0.5)', expected: range(n(0), f(5.5), f(0.5)) },
    { name: 'interval of ints gives floats', input: 'interval(10,11)', expected: { kind: 'interval', start: f(10), end: f(11), tags: [] } },
    { name: 'interval', input: 'interval(2.72,3.14)', expected: { kind: 'interval', start: f(2.72), end: f(3.14), tags: [] } },
    { name: 'named interval', input: 'interval(start=2.72,end=3.14)', expected: { kind: 'interval', start: f(2.72), end: f(3.14), tags: [] } },
    { name: 'tag(choice)', input: 'tag(choice(a,b))', expected: choice([str('a'), str('b')]) },
    { name: 'tags on a choice', input: 'tag(tag1,tag2,choice(a,b))', expected: choice([str('a'), str('b')], { tags: ['tag1', 'tag2'] }) },
    { name: 'tags on an interval', input: 'tag(a,b,interval(0,1))', expected: { kind: 'interval', start: f(0), end: f(1), tags: ['a', 'b'] } },
    { name: 'tags on a range', input: 'tag(tag1,tag2,range(1,2))', expected: range(n(1), n(2), n(1), { tags: ['tag1', 'tag2'] }) },
    { name: 'tag with sweep=', input: 'tag(tag1,tag2,sweep=range(1,2))', expected: range(n(1), n(2), n(1), { tags: ['tag1', 'tag2'] }) },
    { name: 'glob(*)', input: 'glob(*)', expected: { kind: 'glob', include: ['*'], exclude: [] } },
    { name: 'glob(include=*)', input: 'glob(include=*)', expected: { kind: 'glob', include: ['*'], exclude: [] } },
    { name: 'glob(include=[*])', input: 'glob(include=[*])', expected: { kind: 'glob', include: ['*'], exclude: [] } },
    { name: 'glob with exclude', input: 'glob(include=[a*, b*], exclude=c*)', expected: { kind: 'glob', include: ['a*', 'b*'], exclude: ['c*'] } },
  ])('$name', ({ input, expected }) => {
    expect(valueOf(input)).toEqual(expected);
  });
});

describe('sort and shuffle', () => {
  it.each<{ name: string; input: string; expected: ParsedValue }>([
    { name: 'sort(1) returns the value', input: 'sort(1)', expected: int(1) },
    { name: 'sort of a dict returns it', input: 'sort({a:10})', expected: dict(['a', int(10)]) },
    { name: 'sort([1])', input: 'sort([1])', expected: list(int(1)) },
    { name: 'sort a list', input: 'sort([2,3,1])', expected: list(int(1), int(2), int(3)) },
    { name: 'sort a list, reversed', input: 'sort([2,3,1],reverse=true)', expected: list(int(3), int(2), int(1)) },
    { name: 'sort(list=)', input: 'sort(list=[1,3,2])', expected: list(int(1), int(2), int(3)) },
    { name: 'sort(list=[])', input: 'sort(list=[])', expected: list() },
    { name: 'sort(list=, reverse=True)', input: 'sort(list=[1,2,3], reverse=True)', expected: list(int(3), int(2), int(1)) },
    { name: 'sort(3,2,1) is a simple sweep', input: 'sort(3,2,1)', expected: simple([int(1), int(2), int(3)]) },
    { name: 'sort strings reversed', input: 'sort(a,c,b,reverse=true)', expected: simple([str('c'), str('b'), str('a')]) },
    { name: 'float(sort(3,2,1))', input: 'float(sort(3,2,1))', expected: simple([float(1), float(2), float(3)]) },
    { name: 'sort(float(3,2,1))', input: 'sort(float(3,2,1))', expected: simple([float(1), float(2), float(3)]) },
    { name: 'sort compares ints, floats and bools as numbers, stably', input: 'sort(2.5,1,true)', expected: simple([int(1), bool(true), float(2.5)]) },
    { name: 'sort(choice)', input: 'sort(choice(1,2,3))', expected: choice([int(1), int(2), int(3)]) },
    { name: 'sort(sweep=choice)', input: 'sort(sweep=choice(1,2,3))', expected: choice([int(1), int(2), int(3)]) },
    { name: 'sort(choice, reverse)', input: 'sort(choice(1,2,3), reverse=True)', expected: choice([int(3), int(2), int(1)]) },
    { name: 'sort keeps tags', input: 'sort(tag(a,b,choice(1,2,3)), reverse=True)', expected: choice([int(3), int(2), int(1)], { tags: ['a', 'b'] }) },
    { name: 'sort an ascending range', input: 'sort(range(1, 10))', expected: range(n(1), n(10)) },
    { name: 'sort a descending range', input: 'sort(range(9,0,-1))', expected: range(n(1), n(10), n(1)) },
    { name: 'sort a range, reversed', input: 'sort(range(1,10),reverse=True)', expected: range(n(9), n(0), n(-1)) },
    { name: 'sort twice', input: 'sort(sort(range(1, 10),reverse=true))', expected: range(n(1), n(10), n(1)) },
    { name: 'sort a float range', input: 'sort(range(0,2,0.5))', expected: range(n(0), n(2), f(0.5)) },
    { name: 'sort a descending float range', input: 'sort(range(1.5,-0.5,-0.5))', expected: range(f(0), f(2), f(0.5)) },
    { name: 'sort a float range, reversed', input: 'sort(range(0,2,0.5),reverse=true)', expected: range(f(1.5), f(-0.5), f(-0.5)) },
    { name: 'shuffle(1,2,3)', input: 'shuffle(1,2,3)', expected: simple([int(1), int(2), int(3)], { shuffle: true }) },
    { name: 'shuffle(choice)', input: 'shuffle(choice(1,2,3))', expected: choice([int(1), int(2), int(3)], { shuffle: true }) },
    { name: 'shuffle keeps tags', input: 'shuffle(tag(a,b,choice(1,2,3)))', expected: choice([int(1), int(2), int(3)], { shuffle: true, tags: ['a', 'b'] }) },
    { name: 'shuffle(range)', input: 'shuffle(range(10,1))', expected: range(n(10), n(1), n(1), { shuffle: true }) },
    { name: 'shuffle(float(range))', input: 'shuffle(float(range(10,1)))', expected: range(f(10), f(1), f(1), { shuffle: true }) },
    { name: 'shuffle(tag(range))', input: 'shuffle(tag(a,b,range(1,10,2)))', expected: range(n(1), n(10), n(2), { shuffle: true, tags: ['a', 'b'] }) },
    { name: 'shuffle one value makes a list', input: 'shuffle(a)', expected: list(str('a')) },
  ])('$name', ({ input, expected }) => {
    expect(valueOf(input)).toEqual(expected);
  });

  it('shuffles a list while parsing, with the injected random numbers (Python order)', () => {
    // random.shuffle: for i from the end, swap with floor(r * (i + 1)). r = 0 always picks index 0.
    expect(valueOf('shuffle([1,2,3])', () => 0)).toEqual(list(int(2), int(3), int(1)));
    expect(valueOf('shuffle(list=[1,2,3])', () => 0.999)).toEqual(list(int(1), int(2), int(3)));
  });
});

describe('casts', () => {
  type Row = { name: string; input: string; int: ParsedValue | string; float: ParsedValue | string; str: ParsedValue | string; bool: ParsedValue | string };
  const err = (s: string): string => s;
  it.each<Row>([
    { name: '10', input: '10', int: int(10), float: float(10), str: str('10'), bool: bool(true) },
    { name: '0', input: '0', int: int(0), float: float(0), str: str('0'), bool: bool(false) },
    { name: '10.0', input: '10.0', int: int(10), float: float(10), str: str('10.0'), bool: bool(true) },
    { name: '0.0', input: '0.0', int: int(0), float: float(0), str: str('0.0'), bool: bool(false) },
    {
      name: 'inf',
      input: 'inf',
      int: err("OverflowError while evaluating 'int(inf)': cannot convert float infinity to integer"),
      float: float(Infinity),
      str: str('inf'),
      bool: bool(true),
    },
    {
      name: 'nan',
      input: 'nan',
      int: err("ValueError while evaluating 'int(nan)': cannot convert float NaN to integer"),
      float: float(NaN),
      str: str('nan'),
      bool: bool(true),
    },
    { name: '1e6', input: '1e6', int: int(1000000), float: float(1e6), str: str('1000000.0'), bool: bool(true) },
    {
      name: "''",
      input: "''",
      int: err("ValueError while evaluating 'int('')': invalid literal for int() with base 10:"),
      float: err("ValueError while evaluating 'float('')': could not convert string to float:"),
      str: str(''),
      bool: err("ValueError while evaluating 'bool('')': Cannot cast '' to bool"),
    },
    {
      name: "'10'",
      input: "'10'",
      int: int(10),
      float: float(10),
      str: str('10'),
      bool: err("ValueError while evaluating 'bool('10')': Cannot cast '10' to bool"),
    },
    {
      name: "'10.0'",
      input: "'10.0'",
      int: err("ValueError while evaluating 'int('10.0')': invalid literal for int() with base 10: '10.0'"),
      float: float(10),
      str: str('10.0'),
      bool: err("ValueError while evaluating 'bool('10.0')': Cannot cast '10.0' to bool"),
    },
    {
      name: "'true'",
      input: "'true'",
      int: err("ValueError while evaluating 'int('true')': invalid literal for int() with base 10: 'true'"),
      float: err("ValueError while evaluating 'float('true')': could not convert string to float: 'true'"),
      str: str('true'),
      bool: bool(true),
    },
    { name: 'true', input: 'true', int: int(1), float: float(1), str: str('true'), bool: bool(true) },
    { name: 'false', input: 'false', int: int(0), float: float(0), str: str('false'), bool: bool(false) },
    { name: '[]', input: '[]', int: list(), float: list(), str: list(), bool: list() },
    {
      name: '[0,1,2]',
      input: '[0,1,2]',
      int: list(int(0), int(1), int(2)),
      float: list(float(0), float(1), float(2)),
      str: list(str('0'), str('1'), str('2')),
      bool: list(bool(false), bool(true), bool(true)),
    },
    {
      name: '[1,[2]]',
      input: '[1,[2]]',
      int: list(int(1), list(int(2))),
      float: list(float(1), list(float(2))),
      str: list(str('1'), list(str('2'))),
      bool: list(bool(true), list(bool(true))),
    },
    {
      name: '[a,1]',
      input: '[a,1]',
      int: err("ValueError while evaluating 'int([a,1])': invalid literal for int() with base 10: 'a'"),
      float: err("ValueError while evaluating 'float([a,1])': could not convert string to float: 'a'"),
      str: list(str('a'), str('1')),
      bool: err("ValueError while evaluating 'bool([a,1])': Cannot cast 'a' to bool"),
    },
    { name: '{a:10}', input: '{a:10}', int: dict(['a', int(10)]), float: dict(['a', float(10)]), str: dict(['a', str('10')]), bool: dict(['a', bool(true)]) },
    {
      name: 'choice(0,1)',
      input: 'choice(0,1)',
      int: choice([int(0), int(1)]),
      float: choice([float(0), float(1)]),
      str: choice([str('0'), str('1')]),
      bool: choice([bool(false), bool(true)]),
    },
    {
      name: 'simple choice of ints',
      input: '2,1,0',
      int: simple([int(2), int(1), int(0)]),
      float: simple([float(2), float(1), float(0)]),
      str: simple([str('2'), str('1'), str('0')]),
      bool: simple([bool(true), bool(true), bool(false)]),
    },
    {
      name: 'simple choice of many types',
      input: "a,'b',1,1.0,true,[a,b],{a:10}",
      int: err("ValueError while evaluating 'int(a,'b',1,1.0,true,[a,b],{a:10})': invalid literal for int() with base 10: 'a'"),
      float: err("ValueError while evaluating 'float(a,'b',1,1.0,true,[a,b],{a:10})': could not convert string to float: 'a'"),
      str: simple([str('a'), str('b'), str('1'), str('1.0'), str('true'), list(str('a'), str('b')), dict(['a', str('10')])]),
      bool: err("ValueError while evaluating 'bool(a,'b',1,1.0,true,[a,b],{a:10})': Cannot cast 'a' to bool"),
    },
    {
      name: 'interval(1.0, 2.0)',
      input: 'interval(1.0, 2.0)',
      int: { kind: 'interval', start: n(1), end: n(2), tags: [] },
      float: { kind: 'interval', start: f(1), end: f(2), tags: [] },
      str: err("ValueError while evaluating 'str(interval(1.0, 2.0))': Intervals cannot be cast to str"),
      bool: err("ValueError while evaluating 'bool(interval(1.0, 2.0))': Intervals cannot be cast to bool"),
    },
    {
      name: 'range(1,10)',
      input: 'range(1,10)',
      int: range(n(1), n(10), n(1)),
      float: range(f(1), f(10), f(1)),
      str: err("ValueError while evaluating 'str(range(1,10))': Range can only be cast to int or float"),
      bool: err("ValueError while evaluating 'bool(range(1,10))': Range can only be cast to int or float"),
    },
    {
      name: 'range(1.0,10.0)',
      input: 'range(1.0,10.0)',
      int: range(n(1), n(10), n(1)),
      float: range(f(1), f(10), f(1)),
      str: err("ValueError while evaluating 'str(range(1.0,10.0))': Range can only be cast to int or float"),
      bool: err("ValueError while evaluating 'bool(range(1.0,10.0))': Range can only be cast to int or float"),
    },
  ])('cast $name', (row) => {
    for (const cast of ['int', 'float', 'str', 'bool'] as const) {
      const expected = row[cast];
      const text = `${cast}(${row.input})`;
      if (typeof expected === 'string') {
        let caught: unknown;
        try {
          valueOf(text);
        } catch (e) {
          caught = e;
        }
        expect(caught, text).toBeInstanceOf(TrellisError);
        expect((caught as TrellisError).code).toBe('OVERRIDE_INVALID');
        expect((caught as TrellisError).message.startsWith(expected), `${text}: ${(caught as TrellisError).message}`).toBe(true);
      } else {
        expect(valueOf(text), text).toEqual(expected);
      }
    }
  });

  it.each([
    { name: 'int(value=3.14)', input: 'int(value=3.14)', expected: int(3) },
    { name: 'float(10)', input: 'float(10)', expected: float(10) },
    { name: 'float(float(10))', input: 'float(float(10))', expected: float(10) },
    { name: 'str({a:10})', input: 'str({a:10})', expected: dict(['a', str('10')]) },
    { name: 'int of a big float keeps digits', input: 'int(1e20)', expected: int(100000000000000000000n) },
    { name: 'int of a padded string (Python strips)', input: "int(' 42 ')", expected: int(42) },
    { name: 'bool(null) is false (Python bool(None))', input: 'bool(null)', expected: bool(false) },
  ])('$name', ({ input, expected }) => {
    expect(valueOf(input)).toEqual(expected);
  });
});
