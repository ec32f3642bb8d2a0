import { displayPath } from './open-store.js';
import { getPath, type FieldRef } from './query-fields.js';
import type { CompareOp, Literal, QueryNode } from './query-parse.js';
import type { StoredRun } from './stored-run.js';

export interface EvalContext {
  now: Date;
  /** Paths in `dir` are relative to it. */
  cwd: string;
}

/** Field values are plain: numbers (times as ms since the epoch), strings, booleans, null, lists. */
const MISSING = undefined;

const NON_FINITE: Record<string, number> = { NaN: Number.NaN, Infinity: Number.POSITIVE_INFINITY, '-Infinity': Number.NEGATIVE_INFINITY };
/** summary.json writes NaN and ±Infinity as strings (JSON has no such numbers). */
function metricNumber(v: unknown): unknown {
  return typeof v === 'string' && Object.hasOwn(NON_FINITE, v) ? NON_FINITE[v] : v;
}

const time = (iso: string | null | undefined) => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(t) ? MISSING : t;
};

function runField(run: StoredRun, name: string, ctx: EvalContext): unknown {
  // Status and start come from an index's columns; the whole run.json only for the rest.
  switch (name) {
    case 'status':
      return run.status(ctx.now);
    case 'reason':
      run.status(ctx.now);
      return run.reason() ?? MISSING;
    case 'dir':
      return displayPath(run.dir, ctx.cwd);
    case 'started':
      return run.started();
  }
  const info = run.info;
  if (!info) return MISSING;
  switch (name) {
    case 'id':
    case 'name':
    case 'host':
    case 'entry':
    case 'reproduces':
      return info[name] ?? MISSING;
    case 'error':
      return info.error?.message ?? MISSING;
    case 'sweep':
      return info.sweep?.dir ?? MISSING;
    case 'job':
      return info.sweep?.num ?? MISSING;
    case 'tags':
    case 'notes':
    case 'overrides':
      return info[name];
    case 'ended':
      return time(info.end);
    case 'heartbeat':
      return time(info.heartbeat);
    case 'duration':
      return info.duration_s ?? MISSING;
    case 'exit_code':
      return info.exit_code ?? MISSING;
  }
  return MISSING;
}

function metric(run: StoredRun, name: string, stat: string): unknown {
  return metricNumber(run.metric(name, stat)) ?? MISSING;
}

/** The value of a field for one run; undefined when the run has no such value. */
export function fieldValue(run: StoredRun, field: FieldRef, ctx: EvalContext): unknown {
  switch (field.ns) {
    case 'run':
      return runField(run, field.name, ctx);
    case 'metric':
      return metric(run, field.name, field.stat);
    case 'result':
      return getPath(run.summary()?.result, field.path);
    case 'config':
      return run.configAt(field.path);
    case 'auto': {
      // NAME.STAT is a metric statistic when the run logged NAME; checked first, so a metric
      // query never reads resolved.yaml.
      if (field.stat) {
        const m = metric(run, field.stat.name, field.stat.stat);
        if (m !== MISSING) return m;
      }
      const fromConfig = run.configAt(field.path);
      if (fromConfig !== MISSING) return fromConfig;
      const m = metric(run, field.metric, 'last');
      if (m !== MISSING) return m;
      return getPath(run.summary()?.result, field.path);
    }
  }
}

function literalValue(lit: Literal): unknown {
  if (lit.time) return lit.time.from;
  if (lit.seconds !== undefined) return lit.seconds;
  return lit.value;
}

function equals(value: unknown, lit: Literal): boolean {
  if (lit.time) return typeof value === 'number' && value >= lit.time.from && (lit.time.to > lit.time.from ? value < lit.time.to : value === lit.time.from);
  const want = literalValue(lit);
  if (value === want) return true;
  if (typeof value === 'number' && typeof want === 'number') return Number.isNaN(value) && Number.isNaN(want);
  // A bare number against a string value compares as written: version = 1.0 matches '1.0'.
  if (typeof value === 'string' && !lit.quoted) return value === lit.text;
  if (typeof value === 'string' && typeof want === 'string') return false;
  if (typeof value === 'boolean' && lit.quoted) return String(value) === lit.text;
  return false;
}

