import type { Scalar } from '../tree/node.js';
import { intScalar, parsePythonFloat, parsePythonInt } from '../util/python.js';
import type { Concat, Constant, DictElement, Element, Interpolation, ListElement, Quoted, Text } from './ast.js';
import { lexAt, type LexMode, type Token, type TokenType } from './lex.js';

/**
 * A recursive-descent parser for OmegaConf 2.2's grammar (OmegaConfGrammarParser.g4), one
 * function per grammar rule. `parseConfigValue` is the `configValue` rule (a whole config
 * string); `parseSingleElement` is `singleElement` (what `oc.decode` parses).
 */

/** A grammar error at an offset; turned into a TrellisError by the caller, who knows where the string came from. */
export class GrammarFailure {
  constructor(
    readonly message: string,
    readonly offset: number,
    readonly length = 1,
  ) {}
}

// Deep enough for any real config, shallow enough to never overflow the JavaScript stack.
const MAX_DEPTH = 100;

interface State {
  src: string;
  pos: number;
  depth: number;
}

function describe(t: Token): string {
  if (t.type === 'EOF') return 'end of text';
  return `'${t.text}'`;
}

function peek(st: State, mode: LexMode): Token {
  const t = lexAt(st.src, st.pos, mode);
  if (!t) throw new GrammarFailure(`unexpected character '${st.src[st.pos] ?? ''}'`, st.pos);
  return t;
}

function take(st: State, mode: LexMode): Token {
  const t = peek(st, mode);
  st.pos = t.end;
  return t;
}

function expect(st: State, mode: LexMode, type: TokenType, what: string): Token {
  const t = peek(st, mode);
  if (t.type !== type) throw new GrammarFailure(`expected ${what}, found ${describe(t)}`, t.start, Math.max(1, t.text.length));
  st.pos = t.end;
  return t;
}

function enter(st: State, at: number): void {
  if (++st.depth > MAX_DEPTH) throw new GrammarFailure(`interpolations nested more than ${MAX_DEPTH} deep`, at);
}

/** A single grammar token as a typed value (`_createPrimitive` with one child). */
function constantOf(t: Token): Constant {
  const base = { kind: 'constant' as const, start: t.start, end: t.end, float: false };
  switch (t.type) {
    case 'NULL':
      return { ...base, value: null };
    case 'BOOL':
      return { ...base, value: t.text.toLowerCase() === 'true' };
    case 'INT':
      return { ...base, value: intScalar(parsePythonInt(t.text) ?? 0n) };
    case 'FLOAT':
      return { ...base, value: parsePythonFloat(t.text) ?? NaN, float: true };
    case 'ESC':
      return { ...base, value: unescapePairs(t.text) };
    default:
      return { ...base, value: t.text };
  }
}

/** `\,` → `,`, `\\` → `\`: every second character (Python's `text[1::2]`). */
function unescapePairs(text: string): string {
  let out = '';
  for (let i = 1; i < text.length; i += 2) out += text[i];
  return out;
}

function pushText(parts: Array<string | Interpolation>, piece: string | Interpolation): void {
  const last = parts[parts.length - 1];
  if (typeof piece === 'string' && typeof last === 'string') parts[parts.length - 1] = last + piece;
  else if (piece !== '') parts.push(piece);
}

// text: (interpolation | ANY_STR | ESC | ESC_INTER | TOP_ESC | QUOTED_ESC)+
function text(st: State, quote: "'" | '"' | undefined): Text {
  const mode: LexMode = quote ?? 'top';
  const start = st.pos;
  const items: Array<Token | Interpolation> = [];
  for (;;) {
    const t = peek(st, mode);
    if (t.type === 'EOF' || t.type === 'QUOTE_CLOSE') break;
    st.pos = t.end;
    items.push(t.type === 'INTER_OPEN' ? interpolation(st, t) : t);
  }
  // Unescape with knowledge of the next item, as the visitor's `_unescape` does.
  const parts: Array<string | Interpolation> = [];
  items.forEach((item, i) => {
    if ('kind' in item) return pushText(parts, item);
    const next = items[i + 1];
    const beforeInterp = next !== undefined && 'kind' in next;
    switch (item.type) {
      case 'ESC_INTER':
        return pushText(parts, item.text.slice(item.text.length - (Math.floor(item.text.length / 2) + 1)));
      case 'ESC':
        return pushText(parts, unescapePairs(item.text));
      case 'TOP_ESC':
        return pushText(parts, beforeInterp ? unescapePairs(item.text) : item.text);
      case 'QUOTED_ESC':
        return pushText(parts, beforeInterp || next === undefined ? unescapePairs(item.text) : item.text);
      default:
        return pushText(parts, item.text);
    }
  });
  return { kind: 'text', parts, start, end: st.pos };
}

