import type { DictEntry, Node } from '../tree/node.js';
import { pythonScalarRepr, pythonScalarStr } from '../util/python.js';

/**
 * Python's `str()` and `repr()` of config nodes. OmegaConf builds string interpolations with
 * `str()`, and Hydra users read those strings, so `${a}_${b}` must print `True`, `None`, `1.0`,
 * `1e-05` and `{'a': 1}` exactly as Python does (the scalar rules are in util/python.ts).
 * Containers print their raw content: inner interpolations stay unresolved, as
 * `str(DictConfig)` shows them.
 */

function keyRepr(entry: DictEntry): string {
  return pythonScalarRepr(entry.key, entry.keyFloat === true);
}

/** `repr()` of a node: strings quoted, dicts `{'a': 1}`, lists `[1, 'x']`. */
export function pythonRepr(node: Node): string {
  switch (node.kind) {
    case 'value':
      return pythonScalarRepr(node.value, node.float === true);
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
