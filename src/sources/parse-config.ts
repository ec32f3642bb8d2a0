import { dictNode, type DictNode, type Node } from '../tree/node.js';
import type { LoadedYaml } from '../yaml/load.js';
import { checkTreeSyntax } from '../interpolate/index.js';
import type { LoadedConfig } from './repository.js';

/** The `@package` value of a file's leading comments (Hydra's header syntax), if any. */
export function packageHeaderOf(headerComments: string[]): string | undefined {
  for (const line of headerComments) {
    const match = /^\s*@package\s*(.*?)\s*$/.exec(line);
    if (match) return match[1] ?? '';
  }
  return undefined;
}

/** Splits a loaded file into content and defaults list (a `defaults` key holding a list). */
export function toLoadedConfig(path: string, file: string, loaded: LoadedYaml): LoadedConfig {
  // OmegaConf parses every `${…}` when a file loads, so grammar errors surface even in unused values.
  checkTreeSyntax(loaded.root);
  let root: Node = loaded.root;
  let defaults: Node | undefined;
  if (root.kind === 'dict') {
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
