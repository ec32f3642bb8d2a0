import type { Dereference } from '../compose/merge.js';
import { createDefaultResolvers, resolveTree, resolveValueAt, type ResolveContext, type ResolverRegistry } from '../interpolate/index.js';
import { dictNode, setKey, fromPlain, type DictNode, type Node } from '../tree/node.js';
import { mergeRoot } from '../compose/merge.js';
import { loadYaml } from '../yaml/load.js';

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv | Record<string, string | undefined>;
  /** The composed `hydra`/`trellis` node. */
  runtime?: DictNode;
  /** Group choices, visible as `${hydra:runtime.choices.X}`. */
  choices?: Record<string, string | null>;
  /** Further runtime values (job name, run dir…), merged into the runtime node. */
  runtimeValues?: Record<string, unknown>;
  /** The run's time for `${now:…}`: one instant per run. */
  now?: Date;
  resolvers?: ResolverRegistry;
  /** Collects values of secret-looking environment variables that were read. */
  secrets?: Set<string>;
}

/** The runtime node as `${hydra:…}` sees it: the config's node plus what trellis computed. */
function runtimeNode(options: ResolveOptions): DictNode {
  let runtime = dictNode();
  if (options.runtime) runtime = mergeRoot(runtime, options.runtime) as DictNode;
  const computed = dictNode();
  if (options.choices) setKey(computed, 'runtime', fromPlain({ choices: options.choices }));
  if (options.runtimeValues) runtime = mergeRoot(runtime, fromPlain(options.runtimeValues)) as DictNode;
  return mergeRoot(runtime, computed) as DictNode;
}

export function createResolveContext(options: ResolveOptions = {}): ResolveContext {
  const now = options.now ?? new Date();
  return {
    env: { ...(options.env ?? {}) },
    resolvers: options.resolvers ?? createDefaultResolvers(),
    now: () => now,
    runtime: runtimeNode(options),
    secrets: options.secrets ?? new Set(),
    parseYaml: (text) => loadYaml(text, '<oc.create>').root,
  };
}

/** What merging needs from interpolation: the node `${x}` points at, or undefined. */
export function dereferenceFor(ctx: ResolveContext): Dereference {
  return (root, path) => {
    try {
      return resolveValueAt(root, path, ctx);
    } catch {
      return undefined;
    }
  };
}

/** A copy of `root` with every interpolation resolved; `???` stays. */
export function resolveTreeWith(root: Node, options: ResolveOptions = {}): Node {
  return resolveTree(root, createResolveContext(options));
}
