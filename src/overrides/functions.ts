import { castBoolPrimitive, castFloatPrimitive, castIntPrimitive, castStrPrimitive } from './cast.js';
import { pyLess, pySorted, pyTypeName } from './compare.js';
import { FunctionError } from './function-error.js';
import type { ChoiceSweep, GlobSweep, ParsedElement, ParsedValue, RangeSweep, Sweep, SweepNumber } from './types.js';
import { isSweepValue } from './types.js';

/**
 * The functions of Hydra 1.3's override grammar (hydra/_internal/grammar/grammar_functions.py):
 * choice, range, interval, glob, tag, sort, shuffle and the casts int, float, str, bool.
 * Arguments are bound like Python's inspect.Signature.bind and type-checked like Hydra's
 * Functions.eval, so the same calls fail with the same kind of error.
 */

export interface FunctionContext {
  random: () => number;
}

type Kind = ParsedValue['kind'];

interface Param {
  name: string;
  /** positional-or-keyword, *args, or keyword-only (after *args). */
  kind: 'pos' | 'var' | 'kwonly';
  required: boolean;
  accepts: readonly Kind[];
  /** How Hydra prints the annotation in a type mismatch. */
  annotation: string;
}

interface FunctionSpec {
  params: Param[];
  call(args: Bound, ctx: FunctionContext): ParsedValue;
}

/** Bound arguments: a *args list, or one value per named parameter (absent = default). */
interface Bound {
  rest: ParsedValue[];
  named: Map<string, ParsedValue>;
}

const ELEMENT: Kind[] = ['string', 'int', 'bool', 'float', 'list', 'dict'];
const PARSED_ELEMENT: Kind[] = [...ELEMENT, 'quoted', 'null'];
const NUMBER: Kind[] = ['int', 'bool', 'float'];
const SWEEP: Kind[] = ['choice', 'range', 'interval'];
const CAST_TYPE: Kind[] = [...PARSED_ELEMENT, ...SWEEP];

const pos = (name: string, accepts: Kind[], annotation: string, required = true): Param => ({
  name,
  kind: 'pos',
  required,
  accepts,
  annotation,
});
const kwonly = (name: string, accepts: Kind[], annotation: string): Param => ({
  name,
  kind: 'kwonly',
  required: false,
  accepts,
  annotation,
});
const rest = (accepts: Kind[], annotation: string): Param => ({
  name: 'args',
  kind: 'var',
  required: false,
  accepts,
  annotation,
});

// --- number helpers (Python int/float arithmetic on SweepNumber) ---

function toSweepNumber(v: ParsedValue): SweepNumber {
  if (v.kind === 'bool') return { kind: 'int', value: v.value ? 1n : 0n };
  if (v.kind === 'int' || v.kind === 'float') return v;
  throw new FunctionError('TypeError', `expected a number, got ${pyTypeName(v)}`);
}

function asFloat(n: SweepNumber): number {
  return n.kind === 'float' ? n.value : Number(n.value);
}

function numAdd(a: SweepNumber, b: SweepNumber): SweepNumber {
  if (a.kind === 'int' && b.kind === 'int') return { kind: 'int', value: a.value + b.value };
  return { kind: 'float', value: asFloat(a) + asFloat(b) };
}

function numNeg(a: SweepNumber): SweepNumber {
  return a.kind === 'int' ? { kind: 'int', value: -a.value } : { kind: 'float', value: -a.value };
}

function numAbs(a: SweepNumber): SweepNumber {
  return a.kind === 'int' ? { kind: 'int', value: a.value < 0n ? -a.value : a.value } : { kind: 'float', value: Math.abs(a.value) };
}

// --- sweeps ---

function simpleChoice(items: ParsedValue[]): ChoiceSweep {
  // Hydra asserts every item is an element (`_list_to_simple_choice`).
  for (const item of items) if (isSweepValue(item)) throw new FunctionError('AssertionError', '');
  return { kind: 'choice', items: items as ParsedElement[], simpleForm: true, shuffle: false, tags: [] };
}

