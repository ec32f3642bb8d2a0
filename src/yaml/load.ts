import type { Alias, Document, LineCounter, Node as YamlNode, Pair, Scalar as YamlScalar, YAMLMap } from 'yaml';
import { TrellisError, type ErrorWhere, collectErrors } from '../errors/index.js';
import { dictNode, keyId, listNode, valueNode, type DictEntry, type DictNode, type Node, type Origin, type ValueNode } from '../tree/node.js';
import { UNSAFE_KEYS } from '../util/key-path.js';
import { readBlockSubset } from './block-subset.js';
import { yamlPackage } from './package.js';
import { constructBool, constructFloat, constructInt, resolvePlainScalar, ScalarConstructError, type TypedScalar } from './resolve-scalar.js';
import { checkArgs } from '../errors/check-args.js';

export interface YamlLimits {
  /** Largest accepted text, in UTF-8 bytes; checked before parsing, which takes seconds per MiB. */
  maxBytes: number;
  /** Deepest nesting of mappings and sequences. */
  maxDepth: number;
  /** Most values written in the text itself (mappings, sequences and scalars). */
  maxNodes: number;
  /** Most values that aliases (`*name`) may add by repeating what they refer to (bounds "billion laughs"). */
  maxAliasNodes?: number;
}

const DEFAULT_YAML_LIMITS: Required<YamlLimits> = { maxBytes: 1024 * 1024, maxDepth: 256, maxNodes: 500_000, maxAliasNodes: 250_000 };

const SPLIT_HINT = 'split the config into several files composed by a defaults list, or keep large data in a data file that the job reads';

