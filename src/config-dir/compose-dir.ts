import { resolve as resolvePath } from 'node:path';
import { compose, type Composition } from '../compose/compose.js';
import { TrellisError, type ErrorWhere } from '../errors/index.js';
import { parseOverride } from '../overrides/index.js';
import { createFsRepository } from '../sources/fs-repository.js';
import type { ConfigRepository } from '../sources/repository.js';
import type { Node } from '../tree/node.js';
import { resolveValueAt, type SelectOptions as SelectNodeOptions } from '../interpolate/resolve.js';
import { resolveTree, selectNode, type ResolveContext } from '../interpolate/index.js';
import { createResolveContext, dereferenceFor, type ResolveOptions } from './resolve.js';
import { runtimeContext, runtimeOf, runtimeValue, type JobIdentity } from './runtime.js';
import { checkArgs, type ArgSpec } from '../errors/check-args.js';

export interface ComposeDirOptions {
  configDir: string;
  configName: string;
  overrides?: readonly string[];
  multirun?: boolean;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** The config directory already opened (openConfigDir), for many compositions from one. */
  repository?: ConfigRepository;
}

/** The fields of ComposeDirOptions, checked for callers from plain JavaScript. */
export const COMPOSE_DIR_FIELDS: Record<string, ArgSpec> = {
  configDir: 'string',
  configName: 'string',
  overrides: 'strings?',
  multirun: 'boolean?',
  cwd: 'string?',
  env: 'object?',
  repository: 'object?',
};

const isSearchPathOverride = (text: string) => /^(hydra|trellis)\.searchpath\s*=/.test(text);

/** Whether the command line sets the search path (so a repository opened without it will not do). */
export const setsSearchPath = (overrides: readonly string[]) => overrides.some(isSearchPathOverride);

interface SearchPathEntry {
  text: string;
  where: ErrorWhere | undefined;
}

/**
 * `hydra.searchpath=[…]` on the command line replaces the primary config's list, as in Hydra
 * (which looks only at a plain `hydra.searchpath=` override, not `+`/`++`).
 */
function searchPathOverride(overrides: readonly string[]): SearchPathEntry[] | undefined {
  for (const [index, text] of overrides.entries()) {
    if (!isSearchPathOverride(text)) continue;
    const where: ErrorWhere = { kind: 'override', text, index };
    const { value } = parseOverride(text, index);
    const items = value?.kind === 'list' ? value.items : undefined;
    if (!items?.every((item) => item.kind === 'string' || item.kind === 'quoted')) {
      throw new TrellisError('OVERRIDE_VALUE_MISMATCH', `hydra.searchpath must be a list of strings, got '${text.slice(text.indexOf('=') + 1)}'`, {
        where,
        hint: 'e.g. hydra.searchpath=[file://more_configs]',
      });
    }
    return items.map((item) => ({ text: (item as { value: string }).value, where }));
  }
  return undefined;
}

/**
 * `hydra.searchpath` / `trellis.searchpath` entries of the primary config, unless the command
 * line replaces them. As Hydra reads them (OmegaConf.select on the primary file alone), an
 * entry's `${…}` resolves against that file's own keys, the environment and the resolvers.
 */
function primarySearchPath(repo: ConfigRepository, configName: string, env: NodeJS.ProcessEnv): SearchPathEntry[] {
  const primary = repo.configExists(configName) ? repo.loadConfig(configName) : undefined;
  if (primary?.root.kind !== 'dict') return [];
  const entries: SearchPathEntry[] = [];
  let ctx: ResolveContext | undefined;
  for (const key of ['hydra', 'trellis']) {
    const node = primary.root.entries.get(key)?.node;
    const list = node?.kind === 'dict' ? node.entries.get('searchpath')?.node : undefined;
    if (list?.kind !== 'list') continue;
    for (const [index, item] of list.items.entries()) {
      if (item.kind !== 'value' || typeof item.value !== 'string') continue;
      let text = item.value;
      if (text.includes('${')) {
        ctx ??= createResolveContext({ env });
        const resolved = resolveValueAt(primary.root, [key, 'searchpath', index], ctx, { strict: true });
        text = resolved?.kind === 'value' ? String(resolved.value) : text;
      }
      entries.push({ text, where: item.origin });
    }
  }
  return entries;
}

