import type { TrellisError, ErrorWhere } from './trellis-error.js';
import { checkArgs } from './check-args.js';

export interface FormatOptions {
  /** Show the cause chain and stacks (the CLI's --verbose). */
  verbose?: boolean;
  /** Colour functions; identity when colours are off. */
  color?: { red(s: string): string; dim(s: string): string; bold(s: string): string; cyan(s: string): string };
}

const plain = { red: (s: string) => s, dim: (s: string) => s, bold: (s: string) => s, cyan: (s: string) => s };

function locationText(where: ErrorWhere): string {
  if (where.kind === 'file') return `${where.file}:${where.line}:${where.col}`;
  const col = where.col === undefined ? '' : `:${where.col}`;
  return `override #${where.index + 1} '${where.text}'${col}`;
}

function excerpt(where: ErrorWhere): string[] {
  const source = where.kind === 'file' ? where.sourceLine : where.text;
  const line = where.kind === 'file' ? String(where.line) : '';
  if (source === undefined || where.col === undefined) return [];
  const pad = '     | ';
  const gutter = where.kind === 'file' ? `${line.padStart(4)} | ` : pad;
  const width = Math.max(1, Math.min(where.length ?? 1, source.length - where.col + 1 || 1));
  return [`${gutter}${source}`, `${pad}${' '.repeat(Math.max(0, where.col - 1))}${'^'.repeat(width)}`];
}

function formatOne(error: TrellisError, c: NonNullable<FormatOptions['color']>): string[] {
  const head = error.where ? `${c.cyan(locationText(error.where))}  ${c.red(error.code)}` : c.red(error.code);
  const lines = [head, c.bold(error.message) + (error.keyPath && !error.message.includes(error.keyPath) ? c.dim(` (at ${error.keyPath})`) : '')];
  if (error.where) lines.push(...excerpt(error.where));
  if (error.hint) lines.push(`hint: ${error.hint}`);
  return lines;
}

/** Renders an error (and every related one) as text for a terminal. Pure. */
export function formatError(error: TrellisError, options: FormatOptions = {}): string {
  checkArgs('formatError', [
    ['error', error, 'error'],
    ['options', options, 'object'],
  ]);
  const c = options.color ?? plain;
  const blocks = error.all().map((e) => formatOne(e, c).join('\n'));
  let text = blocks.join('\n\n');
  if (blocks.length > 1) text += `\n\n${blocks.length} problems`;
  if (options.verbose) {
    let cause: unknown = error.cause;
    while (cause !== undefined) {
      text += `\ncaused by: ${cause instanceof Error ? (cause.stack ?? cause.message) : String(cause)}`;
      cause = cause instanceof Error ? cause.cause : undefined;
    }
  }
  return text;
}
