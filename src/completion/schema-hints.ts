import { splitDottedKey } from '../util/key-path.js';

/** A JSON Schema (as zod's toJSONSchema gives it), read without zod. */
export type JsonSchema = Record<string, unknown>;

/** What a schema says about one key: its description, allowed values and sub-keys. */
export interface SchemaHint {
  description: string | undefined;
  /** Enum and literal values (union branches together), as override text. */
  values: string[];
  /** Sub-keys with their descriptions. */
  keys: Map<string, string | undefined>;
}

/** Every alternative of a schema: anyOf/oneOf/allOf branches, flattened. */
function alternatives(schema: JsonSchema): JsonSchema[] {
  const branches = (schema.anyOf ?? schema.oneOf ?? schema.allOf) as JsonSchema[] | undefined;
  return Array.isArray(branches) ? [schema, ...branches.flatMap(alternatives)] : [schema];
}

const text = (value: unknown): string => (typeof value === 'boolean' ? String(value) : value === null ? 'null' : String(value));

/**
 * The hint at a dotted path: each union branch is followed, so the `name` of a discriminated
 * union lists every branch's literal. Pure; undefined when the schema has no such key.
 */
export function schemaHint(root: JsonSchema, path: string): SchemaHint | undefined {
  let nodes = alternatives(root);
  for (const segment of path ? splitDottedKey(path).filter(Boolean) : []) {
    nodes = nodes.flatMap((n) => {
      const props = n.properties as Record<string, JsonSchema> | undefined;
      const sub = props && Object.hasOwn(props, segment) ? props[segment] : undefined;
      const items = /^\d+$/.test(segment) ? (Array.isArray(n.prefixItems) ? (n.prefixItems as JsonSchema[])[Number(segment)] : n.items) : undefined;
      const next = sub ?? (items as JsonSchema | undefined);
      return next && typeof next === 'object' ? alternatives(next) : [];
    });
    if (!nodes.length) return undefined;
  }
  const values = new Set<string>();
  const keys = new Map<string, string | undefined>();
  let description: string | undefined;
  for (const n of nodes) {
    description ??= typeof n.description === 'string' ? n.description : undefined;
    if (Array.isArray(n.enum)) for (const v of n.enum) values.add(text(v));
    if (Object.hasOwn(n, 'const')) values.add(text(n.const));
    if (n.type === 'boolean') ['true', 'false'].forEach((v) => values.add(v));
    for (const [k, v] of Object.entries((n.properties as Record<string, JsonSchema> | undefined) ?? {})) {
      if (!keys.has(k) || keys.get(k) === undefined) keys.set(k, typeof v.description === 'string' ? v.description : undefined);
    }
  }
  return { description, values: [...values], keys };
}
