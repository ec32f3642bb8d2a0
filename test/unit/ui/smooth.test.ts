import { describe, expect, it } from 'vitest';
import { debiasedEma } from '../../../src/ui/smooth.js';

// Expected values worked out by hand from tensorboard's classicSmoothing:
// last = last·w + (1−w)·v; smoothed = last / (1 − w^n), n counting finite values only.
describe('debiasedEma (TensorBoard smoothing)', () => {
  it.each([
    { name: 'weight 0 is the series itself', values: [1, 5, 2], weight: 0, expected: [1, 5, 2] },
    // w=0.5: 0.5/0.5 = 1; 1.25/0.75 = 5/3; 2.125/0.875 = 17/7
    { name: 'weight 0.5, debiased from the first point', values: [1, 2, 3], weight: 0.5, expected: [1, 5 / 3, 17 / 7] },
    // w=0.9: 0.1·10/0.1 = 10; (0.9 + 0)/0.19 = 90/19
    { name: 'weight 0.9', values: [10, 0], weight: 0.9, expected: [10, 90 / 19] },
    { name: 'a constant series is returned as it is', values: [2, 2, 2], weight: 0.9, expected: [2, 2, 2] },
    // NaN passes through and does not count: the 3 is the second accumulated value (n=2).
    { name: 'NaN passes through, not accumulated', values: [1, Number.NaN, 3], weight: 0.5, expected: [1, Number.NaN, 7 / 3] },
    { name: 'weight 1 stays at 0 (no debiasing), as TensorBoard', values: [1, 2], weight: 1, expected: [0, 0] },
    { name: 'a weight above 1 is clamped to 1', values: [1, 2], weight: 3, expected: [0, 0] },
    { name: 'a weight that is not a number counts as 0', values: [1, 2], weight: Number.NaN, expected: [1, 2] },
    { name: 'an empty series', values: [], weight: 0.6, expected: [] },
  ])('$name', ({ values, weight, expected }) => {
    const out = Array.from(debiasedEma(values, weight));
    expect(out.length).toBe(expected.length);
    out.forEach((v, i) => (Number.isNaN(expected[i]) ? expect(v).toBeNaN() : expect(v).toBeCloseTo(expected[i]!, 12)));
  });
});
