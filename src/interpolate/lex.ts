/**
 * The tokens of OmegaConf 2.2's interpolation grammar (OmegaConfGrammarLexer.g4), produced on
 * demand: the parser asks for the next token in the lexer mode its grammar rule is in, which is
 * the mode ANTLR's lexer would be in for every input that parses. Like ANTLR, each token is the
 * longest match at the position; a tie goes to the rule listed first in the grammar.
 */

export type TokenType =
  // text modes (top level and inside quotes)
  | 'ANY_STR'
  | 'ESC_INTER'
  | 'TOP_ESC'
  | 'QUOTED_ESC'
  | 'QUOTE_CLOSE'
  // interpolation mode
  | 'INTER_OPEN'
  | 'INTER_CLOSE'
  | 'DOT'
  | 'INTER_KEY'
  // value mode
  | 'BRACE_OPEN'
  | 'BRACE_CLOSE'
  | 'QUOTE_OPEN'
  | 'COMMA'
  | 'BRACKET_OPEN'
  | 'BRACKET_CLOSE'
  | 'COLON'
  | 'FLOAT'
  | 'INT'
  | 'BOOL'
  | 'NULL'
  | 'UNQUOTED_CHAR'
  | 'ID'
  | 'ESC'
  | 'WS'
  | 'EOF';

export interface Token {
  type: TokenType;
  text: string;
  start: number;
  end: number;
}

/** `top`: a config value; `interp`: inside `${` before `:`/`}`; `value`: resolver arguments; quotes: inside a quoted argument. */
export type LexMode = 'top' | 'interp' | 'value' | "'" | '"';

const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t';
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isAlpha = (c: string | undefined): boolean => c !== undefined && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'));

function skipWs(s: string, p: number): number {
  while (isWs(s[p])) p++;
  return p;
}

/** DIGIT (('_')? DIGIT)*; returns the end, or -1. */
function digits(s: string, p: number): number {
  if (!isDigit(s[p])) return -1;
  p++;
  for (;;) {
    if (isDigit(s[p])) p++;
    else if (s[p] === '_' && isDigit(s[p + 1])) p += 2;
    else return p;
  }
}

/** INT_UNSIGNED: '0' | [1-9] (('_')? DIGIT)*. */
function intUnsigned(s: string, p: number): number {
  if (s[p] === '0') return p + 1;
  if (!isDigit(s[p])) return -1;
  return digits(s, p);
}

/** POINT_FLOAT: INT_UNSIGNED '.' | INT_UNSIGNED? '.' DIGIT (('_')? DIGIT)*. */
function pointFloat(s: string, p: number): number {
  if (s[p] === '.') return digits(s, p + 1);
  const i = intUnsigned(s, p);
  if (i < 0 || s[i] !== '.') return -1;
  return Math.max(i + 1, digits(s, i + 1));
}

function exponentFloat(s: string, p: number): number {
  let best = -1;
  for (const base of [intUnsigned(s, p), pointFloat(s, p)]) {
    if (base < 0 || (s[base] !== 'e' && s[base] !== 'E')) continue;
    let q = base + 1;
    if (s[q] === '+' || s[q] === '-') q++;
    best = Math.max(best, digits(s, q));
  }
  return best;
}

function keyword(s: string, p: number, word: string): number {
  return s.slice(p, p + word.length).toLowerCase() === word ? p + word.length : -1;
}

function signed(s: string, p: number, body: (s: string, p: number) => number): number {
  const q = s[p] === '+' || s[p] === '-' ? p + 1 : p;
  return body(s, q);
}

const floatBody = (s: string, p: number): number => Math.max(pointFloat(s, p), exponentFloat(s, p), keyword(s, p, 'inf'), keyword(s, p, 'nan'));

/** ID; inside `${...}` (INTER_ID) OmegaConf 2.2 lexes no '-', so `${a-b:x}` is a key, not a resolver. */
function id(s: string, p: number, dash = true): number {
  if (!isAlpha(s[p]) && s[p] !== '_') return -1;
  p++;
  while (isAlpha(s[p]) || isDigit(s[p]) || s[p] === '_' || (dash && s[p] === '-')) p++;
  return p;
}

const ESCAPABLE = new Set(['\\', '(', ')', '[', ']', '{', '}', ':', '=', ',', ' ', '\t']);

/** ESC: one or more backslash pairs escaping a special character. */
function esc(s: string, p: number): number {
  const start = p;
  while (s[p] === '\\' && ESCAPABLE.has(s[p + 1] ?? '')) p += 2;
  return p > start ? p : -1;
}

const UNQUOTED_CHARS = new Set(['/', '-', '\\', '+', '.', '$', '%', '*', '@', '?', '|']);
// INTER_KEY: ~[\\{}()[\]:. \t'"]+
const NOT_IN_KEY = new Set(['\\', '{', '}', '(', ')', '[', ']', ':', '.', ' ', '\t', "'", '"']);

