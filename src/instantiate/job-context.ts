import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { ErrorWhere } from '../errors/index.js';
import type { ProvenanceEntry } from '../run/provenance.js';
import { appendIndex, appendKey } from '../util/key-path.js';
import type { TargetRegistry } from './registry.js';

/** What `instantiate` knows about the job whose config it is given, without being told. */
export interface JobContext {
  /** The project root: the app's working directory. */
  root: string;
  registry: TargetRegistry | undefined;
  /** Where the value at a key path was set (file:line:col or an override), when known. */
  where(keyPath: string): ErrorWhere | undefined;
}

/** A config object handed to a job → its key path and its job. Weak: the job's config owns the entries. */
const placed = new WeakMap<object, { keyPath: string; job: JobContext }>();
/** An app's job function → that app's registry, so the job thread finds it too. */
const registries = new WeakMap<object, TargetRegistry>();

export function bindRegistry(job: object, registry: TargetRegistry): void {
  registries.set(job, registry);
}

export function registryOf(job: object): TargetRegistry | undefined {
  return registries.get(job);
}

function isContainer(value: unknown): value is object {
  return value !== null && typeof value === 'object';
}

/**
 * Marks every mapping and list of a job's config with its key path, so `instantiate(cfg.model)`
 * can name `model` and find where its `_target_` was set. Costs one walk of the config.
 */
export function bindJobConfig(config: unknown, job: JobContext): void {
  const visit = (value: unknown, keyPath: string) => {
    if (!isContainer(value) || placed.has(value)) return;
    placed.set(value, { keyPath, job });
    if (Array.isArray(value)) value.forEach((item, i) => visit(item, appendIndex(keyPath, i)));
    else for (const [k, v] of Object.entries(value)) visit(v, appendKey(keyPath, k));
  };
  visit(config, '');
}

export function placeOf(value: unknown): { keyPath: string; job: JobContext } | undefined {
  return isContainer(value) ? placed.get(value) : undefined;
}

/** The text of a line of a config file, for the caret excerpt; nothing when it cannot be read. */
function sourceLine(file: string, line: number): string | undefined {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/)[line - 1];
  } catch {
    return undefined;
  }
}

/** Locations from a run's provenance.json (file paths relative to `cwd`), read only when an error needs one. */
export function provenanceLocator(file: string, cwd: string): (keyPath: string) => ErrorWhere | undefined {
  let entries: Record<string, ProvenanceEntry> | null | undefined;
  return (keyPath) => {
    if (entries === undefined) {
      try {
        entries = JSON.parse(readFileSync(file, 'utf8')) as Record<string, ProvenanceEntry>;
      } catch {
        entries = null;
      }
    }
    const entry = entries && Object.hasOwn(entries, keyPath) ? entries[keyPath] : undefined;
    if (entry?.file !== undefined && entry.line !== undefined) {
      const text = sourceLine(resolve(cwd, entry.file), entry.line);
      return { kind: 'file', file: entry.file, line: entry.line, col: entry.col ?? 1, ...(text === undefined ? {} : { sourceLine: text }) };
    }
    if (entry?.override !== undefined) return { kind: 'override', text: entry.override, index: entry.overrideIndex ?? 0 };
    return undefined;
  };
}
