import { TrellisError, closest, type ErrorCode } from '../errors/index.js';
import {
  cloneNode,
  dictNode,
  isContainer,
  isInterpolation,
  isMissing,
  keyId,
  keyText,
  listNode,
  setEntry,
  valueNode,
  type Node,
  type Origin,
} from '../tree/node.js';
import type { Element, Interpolation, NodeInterpolation, ResolverInterpolation, Text } from './ast.js';
import { pointInto } from './locate.js';
import { GrammarFailure, parseConfigValue, parseSingleElement } from './parse.js';
import { pythonRepr, pythonStr, pythonTypeName } from './python-str.js';
import { appendIndex, appendKey, formatDottedKey, parseListIndex, splitKey, type PathSegment } from '../util/key-path.js';
import type { ResolveContext, ResolverCall, ResolverResult } from './types.js';

/**
 * Lazy resolution of OmegaConf interpolations over a config tree. Nothing is resolved until a
 * value is asked for, so one broken value never stops another from being read.
 *
 * A node is always resolved where it sits: `Loc` is a node together with the chain of
 * containers above it. Relative paths walk that chain, absolute paths start at its top.
 * Containers returned by resolvers (`oc.create`, `oc.dict.values`) get a location too: the
 * place of the value that called the resolver, as OmegaConf parents them there.
 */

interface Loc {
  node: Node;
  parent: Loc | undefined;
  /** Key path for messages: `a.b[0]`. */
  path: string;
  /** Where the value was set; nodes made by resolvers borrow the origin of their caller. */
  origin: Origin | undefined;
  /** Made during resolution (resolver results), not part of an input tree. */
  virtual: boolean;
  /** The result of an interpolation: final, even if its text contains `${` (OmegaConf never re-resolves it). */
  result?: true;
}

/** A value during resolution; `loc` when the node sits somewhere (in a tree, or placed by a resolver). */
interface Val {
  node: Node;
  loc?: Loc | undefined;
}

/** The interpolation being evaluated: which value holds it and which text its offsets index. */
interface Frame {
  holder: Loc;
  /** The container holding the value: OmegaConf's `_parent_`, the start of relative paths. */
  scope: Loc | undefined;
  text: string;
  /** Whether offsets in `text` are offsets in the holder's value (false for `oc.decode` input). */
  inHolder: boolean;
}

interface Span {
  start: number;
  end: number;
}

/** A path as segments: strings as in `a.b`, numbers index lists (or match int keys of dicts). */
export type { PathSegment };

function top(loc: Loc): Loc {
  let l = loc;
  while (l.parent) l = l.parent;
  return l;
}

/**
 * Where a key starts: `.x` at the holder's container, each further dot one level up (undefined
 * when that goes above the root), anything else at the root. `rest` is the key without the dots.
 */
function startOf(key: string, f: { scope?: Loc | undefined; holder: Loc }): { base: Loc | undefined; rest: string } {
  if (!key.startsWith('.')) return { base: top(f.scope ?? f.holder), rest: key };
  let base: Loc | undefined = f.scope;
  let rest = key.slice(1);
  while (rest.startsWith('.') && base) {
    base = base.parent;
    rest = rest.slice(1);
  }
  return { base, rest };
}

function isStringNode(node: Node): node is Node & { kind: 'value'; value: string } {
  return node.kind === 'value' && typeof node.value === 'string';
}

/**
 * Limits of one resolution, far beyond real configs: past them the answer is a clear error, not
 * a stack overflow or an out-of-memory crash (OmegaConf stops at Python's recursion limit).
 */
const RESOLVE_LIMITS = {
  /** Values whose interpolations lead to one another: `a: ${b}`, `b: ${c}`, … */
  chain: 200,
  /** Containers inside containers in a resolved value, through interpolations included. */
  nesting: 500,
  /** Characters of one string built by interpolation. */
  stringChars: 10_000_000,
  /** Characters of all strings built by interpolation in one resolution (doubling a string). */
  totalChars: 100_000_000,
  /** Nodes copied into a resolved tree (a list that holds itself twice, doubled again and again). */
  nodes: 1_000_000,
} as const;

