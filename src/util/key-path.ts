import { parsePythonInt } from './python.js';

/**
 * Key paths: the names of nodes in a config tree, as text. Two forms are in use, and which one
 * users see matters:
 *
 * - the bracket form `a.b[0].c`: what messages, provenance.json and run diffs show, as
 *   OmegaConf's `full_key` and zod's `toDotPath` write it;
 * - the dotted form `a.b.0.c`: Hydra's override keys and `OmegaConf.update`, where a list index
 *   is one more dotted segment.
 *
 * Three parsers, because three readers differ: `parseKeyPath` (either form, for keys users type
 * to select or explain), `splitDottedKey` (an override key), and `splitKey` (OmegaConf's
 * `split_key`, for interpolations and `oc.select`).
 */

/** Keys that would reach an object's prototype if a consumer ever assigned them naively. */
export const UNSAFE_KEYS: ReadonlySet<string> = new Set(['__proto__']);

/** One step of a path: a dict key, or (a number) a list index. */
export type PathSegment = string | number;

// ---- the bracket form: a.b[0] ----

/** `parent.key`, or `key` at the root. */
export function appendKey(parent: string, key: string): string {
  return parent ? `${parent}.${key}` : key;
}

/** `parent[index]`; at the root too (`[0]`). */
export function appendIndex(parent: string, index: number | string): string {
  return `${parent}[${index}]`;
}

/** The bracket form of a path whose numbers are list indices: `['a', 0, 'b']` → `a[0].b`. */
export function formatKeyPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((acc, seg) => (typeof seg === 'number' ? appendIndex(acc, seg) : appendKey(acc, String(seg))), '');
}

/**
 * A key typed in either form, in the bracket form: `a.b.0` → `a.b[0]`. Plain data cannot say
 * whether `0` is a list index or a dict key, so a segment of digits (not the first) is an index.
 */
export function bracketKeyPath(text: string): string {
  return parseKeyPath(text).reduce((acc, seg, i) => (i > 0 && /^\d+$/.test(seg) ? appendIndex(acc, seg) : appendKey(acc, seg)), '');
}

// ---- the dotted form: a.b.0 ----

/** The dotted form of a path: `['a', 0, 'b']` → `a.0.b`. */
export function formatDottedKey(path: readonly PathSegment[]): string {
  return path.join('.');
}

/** The segments of a dotted key, as Hydra splits an override key: `a.0.b` → `['a', '0', 'b']`. */
export function splitDottedKey(key: string): string[] {
  return key.split('.');
}

// ---- parsing ----

/** The segments of a key in either form: `a.b[0].c` and `a.b.0.c` → `['a', 'b', '0', 'c']`; no empty ones. */
export function parseKeyPath(text: string): string[] {
  return text
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .filter(Boolean);
}

/**
 * OmegaConf's `split_key`: `a.b[c].d` → `['a', 'b', 'c', 'd']`. An interpolation path is first
 * rebuilt as text (nested interpolations included) and then split by this, so a nested result
 * like `.options` or `a.b` changes the path exactly as it does in OmegaConf.
 */
export function splitKey(key: string): string[] {
  // Head: leading dots then anything but '.' or '['.
  const head = /^\.*[^.[]*/.exec(key)?.[0] ?? '';
  const tokens = head.split('.');
  if (head.length === key.length) return tokens;
  if (key[head.length] === '[' && tokens[tokens.length - 1] === '') tokens.pop();
  // Others: `.x` or `[x]`; like Python's findall, characters matching neither are skipped.
  for (const m of key.slice(head.length).matchAll(/\.([^.[]*)|\[(.*?)\]/g)) tokens.push(m[1] || m[2] || '');
  return tokens;
}

/** A list index as OmegaConf reads a segment, with Python's `int(text)`: ` 1`, `+1` and `1_0` are indices. */
export function parseListIndex(segment: string): number | undefined {
  const n = parsePythonInt(segment);
  return n === undefined ? undefined : Number(n);
}
