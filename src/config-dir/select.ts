import { selectNode } from '../interpolate/index.js';
import type { Node } from '../tree/node.js';
import { parseKeyPath } from '../util/key-path.js';
import { createResolveContext, type ResolveOptions } from './resolve.js';
import { checkArgs } from '../errors/check-args.js';

export interface SelectOptions extends ResolveOptions {
  /** Resolve interpolations in the selected node (OmegaConf.select semantics: `???` reads as null). */
  resolve?: boolean;
}

/** The node at a dotted key (`a.b`, `l.0`, `l[0]`), or undefined when absent. */
export function selectPath(root: Node, path: string, options: SelectOptions = {}): Node | undefined {
  checkArgs('selectPath', [
    ['root', root, 'node'],
    ['path', path, 'string'],
    ['options', options, 'object'],
  ]);
  if (options.resolve) return selectNode(root, path, createResolveContext(options));
  let node: Node | undefined = root;
  for (const segment of parseKeyPath(path)) {
    if (node?.kind === 'dict') node = node.entries.get(segment)?.node;
    else if (node?.kind === 'list' && /^\d+$/.test(segment)) node = node.items[Number(segment)];
    else return undefined;
  }
  return node;
}
