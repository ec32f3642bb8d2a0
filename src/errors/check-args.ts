import { TrellisError } from './trellis-error.js';

/**
 * What an argument of a public function must be. TypeScript checks callers that use it; plain
 * JavaScript callers (and `any`) get a TrellisError naming the function and argument instead of
 * a TypeError from deep inside. A trailing `?` allows undefined.
 */
type ArgKind = 'string' | 'strings' | 'object' | 'function' | 'boolean' | 'number' | 'node' | 'date' | 'error';
export type ArgSpec = ArgKind | `${ArgKind}?` | readonly ArgSpec[];

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

const CHECKS: Record<ArgKind, [test: (v: unknown) => boolean, text: string]> = {
  string: [(v) => typeof v === 'string', 'a string'],
  strings: [(v) => Array.isArray(v) && v.every((x) => typeof x === 'string'), 'an array of strings'],
  object: [isObject, 'an object'],
  function: [(v) => typeof v === 'function', 'a function'],
  boolean: [(v) => typeof v === 'boolean', 'a boolean'],
  number: [(v) => typeof v === 'number', 'a number'],
  // A config tree node (fromPlain makes one from plain values).
  node: [(v) => isObject(v) && ['value', 'list', 'dict'].includes(v.kind as string), 'a config node (made by fromPlain)'],
  date: [(v) => v instanceof Date, 'a Date'],
  error: [(v) => v instanceof TrellisError, 'a TrellisError'],
};

function describe(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === 'object' ? 'an object' : typeof value === 'function' ? 'a function' : `${typeof value} ${String(value)}`;
}

/** undefined when `value` fits `spec`, else what it should be. */
function mismatch(value: unknown, spec: ArgSpec): string | undefined {
  if (Array.isArray(spec)) {
    const texts = spec.map((s) => mismatch(value, s));
    return texts.some((t) => t === undefined) ? undefined : texts.join(' or ');
  }
  const optional = (spec as string).endsWith('?');
  if (optional && value === undefined) return undefined;
  const [test, text] = CHECKS[(optional ? (spec as string).slice(0, -1) : spec) as ArgKind];
  return test(value) ? undefined : text;
}

/**
 * Checks the arguments of `fn` (and the listed fields of object arguments: `options.configDir`);
 * throws one USAGE error listing every mismatch.
 */
export function checkArgs(fn: string, args: ReadonlyArray<[name: string, value: unknown, spec: ArgSpec, fields?: Record<string, ArgSpec>]>): void {
  const problems: string[] = [];
  for (const [name, value, spec, fields] of args) {
    const want = mismatch(value, spec);
    if (want !== undefined) problems.push(`${name} must be ${want}, got ${describe(value)}`);
    else if (fields && isObject(value)) {
      for (const [field, fieldSpec] of Object.entries(fields)) {
        const fieldWant = mismatch(value[field], fieldSpec);
        if (fieldWant !== undefined) problems.push(`${name}.${field} must be ${fieldWant}, got ${describe(value[field])}`);
      }
    }
  }
  if (problems.length) {
    throw new TrellisError('USAGE', `${fn}(): ${problems.join('; ')}`, { hint: `see the type declarations of ${fn} in the trellis package` });
  }
}
