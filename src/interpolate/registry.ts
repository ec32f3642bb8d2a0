import { TrellisError } from '../errors/index.js';
import type { Node } from '../tree/node.js';
import type { ResolverFn } from './types.js';

export interface ResolverOptions {
  /** Replace an existing resolver of the same name instead of failing. */
  replace?: boolean;
  /** Cache results per config root and argument text (OmegaConf's `use_cache`). */
  cache?: boolean;
  /** Alias of `cache`, OmegaConf's spelling. */
  useCache?: boolean;
}

export interface ResolverEntry {
  readonly name: string;
  readonly fn: ResolverFn;
  readonly cache: boolean;
}

/** Resolver names are IDs joined by dots (`oc.env`, `my-lib.sum`), as the grammar reads them. */
const NAME = /^[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_][A-Za-z0-9_-]*)*$/;

/**
 * The resolvers of one trellis instance. Never process-wide: two apps in one process (or two
 * tests) each have their own set and their own caches.
 */
export class ResolverRegistry {
  readonly #entries = new Map<string, ResolverEntry>();
  // Per config root, like OmegaConf's per-config cache; dropped with the tree.
  readonly #caches = new WeakMap<Node, Map<string, unknown>>();

  register(name: string, fn: ResolverFn, options: ResolverOptions = {}): this {
    if (!NAME.test(name)) {
      throw new TrellisError('RESOLVER_INVALID', `Invalid resolver name '${name}'`, {
        hint: "use letters, digits, '_' and '-', with '.' between namespaces (like 'oc.env')",
      });
    }
    if (this.#entries.has(name) && !options.replace) {
      throw new TrellisError('RESOLVER_INVALID', `A resolver named '${name}' is already registered`, {
        hint: 'pass { replace: true } to replace it',
      });
    }
    this.#entries.set(name, { name, fn, cache: options.cache ?? options.useCache ?? false });
    return this;
  }

  has(name: string): boolean {
    return this.#entries.has(name);
  }

  get(name: string): ResolverEntry | undefined {
    return this.#entries.get(name);
  }

  names(): string[] {
    return [...this.#entries.keys()];
  }

  /** The cache of cached resolvers for one config root (internal to resolution). */
  cacheFor(root: Node): Map<string, unknown> {
    let cache = this.#caches.get(root);
    if (!cache) {
      cache = new Map();
      this.#caches.set(root, cache);
    }
    return cache;
  }

  /** Forgets the cached results kept for one config root. */
  clearCache(root: Node): void {
    this.#caches.delete(root);
  }
}
