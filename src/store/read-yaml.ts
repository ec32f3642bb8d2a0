import { toPlain } from '../tree/node.js';
import { loadYaml } from '../yaml/load.js';
import { resolvePlainScalar } from '../yaml/resolve-scalar.js';

/**
 * Reads a YAML record of a run directory (resolved.yaml, choices.yaml…) as plain values.
 *
 * Records are written by `toYamlText`, which only emits block mappings and sequences, one
 * scalar per line, and `{}`/`[]` for empty containers. Reading that subset line by line is
 * about twenty times faster than a full YAML parse, which is what lets `trellis runs list`
 * read ten thousand configs in well under a second. Anything outside the subset (a file edited
 * by hand, a comment, a block scalar, an anchor) falls back to the full loader, so the answer
 * is always the one `loadYaml` gives.
 */
export function readYamlRecord(text: string, file: string): unknown {
  const fast = readEmitted(text);
  return fast === FALLBACK ? toPlain(loadYaml(text, file).root, { mapValue: (node) => jsonScalar(node.value) }) : fast;
}

const FALLBACK = Symbol('fallback');

interface Frame {
  indent: number;
  /** A mapping or a sequence whose entries start at `indent`. */
  container: Record<string, unknown> | unknown[];
}

const KEY_LINE = /^( *)(- )?((?:'(?:[^']|'')*'|"(?:[^"\\]|\\.)*"|[^'" #:][^#:]*?))(?::(?: (.*))?)?$/;

function scalar(text: string): unknown | typeof FALLBACK {
  if (text === '{}') return Object.create(null) as Record<string, unknown>;
  if (text === '[]') return [];
  const c = text[0];
  if (c === "'") {
    if (!text.endsWith("'") || text.length < 2) return FALLBACK;
    const body = text.slice(1, -1);
    if (/'(?!')/.test(body.replaceAll("''", ''))) return FALLBACK;
    return body.replaceAll("''", "'");
  }
  if (c === '"') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return FALLBACK;
    }
  }
  // `?` starts a plain scalar when a non-space follows (`???`, the missing value, is written plain).
  if (c === undefined || /^(?:[:,[\]{}#&*!|>%@`]|\?(?:\s|$))/.test(text) || text.startsWith('- ') || text === '-' || text.includes(' #') || text.includes(': '))
    return FALLBACK;
  try {
    return jsonScalar(resolvePlainScalar(text).value);
  } catch {
    return FALLBACK;
  }
}

/** Integers beyond 2^53 become their decimal text, so every value survives JSON (the index). */
function jsonScalar(value: unknown): unknown {
  if (typeof value !== 'bigint') return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value.toString();
}

function keyOf(text: string): string | typeof FALLBACK {
  const k = scalar(text);
  if (k === FALLBACK || (k !== null && typeof k === 'object')) return FALLBACK;
  return typeof k === 'bigint' ? k.toString() : String(k);
}

function put(container: Record<string, unknown>, key: string, value: unknown): boolean {
  if (key === '__proto__' || Object.hasOwn(container, key)) return false;
  container[key] = value;
  return true;
}

/** The emitter's subset, or FALLBACK. Returns plain objects with no prototype. */
function readEmitted(text: string): unknown {
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  if (lines.length === 0) return FALLBACK;
  if (lines.length === 1) {
    const only = lines[0]!;
    if (!only.startsWith('- ') && !/^[^'"]*: |:$/.test(only)) return scalar(only);
  }
  let root: Record<string, unknown> | unknown[] | undefined;
  const stack: Frame[] = [];
  /** A key waiting for its block value on the next lines: the container and key it goes to. */
  let pending: { container: Record<string, unknown>; key: string; indent: number } | undefined;
  for (const line of lines) {
    const m = KEY_LINE.exec(line);
    if (!m) return FALLBACK;
    let indent = m[1]!.length;
    const dash = m[2] !== undefined;
    const head = m[3]!;
    const hasColon = line.slice(indent + (dash ? 2 : 0) + head.length).startsWith(':');
    const rest = m[4];
    if (pending) {
      // The block value of `key:` starts here: a sequence at the same indent or a mapping deeper.
      const isSeq = dash && indent === pending.indent;
      const isMap = !dash && indent > pending.indent;
      if (!isSeq && !isMap) return FALLBACK;
      const child: Record<string, unknown> | unknown[] = isSeq ? [] : (Object.create(null) as Record<string, unknown>);
      if (!put(pending.container, pending.key, child)) return FALLBACK;
      stack.push({ indent, container: child });
      pending = undefined;
    } else if (root === undefined) {
      if (indent !== 0) return FALLBACK;
      root = dash ? [] : (Object.create(null) as Record<string, unknown>);
      stack.push({ indent: 0, container: root });
    }
    // Leave the containers this line is not in: deeper ones, and a sequence written at the
    // indent of its key when the line is the next key of that mapping.
    for (
      let top = stack[stack.length - 1];
      top && (top.indent > indent || (top.indent === indent && !dash && Array.isArray(top.container)));
      top = stack[stack.length - 1]
    ) {
      stack.pop();
    }
    const frame = stack[stack.length - 1];
    if (!frame || frame.indent !== indent) return FALLBACK;
    let target: Record<string, unknown>;
    if (dash) {
      if (!Array.isArray(frame.container)) return FALLBACK;
      if (!hasColon) {
        const v = scalar(head);
        if (v === FALLBACK) return FALLBACK;
        frame.container.push(v);
        continue;
      }
      // `- key: value`: a mapping item whose keys sit two columns in.
      target = Object.create(null) as Record<string, unknown>;
      frame.container.push(target);
      indent += 2;
      stack.push({ indent, container: target });
    } else {
      if (Array.isArray(frame.container) || !hasColon) return FALLBACK;
      target = frame.container;
    }
    const key = keyOf(head);
    if (key === FALLBACK) return FALLBACK;
    if (rest === undefined || rest === '') {
      pending = { container: target, key, indent };
      continue;
    }
    const v = scalar(rest);
    if (v === FALLBACK || !put(target, key, v)) return FALLBACK;
  }
  if (pending) return FALLBACK;
  return root ?? FALLBACK;
}
