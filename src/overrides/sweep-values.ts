import { TrellisError } from '../errors/index.js';
import { overrideWhere } from './convert.js';
import { formatElement } from './format.js';
import { FunctionError } from './function-error.js';
import { shuffled } from './functions.js';
import { filterGlob } from './glob.js';
import { MAX_BUILT_SWEEP_VALUES, rangeValues, type LazySequence } from './range.js';
import type { Override, ParsedElement } from './types.js';

export type { LazySequence } from './range.js';

export interface SweepValueOptions {
  /** The option names of a config group, for glob(); Hydra lists the group's configs. */
  listOptions?: (group: string) => readonly string[];
  /** Random numbers in [0, 1) for shuffle(); default Math.random. */
  random?: () => number;
}

const VALUE_TYPE_NAMES = {
  element: 'ELEMENT',
  choice: 'CHOICE_SWEEP',
  'simple-choice': 'SIMPLE_CHOICE_SWEEP',
  glob: 'GLOB_CHOICE_SWEEP',
  range: 'RANGE_SWEEP',
  interval: 'INTERVAL_SWEEP',
} as const;

function fromArray<T>(items: readonly T[]): LazySequence<T> {
  return {
    length: items.length,
    at: (i) => {
      if (i < 0 || i >= items.length) throw new RangeError(`index ${i} out of range`);
      return items[i] as T;
    },
  };
}

function mapSequence<T, U>(seq: LazySequence<T>, f: (x: T) => U): LazySequence<U> {
  return {
    get length() {
      return seq.length;
    },
    at: (i) => f(seq.at(i)),
  };
}

function sweepError(override: Override, message: string, hint?: string): TrellisError {
  return new TrellisError('SWEEP_INVALID', message, { where: overrideWhere(override), keyPath: override.key, hint });
}

type Item = { kind: 'element'; value: ParsedElement } | { kind: 'option'; name: string };

/** Hydra's sweep_iterator: the values of a discrete sweep, in order (shuffled if asked). */
function sweepItems(override: Override, options: SweepValueOptions): LazySequence<Item> {
  const value = override.value;
  const random = options.random ?? Math.random;
  const element = (v: ParsedElement): Item => ({ kind: 'element', value: v });
  if (!override.isSweep || value === undefined) {
    const type = VALUE_TYPE_NAMES[override.valueType ?? 'element'];
    throw sweepError(override, `Can only enumerate CHOICE and RANGE sweeps, type is ValueType.${type}`);
  }
  try {
    switch (value.kind) {
      case 'choice':
        return fromArray((value.shuffle ? shuffled(value.items, random) : value.items).map(element));
      case 'range': {
        const seq = guarded(rangeValues(value), (e) => functionError(override, e));
        if (!value.shuffle) return mapSequence(seq, element);
        checkBuildable(override, seq.length, 'shuffle()');
        const all = Array.from({ length: seq.length }, (_, i) => seq.at(i));
        return fromArray(shuffled(all, random).map(element));
      }
      case 'glob': {
        if (!options.listOptions) {
          throw sweepError(override, `glob() needs the options of group '${override.key}'`, "pass listOptions to list a group's options");
        }
        const names = filterGlob(options.listOptions(override.key), value.include, value.exclude);
        return fromArray(names.map((name): Item => ({ kind: 'option', name })));
      }
      case 'interval':
        throw sweepError(
          override,
          'BasicSweeper does not support sweep type : INTERVAL_SWEEP',
          'interval() is for optimizing sweepers (Ax, Nevergrad, Optuna); use range() or choice() for a grid',
        );
      default:
        throw sweepError(override, `Can only enumerate CHOICE and RANGE sweeps, type is ValueType.ELEMENT`);
    }
  } catch (e) {
    throw functionError(override, e);
  }
}

/** A sweep that has to be built in memory (shuffled, or listed whole) is refused before building when it cannot fit. */
function checkBuildable(override: Override, count: number, what: string): void {
  if (count <= MAX_BUILT_SWEEP_VALUES) return;
  throw sweepError(
    override,
    `${what} would build ${count} values in '${override.text}', more than the limit of ${MAX_BUILT_SWEEP_VALUES}`,
    'sweep fewer values (a larger step, or several smaller sweeps)',
  );
}

function functionError(override: Override, e: unknown): unknown {
  return e instanceof FunctionError ? sweepError(override, `${e.pyType}: ${e.message} in '${override.text}'`, e.hint) : e;
}

/** Float ranges compute values on access; their failures must surface as TrellisErrors too. */
function guarded<T>(seq: LazySequence<T>, convert: (e: unknown) => unknown): LazySequence<T> {
  const run = <R>(f: () => R): R => {
    try {
      return f();
    } catch (e) {
      throw convert(e);
    }
  };
  return {
    get length() {
      return run(() => seq.length);
    },
    at: (i) => run(() => seq.at(i)),
  };
}

/**
 * The ordered values of a sweep override, for grid expansion. Glob options come back as plain
 * strings. Interval sweeps have no finite list: SWEEP_INVALID for a grid.
 */
export function sweepElements(override: Override, options: SweepValueOptions = {}): ParsedElement[] {
  const seq = sweepItems(override, options);
  checkBuildable(override, seq.length, 'listing the sweep');
  return Array.from({ length: seq.length }, (_, i) => {
    const item = seq.at(i);
    return item.kind === 'element' ? item.value : { kind: 'string', value: item.name };
  });
}

/**
 * The value texts a grid hands the jobs, lazily: formatElement of each value, except glob
 * option names, which Hydra passes through unescaped.
 */
export function sweepValueTexts(override: Override, options: SweepValueOptions = {}): LazySequence<string> {
  return mapSequence(sweepItems(override, options), (item) => (item.kind === 'element' ? formatElement(item.value) : item.name));
}
