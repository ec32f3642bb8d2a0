import type { ErrorWhere } from '../errors/index.js';
import { formatPythonFloat } from '../util/python.js';
import { checkArgs } from '../errors/check-args.js';

// Tests and older importers reach it here; new code imports util/python.ts.
export { formatPythonFloat };

/**
 * The config tree. Plain JavaScript objects cannot tell `1` from `1.0`, keep integers above
 * 2^53, hold non-string keys or remember where a value came from, and OmegaConf semantics need
 * all four; so composition works on these nodes and converts to plain values at the end.
 */
export type Origin = ErrorWhere;

/** A scalar: bigint only for integers beyond Number's safe range. */
export type Scalar = string | number | bigint | boolean | null;

export interface ValueNode {
  kind: 'value';
  value: Scalar;
  /** A float (1.0 stays 1.0); integers have no flag. */
  float?: boolean;
  origin?: Origin | undefined;
}

export interface ListNode {
  kind: 'list';
  items: Node[];
  origin?: Origin | undefined;
  /** A plain list a resolver returned (OmegaConf's InterpolationResultNode): a value, not a config node. */
  opaque?: true;
}

export interface DictEntry {
  /** The key as written: strings mostly; YAML may give ints, floats, bools or null. */
  key: Scalar;
  keyFloat?: boolean;
  node: Node;
}

export interface DictNode {
  kind: 'dict';
  /** Insertion-ordered; indexed by keyId(key). */
  entries: Map<string, DictEntry>;
  origin?: Origin | undefined;
  /** A plain dict a resolver returned: a value that paths cannot enter and merges replace. */
  opaque?: true;
}

export type Node = ValueNode | ListNode | DictNode;
export type ContainerNode = ListNode | DictNode;

const MISSING = '???';

export function valueNode(value: Scalar, float = false, origin?: Origin): ValueNode {
  const node: ValueNode = { kind: 'value', value };
  if (float) node.float = true;
  if (origin) node.origin = origin;
  return node;
}

export function listNode(items: Node[] = [], origin?: Origin): ListNode {
  const node: ListNode = { kind: 'list', items };
  if (origin) node.origin = origin;
  return node;
}

export function dictNode(origin?: Origin): DictNode {
  const node: DictNode = { kind: 'dict', entries: new Map() };
  if (origin) node.origin = origin;
  return node;
}

/**
 * The map index of a key: strings index as themselves, other keys can never collide with them.
 * Non-string keys follow Python's dict equality: `true`, `1` and `1.0` are one key, as are
 * `false`, `0`, `0.0` and `-0.0`; every NaN is the same key (PyYAML builds one NaN object).
 */
export function keyId(key: Scalar, _float = false): string {
  if (typeof key === 'string') return key;
  if (key === null) return '\u0000null';
  if (typeof key === 'boolean') return `\u0000num:${key ? 1 : 0}`;
  if (typeof key === 'bigint') return `\u0000num:${key.toString()}`;
  if (Number.isNaN(key)) return '\u0000num:nan';
  if (Number.isInteger(key)) return `\u0000num:${BigInt(key).toString()}`;
  return `\u0000num:${String(key)}`;
}

/** A key as text, for paths and messages. */
export function keyText(entry: Pick<DictEntry, 'key' | 'keyFloat'>): string {
  if (typeof entry.key === 'number' && entry.keyFloat) return formatPythonFloat(entry.key);
  return String(entry.key);
}

export function getEntry(dict: DictNode, key: string): DictEntry | undefined {
  return dict.entries.get(key);
}

/** Sets a string key, keeping the position of an existing key (as Python dicts do). */
export function setKey(dict: DictNode, key: string, node: Node): void {
  const existing = dict.entries.get(key);
  if (existing) existing.node = node;
  else dict.entries.set(key, { key, node });
}

export function setEntry(dict: DictNode, entry: DictEntry): void {
  const id = keyId(entry.key, entry.keyFloat);
  const existing = dict.entries.get(id);
  if (existing) existing.node = entry.node;
  else dict.entries.set(id, entry);
}

export function isMissing(node: Node | undefined): boolean {
  return node?.kind === 'value' && node.value === MISSING;
}

export function isNullValue(node: Node | undefined): boolean {
  return node?.kind === 'value' && node.value === null;
}

/** OmegaConf treats every string containing `${` as an interpolation (escapes included). */
/** True for a dict or list that paths can enter and merges can merge into (not a resolver's plain result). */
export function isContainer(node: Node | undefined): node is ContainerNode {
  return node !== undefined && node.kind !== 'value' && node.opaque !== true;
}

export function isInterpolation(node: Node | undefined): node is ValueNode & { value: string } {
  return node?.kind === 'value' && typeof node.value === 'string' && node.value.includes('${');
}

export function cloneNode<T extends Node>(node: T): T {
  switch (node.kind) {
    case 'value':
      return { ...node };
    case 'list':
      return { ...node, items: node.items.map(cloneNode) } as T;
    case 'dict': {
      const entries = new Map<string, DictEntry>();
      for (const [id, e] of node.entries) entries.set(id, { ...e, node: cloneNode(e.node) });
      return { ...node, entries } as T;
    }
  }
}

export interface ToPlainOptions {
  /** Convert a value node (e.g. resolve interpolations); default: the stored value. */
  mapValue?: (node: ValueNode, path: readonly (string | number)[]) => unknown;
}

/**
 * Converts a tree to plain JavaScript values. Keys become strings (non-string keys by their text);
 * integers beyond 2^53 stay bigint.
 */
export function toPlain(node: Node, options: ToPlainOptions = {}, path: (string | number)[] = []): unknown {
  if (!path.length)
    checkArgs('toPlain', [
      ['node', node, 'node'],
      ['options', options, 'object'],
    ]);
  switch (node.kind) {
    case 'value':
      return options.mapValue ? options.mapValue(node, path) : node.value;
    case 'list':
      return node.items.map((item, i) => toPlain(item, options, [...path, i]));
    case 'dict': {
      const out: Record<string, unknown> = {};
      for (const entry of node.entries.values()) {
        const k = keyText(entry);
        // defineProperty: a key can never reach the prototype, whatever its name.
        Object.defineProperty(out, k, {
          value: toPlain(entry.node, options, [...path, k]),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return out;
    }
  }
}

/** Builds a tree from plain JavaScript values (numbers with a fraction become floats). */
export function fromPlain(value: unknown, origin?: Origin): Node {
  if (Array.isArray(value))
    return listNode(
      value.map((v) => fromPlain(v, origin)),
      origin,
    );
  if (value !== null && typeof value === 'object') {
    const dict = dictNode(origin);
    for (const [k, v] of Object.entries(value)) setKey(dict, k, fromPlain(v, origin));
    return dict;
  }
  if (typeof value === 'number') return valueNode(value, !Number.isInteger(value) || !Number.isFinite(value), origin);
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'bigint' || value === null) {
    return valueNode(value, false, origin);
  }
  if (value === undefined) return valueNode(null, false, origin);
  return valueNode(String(value), false, origin);
}
