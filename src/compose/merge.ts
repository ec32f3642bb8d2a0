import { TrellisError } from '../errors/index.js';
import { cloneNode, dictNode, isContainer, isInterpolation, isMissing, keyText, type DictNode, type ListNode, type Node } from '../tree/node.js';
import { formatKeyPath, type PathSegment } from '../util/key-path.js';

export type { PathSegment };

/**
 * Resolves the interpolation held at `path` of `root` to the node it points at, or undefined when
 * it cannot be resolved yet. Merging needs it: OmegaConf merges a dict onto an interpolation by
 * copying the dict it points at first.
 */
export type Dereference = (root: Node, path: readonly PathSegment[]) => Node | undefined;

export interface MergeOptions {
  dereference?: Dereference | undefined;
  /** Struct mode (Hydra's composed config under a plain override): a key `dest` lacks is an error. */
  onNewKey?: ((path: readonly PathSegment[]) => never) | undefined;
}

function mergeError(dest: Node, src: Node, path: readonly PathSegment[]): TrellisError {
  const kind = (n: Node) => (n.kind === 'dict' ? 'a mapping' : n.kind === 'list' ? 'a list' : 'a value');
  return new TrellisError('MERGE_TYPE', `Cannot merge ${kind(src)} into ${kind(dest)}`, {
    where: src.origin,
    keyPath: formatKeyPath(path) || undefined,
    hint: `${formatKeyPath(path) || 'the root'} holds ${kind(dest)}${dest.origin?.kind === 'file' ? ` (set at ${dest.origin.file}:${dest.origin.line})` : ''}; lists and mappings cannot be merged into each other: replace the value or change its type in both places`,
  });
}

/**
 * Merges `src` into the dict `dest` in place with OmegaConf's rules: mappings merge deeply, lists
 * and scalars replace, `???` never replaces anything, a list and a mapping do not merge.
 * `root`/`path` locate `dest` for resolving interpolations met on the way.
 */
export function mergeDict(dest: DictNode, src: DictNode, root: Node, path: PathSegment[] = [], options: MergeOptions = {}): void {
  for (const [id, srcEntry] of src.entries) {
    const srcNode = srcEntry.node;
    const key = keyText(srcEntry);
    const childPath = [...path, key];
    const destEntry = dest.entries.get(id);
    if (!destEntry) {
      if (options.onNewKey) options.onNewKey(childPath);
      dest.entries.set(id, { ...srcEntry, node: cloneNode(srcNode) });
      continue;
    }
    let destNode = destEntry.node;
    const srcMissing = srcNode.kind === 'value' && isMissing(srcNode);
    if ((srcNode.kind !== 'value' || srcMissing) && isInterpolation(destNode)) {
      // OmegaConf swaps `${x}` for a copy of the container x before merging into it (even when
      // the new value is `???`, which then keeps the copy); unresolvable: left as it is.
      const target = options.dereference?.(root, childPath);
      if (isContainer(target)) {
        destNode = cloneNode(target);
        destEntry.node = destNode;
      }
    }
    if (srcMissing) continue;
    if (destNode.kind === 'dict' && srcNode.kind === 'dict') {
      mergeDict(destNode, srcNode, root, childPath, options);
    } else if (destNode.kind === 'list' && srcNode.kind === 'list') {
      destEntry.node = cloneNode(srcNode);
    } else if (destNode.kind !== 'value' && srcNode.kind !== 'value') {
      throw mergeError(destNode, srcNode, childPath);
    } else if (destNode.kind === 'value' && srcNode.kind === 'dict' && isMissing(destNode)) {
      // OmegaConf assigns the dict over `???`: a replacement, so struct mode does not apply.
      const fresh = dictNode(srcNode.origin);
      destEntry.node = fresh;
      mergeDict(fresh, srcNode, root, childPath, { ...options, onNewKey: undefined });
    } else {
      destEntry.node = cloneNode(srcNode);
    }
  }
}

/** Merges any two nodes at the root of a composition (dicts merge, lists replace). */
export function mergeRoot(dest: Node, src: Node, options: MergeOptions = {}): Node {
  if (dest.kind === 'dict' && src.kind === 'dict') {
    mergeDict(dest, src, dest, [], options);
    return dest;
  }
  if (dest.kind === 'list' && src.kind === 'list') return cloneNode(src as ListNode);
  if (dest.kind === 'dict' && dest.entries.size === 0) return cloneNode(src);
  throw mergeError(dest, src, []);
}