interface LoadState {
  file: string;
  lines: string[];
  lineCounter: LineCounter;
  doc: Document.Parsed;
  limits: Required<YamlLimits>;
  nodes: number;
  aliasNodes: number;
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

function constructError(state: LoadState, node: YamlNode, message: string, hint?: string): TrellisError {
  return new TrellisError('YAML_SYNTAX', message, { where: whereAt(state, node.range?.[0] ?? 0), hint });
}

function typedScalar(state: LoadState, node: YamlScalar, asKey = false): TypedScalar {
  const text = typeof node.source === 'string' ? node.source : String(node.value ?? '');
  const tag = node.tag;
  if (tag && tag !== '!') {
    const short = tag.replace(/^tag:yaml\.org,2002:/, '');
    try {
      switch (short) {
        case 'str':
          return { value: text };
        case 'int':
          return { value: constructInt(text) };
        case 'float':
          return { value: constructFloat(text), float: true };
        case 'bool':
          return { value: constructBool(text) };
        case 'null':
          return { value: null };
      }
    } catch (e) {
      if (!(e instanceof ScalarConstructError)) throw e;
      throw constructError(state, node, `Cannot construct a value for the tag ${tag} from '${text}': ${e.message}`);
    }
    throw constructError(
      state,
      node,
      `Cannot construct a value for the tag ${tag} from '${text}'`,
      'only the standard tags !!str, !!int, !!float, !!bool and !!null are supported',
    );
  }
  if (node.type !== 'PLAIN') return { value: text };
  // PyYAML resolves these plain scalars to tags it has no constructor for (as keys, `=` is a string).
  if ((text === '=' && !asKey) || text === '<<') {
    throw constructError(
      state,
      node,
      `'${text}' cannot be a plain value (PyYAML reads it as the tag !!${text === '=' ? 'value' : 'merge'})`,
      `quote it: '${text}'`,
    );
  }
  try {
    return resolvePlainScalar(text);
  } catch (e) {
    if (!(e instanceof ScalarConstructError)) throw e;
    throw constructError(state, node, `Cannot read '${text}' as a number: ${e.message}`, 'quote it to keep it a string');
  }
}

/**
 * PyYAML's scanner in flow context (`[...]`, `{...}`): `?` ends a plain scalar (a leading `?`
 * is the explicit-key indicator, so `[?x]` is `[{x: null}]`) and a plain scalar cannot start
 * with `:`. The `yaml` package reads all of these as plain text.
 * Returns the scalar text without a leading `?` (the key), or undefined when there is none.
 */
function flowKeyIndicator(state: LoadState, node: YamlScalar): string | undefined {
  if (node.type !== 'PLAIN' || typeof node.source !== 'string') return undefined;
  const text = node.source;
  let rest: string | undefined;
  let body = text;
  if (text.startsWith('?')) {
    rest = text.slice(1).replace(/^ +/, '');
    body = rest;
  }
  if (body.startsWith(':') || body.includes('?')) {
    throw constructError(
      state,
      node,
      `'${text}' cannot be a plain scalar inside [...] or {...} (PyYAML reads '?' and a leading ':' as indicators there)`,
      'quote it',
    );
  }
  return rest;
}

function resolvePlainScalarAt(state: LoadState, node: YamlNode, text: string): TypedScalar {
  try {
    return resolvePlainScalar(text);
  } catch (e) {
    if (!(e instanceof ScalarConstructError)) throw e;
    throw constructError(state, node, `Cannot read '${text}' as a number: ${e.message}`, 'quote it to keep it a string');
  }
}

/** Counts a value as written, or as repeated by an alias (`aliasStack` not empty): two limits, two messages. */
function countNode(state: LoadState, node: YamlNode | null | undefined, aliasStack: Alias[]): void {
  const viaAlias = aliasStack.length > 0;
  const count = viaAlias ? ++state.aliasNodes : ++state.nodes;
  const limit = viaAlias ? state.limits.maxAliasNodes : state.limits.maxNodes;
  if (count <= limit) return;
  const where = whereAt(state, node?.range?.[0] ?? 0);
  if (viaAlias) {
    throw new TrellisError('YAML_LIMIT', `Aliases in ${state.file} repeat more than ${limit} values (the limit for alias expansion)`, {
      where,
      hint: 'aliases that refer to aliases multiply (a "billion laughs" document); write the data out, or repeat less of it',
    });
  }
  throw new TrellisError('YAML_LIMIT', `${state.file} holds more than ${limit} values (the limit for one YAML text)`, { where, hint: SPLIT_HINT });
}

function convert(state: LoadState, node: YamlNode | null | undefined, depth: number, aliasStack: Alias[], flow = false): Node {
  countNode(state, node, aliasStack);
  if (depth > state.limits.maxDepth) {
    throw new TrellisError('YAML_LIMIT', `${state.file} nests mappings and sequences more than ${state.limits.maxDepth} levels deep`, {
      where: whereAt(state, node?.range?.[0] ?? 0),
      hint: 'flatten the structure, or keep deep data in a data file that the job reads',
    });
  }
  if (node === null || node === undefined) return valueNode(null);
  if (yamlPackage().isAlias(node)) {
    if (!state.aliasTargets.has(node)) state.aliasTargets.set(node, node.resolve(state.doc) as YamlNode | undefined);
    const target = state.aliasTargets.get(node);
    if (!target || aliasStack.includes(node)) {
      throw new TrellisError('YAML_SYNTAX', `Unknown or recursive alias *${node.source}`, { where: whereAt(state, node.range?.[0] ?? 0) });
    }
    return convert(state, target, depth + 1, [...aliasStack, node]);
  }
  if (yamlPackage().isScalar(node)) {
    const typed = typedScalar(state, node);
    return valueNode(typed.value, typed.float ?? false, originOf(state, node));
  }
  if (yamlPackage().isSeq(node)) {
    checkCollectionTag(state, node, ['seq', 'omap', 'pairs']);
    const inFlow = flow || Boolean(node.flow);
    return listNode(
      node.items.map((item) =>
        inFlow ? convertFlowItem(state, item as YamlNode, depth, aliasStack) : convert(state, item as YamlNode, depth + 1, aliasStack),
      ),
      originOf(state, node),
    );
  }
  if (yamlPackage().isMap(node)) return convertMap(state, node, depth, aliasStack, flow || Boolean(node.flow));
  throw new TrellisError('YAML_SYNTAX', 'Unsupported YAML node', { where: whereAt(state, (node as YamlNode).range?.[0] ?? 0) });
}

/** PyYAML has no constructor for a scalar tag on a collection (`!!str [1]`) nor for unknown tags. */
function checkCollectionTag(state: LoadState, node: YamlNode, allowed: string[]): void {
  const tag = (node as { tag?: string }).tag;
  if (!tag || tag === '!') return;
  const short = tag.replace(/^tag:yaml\.org,2002:/, '');
  if (!allowed.includes(short))
    throw constructError(state, node, `Cannot construct a value for the tag ${tag} from a ${yamlPackage().isSeq(node) ? 'sequence' : 'mapping'}`);
}

/** A sequence item inside [...]: `?x` is PyYAML's explicit-key indicator, giving {x: null}. */
function convertFlowItem(state: LoadState, item: YamlNode | null | undefined, depth: number, aliasStack: Alias[]): Node {
  if (yamlPackage().isScalar(item)) {
    const rest = flowKeyIndicator(state, item);
    if (rest !== undefined) {
      const key = rest === '' ? { value: null } : resolvePlainScalarAt(state, item, rest);
      const dict = dictNode(originOf(state, item));
      if (key.value === null) throw nullKeyError(state, item);
      dict.entries.set(keyId(key.value, key.float), { key: key.value, ...(key.float ? { keyFloat: true } : {}), node: valueNode(null) });
      return dict;
    }
  }
  return convert(state, item, depth + 1, aliasStack, true);
}

function nullKeyError(state: LoadState, node: YamlNode | null | undefined): TrellisError {
  return new TrellisError('YAML_SYNTAX', 'A mapping key cannot be null', {
    where: whereAt(state, node?.range?.[0] ?? 0),
    hint: "OmegaConf rejects None keys (Incompatible key type 'NoneType'); quote the key ('null', '~') to make it a string",
  });
}

function isMergeKey(pair: Pair): boolean {
  return yamlPackage().isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.source === '<<' && !pair.key.tag;
}

/** `<<: *a` / `<<: [*a, *b]` as PyYAML flattens them: earlier sources win, own keys win over all. */
function mergeSources(state: LoadState, pair: Pair, depth: number, aliasStack: Alias[]): DictNode[] {
  const value = pair.value as YamlNode | null;
  const sources = yamlPackage().isSeq(value) ? [...value.items].reverse() : [value];
  return sources.map((source) => {
    const converted = convert(state, source as YamlNode, depth + 1, aliasStack);
    if (converted.kind !== 'dict') {
      throw new TrellisError('YAML_SYNTAX', 'A merge key (<<) needs a mapping or a list of mappings', {
        where: whereAt(state, ((source as YamlNode | null)?.range?.[0] ?? pair.key) ? ((pair.key as YamlNode).range?.[0] ?? 0) : 0),
      });
    }
    return converted;
  });
}

function convertMap(state: LoadState, node: YAMLMap, depth: number, aliasStack: Alias[], flow: boolean): DictNode {
  checkCollectionTag(state, node, ['map']);
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
    if (keyNode !== null && !yamlPackage().isScalar(keyNode) && !yamlPackage().isAlias(keyNode)) {
      throw new TrellisError('YAML_SYNTAX', 'Mapping keys must be scalars', { where: whereAt(state, keyNode.range?.[0] ?? 0) });
    }
    const flowKey = flow && yamlPackage().isScalar(keyNode) ? flowKeyIndicator(state, keyNode) : undefined;
    const keyConverted =
      keyNode === null
        ? valueNode(null)
        : flowKey !== undefined
          ? flowKey === ''
            ? valueNode(null)
            : (({ value, float }) => valueNode(value, float ?? false))(resolvePlainScalarAt(state, keyNode, flowKey))
          : yamlPackage().isScalar(keyNode)
            ? (({ value, float }) => valueNode(value, float ?? false))(typedScalar(state, keyNode, true))
            : convert(state, keyNode, depth + 1, aliasStack);
    if (keyConverted.kind !== 'value') {
      throw new TrellisError('YAML_SYNTAX', 'Mapping keys must be scalars', { where: whereAt(state, keyNode?.range?.[0] ?? 0) });
    }
    const key = keyConverted.value;
    if (key === null) throw nullKeyError(state, keyNode ?? node);
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
    const valueYaml = pair.value as YamlNode | null;
    if (flow && yamlPackage().isScalar(valueYaml) && flowKeyIndicator(state, valueYaml) !== undefined) {
      throw constructError(state, valueYaml, `'${String(valueYaml.source)}' cannot be a value inside {...}: '?' starts a key there`, 'quote it');
    }
    const entry: DictEntry = { key, node: convert(state, valueYaml, depth + 1, aliasStack, flow) };
    if (keyConverted.float) entry.keyFloat = true;
    own.push(entry);
  }
  for (const entry of [...merged, ...own]) {
    const id = keyId(entry.key, entry.keyFloat);
    const existing = dict.entries.get(id);
    // Python dicts keep a key's first position (and the first key object: 1 and true are one key) when it is assigned again.
    if (existing) existing.node = entry.node;
    else dict.entries.set(id, { ...entry });
  }
  return dict;
}