type HeadItem = { token: Token } | { interp: Interpolation };

// interpolation: interpolationNode | interpolationResolver
// Both start with `${`; which one it is shows at the first `:` or `}`.
function interpolation(st: State, open: Token): Interpolation {
  enter(st, open.start);
  const head: HeadItem[] = [];
  for (;;) {
    const t = peek(st, 'interp');
    if (t.type === 'EOF') throw new GrammarFailure(`'\${' is never closed by '}'`, open.start, 2);
    st.pos = t.end;
    if (t.type === 'INTER_OPEN') head.push({ interp: interpolation(st, t) });
    else if (t.type === 'INTER_CLOSE') {
      st.depth--;
      return interpolationNode(head, open, st.pos);
    } else if (t.type === 'COLON') {
      const result = interpolationResolver(st, head, open, t.start);
      st.depth--;
      return result;
    } else head.push({ token: t });
  }
}

function itemStart(item: HeadItem | undefined, fallback: number): number {
  if (!item) return fallback;
  return 'token' in item ? item.token.start : item.interp.start;
}

function isConfigKey(item: HeadItem | undefined): boolean {
  return item !== undefined && ('interp' in item || item.token.type === 'ID' || item.token.type === 'INTER_KEY');
}

function isTok(item: HeadItem | undefined, type: TokenType): boolean {
  return item !== undefined && 'token' in item && item.token.type === type;
}

// interpolationNode: INTER_OPEN DOT* (configKey | '[' configKey ']') (DOT configKey | '[' configKey ']')* INTER_CLOSE
function interpolationNode(head: HeadItem[], open: Token, end: number): Interpolation {
  const parts: Array<string | Interpolation> = [];
  const fail = (i: number, what: string): never => {
    const item = head[i];
    const found = item === undefined ? "'}'" : 'token' in item ? `'${item.token.text}'` : 'an interpolation';
    throw new GrammarFailure(`${what}, found ${found}`, itemStart(item, end - 1));
  };
  let i = 0;
  while (isTok(head[i], 'DOT')) {
    parts.push('.');
    i++;
  }
  let first = true;
  while (first || i < head.length) {
    if (!first && isTok(head[i], 'DOT')) {
      parts.push('.');
      i++;
      if (!isConfigKey(head[i])) fail(i, 'expected a key after "."');
      parts.push(configKey(head[i] as HeadItem));
      i++;
    } else if (isTok(head[i], 'BRACKET_OPEN')) {
      if (!isConfigKey(head[i + 1])) fail(i + 1, "expected a key after '['");
      if (!isTok(head[i + 2], 'BRACKET_CLOSE')) fail(i + 2, "expected ']'");
      parts.push('[', configKey(head[i + 1] as HeadItem), ']');
      i += 3;
    } else if (first && isConfigKey(head[i])) {
      parts.push(configKey(head[i] as HeadItem));
      i++;
    } else fail(i, first ? 'expected a key in ${...}' : "expected '.', '[' or '}'");
    first = false;
  }
  return { kind: 'node', parts, start: open.start, end };
}

// configKey: interpolation | ID | INTER_KEY
function configKey(item: HeadItem): string | Interpolation {
  return 'interp' in item ? item.interp : item.token.text;
}

// interpolationResolver: INTER_OPEN resolverName COLON sequence? BRACE_CLOSE
function interpolationResolver(st: State, head: HeadItem[], open: Token, colonAt: number): Interpolation {
  const name = resolverName(head, colonAt);
  const { items, texts } = sequence(st, 'BRACE_CLOSE');
  expect(st, 'value', 'BRACE_CLOSE', "'}' to close the resolver call");
  return { kind: 'resolver', name, args: items, argTexts: texts, start: open.start, end: st.pos };
}

