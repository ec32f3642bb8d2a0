/**
 * A hand-written lexer for Hydra 1.3's OverrideLexer.g4.
 *
 * ANTLR lexers pick the longest match among all rules of the current mode, the earliest rule on a
 * tie; we do the same with one matcher per rule. Two modes: KEY until the first `=`, VALUE after.
 */

export type TokenType =
  // key mode
  | 'EQUAL'
  | 'TILDE'
  | 'PLUS'
  | 'AT'
  | 'COLON'
  | 'SLASH'
  | 'ID'
  | 'KEY_SPECIAL'
  | 'DOT_PATH'
  // value mode (COLON, EQUAL and ID too)
  | 'POPEN'
  | 'COMMA'
  | 'PCLOSE'
  | 'BRACKET_OPEN'
  | 'BRACKET_CLOSE'
  | 'BRACE_OPEN'
  | 'BRACE_CLOSE'
  | 'FLOAT'
  | 'INT'
  | 'BOOL'
  | 'NULL'
  | 'UNQUOTED_CHAR'
  | 'ESC'
  | 'WS'
  | 'QUOTED_VALUE'
  | 'INTERPOLATION'
  // ours
  | 'EOF'
  | 'ERROR';

export interface Token {
  type: TokenType;
  text: string;
  /** Offset of the first character in the override text. */
  start: number;
  end: number;
}

type Matcher = (s: string, i: number) => number;
type Mode = 'key' | 'value';

const isLetter = (c: string | undefined): boolean => c !== undefined && /^[A-Za-z]$/.test(c);
const isDigit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
const isWs = (c: string | undefined): boolean => c === ' ' || c === '\t';

function wsLength(s: string, i: number): number {
  let j = i;
  while (isWs(s[j])) j++;
  return j - i;
}

/** `WS? <ch> WS?` style tokens: optional whitespace on either side. */
function punct(ch: string, before: boolean, after: boolean): Matcher {
  return (s, i) => {
    let j = i;
    if (before) j += wsLength(s, j);
    if (s[j] !== ch) return 0;
    j++;
    if (after) j += wsLength(s, j);
    return j - i;
  };
}

/** (CHAR|'_') (CHAR|DIGIT|'_'|'-')* */
const matchId: Matcher = (s, i) => {
  if (!(isLetter(s[i]) || s[i] === '_')) return 0;
  let j = i + 1;
  while (isLetter(s[j]) || isDigit(s[j]) || s[j] === '_' || s[j] === '-') j++;
  return j - i;
};

/** Same as ID but allowing `$`: (CHAR|'_'|'$') (CHAR|DIGIT|'_'|'-'|'$')* */
const matchKeySpecial: Matcher = (s, i) => {
  if (!(isLetter(s[i]) || s[i] === '_' || s[i] === '$')) return 0;
  let j = i + 1;
  while (isLetter(s[j]) || isDigit(s[j]) || s[j] === '_' || s[j] === '-' || s[j] === '$') j++;
  return j - i;
};

/** INT_UNSIGNED: '0' | [1-9] (('_')? DIGIT)* */
function intUnsigned(s: string, i: number): number {
  if (s[i] === '0') return 1;
  // [1-9] (('_')? DIGIT)*: the same run as digitRun, with no leading zero.
  return digitRun(s, i);
}

/** DIGIT (('_')? DIGIT)* */
function digitRun(s: string, i: number): number {
  if (!isDigit(s[i])) return 0;
  let j = i + 1;
  for (;;) {
    if (isDigit(s[j])) j++;
    else if (s[j] === '_' && isDigit(s[j + 1])) j += 2;
    else break;
  }
  return j - i;
}

/** DOT_PATH: (KEY_SPECIAL | INT_UNSIGNED) ('.' (KEY_SPECIAL | INT_UNSIGNED))+ */
const matchDotPath: Matcher = (s, i) => {
  const segment = (k: number): number => Math.max(matchKeySpecial(s, k), intUnsigned(s, k));
  const first = segment(i);
  if (!first) return 0;
  let j = i + first;
  let segments = 1;
  while (s[j] === '.') {
    const next = segment(j + 1);
    if (!next) break;
    j += 1 + next;
    segments++;
  }
  return segments >= 2 ? j - i : 0;
};

/** POINT_FLOAT: INT_UNSIGNED '.' | INT_UNSIGNED? '.' DIGIT (('_')? DIGIT)* — longest alternative. */
function pointFloat(s: string, i: number): number {
  let best = 0;
  const iu = intUnsigned(s, i);
  if (iu && s[i + iu] === '.') {
    best = iu + 1;
    const frac = digitRun(s, i + iu + 1);
    if (frac) best = iu + 1 + frac;
  }
  if (s[i] === '.') {
    const frac = digitRun(s, i + 1);
    if (frac) best = Math.max(best, 1 + frac);
  }
  return best;
}

