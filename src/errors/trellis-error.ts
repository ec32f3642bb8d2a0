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

/** What `TrellisError.derive` replaces: a message with context added, a key path, a hint… */
export interface ErrorChanges {
  message?: string | undefined;
  where?: ErrorWhere | undefined;
  keyPath?: string | undefined;
  hint?: string | undefined;
  related?: readonly TrellisError[] | undefined;
}

/** The one error class of trellis: a stable code, a message, where it happened and how to fix it. */
export class TrellisError extends Error {
  override readonly name = 'TrellisError';
  readonly code: ErrorCode;
  readonly where: ErrorWhere | undefined;
  readonly keyPath: string | undefined;
  readonly hint: string | undefined;
  /** Further problems found in the same stage, reported together with this one. */
  readonly related: readonly TrellisError[];

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

  /**
   * A new error for the same problem with the given fields replaced (`undefined` keeps a field);
   * this one is not changed, since an error may already be held elsewhere. Code and cause are
   * kept, and so is the stack: it shows where the problem was found, not where it was copied.
   */
  derive(changes: ErrorChanges): TrellisError {
    const copy = new TrellisError(this.code, changes.message ?? this.message, {
      where: changes.where ?? this.where,
      keyPath: changes.keyPath ?? this.keyPath,
      hint: changes.hint ?? this.hint,
      related: changes.related ? [...changes.related] : [...this.related],
      cause: this.cause,
    });
    if (this.stack !== undefined) copy.stack = this.stack;
    return copy;
  }

  /**
   * A copy with `rewrite` applied to every text a user can see: message, hint, the quoted source
   * or override, related errors and the cause chain. Used to take secrets out before printing.
   */
  mapText(rewrite: (text: string) => string): TrellisError {
    const where = this.where && (this.where.kind === 'file' ? mapSourceLine(this.where, rewrite) : { ...this.where, text: rewrite(this.where.text) });
    const copy = new TrellisError(this.code, rewrite(this.message), {
      where,
      keyPath: this.keyPath === undefined ? undefined : rewrite(this.keyPath),
      hint: this.hint === undefined ? undefined : rewrite(this.hint),
      related: this.related.map((e) => e.mapText(rewrite)),
      cause: mapCause(this.cause, rewrite),
    });
    if (this.stack !== undefined) copy.stack = rewrite(this.stack);
    return copy;
  }
}

function mapSourceLine(where: Extract<ErrorWhere, { kind: 'file' }>, rewrite: (text: string) => string): ErrorWhere {
  return where.sourceLine === undefined ? where : { ...where, sourceLine: rewrite(where.sourceLine) };
}

function mapCause(cause: unknown, rewrite: (text: string) => string): unknown {
  if (cause instanceof TrellisError) return cause.mapText(rewrite);
  if (cause instanceof Error) {
    const copy = new Error(rewrite(cause.message), cause.cause === undefined ? undefined : { cause: mapCause(cause.cause, rewrite) });
    if (cause.stack !== undefined) copy.stack = rewrite(cause.stack);
    return copy;
  }
  return typeof cause === 'string' ? rewrite(cause) : cause;
}

export function isTrellisError(value: unknown): value is TrellisError {
  return value instanceof TrellisError;
}
