import { TrellisError } from '../errors/index.js';
import { GroupDefault, type DefaultsTreeNode, type InputDefault, type ResultDefault } from './entries.js';

function resultOf(tree: DefaultsTreeNode, node: InputDefault): ResultDefault | undefined {
  const name = node.getName();
  if (name === null || name === undefined || node.deleted) return undefined;
  if (node.isSelf()) {
    return {
      configPath: tree.node.getConfigPath(),
      package: tree.node.getFinalPackage(),
      isSelf: true,
      primary: tree.node.primary,
      parent: tree.parent?.node.getConfigPath(),
      overrideKey: undefined,
    };
  }
  return {
    configPath: node.getConfigPath(),
    package: node.getFinalPackage(),
    isSelf: false,
    primary: node.primary,
    parent: tree.node.getConfigPath(),
    overrideKey: node instanceof GroupDefault ? node.getOverrideKey() : undefined,
  };
}

/** Flattens the defaults tree into the ordered list of configs to merge. */
export function defaultsTreeToList(tree: DefaultsTreeNode, isIgnoredGroup: (group: string) => boolean = () => false): ResultDefault[] {
  const out: ResultDefault[] = [];
  const visit = (node: DefaultsTreeNode) => {
    if (node.children === undefined || node.children.length === 0) {
      if (node.node instanceof GroupDefault && isIgnoredGroup(node.node.getGroupPath())) return;
      const r = resultOf(node, node.node);
      if (r && !node.node.isMissing()) out.push(r);
      return;
    }
    for (const child of node.children) {
      if ('node' in child) visit(child);
      else {
        if (child instanceof GroupDefault && isIgnoredGroup(child.getGroupPath())) continue;
        const r = resultOf(node, child);
        if (r && !child.isMissing()) out.push(r);
      }
    }
  };
  visit(tree);
  const keys = new Set<string>();
  for (const item of out) {
    if (item.isSelf || item.overrideKey === undefined) continue;
    if (keys.has(item.overrideKey)) {
      throw new TrellisError('DEFAULTS_DUPLICATE', `${item.overrideKey} appears more than once in the final defaults list`, {
        hint: `select '${item.overrideKey}' once; use 'override ${item.overrideKey}: …' to change an earlier selection`,
      });
    }
    keys.add(item.overrideKey);
  }
  return out;
}

/** Group → chosen option, as Hydra records in `hydra.runtime.choices`. */
export function choicesOf(knownChoices: Map<string, string | null | undefined>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  // Choices are found last entry first; list them in defaults-list order.
  for (const [key, value] of [...knownChoices].reverse())
    Object.defineProperty(out, key, { value: value ?? null, enumerable: true, writable: true, configurable: true });
  return out;
}