/** Python's random.shuffle (Fisher–Yates from the end) on a copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

/** Hydra 1.3.2's _sort_sweep, including how it flips a range (from its stop, not its last value). */
function sortSweep(sweep: ChoiceSweep | RangeSweep, reverse: boolean): ChoiceSweep | RangeSweep {
  if (sweep.kind === 'choice') return { ...sweep, items: pySorted(sweep.items, reverse) };
  const { start, stop, step } = sweep;
  const a = start as ParsedElement;
  const b = stop as ParsedElement;
  const absStep = numAbs(step);
  if (!reverse && pyLess(b, a)) {
    return { ...sweep, start: numAdd(stop, absStep), stop: numAdd(start, absStep), step: numNeg(step) };
  }
  if (reverse && pyLess(a, b)) {
    return { ...sweep, start: numAdd(stop, numNeg(absStep)), stop: numAdd(start, numNeg(absStep)), step: numNeg(step) };
  }
  return { ...sweep };
}

function globPatterns(v: ParsedValue, name: string): string[] {
  if (v.kind === 'string') return [v.value];
  if (v.kind === 'list') {
    return v.items.map((item) => {
      if (item.kind === 'string' || item.kind === 'quoted') return item.value;
      throw new FunctionError('TypeError', `glob ${name} patterns must be strings, got ${pyTypeName(item)}`);
    });
  }
  throw new FunctionError('TypeError', `glob ${name} must be a string or a list of strings`);
}

// --- casts ---

type CastName = 'int' | 'float' | 'str' | 'bool';
const PRIMITIVE_CAST = { int: castIntPrimitive, float: castFloatPrimitive, str: castStrPrimitive, bool: castBoolPrimitive };

function cast(name: CastName, v: ParsedValue): ParsedValue {
  switch (v.kind) {
    case 'quoted':
      return cast(name, { kind: 'string', value: v.value });
    case 'dict':
      return { kind: 'dict', entries: v.entries.map((e) => ({ key: e.key, value: cast(name, e.value) as ParsedElement })) };
    case 'list':
      return { kind: 'list', items: v.items.map((item) => cast(name, item) as ParsedElement) };
    case 'choice':
      // Hydra builds a new ChoiceSweep: the shuffle flag and tags are dropped.
      return {
        kind: 'choice',
        items: v.items.map((item) => cast(name, item) as ParsedElement),
        simpleForm: v.simpleForm,
        shuffle: false,
        tags: [],
      };
    case 'range': {
      if (name !== 'int' && name !== 'float') throw new FunctionError('ValueError', 'Range can only be cast to int or float');
      const c = (n: SweepNumber): SweepNumber => cast(name, n) as SweepNumber;
      return { kind: 'range', start: c(v.start), stop: c(v.stop), step: c(v.step), shuffle: false, tags: [] };
    }
    case 'interval': {
      if (name !== 'int' && name !== 'float') throw new FunctionError('ValueError', `Intervals cannot be cast to ${name}`);
      const c = (n: SweepNumber): SweepNumber => cast(name, n) as SweepNumber;
      return { kind: 'interval', start: c(v.start), end: c(v.end), tags: [...v.tags] };
    }
    case 'glob':
      throw new FunctionError('AssertionError', '');
    default:
      return PRIMITIVE_CAST[name](v);
  }
}

function castSpec(name: CastName): FunctionSpec {
  return {
    params: [rest(CAST_TYPE, 'Union[ParsedElementType, Sweep]'), kwonly('value', CAST_TYPE, 'Optional[CastType]')],
    call({ rest: args, named }) {
      const value = named.get('value');
      const given = value !== undefined && value.kind !== 'null';
      if (args.length > 0 && given) throw new FunctionError('TypeError', 'cannot use both position and named arguments');
      if (given) return cast(name, value);
      if (args.length === 0) throw new FunctionError('TypeError', 'No positional args or value specified');
      if (args.length === 1) return cast(name, args[0] as ParsedValue);
      return cast(name, simpleChoice(args));
    },
  };
}

// --- the registry ---

const SORTABLE: Kind[] = [...ELEMENT, 'choice', 'range'];
const isGiven = (v: ParsedValue | undefined): v is ParsedValue => v !== undefined && v.kind !== 'null';

