import { formatPythonFloat, type DictEntry, type Node, type Scalar } from '../tree/node.js';

/**
 * Python's `str()` and `repr()` of config values. OmegaConf builds string interpolations with
 * `str()`, and Hydra users read those strings, so `${a}_${b}` must print `True`, `None`, `1.0`,
 * `1e-05` and `{'a': 1}` exactly as Python does. Containers print their raw content: inner
 * interpolations stay unresolved, as `str(DictConfig)` shows them.
 */

/** `str()` of a scalar; `float` marks a number that is a Python float (1.0 prints as `1.0`). */
export function pythonScalarStr(value: Scalar, float = false): string {
  if (value === null) return 'None';
  if (value === true) return 'True';
  if (value === false) return 'False';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (float || !Number.isInteger(value)) return formatPythonFloat(value);
    return Number.isSafeInteger(value) ? String(value === 0 ? 0 : value) : BigInt(value).toString();
  }
  return value;
}

/** `repr()` of a Python str: single quotes unless the text has a `'` and no `"`; escapes as Python. */
export function pythonStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const code = ch.codePointAt(0) ?? 0;
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (isPrintable(ch)) out += ch;
    else if (code < 0x100) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if (code < 0x10000) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else out += `\\U${code.toString(16).padStart(8, '0')}`;
  }
  return out + quote;
}

// Python's str.isprintable(): not in Cc, Cf, Cs, Co, Cn, Zl, Zp, Zs, except the plain space.
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
function isPrintable(ch: string): boolean {
  return ch === ' ' || !NON_PRINTABLE.test(ch);
}

function scalarRepr(value: Scalar, float: boolean): string {
  return typeof value === 'string' ? pythonStringRepr(value) : pythonScalarStr(value, float);
}

function keyRepr(entry: DictEntry): string {
  return scalarRepr(entry.key, entry.keyFloat === true);
}

/** `repr()` of a node: strings quoted, dicts `{'a': 1}`, lists `[1, 'x']`. */
export function pythonRepr(node: Node): string {
  switch (node.kind) {
    case 'value':
      return scalarRepr(node.value, node.float === true);
    case 'list':
      return `[${node.items.map(pythonRepr).join(', ')}]`;
    case 'dict':
      return `{${[...node.entries.values()].map((e) => `${keyRepr(e)}: ${pythonRepr(e.node)}`).join(', ')}}`;
  }
}

/** `str()` of a node: a string as itself, any other scalar as Python prints it, containers as their repr. */
export function pythonStr(node: Node): string {
  return node.kind === 'value' ? pythonScalarStr(node.value, node.float === true) : pythonRepr(node);
}

/** The Python type OmegaConf would report for a node (`DictConfig`, `int`, `NoneType`…), for messages. */
export function pythonTypeName(node: Node | undefined): string {
  if (node === undefined) return 'nothing';
  if (node.kind === 'dict') return 'DictConfig';
  if (node.kind === 'list') return 'ListConfig';
  const v = node.value;
  if (v === null) return 'NoneType';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'string') return 'str';
  return node.float ? 'float' : 'int';
}
