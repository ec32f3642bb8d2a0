/**
 * Reads YAML text the way Python users' tools do: PyYAML's `safe_load` (YAML 1.1 implicit types)
 * or OmegaConf's loader (PyYAML with a float rule that also takes `1e-08`, and no timestamps).
 * Plain scalars get the type the first matching rule gives; quoted ones stay strings. The result
 * is in the tagged form of ./plain.ts (floats as `{ $float }`), so it compares with `tagged()`.
 */
import { isMap, isScalar, isSeq, parseDocument, Scalar, type Node as YamlNode } from 'yaml';

export type Yaml11Reader = 'pyyaml' | 'omegaconf';

// The implicit resolvers of PyYAML's resolver.py, in its order of precedence.
const BOOL = /^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const PY_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
// omegaconf/_utils.py get_yaml_loader(): the exponent needs no point and no sign.
const OC_FLOAT =
  /^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+]?[0-9]+)?|[-+]?(?:[0-9][0-9_]*)(?:[eE][-+]?[0-9]+)|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$/;
const INT = /^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$/;
const NULL = /^(?:~|null|Null|NULL|)$/;
const TIMESTAMP =
  /^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$/;

function plainScalar(text: string, reader: Yaml11Reader): unknown {
  if (BOOL.test(text)) return /^(?:yes|true|on)$/i.test(text);
  if ((reader === 'pyyaml' ? PY_FLOAT : OC_FLOAT).test(text)) {
    const t = text.replaceAll('_', '').toLowerCase();
    if (t.includes(':')) return { $float: 'sexagesimal float' }; // never expected in our output
    return { $float: t.endsWith('inf') ? (t.startsWith('-') ? -Infinity : Infinity) : t === '.nan' ? NaN : Number(t) };
  }
  if (INT.test(text)) {
    const t = text.replaceAll('_', '');
    if (/^[-+]?0[0-7]+$/.test(t) || t.includes(':') || /0[bx]/i.test(t)) return { $int: `non-decimal int ${t}` }; // never expected either
    // Python ints have every digit; tagged() writes those past 2^53 as { $int }.
    return Number.isSafeInteger(Number(t)) ? Number(t) : { $int: BigInt(t).toString() };
  }
  if (NULL.test(text)) return null;
  if (reader === 'pyyaml' && TIMESTAMP.test(text)) return { $timestamp: text };
  return text;
}

function convert(node: YamlNode | null | undefined, reader: Yaml11Reader): unknown {
  if (node === null || node === undefined) return null;
  if (isScalar(node)) {
    return node.type === Scalar.PLAIN ? plainScalar(String(node.value), reader) : node.value;
  }
  if (isSeq(node)) return node.items.map((item) => convert(item as YamlNode, reader));
  if (isMap(node)) {
    const out: Record<string, unknown> = {};
    for (const pair of node.items) {
      const key = convert(pair.key as YamlNode, reader);
      // Non-string keys as tagged() names them: <number>1, <boolean>true.
      const name =
        typeof key === 'string'
          ? key
          : key !== null && typeof key === 'object' && '$float' in key
            ? `<number>${String(pair.key)}`
            : `<${typeof key}>${String(key)}`;
      Object.defineProperty(out, name, {
        value: convert(pair.value as YamlNode, reader),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }
  throw new Error(`unexpected YAML node ${String(node)}`);
}

export function readYaml11(text: string, reader: Yaml11Reader): unknown {
  // failsafe: every scalar keeps its source text; the rules above give the types.
  const doc = parseDocument(text, { schema: 'failsafe' });
  if (doc.errors.length) throw doc.errors[0];
  return convert(doc.contents as YamlNode, reader);
}
