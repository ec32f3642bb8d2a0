import { TrellisError, type ErrorWhere } from '../errors/index.js';

/**
 * Tokens of the run query language. Words are anything up to a space, a bracket, a comma, a
 * quote or an operator character, so `optimizer.lr`, `-30d`, `2026-11-01T10:00` and `1e-3` are
 * one word each; what a word means (field, number, date) is decided by the parser and checker.
 */
type QueryTokenType = 'word' | 'string' | 'op' | '(' | ')' | ',' | 'end';

export interface QueryToken {
  type: QueryTokenType;
  /** The text as written (for a string: without quotes, escapes undone). */
  text: string;
  /** 1-based column of the first character, and the length in the query text. */
  col: number;
  length: number;
}

const OPERATORS = ['==', '!=', '<=', '>=', '!~', '=', '<', '>', '~'] as const;
const WORD_STOP = /[\s()," '=!<>~]/;

/** Where a query error points: the query as a one-line "file" so errors show it with a caret. */
export function queryWhere(query: string, col: number, length = 1): ErrorWhere {
  return { kind: 'file', file: 'query', line: 1, col, length: Math.max(1, length), sourceLine: query };
}

export function lexQuery(query: string): QueryToken[] {
  const tokens: QueryToken[] = [];
  let i = 0;
  while (i < query.length) {
    const c = query[i]!;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const col = i + 1;
    if (c === '(' || c === ')' || c === ',') {
      tokens.push({ type: c, text: c, col, length: 1 });
      i++;
      continue;
    }
    if (c === '"' || c === "'") {
      let text = '';
      let j = i + 1;
      for (; j < query.length && query[j] !== c; j++) {
        if (query[j] === '\\' && j + 1 < query.length) j++;
        text += query[j];
      }
      if (j >= query.length) {
        throw new TrellisError('QUERY_SYNTAX', `Unterminated string: no closing ${c}`, {
          where: queryWhere(query, col, query.length - i),
          hint: `end the string with ${c}`,
        });
      }
      tokens.push({ type: 'string', text, col, length: j + 1 - i });
      i = j + 1;
      continue;
    }
    const op = OPERATORS.find((o) => query.startsWith(o, i));
    if (op) {
      tokens.push({ type: 'op', text: op, col, length: op.length });
      i += op.length;
      continue;
    }
    if (c === '!') {
      throw new TrellisError('QUERY_SYNTAX', `Unexpected '!'`, { where: queryWhere(query, col), hint: "use != or !~, or 'not' before a condition" });
    }
    let j = i;
    while (j < query.length && !WORD_STOP.test(query[j]!)) j++;
    tokens.push({ type: 'word', text: query.slice(i, j), col, length: j - i });
    i = j;
  }
  tokens.push({ type: 'end', text: '', col: query.length + 1, length: 1 });
  return tokens;
}
