import { collectErrors, didYouMean, TrellisError, type ErrorWhere } from '../errors/index.js';
import { flatten } from './diff-runs.js';
import type { RunStore } from './open-store.js';
import { fieldValue, type EvalContext } from './query-eval.js';
import { METRIC_STATS, type FieldRef } from './query-fields.js';
import { queryWhere } from './query-lex.js';
import type { ParsedQuery, QueryNode, SortKey } from './query-parse.js';

/** A field to check and where it was written: a column of the query, or the option that named it (`--sort`). */
export interface NamedField {
  field: FieldRef;
  where?: ErrorWhere;
  option?: string;
}

/** How many runs lend their key and metric names to a did-you-mean (only read once a name is unknown). */
const SAMPLE = 50;

/** The fields a query compares, each with the column it starts at. */
export function queryFields(query: ParsedQuery): NamedField[] {
  const out: NamedField[] = [];
  const stack: QueryNode[] = [query.root];
  while (stack.length) {
    const node = stack.pop()!;
    if (node.kind === 'compare') out.push({ field: node.field, where: queryWhere(query.text, node.col, node.field.text.length) });
    else if (node.kind === 'not') stack.push(node.expr);
    else if (node.kind === 'and' || node.kind === 'or') stack.push(node.right, node.left);
  }
  return out;
}

export function sortFields(sort: readonly SortKey[]): NamedField[] {
  return sort.map((k) => ({ field: k.field, option: '--sort' }));
}

/** Names a did-you-mean offers: config keys (leaves and their parents), metrics and metric statistics. */
function knownNames(store: RunStore): Set<string> {
  const names = new Set<string>();
  for (const run of store.runs.slice(0, SAMPLE)) {
    for (const key of flatten(run.config()).keys()) {
      const parts = key.split('.');
      for (let i = 1; i <= parts.length; i++) names.add(parts.slice(0, i).join('.'));
    }
    for (const metric of Object.keys(run.summary()?.metrics ?? {})) {
      names.add(metric);
      for (const stat of METRIC_STATS.slice(0, 4)) names.add(`${metric}.${stat}`);
    }
  }
  return names;
}

/**
 * A misspelt key or metric matches no run, so a listing comes back empty (or `!=` matches all)
 * with exit 0. A field that no run of the store has a value for is refused, with the closest
 * known names. Run fields (status, tags…) are checked when the query is parsed; an empty store
 * has nothing to compare with.
 */
export function checkKnownFields(store: RunStore, fields: readonly NamedField[], ctx: EvalContext): void {
  if (!store.runs.length) return;
  const problems = collectErrors();
  let names: Set<string> | undefined;
  const seen = new Set<string>();
  for (const { field, where, option } of fields) {
    if (field.ns === 'run' || seen.has(field.text)) continue;
    seen.add(field.text);
    if (store.runs.some((run) => fieldValue(run, field, ctx) !== undefined)) continue;
    names ??= knownNames(store);
    const bare = field.ns === 'auto' ? field.text : field.text.replace(/^(config|cfg|metrics?|result)\./, '');
    const hint = didYouMean(bare, names) ?? 'no run here has this config key, metric or result; see a run’s keys with trellis runs show RUN';
    const message = `${option ? `${option}: n` : 'N'}o run has a value for '${field.text}'`;
    problems.add(new TrellisError('USAGE', message, { where, keyPath: field.text, hint }));
  }
  problems.throwIfAny();
}
