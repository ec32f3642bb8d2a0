import { Alias, isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode, type Pair, Scalar as YamlScalar, YAMLMap } from 'yaml';
import { TrellisError, type ErrorWhere, throwCollected } from '../errors/index.js';
import { dictNode, keyId, listNode, valueNode, type DictEntry, type DictNode, type Node, type Origin } from '../tree/node.js';
import { constructBool, constructFloat, constructInt, resolvePlainScalar, type TypedScalar } from './resolve-scalar.js';

export interface YamlLimits {
  /** Largest accepted file, in bytes. */
  maxBytes: number;
  /** Deepest nesting of mappings and sequences. */
  maxDepth: number;
  /** Most nodes that alias expansion may produce (bounds "billion laughs"). */
  maxNodes: number;
}

export const DEFAULT_YAML_LIMITS: YamlLimits = { maxBytes: 16 * 1024 * 1024, maxDepth: 256, maxNodes: 250_000 };

/** Keys that would reach an object's prototype if a consumer ever assigned them naively. */
export const UNSAFE_KEYS = new Set(['__proto__']);

interface LoadState {
  file: string;
  lines: string[];
  lineCounter: LineCounter;
  doc: Document.Parsed;
  limits: YamlLimits;
  nodes: number;
  /** Alias targets, looked up once each: `resolve` scans the document. */
  aliasTargets: Map<Alias, YamlNode | undefined>;
}

function whereAt(state: LoadState, offset: number, length = 1): ErrorWhere {
  const { line, col } = state.lineCounter.linePos(offset);
  return { kind: 'file', file: state.file, line, col, length, sourceLine: state.lines[line - 1] ?? '' };
}

function originOf(state: LoadState, node: YamlNode | null | undefined): Origin | undefined {
  const start = node?.range?.[0];
  if (start === undefined) return undefined;
  return whereAt(state, start, Math.max(1, (node?.range?.[1] ?? start + 1) - start));
}

function typedScalar(state: LoadState, node: YamlScalar): TypedScalar {
  const text = typeof node.source === 'string' ? node.source : String(node.value ?? '');
  const tag = node.tag;
  if (tag && tag !== '!') {
    const short = tag.replace(/^tag:yaml\.org,2002:/, '');
    try {
      switch (short) {
        case 'str':
          return { value: text };
        case 'int':
          return { value: constructInt(text.trim()) };
        case 'float':
          return { value: constructFloat(text.trim()), float: true };
        case 'bool':
          return { value: constructBool(text.trim()) };
        case 'null':
          return { value: null };
      }
    } catch {
      // fall through to the error below
    }
    throw new TrellisError('YAML_SYNTAX', `Cannot construct a value for the tag ${tag} from '${text}'`, {
      where: whereAt(state, node.range?.[0] ?? 0),
      hint: 'only the standard tags !!str, !!int, !!float, !!bool and !!null are supported',
    });
  }
  if (node.type === 'PLAIN') return resolvePlainScalar(text);
  return { value: text };
}

function countNode(state: LoadState, node: YamlNode | null | undefined): void {
  state.nodes += 1;
  if (state.nodes > state.limits.maxNodes) {
    throw new TrellisError('YAML_LIMIT', `The YAML document expands to more than ${state.limits.maxNodes} nodes`, {
      where: whereAt(state, node?.range?.[0] ?? 0),
      hint: 'this usually means aliases that refer to aliases (a "billion laughs" document); write the data out instead',
    });
  }
}

function convert(state: LoadState, node: YamlNode | null | undefined, depth: number, aliasStack: Alias[]): Node {
  countNode(state, node);
  if (depth > state.limits.maxDepth) {
    throw new TrellisError('YAML_LIMIT', `The YAML document nests deeper than ${state.limits.maxDepth} levels`, {
      where: whereAt(state, node?.range?.[0] ?? 0),
    });
  }
  if (node === null || node === undefined) return valueNode(null);
  if (isAlias(node)) {
    if (!state.aliasTargets.has(node)) state.aliasTargets.set(node, node.resolve(state.doc) as YamlNode | undefined);
    const target = state.aliasTargets.get(node);
    if (!target || aliasStack.includes(node)) {
      throw new TrellisError('YAML_SYNTAX', `Unknown or recursive alias *${node.source}`, { where: whereAt(state, node.range?.[0] ?? 0) });
    }
    return convert(state, target, depth + 1, [...aliasStack, node]);
  }
  if (isScalar(node)) {
    const typed = typedScalar(state, node);
    return valueNode(typed.value, typed.float ?? false, originOf(state, node));
  }
  if (isSeq(node)) {
    return listNode(
      node.items.map((item) => convert(state, item as YamlNode, depth + 1, aliasStack)),
      originOf(state, node),
    );
  }
  if (isMap(node)) return convertMap(state, node, depth, aliasStack);
  throw new TrellisError('YAML_SYNTAX', 'Unsupported YAML node', { where: whereAt(state, (node as YamlNode).range?.[0] ?? 0) });
}

function isMergeKey(pair: Pair): boolean {
  return isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.source === '<<' && !pair.key.tag;
}

