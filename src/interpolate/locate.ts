import type { ErrorWhere } from '../errors/index.js';

/**
 * Points an error at a span inside a value: `origin` says where the value starts (its file line
 * and column, or the override text), `offset`/`length` where the problem is inside the value.
 * The column moves into the value only when the source text shows the value verbatim up to the
 * span (a plain or quoted scalar on one line without escapes); otherwise it stays on the value.
 */
export function pointInto(origin: ErrorWhere | undefined, value: string, offset: number, length: number): ErrorWhere | undefined {
  if (!origin) return undefined;
  const source = origin.kind === 'file' ? origin.sourceLine : origin.text;
  let start: number | undefined;
  if (origin.col !== undefined) start = origin.col - 1;
  else if (origin.kind === 'override') {
    const at = origin.text.lastIndexOf(value);
    start = at >= 0 ? at : undefined;
  }
  if (source === undefined || start === undefined) return { ...origin };
  const first = source[start];
  if ((first === "'" || first === '"') && !value.startsWith(first)) start += 1;
  if (source.slice(start, start + offset) !== value.slice(0, offset)) return { ...origin };
  const col = start + offset + 1;
  const span = Math.max(1, Math.min(length, source.length - (start + offset)));
  return { ...origin, col, length: span };
}
