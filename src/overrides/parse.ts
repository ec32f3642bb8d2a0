import { TrellisError, collectErrors, didYouMean } from '../errors/index.js';
import { UNSAFE_KEYS } from '../util/key-path.js';
import { parsePythonFloat, parsePythonInt } from '../util/python.js';
import { pyEquals } from './compare.js';
import { quoteString, unescapeQuoted } from './format.js';
import { FunctionError } from './function-error.js';
import { FUNCTION_NAMES, callFunction, isKnownFunction, type FunctionContext } from './functions.js';
import { tokenize, type Token, type TokenType } from './lexer.js';
import type { DictItem, DictKey, Override, OverrideType, ParseOptions, ParsedElement, ParsedValue, Quote, ValueType } from './types.js';
import { isSweepValue } from './types.js';
import { checkArgs } from '../errors/check-args.js';

/**
 * A recursive-descent parser for Hydra 1.3's OverrideParser.g4, one method per grammar rule.
 * Function calls are evaluated while parsing, as Hydra's visitor does.
 */

/** Containers and calls nest at most this deep; beyond it we stop instead of exhausting the stack. */
const MAX_DEPTH = 100;

const PRIMITIVE_TOKENS: ReadonlySet<TokenType> = new Set<TokenType>([
  'ID',
  'NULL',
  'INT',
  'FLOAT',
  'BOOL',
  'INTERPOLATION',
  'UNQUOTED_CHAR',
  'COLON',
  'ESC',
  'WS',
]);
/** `dictKey`: like a primitive without COLON and INTERPOLATION. */
const DICT_KEY_TOKENS: ReadonlySet<TokenType> = new Set<TokenType>(['ID', 'NULL', 'INT', 'FLOAT', 'BOOL', 'UNQUOTED_CHAR', 'ESC', 'WS']);

const CLOSERS: Partial<Record<TokenType, string>> = { BRACKET_OPEN: "']'", BRACE_OPEN: "'}'", POPEN: "')'" };

const KEY_HINT = "a key is a dotted path (a.b.0), a config group (db or model/encoder) and an optional '@package'";
const VALUE_HINT = 'quote the value (\'...\' or "..."), or escape special characters with a backslash';

function describe(token: Token): string {
  return token.type === 'EOF' ? 'the end of the override' : `'${token.text}'`;
}

class OverrideParser {
  private pos = 0;
  private depth = 0;
  private readonly tokens: Token[];

  constructor(
    private readonly text: string,
    private readonly index: number,
    private readonly ctx: FunctionContext,
  ) {
    this.tokens = tokenize(text);
  }