export interface LoadedYaml {
  /** The document's root; an empty document is an empty mapping, as in OmegaConf. */
  root: Node;
  /** The lines before the content (for `# @package` headers): comments without `#`, blank lines as ''. */
  headerComments: string[];
}

/**
 * Parses YAML text the way OmegaConf's loader does, keeping the position of every value.
 * `file` is the path shown in errors. Pure: the caller reads the file.
 */
export function loadYaml(text: string, file: string, givenLimits: YamlLimits = DEFAULT_YAML_LIMITS, nested = false): LoadedYaml {
  return load(text, file, givenLimits, nested, false);
}

/** The full parse alone, without the block-subset reader: what the reader is tested against. */
export function loadYamlFully(text: string, file: string, limits: YamlLimits = DEFAULT_YAML_LIMITS): LoadedYaml {
  return load(text, file, limits, false, true);
}

function load(text: string, file: string, givenLimits: YamlLimits, nested: boolean, fullParse: boolean): LoadedYaml {
  if (!nested)
    checkArgs('loadYaml', [
      ['text', text, 'string'],
      ['file', file, 'string'],
      ['limits', givenLimits, 'object'],
    ]);
  const limits: Required<YamlLimits> = { ...DEFAULT_YAML_LIMITS, ...givenLimits };
  // Checked first: parsing is what takes the time and memory.
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.maxBytes) {
    throw new TrellisError(
      'YAML_LIMIT',
      `${file} is ${formatBytes(bytes)} (${bytes} bytes), more than the ${formatBytes(limits.maxBytes)} limit for a YAML text`,
      {
        where: { kind: 'file', file, line: 1, col: 1 },
        hint: SPLIT_HINT,
      },
    );
  }
  const lines = text.split(/\r?\n/);
  const nesting = nestingBound(lines);
  if (nesting > limits.maxDepth * 2) {
    throw new TrellisError('YAML_LIMIT', `${file} nests mappings and sequences about ${nesting} levels deep, more than the limit of ${limits.maxDepth}`, {
      where: { kind: 'file', file, line: 1, col: 1 },
      hint: 'flatten the structure, or keep deep data in a data file that the job reads',
    });
  }
  const headerComments = leadingComments(lines);
  // Most config files are in the block subset, read without the yaml package.
  const simple = fullParse ? undefined : readBlockSubset(text, file, lines, limits);
  if (simple) return { root: simple, headerComments };
  const lineCounter = new (yamlPackage().LineCounter)();
  const doc = yamlPackage().parseDocument(text, {
    schema: 'failsafe',
    uniqueKeys: false,
    lineCounter,
    prettyErrors: false,
    strict: true,
  });
  const state: LoadState = { file, lines, lineCounter, doc, limits, nodes: 0, aliasNodes: 0, aliasTargets: new Map() };
  const problems = doc.errors.map((e) => {
    const offset = e.pos[0];
    // The yaml package parses flow collections recursively and reports running out of stack as an error.
    if (e.message.includes('Maximum call stack size exceeded')) {
      return new TrellisError('YAML_LIMIT', `${file} nests mappings and sequences too deeply to parse (the limit is ${limits.maxDepth} levels)`, {
        where: whereAt(state, offset),
        hint: 'flatten the structure, or keep deep data in a data file that the job reads',
      });
    }
    return new TrellisError('YAML_SYNTAX', `Invalid YAML: ${e.message.split('\n')[0]}`, {
      where: whereAt(state, offset, Math.max(1, e.pos[1] - e.pos[0])),
      hint: 'check indentation, colons and quotes at this position',
    });
  });
  collectErrors(problems).throwIfAny();
  checkTabs(state, text);
  const contents = doc.contents as YamlNode | null;
  let root =
    contents === null || (yamlPackage().isScalar(contents) && contents.value === null && contents.source === '') ? dictNode() : convert(state, contents, 0, []);
  if (root.kind === 'value' && typeof root.value === 'string' && !nested) root = reparseStringRoot(root, file, limits);
  return { root, headerComments };
}

