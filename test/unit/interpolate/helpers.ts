import { TrellisError } from '../../../src/errors/index.js';
import { createDefaultResolvers, type ResolveContext } from '../../../src/interpolate/index.js';
import { dictNode, formatPythonFloat, listNode, setEntry, valueNode, type Node, type Origin, type Scalar } from '../../../src/tree/node.js';

/** A float in a tree literal (plain JavaScript cannot tell 1.0 from 1). */
export class Float {
  constructor(readonly value: number) {}
}
export const f = (n: number): Float => new Float(n);

/** A dict with non-string keys: `map([0, 'cat'], ['2', 'bird'])`. */
export class KeyedMap {
  constructor(readonly entries: Array<[Scalar | Float, unknown]>) {}
}
export const map = (...entries: Array<[Scalar | Float, unknown]>): KeyedMap => new KeyedMap(entries);

/** A value with an origin: `at('${x}', origin)`. */
export class At {
  constructor(
    readonly value: unknown,
    readonly origin: Origin,
  ) {}
}
export const at = (value: unknown, origin: Origin): At => new At(value, origin);

/** Builds a config tree from a literal; objects are dicts, arrays lists, `f(1)` floats. */
export function tree(value: unknown, origin?: Origin): Node {
  if (value instanceof At) return tree(value.value, value.origin);
  if (value instanceof Float) return valueNode(value.value, true, origin);
  if (Array.isArray(value))
    return listNode(
      value.map((v) => tree(v)),
      origin,
    );
  if (value instanceof KeyedMap) {
    const d = dictNode(origin);
    for (const [k, v] of value.entries) {
      setEntry(d, k instanceof Float ? { key: k.value, keyFloat: true, node: tree(v) } : { key: k, node: tree(v) });
    }
    return d;
  }
  if (value !== null && typeof value === 'object') {
    const d = dictNode(origin);
    for (const [k, v] of Object.entries(value)) setEntry(d, { key: k, node: tree(v) });
    return d;
  }
  return valueNode(value as Scalar, false, origin);
}

/** A tree in the recorded-case encoding: floats as {$float: repr}, big ints as {$int}, non-string keys as {$map}. */
export function encode(node: Node): unknown {
  if (node.kind === 'value') {
    const v = node.value;
    if (typeof v === 'number' && node.float) return { $float: formatPythonFloat(v) };
    if (typeof v === 'bigint') return { $int: v.toString() };
    return v;
  }
  if (node.kind === 'list') return node.items.map(encode);
  const entries = [...node.entries.values()];
  if (entries.some((e) => typeof e.key !== 'string')) {
    return { $map: entries.map((e) => [e.keyFloat && typeof e.key === 'number' ? { $float: formatPythonFloat(e.key) } : e.key, encode(e.node)]) };
  }
  const out: Record<string, unknown> = {};
  for (const e of entries) out[e.key as string] = encode(e.node);
  return out;
}

const NOW = new Date(2024, 0, 5, 9, 7, 3, 45); // local time: Friday 5 January 2024, 09:07:03.045

export function context(over: Partial<ResolveContext> = {}): ResolveContext {
  return { env: {}, resolvers: createDefaultResolvers(), now: () => NOW, secrets: new Set(), ...over };
}

export const fileOrigin = (line: number, col: number, sourceLine: string, file = 'conf/config.yaml'): Origin => ({
  kind: 'file',
  file,
  line,
  col,
  sourceLine,
});

/** The TrellisError thrown by `fn` (fails the test when nothing or something else is thrown). */
export function thrown(fn: () => unknown): TrellisError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TrellisError) return e;
    throw new Error(`expected a TrellisError, got ${String(e)}`);
  }
  throw new Error('expected a TrellisError, nothing was thrown');
}