function order(value: unknown, lit: Literal): number | undefined {
  const want = literalValue(lit);
  if (typeof value === 'number' && typeof want === 'number') return Number.isNaN(value) || Number.isNaN(want) ? undefined : value - want;
  if (typeof value === 'string' && typeof want !== 'object') {
    const w = lit.text;
    return value < w ? -1 : value > w ? 1 : 0;
  }
  return undefined;
}

function contains(value: unknown, lit: Literal): boolean {
  if (typeof value === 'string') return value.includes(lit.text);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value).includes(lit.text);
  return false;
}

function compareOne(value: unknown, op: CompareOp, lit: Literal): boolean {
  if (Array.isArray(value)) {
    // A list has an item: tags = best; tags ~ base (an item contains); tags != best (none is).
    if (op === '!=') return !value.some((item) => equals(item, lit));
    if (op === '!~') return !value.some((item) => contains(item, lit));
    if (op === '=' || op === 'in') return value.some((item) => equals(item, lit));
    if (op === '~') return value.some((item) => contains(item, lit));
    return false;
  }
  if (value === MISSING) return op === '!=' || op === '!~' || ((op === '=' || op === 'in') && lit.value === null && !lit.quoted);
  switch (op) {
    case '=':
    case 'in':
      return equals(value, lit);
    case '!=':
      return !equals(value, lit);
    case '~':
      return contains(value, lit);
    case '!~':
      return !contains(value, lit);
    default: {
      const d = order(value, lit);
      if (d === undefined) return false;
      return op === '<' ? d < 0 : op === '<=' ? d <= 0 : op === '>' ? d > 0 : d >= 0;
    }
  }
}

/**
 * The operands of `a and b and c` in order. The parser builds such a chain as a left-deep tree as
 * long as the chain, so it is walked here without recursion; only nesting (limited) recurses.
 */
function chainOf(node: QueryNode & { kind: 'and' | 'or' }): QueryNode[] {
  const operands: QueryNode[] = [];
  let left: QueryNode = node;
  while (left.kind === node.kind) {
    const link = left as QueryNode & { kind: 'and' | 'or' };
    operands.push(link.right);
    left = link.left;
  }
  operands.push(left);
  return operands.reverse();
}

/** True when `run` matches the query. Pure apart from reading the run's records lazily. */
export function matches(run: StoredRun, node: QueryNode, ctx: EvalContext): boolean {
  switch (node.kind) {
    case 'all':
      return true;
    case 'and':
      return chainOf(node).every((operand) => matches(run, operand, ctx));
    case 'or':
      return chainOf(node).some((operand) => matches(run, operand, ctx));
    case 'not':
      return !matches(run, node.expr, ctx);
    case 'compare': {
      const value = fieldValue(run, node.field, ctx);
      return node.op === 'in' ? node.values.some((lit) => compareOne(value, 'in', lit)) : compareOne(value, node.op, node.values[0]!);
    }
  }
}

/** Sort order of two field values: missing last, then numbers, strings, the rest by text. */
export function compareValues(a: unknown, b: unknown): number {
  if (a === MISSING || a === null) return b === MISSING || b === null ? 0 : 1;
  if (b === MISSING || b === null) return -1;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : 1;
    if (Number.isNaN(b)) return -1;
    return a - b;
  }
  if (typeof a === 'number') return -1;
  if (typeof b === 'number') return 1;
  const as = Array.isArray(a) ? a.join(',') : String(a);
  const bs = Array.isArray(b) ? b.join(',') : String(b);
  return as < bs ? -1 : as > bs ? 1 : 0;
}
