import { TrellisError } from '../errors/index.js';
import { dictNode, setKey, valueNode, type DictNode, type Node, type ValueNode } from '../tree/node.js';
import type { LoadedYaml } from '../yaml/load.js';
import { checkTreeSyntax } from '../interpolate/index.js';
import type { LoadedConfig } from './repository.js';

/**
 * The `@package` value of a file's header (Hydra's ConfigSource._get_header_dict): the leading
 * `# @KEY VALUE` lines, up to the first other line, a plain comment included.
 */
function packageHeaderOf(headerComments: readonly string[], file: string): string | undefined {
  let pkg: string | undefined;
  for (const [i, line] of headerComments.entries()) {
    if (line.trim() === '') continue;
    if (!/^\s*@/.test(line)) break;
    const words = line.trim().split(/\s+/);
    const where = { kind: 'file' as const, file, line: i + 1, col: 1 };
    if (words.length < 2)
      throw new TrellisError('YAML_SYNTAX', `Expected header format: KEY VALUE, got '${line.trim()}'`, { where, hint: 'e.g. # @package _global_' });
    if (words.length > 2) throw new TrellisError('YAML_SYNTAX', `Too many components in '${line.trim()}'`, { where, hint: 'a package is one word: a.b.c' });
    if (words[0] === '@package') pkg = words[1];
  }
  return pkg;
}

/** A `defaults` that is no list but names a config group: `db` or `{db: mysql, …}` (keys as a defaults list writes them). */
function namesGroup(node: Node, isGroup: (group: string) => boolean): boolean {
  const group = (text: string) => {
    const name = text
      .replace(/^((override|optional)\s+)+/, '')
      .replace(/@.*$/, '')
      .replace(/^\//, '')
      .trim();
    return name !== '' && isGroup(name);
  };
  if (node.kind === 'dict') return [...node.entries.values()].some((e) => group(String(e.key)));
  return node.kind === 'value' && typeof node.value === 'string' && group(node.value);
}

/**
 * A file whose YAML is a scalar, read as OmegaConf.load does: empty is `{}`, a string `s` is the
 * dict `{s: null}`, anything else cannot be a config.
 */
function scalarRoot(file: string, root: ValueNode): Node {
  if (root.value === null) return dictNode(root.origin);
  if (typeof root.value === 'string') {
    const dict = dictNode(root.origin);
    setKey(dict, root.value, valueNode(null, false, root.origin));
    return dict;
  }
  throw new TrellisError('YAML_SYNTAX', `Invalid loaded object type: ${typeof root.value === 'boolean' ? 'bool' : root.float ? 'float' : 'int'} (in ${file})`, {
    where: root.origin ?? { kind: 'file', file, line: 1, col: 1 },
    hint: 'a config file holds a mapping (or a list)',
  });
}

/** Splits a loaded file into content and defaults list (a `defaults` key holding a list). */
export function toLoadedConfig(path: string, file: string, loaded: LoadedYaml, isGroup: (group: string) => boolean = () => false): LoadedConfig {
  // OmegaConf parses every `${…}` when a file loads, so grammar errors surface even in unused values.
  checkTreeSyntax(loaded.root);
  let root: Node = loaded.root;
  let defaults: Node | undefined;
  if (root.kind === 'value') root = scalarRoot(file, root);
  if (root.kind === 'dict') {
    const entry = root.entries.get('defaults');
    if (entry && entry.node.kind !== 'list' && namesGroup(entry.node, isGroup)) {
      // Hydra rejects any `defaults` that is not a list. Here one that names a config group (the
      // slip `defaults:` + `db: mysql`) is an error; others stay content, as when OmegaConf merges
      // plain layers, where `defaults` is a key like any other.
      // Python's type names, as Hydra's message gives them.
      const got = entry.node.kind === 'dict' ? 'mapping' : entry.node.kind === 'value' && typeof entry.node.value === 'string' ? 'str' : 'scalar';
      throw new TrellisError('DEFAULTS_INVALID', `Invalid defaults list in '${path}', defaults must be a list (got ${got})`, {
        where: entry.node.origin ?? { kind: 'file', file, line: 1, col: 1 },
        hint: 'write one entry per line, each starting with "- ", e.g.\ndefaults:\n  - db: mysql\n  - _self_',
      });
    }
    if (entry && entry.node.kind === 'list') {
      defaults = entry.node;
      const rest: DictNode = dictNode(root.origin);
      for (const [id, e] of root.entries) if (id !== 'defaults') rest.entries.set(id, e);
      root = rest;
    }
  }
  return {
    path,
    file,
    root,
    defaults,
    packageHeader: packageHeaderOf(loaded.headerComments, file),
    origin: { kind: 'file', file, line: 1, col: 1 },
  };
}
