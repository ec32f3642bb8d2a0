import type { Node } from '../tree/node.js';
import { keyText } from '../tree/node.js';

export interface ProvenanceEntry {
  /** The value as composed (interpolations kept), for scalars. */
  value?: unknown;
  file?: string;
  line?: number;
  col?: number;
  override?: string;
  overrideIndex?: number;
}

/**
 * Key path → where its value was set, for every node of a composed config (provenance.json).
 * Lets `trellis explain` answer for a past run without recomposing from files that may have changed.
 */
export function provenanceOf(root: Node): Record<string, ProvenanceEntry> {
  const out: Record<string, ProvenanceEntry> = {};
  const visit = (node: Node, path: string) => {
    const entry: ProvenanceEntry = {};
    if (node.kind === 'value') entry.value = typeof node.value === 'bigint' ? node.value.toString() : node.value;
    const o = node.origin;
    if (o?.kind === 'file') Object.assign(entry, { file: o.file, line: o.line, col: o.col });
    else if (o?.kind === 'override') Object.assign(entry, { override: o.text, overrideIndex: o.index });
    if (path) Object.defineProperty(out, path, { value: entry, enumerable: true, writable: true, configurable: true });
    if (node.kind === 'dict') for (const e of node.entries.values()) visit(e.node, path ? `${path}.${keyText(e)}` : keyText(e));
    else if (node.kind === 'list') node.items.forEach((item, i) => visit(item, `${path}[${i}]`));
  };
  visit(root, '');
  return out;
}
