import type { Node } from '../../src/tree/node.js';
import { keyText } from '../../src/tree/node.js';

/**
 * A tree as plain data that keeps what matters for OmegaConf compatibility: floats are tagged
 * `{ $float: n }` so that `1` and `1.0` compare different.
 */
export function tagged(node: Node): unknown {
  if (node.kind === 'value') {
    if (node.float) return { $float: node.value };
    return typeof node.value === 'bigint' ? { $int: node.value.toString() } : node.value;
  }
  if (node.kind === 'list') return node.items.map(tagged);
  const out: Record<string, unknown> = {};
  for (const entry of node.entries.values()) {
    const key = typeof entry.key === 'string' ? entry.key : `<${typeof entry.key}>${keyText(entry)}`;
    out[key] = tagged(entry.node);
  }
  return out;
}
