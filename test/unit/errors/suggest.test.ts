import { describe, expect, it } from 'vitest';
import { closest, didYouMean } from '../../../src/errors/suggest.js';

describe('closest: suggestions worth reading', () => {
  it.each([
    { name: 'a typo', given: 'optimzer', known: ['optimizer', 'model'], best: ['optimizer'] },
    { name: 'a case slip', given: 'Model', known: ['model', 'db'], best: ['model'] },
    { name: 'a prefix', given: 'opt', known: ['optimizer', 'model'], best: ['optimizer'] },
    { name: 'short names one edit apart', given: 'lt', known: ['lr', 'db'], best: ['lr'] },
    // As many edits as the name has letters: nothing in common.
    { name: 'a one-letter name', given: 'a', known: ['tag', 'b'], best: [] },
    { name: 'a two-letter name two edits away', given: 'xy', known: ['ab', 'lr'], best: [] },
    // A key that exists but cannot be used as asked (deleting a null) is no suggestion for itself.
    { name: 'the name itself', given: 'n', known: ['n', 'a', 'b'], best: [] },
  ])('$name', ({ given, known, best }) => {
    expect(closest(given, known)).toEqual(best);
  });

  it('phrases one or more', () => {
    expect(didYouMean('modle', ['model', 'mode'])).toBe("did you mean 'mode' or 'model'?");
    expect(didYouMean('zzz', ['model'])).toBeUndefined();
  });
});