// resolverName: (interpolation | ID) (DOT (interpolation | ID))*
function resolverName(head: HeadItem[], colonAt: number): Array<string | Interpolation> {
  const name: Array<string | Interpolation> = [];
  for (let i = 0; i < head.length; i += 2) {
    const item = head[i] as HeadItem;
    if ('interp' in item) name.push(item.interp);
    else if (item.token.type === 'ID') name.push(item.token.text);
    else {
      throw new GrammarFailure(`invalid resolver name: expected a name made of letters, digits and '_', found '${item.token.text}'`, item.token.start);
    }
    const sep = head[i + 1];
    if (sep !== undefined && !isTok(sep, 'DOT'))
      throw new GrammarFailure(`invalid resolver name: expected '.' or ':', found '${'token' in sep ? sep.token.text : '${'}'`, itemStart(sep, colonAt));
  }
  // Empty, or ending with a dot.
  if (head.length % 2 === 0) throw new GrammarFailure("invalid resolver name: expected a name before ':'", colonAt);
  return name;
}

// sequence: (element (COMMA element?)*) | (COMMA element?)+  — a missing element is ''.
function sequence(st: State, close: 'BRACE_CLOSE' | 'BRACKET_CLOSE'): { items: Element[]; texts: string[] } {
  const items: Element[] = [];
  const texts: string[] = [];
  if (peek(st, 'value').type === close) return { items, texts };
  for (;;) {
    const t = peek(st, 'value');
    if (t.type === 'COMMA' || t.type === close) {
      items.push({ kind: 'constant', value: '', float: false, start: t.start, end: t.start });
      texts.push('');
    } else {
      const from = st.pos;
      items.push(element(st));
      texts.push(st.src.slice(from, st.pos));
    }
    const n = peek(st, 'value');
    if (n.type === close) return { items, texts };
    if (n.type !== 'COMMA') throw new GrammarFailure(`expected ',' or '${close === 'BRACE_CLOSE' ? '}' : ']'}', found ${describe(n)}`, n.start);
    st.pos = n.end;
  }
}

