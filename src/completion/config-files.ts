import { parseDefaultsList } from '../defaults/parse-entries.js';
import { GroupDefault } from '../defaults/entries.js';
import type { ConfigRepository, LoadedConfig } from '../sources/repository.js';
import type { Node, Scalar } from '../tree/node.js';
import { pythonScalarStr } from '../util/python.js';

/** A config value as completion keeps it: override text for leaves, ordered entries for nodes. Plain JSON, so it can be cached. */
export type SummaryTree = { v: string } | { d: Array<[string, SummaryTree]> } | { l: SummaryTree[] };

/** A group entry of a defaults list: the options it chooses and its `@package`. */
interface SummaryDefault {
  group: string;
  options: string[];
  package: string | null;
}

/** What completion needs of one config file. */
export interface FileSummary {
  tree: SummaryTree;
  defaults: SummaryDefault[];
  /** The `# @package` header, if any. */
  header: string | null;
}

/** The config directory as completion reads it: listings, and one file's summary at a time. */
export interface ConfigFiles {
  groupExists(group: string): boolean;
  listGroups(parent: string): string[];
  listOptions(group: string): string[];
  configExists(path: string): boolean;
  summary(path: string): FileSummary | undefined;
}

/**
 * Thrown when a file must be parsed and the YAML loader is not loaded yet: the query loads it and
 * asks again, so a TAB served from the cache never loads the parser.
 */
export class NeedsLoader extends Error {}

/** Completion never fails on a broken file or name: fewer candidates instead. */
export function quiet<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch (error) {
    if (error instanceof NeedsLoader) throw error;
    return undefined;
  }
}

/** Override text of a scalar: what `key=` needs to keep it (Hydra prints bools lower-case). */
function scalarText(value: Scalar, float: boolean | undefined): string {
  if (typeof value === 'boolean') return String(value);
  if (value === null) return 'null';
  return pythonScalarStr(value, float);
}

function toTree(node: Node): SummaryTree {
  if (node.kind === 'value') return { v: scalarText(node.value, node.float) };
  if (node.kind === 'list') return { l: node.items.map(toTree) };
  const entries: Array<[string, SummaryTree]> = [];
  for (const e of node.entries.values()) if (typeof e.key === 'string') entries.push([e.key, toTree(e.node)]);
  return { d: entries };
}

/** The summary of a loaded file. Pure. */
export function summarize(loaded: LoadedConfig): FileSummary {
  const defaults: SummaryDefault[] = [];
  for (const d of loaded.defaults ? (quiet(() => parseDefaultsList(loaded.path, loaded.defaults!)) ?? []) : []) {
    if (!(d instanceof GroupDefault) || d.value === null) continue;
    // Interpolated and mandatory (`???`) choices are not known before composing.
    const options = (Array.isArray(d.value) ? d.value : [d.value]).filter((v) => !v.includes('${') && v !== '???');
    defaults.push({ group: d.group.replace(/^\//, ''), options, package: d.package ?? null });
  }
  return { tree: toTree(loaded.root), defaults, header: loaded.packageHeader ?? null };
}

/** ConfigFiles over any repository (the in-memory one in tests). */
export function filesFromRepository(repo: ConfigRepository): ConfigFiles {
  return {
    groupExists: (group) => repo.groupExists(group),
    listGroups: (parent) => repo.listGroups(parent),
    listOptions: (group) => repo.listOptions(group),
    configExists: (path) => repo.configExists(path),
    summary(path) {
      const loaded = repo.loadConfig(path);
      return loaded ? summarize(loaded) : undefined;
    },
  };
}
