import type { Scalar } from '../tree/node.js';
import { intScalar, parsePythonFloat, parsePythonInt } from '../util/python.js';

/**
 * Plain-scalar typing of PyYAML's YAML 1.1 resolver with OmegaConf's patches (`1e3` is a float;
 * timestamps stay strings). No stock `yaml` schema matches it, so we type plain scalars here.
 */
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;

export interface TypedScalar {
  value: Scalar;
  float?: boolean;
}

/** Thrown when a scalar cannot be constructed (PyYAML raises ValueError, KeyError or IndexError there). */
export class ScalarConstructError extends Error {}

/** Python's `int(text, base)`, raising as PyYAML's constructor does (the caller removed underscores). */
function pythonInt(text: string, base: 2 | 8 | 10 | 16): bigint {
  const n = parsePythonInt(text, base);
  if (n === undefined) throw new ScalarConstructError(`invalid literal for int() with base ${base}: '${text}'`);
  return n;
}

/** Python's `float(text)`, raising as PyYAML's constructor does. */
function pythonFloat(text: string): number {
  const f = parsePythonFloat(text);
  if (f === undefined) throw new ScalarConstructError(`could not convert string to float: '${text}'`);
  return f;
}

/** Strips the sign the way PyYAML's int/float constructors do (`value[0]` fails on empty text). */
function splitSign(text: string): [number, string] {
  if (text === '') throw new ScalarConstructError('string index out of range');
  const sign = text[0] === '-' ? -1 : 1;
  return [sign, text[0] === '-' || text[0] === '+' ? text.slice(1) : text];
}

/** PyYAML's `construct_yaml_int`, for plain ints and `!!int` alike. */
export function constructInt(text: string): number | bigint {
  const [sign, s] = splitSign(text.replace(/_/g, ''));
  const big = BigInt(sign);
  if (s === '0') return 0;
  if (s.startsWith('0b')) return intScalar(big * pythonInt(s.slice(2), 2));
  if (s.startsWith('0x')) return intScalar(big * pythonInt(s.slice(2), 16));
  if (s === '') throw new ScalarConstructError('string index out of range');
  if (s[0] === '0') return intScalar(big * pythonInt(s, 8));
  if (s.includes(':')) {
    const digits = s
      .split(':')
      .map((part) => pythonInt(part, 10))
      .reverse();
    let value = 0n;
    let base = 1n;
    for (const digit of digits) {
      value += digit * base;
      base *= 60n;
    }
    return intScalar(big * value);
  }
  return intScalar(big * pythonInt(s, 10));
}

/** PyYAML's `construct_yaml_float`; sexagesimal parts are summed from the right, as Python does. */
export function constructFloat(text: string): number {
  const [sign, s] = splitSign(text.replace(/_/g, '').toLowerCase());
  if (s === '.inf') return sign * Infinity;
  if (s === '.nan') return NaN;
  if (s.includes(':')) {
    const digits = s.split(':').map(pythonFloat).reverse();
    let value = 0;
    let base = 1;
    for (const digit of digits) {
      value += digit * base;
      base *= 60;
    }
    return sign * value;
  }
  return sign * pythonFloat(s);
}

/** PyYAML's `construct_yaml_bool`: only yes/no/true/false/on/off, in any case. */
export function constructBool(text: string): boolean {
  const lower = text.toLowerCase();
  if (/^(?:yes|true|on)$/.test(lower)) return true;
  if (/^(?:no|false|off)$/.test(lower)) return false;
  throw new ScalarConstructError(`KeyError: '${lower}'`);
}

/** Types a plain (unquoted, untagged) scalar the way OmegaConf's YAML loader does. */
export function resolvePlainScalar(text: string): TypedScalar {
  if (NULL.test(text)) return { value: null };
  if (BOOL.test(text)) return { value: constructBool(text) };
  if (INT.test(text)) return { value: constructInt(text) };
  if (FLOAT.test(text)) return { value: constructFloat(text), float: true };
  return { value: text };
}

/** True when a string written plainly would load as something other than that string. */
export function plainWouldChangeType(text: string): boolean {
  return NULL.test(text) || BOOL.test(text) || INT.test(text) || FLOAT.test(text);
}