/** The search path entries in effect, as directories. */
function extraSearchPath(repo: ConfigRepository, configName: string, cwd: string, overrides: readonly string[], env: NodeJS.ProcessEnv): string[] {
  return (searchPathOverride(overrides) ?? primarySearchPath(repo, configName, env)).map(({ text, where }) => {
    if (text.startsWith('pkg://')) {
      throw new TrellisError('CONFIG_NOT_FOUND', `Search path entry '${text}' names a Python package, which trellis cannot read`, {
        where,
        hint: 'copy those configs into a directory and list it as file://DIR, or replace the list on the command line: hydra.searchpath=[file://DIR]',
      });
    }
    return resolvePath(cwd, text.replace(/^file:\/\//, ''));
  });
}

/**
 * Opens a config directory (plus its search path: the primary config's `hydra.searchpath`, or
 * the one `overrides` gives) as a repository.
 */
export function openConfigDir(
  configDir: string,
  configName: string,
  cwd: string = process.cwd(),
  overrides: readonly string[] = [],
  env: NodeJS.ProcessEnv = process.env,
): ConfigRepository {
  checkArgs('openConfigDir', [
    ['configDir', configDir, 'string'],
    ['configName', configName, 'string'],
    ['cwd', cwd, 'string'],
    ['overrides', overrides, 'strings'],
    ['env', env, 'object'],
  ]);
  const primaryRepo = createFsRepository([configDir], cwd);
  const extra = extraSearchPath(primaryRepo, configName, cwd, overrides, env);
  return extra.length ? createFsRepository([resolvePath(cwd, configDir), ...extra], cwd) : primaryRepo;
}

/** Composes `configName` from a directory with command-line overrides. */
export function composeFromDir(options: ComposeDirOptions): Composition {
  checkArgs('composeFromDir', [['options', options, 'object', COMPOSE_DIR_FIELDS]]);
  const cwd = options.cwd ?? process.cwd();
  const repo = options.repository ?? openConfigDir(options.configDir, options.configName, cwd, options.overrides ?? [], options.env ?? process.env);
  const ctx = createResolveContext({ env: options.env ?? process.env });
  return compose({
    repo,
    configName: options.configName,
    overrides: options.overrides ?? [],
    multirun: options.multirun ?? false,
    dereference: dereferenceFor(ctx),
    strictDereference: (root, path) => resolveValueAt(root, path, ctx, { strict: true }),
  });
}

/**
 * The composed config with every interpolation resolved (`???` stays). `${hydra:…}` and
 * `${trellis:…}` see the runtime values of a job named `job.name` (default: the config name).
 */
export function resolveComposition(composition: Composition, options: ComposedResolveOptions = {}): Node {
  checkArgs('resolveComposition', [
    ['composition', composition, 'object', { config: 'node', runtime: 'node' }],
    ['options', options, 'object'],
  ]);
  return resolveTree(composition.config, contextFor(composition, options));
}

export type ComposedResolveOptions = ResolveOptions & { job?: Partial<JobIdentity> };

function contextFor(composition: Composition, options: ComposedResolveOptions): ResolveContext {
  const cwd = options.job?.cwd ?? process.cwd();
  const job: JobIdentity = { name: composition.configName, configName: composition.configName, configDir: '', ...options.job, cwd };
  const raw = runtimeOf(composition, job);
  const base = createResolveContext({ ...options, runtime: raw });
  // Hydra leaves runtime.output_dir unset outside a run; it is the directory a run would get.
  const runDir = runtimeValue(runtimeContext(composition.config, raw, base), 'run.dir');
  const outputDir = resolvePath(cwd, runDir?.kind === 'value' && runDir.value !== null ? String(runDir.value) : 'outputs');
  return runtimeContext(composition.config, runtimeOf(composition, { ...job, outputDir: job.outputDir ?? outputDir }), base);
}

/**
 * One node of the composed config, resolved lazily as OmegaConf.select does: only what that node
 * needs is resolved (a broken sibling does not matter), `???` and absent keys read as null.
 */
export function selectComposed(composition: Composition, path: string, options: ComposedResolveOptions & SelectNodeOptions = {}): Node | undefined {
  return selectNode(composition.config, path, contextFor(composition, options), options);
}
