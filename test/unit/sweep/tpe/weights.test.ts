import { describe, expect, it } from 'vitest';
import { defaultGamma, defaultWeights } from '../../../../src/sweep/tpe/weights.js';

describe('good/bad split size: min(ceil(0.1 n), 25)', () => {
  it.each([
    [0, 0],
    [1, 1],
    [10, 1],
    [11, 2],
    [100, 10],
    [241, 25],
    [1000, 25],
  ])('n = %i → %i', (n, expected) => expect(defaultGamma(n)).toBe(expected));
});

describe('weights of old trials', () => {
  it.each([
    { name: 'none', n: 0, expected: [] },
    { name: 'all equal below 25', n: 3, expected: [1, 1, 1] },
    { name: '25 all equal', n: 25, expected: Array(25).fill(1) },
    // np.linspace(1/26, 1, 1) is [1/26].
    { name: 'one old trial gets 1/n', n: 26, expected: [1 / 26, ...Array(25).fill(1)] },
    // np.linspace(1/30, 1, 5).
    { name: 'a ramp from 1/n to 1 for the oldest', n: 30, expected: [1 / 30, 0.275, 0.5166666666666667, 0.7583333333333333, 1, ...Array(25).fill(1)] },
  ])('$name', ({ n, expected }) => {
    const w = defaultWeights(n);
    expect(w).toHaveLength(expected.length);
    w.forEach((v, i) => expect(v).toBeCloseTo(expected[i]!, 14));
  });
});
