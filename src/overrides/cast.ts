import { formatPythonFloat, pythonStringRepr } from '../util/python.js';
import { FunctionError } from './function-error.js';
import type { ParsedElement } from './types.js';

/**
 * Python's int(), float(), str() and bool() on one primitive, as Hydra's cast functions apply
 * them (bool() of a string accepts only true/false, str() of a bool is lower case).
 */

const PY_WS = /^[\s]+|[\s]+$/g;

/** Python int(str): optional sign, decimal digits with single underscores between them. */
export function parsePythonInt(text: string): bigint | undefined {
  const t = text.replace(PY_WS, '');
  if (!/^[+-]?\d+(_\d+)*$/.test(t)) return undefined;
  return BigInt(t.replace(/_/g, ''));
}

/** Python float(str): decimal or exponent forms with PEP 515 underscores, inf/infinity/nan. */
export function parsePythonFloat(text: string): number | undefined {
  const t = text.replace(PY_WS, '');
  const special = /^([+-]?)(inf|infinity|nan)$/i.exec(t);
  if (special) {
    if ((special[2] as string).toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  const digits = String.raw`\d(?:_?\d)*`;
  const re = new RegExp(`^[+-]?(?:${digits}(?:\\.(?:${digits})?)?|\\.${digits})(?:[eE][+-]?${digits})?$`);
  if (!re.test(t)) return undefined;
  return Number(t.replace(/_/g, ''));
}

/** A bigint as a number when exact, else the bigint itself (for the tree's Scalar). */
export function intValue(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

function intToFloat(n: bigint): number {
  const f = Number(n);
  if (!Number.isFinite(f)) throw new FunctionError('OverflowError', 'int too large to convert to float');
  return f;
}

export function castIntPrimitive(e: ParsedElement): ParsedElement {
  switch (e.kind) {
    case 'int':
      return e;
    case 'bool':
      return { kind: 'int', value: e.value ? 1n : 0n };
    case 'float':
      if (Number.isNaN(e.value)) throw new FunctionError('ValueError', 'cannot convert float NaN to integer');
      if (!Number.isFinite(e.value)) throw new FunctionError('OverflowError', 'cannot convert float infinity to integer');
      return { kind: 'int', value: BigInt(Math.trunc(e.value)) };
    case 'string':
    case 'quoted': {
      const n = parsePythonInt(e.value);
      if (n === undefined) throw new FunctionError('ValueError', `invalid literal for int() with base 10: ${pythonStringRepr(e.value)}`);
      return { kind: 'int', value: n };
    }
    default:
      throw new FunctionError('AssertionError', '');
  }
}

export function castFloatPrimitive(e: ParsedElement): ParsedElement {
  switch (e.kind) {
    case 'float':
      return e;
    case 'int':
      return { kind: 'float', value: intToFloat(e.value) };
    case 'bool':
      return { kind: 'float', value: e.value ? 1 : 0 };
    case 'string':
    case 'quoted': {
      const f = parsePythonFloat(e.value);
      if (f === undefined) throw new FunctionError('ValueError', `could not convert string to float: ${pythonStringRepr(e.value)}`);
      return { kind: 'float', value: f };
    }
    default:
      throw new FunctionError('AssertionError', '');
  }
}

export function castStrPrimitive(e: ParsedElement): ParsedElement {
  switch (e.kind) {
    case 'string':
      return e;
    case 'quoted':
      return { kind: 'string', value: e.value };
    case 'bool':
      return { kind: 'string', value: e.value ? 'true' : 'false' };
    case 'int':
      return { kind: 'string', value: e.value.toString() };
    case 'float':
      return { kind: 'string', value: formatPythonFloat(e.value) };
    default:
      throw new FunctionError('AssertionError', '');
  }
}

export function castBoolPrimitive(e: ParsedElement): ParsedElement {
  switch (e.kind) {
    case 'bool':
      return e;
    case 'string':
    case 'quoted': {
      const lower = e.value.toLowerCase();
      if (lower === 'false') return { kind: 'bool', value: false };
      if (lower === 'true') return { kind: 'bool', value: true };
      throw new FunctionError('ValueError', `Cannot cast ${pythonStringRepr(e.value)} to bool`);
    }
    case 'int':
      return { kind: 'bool', value: e.value !== 0n };
    case 'float':
      return { kind: 'bool', value: e.value !== 0 };
    case 'null':
      // Python's bool(None); Hydra does not guard this one.
      return { kind: 'bool', value: false };
    default:
      throw new FunctionError('AssertionError', '');
  }
}
