import type { Node, Origin } from '../tree/node.js';
import { keyText } from '../tree/node.js';

/** The node at a path of plain keys (zod issue paths), and the closest origin on the way. */
export function locate(root: Node, path: readonly PropertyKey[]): { node: Node | undefined; origin: Origin | undefined } {
  let node: Node | undefined = root;
  let origin = root.origin;
  for (const segment of path) {
    if (node?.kind === 'dict') {
      const entry: { node: Node } | undefined = [...node.entries.values()].find((e) => keyText(e) === String(segment));
      node = entry?.node;
    } else if (node?.kind === 'list' && typeof segment === 'number') node = node.items[segment];
    else node = undefined;
    if (!node) break;
    origin = node.origin ?? origin;
  }
  return { node, origin };
}