  // --- token helpers ---

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.pos + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (this.pos < this.tokens.length - 1) this.pos++;
    return token;
  }

  private error(code: 'OVERRIDE_SYNTAX' | 'OVERRIDE_INVALID' | 'UNSAFE_KEY', start: number, length: number, message: string, hint?: string): TrellisError {
    return new TrellisError(code, message, {
      where: { kind: 'override', text: this.text, index: this.index, col: start + 1, length: Math.max(1, length) },
      hint,
    });
  }

  /** A syntax error at a token; a lexer failure is reported as such wherever it is met. */
  private fail(token: Token, message: string, hint?: string): never {
    if (token.type === 'ERROR') throw this.lexerError(token);
    // ANTLR's error recovery looks one token further and meets a lexer failure first.
    const after = this.tokens[this.tokens.indexOf(token) + 1];
    if (after?.type === 'ERROR') throw this.lexerError(after);
    throw this.error('OVERRIDE_SYNTAX', token.start, token.end - token.start, message, hint);
  }

  private lexerError(token: Token): TrellisError {
    const ch = token.text;
    const inKey = !this.tokens.some((t) => t.type === 'EQUAL' && t.start < token.start);
    if (!inKey && (ch === "'" || ch === '"')) {
      return this.error(
        'OVERRIDE_SYNTAX',
        token.start,
        this.text.length - token.start,
        `unclosed quote: no matching ${ch}`,
        `inside quotes, a backslash before a quote escapes it (\\${ch}); double the backslashes before the closing quote`,
      );
    }
    if (inKey) {
      const what = ch === ' ' || ch === '\t' ? 'whitespace' : `character '${ch}'`;
      return this.error('OVERRIDE_SYNTAX', token.start, 1, `unexpected ${what} in key`, KEY_HINT);
    }
    return this.error('OVERRIDE_SYNTAX', token.start, 1, `unexpected character '${ch}' in value`, this.quoteHint());
  }

  /** Open brackets, parentheses and braces, innermost last, for "unclosed" errors. */
  private readonly open: Token[] = [];

  private enter(token: Token): void {
    if (++this.depth > MAX_DEPTH) this.fail(token, `nesting deeper than ${MAX_DEPTH} levels`);
    this.open.push(token);
  }

  private leave(): void {
    this.depth--;
    this.open.pop();
  }

  // --- override: key EQUAL value? | TILDE key (EQUAL value?)? | PLUS PLUS? key EQUAL value? ---

  parseOverride(): Override {
    let type: OverrideType = 'change';
    if (this.peek().type === 'TILDE') {
      this.next();
      type = 'delete';
    } else if (this.peek().type === 'PLUS') {
      this.next();
      type = 'add';
      if (this.peek().type === 'PLUS') {
        this.next();
        type = 'force-add';
      }
    }
    const keyStart = this.peek().start;
    const { key, pkg } = this.parseKey();
    this.checkSafeKey(keyStart);
    const override: Override = { text: this.text, index: this.index, type, key, isSweep: false };
    if (pkg !== undefined) override.package = pkg;

    const afterKey = this.peek();
    if (afterKey.type === 'EOF' && type === 'delete') return override;
    if (afterKey.type !== 'EQUAL') this.failAfterKey(afterKey, key, type);
    this.next();

    if (this.peek().type === 'EOF') {
      override.value = { kind: 'string', value: '' };
      override.valueType = 'element';
      return override;
    }
    const value = this.parseValue();
    override.value = value;
    override.valueType = valueTypeOf(value);
    override.isSweep = override.valueType !== 'element';
    return override;
  }

  /** A key segment such as `__proto__` is refused here, as in YAML, before it reaches a config or a record. */
  private checkSafeKey(keyStart: number): void {
    const keyText = this.text.slice(keyStart, this.peek().start);
    let offset = keyStart;
    for (const segment of keyText.split(/([./@])/)) {
      if (UNSAFE_KEYS.has(segment)) this.unsafeKey(segment, offset);
      offset += segment.length;
    }
  }

  private unsafeKey(key: string, start: number): never {
    throw this.error(
      'UNSAFE_KEY',
      start,
      key.length,
      `The key '${key}' is not allowed in a config`,
      'it would reach the prototype of JavaScript objects; rename the key',
    );
  }

  private failAfterKey(token: Token, key: string, type: OverrideType): never {
    if (token.type === 'EOF') {
      const prefix = { change: '', add: '+', 'force-add': '++', delete: '~' }[type];
      this.fail(
        token,
        `expected '=' after key '${key}'`,
        type === 'change' ? `write '${key}=VALUE', or '~${key}' to delete it` : `write '${prefix}${key}=VALUE'`,
      );
    }
    if (token.type === 'COLON') {
      this.fail(
        token,
        `mismatched input ':': expected '='`,
        "renaming a package from the command line (group@pkg1:pkg2) was removed in Hydra 1.1; write 'group@pkg2=option'",
      );
    }
    if (token.type === 'SLASH') {
      this.fail(token, `mismatched input '/': expected '='`, 'a config group path contains only names made of letters, digits, _ and -');
    }
    this.fail(token, `mismatched input ${describe(token)}: expected '='`, KEY_HINT);
  }

  // key: packageOrGroup (AT package)?
  private parseKey(): { key: string; pkg: string | undefined } {
    const key = this.parsePackageOrGroup();
    if (this.peek().type !== 'AT') return { key, pkg: undefined };
    this.next();
    return { key, pkg: this.parsePackage() };
  }

  // packageOrGroup: package | ID (SLASH ID)+
  private parsePackageOrGroup(): string {
    if (this.peek().type === 'ID' && this.peek(1).type === 'SLASH') {
      let path = this.next().text;
      while (this.peek().type === 'SLASH') {
        this.next();
        const part = this.peek();
        if (part.type !== 'ID') this.fail(part, `mismatched input ${describe(part)}: expected a group name after '/'`, KEY_HINT);
        path += `/${this.next().text}`;
      }
      return path;
    }
    return this.parsePackage();
  }

  // package: ( | ID | KEY_SPECIAL | DOT_PATH)
  private parsePackage(): string {
    const t = this.peek().type;
    return t === 'ID' || t === 'KEY_SPECIAL' || t === 'DOT_PATH' ? this.next().text : '';
  }

  // --- value: element | simpleChoiceSweep ---

  private parseValue(): ParsedValue {
    const first = this.parseElement();
    if (this.peek().type !== 'COMMA') {
      this.expectEnd();
      return first;
    }
    const items: ParsedValue[] = [first];
    while (this.peek().type === 'COMMA') {
      this.next();
      items.push(this.parseElement());
    }
    this.expectEnd();
    const start = this.tokens.find((t) => t.type === 'EQUAL')?.end ?? 0;
    return { kind: 'choice', items: this.elementsOnly(items, start, 'a comma-separated sweep'), simpleForm: true, shuffle: false, tags: [] };
  }

  private expectEnd(): void {
    const t = this.peek();
    if (t.type !== 'EOF') this.fail(t, `mismatched input ${describe(t)}: expected ',' or the end of the override`, this.quoteHint());
  }

  /** The override with its value quoted: a fix to try. */
  private quoteHint(): string {
    const eq = this.tokens.find((t) => t.type === 'EQUAL');
    if (!eq) return VALUE_HINT;
    const head = this.text.slice(0, eq.start + 1);
    const raw = this.text.slice(eq.end);
    const quote = !raw.includes("'") ? "'" : !raw.includes('"') ? '"' : undefined;
    return `to pass it as a string, quote it: ${head}${quote ? quote + raw + quote : quoteString(raw, "'")}`;
  }

  /** Sweeps may not sit inside lists, dicts or a simple sweep (Hydra fails later; we say it now). */
  private elementsOnly(values: ParsedValue[], start: number, where: string): ParsedElement[] {
    for (const v of values) {
      if (isSweepValue(v)) {
        throw this.error(
          'OVERRIDE_INVALID',
          start,
          this.peek().start - start,
          `a sweep (${v.kind}) cannot be nested in ${where}`,
          'sweep over the whole value instead, e.g. key=[1,2],[3,4]',
        );
      }
    }
    return values as ParsedElement[];
  }

  // element: primitive | listContainer | dictContainer | function
  private parseElement(): ParsedValue {
    const t = this.peek();
    switch (t.type) {
      case 'QUOTED_VALUE':
        this.next();
        return { kind: 'quoted', value: unescapeQuoted(t.text), quote: t.text[0] as Quote };
      case 'BRACKET_OPEN':
        return this.parseList();
      case 'BRACE_OPEN':
        return this.parseDict();
      case 'ID':
        if (this.peek(1).type === 'POPEN') return this.parseFunction();
        return this.parsePrimitive();
      default:
        if (PRIMITIVE_TOKENS.has(t.type)) return this.parsePrimitive();
        if (t.type === 'EOF') {
          const innermost = this.open[this.open.length - 1];
          if (innermost) this.unclosed(innermost, CLOSERS[innermost.type] ?? '');
          this.fail(t, 'expected a value before the end of the override');
        }
        this.fail(t, `mismatched input ${describe(t)}: expected a value`, VALUE_HINT);
    }
  }

  // primitive: (ID | NULL | INT | FLOAT | BOOL | INTERPOLATION | UNQUOTED_CHAR | COLON | ESC | WS)+
  private parsePrimitive(): ParsedElement {
    const tokens: Token[] = [];
    while (PRIMITIVE_TOKENS.has(this.peek().type)) tokens.push(this.next());
    return this.primitiveValue(tokens);
  }

  // dictKey: (ID | NULL | INT | FLOAT | BOOL | UNQUOTED_CHAR | ESC | WS)+
  private parseDictKey(): DictKey {
    const t = this.peek();
    if (!DICT_KEY_TOKENS.has(t.type)) {
      if (t.type === 'QUOTED_VALUE') {
        this.fail(
          t,
          `mismatched input ${describe(t)}: dict keys cannot be quoted`,
          'write the key unquoted and escape special characters with a backslash: {a\\ b:1}',
        );
      }
      this.fail(t, `mismatched input ${describe(t)}: expected a dict key`);
    }
    const tokens: Token[] = [];
    while (DICT_KEY_TOKENS.has(this.peek().type)) tokens.push(this.next());
    return this.primitiveValue(tokens) as DictKey;
  }

  /** Hydra's _createPrimitive: one token is typed, several are concatenated into a string. */
  private primitiveValue(tokens: Token[]): ParsedElement {
    let first = 0;
    let last = tokens.length;
    if (tokens[0]?.type === 'WS') {
      if (tokens.length === 1) {
        this.fail(tokens[0], 'Trying to parse a primitive that is all whitespaces');
      }
      first = 1;
    }
    if (tokens[last - 1]?.type === 'WS') last--;
    const kept = tokens.slice(first, last);
    if (kept.length > 1) {
      return { kind: 'string', value: kept.map((t) => (t.type === 'ESC' ? unescapeEsc(t.text) : t.text)).join('') };
    }
    const t = kept[0] as Token;
    switch (t.type) {
      case 'INT':
        return { kind: 'int', value: parsePythonInt(t.text) ?? 0n };
      case 'FLOAT':
        return { kind: 'float', value: parsePythonFloat(t.text) ?? NaN };
      case 'NULL':
        return { kind: 'null' };
      case 'BOOL':
        return { kind: 'bool', value: t.text.toLowerCase() === 'true' };
      case 'ESC':
        return { kind: 'string', value: unescapeEsc(t.text) };
      default:
        return { kind: 'string', value: t.text };
    }
  }

  // listContainer: BRACKET_OPEN (element (COMMA element)*)? BRACKET_CLOSE
  private parseList(): ParsedElement {
    const open = this.next();
    this.enter(open);
    const items: ParsedValue[] = [];
    if (this.peek().type !== 'BRACKET_CLOSE') {
      items.push(this.parseElement());
      while (this.peek().type === 'COMMA') {
        this.next();
        items.push(this.parseElement());
      }
    }
    this.close(open, 'BRACKET_CLOSE', "']'");
    this.leave();
    return { kind: 'list', items: this.elementsOnly(items, open.start, 'a list') };
  }

  // dictContainer: BRACE_OPEN (dictKeyValuePair (COMMA dictKeyValuePair)*)? BRACE_CLOSE
  private parseDict(): ParsedElement {
    const open = this.next();
    this.enter(open);
    const entries: DictItem[] = [];
    const add = (item: DictItem): void => {
      // A Python dict: a repeated key (1, 1.0 and true are one key) keeps its place, takes the new value.
      const existing = entries.find((e) => pyEquals(e.key, item.key));
      if (existing) existing.value = item.value;
      else entries.push(item);
    };
    if (this.peek().type !== 'BRACE_CLOSE') {
      add(this.parseDictPair(open));
      while (this.peek().type === 'COMMA') {
        this.next();
        add(this.parseDictPair(open));
      }
    }
    this.close(open, 'BRACE_CLOSE', "'}'");
    this.leave();
    return { kind: 'dict', entries };
  }

  // dictKeyValuePair: dictKey COLON element
  private parseDictPair(open: Token): DictItem {
    const keyToken = this.peek();
    const key = this.parseDictKey();
    if (key.kind === 'string' && UNSAFE_KEYS.has(key.value)) this.unsafeKey(key.value, keyToken.start);
    const colon = this.peek();
    if (colon.type !== 'COLON') {
      if (colon.type === 'EOF') this.unclosed(open, "'}'");
      this.fail(colon, `mismatched input ${describe(colon)}: expected ':' after a dict key`);
    }
    this.next();
    const valueStart = this.peek().start;
    const [value] = this.elementsOnly([this.parseElement()], valueStart, 'a dict');
    return { key, value: value as ParsedElement };
  }

  // function: ID POPEN (argName? element (COMMA argName? element)*)? PCLOSE;  argName: ID EQUAL
  private parseFunction(): ParsedValue {
    const nameToken = this.next();
    const open = this.next();
    this.enter(open);
    const positional: ParsedValue[] = [];
    const keyword: Array<[string, ParsedValue]> = [];
    const parseArg = (): void => {
      if (this.peek().type === 'ID' && this.peek(1).type === 'EQUAL') {
        const name = this.next().text;
        this.next();
        keyword.push([name, this.parseElement()]);
        return;
      }
      const argToken = this.peek();
      const value = this.parseElement();
      if (keyword.length) {
        throw this.error(
          'OVERRIDE_SYNTAX',
          argToken.start,
          this.peek().start - argToken.start,
          'positional argument follows keyword argument',
          'put positional arguments before named ones',
        );
      }
      positional.push(value);
    };
    if (this.peek().type !== 'PCLOSE') {
      parseArg();
      while (this.peek().type === 'COMMA') {
        this.next();
        parseArg();
      }
    }
    const close = this.close(open, 'PCLOSE', "')'");
    this.leave();
    const source = this.text.slice(nameToken.start, close.end);
    try {
      return callFunction(nameToken.text, positional, keyword, this.ctx);
    } catch (e) {
      if (!(e instanceof FunctionError)) throw e;
      if (!isKnownFunction(nameToken.text)) {
        const guess = didYouMean(nameToken.text, FUNCTION_NAMES);
        throw this.error('OVERRIDE_INVALID', nameToken.start, source.length, e.message, [guess, e.hint].filter(Boolean).join('; '));
      }
      throw this.error('OVERRIDE_INVALID', nameToken.start, source.length, `${e.pyType} while evaluating '${source}': ${e.message}`, e.hint);
    }
  }

  private close(open: Token, type: TokenType, shown: string): Token {
    const t = this.peek();
    if (t.type === type) return this.next();
    if (t.type === 'EOF') this.unclosed(open, shown);
    this.fail(t, `mismatched input ${describe(t)}: expected ',' or ${shown}`, VALUE_HINT);
  }

  private unclosed(open: Token, shown: string): never {
    const bracket = open.text.trim();
    const end = this.peek();
    throw this.error(
      'OVERRIDE_SYNTAX',
      open.start + open.text.indexOf(bracket),
      1,
      `unclosed '${bracket}': expected ${shown} before the end of the override`,
      end.type === 'ERROR' ? undefined : `close it with ${shown}, or quote the value if the '${bracket}' is part of a string`,
    );
  }
}