/**
 * The lines before the content (a `# @package` header among them): comments without their `#`,
 * blank lines as ''. Entry i is line i + 1 of the file.
 */
function leadingComments(lines: readonly string[]): string[] {
  const comments: string[] = [];
  for (const line of lines) {
    if (/^\s*#/.test(line)) comments.push(line.replace(/^\s*#\s?/, ''));
    else if (line.trim() === '') comments.push('');
    else break;
  }
  return comments;
}

const LINE_HEAD = /^( *)((?:[-?](?: +|$))*)/;

/**
 * How deep the text nests at most, in one pass before parsing: the yaml package parses
 * recursively and runs out of stack at about 1,000 levels, where V8 may even abort the process
 * (compiling a regular expression with no stack left). Indentation, compact `- - x` items and
 * brackets count; brackets inside strings count too, which only overestimates, so the caller
 * refuses only at twice the depth limit and the converter applies the exact limit.
 */
function nestingBound(lines: readonly string[]): number {
  const indents: number[] = [];
  let flow = 0;
  let deepest = 0;
  for (const line of lines) {
    const head = LINE_HEAD.exec(line) as RegExpExecArray;
    const body = line.slice(head[0].length);
    if (body.startsWith('#') || (body === '' && head[2] === '')) continue;
    const indent = (head[1] as string).length;
    while (indents.length > 0 && (indents[indents.length - 1] as number) >= indent) indents.pop();
    indents.push(indent);
    const block = indents.length + (head[2] as string).replace(/ /g, '').length;
    let peak = flow;
    for (let i = 0; i < body.length; i++) {
      const c = body[i];
      if (c === '[' || c === '{') peak = Math.max(peak, ++flow);
      else if ((c === ']' || c === '}') && flow > 0) flow--;
    }
    deepest = Math.max(deepest, block + peak);
  }
  return deepest;
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}

/**
 * OmegaConf.load hands a document that is one string to OmegaConf.create, which parses that
 * string as YAML again: `"a: 1"` is the dict {a: 1}, `''` is empty, `x` stays the string (the
 * caller makes it {x: null}), and a string that reads as a number cannot be a config.
 */
function reparseStringRoot(root: ValueNode, file: string, limits: YamlLimits): Node {
  const inner = loadYaml(String(root.value), file, limits, true).root;
  if (inner.kind !== 'value') return inner;
  if (inner.value === null || typeof inner.value === 'string') return { ...root, value: inner.value };
  throw new TrellisError(
    'YAML_SYNTAX',
    `The document is the string '${String(root.value)}', which OmegaConf reads again as YAML and gets a ${typeof inner.value === 'boolean' ? 'bool' : 'number'}, not a config`,
    {
      where: root.origin ?? { kind: 'file', file, line: 1, col: 1 },
      hint: 'a config file holds a mapping (or a list)',
    },
  );
}

/**
 * PyYAML never skips a tab between tokens: a tab outside a quoted or block scalar and outside
 * a comment (`a: b<TAB>`, `key:<TAB>1`, a tab in a plain scalar) fails the load there, while
 * the `yaml` package accepts most of them.
 */
function checkTabs(state: LoadState, text: string): void {
  if (!text.includes('\t')) return;
  const masked = text.split('');
  yamlPackage().visit(state.doc, {
    Scalar(_key, node) {
      if (node.type === 'PLAIN' || !node.range) return;
      for (let i = node.range[0]; i < node.range[1]; i++) if (masked[i] !== '\n') masked[i] = 'x';
    },
  });
  let offset = 0;
  for (const line of masked.join('').split('\n')) {
    const comment = line.search(/(?:^|[ \t])#/);
    const end = comment < 0 ? line.length : comment + (line[comment] === '#' ? 0 : 1);
    const tab = line.slice(0, end).indexOf('\t');
    if (tab >= 0) {
      throw new TrellisError(
        'YAML_SYNTAX',
        'Invalid YAML: a tab cannot start a token here (PyYAML only accepts tabs inside quoted or block scalars and comments)',
        {
          where: whereAt(state, offset + tab),
          hint: 'replace the tab with spaces, or quote the value that holds it',
        },
      );
    }
    offset += line.length + 1;
  }
}
