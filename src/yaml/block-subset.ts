import type { ErrorWhere } from '../errors/index.js';
import { dictNode, listNode, valueNode, type DictNode, type ListNode, type Node } from '../tree/node.js';
import { UNSAFE_KEYS } from '../util/key-path.js';
import { resolvePlainScalar, type TypedScalar } from './resolve-scalar.js';

/**
 * The YAML most config files are written in, read line by line: block mappings and sequences,
 * one scalar per line (plain, or quoted on one line), `[]` and `{}`, comments. It gives the
 * same tree, values, types and positions as the full loader (`loadYaml`), and undefined for
 * anything else (anchors, tags, flow collections with items, block or multi-line scalars,
 * escapes, tabs, document markers, duplicate or unsafe keys, bad numbers), which the full
 * loader then reads, errors included. The `yaml` package takes about 20 ms to load and is slow
 * on first use: a command that composes only such files never loads it.
 */
export function readBlockSubset(text: string, file: string, lines: readonly string[], limits: { maxDepth: number; maxNodes: number }): Node | undefined {
  // Whitespace other than spaces and newlines (tabs, CR, no-break and other Unicode spaces) is
  // content or an error to the full loader, but trim() would drop it here.
  if (OTHER_WHITESPACE.test(text)) return undefined;
  return new Reader(text, file, lines, limits).read();
}

interface Frame {
  /** The column its entries start at. */
  indent: number;
  node: DictNode | ListNode;
  /** Offset of its first entry (a key, or a `-`). */
  start: number;
}

/** A key waiting for its value on the next lines (`key:` with nothing after it). */
interface Pending {
  dict: DictNode;
  key: string;
  indent: number;
  /** Offset just after its colon, where a null value sits. */
  nullAt: number;
}

/**
 * The first character of a plain scalar: no indicator, except `-` before a digit or a point
 * (`-1`, `-.5`) and `?` before a non-space (`???`, the missing value).
 */
