import { TrellisError, didYouMean } from '../errors/index.js';
import type { ConfigRepository } from '../sources/repository.js';
import { ConfigDefault, GroupDefault, type DefaultsTreeNode, type InputDefault } from './entries.js';
import type { DefaultsOverrides } from './overrides.js';
import { parseDefaultsList } from './parse-entries.js';
import { createDefaultResolvers, resolveValueAt } from '../interpolate/index.js';
import type { ResolveContext } from '../interpolate/types.js';
import { dictNode, listNode, setKey, valueNode } from '../tree/node.js';

interface BuildContext {
  repo: ConfigRepository;
  overrides: DefaultsOverrides;
  skipMissing: boolean;
  /** Groups that trellis does not model (Hydra's own `hydra/…` groups): selections are recorded, not loaded. */
  isIgnoredGroup: (group: string) => boolean;
}

function optionsList(repo: ConfigRepository, group: string): string[] {
  return repo.groupExists(group) ? repo.listOptions(group) : [];
}

/** Every group path of the repository (model, model/encoder …), for suggestions; a bounded walk. */
function allGroups(repo: ConfigRepository, limit = 500): string[] {
  const out: string[] = [];
  const queue = [''];
  while (queue.length && out.length < limit) {
    const parent = queue.shift()!;
    for (const name of repo.listGroups(parent)) {
      const path = parent ? `${parent}/${name}` : name;
      out.push(path);
      queue.push(path);
    }
  }
  return out;
}

function configNotFound(ctx: BuildContext, tree: DefaultsTreeNode): TrellisError {
  const element = tree.node;
  const search = ctx.repo.describeSources();
  const searchText = `config search path: ${search.join(', ')}`;
  if (element.primary) {
    // As Hydra, a config directory that is not there is named as such, not as a missing file in it.
    const primaryDir = search[0];
    const missing = (ctx.repo.missingSources?.() ?? []).find((dir) => primaryDir === `file://${dir}`);
    if (missing !== undefined) {
      return new TrellisError('CONFIG_NOT_FOUND', `Primary config directory not found: ${missing}`, {
        hint: `run from the project's directory, give its config directory with --config-dir DIR, or start a project there with trellis init`,
      });
    }
    return new TrellisError('CONFIG_NOT_FOUND', `Cannot find primary config '${element.getConfigPath()}'. Check that it's in your config search path.`, {
      hint: `${didYouMean(element.getConfigPath(), optionsList(ctx.repo, '')) ?? ''} ${searchText}`.trim(),
    });
  }
  const parent = tree.parent?.node;
  const prefix = parent ? `In '${parent.getConfigPath()}': ` : '';
  if (element instanceof GroupDefault) {
    const group = element.getGroupPath();
    const options = optionsList(ctx.repo, group);
    const name = String(element.getName());
    const exists = ctx.repo.groupExists(group);
    const suggestion = exists ? didYouMean(name, options) : didYouMean(group, allGroups(ctx.repo));
    const available = exists ? `available options in '${group}': ${options.join(', ') || '(none)'}` : `there is no config group '${group}'`;
    return new TrellisError(exists ? 'GROUP_OPTION_NOT_FOUND' : 'GROUP_NOT_FOUND', `${prefix}Could not find '${element.getConfigPath()}'`, {
      where: element.origin,
      hint: [suggestion, available, searchText].filter(Boolean).join('; '),
    });
  }
  return new TrellisError('CONFIG_NOT_FOUND', `${prefix}Could not load '${element.getConfigPath()}'.`, { where: element.origin, hint: searchText });
}

/** True (skip the node) for a `???` choice when allowed; an error listing the options otherwise. */
function checkNotMissing(ctx: BuildContext, d: InputDefault): boolean {
  if (!d.getConfigPath().endsWith('???')) return false;
  if (ctx.skipMissing) return true;
  const group = d.getGroupPath();
  const options = optionsList(ctx.repo, group);
  throw new TrellisError('DEFAULTS_MISSING_CHOICE', `You must specify '${group}', e.g, ${group}=<OPTION>`, {
    where: d.origin,
    hint: `available options: ${options.join(', ') || '(none)'}`,
  });
}

function validateSelf(containing: InputDefault, defaults: InputDefault[]): boolean {
  let hasSelf = false;
  let hasNonOverride = false;
  for (const d of defaults) {
    if (!d.isOverride()) hasNonOverride = true;
    if (d.isSelf()) {
      if (hasSelf) throw new TrellisError('DEFAULTS_INVALID', `Duplicate _self_ defined in ${containing.getConfigPath()}`, { where: d.origin });
      hasSelf = true;
    }
  }
  if ((!hasSelf && hasNonOverride) || defaults.length === 0) defaults.push(new ConfigDefault('_self_'));
  return !hasSelf;
}

