import { TrellisError, type ErrorWhere } from '../errors/index.js';
import { appendIndex, appendKey, formatKeyPath } from '../util/key-path.js';
import { placeOf } from './job-context.js';
import type { TargetRegistry } from './registry.js';
import { resolveTarget, type ResolvedTarget, type TargetScope } from './resolve-target.js';

export interface InstantiateOptions {
  /** Registered targets; default: those of the app whose job received the config. */
  registry?: TargetRegistry;
  /** Where module targets are looked up; default: the app's working directory, else `process.cwd()`. */
  root?: string;
  /** The config's key path, for messages (`model`); default: found from the job's config. */
  keyPath?: string;
  /** Where the value at a key path was set; default: the run's provenance. */
  where?: (keyPath: string) => ErrorWhere | undefined;
}

/** Keys instantiate reads itself; they never reach the target. */
const RESERVED = new Set(['_target_', '_args_', '_recursive_', '_partial_', '_convert_', '_new_']);

interface Walk {
  scope: TargetScope;
  where: (keyPath: string) => ErrorWhere | undefined;
  /** Key paths whose value the call site gave: their origin is code, not a config file. */
  fromCallSite: Set<string>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/** An own property, whatever its name (`__proto__` included): configs are data. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/**
 * The config with the call-site arguments merged in, as OmegaConf.merge does for Hydra: mappings
 * merge key by key, anything else (lists too) replaces. A copy: the job's config is never changed.
 */
function mergeArgs(config: unknown, args: unknown, keyPath: string, fromCallSite: Set<string>, given: boolean): unknown {
  if (given && !(isPlainObject(config) && isPlainObject(args))) {
    fromCallSite.add(keyPath);
    return copy(args);
  }
  if (isPlainObject(config)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(config)) put(out, k, mergeArgs(v, undefined, appendKey(keyPath, k), fromCallSite, false));
    if (given && isPlainObject(args))
      for (const [k, v] of Object.entries(args)) {
        const path = appendKey(keyPath, k);
        put(out, k, Object.hasOwn(config, k) ? mergeArgs(config[k], v, path, fromCallSite, true) : mergeArgs(undefined, v, path, fromCallSite, true));
      }
    return out;
  }
  return copy(config);
}

/** Plain mappings and lists copied; anything else (class instances, functions) kept as given. */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) put(out, k, copy(v));
    return out;
  }
  return value;
}

function flag(node: Record<string, unknown>, key: '_recursive_' | '_partial_' | '_new_', inherited: boolean, keyPath: string, walk: Walk): boolean {
  if (!Object.hasOwn(node, key)) return inherited;
  const value = node[key];
  if (typeof value === 'boolean') return value;
  const at = appendKey(keyPath, key);
  throw new TrellisError('INSTANTIATE_ARGS', `${at} must be true or false, got ${JSON.stringify(value)}`, {
    keyPath: at,
    where: walk.fromCallSite.has(at) ? undefined : walk.where(at),
  });
}

const classes = new WeakMap<object, boolean>();

/** A class must be called with `new`; its source text says so (native classes need `_new_: true`). */
function isClass(fn: object): boolean {
  let known = classes.get(fn);
  if (known === undefined) {
    known = /^class[\s{]/.test(Function.prototype.toString.call(fn));
    classes.set(fn, known);
  }
  return known;
}

interface Call {
  target: ResolvedTarget;
  args: unknown[];
  kwargs: Record<string, unknown>;
  partial: boolean;
  construct: boolean;
  /** The registered schema's check; a partial runs it when the call is completed. */
  check: (options: Record<string, unknown>) => Record<string, unknown>;
}

/**
 * Calls the target: positional arguments first, then the keyword arguments as one options object
 * (left out when there are none and no schema). With `_partial_` it returns a function that adds
 * its own arguments, a trailing plain object merging into the options, like functools.partial.
 */
function callTarget({ target, args, kwargs, partial, construct, check }: Call): unknown {
  const factory = target.factory as (...a: unknown[]) => unknown;
  const withOptions = Object.keys(kwargs).length > 0 || target.schema !== undefined;
  const invoke = (all: unknown[]) => (construct ? Reflect.construct(factory, all) : factory(...all));
  if (!partial) return invoke(withOptions ? [...args, check(kwargs)] : args);
  const bound = (...more: unknown[]) => {
    const last = more.at(-1);
    if (withOptions && isPlainObject(last)) return invoke([...args, ...more.slice(0, -1), check({ ...kwargs, ...last })]);
    return invoke(withOptions ? [...args, ...more, check(kwargs)] : [...args, ...more]);
  };
  Object.defineProperty(bound, 'name', { value: `partial ${factory.name || target.label}` });
  return bound;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Checks the options against the registered schema: its output (defaults applied) is what the target gets. */
function checkOptions(target: ResolvedTarget, kwargs: Record<string, unknown>, keyPath: string, walk: Walk): Record<string, unknown> {
  if (!target.schema) return kwargs;
  const result = target.schema.safeParse(kwargs);
  if (result.success) return result.data as Record<string, unknown>;
  const problems = result.error.issues.map((issue) => {
    const at = formatKeyPath([...(keyPath ? [keyPath] : []), ...issue.path]);
    return new TrellisError('INSTANTIATE_ARGS', `${at}: ${issue.message.replace(/^Invalid input: /, '')} (arguments of '${target.label}')`, {
      keyPath: at,
      where: walk.fromCallSite.has(at) ? undefined : (walk.where(at) ?? walk.where(appendKey(keyPath, '_target_'))),
    });
  });
  const [first, ...rest] = problems;
  throw first!.derive({ related: rest });
}

async function instantiateNode(value: unknown, keyPath: string, recursive: boolean, partial: boolean, walk: Walk): Promise<unknown> {
  if (Array.isArray(value)) {
    const items: unknown[] = [];
    // One after another: depth first and in order, as Hydra builds them.
    for (let i = 0; i < value.length; i++) items.push(await instantiateNode(value[i], appendIndex(keyPath, i), recursive, false, walk));
    return items;
  }
  if (!isPlainObject(value)) return value;
  const isRecursive = flag(value, '_recursive_', recursive, keyPath, walk);
  if (!Object.hasOwn(value, '_target_')) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) put(out, k, await instantiateNode(v, appendKey(keyPath, k), isRecursive, false, walk));
    return out;
  }
  return buildTarget(value, keyPath, { recursive: isRecursive, partial: flag(value, '_partial_', partial, keyPath, walk) }, walk);
}

