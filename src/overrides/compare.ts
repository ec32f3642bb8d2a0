import { FunctionError } from './function-error.js';
import type { ParsedElement, ParsedValue } from './types.js';

/**
 * Python's `==`, `<` and `sorted()` over parsed values, which sort() and the dict-key rules
 * depend on: ints, floats and bools compare as numbers, strings only with strings, lists
 * lexicographically; anything else raises TypeError with Python's message.
 */

/** The Python class name Hydra's messages use for a value. */
export function pyTypeName(value: ParsedValue | undefined): string {
  if (value === undefined) return 'NoneType';
  switch (value.kind) {
    case 'string':
      return 'str';
    case 'quoted':
      return 'QuotedString';
    case 'null':
      return 'NoneType';
    case 'choice':
      return 'ChoiceSweep';
    case 'range':
      return 'RangeSweep';
    case 'interval':
      return 'IntervalSweep';
    case 'glob':
      return 'Glob';
    default:
      return value.kind;
  }
}

type Num = { big: bigint } | { float: number };

function asNumber(e: ParsedElement): Num | undefined {
  if (e.kind === 'int') return { big: e.value };
  if (e.kind === 'bool') return { big: e.value ? 1n : 0n };
  if (e.kind === 'float') return { float: e.value };
  return undefined;
}

/** Exact int-vs-float comparison, as Python does it (no rounding of big ints). */
function numCompare(a: Num, b: Num): -1 | 0 | 1 | undefined {
  if ('big' in a && 'big' in b) return a.big < b.big ? -1 : a.big > b.big ? 1 : 0;
  if ('float' in a && 'float' in b) {
    if (Number.isNaN(a.float) || Number.isNaN(b.float)) return undefined;
    return a.float < b.float ? -1 : a.float > b.float ? 1 : 0;
  }
  const flip = 'float' in a;
  const big = ('big' in a ? a.big : (b as { big: bigint }).big) as bigint;
  const f = ('float' in a ? a.float : (b as { float: number }).float) as number;
  let r: -1 | 0 | 1 | undefined;
  if (Number.isNaN(f)) r = undefined;
  else if (f === Infinity) r = -1;
  else if (f === -Infinity) r = 1;
  else {
    const floor = BigInt(Math.floor(f));
    if (big < floor) r = -1;
    else if (big > floor) r = 1;
    else r = Number.isInteger(f) ? 0 : -1;
  }
  if (r === undefined || !flip) return r;
  return (-r || 0) as -1 | 0 | 1;
}

export function pyEquals(a: ParsedElement, b: ParsedElement): boolean {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na && nb) return numCompare(na, nb) === 0;
  if (na || nb) return false;
  switch (a.kind) {
    case 'string':
      return b.kind === 'string' && a.value === b.value;
    case 'quoted':
      return b.kind === 'quoted' && a.value === b.value && a.quote === b.quote;
    case 'null':
      return b.kind === 'null';
    case 'list':
      return b.kind === 'list' && a.items.length === b.items.length && a.items.every((x, i) => pyEquals(x, b.items[i] as ParsedElement));
    case 'dict':
      return (
        b.kind === 'dict' &&
        a.entries.length === b.entries.length &&
        a.entries.every((ea) => b.entries.some((eb) => pyEquals(ea.key, eb.key) && pyEquals(ea.value, eb.value)))
      );
    default:
      return false;
  }
}

/** Code-point order, as Python compares str (JS `<` compares UTF-16 units). */
function stringLess(a: string, b: string): boolean {
  const ca = Array.from(a);
  const cb = Array.from(b);
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = (ca[i] as string).codePointAt(0) as number;
    const y = (cb[i] as string).codePointAt(0) as number;
    if (x !== y) return x < y;
  }
  return ca.length < cb.length;
}

/** Python's `a < b`; throws TypeError for types without an order between them. */
export function pyLess(a: ParsedElement, b: ParsedElement): boolean {
  const na = asNumber(a);
  const nb = asNumber(b);
  if (na && nb) return numCompare(na, nb) === -1;
  if (a.kind === 'string' && b.kind === 'string') return stringLess(a.value, b.value);
  if (a.kind === 'list' && b.kind === 'list') {
    const n = Math.min(a.items.length, b.items.length);
    for (let i = 0; i < n; i++) {
      const x = a.items[i] as ParsedElement;
      const y = b.items[i] as ParsedElement;
      if (!pyEquals(x, y)) return pyLess(x, y);
    }
    return a.items.length < b.items.length;
  }
  throw new FunctionError('TypeError', `'<' not supported between instances of '${pyTypeName(a)}' and '${pyTypeName(b)}'`);
}

/**
 * Python's `sorted(items, reverse=...)`: stable, comparing only with `<`, in CPython's order of
 * comparisons for short lists (a natural run, then binary insertion), so the first incomparable
 * pair, and hence the error message, is the one Python reports.
 */
export function pySorted(items: readonly ParsedElement[], reverse = false): ParsedElement[] {
  // CPython reverses before and after sorting so that equal items keep their order.
  const list = reverse ? [...items].reverse() : [...items];
  const n = list.length;
  if (n < 2) return reverse ? list.reverse() : list;
  let run = 2;
  if (pyLess(list[1] as ParsedElement, list[0] as ParsedElement)) {
    while (run < n && pyLess(list[run] as ParsedElement, list[run - 1] as ParsedElement)) run++;
    list.splice(0, run, ...list.slice(0, run).reverse());
  } else {
    while (run < n && !pyLess(list[run] as ParsedElement, list[run - 1] as ParsedElement)) run++;
  }
  for (let start = run; start < n; start++) {
    const pivot = list[start] as ParsedElement;
    let lo = 0;
    let hi = start;
    while (lo < hi) {
      const mid = lo + ((hi - lo) >> 1);
      if (pyLess(pivot, list[mid] as ParsedElement)) hi = mid;
      else lo = mid + 1;
    }
    list.splice(start, 1);
    list.splice(lo, 0, pivot);
  }
  return reverse ? list.reverse() : list;
}