/** `<<: *a` / `<<: [*a, *b]` as PyYAML flattens them: earlier sources win, own keys win over all. */
function mergeSources(state: LoadState, pair: Pair, depth: number, aliasStack: Alias[]): DictNode[] {
  const value = pair.value as YamlNode | null;
  const sources = isSeq(value) ? [...value.items].reverse() : [value];
  return sources.map((source) => {
    const converted = convert(state, source as YamlNode, depth + 1, aliasStack);
    if (converted.kind !== 'dict') {
      throw new TrellisError('YAML_SYNTAX', 'A merge key (<<) needs a mapping or a list of mappings', {
        where: whereAt(state, (source as YamlNode | null)?.range?.[0] ?? pair.key ? ((pair.key as YamlNode).range?.[0] ?? 0) : 0),
      });
    }
    return converted;
  });
}

function convertMap(state: LoadState, node: YAMLMap, depth: number, aliasStack: Alias[]): DictNode {
  const dict = dictNode(originOf(state, node));
  const seenStringKeys = new Map<string, YamlNode>();
  const merged: DictEntry[] = [];
  const own: DictEntry[] = [];
  for (const pair of node.items as Pair[]) {
    if (isMergeKey(pair)) {
      for (const source of mergeSources(state, pair, depth, aliasStack)) merged.push(...source.entries.values());
      continue;
    }
    const keyNode = pair.key as YamlNode | null;
    if (keyNode !== null && !isScalar(keyNode) && !isAlias(keyNode)) {
      throw new TrellisError('YAML_SYNTAX', 'Mapping keys must be scalars', { where: whereAt(state, keyNode.range?.[0] ?? 0) });
    }
    const keyConverted = keyNode === null ? valueNode(null) : convert(state, keyNode, depth + 1, aliasStack);
    if (keyConverted.kind !== 'value') {
      throw new TrellisError('YAML_SYNTAX', 'Mapping keys must be scalars', { where: whereAt(state, keyNode?.range?.[0] ?? 0) });
    }
    const key = keyConverted.value;
    if (typeof key === 'string') {
      if (UNSAFE_KEYS.has(key)) {
        throw new TrellisError('UNSAFE_KEY', `The key '${key}' is not allowed in a config`, {
          where: whereAt(state, keyNode?.range?.[0] ?? 0, key.length),
          hint: 'it would reach the prototype of JavaScript objects; rename the key',
        });
      }
      // OmegaConf's loader rejects duplicate string keys (PyYAML alone would keep the last).
      if (seenStringKeys.has(key)) {
        throw new TrellisError('YAML_DUPLICATE_KEY', `Duplicate key '${key}'`, {
          where: whereAt(state, keyNode?.range?.[0] ?? 0, key.length),
          hint: `the key is first set at line ${state.lineCounter.linePos(seenStringKeys.get(key)?.range?.[0] ?? 0).line}; remove one of them`,
        });
      }
      if (keyNode) seenStringKeys.set(key, keyNode);
    }
    const entry: DictEntry = { key, node: convert(state, pair.value as YamlNode, depth + 1, aliasStack) };
    if (keyConverted.float) entry.keyFloat = true;
    own.push(entry);
  }
  for (const entry of [...merged, ...own]) {
    const id = keyId(entry.key, entry.keyFloat);
    const existing = dict.entries.get(id);
    // Python dicts keep a key's first position when it is assigned again.
    if (existing) existing.node = entry.node;
    else dict.entries.set(id, { ...entry });
  }
  return dict;
}

export interface LoadedYaml {
  /** The document's root; an empty document is an empty mapping, as in OmegaConf. */
  root: Node;
  /** Leading comment lines (for `# @package` headers). */
  headerComments: string[];
}

/**
 * Parses YAML text the way OmegaConf's loader does, keeping the position of every value.
 * `file` is the path shown in errors. Pure: the caller reads the file.
 */
export function loadYaml(text: string, file: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): LoadedYaml {
  const lines = text.split(/\r?\n/);
  if (Buffer.byteLength(text) > limits.maxBytes) {
    throw new TrellisError('YAML_LIMIT', `${file} is larger than ${limits.maxBytes} bytes`, {
      where: { kind: 'file', file, line: 1, col: 1 },
    });
  }
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, {
    schema: 'failsafe',
    uniqueKeys: false,
    lineCounter,
    prettyErrors: false,
    strict: true,
  });
  const state: LoadState = { file, lines, lineCounter, doc, limits, nodes: 0, aliasTargets: new Map() };
  const problems = doc.errors.map((e) => {
    const offset = e.pos[0];
    return new TrellisError('YAML_SYNTAX', `Invalid YAML: ${e.message.split('\n')[0]}`, {
      where: whereAt(state, offset, Math.max(1, e.pos[1] - e.pos[0])),
      hint: 'check indentation, colons and quotes at this position',
    });
  });
  throwCollected(problems);
  const headerComments: string[] = [];
  for (const line of lines) {
    if (/^\s*#/.test(line)) headerComments.push(line.replace(/^\s*#\s?/, ''));
    else if (line.trim() !== '') break;
  }
  const contents = doc.contents as YamlNode | null;
  const root = contents === null || (isScalar(contents) && contents.value === null && contents.source === '') ? dictNode() : convert(state, contents, 0, []);
  return { root, headerComments };
}