async function buildTarget(node: Record<string, unknown>, keyPath: string, modes: { recursive: boolean; partial: boolean }, walk: Walk): Promise<unknown> {
  const targetKey = appendKey(keyPath, '_target_');
  const located = (e: TrellisError) =>
    e.derive({
      message: `${keyPath || '(root)'}: ${e.message}`,
      keyPath: e.keyPath ?? keyPath,
      where: e.where ?? (walk.fromCallSite.has(targetKey) ? undefined : walk.where(targetKey)),
    });
  let target: ResolvedTarget;
  try {
    target = await resolveTarget(node._target_, walk.scope);
  } catch (e) {
    throw e instanceof TrellisError ? located(e) : e;
  }
  const rawArgs = Object.hasOwn(node, '_args_') ? node._args_ : [];
  if (!Array.isArray(rawArgs))
    throw located(new TrellisError('INSTANTIATE_ARGS', `_args_ must be a list, got ${JSON.stringify(rawArgs)}`, { keyPath: appendKey(keyPath, '_args_') }));
  const argsPath = appendKey(keyPath, '_args_');
  const args: unknown[] = [];
  for (let i = 0; i < rawArgs.length; i++) {
    const item = rawArgs[i];
    args.push(modes.recursive ? await instantiateNode(item, appendIndex(argsPath, i), true, false, walk) : item);
  }
  const kwargs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (RESERVED.has(k)) continue;
    put(kwargs, k, modes.recursive ? await instantiateNode(v, appendKey(keyPath, k), true, false, walk) : v);
  }
  const construct = flag(node, '_new_', isClass(target.factory), keyPath, walk);
  const check = (options: Record<string, unknown>) => checkOptions(target, options, keyPath, walk);
  // Bad options are the config's fault, not the target's: checked before the call and its try.
  // A partial's options are checked when its call completes them.
  const options = modes.partial ? kwargs : check(kwargs);
  try {
    const built = callTarget({ target, args, kwargs: options, partial: modes.partial, construct, check: modes.partial ? check : (o) => o });
    // An async factory (loading a dataset, say) is awaited like the rest of the tree.
    return modes.partial ? built : await built;
  } catch (e) {
    throw located(
      new TrellisError('INSTANTIATE_FAILED', `'${target.label}' failed: ${messageOf(e)}`, {
        cause: e,
        hint:
          e instanceof TypeError && /constructor|without 'new'/.test(e.message)
            ? 'a class the source text does not show as one needs `_new_: true`'
            : undefined,
      }),
    );
  }
}

/**
 * Builds objects from a config with Hydra's `instantiate` semantics: `_target_` names what to call
 * (a module of the project, `./src/models.js:MLP`, or a name registered with `app.register`);
 * the other keys become one options object, `_args_` the positional arguments. Nested configs
 * with a `_target_` are built first (`_recursive_: false` passes them as plain data);
 * `_partial_: true` returns a function that completes the call; `_convert_` is accepted and
 * ignored (values are always plain). `args` merge into the config first and win.
 */
export async function instantiate<T = unknown>(config: unknown, args: Record<string, unknown> = {}, options: InstantiateOptions = {}): Promise<T> {
  if (config === null || config === undefined) return null as T;
  const place = placeOf(config);
  const keyPath = options.keyPath ?? place?.keyPath ?? '';
  const walk: Walk = {
    scope: { root: options.root ?? place?.job.root ?? process.cwd(), registry: options.registry ?? place?.job.registry, cache: new Map() },
    where: options.where ?? place?.job.where ?? (() => undefined),
    fromCallSite: new Set(),
  };
  if (Array.isArray(config)) {
    if (args._partial_ === true)
      throw new TrellisError('INSTANTIATE_ARGS', `${keyPath || '(root)'}: _partial_ cannot be used to instantiate a list`, { keyPath: keyPath || undefined });
    const recursive = flag(args, '_recursive_', true, keyPath, walk);
    return (await instantiateNode(copy(config), keyPath, recursive, false, walk)) as T;
  }
  if (!isPlainObject(config))
    throw new TrellisError(
      'INSTANTIATE_ARGS',
      `Cannot instantiate ${typeof config === 'object' ? 'this object' : `a ${typeof config}`}: the config must be a mapping or a list`,
      {
        keyPath: keyPath || undefined,
      },
    );
  const merged = mergeArgs(config, args, keyPath, walk.fromCallSite, true) as Record<string, unknown>;
  const recursive = flag(merged, '_recursive_', true, keyPath, walk);
  const partial = flag(merged, '_partial_', false, keyPath, walk);
  if (!Object.hasOwn(merged, '_target_')) return (await instantiateNode(merged, keyPath, recursive, false, walk)) as T;
  return (await buildTarget(merged, keyPath, { recursive, partial }, walk)) as T;
}