const FUNCTIONS: Record<string, FunctionSpec> = {
  int: castSpec('int'),
  float: castSpec('float'),
  str: castSpec('str'),
  bool: castSpec('bool'),

  choice: {
    params: [rest(['string', 'int', 'float', 'bool', 'dict', 'list', 'choice'], 'Union[str, int, float, bool, Dict[Any, Any], List[Any], ChoiceSweep]')],
    call({ rest: args }) {
      if (args.length === 0) throw new FunctionError('ValueError', 'empty choice is not legal');
      const first = args[0] as ParsedValue;
      if (args.length === 1 && first.kind === 'choice') {
        if (first.simpleForm) return { ...first, simpleForm: false };
        throw new FunctionError('ValueError', 'nesting choices is not supported');
      }
      // Hydra would build a choice holding a sweep and fail later; say it now.
      if (args.some(isSweepValue)) throw new FunctionError('ValueError', 'nesting choices is not supported');
      return { kind: 'choice', items: args as ParsedElement[], simpleForm: false, shuffle: false, tags: [] };
    },
  },

  range: {
    params: [
      pos('start', NUMBER, 'Union[int, float]'),
      pos('stop', [...NUMBER, 'null'], 'Optional[Union[int, float]]', false),
      pos('step', NUMBER, 'Union[int, float]', false),
    ],
    call({ named }) {
      let start = toSweepNumber(named.get('start') as ParsedValue);
      const stopArg = named.get('stop');
      let stop: SweepNumber;
      if (isGiven(stopArg)) stop = toSweepNumber(stopArg);
      else {
        // range(n) counts from zero, like Python's.
        stop = start;
        start = { kind: 'int', value: 0n };
      }
      const stepArg = named.get('step');
      const step = stepArg === undefined ? ({ kind: 'int', value: 1n } as const) : toSweepNumber(stepArg);
      return { kind: 'range', start, stop, step, shuffle: false, tags: [] };
    },
  },

  interval: {
    params: [pos('start', NUMBER, 'Union[int, float]'), pos('end', NUMBER, 'Union[int, float]')],
    call({ named }) {
      const f = (v: ParsedValue): SweepNumber => ({ kind: 'float', value: asFloat(toSweepNumber(v)) });
      return { kind: 'interval', start: f(named.get('start') as ParsedValue), end: f(named.get('end') as ParsedValue), tags: [] };
    },
  },

  tag: {
    params: [rest(['string', ...SWEEP], 'Union[str, Sweep]'), kwonly('sweep', [...SWEEP, 'null'], 'Optional[Sweep]')],
    call({ rest: args, named }) {
      if (args.length < 1) throw new FunctionError('ValueError', 'Not enough arguments to tag, must take at least a sweep');
      const sweepArg = named.get('sweep');
      const all = isGiven(sweepArg) ? [...args, sweepArg] : args;
      const last = all[all.length - 1] as ParsedValue;
      if (!isSweepValue(last) || last.kind === 'glob') {
        throw new FunctionError('ValueError', `Last argument to tag() must be a choice(), range() or interval(), got ${pyTypeName(sweepArg)}`);
      }
      const tags: string[] = [];
      for (const t of all.slice(0, -1)) {
        if (t.kind !== 'string') throw new FunctionError('ValueError', `tag arguments type must be string, got ${pyTypeName(t)}`);
        if (!tags.includes(t.value)) tags.push(t.value);
      }
      return { ...last, tags } as Sweep;
    },
  },

  shuffle: {
    params: [
      rest(SORTABLE, 'Union[ElementType, ChoiceSweep, RangeSweep]'),
      kwonly('sweep', ['choice', 'range', 'null'], 'Optional[Union[ChoiceSweep, RangeSweep]]'),
      kwonly('list', ['list', 'null'], 'Optional[List[Any]]'),
    ],
    call({ rest: args, named }, ctx) {
      const list = named.get('list');
      const sweep = named.get('sweep');
      const one = isGiven(list) ? list : isGiven(sweep) ? sweep : args.length === 1 ? args[0] : undefined;
      if (one) {
        if (one.kind === 'choice' || one.kind === 'range') return { ...one, shuffle: true };
        if (one.kind === 'list') return { kind: 'list', items: shuffled(one.items, ctx.random) };
        return { kind: 'list', items: [one as ParsedElement] };
      }
      return { ...simpleChoice(args), shuffle: true };
    },
  },

  sort: {
    params: [
      rest(SORTABLE, 'Union[ElementType, ChoiceSweep, RangeSweep]'),
      kwonly('sweep', ['choice', 'range', 'null'], 'Optional[Union[ChoiceSweep, RangeSweep]]'),
      kwonly('list', ['list', 'null'], 'Optional[List[Any]]'),
      kwonly('reverse', ['bool'], 'bool'),
    ],
    call({ rest: args, named }) {
      const reverseArg = named.get('reverse');
      const reverse = reverseArg?.kind === 'bool' && reverseArg.value;
      const list = named.get('list');
      if (isGiven(list) && list.kind === 'list') return { kind: 'list', items: pySorted(list.items, reverse) };
      const sweep = named.get('sweep');
      if (isGiven(sweep) && (sweep.kind === 'choice' || sweep.kind === 'range')) return sortSweep(sweep, reverse);
      if (args.length === 1) {
        const arg = args[0] as ParsedValue;
        if (arg.kind === 'choice' || arg.kind === 'range') return sortSweep(arg, reverse);
        if (arg.kind === 'list') return { kind: 'list', items: pySorted(arg.items, reverse) };
        return arg;
      }
      if (args.some((a) => !['int', 'float', 'bool', 'string'].includes(a.kind))) {
        throw new FunctionError('TypeError', `Invalid arguments: (${args.map(pyTypeName).join(', ')})`);
      }
      if (args.length === 0) throw new FunctionError('ValueError', 'empty sort input');
      return sortSweep(simpleChoice(args), reverse);
    },
  },

  glob: {
    params: [pos('include', ['list', 'string'], 'Union[List[str], str]'), pos('exclude', ['list', 'string', 'null'], 'Optional[Union[List[str], str]]', false)],
    call({ named }): GlobSweep {
      const exclude = named.get('exclude');
      return {
        kind: 'glob',
        include: globPatterns(named.get('include') as ParsedValue, 'include'),
        exclude: isGiven(exclude) ? globPatterns(exclude, 'exclude') : [],
      };
    },
  },
};

