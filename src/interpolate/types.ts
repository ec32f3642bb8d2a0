import type { Node, Scalar } from '../tree/node.js';
import type { ResolverRegistry } from './registry.js';

/**
 * Everything resolution needs from the outside world, passed in so resolution stays pure:
 * the environment snapshot, the resolver registry of this instance, the run's clock, the
 * runtime node behind `${hydra:...}`/`${trellis:...}`, and a set that collects secret values.
 */
export interface ResolveContext {
  env: Record<string, string | undefined>;
  resolvers: ResolverRegistry;
  /** The run's time; call it as often as you like, it should return the same instant. */
  now(): Date;
  /** The `trellis`/`hydra` node (`runtime.choices.db`, `job.name`, `run.dir`...). */
  runtime?: Node | undefined;
  /**
   * The whole config with the unresolved runtime node under `trellis` (and `hydra`). When set,
   * `${hydra:path}` selects `trellis.path` here, so only the runtime values a config uses are
   * resolved, against the whole config, as Hydra does; a broken value elsewhere in that node
   * (a logging handler's file name) matters only if it is used.
   */
  runtimeRoot?: Node | undefined;
  /** Collects the paths read through `${hydra:…}`/`${trellis:…}` (a job prepared ahead can tell what it used). */
  runtimeReads?: Set<string> | undefined;
  /** Collects each environment variable `oc.env` read and its value then (undefined: unset). */
  envReads?: Map<string, string | undefined> | undefined;
  /** Values read from environment variables whose names look secret (tokens, passwords, keys). */
  secrets: Set<string>;
  /** Parses YAML text to a tree, for `${oc.create:'<yaml>'}`; without it only plain words are accepted. */
  parseYaml?: ((text: string) => Node) | undefined;
  /** Receives `oc.deprecated` warnings. */
  warn?: ((message: string, keyPath: string) => void) | undefined;
}

/** What a resolver may return: a node (kept as is, with its type) or a plain scalar. */
export type ResolverResult = Node | Scalar | undefined;

/** The call of one resolver: OmegaConf's `_parent_`, `_node_` and `_root_`, as operations. */
export interface ResolverCall {
  /** The resolver name as called (`oc.env`). */
  readonly name: string;
  /** The source text of each argument, as written. */
  readonly argTexts: readonly string[];
  /** Path of the value holding the interpolation (`a.b[0]`). */
  readonly keyPath: string;
  readonly ctx: ResolveContext;
  /**
   * OmegaConf's `select_node(_parent_, key, absolute_key=True)`: `a.b` from the root, `.x`
   * relative to the container holding the interpolation. Interpolations on the way and at the
   * end are resolved. Undefined when the key does not exist or the path crosses a non-container;
   * a `???` node is returned as is unless `throwOnMissing`.
   */
  select(key: string, options?: { throwOnMissing?: boolean }): Node | undefined;
  /** `OmegaConf.select(root, key)` in another tree, such as `ctx.runtime`. */
  selectIn(root: Node, key: string): Node | undefined;
  /** Parses `text` with the grammar's singleElement rule and evaluates it here (what `oc.decode` does). */
  decode(text: string): Node;
  /** The full key path of a node obtained from `select` (for messages). */
  pathOf(node: Node): string | undefined;
  warn(message: string): void;
}

/**
 * A resolver. Arguments arrive as nodes typed by the grammar (`1` int, `1.0` float, `[a]` a
 * list node...); an argument that is a node interpolation is the node found there (do not
 * mutate it). Throw a TrellisError to choose the error code; any other throw becomes
 * INTERPOLATION_RESOLVER_FAILED.
 */
export type ResolverFn = (args: Node[], call: ResolverCall) => ResolverResult;