function unescapeEsc(text: string): string {
  let out = '';
  for (let i = 1; i < text.length; i += 2) out += text[i];
  return out;
}

function valueTypeOf(value: ParsedValue): ValueType {
  switch (value.kind) {
    case 'choice':
      return value.simpleForm ? 'simple-choice' : 'choice';
    case 'glob':
      return 'glob';
    case 'range':
      return 'range';
    case 'interval':
      return 'interval';
    default:
      return 'element';
  }
}

/** Parses one command-line override. Throws a TrellisError (OVERRIDE_SYNTAX, OVERRIDE_INVALID or UNSAFE_KEY). */
export function parseOverride(text: string, index = 0, options: ParseOptions = {}): Override {
  checkArgs('parseOverride', [
    ['text', text, 'string'],
    ['index', index, 'number'],
    ['options', options, 'object'],
  ]);
  const ctx: FunctionContext = { random: options.random ?? Math.random };
  return new OverrideParser(text, index, ctx).parseOverride();
}

/** Parses every override; all the bad ones are reported together in one thrown TrellisError. */
export function parseOverrides(texts: readonly string[], options: ParseOptions = {}): Override[] {
  checkArgs('parseOverrides', [
    ['texts', texts, 'strings'],
    ['options', options, 'object'],
  ]);
  const out: Override[] = [];
  const problems = collectErrors();
  texts.forEach((text, index) => problems.attempt(() => out.push(parseOverride(text, index, options))));
  problems.throwIfAny();
  return out;
}
