import type { ZodType } from 'zod';
import { TrellisError, collectErrors, didYouMean } from '../errors/index.js';
import { fromPlain, keyText, setKey, type Node, type Origin } from '../tree/node.js';
import { formatKeyPath } from '../util/key-path.js';
import { formatPythonFloat } from '../util/python.js';
import { locate } from './provenance.js';

/** zod schemas describe the job config; this module is loaded only when an app declares one. */
export type ConfigSchema = ZodType;

interface Issue {
  code: string;
  path: PropertyKey[];
  message: string;
  keys?: string[];
  values?: unknown[];
  expected?: string;
  minimum?: unknown;
  maximum?: unknown;
  options?: unknown;
}

function shown(node: Node | undefined): string {
  if (!node) return 'nothing (the key is missing)';
  if (node.kind !== 'value') return node.kind === 'dict' ? 'a mapping' : 'a list';
  if (typeof node.value === 'string') return `'${node.value}'`;
  if (typeof node.value === 'number' && node.float) return formatPythonFloat(node.value);
  return String(node.value);
}

type SchemaLike = { _zod?: { def?: Record<string, unknown> }; shape?: Record<string, unknown>; isInt?: boolean } | undefined;

/** The schema inside wrappers (optional, default, nullable…). */
function unwrapped(schema: unknown): SchemaLike {
  let current = schema as SchemaLike;
  for (let i = 0; i < 10 && current?._zod?.def && 'innerType' in current._zod.def; i++) current = current._zod.def.innerType as SchemaLike;
  return current;
}

/**
 * Integral floats (`10.0`) where the schema wants an int. zod sees the number 10 and accepts it,
 * but the config would record 10.0; OmegaConf's IntegerNode refuses any float, and so do we.
 * `z.coerce` schemas asked for conversion, so they are left alone.
 */
function floatsForInts(schema: unknown, root: Node, node: Node = root, path: PropertyKey[] = []): TrellisError[] {
  const s = unwrapped(schema);
  if (!s) return [];
  if (node.kind === 'dict' && s.shape)
    return [...node.entries.values()].flatMap((e) => floatsForInts(s.shape![keyText(e)], root, e.node, [...path, keyText(e)]));
  if (node.kind === 'list' && s._zod?.def?.element) return node.items.flatMap((item, i) => floatsForInts(s._zod!.def!.element, root, item, [...path, i]));
  if (node.kind !== 'value' || !node.float || typeof node.value !== 'number' || !Number.isInteger(node.value)) return [];
  if (s.isInt !== true || s._zod?.def?.coerce === true) return [];
  const key = formatKeyPath(path);
  const whole = String(node.value);
  const { origin } = locate(root, path);
  const hint = origin?.kind === 'override' ? `write ${key}=${whole}` : `write ${whole}, without the decimal point`;
  return [new TrellisError('VALIDATION_FAILED', `${key}: expected an integer, got the float ${shown(node)}`, { where: origin, keyPath: key, hint })];
}

/** The object schema found by following `path` through wrappers (optional, default, nullable…). */
function shapeAt(schema: unknown, path: readonly PropertyKey[]): Record<string, unknown> | undefined {
  let current = schema as { _zod?: { def?: Record<string, unknown> }; shape?: Record<string, unknown> } | undefined;
  const unwrap = () => {
    for (let i = 0; i < 10 && current?._zod?.def && 'innerType' in current._zod.def; i++) current = current._zod.def.innerType as typeof current;
  };
  unwrap();
  for (const segment of path) {
    if (typeof segment === 'number') current = current?._zod?.def?.element as typeof current;
    else current = current?.shape?.[String(segment)] as typeof current;
    unwrap();
  }
  return current?.shape;
}

const SCALAR_TYPES = new Set(['number', 'int', 'bigint', 'boolean']);

/**
 * Environment variables are text, so `${oc.env:PORT}` into a number field fails; OmegaConf's
 * answer is `oc.decode`, zod's is `z.coerce`. Said when the value is text where a number or
 * boolean is expected and came from `oc.env` or reads as one.
 */
