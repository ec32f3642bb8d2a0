import { isValid } from 'date-fns/isValid';
import { parseISO } from 'date-fns/parseISO';
import { startOfDay } from 'date-fns/startOfDay';
import { sub } from 'date-fns/sub';
import { collectErrors, didYouMean, TrellisError } from '../errors/index.js';
import { fieldRef, METRIC_STATS, RUN_FIELDS, type FieldRef } from './query-fields.js';
import { lexQuery, queryWhere, type QueryToken } from './query-lex.js';
import { STORE_STATUSES } from './types.js';
import { checkArgs } from '../errors/check-args.js';

/**
 * The run query language:
 *
 *   query      := or?
 *   or         := and ('or' and)*
 *   and        := not ('and' not)*
 *   not        := 'not' not | primary
 *   primary    := '(' or ')' | comparison
 *   comparison := FIELD OP value | FIELD 'in' '(' value (',' value)* ')'
 *   OP         := = | == | != | < | <= | > | >= | ~ | contains | !~
 *   value      := WORD | 'quoted' | "quoted"
 *
 * Keywords are case-insensitive. Parsing checks each comparison against the type of its field
 * (a date for `started`, a known status for `status`, a number for a metric) and reports every
 * problem at once, each with the column it starts at.
 */
export type CompareOp = '=' | '!=' | '<' | '<=' | '>' | '>=' | '~' | '!~' | 'in';

export interface Literal {
  text: string;
  quoted: boolean;
  col: number;
  length: number;
  /** Typed as YAML would a bare word: number, boolean, null or string; quoted is a string. */
  value: string | number | boolean | null;
  /** For time fields: the instant (ms), and for a date without time the end of that day. */
  time?: { from: number; to: number };
  /** For duration fields: seconds. */
  seconds?: number;
}

export type QueryNode =
  | { kind: 'all' }
  | { kind: 'and' | 'or'; left: QueryNode; right: QueryNode }
  | { kind: 'not'; expr: QueryNode }
  | { kind: 'compare'; field: FieldRef; op: CompareOp; values: Literal[]; col: number };

export interface ParsedQuery {
  text: string;
  root: QueryNode;
  /** Every field the query names, in order (for table columns and for reading lazily). */
  fields: FieldRef[];
}

const OPS: Record<string, CompareOp> = { '=': '=', '==': '=', '!=': '!=', '<': '<', '<=': '<=', '>': '>', '>=': '>=', '~': '~', '!~': '!~', contains: '~' };

