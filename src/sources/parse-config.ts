import { TrellisError } from '../errors/index.js';
import { dictNode, setKey, valueNode, type DictNode, type Node, type ValueNode } from '../tree/node.js';
import type { LoadedYaml } from '../yaml/load.js';
import { checkTreeSyntax } from '../interpolate/index.js';
import type { LoadedConfig } from './repository.js';

/** The `@package` value of a file's leading comments (Hydra's header syntax), if any. */
function packageHeaderOf(headerComments: string[]): string | undefined {
  for (const line of headerComments) {
    const match = /^\s*@package\s*(.*?)\s*$/.exec(line);
    if (match) return match[1] ?? '';
  }
  return undefined;
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
export function toLoadedConfig(path: string, file: string, loaded: LoadedYaml): LoadedConfig {
  // OmegaConf parses every `${…}` when a file loads, so grammar errors surface even in unused values.
  checkTreeSyntax(loaded.root);
  let root: Node = loaded.root;
  let defaults: Node | undefined;
  if (root.kind === 'value') root = scalarRoot(file, root);
  if (root.kind === 'dict') {
    // Hydra would reject a `defaults` key that is not a list; it stays content here because
    // layered OmegaConf configs (merged through the same path) use `defaults` as a plain key.
    const entry = root.entries.get('defaults');
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
    packageHeader: packageHeaderOf(loaded.headerComments),
    origin: { kind: 'file', file, line: 1, col: 1 },
  };
}