function updateOverrides(ctx: BuildContext, defaults: InputDefault[], parent: InputDefault, interpolatedSubtree: boolean): void {
  let lastOverride: GroupDefault | undefined;
  for (const d of defaults) {
    if (d.isSelf()) continue;
    d.updateParent(parent.getGroupPath(), parent.getFinalPackage());
    const isExternalAppend = d instanceof GroupDefault && d.externalAppend;
    if (lastOverride && !(d.isOverride() || isExternalAppend)) {
      throw new TrellisError(
        'DEFAULTS_INVALID',
        `In ${parent.getConfigPath()}: Override '${lastOverride.getOverrideKey()} : ${String(lastOverride.getName())}' is defined before '${d instanceof GroupDefault ? d.getOverrideKey() : d.getConfigPath()}: ${String(d.getName())}'. Overrides must be at the end of the defaults list`,
        { where: d.origin, hint: 'move the override entries to the end of the defaults list' },
      );
    }
    if (d instanceof GroupDefault && d.override) {
      lastOverride = d;
      if (interpolatedSubtree) {
        throw new TrellisError(
          'DEFAULTS_INVALID',
          `${parent.getConfigPath()}: Default List Overrides are not allowed in the subtree of an interpolated config group (override ${d.getOverrideKey()}=${String(d.getName())}).`,
          { where: d.origin },
        );
      }
      ctx.overrides.addOverride(parent.getConfigPath(), d);
    }
  }
}

function updatePackageHeader(ctx: BuildContext, node: InputDefault): void {
  if (node.isMissing() || node.getName() === null || node.getName() === undefined) return;
  if (node.packageHeader !== undefined) return;
  if (node instanceof GroupDefault && ctx.isIgnoredGroup(node.getGroupPath())) return;
  const loaded = ctx.repo.configExists(node.getConfigPath()) ? ctx.repo.loadConfig(node.getConfigPath()) : undefined;
  if (loaded) node.setPackageHeader(loaded.packageHeader);
}

/**
 * `${db}` in a choice, resolved as Hydra 1.3 does: with OmegaConf, against a config made of the
 * group choices known so far (keys are override keys: `db`, `server/db`, `db@backup`) and this
 * config's `defaults`. The result must be a string.
 */
function resolveChoiceInterpolation(d: GroupDefault, known: Map<string, string | null | undefined>, defaults: InputDefault[], selfAdded: boolean): void {
  const text = String(d.value);
  const keys = [...known.keys()];
  const fail = (cause?: unknown) =>
    new TrellisError('DEFAULTS_INVALID', `Error resolving interpolation '${text}'${keys.length ? `, possible interpolation keys: ${keys.join(', ')}` : ''}`, {
      where: d.origin,
      hint: didYouMean(/\$\{\s*([^}]*?)\s*\}/.exec(text)?.[1] ?? text, keys),
      cause,
    });
  if (/\$\{defaults\.\d+\./.test(text)) {
    throw new TrellisError('DEFAULTS_INVALID', `Defaults list element '${d.getOverrideKey()}=${text}' is using a deprecated interpolation form.`, {
      where: d.origin,
      hint: 'refer to the choice by its group: ${db} instead of ${defaults.0.db}',
    });
  }
  const root = dictNode();
  for (const [key, value] of known) setKey(root, key, valueNode(value ?? null));
  const list = listNode();
  for (const x of defaults) {
    if (selfAdded && x.isSelf()) continue;
    if (x instanceof GroupDefault) {
      const entry = dictNode();
      setKey(entry, x.getOverrideKey(), Array.isArray(x.value) ? listNode(x.value.map((v) => valueNode(v))) : valueNode(x.value));
      list.items.push(entry);
    } else list.items.push(valueNode(x.getConfigPath()));
  }
  setKey(root, 'defaults', list);
  // The value sits one level down, as Hydra parents a `{_dummy_: value}` node on the choices.
  const holder = dictNode();
  setKey(holder, '_dummy_', valueNode(text));
  setKey(root, HOLDER_KEY, holder);
  let resolved: ReturnType<typeof resolveValueAt>;
  try {
    resolved = resolveValueAt(root, [HOLDER_KEY, '_dummy_'], createChoiceContext(), { strict: true });
  } catch (error) {
    if (error instanceof TrellisError) throw fail(error);
    throw error;
  }
  if (resolved?.kind !== 'value' || typeof resolved.value !== 'string') throw fail();
  d.value = resolved.value;
}

const HOLDER_KEY = '\u0000choice';

function createChoiceContext(): ResolveContext {
  return { env: {}, resolvers: createDefaultResolvers(), now: () => new Date(0), secrets: new Set() };
}

