/**
 * Just enough of Python's `decimal` module to reproduce Hydra's FloatRange, which converts
 * start/stop/step with `Decimal(x)` (exact binary value), adds with the default context
 * (28 significant digits, round-half-even) and yields `float(d)`. Plain float accumulation gives
 * different values (`range(0,10,3.3)` must end with 9.9, not 9.899999999999999).
 */

/** coef × 10^exp, exact. */
export interface Decimal {
  coef: bigint;
  exp: number;
}

const PRECISION = 28;

export function decimalFromInt(n: bigint): Decimal {
  return { coef: n, exp: 0 };
}

/** The exact decimal value of a finite double. */
export function decimalFromFloat(x: number): Decimal {
  if (!Number.isFinite(x)) throw new RangeError('not finite');
  if (Number.isInteger(x)) return { coef: BigInt(x), exp: 0 };
  // x = m × 2^e with m an integer: repeatedly double until integral (at most 1074 times).
  let m = x;
  let e = 0;
  while (!Number.isInteger(m)) {
    m *= 2;
    e--;
  }
  // m × 2^e = m × 5^-e / 10^-e
  return { coef: BigInt(m) * 5n ** BigInt(-e), exp: e };
}

function align(a: Decimal, b: Decimal): [bigint, bigint, number] {
  const exp = Math.min(a.exp, b.exp);
  return [a.coef * 10n ** BigInt(a.exp - exp), b.coef * 10n ** BigInt(b.exp - exp), exp];
}

function digits(n: bigint): number {
  return (n < 0n ? -n : n).toString().length;
}

/** Rounds to the context precision, half-even, as every decimal arithmetic result is. */
function round(d: Decimal): Decimal {
  const excess = digits(d.coef) - PRECISION;
  if (d.coef === 0n || excess <= 0) return d;
  const div = 10n ** BigInt(excess);
  const negative = d.coef < 0n;
  const abs = negative ? -d.coef : d.coef;
  let q = abs / div;
  const r = abs % div;
  const twice = r * 2n;
  if (twice > div || (twice === div && q % 2n === 1n)) q += 1n;
  return { coef: negative ? -q : q, exp: d.exp + excess };
}

export function decimalAdd(a: Decimal, b: Decimal): Decimal {
  const [x, y, exp] = align(a, b);
  return round({ coef: x + y, exp });
}

export function decimalCompare(a: Decimal, b: Decimal): -1 | 0 | 1 {
  const [x, y] = align(a, b);
  return x < y ? -1 : x > y ? 1 : 0;
}

export function decimalSign(a: Decimal): -1 | 0 | 1 {
  return a.coef < 0n ? -1 : a.coef > 0n ? 1 : 0;
}

/** float(d): the nearest double (JavaScript's string-to-number conversion rounds correctly). */
export function decimalToFloat(d: Decimal): number {
  return Number(`${d.coef.toString()}e${d.exp}`);
}
