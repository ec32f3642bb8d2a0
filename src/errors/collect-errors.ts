import { TrellisError } from './trellis-error.js';

/**
 * The problems of one stage, gathered so that the user sees all of them at once (collect inside
 * a stage, throw once at its boundary, as yaml's `doc.errors` and zod's issues do). Only
 * TrellisErrors are problems: any other exception is a bug or an I/O failure and passes through.
 */
export class ErrorCollector {
  readonly #errors: TrellisError[] = [];

  /** The problems so far, in the order they were found. */
  get errors(): readonly TrellisError[] {
    return this.#errors;
  }

  /** Keeps problems found without throwing. */
  add(...errors: TrellisError[]): void {
    this.#errors.push(...errors);
  }

  /**
   * Runs `fn` and returns its result; a TrellisError it throws is kept instead (through
   * `adjust`, which may add context with `derive`) and undefined is returned.
   */
  attempt<T>(fn: () => T, adjust?: (error: TrellisError) => TrellisError): T | undefined {
    try {
      return fn();
    } catch (error) {
      this.#keep(error, adjust);
      return undefined;
    }
  }

  /** `attempt` for an async step. */
  async attemptAsync<T>(fn: () => Promise<T>, adjust?: (error: TrellisError) => TrellisError): Promise<T | undefined> {
    try {
      return await fn();
    } catch (error) {
      this.#keep(error, adjust);
      return undefined;
    }
  }

  /**
   * Throws the first problem with the others added to its `related`, as a new error (the kept
   * ones stay as they were). `hint` is given to that error when it has none. Returns when there
   * is no problem.
   */
  throwIfAny(hint?: string): void {
    const [first, ...rest] = this.#errors;
    if (!first) return;
    if (!rest.length && (hint === undefined || first.hint !== undefined)) throw first;
    throw first.derive({ related: [...first.related, ...rest], hint: first.hint ?? hint });
  }

  #keep(error: unknown, adjust: ((error: TrellisError) => TrellisError) | undefined): void {
    if (!(error instanceof TrellisError)) throw error;
    this.#errors.push(adjust ? adjust(error) : error);
  }
}

/** A new collector, holding `found` when a stage has already listed some problems. */
export function collectErrors(found: Iterable<TrellisError> = []): ErrorCollector {
  const collector = new ErrorCollector();
  collector.add(...found);
  return collector;
}
