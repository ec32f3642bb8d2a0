import { formatPythonFloat, parsePythonFloat, parsePythonInt, pythonStringRepr } from '../util/python.js';
import { FunctionError } from './function-error.js';
import type { ParsedElement } from './types.js';

/**
 * Python's int(), float(), str() and bool() on one primitive, as Hydra's cast functions apply
 * them (bool() of a string accepts only true/false, str() of a bool is lower case).
 */

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