type Candidate = [TokenType, number];

/** Longest candidate wins; on a tie the first one listed (grammar order). */
function pick(s: string, p: number, candidates: Candidate[]): Token | undefined {
  let best: Candidate | undefined;
  for (const c of candidates) if (c[1] > p && (!best || c[1] > best[1])) best = c;
  return best && { type: best[0], text: s.slice(p, best[1]), start: p, end: best[1] };
}

function lexInterp(s: string, p: number): Token | undefined {
  const w = skipWs(s, p);
  let keyEnd = p;
  while (keyEnd < s.length && !NOT_IN_KEY.has(s[keyEnd] as string)) keyEnd++;
  return pick(s, p, [
    ['INTER_OPEN', s.startsWith('${', p) ? skipWs(s, p + 2) : -1],
    ['COLON', s[w] === ':' ? skipWs(s, w + 1) : -1],
    ['INTER_CLOSE', s[w] === '}' ? w + 1 : -1],
    ['DOT', s[p] === '.' ? p + 1 : -1],
    ['BRACKET_OPEN', s[p] === '[' ? p + 1 : -1],
    ['BRACKET_CLOSE', s[p] === ']' ? p + 1 : -1],
    ['ID', id(s, p, false)],
    ['INTER_KEY', keyEnd],
  ]);
}

function lexValue(s: string, p: number): Token | undefined {
  const w = skipWs(s, p);
  const c = s[p];
  return pick(s, p, [
    ['INTER_OPEN', s.startsWith('${', p) ? skipWs(s, p + 2) : -1],
    ['BRACE_OPEN', c === '{' ? skipWs(s, p + 1) : -1],
    ['BRACE_CLOSE', s[w] === '}' ? w + 1 : -1],
    ['QUOTE_OPEN', c === "'" || c === '"' ? p + 1 : -1],
    ['COMMA', s[w] === ',' ? skipWs(s, w + 1) : -1],
    ['BRACKET_OPEN', c === '[' ? skipWs(s, p + 1) : -1],
    ['BRACKET_CLOSE', s[w] === ']' ? w + 1 : -1],
    ['COLON', s[w] === ':' ? skipWs(s, w + 1) : -1],
    ['FLOAT', signed(s, p, floatBody)],
    ['INT', signed(s, p, intUnsigned)],
    ['BOOL', Math.max(keyword(s, p, 'true'), keyword(s, p, 'false'))],
    ['NULL', keyword(s, p, 'null')],
    ['UNQUOTED_CHAR', c !== undefined && UNQUOTED_CHARS.has(c) ? p + 1 : -1],
    ['ID', id(s, p)],
    ['ESC', esc(s, p)],
    ['WS', w],
  ]);
}

/**
 * Top level and quoted strings. Backslashes only matter right before `${` (an odd run escapes
 * it, an even run is a run of escaped backslashes) and, inside quotes, before the closing quote.
 */
function lexText(s: string, p: number, quote: string | undefined): Token {
  const token = (type: TokenType, end: number): Token => ({ type, text: s.slice(p, end), start: p, end });
  const stops = (ch: string | undefined): boolean => ch === undefined || ch === '$' || ch === quote;
  const anyStrEnd = (): number => {
    let r = p;
    while (r < s.length && !stops(s[r])) r++;
    while (r > p && s[r - 1] === '\\') r--;
    return r;
  };
  if (quote !== undefined && s[p] === quote) return token('QUOTE_CLOSE', p + 1);
  if (s.startsWith('${', p)) return token('INTER_OPEN', skipWs(s, p + 2));
  if (s[p] === '$') return token('ANY_STR', p + 1);
  if (s[p] !== '\\') return token('ANY_STR', anyStrEnd());
  let q = p;
  while (s[q] === '\\') q++;
  const odd = (q - p) % 2 === 1;
  if (!stops(s[q])) return token('ANY_STR', anyStrEnd());
  if (odd && s.startsWith('${', q)) return token('ESC_INTER', q + 2);
  if (odd && quote !== undefined && s[q] === quote) return token('ESC', q + 1);
  if (!odd) return token(quote === undefined ? 'TOP_ESC' : 'QUOTED_ESC', q);
  return token('ANY_STR', q);
}

/** The token at `p` in `mode`; undefined when no token matches (ANTLR's "token recognition error"). */
export function lexAt(s: string, p: number, mode: LexMode): Token | undefined {
  if (p >= s.length) return { type: 'EOF', text: '', start: s.length, end: s.length };
  switch (mode) {
    case 'top':
      return lexText(s, p, undefined);
    case "'":
    case '"':
      return lexText(s, p, mode);
    case 'interp':
      return lexInterp(s, p);
    case 'value':
      return lexValue(s, p);
  }
}
