import { describe, expect, it } from 'vitest';
import { bandwidths, buildParzenEstimator, logPdfParzen, sampleParzen, type NumericKernels } from '../../../../src/sweep/tpe/parzen.js';
import type { Distribution } from '../../../../src/sweep/tpe/space.js';
import { defaultWeights } from '../../../../src/sweep/tpe/weights.js';

const settings = { priorWeight: 1, magicClip: true, endpoints: false, weights: defaultWeights };

describe('bandwidths', () => {
  it.each([
    // Neighbours with the bounds: 0 | 0.2 0.5 0.9 | 1 → max gaps 0.3, 0.4, 0.4; the outer two take
    // their inner gap (0.3, 0.4); clip floor 1 / min(100, 1 + 4 kernels) = 0.2.
    { name: 'three points', mus: [0.2, 0.5, 0.9], expected: [0.3, 0.4, 0.4] },
    { name: 'in input order', mus: [0.9, 0.2, 0.5], expected: [0.4, 0.3, 0.4] },
    // One point: no inner gaps to use; max(0.3, 0.7) = 0.7, floor 1/3.
    { name: 'one point', mus: [0.3], expected: [0.7] },
    // Two close points: inner gap 0.01 each, raised to the magic-clip floor 1/4.
    { name: 'magic clip raises close points', mus: [0.5, 0.51], expected: [0.25, 0.25] },
  ])('$name', ({ mus, expected }) => {
    bandwidths(mus, 0, 1, settings).forEach((s, i) => expect(s).toBeCloseTo(expected[i]!, 12));
  });

  it('without magic clip a duplicate point keeps a tiny bandwidth', () => {
    expect(bandwidths([0.5, 0.5, 0.5], 0, 1, { magicClip: false, endpoints: false })[1]).toBeLessThan(1e-9);
  });

  it('equal points take their sorted places in input order', () => {
    // Sorted with the bounds: 0 | 0.5 2 2 2 3.5 | 4. The three 2s have gaps (1.5, 0), (0, 0), (0, 1.5):
    // the first and the last 2 get 1.5, the middle one nothing, raised to the floor 4 / min(100, 1 + 6) = 4/7.
    // The middle 2 in sorted order is the second 2 in input order (index 2), as a stable argsort places it.
    const sigmas = bandwidths([2, 0.5, 2, 3.5, 2], 0, 4, settings);
    [1.5, 1.5, 4 / 7, 1.5, 1.5].forEach((expected, i) => expect(sigmas[i]).toBeCloseTo(expected, 12));
    // Equal points further apart in the input, around a distinct one.
    const spread = bandwidths([1, 3, 1, 1], 0, 4, { magicClip: false, endpoints: true });
    // 0 | 1 1 1 3 | 4: gaps (1, 0), (0, 0), (0, 2), (2, 1) → 1, 0, 2, 2 in sorted order.
    expect(spread[0]).toBeCloseTo(1, 12);
    expect(spread[2]).toBeLessThan(1e-9);
    expect(spread[3]).toBeCloseTo(2, 12);
    expect(spread[1]).toBeCloseTo(2, 12);
  });
});

// Reference: Optuna 5.0's _ParzenEstimator on the same observations (x, n, c, l) = (0.2, 1, a, 0.01),
// (0.5, 3, c, 0.1), (0.9, 3, c, 0.5), with its default parameters.
describe('estimator against Optuna', () => {
  const dists: Distribution[] = [
    { kind: 'float', low: 0, high: 1, log: false },
    { kind: 'int', low: 1, high: 5, log: false, step: 1 },
    { kind: 'categorical', size: 3 },
    { kind: 'float', low: 1e-3, high: 1, log: true },
  ];
  const pe = buildParzenEstimator(
    [
      [0.2, 1, 0, 0.01],
      [0.5, 3, 2, 0.1],
      [0.9, 3, 2, 0.5],
    ],
    dists,
    settings,
  );

  it('weights: observations and the prior alike', () => expect(pe.weights).toEqual([0.25, 0.25, 0.25, 0.25]));

  it('kernels', () => {
    const [x, n, c, l] = pe.dims as [NumericKernels, NumericKernels, { probs: number[][] }, NumericKernels];
    expect(x.mu).toEqual([0.2, 0.5, 0.9, 0.5]);
    x.sigma.forEach((s, i) => expect(s).toBeCloseTo([0.3, 0.4, 0.4, 1][i]!, 12));
    expect(n.mu).toEqual([1, 3, 3, 3]);
    n.sigma.forEach((s, i) => expect(s).toBeCloseTo([2, 2, 1, 5][i]!, 12));
    const [hi, lo] = [5 / 7, 1 / 7];
    expect(c.probs.flat().map((p) => Number(p.toFixed(12)))).toEqual(
      [hi, lo, lo, lo, lo, hi, lo, lo, hi, 1 / 3, 1 / 3, 1 / 3].map((p) => Number(p.toFixed(12))),
    );
    l.mu.forEach((m, i) => expect(m).toBeCloseTo([Math.log(0.01), Math.log(0.1), Math.log(0.5), Math.log(1e-3) / 2][i]!, 12));
    l.sigma.forEach((s, i) => expect(s).toBeCloseTo([Math.log(10), Math.log(10), Math.log(5), -Math.log(1e-3)][i]!, 12));
  });

  it('log density', () => {
    const [a, b] = logPdfParzen(pe, [
      [0.3, 3, 2, 0.05],
      [0.95, 5, 1, 0.9],
    ]);
    expect(a).toBeCloseTo(-3.915638611451821, 10);
    expect(b).toBeCloseTo(-5.571359007665026, 10);
  });
});

describe('densities are normalised', () => {
  it('a stepped int dimension: masses of its values sum to 1', () => {
    const pe = buildParzenEstimator([[2], [6], [6]], [{ kind: 'int', low: 0, high: 8, log: false, step: 2 }], settings);
    const total = logPdfParzen(pe, [[0], [2], [4], [6], [8]]).reduce((s, lp) => s + Math.exp(lp), 0);
    expect(total).toBeCloseTo(1, 12);
  });

  it('a log-scaled int: masses sum to 1', () => {
    const pe = buildParzenEstimator([[3], [40]], [{ kind: 'int', low: 1, high: 64, log: true, step: 1 }], settings);
    const values = Array.from({ length: 64 }, (_, i) => [i + 1]);
    expect(logPdfParzen(pe, values).reduce((s, lp) => s + Math.exp(lp), 0)).toBeCloseTo(1, 10);
  });

  it('a float: the density integrates to 1', () => {
    const pe = buildParzenEstimator([[0.1], [0.15], [0.8]], [{ kind: 'float', low: 0, high: 1, log: false }], settings);
    const n = 20000;
    const rows = Array.from({ length: n }, (_, i) => [(i + 0.5) / n]);
    expect(logPdfParzen(pe, rows).reduce((s, lp) => s + Math.exp(lp), 0) / n).toBeCloseTo(1, 6);
  });
});

describe('sampling', () => {
  it('stepped draws land on the grid inside the bounds; categorical draws are indices', () => {
    const pe = buildParzenEstimator(
      [
        [3, 0],
        [9, 1],
      ],
      [
        { kind: 'int', low: 1, high: 9, log: false, step: 2 },
        { kind: 'categorical', size: 2 },
      ],
      settings,
    );
    let seed = 1;
    const uniform = () => ((seed = (seed * 16807) % 2147483647) - 1) / 2147483646;
    for (const [n, c] of sampleParzen(pe, uniform, 500)) {
      expect([1, 3, 5, 7, 9]).toContain(n);
      expect([0, 1]).toContain(c);
    }
  });
});
