import { plainWouldChangeType } from '../yaml/resolve-scalar.js';
import { formatPythonFloat } from '../util/python.js';
import { keyText, type DictEntry, type Node, type Scalar } from './node.js';
import { checkArgs } from '../errors/check-args.js';

/** Strings that YAML 1.2 readers (not only ours) would read as something else. */
const YAML12_SPECIAL = /^(?:[-+]?(?:\.inf|\.Inf|\.INF)|\.nan|\.NaN|\.NAN|0o[0-7]+|[-+]?(?:\d[\d_]*)?\.?\d*(?:[eE][-+]?\d+)?|~|null|true|false|True|False)$/i;
const SAFE_PLAIN = /^[A-Za-z0-9_./$\\(][^\n\r\t#"']*$/;

function isPlainSafe(s: string): boolean {
  if (s === '' || s !== s.trim()) return false;
  if (!SAFE_PLAIN.test(s) || s.includes(': ') || s.endsWith(':') || s.includes(' #')) return false;
  if (/[[\]{},]/.test(s) && !/^\$\{[^\n]*\}$/.test(s) && !s.includes('${')) return false;
  if (/^[-?:,[\]{}#&*!|>'"%@`]/.test(s)) return false;
  // `...` and `---` at the start of a line end or start a document (a root key can sit there).
  if (s.startsWith('...') || s.startsWith('---')) return false;
  return !plainWouldChangeType(s) && !YAML12_SPECIAL.test(s) && !/^\d/.test(s) && s !== '<<' && s !== '=';
}

function quoteString(s: string): string {
  if (isPlainSafe(s)) return s;
  // eslint-disable-next-line no-control-regex
  if (!/[\x00-\x1f\x7f]/.test(s)) return `'${s.replaceAll("'", "''")}'`;
  return JSON.stringify(s);
}

/** A scalar in YAML text that reads back (with OmegaConf's rules) as the same value and type. */
function yamlScalar(value: Scalar, float = false): string {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!float && Number.isInteger(value)) return String(value);
    if (Number.isNaN(value)) return '.nan';
    if (value === Infinity) return '.inf';
    if (value === -Infinity) return '-.inf';
    // PyYAML's float representer: `1e-08` would read back as a string in YAML 1.1 (PyYAML),
    // so a point goes before the exponent, as OmegaConf.to_yaml writes it.
    const text = formatPythonFloat(value);
    return text.includes('.') || !text.includes('e') ? text : text.replace('e', '.0e');
  }
  // OmegaConf.to_yaml writes the missing-value marker plain; it reads back as missing either way.
  if (value === '???') return value;
  return quoteString(value);
}

function yamlKey(entry: DictEntry): string {
  return typeof entry.key === 'string' ? quoteString(entry.key) : yamlScalar(entry.key, entry.keyFloat);
}

function isEmptyContainer(node: Node): boolean {
  return (node.kind === 'dict' && node.entries.size === 0) || (node.kind === 'list' && node.items.length === 0);
}

function inline(node: Node): string {
  if (node.kind === 'value') return yamlScalar(node.value, node.float);
  return node.kind === 'dict' ? '{}' : '[]';
}

function emitLines(node: Node, indent: string, out: string[]): void {
  if (node.kind === 'dict') {
    for (const entry of node.entries.values()) {
      const child = entry.node;
      if (child.kind === 'value' || isEmptyContainer(child)) out.push(`${indent}${yamlKey(entry)}: ${inline(child)}`);
      else {
        out.push(`${indent}${yamlKey(entry)}:`);
        emitLines(child, child.kind === 'list' ? indent : `${indent}  `, out);
      }
    }
  } else if (node.kind === 'list') {
    for (const item of node.items) {
      if (item.kind === 'value' || isEmptyContainer(item)) out.push(`${indent}- ${inline(item)}`);
      else {
        const sub: string[] = [];
        emitLines(item, `${indent}  `, sub);
        const first = sub[0] ?? '';
        sub[0] = `${indent}- ${first.slice(indent.length + 2)}`;
        out.push(...sub);
      }
    }
  } else out.push(`${indent}${inline(node)}`);
}

/** Block-style YAML; floats keep their point (`1.0`) and strings that look typed are quoted. */
export function toYamlText(node: Node): string {
  checkArgs('toYamlText', [['node', node, 'node']]);
  if (node.kind === 'value' || isEmptyContainer(node)) return `${inline(node)}\n`;
  const out: string[] = [];
  emitLines(node, '', out);
  return `${out.join('\n')}\n`;
}

function jsonScalar(value: Scalar, float = false): string {
  if (typeof value === 'bigint') return value.toString();
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return JSON.stringify(formatPythonFloat(value));
    if (float) {
      const text = formatPythonFloat(value);
      return text.includes('e') ? text.replace(/e([+-])0*(\d)/, 'e$1$2') : text;
    }
    return String(value);
  }
  return JSON.stringify(value);
}

/** JSON text; floats keep a point (`1.0`), NaN and infinities become the strings "nan"/"inf". */
export function toJsonText(node: Node, indent = '  '): string {
  checkArgs('toJsonText', [
    ['node', node, 'node'],
    ['indent', indent, 'string'],
  ]);
  return jsonLines(node, indent, '');
}

function jsonLines(node: Node, indent: string, level: string): string {
  const inner = level + indent;
  if (node.kind === 'value') return jsonScalar(node.value, node.float);
  if (node.kind === 'list') {
    if (!node.items.length) return '[]';
    return `[\n${node.items.map((i) => inner + jsonLines(i, indent, inner)).join(',\n')}\n${level}]`;
  }
  if (!node.entries.size) return '{}';
  const parts = [...node.entries.values()].map((e) => `${inner}${JSON.stringify(keyText(e))}: ${jsonLines(e.node, indent, inner)}`);
  return `{\n${parts.join(',\n')}\n${level}}`;
}