/** FLOAT: [+-]? (POINT_FLOAT | EXPONENT_FLOAT | inf | nan), case-insensitive constants. */
const matchFloat: Matcher = (s, i) => {
  let j = i;
  if (s[j] === '+' || s[j] === '-') j++;
  const word = s.slice(j, j + 3).toLowerCase();
  let best = word === 'inf' || word === 'nan' ? 3 : 0;
  const pf = pointFloat(s, j);
  best = Math.max(best, pf);
  // EXPONENT_FLOAT: (INT_UNSIGNED | POINT_FLOAT) [eE] [+-]? DIGIT (('_')? DIGIT)*
  for (const mantissa of [intUnsigned(s, j), pf]) {
    if (!mantissa) continue;
    let k = j + mantissa;
    if (s[k] !== 'e' && s[k] !== 'E') continue;
    k++;
    if (s[k] === '+' || s[k] === '-') k++;
    const exp = digitRun(s, k);
    if (exp) best = Math.max(best, k + exp - j);
  }
  return best ? j - i + best : 0;
};

/** INT: [+-]? INT_UNSIGNED */
const matchInt: Matcher = (s, i) => {
  const sign = s[i] === '+' || s[i] === '-' ? 1 : 0;
  const n = intUnsigned(s, i + sign);
  return n ? sign + n : 0;
};

function keyword(...words: string[]): Matcher {
  return (s, i) => {
    for (const w of words) if (s.slice(i, i + w.length).toLowerCase() === w) return w.length;
    return 0;
  };
}

const UNQUOTED_CHARS = new Set(['/', '-', '\\', '+', '.', '$', '%', '*', '@', '?', '|']);
const matchUnquotedChar: Matcher = (s, i) => (UNQUOTED_CHARS.has(s[i] ?? '') ? 1 : 0);

/** Characters a backslash escapes in unquoted values (Hydra's `_ESC`). */
export const ESCAPABLE = '\\()[]{}:=, \t';
const matchEsc: Matcher = (s, i) => {
  let j = i;
  while (s[j] === '\\' && s[j + 1] !== undefined && ESCAPABLE.includes(s[j + 1] as string)) j += 2;
  return j - i;
};

const matchWs: Matcher = (s, i) => wsLength(s, i);

/**
 * QUOTED_VALUE: the opening quote up to the first same quote preceded by an even number of
 * backslashes (an odd number escapes it).
 */
const matchQuoted: Matcher = (s, i) => {
  const q = s[i];
  if (q !== "'" && q !== '"') return 0;
  for (let j = i + 1; j < s.length; j++) {
    if (s[j] !== q) continue;
    let backslashes = 0;
    for (let k = j - 1; k > i && s[k] === '\\'; k--) backslashes++;
    if (backslashes % 2 === 0) return j + 1 - i;
  }
  return 0;
};

/** INTERPOLATION: '${' ~('}')+ '}' — up to the first closing brace, so nesting needs quotes. */
const matchInterpolation: Matcher = (s, i) => {
  if (s[i] !== '$' || s[i + 1] !== '{') return 0;
  const close = s.indexOf('}', i + 2);
  return close > i + 2 ? close + 1 - i : 0;
};

const KEY_RULES: Array<[TokenType, Matcher]> = [
  // The key's `=` swallows the whitespace after it (so `key= v` is `v`).
  ['EQUAL', (s, i) => (s[i] === '=' ? 1 + wsLength(s, i + 1) : 0)],
  ['TILDE', punct('~', false, false)],
  ['PLUS', punct('+', false, false)],
  ['AT', punct('@', false, false)],
  ['COLON', punct(':', false, false)],
  ['SLASH', punct('/', false, false)],
  ['ID', matchId],
  ['KEY_SPECIAL', matchKeySpecial],
  ['DOT_PATH', matchDotPath],
];

const VALUE_RULES: Array<[TokenType, Matcher]> = [
  ['POPEN', punct('(', true, true)],
  ['COMMA', punct(',', true, true)],
  ['PCLOSE', punct(')', true, false)],
  ['BRACKET_OPEN', punct('[', false, true)],
  ['BRACKET_CLOSE', punct(']', true, false)],
  ['BRACE_OPEN', punct('{', false, true)],
  ['BRACE_CLOSE', punct('}', true, false)],
  ['COLON', punct(':', true, true)],
  ['EQUAL', punct('=', true, true)],
  ['FLOAT', matchFloat],
  ['INT', matchInt],
  ['BOOL', keyword('true', 'false')],
  ['NULL', keyword('null')],
  ['UNQUOTED_CHAR', matchUnquotedChar],
  ['ID', matchId],
  ['ESC', matchEsc],
  ['WS', matchWs],
  ['QUOTED_VALUE', matchQuoted],
  ['INTERPOLATION', matchInterpolation],
];

/**
 * Splits an override into tokens. Stops at the first character no rule matches and emits an
 * ERROR token there (the parser reports it when it gets that far); otherwise ends with EOF.
 */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let mode: Mode = 'key';
  let i = 0;
  while (i < text.length) {
    const rules = mode === 'key' ? KEY_RULES : VALUE_RULES;
    let bestType: TokenType | undefined;
    let bestLength = 0;
    for (const [type, match] of rules) {
      const n = match(text, i);
      if (n > bestLength) {
        bestLength = n;
        bestType = type;
      }
    }
    if (!bestType) {
      tokens.push({ type: 'ERROR', text: text[i] ?? '', start: i, end: i + 1 });
      return tokens;
    }
    tokens.push({ type: bestType, text: text.slice(i, i + bestLength), start: i, end: i + bestLength });
    if (mode === 'key' && bestType === 'EQUAL') mode = 'value';
    i += bestLength;
  }
  tokens.push({ type: 'EOF', text: '', start: text.length, end: text.length });
  return tokens;
}