const NUMBER = /^[-+]?(?:\d[\d_]*\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function typedWord(text: string): string | number | boolean | null {
  if (NUMBER.test(text)) return Number(text.replaceAll('_', ''));
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  if (lower === 'null') return null;
  return text;
}

const UNITS: Record<string, (n: number) => Duration> = {
  s: (n) => ({ seconds: n }),
  m: (n) => ({ minutes: n }),
  min: (n) => ({ minutes: n }),
  h: (n) => ({ hours: n }),
  d: (n) => ({ days: n }),
  w: (n) => ({ weeks: n }),
  mo: (n) => ({ months: n }),
  y: (n) => ({ years: n }),
};
type Duration = Parameters<typeof sub>[1];

/** `-30d`, `-12h`, `now`, `today`, `yesterday`, or an ISO date (a date alone covers the whole day). */
function parseTimeLiteral(text: string, now: Date): { from: number; to: number } | undefined {
  const lower = text.toLowerCase();
  if (lower === 'now') return { from: now.getTime(), to: now.getTime() };
  if (lower === 'today' || lower === 'yesterday') {
    const day = startOfDay(lower === 'today' ? now : sub(now, { days: 1 }));
    return { from: day.getTime(), to: day.getTime() + 86_400_000 };
  }
  const rel = /^-(\d+)(s|min|mo|m|h|d|w|y)$/.exec(text);
  if (rel) {
    const at = sub(now, UNITS[rel[2]!]!(Number(rel[1])));
    return { from: at.getTime(), to: at.getTime() };
  }
  if (!/^\d{4}-\d{2}(-\d{2})?([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/.test(text)) return undefined;
  const date = parseISO(text.replace(' ', 'T'));
  if (!isValid(date)) return undefined;
  const dayOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  return { from: date.getTime(), to: dayOnly ? sub(date, { days: -1 }).getTime() : date.getTime() };
}

/** `90`, `90s`, `5m`, `2h`, `1d` → seconds. */
function parseDurationLiteral(text: string): number | undefined {
  if (NUMBER.test(text)) return Number(text);
  const m = /^(\d+(?:\.\d+)?)(ms|s|min|m|h|d)$/.exec(text);
  if (!m) return undefined;
  const factor: Record<string, number> = { ms: 0.001, s: 1, m: 60, min: 60, h: 3600, d: 86400 };
  return Number(m[1]) * factor[m[2]!]!;
}

/**
 * Parentheses and `not` nest at most this deep: far beyond any real query, and shallow enough
 * that parsing and evaluation never exhaust the stack. Chains of and/or do not nest.
 */
const MAX_QUERY_NESTING = 200;

class Parser {
  private pos = 0;
  private nesting = 0;
  readonly fields: FieldRef[] = [];
  readonly problems = collectErrors();

  constructor(
    private readonly query: string,
    private readonly tokens: QueryToken[],
    private readonly now: Date,
  ) {}

  private peek(): QueryToken {
    return this.tokens[this.pos]!;
  }

  private next(): QueryToken {
    const t = this.tokens[this.pos]!;
    if (t.type !== 'end') this.pos++;
    return t;
  }

  private isKeyword(t: QueryToken, word: string): boolean {
    return t.type === 'word' && t.text.toLowerCase() === word;
  }

  private fail(t: QueryToken, message: string, hint?: string): never {
    throw new TrellisError('QUERY_SYNTAX', message, { where: queryWhere(this.query, t.col, t.length), hint });
  }

  private describe(t: QueryToken): string {
    return t.type === 'end' ? 'the end of the query' : `'${t.text}'`;
  }

  parse(): QueryNode {
    if (this.peek().type === 'end') return { kind: 'all' };
    const root = this.or();
    const t = this.peek();
    if (t.type !== 'end') {
      const hint = t.type === ')' ? 'remove it, or open it with (' : "join conditions with 'and' or 'or'";
      this.fail(t, `Expected 'and', 'or' or the end of the query, got ${this.describe(t)}`, hint);
    }
    return root;
  }

  private or(): QueryNode {
    let left = this.and();
    while (this.isKeyword(this.peek(), 'or')) {
      this.next();
      left = { kind: 'or', left, right: this.and() };
    }
    return left;
  }

  private and(): QueryNode {
    let left = this.not();
    while (this.isKeyword(this.peek(), 'and')) {
      this.next();
      left = { kind: 'and', left, right: this.not() };
    }
    return left;
  }

  private not(): QueryNode {
    if (this.isKeyword(this.peek(), 'not')) {
      const t = this.next();
      return { kind: 'not', expr: this.nested(t, () => this.not()) };
    }
    return this.primary();
  }

  private nested(t: QueryToken, parse: () => QueryNode): QueryNode {
    if (++this.nesting > MAX_QUERY_NESTING) {
      this.fail(
        t,
        `The query nests parentheses and 'not' more than ${MAX_QUERY_NESTING} levels deep`,
        "remove parentheses that group a single condition, and double negations ('not not x' is x)",
      );
    }
    try {
      return parse();
    } finally {
      this.nesting--;
    }
  }

  private primary(): QueryNode {
    const t = this.peek();
    if (t.type === '(') {
      this.next();
      const inner = this.nested(t, () => this.or());
      const close = this.peek();
      if (close.type !== ')') this.fail(close, `Expected ')' to close the '(' at column ${t.col}, got ${this.describe(close)}`);
      this.next();
      return inner;
    }
    if (t.type !== 'word' || ['and', 'or'].includes(t.text.toLowerCase())) {
      this.fail(
        t,
        `Expected a field name, got ${this.describe(t)}`,
        'a condition reads like optimizer.lr < 0.05, val_loss.min < 0.1, status = completed or started > -30d',
      );
    }
    return this.comparison();
  }

  private comparison(): QueryNode {
    const name = this.next();
    const field = fieldRef(name.text);
    if (!field)
      this.fail(
        name,
        `'${name.text}' is not a field name`,
        'a field is a dotted key such as optimizer.lr, a metric such as val_loss.min, or one of status, tags, started, duration',
      );
    this.fields.push(field);
    const opToken = this.next();
    let op: CompareOp | undefined;
    if (opToken.type === 'op' || opToken.type === 'word') op = OPS[opToken.type === 'word' ? opToken.text.toLowerCase() : opToken.text];
    if (opToken.type === 'word' && opToken.text.toLowerCase() === 'in') op = 'in';
    if (!op) {
      this.fail(opToken, `Expected an operator after '${name.text}', got ${this.describe(opToken)}`, 'operators: = != < <= > >= ~ (contains) !~ in');
    }
    const values: Literal[] = [];
    if (op === 'in') {
      const open = this.next();
      if (open.type !== '(') this.fail(open, `Expected '(' after 'in', got ${this.describe(open)}`, 'write: optimizer.name in (adam, sgd)');
      for (;;) {
        values.push(this.literal());
        const sep = this.next();
        if (sep.type === ')') break;
        if (sep.type !== ',') this.fail(sep, `Expected ',' or ')' in the list, got ${this.describe(sep)}`);
      }
    } else values.push(this.literal());
    this.check(field, op, values, name);
    return { kind: 'compare', field, op, values, col: name.col };
  }

  private literal(): Literal {
    const t = this.next();
    if (t.type === 'string') return { text: t.text, quoted: true, col: t.col, length: t.length, value: t.text };
    if (t.type === 'word' && !['and', 'or', 'not'].includes(t.text.toLowerCase())) {
      return { text: t.text, quoted: false, col: t.col, length: t.length, value: typedWord(t.text) };
    }
    this.fail(t, `Expected a value, got ${this.describe(t)}`, "quote values with spaces or operator characters: name = 'a b'");
  }

  /** Type checks against run fields and metric statistics; problems are collected. */
  private check(field: FieldRef, op: CompareOp, values: Literal[], name: QueryToken): void {
    const problem = (lit: Literal | QueryToken, message: string, hint?: string) =>
      this.problems.add(new TrellisError('QUERY_TYPE', message, { where: queryWhere(this.query, lit.col, lit.length), keyPath: field.text, hint }));
    const ordered = op === '<' || op === '<=' || op === '>' || op === '>=';
    const textual = op === '~' || op === '!~';
    if (field.ns === 'metric') {
      if (textual) problem(name, `'${field.text}' is a number: '~' matches text`, 'compare metrics with = != < <= > >=');
      for (const v of values)
        if (typeof v.value !== 'number' && !(op === '=' || op === '!=' ? v.value === null : false))
          problem(v, `'${field.text}' is a metric: expected a number, got '${v.text}'`);
      return;
    }
    if (field.ns !== 'run') return;
    switch (field.type) {
      case 'status':
        if (op !== '=' && op !== '!=' && op !== 'in')
          problem(name, `status takes = != or in, not '${op}'`, 'e.g. status = completed, status in (failed, crashed)');
        for (const v of values) {
          if (!(STORE_STATUSES as readonly string[]).includes(String(v.value))) {
            problem(v, `Unknown status '${v.text}'`, didYouMean(v.text, STORE_STATUSES) ?? `statuses: ${STORE_STATUSES.join(', ')}`);
          }
        }
        return;
      case 'time':
        if (textual) problem(name, `'${field.text}' is a time: '${op}' matches text`, 'compare times with = != < <= > >=');
        for (const v of values) {
          const time = parseTimeLiteral(v.text, this.now);
          if (time) v.time = time;
          else problem(v, `'${v.text}' is not a time`, 'write a relative time like -30d, -12h, -15m, or a date like 2026-11-01 or 2026-11-01T10:30');
        }
        return;
      case 'duration':
        if (textual) problem(name, `duration is a number of seconds: '${op}' matches text`);
        for (const v of values) {
          const seconds = parseDurationLiteral(v.text);
          if (seconds === undefined) problem(v, `'${v.text}' is not a duration`, 'write seconds (90) or a duration like 90s, 5m, 2h, 1d');
          else v.seconds = seconds;
        }
        return;
      case 'number':
        if (textual) problem(name, `'${field.text}' is a number: '${op}' matches text`);
        for (const v of values) if (typeof v.value !== 'number' && v.value !== null) problem(v, `'${field.text}' is a number, got '${v.text}'`);
        return;
      case 'list':
        if (ordered) problem(name, `'${field.text}' is a list: use = (has), != (has not), ~ (an item contains) or in`);
        return;
      case 'string':
        return;
    }
  }
}

/** Parses and type-checks a query; `now` anchors relative times (`-30d`). */
export function parseQuery(text: string, now: Date = new Date()): ParsedQuery {
  checkArgs('parseQuery', [
    ['text', text, 'string'],
    ['now', now, 'date'],
  ]);
  const parser = new Parser(text, lexQuery(text), now);
  const root = parser.parse();
  parser.problems.throwIfAny();
  return { text, root, fields: parser.fields };
}

/** A `--sort` key: FIELD, -FIELD or FIELD:desc (descending), FIELD:asc. */
export interface SortKey {
  field: FieldRef;
  descending: boolean;
}

export function parseSortKeys(text: string): SortKey[] {
  const keys: SortKey[] = [];
  let col = 1;
  for (const part of text.split(',')) {
    const trimmed = part.trim();
    let name = trimmed;
    let descending = false;
    if (name.startsWith('-')) {
      descending = true;
      name = name.slice(1);
    } else if (name.startsWith('+')) name = name.slice(1);
    const suffix = /:(asc|desc)$/i.exec(name);
    if (suffix) {
      descending = suffix[1]!.toLowerCase() === 'desc';
      name = name.slice(0, -suffix[0].length);
    }
    const field = fieldRef(name);
    if (!field) {
      throw new TrellisError('QUERY_SYNTAX', `'${trimmed}' is not a sort key`, {
        where: queryWhere(text, col, part.length),
        hint: `a field, -field (descending) or field:desc; run fields: ${Object.keys(RUN_FIELDS).join(', ')}; metrics: NAME.${METRIC_STATS.slice(0, 3).join('|')}`,
      });
    }
    keys.push({ field, descending });
    col += part.length + 1;
  }
  return keys;
}
