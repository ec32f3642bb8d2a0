import { decimalAdd, decimalCompare, decimalFromFloat, decimalFromInt, decimalSign, decimalToFloat, type Decimal } from './decimal.js';
import { FunctionError } from './function-error.js';
import { formatPythonFloat } from '../util/python.js';
import type { RangeSweep, SweepNumber } from './types.js';

/** A sequence that can be indexed without being built: what a grid axis needs. */
export interface LazySequence<T> {
  readonly length: number;
  at(index: number): T;
}

/**
 * Float ranges are walked step by step and shuffled sweeps are built in memory; past this many
 * values we refuse before building instead of hanging or running out of memory.
 */
export const MAX_BUILT_SWEEP_VALUES = 1_000_000;

function toDecimal(n: SweepNumber): Decimal {
  return n.kind === 'int' ? decimalFromInt(n.value) : decimalFromFloat(n.value);
}

function decimalText(d: Decimal): string {
  if (d.exp >= 0) return (d.coef * 10n ** BigInt(d.exp)).toString();
  const negative = d.coef < 0n;
  const abs = (negative ? -d.coef : d.coef).toString().padStart(-d.exp + 1, '0');
  return `${negative ? '-' : ''}${abs.slice(0, d.exp)}.${abs.slice(d.exp)}`;
}

/** Python's range(start, stop, step) over ints: O(1) length and indexing. */
function intRange(start: bigint, stop: bigint, step: bigint): LazySequence<SweepNumber> {
  if (step === 0n) throw new FunctionError('ValueError', 'range() arg 3 must not be zero');
  const span = step > 0n ? stop - start : start - stop;
  const abs = step > 0n ? step : -step;
  const count = span <= 0n ? 0n : (span + abs - 1n) / abs;
  if (count > BigInt(Number.MAX_SAFE_INTEGER)) throw new FunctionError('ValueError', 'range is too large to sweep');
  return {
    length: Number(count),
    at: (i) => ({ kind: 'int', value: start + BigInt(i) * step }),
  };
}

/**
 * Hydra's FloatRange: decimal accumulation, yielding floats while start < stop (or > for a
 * negative step). Values are computed on first access and cached.
 */
function floatRange(sweep: RangeSweep): LazySequence<SweepNumber> {
  for (const name of ['start', 'stop', 'step'] as const) {
    const n = sweep[name];
    // Hydra would loop forever on inf and yield nothing on nan; neither is a sweep.
    if (n.kind === 'float' && !Number.isFinite(n.value)) {
      throw new FunctionError(
        'ValueError',
        `range() needs finite numbers, got ${name}=${formatPythonFloat(n.value)}`,
        'give start, stop and step as finite numbers',
      );
    }
  }
  const stop = toDecimal(sweep.stop);
  const step = toDecimal(sweep.step);
  const sign = decimalSign(step);
  let current = toDecimal(sweep.start);
  if (sign === 0) {
    throw new FunctionError('HydraException', `Invalid range values (start:${decimalText(current)}, stop:${decimalText(stop)}, step:${decimalText(step)})`);
  }
  const estimate = (decimalToFloat(stop) - decimalToFloat(current)) / decimalToFloat(step);
  if (estimate > MAX_BUILT_SWEEP_VALUES) {
    throw new FunctionError(
      'ValueError',
      `range has ${Number.isFinite(estimate) ? `about ${Math.ceil(estimate)}` : 'too many'} values, more than ${MAX_BUILT_SWEEP_VALUES} (the limit for a float range)`,
      'use a larger step, or split the range into several sweeps',
    );
  }
  const cache: number[] = [];
  let done = false;
  const advanceTo = (index: number): void => {
    while (!done && cache.length <= index) {
      const more = sign > 0 ? decimalCompare(current, stop) < 0 : decimalCompare(current, stop) > 0;
      if (!more) {
        done = true;
        break;
      }
      if (cache.length >= MAX_BUILT_SWEEP_VALUES) {
        throw new FunctionError('ValueError', `range has more than ${MAX_BUILT_SWEEP_VALUES} values`);
      }
      cache.push(decimalToFloat(current));
      const next = decimalAdd(current, step);
      // At 28 digits a tiny step can vanish; Python would loop forever.
      if (decimalCompare(next, current) === 0) throw new FunctionError('ValueError', 'range step is too small to advance');
      current = next;
    }
  };
  return {
    get length() {
      advanceTo(Infinity);
      return cache.length;
    },
    at(i) {
      advanceTo(i);
      const v = cache[i];
      if (v === undefined) throw new RangeError(`index ${i} out of range`);
      return { kind: 'float', value: v };
    },
  };
}

/** The values of a range sweep, as Hydra's RangeSweep.range() yields them (before any shuffle). */
export function rangeValues(sweep: RangeSweep): LazySequence<SweepNumber> {
  const { start, stop, step } = sweep;
  if (start.kind === 'int' && stop.kind === 'int' && step.kind === 'int') {
    return intRange(start.value, stop.value, step.value);
  }
  return floatRange(sweep);
}