const PLAIN_START = /^(?:[^-?:,[\]{}#&*!|>'"%@`\s]|-[\d.]|\?\S)/;
/** A plain key: no indicator first, and no colon, `#`, quote or flow character inside. */
const KEY = /^[^-?:,[\]{}#&*!|>'"%@`\s][^:#'"[\]{},]*$/;
/** An item of a one-line flow sequence this reader takes: no space, and nothing PyYAML treats apart in flow context. */
const FLOW_ITEM = /^[^\s,[\]{}#&*!|>'"%@`?:=<]+$/;
/** Whitespace the reader leaves to the full loader: any but the space and the newline. */
const OTHER_WHITESPACE = /[^\S \n]/;
/** The yaml package refuses implicit keys longer than 1024 characters. */
const MAX_KEY_LENGTH = 1000;
/** Lines left to the full loader: document markers and directives. */
const DOCUMENT_LINE = /^(?:---|\.\.\.)(?:\s|$)|^%/;

class Reader {
  private readonly stack: Frame[] = [];
  private pending: Pending | undefined;
  private root: DictNode | ListNode | undefined;
  /**
   * Where the last value read ends: the end of its line (newline included), or for a key with
   * no value, just after its colon. A collection ends where its last value does.
   */
  private lastEnd = 0;
  private nodes = 0;
  /** A comment line came while a key waited for its value. */
  private commentAfterKey = false;
  private readonly lineStarts: number[] = [];

  constructor(
    private readonly text: string,
    private readonly file: string,
    private readonly lines: readonly string[],
    private readonly limits: { maxDepth: number; maxNodes: number },
  ) {
    let at = 0;
    for (const line of lines) {
      this.lineStarts.push(at);
      at += line.length + 1;
    }
  }

  read(): Node | undefined {
    // The column of the next line of content after each line (-1: none), for comments below.
    const nextIndent = new Array<number>(this.lines.length);
    for (let i = this.lines.length - 1, next = -1; i >= 0; i--) {
      nextIndent[i] = next;
      const body = this.lines[i]!.trimStart();
      if (body !== '' && !body.startsWith('#')) next = this.lines[i]!.length - body.length;
    }
    for (let i = 0; i < this.lines.length; i++) {
      const line = this.lines[i]!;
      const indent = line.length - line.trimStart().length;
      const body = line.slice(indent);
      if (body === '') continue;
      if (body.startsWith('#')) {
        // The full loader counts some comments into the collection before them: an indented one
        // after its last value, and any after a key left without a value. Those are left to it.
        if (indent > 0 && nextIndent[i]! < indent) return undefined;
        if (this.pending) this.commentAfterKey = true;
        continue;
      }
      if (indent === 0 && DOCUMENT_LINE.test(line)) return undefined;
      if (!this.line(i, indent, body)) return undefined;
      if (this.beyondLimits()) return undefined;
      this.lastEnd = Math.min(this.lineStarts[i]! + line.length + 1, this.text.length);
    }
    if (this.pending && !this.setNull(this.pending)) return undefined;
    if (this.beyondLimits()) return undefined;
    if (!this.root) return dictNode();
    for (const frame of this.stack) this.close(frame);
    return this.root;
  }

  /** One line of content; false when it is outside the subset. */
  private line(i: number, indent: number, body: string): boolean {
    const start = this.lineStarts[i]!;
    const dash = body.startsWith('- ');
    if (body === '-') return false;
    const pending = this.pending;
    if (pending) {
      this.pending = undefined;
      // A block value: a mapping deeper than its key, or a sequence at the key's column or deeper.
      if (indent > pending.indent || (dash && indent === pending.indent)) {
        const child = this.count(dash ? listNode() : dictNode());
        if (!this.put(pending.dict, pending.key, child)) return false;
        this.stack.push({ indent, node: child, start: start + indent });
      } else if (!this.setNull(pending)) return false;
      this.commentAfterKey = false;
    }
    if (!this.root) {
      if (indent !== 0) return false;
      this.root = this.count(dash ? listNode() : dictNode());
      this.stack.push({ indent: 0, node: this.root, start });
    }
    // Leave the collections this line is not in: deeper ones, and a sequence at its key's column
    // when the line is the next key of that mapping.
    for (let top = this.stack.at(-1); top && (top.indent > indent || (top.indent === indent && !dash && top.node.kind === 'list')); top = this.stack.at(-1)) {
      this.close(top);
      this.stack.pop();
    }
    const frame = this.stack.at(-1);
    if (!frame || frame.indent !== indent) return false;
    if (dash) {
      if (frame.node.kind !== 'list') return false;
      const itemAt = indent + 2;
      const rest = body.slice(2);
      if (rest === '' || rest.startsWith(' ') || rest.startsWith('- ') || rest === '-') return false;
      const colon = keyEnd(rest);
      if (colon < 0) {
        const value = this.scalar(i, start + itemAt, rest);
        if (!value) return false;
        frame.node.items.push(value);
        return true;
      }
      // `- key: value`: a mapping item whose keys sit two columns in.
      const dict = this.count(dictNode());
      frame.node.items.push(dict);
      this.stack.push({ indent: itemAt, node: dict, start: start + itemAt });
      return this.entry(i, itemAt, rest, colon, dict);
    }
    if (frame.node.kind !== 'dict') return false;
    const colon = keyEnd(body);
    return colon >= 0 && this.entry(i, indent, body, colon, frame.node);
  }

  /** `key: value` or `key:` at column `indent` of line `i`; `colon` is the key's length. */
  private entry(i: number, indent: number, body: string, colon: number, dict: DictNode): boolean {
    const key = body.slice(0, colon);
    if (key.length > MAX_KEY_LENGTH || !KEY.test(key) || key !== key.trimEnd() || key === '<<' || key === '=' || UNSAFE_KEYS.has(key)) return false;
    const typed = plain(key);
    if (!typed || typed.value !== key || dict.entries.has(key)) return false;
    const at = this.lineStarts[i]! + indent + colon + 1;
    const after = body.slice(colon + 1);
    if (after === '') {
      this.pending = { dict, key, indent, nullAt: at };
      return true;
    }
    // `key:   value`: the value starts after the spaces.
    const written = after.trimStart();
    const value = this.scalar(i, at + after.length - written.length, written);
    return value !== undefined && this.put(dict, key, value);
  }

  /** A scalar (or `[]`/`{}`) written at `offset` on line `i`, its comment cut; undefined outside the subset. */
  private scalar(i: number, offset: number, written: string): Node | undefined {
    const c = written[0];
    if (c === "'" || c === '"') {
      const close = c === "'" ? singleQuotedEnd(written) : written.indexOf('"', 1);
      if (close < 0 || (c === '"' && written.slice(1, close).includes('\\'))) return undefined;
      if (!/^(?: +(?:#.*)?)?$/.test(written.slice(close + 1))) return undefined;
      const value = c === "'" ? written.slice(1, close).replaceAll("''", "'") : written.slice(1, close);
      return this.count(valueNode(value, false, this.where(offset, close + 1, i)));
    }
    const hash = written.indexOf(' #');
    const source = (hash < 0 ? written : written.slice(0, hash)).trimEnd();
    if (source.startsWith('[') && source.endsWith(']')) return this.flowList(i, offset, source);
    if (source === '{}') return this.count(dictNode(this.where(offset, 2, i)));
    if (!PLAIN_START.test(source) || source.includes(': ') || source.endsWith(':') || source === '=' || source === '<<') return undefined;
    const typed = plain(source);
    return typed && this.count(valueNode(typed.value, typed.float ?? false, this.where(offset, source.length, i)));
  }

  /** `[]` or `[a, b, c]`: plain scalars without spaces or indicators, on one line. */
  private flowList(i: number, offset: number, source: string): Node | undefined {
    const list = this.count(listNode([], this.where(offset, source.length, i)));
    const inner = source.slice(1, -1);
    if (inner.trim() === '') return inner === '' ? list : undefined;
    let at = 1;
    for (const written of inner.split(',')) {
      const item = written.trim();
      const itemAt = at + written.length - written.trimStart().length;
      at += written.length + 1;
      if (!FLOW_ITEM.test(item) || !PLAIN_START.test(item)) return undefined;
      const typed = plain(item);
      if (!typed) return undefined;
      list.items.push(this.count(valueNode(typed.value, typed.float ?? false, this.where(offset + itemAt, item.length, i))));
    }
    return list;
  }

  /**
   * Near the full loader's limits the text is left to it, which says what is wrong. The margin
   * covers values one level below the open collections (a scalar, a flow list's items).
   */
  private beyondLimits(): boolean {
    return this.stack.length + 2 > this.limits.maxDepth || this.nodes + 1 > this.limits.maxNodes;
  }

  private count<N extends Node>(node: N): N {
    this.nodes++;
    return node;
  }

  private put(dict: DictNode, key: string, node: Node): boolean {
    if (dict.entries.has(key)) return false;
    dict.entries.set(key, { key, node });
    return true;
  }

  /** A key with no value is null; false when comments came after it (see read). */
  private setNull(pending: Pending): boolean {
    if (this.commentAfterKey) return false;
    this.put(pending.dict, pending.key, this.count(valueNode(null, false, this.where(pending.nullAt, 1))));
    this.lastEnd = pending.nullAt;
    return true;
  }

  /** A collection's position: from its first entry to where its last value ends. */
  private close(frame: Frame): void {
    frame.node.origin = this.where(frame.start, this.lastEnd - frame.start);
  }

  /** An offset as the full loader gives positions; `lineIndex` when known. */
  private where(offset: number, length: number, lineIndex?: number): ErrorWhere {
    let line = lineIndex;
    if (line === undefined) {
      let [lo, hi] = [0, this.lineStarts.length - 1];
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (this.lineStarts[mid]! <= offset) lo = mid;
        else hi = mid - 1;
      }
      line = lo;
    }
    return { kind: 'file', file: this.file, line: line + 1, col: offset - this.lineStarts[line]! + 1, length, sourceLine: this.lines[line] ?? '' };
  }
}

/** Where a key ends (the index of its colon), or -1 when the text is no `key:`/`key: value`. */
function keyEnd(body: string): number {
  if (body.startsWith("'") || body.startsWith('"')) return -1;
  const colon = body.search(/:(?: |$)/);
  return colon <= 0 || body.slice(0, colon).includes(' #') ? -1 : colon;
}

/** The index of the quote closing a single-quoted scalar that starts at 0 (`''` is a quote inside), or -1. */
function singleQuotedEnd(text: string): number {
  for (let i = 1; i < text.length; i++) {
    if (text[i] !== "'") continue;
    if (text[i + 1] === "'") i++;
    else return i;
  }
  return -1;
}

function plain(text: string): TypedScalar | undefined {
  try {
    return resolvePlainScalar(text);
  } catch {
    return undefined;
  }
}
