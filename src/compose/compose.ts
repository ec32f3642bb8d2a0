import { TrellisError, collectErrors, didYouMean, type ErrorWhere } from '../errors/index.js';
import { buildDefaultsTree } from '../defaults/build-tree.js';
import type { ResultDefault } from '../defaults/entries.js';
import { DefaultsOverrides, type GroupOverride } from '../defaults/overrides.js';
import { choicesOf, defaultsTreeToList } from '../defaults/to-list.js';
import { checkSweepsAllowed, groupChoiceOf, parseOverrides, valueToNode, type Override } from '../overrides/index.js';
import type { ConfigRepository } from '../sources/repository.js';
import { dictNode, isNullValue, setKey, type DictNode, type Node } from '../tree/node.js';
import { splitDottedKey } from '../util/key-path.js';
import { checkTreeSyntax } from '../interpolate/index.js';
import { applyConfigOverrides, type ConfigOverride } from './apply-overrides.js';
import { mergeRoot, type Dereference } from './merge.js';
import { checkArgs } from '../errors/check-args.js';

/** Names of the node that configures trellis itself; `hydra` is read as an alias. */
const RUNTIME_KEYS = ['hydra', 'trellis'] as const;

export interface ComposeOptions {
  repo: ConfigRepository;
  configName: string;
  /** Command-line overrides, as typed. */
  overrides?: readonly string[];
  /** In multirun, sweep overrides are left to the sweeper instead of being errors. */
  multirun?: boolean;
  /** Resolves an interpolation during merging (OmegaConf merges dicts into what `${x}` points at). */
  dereference?: Dereference;
  /** Like `dereference`, but throws when the interpolation cannot be resolved (OmegaConf.select under `+`/`~`). */
  strictDereference?: Dereference;
}

export interface Composition {
  /** The job's config: no `hydra`/`trellis` node. Interpolations are kept. */
  config: DictNode;
  /** The merged `hydra` and `trellis` nodes. */
  runtime: DictNode;
  /** Group → chosen option (Hydra's runtime.choices). */
  choices: Record<string, string | null>;
  /** The configs merged, in order. */
  defaults: ResultDefault[];
  /** Every parsed override, sweeps included. */
  overrides: Override[];
  /** The primary config it was composed from. */
  configName: string;
  /** Deprecated forms met on the way, one line each (Hydra warns about the same ones). */
  warnings: string[];
}

const isHydraGroup = (group: string) => group === 'hydra' || group.startsWith('hydra/');

/**
 * The groups of Hydra's own config (hydra/conf/config.yaml, and the Optuna sweeper's sampler).
 * Every Hydra app's defaults list holds them implicitly, so overriding one always has a match in
 * Hydra, even when the config dir adds options to it (conf/hydra/job_logging/custom.yaml).
 */
const HYDRA_OWN_GROUPS = new Set(
  ['output', 'launcher', 'sweeper', 'sweeper/sampler', 'help', 'hydra_help', 'hydra_logging', 'job_logging', 'callbacks', 'env'].map((g) => `hydra/${g}`),
);
/** A hydra/… group the config dir lacks: selections in it are recorded, not loaded. */
const isIgnoredHydraGroup = (repo: ConfigRepository, group: string) => isHydraGroup(group) && !repo.groupExists(group);

function where(o: Override): ErrorWhere {
  return { kind: 'override', text: o.text, index: o.index };
}

function wrapInPackage(node: Node, pkg: string): Node {
  if (!pkg) return node;
  let wrapped = node;
  for (const segment of splitDottedKey(pkg).reverse()) {
    const parent = dictNode(node.origin);
    setKey(parent, segment, wrapped);
    wrapped = parent;
  }
  return wrapped;
}

