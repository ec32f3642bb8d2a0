/**
 * An error raised while evaluating a grammar function. It carries the Python exception class
 * Hydra would have raised, so messages read like Hydra's
 * ("ValueError while evaluating 'int(abc)': invalid literal for int() with base 10: 'abc'").
 * The parser turns it into a TrellisError; it never leaves this folder.
 */
export class FunctionError extends Error {
  constructor(
    readonly pyType: 'TypeError' | 'ValueError' | 'OverflowError' | 'AssertionError' | 'HydraException',
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}