function buildImpl(ctx: BuildContext, root: DefaultsTreeNode, isRootConfig: boolean, interpolatedSubtree: boolean): DefaultsTreeNode {
  const parent = root.node;
  const children: Array<DefaultsTreeNode | InputDefault> = [];
  if (isRootConfig) {
    parent.updateParent('', '');
    if (!ctx.repo.configExists(parent.getConfigPath())) throw configNotFound(ctx, root);
  }
  updatePackageHeader(ctx, parent);
  if (ctx.overrides.isDeleted(parent)) {
    ctx.overrides.delete(parent);
    return root;
  }
  ctx.overrides.setKnownChoice(parent);
  const name = parent.getName();
  if (name === null || name === undefined) return root;
  if (checkNotMissing(ctx, parent)) return root;
  if (parent instanceof GroupDefault && ctx.isIgnoredGroup(parent.getGroupPath())) return root;

  const path = parent.getConfigPath();
  // A config that (indirectly) lists itself would expand forever; Hydra dies of recursion here.
  const chain: string[] = [];
  for (let t: DefaultsTreeNode | undefined = root.parent; t; t = t.parent) chain.unshift(t.node.getConfigPath());
  if (chain.includes(path)) {
    throw new TrellisError('DEFAULTS_CYCLE', `The defaults lists form a cycle: ${[...chain.slice(chain.indexOf(path)), path].join(' → ')}`, {
      where: parent.origin,
      hint: `remove '${path}' from the defaults list of '${chain[chain.length - 1]}'`,
    });
  }
  const loaded = ctx.repo.configExists(path) ? ctx.repo.loadConfig(path) : undefined;
  if (!loaded) {
    if (parent.isOptional()) {
      parent.deleted = true;
      return root;
    }
    throw configNotFound(ctx, root);
  }
  const defaults = loaded.defaults ? parseDefaultsList(path, loaded.defaults) : [];
  let selfAdded = false;
  if (defaults.length > 0 || (isRootConfig && ctx.overrides.appendGroupDefaults.length > 0)) selfAdded = validateSelf(parent, defaults);
  if (isRootConfig) defaults.push(...ctx.overrides.appendGroupDefaults);
  updateOverrides(ctx, defaults, parent, interpolatedSubtree);

  const addChild = (list: typeof children, newRoot: DefaultsTreeNode) => {
    const subtree = buildImpl(ctx, newRoot, false, interpolatedSubtree);
    list.push(subtree.children === undefined ? newRoot.node : subtree);
  };

  // Reverse order: later entries register their choices (and `override`s) before earlier ones.
  for (const d of [...defaults].reverse()) {
    if (d.isSelf()) {
      d.updateParent(root.node.parentBaseDir ?? '', root.node.getPackage() ?? '');
      children.push(d);
      continue;
    }
    if (d.isOverride()) continue;
    d.updateParent(parent.getGroupPath(), parent.getFinalPackage());
    if (d instanceof GroupDefault && ctx.overrides.isOverridden(d)) ctx.overrides.overrideDefaultOption(d);
    if (d instanceof GroupDefault && d.isOptions()) {
      for (const item of [...(d.value as string[])].reverse()) {
        if (item.includes('${')) {
          throw new TrellisError('DEFAULTS_INVALID', `In '${path}': Defaults List interpolation is not supported in options list items`, { where: d.origin });
        }
        const node = new ConfigDefault(`${d.group}/${item}`, d.package, d.origin);
        node.updateParent(parent.getGroupPath(), parent.getFinalPackage());
        // An options list still counts as this group's selection, for runtime choices.
        addChild(children, { node, parent: root, children: undefined });
      }
      continue;
    }
    if (d.isInterpolation()) {
      children.push(d);
      continue;
    }
    addChild(children, { node: d, parent: root, children: undefined });
  }

  // Deferred interpolations, at every level: the choices of everything built so far are known.
  {
    for (let i = 0; i < children.length; i++) {
      const d = children[i]!;
      if (d instanceof GroupDefault && d.isInterpolation()) {
        resolveChoiceInterpolation(d, ctx.overrides.knownChoices, defaults, selfAdded);
        d.updateParent(parent.getGroupPath(), parent.getFinalPackage());
        const newRoot: DefaultsTreeNode = { node: d, parent: root, children: undefined };
        const subtree = buildImpl(ctx, newRoot, false, true);
        if (subtree.children !== undefined) children[i] = subtree;
      }
    }
  }
  if (children.length > 0) root.children = children.reverse();
  return root;
}

export interface BuildTreeOptions {
  skipMissing?: boolean;
  isIgnoredGroup?: (group: string) => boolean;
  /** Groups whose overrides may match no entry (besides ignored ones). */
  isUnmatchedOk?: (group: string) => boolean;
}

/** Builds the defaults tree of a primary config (Hydra 1.3's algorithm), applying group overrides. */
export function buildDefaultsTree(repo: ConfigRepository, configName: string, overrides: DefaultsOverrides, options: BuildTreeOptions = {}): DefaultsTreeNode {
  const primary = new ConfigDefault(configName);
  primary.primary = true;
  const ctx: BuildContext = {
    repo,
    overrides,
    skipMissing: options.skipMissing ?? false,
    isIgnoredGroup: options.isIgnoredGroup ?? (() => false),
  };
  const tree = buildImpl(ctx, { node: primary, parent: undefined, children: undefined }, true, false);
  const unmatchedOk = options.isUnmatchedOk ?? ctx.isIgnoredGroup;
  overrides.ensureOverridesUsed((key) => unmatchedOk(key.split('@')[0] ?? key));
  return tree;
}
