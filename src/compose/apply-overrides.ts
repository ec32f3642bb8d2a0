import { TrellisError, collectErrors, didYouMean, type ErrorWhere } from '../errors/index.js';
import { cloneNode, dictNode, isInterpolation, isMissing, isNullValue, keyText, setKey, type DictNode, type Node } from '../tree/node.js';
import { mergeDict, type Dereference, type PathSegment } from './merge.js';
import { UNSAFE_KEYS, formatDottedKey, splitDottedKey } from '../util/key-path.js';

/** A command-line override of a config value (not a group choice). */
export interface ConfigOverride {
  text: string;
  index: number;
  type: 'change' | 'add' | 'force-add' | 'delete';
  /** Dotted key: `trainer.max_epochs`, `optimizer.betas.1`. */
  key: string;
  /** The new value; for deletion the value that must match, or undefined. */
  value: Node | undefined;
}

function whereOf(o: ConfigOverride): ErrorWhere {
  return { kind: 'override', text: o.text, index: o.index };
}

function child(node: Node, segment: string): { node: Node | undefined; key: PathSegment } {
  if (node.kind === 'dict') return { node: node.entries.get(segment)?.node, key: segment };
  if (node.kind === 'list' && /^\d+$/.test(segment)) return { node: node.items[Number(segment)], key: Number(segment) };
  return { node: undefined, key: segment };
}

/**
 * OmegaConf.select(throw_on_missing=False): undefined when absent, `???` counts as null. As in
 * OmegaConf, an interpolation on the way that cannot be resolved, or a list indexed by a word,
 * is an error (with `strict`, the dereference throws).
 */
function select(root: Node, segments: string[], dereference: Dereference | undefined, o?: ConfigOverride): Node | undefined {
  let node: Node | undefined = root;
  const path: PathSegment[] = [];
  for (const segment of segments) {
    if (!node) return undefined;
    if (isInterpolation(node) && dereference) node = dereference(root, path) ?? node;
    if (o && node.kind === 'list' && !/^\s*[+-]?\d+\s*$/.test(segment)) {
      throw new TrellisError('OVERRIDE_INVALID', `Could not apply '${o.text}': the list at '${formatDottedKey(path)}' cannot be indexed by '${segment}'`, {
        where: whereOf(o),
        keyPath: o.key,
        hint: 'list elements are reached by position: key.0, key.1, …',
      });
    }
    const next = child(node, segment);
    path.push(next.key);
    node = next.node;
  }
  if (node && isInterpolation(node) && dereference) node = dereference(root, path) ?? node;
  return node;
}

function isNullish(node: Node | undefined): boolean {
  return node === undefined || (node.kind === 'value' && (node.value === null || isMissing(node)));
}

function sameValue(a: Node, b: Node): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'value' && b.kind === 'value') {
    return a.value === b.value || (typeof a.value === 'number' && typeof b.value === 'number' && Number.isNaN(a.value) && Number.isNaN(b.value));
  }
  if (a.kind === 'list' && b.kind === 'list') return a.items.length === b.items.length && a.items.every((x, i) => sameValue(x, b.items[i]!));
  if (a.kind === 'dict' && b.kind === 'dict') {
    return (
      a.entries.size === b.entries.size &&
      [...a.entries].every(([id, e]) => {
        const other = b.entries.get(id);
        return other !== undefined && sameValue(e.node, other.node);
      })
    );
  }
  return false;
}

function render(node: Node): string {
  if (node.kind === 'value') return String(node.value);
  return node.kind === 'list' ? '[…]' : '{…}';
}

function siblingsHint(container: Node | undefined, segment: string): string | undefined {
  if (container?.kind !== 'dict') return undefined;
  return didYouMean(
    segment,
    [...container.entries.values()].map((e) => keyText(e)),
  );
}

/**
 * OmegaConf.update(merge=True) under Hydra's struct mode: only `force` may create keys. Path
 * segments that do not hold a dict or list (absent, a scalar, `???`, an interpolation) are
 * replaced by `{}`, which struct mode only allows with `force`; the last key merges only into a
 * dict or list it already holds, anything else (an interpolation too) is replaced.
 */
