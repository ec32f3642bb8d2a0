import { TrellisError } from '../../src/errors/index.js';

/** The TrellisError that `fn` throws; anything else (or nothing) fails the test. */
export function errorOf(fn: () => unknown): TrellisError {
  try {
    fn();
  } catch (e) {
    if (e instanceof TrellisError) return e;
    throw e;
  }
  throw new Error('expected a TrellisError');
}
