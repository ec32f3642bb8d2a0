import type { Node, Origin } from '../tree/node.js';

/** A config file after loading: its content without the defaults list, and what it declared. */
export interface LoadedConfig {
  /** Config path inside the search path, without extension: `db/mysql`. */
  path: string;
  /** The file as shown in messages. */
  file: string;
  /** The content, with the `defaults` key removed. */
  root: Node;
  /** The raw defaults list node, when the file has one. */
  defaults: Node | undefined;
  /** The `# @package` header, when present. */
  packageHeader: string | undefined;
  /** Where the file starts, for errors about the whole file. */
  origin: Origin;
}

/**
 * Where configs come from. Composition sees files only through this interface, so it stays
 * pure given a repository, and tests use an in-memory one.
 */
export interface ConfigRepository {
  /** Loads `path` (`db/mysql`, `config`); undefined when no source has it. */
  loadConfig(path: string): LoadedConfig | undefined;
  configExists(path: string): boolean;
  groupExists(group: string): boolean;
  /** Option names of a group, sorted, without extension. */
  listOptions(group: string): string[];
  /** Sub-groups directly under a group ('' for the top level). */
  listGroups(parent: string): string[];
  /** The search path, for messages. */
  describeSources(): string[];
  /** Directories of the search path that do not exist, for messages (file repositories). */
  missingSources?(): string[];
}