function splitOverrides(repo: ConfigRepository, overrides: Override[]) {
  const groupOverrides: GroupOverride[] = [];
  const configOverrides: ConfigOverride[] = [];
  const problems = collectErrors();
  for (const o of overrides) {
    if (o.isSweep) continue;
    const isDict = o.value !== undefined && o.value.kind === 'dict';
    const isGroup = !isDict && o.key !== '' && (repo.groupExists(o.key) || (isHydraGroup(o.key) && o.key.includes('/')));
    problems.attempt(() => {
      if (!isGroup) {
        if (o.package !== undefined) {
          throw new TrellisError('GROUP_NOT_FOUND', `Override ${o.text} looks like a config group override, but config group '${o.key}' does not exist.`, {
            where: where(o),
          });
        }
        const value = o.value === undefined ? undefined : valueToNode(o.value, where(o));
        if (value) checkTreeSyntax(value);
        configOverrides.push({ text: o.text, index: o.index, type: o.type, key: o.key, value });
        return;
      }
      if (o.type === 'force-add') {
        throw new TrellisError('OVERRIDE_INVALID', `force-add of config groups is not supported: '${o.text}'`, {
          where: where(o),
          hint: `use +${o.text.slice(2)} to add the group, or ${o.text.slice(2)} to change its option`,
        });
      }
      const value = o.type === 'delete' && o.value === undefined ? undefined : groupChoiceOf(o);
      groupOverrides.push({ text: o.text, index: o.index, type: o.type, group: o.key, package: o.package, value });
    });
  }
  problems.throwIfAny();
  return { groupOverrides, configOverrides };
}

/** Takes the `hydra` and `trellis` nodes out of a composed config (trellis wins where both set a key). */
function extractRuntime(config: DictNode): DictNode {
  let runtime = dictNode();
  for (const key of RUNTIME_KEYS) {
    const entry = config.entries.get(key);
    if (!entry) continue;
    config.entries.delete(key);
    if (entry.node.kind === 'dict') runtime = mergeRoot(runtime, entry.node) as DictNode;
  }
  return runtime;
}

/** Composes a job config from a repository the way Hydra 1.3 does. Pure given the repository. */
export function compose(options: ComposeOptions): Composition {
  checkArgs('compose', [['options', options, 'object', { repo: 'object', configName: 'string', overrides: 'strings?', multirun: 'boolean?' }]]);
  const { repo, configName } = options;
  const overrides = parseOverrides([...(options.overrides ?? [])]);
  // In a multirun the sweeper owns the sweeps; the base composition leaves them out.
  checkSweepsAllowed(overrides, options.multirun ? 'multirun' : 'run');
  const { groupOverrides, configOverrides } = splitOverrides(repo, overrides);

  const defaultsOverrides = new DefaultsOverrides(groupOverrides);
  // In a multirun a group left at ??? may be the one being swept (`-m db=mysql,postgresql`): as
  // in Hydra, the base composition skips it and each job gets its choice.
  const tree = buildDefaultsTree(repo, configName, defaultsOverrides, {
    isIgnoredGroup: (g) => isIgnoredHydraGroup(repo, g),
    // An override of one of Hydra's own groups matches Hydra's implicit entry for it, even when
    // the config dir has options of that group: recorded as a choice, not loaded.
    isUnmatchedOk: (g) => HYDRA_OWN_GROUPS.has(g) || isIgnoredHydraGroup(repo, g),
    skipMissing: options.multirun ?? false,
  });
  const defaults = defaultsTreeToList(tree, (g) => isIgnoredHydraGroup(repo, g));

  let merged: Node = dictNode();
  const warnings: string[] = [];
  for (const item of defaults) {
    const loaded = repo.loadConfig(item.configPath);
    if (!loaded) continue;
    const header = loaded.packageHeader;
    if (header !== undefined && /_group_|_name_/.test(header)) {
      warnings.push(
        `'${item.configPath}' has '# @package ${header}': _group_ and _name_ in a package header are deprecated since Hydra 1.1. ` +
          `trellis keeps their Hydra 1.0 meaning (the group path, the option name); a group option's package is its group path anyway, so the header can go`,
      );
    }
    const placed = wrapInPackage(loaded.root, item.package);
    if (!item.primary && placed.kind === 'dict') {
      const hydraNode = placed.entries.get('hydra')?.node;
      const searchpath = hydraNode?.kind === 'dict' ? hydraNode.entries.get('searchpath')?.node : undefined;
      if (searchpath && !isNullValue(searchpath)) {
        throw new TrellisError('DEFAULTS_INVALID', `In '${item.configPath}': Overriding hydra.searchpath is only supported from the primary config`, {
          where: searchpath.origin,
        });
      }
    }
    merged = mergeRoot(merged, placed, { dereference: options.dereference });
  }
  if (merged.kind !== 'dict') {
    throw new TrellisError('MERGE_TYPE', `The composed config must be a mapping, but '${defaults[0]?.configPath ?? configName}' is a list`, {
      hint: 'a group option whose root is a list needs a package, e.g. `- group@key: option`',
    });
  }
  const config = merged;
  const runtime = extractRuntime(config);
  const runtimeOverrides: ConfigOverride[] = [];
  const jobOverrides: ConfigOverride[] = [];
  for (const o of configOverrides) {
    const head = splitDottedKey(o.key)[0] ?? '';
    if ((RUNTIME_KEYS as readonly string[]).includes(head) && o.key.includes('.')) {
      // The runtime node is open: any `hydra.…`/`trellis.…` key may be set without `+`.
      runtimeOverrides.push({ ...o, key: o.key.slice(head.length + 1), type: o.type === 'change' ? 'force-add' : o.type });
    } else jobOverrides.push(o);
  }
  applyConfigOverrides(runtime, runtimeOverrides, options.dereference, options.strictDereference);
  applyConfigOverrides(config, jobOverrides, options.dereference, options.strictDereference);
  warnings.push(...unknownRuntimeKeys(runtime));
  return {
    config,
    runtime,
    choices: { ...choicesOf(defaultsOverrides.knownChoices), ...hydraPluginChoices(repo, defaultsOverrides) },
    defaults,
    overrides,
    configName,
    warnings,
  };
}