function textForScalarHint(issue: Issue, node: Node | undefined, origin: Origin | undefined): string | undefined {
  if (issue.code !== 'invalid_type' || !SCALAR_TYPES.has(issue.expected ?? '') || node?.kind !== 'value' || typeof node.value !== 'string') return undefined;
  const env = origin?.kind === 'file' ? /\$\{oc\.env:[^{}]*\}/.exec(origin.sourceLine ?? '')?.[0] : undefined;
  const expected = issue.expected === 'int' ? 'number' : issue.expected!;
  if (!env && !/^\s*(?:[-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|true|false)\s*$/i.test(node.value)) return undefined;
  const coerce = `or use z.coerce.${expected}() in the schema`;
  if (env) return `${env} is text: write \${oc.decode:${env}} to read it as a ${expected}, ${coerce}`;
  return `'${node.value}' is text: write it without quotes (or through \${oc.decode:…} when it comes from an interpolation), ${coerce}`;
}

function issueError(issue: Issue, config: Node, schema: ConfigSchema): TrellisError[] {
  if (issue.code === 'unrecognized_keys' && issue.keys?.length) {
    const known = Object.keys(shapeAt(schema, issue.path) ?? {});
    return issue.keys.map((key) => {
      const path = [...issue.path, key];
      const { node, origin } = locate(config, path);
      return new TrellisError('VALIDATION_FAILED', `${formatKeyPath(path)}: unknown key (value ${shown(node)})`, {
        where: origin,
        keyPath: formatKeyPath(path),
        hint: didYouMean(key, known) ?? (known.length ? `known keys: ${known.join(', ')}` : 'remove the key or add it to the schema'),
      });
    });
  }
  const { node, origin } = locate(config, issue.path);
  const key = formatKeyPath(issue.path) || '(root)';
  let hint: string | undefined;
  if (issue.code === 'invalid_value' && issue.values) hint = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
  if (!node) hint = `set it in a config file or on the command line: +${key}=…`;
  hint ??= textForScalarHint(issue, node, origin);
  const what = issue.message.replace(/^Invalid input: /, '');
  return [new TrellisError('VALIDATION_FAILED', `${key}: ${what}; got ${shown(node)}`, { where: node ? origin : undefined, keyPath: key, hint })];
}

/** Keeps float flags and origins of unchanged values when zod hands back plain data. */
function reconcile(original: Node | undefined, data: unknown): Node {
  if (original?.kind === 'value' && (data === original.value || (typeof data === 'number' && Number.isNaN(data) && Number.isNaN(original.value as number))))
    return original;
  if (original?.kind === 'value' && typeof original.value === 'bigint' && typeof data === 'bigint' && data === original.value) return original;
  if (Array.isArray(data)) {
    const list = fromPlain([]);
    if (list.kind === 'list') list.items = data.map((item, i) => reconcile(original?.kind === 'list' ? original.items[i] : undefined, item));
    return list;
  }
  if (data !== null && typeof data === 'object') {
    const dict = fromPlain({});
    if (dict.kind === 'dict') {
      const values = new Map(Object.entries(data));
      // The config's key order first (zod returns schema order), then keys the schema added.
      const order = original?.kind === 'dict' ? [...original.entries.values()].map((e) => keyText(e)).filter((k) => values.has(k)) : [];
      for (const k of [...order, ...[...values.keys()].filter((k) => !order.includes(k))]) {
        const before = original?.kind === 'dict' ? [...original.entries.values()].find((e) => keyText(e) === k)?.node : undefined;
        setKey(dict, k, reconcile(before, values.get(k)));
      }
      dict.origin = original?.origin;
    }
    return dict;
  }
  return fromPlain(data, original?.origin);
}

export interface ValidationResult {
  /** The config the job sees: schema defaults applied, float flags and origins kept. */
  node: Node;
  data: unknown;
}

/**
 * Checks a resolved config against a zod schema. Every issue is reported at once, each with the
 * dotted key, the bad value, what was expected and the file:line:col or override that set it.
 */
export function validateConfig(schema: ConfigSchema, resolved: Node, plain: unknown): ValidationResult {
  const result = schema.safeParse(plain);
  const floats = floatsForInts(schema, resolved);
  if (result.success && !floats.length) return { node: reconcile(resolved, result.data), data: result.data };
  const errors = result.success ? [] : (result.error.issues as unknown as Issue[]).flatMap((issue) => issueError(issue, resolved, schema));
  collectErrors([...errors, ...floats]).throwIfAny();
  throw new TrellisError('VALIDATION_FAILED', 'The config does not match the schema');
}
