import type { ErrorCode } from './codes.js';

/** Where an error happened: a place in a file, or a place in a command-line override. */
export type ErrorWhere =
  | {
      kind: 'file';
      /** Path as shown to the user (relative to the working directory when possible). */
      file: string;
      line: number;
      col: number;
      /** Length of the span to underline, when known. */
      length?: number;
      /** The text of the source line, so rendering needs no I/O. */
      sourceLine?: string;
    }
  | {
      kind: 'override';
      /** The override exactly as the user typed it. */
      text: string;
      /** Its position among the command-line overrides (0-based). */
      index: number;
      /** 1-based column inside `text`, when known. */
      col?: number;
      length?: number;
    };

export interface TrellisErrorOptions {
  where?: ErrorWhere | undefined;
  keyPath?: string | undefined;
  hint?: string | undefined;
  related?: TrellisError[] | undefined;
  cause?: unknown;
}

/** The one error class of trellis: a stable code, a message, where it happened and how to fix it. */
export class TrellisError extends Error {
  override readonly name = 'TrellisError';
  readonly code: ErrorCode;
  where: ErrorWhere | undefined;
  keyPath: string | undefined;
  hint: string | undefined;
  /** Further problems found in the same stage, reported together with this one. */
  readonly related: TrellisError[];

  constructor(code: ErrorCode, message: string, options: TrellisErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.where = options.where;
    this.keyPath = options.keyPath;
    this.hint = options.hint;
    this.related = options.related ?? [];
  }

  /** This error followed by every related one, flattened. */
  all(): TrellisError[] {
    return [this, ...this.related.flatMap((e) => e.all())];
  }
}

export function isTrellisError(value: unknown): value is TrellisError {
  return value instanceof TrellisError;
}

/** Throws the collected problems of a stage as one error (the first, with the rest related). */
export function throwCollected(errors: TrellisError[]): void {
  const [first, ...rest] = errors;
  if (!first) return;
  if (rest.length) first.related.push(...rest);
  throw first;
}
