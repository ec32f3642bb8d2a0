import type { Scalar } from '../tree/node.js';

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

function intFromBigInt(n: bigint): number | bigint {
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export function constructInt(text: string): number | bigint {
  let s = text.replace(/_/g, '');
  let sign = 1n;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1n;
    s = s.slice(1);
  }
  let n: bigint;
  if (s === '0') n = 0n;
  else if (s.startsWith('0b')) n = BigInt(s);
  else if (s.startsWith('0x')) n = BigInt(s);
  else if (s.startsWith('0')) n = BigInt(`0o${s.slice(1)}`);
  else if (s.includes(':')) n = s.split(':').reduce((acc, part) => acc * 60n + BigInt(part), 0n);
  else n = BigInt(s);
  return intFromBigInt(sign * n);
}

export function constructFloat(text: string): number {
  let s = text.replace(/_/g, '').toLowerCase();
  let sign = 1;
  if (s[0] === '-' || s[0] === '+') {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  if (s === '.inf') return sign * Infinity;
  if (s === '.nan') return NaN;
  if (s.includes(':')) return sign * s.split(':').reduce((acc, part) => acc * 60 + Number(part), 0);
  return sign * Number(s);
}

export function constructBool(text: string): boolean {
  return /^(?:yes|true|on)$/i.test(text);
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
