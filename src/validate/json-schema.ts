import { z } from 'zod';
import type { ConfigSchema } from './validate.js';
import { splitDottedKey } from '../util/key-path.js';

type JsonSchema = Record<string, unknown>;

const INTERPOLATION: JsonSchema = { type: 'string', pattern: '\\$\\{', description: 'an interpolation, resolved when the config is composed' };
const MISSING: JsonSchema = { const: '???', description: 'a mandatory value, set elsewhere' };

/**
 * Adapts a schema for checking one YAML file of a config directory: a file may hold only part
 * of the config (no `required`), any value may be an interpolation or `???`, and unions of
 * partial objects must not be exclusive (`oneOf` → `anyOf`).
 */
function forFiles(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(forFiles);
  if (node === null || typeof node !== 'object') return node;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'required') continue;
    out[key === 'oneOf' ? 'anyOf' : key] =
      key === 'properties' ? Object.fromEntries(Object.entries(value as JsonSchema).map(([k, v]) => [k, leaf(forFiles(v) as JsonSchema)])) : forFiles(value);
  }
  return out;
}

function leaf(schema: JsonSchema): JsonSchema {
  if (schema.type === 'object' && !schema.anyOf) return schema;
  const { description, default: def, ...rest } = schema;
  const wrapped: JsonSchema = { anyOf: [rest, INTERPOLATION, MISSING] };
  if (description !== undefined) wrapped.description = description;
  if (def !== undefined) wrapped.default = def;
  return wrapped;
}

/** The object schemas among the alternatives of a (possibly wrapped, possibly union) schema. */
function objectBranches(schema: JsonSchema): JsonSchema[] {
  if (schema.type === 'object' || schema.properties) return [schema];
  const alternatives = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  return alternatives ? alternatives.flatMap(objectBranches) : [];
}

/** The sub-schema at a dotted path of object properties, or undefined. */
function at(schema: JsonSchema, path: string): JsonSchema | undefined {
  let node: JsonSchema | undefined = schema;
  for (const segment of splitDottedKey(path).filter(Boolean)) {
    const candidates: JsonSchema[] = objectBranches(node ?? {})
      .map((b) => (b.properties as Record<string, JsonSchema> | undefined)?.[segment])
      .filter((c): c is JsonSchema => c !== undefined);
    if (!candidates.length) return undefined;
    const branches = candidates.flatMap(objectBranches);
    node = branches.length === 1 ? branches[0] : branches.length > 1 ? { anyOf: branches } : candidates[0];
  }
  return node;
}

export interface ConfigJsonSchemas {
  /** For the primary config file: the whole config, plus `defaults` and the `hydra`/`trellis` node. */
  primary: JsonSchema;
  /** For the option files of each group, keyed by group path (`optimizer`, `model/encoder`). */
  groups: Record<string, JsonSchema>;
}

/**
 * JSON Schemas (draft-07, what yaml-language-server reads) that let an editor complete and check
 * the YAML files of a config directory.
 */
export function configJsonSchemas(schema: ConfigSchema, groups: readonly string[]): ConfigJsonSchemas {
  const full = z.toJSONSchema(schema, { target: 'draft-7', io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const files = forFiles(full) as JsonSchema;
  const defaultsList: JsonSchema = { type: 'array', description: 'the defaults list: group options and configs to merge' };
  // `defaults` may appear in any config file; in a union, each branch must allow it.
  const withDefaults = (s: JsonSchema): JsonSchema =>
    s.anyOf
      ? { ...s, anyOf: (s.anyOf as JsonSchema[]).map(withDefaults) }
      : { ...s, properties: { defaults: defaultsList, ...(s.properties as JsonSchema | undefined) } };
  const primary = withDefaults(files);
  primary.properties = { ...(primary.properties as JsonSchema), hydra: { type: 'object' }, trellis: { type: 'object' } };
  const out: Record<string, JsonSchema> = {};
  for (const group of groups) {
    const sub = at(files, group.replaceAll('/', '.'));
    if (sub) out[group] = { $schema: full.$schema, ...withDefaults(sub) };
  }
  return { primary, groups: out };
}