const PRIMITIVE: ReadonlySet<TokenType> = new Set<TokenType>(['ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'UNQUOTED_CHAR', 'COLON', 'ESC', 'WS']);
const DICT_KEY: ReadonlySet<TokenType> = new Set<TokenType>(['ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'UNQUOTED_CHAR', 'ESC', 'WS']);

// element: primitive | quotedValue | listContainer | dictContainer
function element(st: State): Element {
  const t = peek(st, 'value');
  if (t.type === 'QUOTE_OPEN') return quotedValue(st);
  if (t.type === 'BRACKET_OPEN') return listContainer(st);
  if (t.type === 'BRACE_OPEN') return dictContainer(st);
  if (t.type === 'INTER_OPEN' || PRIMITIVE.has(t.type)) return primitive(st);
  throw new GrammarFailure(`expected a value, found ${describe(t)}`, t.start);
}

// primitive: (ID | NULL | INT | FLOAT | BOOL | UNQUOTED_CHAR | COLON | ESC | WS | interpolation)+
function primitive(st: State): Element {
  const start = st.pos;
  const pieces: Array<Token | Interpolation> = [];
  for (;;) {
    const t = peek(st, 'value');
    if (t.type === 'INTER_OPEN') {
      st.pos = t.end;
      pieces.push(interpolation(st, t));
    } else if (PRIMITIVE.has(t.type)) {
      st.pos = t.end;
      pieces.push(t);
    } else break;
  }
  const only = pieces[0];
  if (pieces.length === 1 && only !== undefined) {
    if ('kind' in only) return only;
    // OmegaConf asserts here ("WS should never be reached"): a value of only blanks is rejected.
    if (only.type === 'WS') throw new GrammarFailure('a value made only of blanks', only.start, only.text.length);
    return constantOf(only);
  }
  const parts: Array<string | Interpolation> = [];
  for (const piece of pieces) {
    if ('kind' in piece) pushText(parts, piece);
    else pushText(parts, piece.type === 'ESC' ? unescapePairs(piece.text) : piece.text);
  }
  const concat: Concat = { kind: 'concat', parts, start, end: st.pos };
  return concat;
}

// quotedValue: (QUOTE_OPEN_SINGLE | QUOTE_OPEN_DOUBLE) text? MATCHING_QUOTE_CLOSE
function quotedValue(st: State): Quoted {
  const open = take(st, 'value');
  const quote = open.text as "'" | '"';
  const body = text(st, quote);
  const close = peek(st, quote);
  if (close.type !== 'QUOTE_CLOSE') throw new GrammarFailure(`the quote ${quote} is never closed`, open.start);
  st.pos = close.end;
  return { kind: 'quoted', text: body.parts.length ? body : undefined, start: open.start, end: st.pos };
}

// listContainer: BRACKET_OPEN sequence? BRACKET_CLOSE
function listContainer(st: State): ListElement {
  const open = take(st, 'value');
  enter(st, open.start);
  const { items } = sequence(st, 'BRACKET_CLOSE');
  expect(st, 'value', 'BRACKET_CLOSE', "']'");
  st.depth--;
  return { kind: 'list', items, start: open.start, end: st.pos };
}

// dictContainer: BRACE_OPEN (dictKeyValuePair (COMMA dictKeyValuePair)*)? BRACE_CLOSE
function dictContainer(st: State): DictElement {
  const open = take(st, 'value');
  enter(st, open.start);
  const entries: DictElement['entries'] = [];
  if (peek(st, 'value').type !== 'BRACE_CLOSE') {
    for (;;) {
      entries.push(dictKeyValuePair(st));
      const n = peek(st, 'value');
      if (n.type === 'BRACE_CLOSE') break;
      if (n.type !== 'COMMA') throw new GrammarFailure(`expected ',' or '}', found ${describe(n)}`, n.start);
      st.pos = n.end;
    }
  }
  expect(st, 'value', 'BRACE_CLOSE', "'}'");
  st.depth--;
  return { kind: 'dict', entries, start: open.start, end: st.pos };
}

// dictKeyValuePair: dictKey COLON element
function dictKeyValuePair(st: State): DictElement['entries'][number] {
  const key = dictKey(st);
  expect(st, 'value', 'COLON', "':' after a dict key");
  return { ...key, value: element(st) };
}

// dictKey: (ID | NULL | INT | FLOAT | BOOL | UNQUOTED_CHAR | ESC | WS)+  — no quotes, no interpolations
function dictKey(st: State): { key: Scalar; keyFloat: boolean } {
  const tokens: Token[] = [];
  for (;;) {
    const t = peek(st, 'value');
    if (!DICT_KEY.has(t.type)) break;
    st.pos = t.end;
    tokens.push(t);
  }
  const only = tokens[0];
  if (only === undefined) {
    const t = peek(st, 'value');
    throw new GrammarFailure(`expected a dict key (unquoted, without interpolation), found ${describe(t)}`, t.start);
  }
  if (tokens.length === 1 && only.type !== 'WS') {
    const c = constantOf(only);
    return { key: c.value, keyFloat: c.float };
  }
  return { key: tokens.map((t) => (t.type === 'ESC' ? unescapePairs(t.text) : t.text)).join(''), keyFloat: false };
}

/** configValue: text EOF. Throws GrammarFailure. */
export function parseConfigValue(src: string): Text {
  const st: State = { src, pos: 0, depth: 0 };
  const result = text(st, undefined);
  if (st.pos < src.length) throw new GrammarFailure(`unexpected ${describe(peek(st, 'top'))}`, st.pos);
  return result;
}

/** singleElement: element EOF (OmegaConf's `oc.decode`). Throws GrammarFailure. */
export function parseSingleElement(src: string): Element {
  const st: State = { src, pos: 0, depth: 0 };
  const t = peek(st, 'value');
  if (t.type === 'EOF') throw new GrammarFailure('expected a value, found end of text (an empty string cannot be decoded)', 0, 0);
  const result = element(st);
  const end = peek(st, 'value');
  if (end.type !== 'EOF') throw new GrammarFailure(`unexpected ${describe(end)} after the value`, end.start);
  return result;
}
