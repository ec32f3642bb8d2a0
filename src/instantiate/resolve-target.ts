import { readdirSync, realpathSync } from 'node:fs';
import { basename, dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TrellisError, closest, didYouMean } from '../errors/index.js';
import type { TargetFactory, TargetRegistry } from './registry.js';
import type { ConfigSchema } from '../validate/validate.js';

/** A `_target_` made callable: what to call, how, and what to check its options with. */
export interface ResolvedTarget {
  factory: TargetFactory;
  /** The target as the config wrote it, for messages. */
  label: string;
  schema?: ConfigSchema | undefined;
}

export interface TargetScope {
  /** The project root: module targets must lie inside it (after following symbolic links). */
  root: string;
  registry: TargetRegistry | undefined;
  /** Targets already resolved during one `instantiate` call. */
  cache: Map<string, ResolvedTarget>;
}

const FILE_TARGET = /^\.\.?\//;

/** `./src/models.js:MLP` → the module path and the export (`a.b` reaches a nested member). */
function splitFileTarget(text: string): { file: string; exportPath: string } | undefined {
  const colon = text.lastIndexOf(':');
  if (colon < 0) return undefined;
  return { file: text.slice(0, colon), exportPath: text.slice(colon + 1) };
}

function targetError(message: string, hint?: string, cause?: unknown): TrellisError {
  return new TrellisError('INSTANTIATE_TARGET', message, { hint, cause });
}

function realRoot(root: string): string {
  try {
    return realpathSync(root);
  } catch (e) {
    throw targetError(`The project root ${root} does not exist`, undefined, e);
  }
}

function inside(root: string, path: string): boolean {
  const rel = relative(root, path);
  return rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel));
}

/** Files beside the one asked for whose names are close: the likely typo. */
function nearbyFiles(path: string): string | undefined {
  try {
    return didYouMean(basename(path), readdirSync(dirname(path)));
  } catch {
    return undefined;
  }
}

/** The file a module target names, checked to stay inside the project and out of its dependencies. */
function moduleFile(text: string, file: string, root: string): string {
  const lexical = resolve(root, file);
  if (!inside(root, lexical))
    throw new TrellisError('PATH_ESCAPE', `Target '${text}' points outside the project root`, {
      hint: 'module targets are files of this project (./src/models.js:Name); register anything else with app.register(name, factory)',
    });
  let real: string;
  try {
    real = realpathSync(lexical);
  } catch (e) {
    throw targetError(
      `Module not found: ${file} (target '${text}')`,
      nearbyFiles(lexical) ?? 'the path is relative to the project root; point at the file Node runs (the compiled .js, or .ts with type stripping)',
      e,
    );
  }
  if (!inside(realRoot(root), real))
    throw new TrellisError('PATH_ESCAPE', `Target '${text}' leads outside the project root through a symbolic link`, {
      hint: 'module targets are files of this project; register anything else with app.register(name, factory)',
    });
  if (relative(root, lexical).split(sep).includes('node_modules'))
    throw targetError(
      `Target '${text}' is inside node_modules`,
      'a config may load only the project’s own modules; register a dependency’s export with app.register(name, factory)',
    );
  return real;
}

function member(module: Record<string, unknown>, exportPath: string, text: string): unknown {
  let value: unknown = module;
  let walked = '';
  for (const name of exportPath.split('.')) {
    const holder = value as Record<string, unknown> | null | undefined;
    const has = holder !== null && (typeof holder === 'object' || typeof holder === 'function') && Object.hasOwn(holder, name);
    if (!has) {
      const known = holder !== null && (typeof holder === 'object' || typeof holder === 'function') ? Object.keys(holder) : [];
      const where = walked ? `'${walked}'` : 'the module';
      throw targetError(
        `Export not found: ${where} has no '${name}' (target '${text}')`,
        didYouMean(name, known) ?? (known.length ? `it has: ${known.slice(0, 12).join(', ')}` : undefined),
      );
    }
    value = holder[name];
    walked = walked ? `${walked}.${name}` : name;
  }
  return value;
}

async function resolveFileTarget(text: string, scope: TargetScope): Promise<ResolvedTarget> {
  const split = splitFileTarget(text);
  if (!split || !split.exportPath)
    throw targetError(
      `Target '${text}' names a module but no export`,
      `write the export after a colon: ${split ? split.file : text}:default or ${split ? split.file : text}:MyClass`,
    );
  const file = moduleFile(text, split.file, scope.root);
  let module: Record<string, unknown>;
  try {
    module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (e) {
    throw targetError(`Module ${split.file} could not be loaded (target '${text}'): ${e instanceof Error ? e.message : String(e)}`, undefined, e);
  }
  return { factory: callable(member(module, split.exportPath, text), text), label: text };
}

function callable(value: unknown, text: string): TargetFactory {
  if (typeof value === 'function') return value as TargetFactory;
  throw targetError(`Target '${text}' is not callable: it is ${value === null ? 'null' : typeof value}`, 'a target must be a function or a class');
}

/**
 * Turns a `_target_` string into a factory: a module of the project (`./path.js:Export`) or a
 * registered name. Nothing else is loaded, so a config cannot run code the project did not
 * choose (Hydra 1.4 adds an allowlist for the same reason).
 */
export async function resolveTarget(target: unknown, scope: TargetScope): Promise<ResolvedTarget> {
  if (typeof target === 'function') return { factory: target as TargetFactory, label: target.name || '(anonymous function)' };
  if (typeof target !== 'string') throw targetError(`_target_ must be a string, got ${target === null ? 'null' : typeof target}`);
  const cached = scope.cache.get(target);
  if (cached) return cached;
  const entry = scope.registry?.get(target);
  let resolved: ResolvedTarget;
  if (entry) resolved = { factory: entry.factory, label: target, schema: entry.schema };
  else if (FILE_TARGET.test(target)) resolved = await resolveFileTarget(target, scope);
  else {
    const names = scope.registry?.names() ?? [];
    const near = closest(target, names);
    throw targetError(
      `Target '${target}' is neither a module of the project nor a registered name`,
      near.length
        ? `did you mean ${near.map((n) => `'${n}'`).join(' or ')}?`
        : `write a module target (./src/models.js:${target.split('.').pop()}) or register it: app.register('${target}', factory)` +
            (names.length ? `; registered: ${names.join(', ')}` : ''),
    );
  }
  scope.cache.set(target, resolved);
  return resolved;
}