/** The keys of Hydra's HydraConf sections whose meaning trellis follows (hydra/conf/__init__.py). */
const RUNTIME_SECTION_KEYS: Record<string, readonly string[]> = {
  run: ['dir'],
  sweep: ['dir', 'subdir'],
  job: ['name', 'chdir', 'override_dirname', 'id', 'num', 'config_name', 'env_set', 'env_copy', 'config'],
};

/**
 * A key of `hydra.run`, `hydra.sweep` or `hydra.job` (or `trellis.…`) that Hydra's schema lacks:
 * a typo there (`hydra.run.dri=…`) would otherwise be ignored, and the run go elsewhere. Hydra
 * rejects it; trellis warns, as it accepts configs written for other Hydra versions.
 */
function unknownRuntimeKeys(runtime: Node): string[] {
  if (runtime.kind !== 'dict') return [];
  const out: string[] = [];
  for (const [section, known] of Object.entries(RUNTIME_SECTION_KEYS)) {
    const node = runtime.entries.get(section)?.node;
    if (node?.kind !== 'dict') continue;
    for (const entry of node.entries.values()) {
      const key = String(entry.key);
      if (known.includes(key)) continue;
      const suggestion = didYouMean(key, known);
      out.push(
        `hydra.${section}.${key} is not a key of hydra.${section}, and nothing reads it${suggestion ? ` (${suggestion})` : `; its keys: ${known.join(', ')}`}`,
      );
    }
  }
  return out;
}

/**
 * Selections in Hydra's own groups that trellis does not load (`override hydra/sweeper: optuna`,
 * `hydra/launcher=joblib`): recorded as choices, as Hydra records them, so the sweep settings
 * can map them to trellis's sweepers and launchers.
 */
function hydraPluginChoices(repo: ConfigRepository, overrides: DefaultsOverrides): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const [key, value] of overrides.overrideChoices) {
    if (typeof value !== 'string') continue;
    if (isIgnoredHydraGroup(repo, key) || (HYDRA_OWN_GROUPS.has(key) && !overrides.wasUsed(key))) out[key] = value;
  }
  return out;
}