/** One resolution session: parse cache, results of values already resolved, cycle bookkeeping. */
class Resolution {
  readonly #parsed = new Map<string, Text | GrammarFailure>();
  readonly #done = new Map<Node, Val>();
  /** Values whose interpolation is being evaluated, innermost last (cycle detection). */
  readonly #active: Loc[] = [];
  /** Containers being copied out, with the value whose interpolation led into them. */
  readonly #copying: Array<{ container: Node; via: string | undefined }> = [];
  /** Where nodes handed to resolvers sit, so a resolver returning one keeps its place. */
  readonly #locs = new WeakMap<Node, Loc>();

  /** Characters built and nodes copied so far, against RESOLVE_LIMITS. */
  #chars = 0;
  #nodes = 0;

  constructor(
    readonly ctx: ResolveContext,
    readonly root: Node,
  ) {}

  #limit(message: string, at: Frame | Loc, hint: string): TrellisError {
    return this.#error('INTERPOLATION_LIMIT', message, at, undefined, hint);
  }

  rootLoc(node: Node): Loc {
    return { node, parent: undefined, path: '', origin: node.origin, virtual: false };
  }

  #childLoc(parent: Loc, node: Node, path: string): Loc {
    return {
      node,
      parent,
      path,
      origin: node.origin ?? (parent.virtual ? parent.origin : undefined),
      virtual: parent.virtual,
    };
  }

  // ---- errors ----

  #error(code: ErrorCode, message: string, at: Frame | Loc, span?: Span, hint?: string, cause?: unknown): TrellisError {
    const frame = 'holder' in at ? at : undefined;
    const holder = frame ? frame.holder : (at as Loc);
    const value = isStringNode(holder.node) ? holder.node.value : undefined;
    const where =
      span && frame?.inHolder && value !== undefined && !holder.virtual
        ? pointInto(holder.origin, value, span.start, span.end - span.start)
        : holder.origin && { ...holder.origin };
    return new TrellisError(code, message, { where, keyPath: holder.path || undefined, hint, cause });
  }

  #src(f: Frame, span: Span): string {
    return f.text.slice(span.start, span.end);
  }

  // ---- parsing ----

  #parse(holder: Loc): Text {
    const text = (holder.node as { value: string }).value;
    let parsed = this.#parsed.get(text);
    if (!parsed) {
      try {
        parsed = parseConfigValue(text);
      } catch (e) {
        if (!(e instanceof GrammarFailure)) throw e;
        parsed = e;
      }
      this.#parsed.set(text, parsed);
    }
    if (parsed instanceof GrammarFailure) {
      const f: Frame = { holder, scope: holder.parent, text, inHolder: true };
      throw this.#error('INTERPOLATION_SYNTAX', `Invalid interpolation in ${JSON.stringify(text)}: ${parsed.message}`, f, {
        start: parsed.offset,
        end: parsed.offset + parsed.length,
      });
    }
    return parsed;
  }

  // ---- evaluation ----

  /** The value of an interpolation node (`_maybe_resolve_interpolation`), placed where it sits. */
  resolveHolder(loc: Loc, via?: { f: Frame; span: Span }): Val {
    const node = loc.node;
    if (!loc.virtual) {
      const memo = this.#done.get(node);
      if (memo) return memo;
    }
    const i = this.#active.findIndex((l) => l.node === node);
    if (i >= 0) {
      const chain = [...this.#active.slice(i).map((l) => l.path), loc.path];
      throw this.#error(
        'INTERPOLATION_CYCLE',
        `Interpolation cycle: ${chain.join(' → ')}`,
        via ? via.f : loc,
        via?.span,
        'each value in the chain refers to the next one; make one of them a plain value',
      );
    }
    if (this.#active.length >= RESOLVE_LIMITS.chain) {
      const first = this.#active[0]?.path ?? '';
      throw this.#limit(
        `Interpolations lead from '${first}' through more than ${RESOLVE_LIMITS.chain} values (${first} → … → ${loc.path})`,
        via ? via.f : loc,
        `a chain of references this long is not supported; point the values at the end of the chain directly`,
      );
    }
    this.#active.push(loc);
    try {
      const text = this.#parse(loc);
      const f: Frame = { holder: loc, scope: loc.parent, text: (node as { value: string }).value, inHolder: true };
      const placed = this.#place(this.#evalText(text, f), loc);
      if (!loc.virtual) this.#done.set(node, placed);
      return placed;
    } finally {
      this.#active.pop();
    }
  }

  /** A new value (string, resolver result) sits where the interpolation was, as OmegaConf wraps it there; it is final. */
  #place(v: Val, holder: Loc): Val {
    if (v.loc) return v;
    const loc: Loc = { node: v.node, parent: holder.parent, path: holder.path, origin: holder.origin, virtual: true, result: true };
    this.#locs.set(v.node, loc);
    return { node: v.node, loc };
  }

  // text: a single interpolation keeps its type; anything else is a string built with str().
  #evalText(text: Text, f: Frame): Val {
    const only = text.parts[0];
    if (text.parts.length === 1 && only !== undefined && typeof only !== 'string') return this.#evalInterp(only, f);
    return { node: valueNode(this.#concat(text.parts, f)) };
  }

  #concat(parts: Array<string | Interpolation>, f: Frame): string {
    const pieces = parts.map((p) => (typeof p === 'string' ? p : pythonStr(this.#evalInterp(p, f).node)));
    // Measured before joining, so a string doubled again and again is refused before it is built.
    const length = pieces.reduce((sum, piece) => sum + piece.length, 0);
    if (length > RESOLVE_LIMITS.stringChars) {
      throw this.#limit(
        `The interpolated value of '${f.holder.path}' would be ${length} characters long, more than the limit of ${RESOLVE_LIMITS.stringChars}`,
        f,
        'a config value this large is usually a string that refers to itself more than once through other values; keep large data in files',
      );
    }
    this.#chars += length;
    if (this.#chars > RESOLVE_LIMITS.totalChars) {
      throw this.#limit(
        `Interpolated strings of this config add up to more than ${RESOLVE_LIMITS.totalChars} characters (at '${f.holder.path}')`,
        f,
        'values that each repeat other values several times multiply; keep large data in files',
      );
    }
    return pieces.join('');
  }

  #evalInterp(ip: Interpolation, f: Frame): Val {
    return ip.kind === 'node' ? this.#evalNodeInterp(ip, f) : this.#evalResolver(ip, f);
  }

  #keyText(part: Interpolation, f: Frame, what: string): string {
    const node = this.#evalInterp(part, f).node;
    if (!isStringNode(node)) {
      throw this.#error(
        'INTERPOLATION_TYPE',
        `${this.#src(f, part)} is used as ${what}, so it must give a string, but it gave ${pythonRepr(node)} (${pythonTypeName(node)})`,
        f,
        part,
        pythonTypeName(node) === 'int' ? "quote the value in YAML ('2') to make it a string" : undefined,
      );
    }
    return node.value;
  }

  // interpolationNode: the path is rebuilt as text, then resolved like OmegaConf's `_resolve_node_interpolation`.
  #evalNodeInterp(ip: NodeInterpolation, f: Frame): Val {
    const key = ip.parts.map((p) => (typeof p === 'string' ? p : this.#keyText(p, f, 'a key'))).join('');
    const { base, rest } = startOf(key, f);
    if (key.startsWith('.')) {
      if (!base) {
        throw this.#error(
          'INTERPOLATION_KEY_MISSING',
          `Interpolation ${this.#src(f, ip)} goes up more levels than there are above '${f.holder.path}'`,
          f,
          ip,
          'one dot is the containing node, each further dot one level up',
        );
      }
    }
    const v = this.#walk(base!, rest === '' ? [] : splitKey(rest), { strict: true, throwOnMissing: true, f, span: ip, key }) as Val;
    // `_validate_not_dereferencing_to_parent`: the target may not be the holder's container or
    // one of its ancestors, whether the interpolation is the whole value or part of a string.
    for (let l = f.scope; l; l = l.parent) {
      if (l.node === v.node && v.node.kind !== 'value') {
        throw this.#error(
          'INTERPOLATION_CYCLE',
          `Interpolation cycle: ${f.holder.path} → ${l.path || '<root>'}: ${this.#src(f, ip)} points to '${l.path || '<root>'}', which contains '${f.holder.path}'`,
          f,
          ip,
          'an interpolation cannot point to a node that contains it',
        );
      }
    }
    return v;
  }

  /**
   * `_select_impl`: walks `segs` from `base`, resolving interpolations on the way. Strict (an
   * interpolation) fails on a missing key or a non-container; otherwise (select) gives undefined.
   */
  #walk(
    base: Loc,
    segs: readonly PathSegment[],
    opts: { strict: boolean; throwOnMissing: boolean; f?: Frame | undefined; span?: Span | undefined; key: string },
  ): Val | undefined {
    const at: Frame | Loc = opts.f ?? base;
    const shown = opts.f && opts.span ? this.#src(opts.f, opts.span) : `'${opts.key}'`;
    let cur: Val = { node: base.node, loc: base };
    for (let i = 0; i < segs.length; i++) {
      const seg = segs[i] as PathSegment;
      const loc = cur.loc as Loc;
      if (!isContainer(cur.node)) {
        if (!opts.strict) return undefined;
        const parentKey = formatDottedKey(segs.slice(0, i));
        throw this.#error(
          'INTERPOLATION_TYPE',
          `${shown} cannot be resolved: '${parentKey}' is ${pythonRepr(cur.node)}, not a container, so it cannot contain '${seg}'`,
          at,
          opts.span,
        );
      }
      const child = this.#child(loc, seg, opts, shown, at);
      if (!child) {
        if (!opts.strict) return undefined;
        throw this.#error('INTERPOLATION_KEY_MISSING', `${shown} refers to a key that does not exist`, at, opts.span, this.#missingHint(loc, segs, i));
      }
      if (isMissing(child.node)) {
        if (opts.throwOnMissing) {
          throw this.#error(
            'INTERPOLATION_TO_MISSING',
            `${shown} refers to '${child.path}', which is a missing value (???)`,
            at,
            opts.span,
            `set ${child.path} in a config or on the command line (${child.path}=...)`,
          );
        }
        if (i < segs.length - 1) return undefined;
      }
      cur = isInterpolation(child.node) ? this.resolveHolder(child, opts.f && opts.span && { f: opts.f, span: opts.span }) : { node: child.node, loc: child };
    }
    return cur;
  }

  #child(loc: Loc, seg: PathSegment, opts: { strict: boolean; lenient?: boolean }, shown: string, at: Frame | Loc): Loc | undefined {
    const node = loc.node;
    if (node.kind === 'dict') {
      const entry = node.entries.get(typeof seg === 'number' ? keyId(seg) : seg);
      if (!entry || (typeof seg === 'string' && typeof entry.key !== 'string')) return undefined;
      return this.#childLoc(loc, entry.node, appendKey(loc.path, keyText(entry)));
    }
    if (node.kind !== 'list') return undefined;
    const index = typeof seg === 'number' ? seg : parseListIndex(seg);
    if (index === undefined) {
      // _select_one raises TypeError here for interpolations, oc.select and OmegaConf.select alike.
      if (opts.lenient) return undefined;
      throw this.#error('INTERPOLATION_TYPE', `${shown} indexes the list '${loc.path}' with '${seg}', which is not an int`, at, undefined);
    }
    const item = index >= 0 ? node.items[index] : undefined;
    return item && this.#childLoc(loc, item, appendIndex(loc.path, index));
  }

  #missingHint(loc: Loc, segs: readonly PathSegment[], i: number): string | undefined {
    const node = loc.node;
    const seg = String(segs[i]);
    if (node.kind === 'list') {
      if (seg.trim().startsWith('-')) return 'negative indices do not work in interpolations';
      return `'${loc.path}' has ${node.items.length} item(s)`;
    }
    if (node.kind !== 'dict') return undefined;
    const entries = [...node.entries.values()];
    if (entries.some((e) => typeof e.key !== 'string' && keyText(e) === seg)) {
      return `the key ${seg} is not a string (YAML read it as ${typeof entries.find((e) => keyText(e) === seg)?.key}); interpolation reaches string keys only: quote it in the YAML ('${seg}': ...)`;
    }
    for (let n = segs.length - i; n >= 2; n--) {
      const dotted = formatDottedKey(segs.slice(i, i + n));
      if (node.entries.get(dotted)?.key === dotted) return `'${dotted}' is one key containing dots; an interpolation reads the dots as a path`;
    }
    const names = entries.filter((e) => typeof e.key === 'string').map((e) => e.key as string);
    let best = closest(seg, names);
    // Also a key that is a prefix of the one asked for (`lrate` → `lr`), which edit distance misses.
    if (!best.length) best = names.filter((n) => n.length >= 2 && (seg.startsWith(n) || n.startsWith(seg))).slice(0, 3);
    return best.length ? `did you mean ${best.map((b) => appendKey(loc.path, b)).join(' or ')}?` : undefined;
  }

  #evalResolver(ip: ResolverInterpolation, f: Frame): Val {
    const name = ip.name.map((p) => (typeof p === 'string' ? p : this.#keyText(p, f, 'a resolver name'))).join('.');
    const entry = this.ctx.resolvers.get(name);
    if (!entry) {
      const known = this.ctx.resolvers.names();
      const legacy = name === 'env' ? "OmegaConf 2.1 removed the 'env' resolver: use ${oc.env:VAR}" : undefined;
      const near = closest(name, known);
      const hint = legacy ?? (near.length ? `did you mean ${near.map((n) => `'${n}'`).join(' or ')}?` : `known resolvers: ${known.join(', ')}`);
      throw this.#error('INTERPOLATION_RESOLVER_UNKNOWN', `Unknown resolver '${name}' in ${this.#src(f, ip)}`, f, ip, hint);
    }
    const args = ip.args.map((a) => this.#evalElement(a, f));
    const cache = entry.cache ? this.ctx.resolvers.cacheFor(this.root) : undefined;
    const cacheKey = JSON.stringify([name, ...ip.argTexts]);
    const hit = cache?.get(cacheKey) as Val | undefined;
    if (hit) return hit;
    for (const a of args) if (a.loc) this.#locs.set(a.node, a.loc);
    let out: ResolverResult;
    try {
      out = entry.fn(
        args.map((a) => a.node),
        this.#call(name, ip, f),
      );
    } catch (e) {
      if (e instanceof TrellisError) {
        if (e.where !== undefined || e.keyPath !== undefined) throw e;
        // A resolver's own error does not know where the call is: place it at the call.
        const located = this.#error(e.code, e.message, f, ip);
        throw e.derive({ where: located.where, keyPath: located.keyPath });
      }
      const message = e instanceof Error ? e.message : String(e);
      throw this.#error('INTERPOLATION_RESOLVER_FAILED', `Resolver '${name}' failed in ${this.#src(f, ip)}: ${message}`, f, ip, undefined, e);
    }
    const v: Val =
      out === undefined
        ? { node: valueNode(null) }
        : typeof out === 'object' && out !== null
          ? { node: out, loc: this.#locs.get(out) }
          : { node: valueNode(out, typeof out === 'number' && !Number.isInteger(out)) };
    cache?.set(cacheKey, v);
    return v;
  }

  /** A resolver argument; values taken from the tree are copied when they go into a new list or dict. */
  #evalElement(el: Element, f: Frame): Val {
    const detach = (v: Val): Node => (v.loc ? cloneNode(v.node) : v.node);
    switch (el.kind) {
      case 'constant':
        return { node: valueNode(el.value, el.float) };
      case 'concat':
        return { node: valueNode(this.#concat(el.parts, f)) };
      case 'node':
      case 'resolver':
        return this.#evalInterp(el, f);
      case 'quoted':
        return { node: valueNode(el.text ? pythonStr(this.#evalText(el.text, f).node) : '') };
      case 'list':
        return { node: listNode(el.items.map((item) => detach(this.#evalElement(item, f)))) };
      case 'dict': {
        const dict = dictNode();
        for (const e of el.entries) {
          setEntry(dict, { key: e.key, ...(e.keyFloat ? { keyFloat: true } : {}), node: detach(this.#evalElement(e.value, f)) });
        }
        return { node: dict };
      }
    }
  }

  #call(name: string, ip: ResolverInterpolation, f: Frame): ResolverCall {
    const remember = (v: Val | undefined): Node | undefined => {
      if (v?.loc) this.#locs.set(v.node, v.loc);
      return v?.node;
    };
    return {
      name,
      argTexts: ip.argTexts,
      keyPath: f.holder.path,
      ctx: this.ctx,
      select: (key, options) => {
        // select_node(_parent_, key, absolute_key=True)
        const { base, rest } = startOf(key, f);
        // _resolve_key_and_root raises ConfigKeyError (select_node does not catch it).
        if (!base) throw this.#error('INTERPOLATION_KEY_MISSING', `Error resolving key '${key}': it goes above the config root`, f, undefined);
        return remember(this.#walk(base, rest === '' ? [] : splitKey(rest), { strict: false, throwOnMissing: options?.throwOnMissing ?? false, f, key }));
      },
      selectIn: (root, key) => remember(this.select(root, key)),
      decode: (text) => {
        let el: Element;
        try {
          el = parseSingleElement(text);
        } catch (e) {
          if (!(e instanceof GrammarFailure)) throw e;
          throw this.#error('INTERPOLATION_SYNTAX', `Cannot decode ${JSON.stringify(text)}: ${e.message}`, f, ip);
        }
        const node = remember(this.#evalElement(el, { ...f, text, inHolder: false })) as Node;
        // A list or dict written in the text is a plain Python object to OmegaConf, not a config node.
        if ((el.kind === 'list' || el.kind === 'dict') && node.kind !== 'value') node.opaque = true;
        return node;
      },
      pathOf: (node) => this.#locs.get(node)?.path,
      warn: (message) => this.ctx.warn?.(message, f.holder.path),
    };
  }

  // ---- public operations ----

  /** `OmegaConf.select(root, path)`: resolved on the way; undefined when absent. */
  select(root: Node, path: string | readonly PathSegment[], throwOnMissing = false): Val | undefined {
    const segs = typeof path === 'string' ? (path === '' ? [] : splitKey(path)) : path;
    return this.#walk(this.rootLoc(root), segs, { strict: false, throwOnMissing, key: String(path) });
  }

  /** The node at `path` as stored (its interpolation not resolved); containers on the way are. */
  locate(root: Node, path: string | readonly PathSegment[]): Loc | undefined {
    const segs = typeof path === 'string' ? (path === '' ? [] : splitKey(path)) : path;
    const last = segs[segs.length - 1];
    if (last === undefined) return this.rootLoc(root);
    const parent = this.#walk(this.rootLoc(root), segs.slice(0, -1), { strict: false, throwOnMissing: false, key: String(path) });
    if (!parent?.loc || parent.node.kind === 'value') return undefined;
    return this.#child(parent.loc, last, { strict: false, lenient: true }, '', parent.loc);
  }

  /** A resolved copy of the node at `loc` (OmegaConf `to_container(resolve=True)`; `???` stays). */
  copy(loc: Loc): Node {
    if (++this.#nodes > RESOLVE_LIMITS.nodes) {
      throw this.#limit(
        `The resolved config has more than ${RESOLVE_LIMITS.nodes} values (at '${loc.path}')`,
        loc,
        'interpolations that repeat a container several times multiply; refer to the container once',
      );
    }
    const node = loc.node;
    if (node.kind === 'value') {
      if (!isInterpolation(node) || loc.result) return { ...node };
      const v = this.resolveHolder(loc);
      if (v.node.kind === 'value') return valueNode(v.node.value, v.node.float === true, node.origin);
      return this.#copyContainer(v.loc as Loc, loc);
    }
    return this.#copyContainer(loc, undefined);
  }

  copyVal(v: Val): Node {
    return v.loc ? this.copy(v.loc) : cloneNode(v.node);
  }

  #copyContainer(loc: Loc, via: Loc | undefined): Node {
    const i = this.#copying.findIndex((c) => c.container === loc.node);
    if (i >= 0 && via) {
      const vias = this.#copying.slice(i).flatMap((c) => (c.via === undefined ? [] : [c.via]));
      const chain = [...vias, via.path, vias[0] ?? loc.path];
      const ancestor = vias.length === 0;
      throw this.#error(
        'INTERPOLATION_CYCLE',
        ancestor
          ? `Interpolation cycle: ${chain.join(' → ')}: '${loc.path || '<root>'}' contains '${via.path}', so its value would contain itself`
          : `Interpolation cycle: ${chain.join(' → ')}`,
        via,
        undefined,
        ancestor ? 'an interpolation cannot point to a node that contains it' : undefined,
      );
    }
    if (this.#copying.length >= RESOLVE_LIMITS.nesting) {
      throw this.#limit(
        `Interpolations nest containers more than ${RESOLVE_LIMITS.nesting} levels deep, from '${this.#copying.find((c) => c.via !== undefined)?.via ?? ''}' to '${loc.path}'`,
        via ?? loc,
        'containers that hold interpolations of further containers nest; flatten the structure',
      );
    }
    this.#copying.push({ container: loc.node, via: via?.path });
    try {
      const node = loc.node;
      if (node.kind === 'list')
        return listNode(
          node.items.map((item, n) => this.copy(this.#childLoc(loc, item, appendIndex(loc.path, n)))),
          node.origin,
        );
      const out = dictNode(node.origin);
      if (node.kind === 'dict') {
        for (const e of node.entries.values()) {
          const child = this.copy(this.#childLoc(loc, e.node, appendKey(loc.path, keyText(e))));
          setEntry(out, { key: e.key, ...(e.keyFloat ? { keyFloat: true } : {}), node: child });
        }
      }
      return out;
    } finally {
      this.#copying.pop();
    }
  }
}

/**
 * Every interpolation of the tree resolved, as a new tree: OmegaConf's
 * `to_container(resolve=True, throw_on_missing=False)`. `???` stays `'???'`, but an
 * interpolation that points to a `???` fails (INTERPOLATION_TO_MISSING).
 */
export function resolveTree(root: Node, ctx: ResolveContext): Node {
  const r = new Resolution(ctx, root);
  return r.copy(r.rootLoc(root));
}

export interface SelectOptions {
  /** Attribute-access semantics: a `???` value throws MISSING_VALUE instead of giving null. */
  throwOnMissing?: boolean;
}

/**
 * `OmegaConf.select(root, path)`: the node at `path` (`a.b`, `a[0]`, `a.0`, or segments),
 * resolved; a `???` value gives a null node; undefined when the path does not exist.
 */
export function selectNode(root: Node, path: string | readonly PathSegment[], ctx: ResolveContext, options: SelectOptions = {}): Node | undefined {
  const r = new Resolution(ctx, root);
  const v = r.select(root, path);
  if (!v) return undefined;
  if (isMissing(v.node)) {
    if (options.throwOnMissing) {
      const keyPath = v.loc?.path || (typeof path === 'string' ? path : undefined);
      throw new TrellisError('MISSING_VALUE', `Missing mandatory value: ${keyPath ?? ''}`, {
        where: v.node.origin && { ...v.node.origin },
        keyPath,
        hint: `set it in a config or on the command line (${keyPath}=...)`,
      });
    }
    return valueNode(null, false, v.node.origin);
  }
  return r.copyVal(v);
}

/**
 * Resolves the one interpolation stored at `path`, against the tree as it is now (merging needs
 * this: a dict merged onto an interpolation merges into a copy of its target). A container
 * target comes back as a copy of the node as stored, inner interpolations untouched, to be
 * placed at `path`. A value that is not an interpolation comes back as is. Undefined when the
 * path does not exist or the interpolation cannot be resolved yet (with `strict`, the error).
 */
export function resolveValueAt(root: Node, path: string | readonly PathSegment[], ctx: ResolveContext, options: { strict?: boolean } = {}): Node | undefined {
  const r = new Resolution(ctx, root);
  try {
    const loc = r.locate(root, path);
    if (!loc) return undefined;
    if (!isInterpolation(loc.node)) return loc.node;
    const v = r.resolveHolder(loc);
    if (v.node.kind === 'value') return valueNode(v.node.value, v.node.float === true, loc.node.origin);
    return cloneNode(v.node);
  } catch (e) {
    if (e instanceof TrellisError && !options.strict) return undefined;
    throw e;
  }
}