function update(root: DictNode, o: ConfigOverride, value: Node, force: boolean, dereference: Dereference | undefined): void {
  const segments = splitDottedKey(o.key);
  let container: Node = root;
  const path: PathSegment[] = [];
  const fix = o.type === 'change' ? `+${o.text}` : o.text.replace(/^\++/, '+');
  const notFound = (shownKey: string) =>
    new TrellisError('OVERRIDE_KEY_MISSING', `Could not override '${o.key}': the key '${shownKey}' is not in the config`, {
      where: whereOf(o),
      keyPath: o.key,
      hint: [siblingsHint(container, splitDottedKey(shownKey).pop() ?? ''), `to append to your config use ${fix}`, `to add or override use +${fix}`]
        .filter(Boolean)
        .join('; '),
    });
  const indexError = (segment: string, list: { items: Node[] }) =>
    new TrellisError('OVERRIDE_INVALID', `Could not override '${o.key}': list index ${segment} is out of range (the list has ${list.items.length} items)`, {
      where: whereOf(o),
      keyPath: o.key,
    });
  for (let i = 0; i < segments.length - 1; i++) {
    const segment = segments[i]!;
    let next = child(container, segment);
    if (!next.node || next.node.kind === 'value') {
      if (container.kind === 'list' && (!/^\d+$/.test(segment) || Number(segment) >= container.items.length)) throw indexError(segment, container);
      if (!force) throw notFound(formatDottedKey(segments.slice(0, next.node ? i + 2 : i + 1)));
      const fresh = dictNode(value.origin);
      if (container.kind === 'dict') setKey(container, segment, fresh);
      else if (container.kind === 'list') container.items[Number(segment)] = fresh;
      next = { node: fresh, key: next.key };
    }
    path.push(next.key);
    container = next.node!;
  }
  const last = segments[segments.length - 1]!;
  const onNewKey = force
    ? undefined
    : (at: readonly PathSegment[]): never => {
        const keyPath = formatDottedKey(at);
        throw new TrellisError('OVERRIDE_KEY_MISSING', `Could not override '${o.key}': the key '${keyPath}' is not in the config`, {
          where: whereOf(o),
          keyPath,
          hint: `to merge new keys into '${o.key}' use ++${o.text}`,
        });
      };
  const mergeInto = (current: Node, at: PathSegment[]): boolean => {
    if (value.kind === 'value' || current.kind === 'value') return false;
    if (current.kind === 'dict' && value.kind === 'dict') mergeDict(current, value, root, at, { dereference, onNewKey });
    else if (current.kind !== value.kind) {
      const kind = (n: Node) => (n.kind === 'dict' ? 'a mapping' : 'a list');
      throw new TrellisError('MERGE_TYPE', `Could not override '${o.key}': cannot merge ${kind(value)} into ${kind(current)}`, {
        where: whereOf(o),
        keyPath: o.key,
      });
    }
    return current.kind === 'dict';
  };
  if (container.kind === 'list') {
    if (!/^\d+$/.test(last) || Number(last) >= container.items.length) throw indexError(last, container);
    const current = container.items[Number(last)]!;
    if (!mergeInto(current, [...path, Number(last)])) container.items[Number(last)] = cloneNode(value);
    return;
  }
  if (container.kind !== 'dict') throw notFound(o.key);
  if (UNSAFE_KEYS.has(last)) {
    throw new TrellisError('UNSAFE_KEY', `The key '${last}' is not allowed in a config`, { where: whereOf(o), keyPath: o.key, hint: 'rename the key' });
  }
  const existing = container.entries.get(last);
  if (!existing && !force) throw notFound(o.key);
  if (existing && mergeInto(existing.node, [...path, last])) return;
  setKey(container, last, cloneNode(value));
}

function remove(root: DictNode, o: ConfigOverride, dereference: Dereference | undefined): void {
  const segments = splitDottedKey(o.key);
  let current: Node | undefined;
  try {
    current = select(root, segments, dereference, o);
  } catch (e) {
    // Deleting reads the value first (as Hydra does), which may resolve an interpolation: the
    // failure names the override that caused it (Hydra: "Error merging override ~b").
    if (!(e instanceof TrellisError) || e.where?.kind === 'override') throw e;
    throw e.derive({
      message: `Error merging override '${o.text}': ${e.message}`,
      where: whereOf(o),
      hint: [e.hint, `overrides apply in the order given; ${o.text} reads '${o.key}' before the ones after it apply`].filter(Boolean).join('; '),
    });
  }
  if (isNullish(current)) {
    throw new TrellisError('OVERRIDE_KEY_MISSING', `Could not delete from config. '${o.key}' does not exist.`, {
      where: whereOf(o),
      keyPath: o.key,
      hint: siblingsHint(select(root, segments.slice(0, -1), dereference), segments[segments.length - 1] ?? ''),
    });
  }
  // `~key=null` deletes whatever the value is, as in Hydra (and as a sweep hands a bare `~key` on).
  if (o.value !== undefined && !isNullValue(o.value) && !sameValue(o.value, current!)) {
    throw new TrellisError(
      'OVERRIDE_VALUE_MISMATCH',
      `Could not delete from config. The value of '${o.key}' is ${render(current!)} and not ${render(o.value)}.`,
      {
        where: whereOf(o),
        keyPath: o.key,
        hint: `use ~${o.key} to delete whatever the value is`,
      },
    );
  }
  const parent = segments.length === 1 ? root : select(root, segments.slice(0, -1), dereference);
  const last = segments[segments.length - 1]!;
  // Hydra deletes with `del node[key]`, which a list refuses for a key given as text.
  if (parent?.kind === 'list') {
    throw new TrellisError('OVERRIDE_INVALID', `Could not delete '${o.key}': list elements cannot be deleted with ~`, {
      where: whereOf(o),
      keyPath: o.key,
      hint: `replace the whole list instead: ${formatDottedKey(segments.slice(0, -1))}=[…]`,
    });
  }
  if (parent?.kind === 'dict') parent.entries.delete(last);
}

/** Applies value overrides in order, as Hydra does after composing; collects every failure. */
export function applyConfigOverrides(root: DictNode, overrides: ConfigOverride[], dereference?: Dereference, strictDereference?: Dereference): void {
  const problems = collectErrors();
  const selectDereference = strictDereference ?? dereference;
  for (const o of overrides) {
    problems.attempt(() => {
      if (o.type === 'delete') remove(root, o, selectDereference);
      else if (o.type === 'add') {
        const existing = select(root, splitDottedKey(o.key), selectDereference, o);
        if (!isNullish(existing) && o.value?.kind === 'value') {
          throw new TrellisError('OVERRIDE_KEY_EXISTS', `Could not append to config. An item is already at '${o.key}'.`, {
            where: whereOf(o),
            keyPath: o.key,
            hint: `either remove the + prefix: '${o.text.slice(1)}', or add a second + to add or override: '+${o.text}'`,
          });
        }
        update(root, o, o.value!, true, dereference);
      } else update(root, o, o.value!, o.type === 'force-add', dereference);
    });
  }
  problems.throwIfAny();
}