export const FUNCTION_NAMES: readonly string[] = Object.keys(FUNCTIONS).sort();

export function isKnownFunction(name: string): boolean {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS, name);
}

/** Python's Signature.bind, with its messages. */
function bind(params: Param[], positional: ParsedValue[], keyword: Array<[string, ParsedValue]>): Bound {
  const bound: Bound = { rest: [], named: new Map() };
  const kwargs = new Map(keyword);
  const posParams = params.filter((p) => p.kind === 'pos');
  const varParam = params.find((p) => p.kind === 'var');
  positional.forEach((value, i) => {
    const p = posParams[i];
    if (p) {
      if (kwargs.has(p.name)) throw new FunctionError('TypeError', `multiple values for argument '${p.name}'`);
      bound.named.set(p.name, value);
    } else if (varParam) bound.rest.push(value);
    else throw new FunctionError('TypeError', 'too many positional arguments');
  });
  for (const p of params) {
    if (p.kind === 'var' || bound.named.has(p.name)) continue;
    const value = kwargs.get(p.name);
    if (value !== undefined) {
      bound.named.set(p.name, value);
      kwargs.delete(p.name);
    } else if (p.required) throw new FunctionError('TypeError', `missing a required argument: '${p.name}'`);
  }
  const unexpected = kwargs.keys().next().value;
  if (unexpected !== undefined) throw new FunctionError('TypeError', `got an unexpected keyword argument '${unexpected}'`);
  // Hydra's type check over every bound argument.
  for (const p of params) {
    if (p.kind === 'var') {
      bound.rest.forEach((v, i) => {
        if (!p.accepts.includes(v.kind)) {
          throw new FunctionError('TypeError', `mismatch type argument ${p.name}[${i}]: ${pyTypeName(v)} is incompatible with ${p.annotation}`);
        }
      });
    } else {
      const v = bound.named.get(p.name);
      if (v !== undefined && !p.accepts.includes(v.kind)) {
        throw new FunctionError('TypeError', `mismatch type argument ${p.name}: ${pyTypeName(v)} is incompatible with ${p.annotation}`);
      }
    }
  }
  return bound;
}

/**
 * Evaluates one grammar function. Top-level quoted strings are unquoted first (Hydra's
 * Functions.eval), so `choice('a,b')` holds the plain string `a,b`. Throws FunctionError.
 */
export function callFunction(name: string, positional: ParsedValue[], keyword: Array<[string, ParsedValue]>, ctx: FunctionContext): ParsedValue {
  const spec = FUNCTIONS[name];
  if (!spec || !isKnownFunction(name)) {
    throw new FunctionError('HydraException', `Unknown function '${name}'`, `available: ${FUNCTION_NAMES.join(', ')}`);
  }
  const unquote = (v: ParsedValue): ParsedValue => (v.kind === 'quoted' ? { kind: 'string', value: v.value } : v);
  const bound = bind(
    spec.params,
    positional.map(unquote),
    keyword.map(([k, v]) => [k, unquote(v)]),
  );
  return spec.call(bound, ctx);
}
