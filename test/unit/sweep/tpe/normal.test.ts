import { describe, expect, it } from 'vitest';
import { erf, erfc, logGaussMass, logNdtr, ndtr, ndtri, truncnormLogPdf, truncnormPpf } from '../../../../src/sweep/tpe/normal.js';

// Expected values from CPython's math.erf/erfc and statistics.NormalDist, and from Optuna 5.0's
// samplers/_tpe/_truncnorm.py (the reference implementation), printed to 17 digits.
describe('standard normal', () => {
  it.each([
    { name: 'erf(0.5)', f: () => erf(0.5), expected: 0.5204998778130465 },
    { name: 'erf(1)', f: () => erf(1), expected: 0.8427007929497149 },
    { name: 'erf(-2)', f: () => erf(-2), expected: -0.9953222650189527 },
    { name: 'erfc(3)', f: () => erfc(3), expected: 2.2090496998585438e-5 },
    { name: 'erfc(6)', f: () => erfc(6), expected: 2.1519736712498916e-17 },
    { name: 'erfc(10)', f: () => erfc(10), expected: 2.088487583762545e-45 },
    { name: 'ndtr(-10)', f: () => ndtr(-10), expected: 7.619853024160593e-24 },
    { name: 'logNdtr(-21) (series)', f: () => logNdtr(-21), expected: -224.46571583141449 },
    { name: 'logNdtr(-40) (series)', f: () => logNdtr(-40), expected: -804.6084420137538 },
    { name: 'logNdtr(7)', f: () => logNdtr(7), expected: -1.279812543885835e-12 },
    { name: 'ndtri(0.75)', f: () => ndtri(0.75), expected: 0.6744897501960817 },
    { name: 'ndtri(0.975)', f: () => ndtri(0.975), expected: 1.9599639845400536 },
    { name: 'ndtri(1e-10)', f: () => ndtri(1e-10), expected: -6.361340902404056 },
  ])('$name', ({ f, expected }) => {
    expect(f()).toBeCloseTo(expected, 12 - Math.max(0, Math.ceil(Math.log10(Math.abs(expected)))));
    expect(Math.abs(f() - expected) / Math.abs(expected)).toBeLessThan(1e-12);
  });

  // Above 3, Φ(x) = 1 − tail keeps too few digits of the tail for any inverse to recover x.
  it('ndtri inverts ndtr from the far left tail to 3', () => {
    for (let x = -8; x <= 3; x += 0.25) expect(ndtri(ndtr(x))).toBeCloseTo(x, 9);
  });
});

describe('truncated normal', () => {
  it.each([
    { name: 'far right tail [30, 31]', a: 30, b: 31, expected: -454.3212439563432 },
    { name: 'central [-1, 1]', a: -1, b: 1, expected: -0.38171514630212616 },
    { name: 'half line [0, inf)', a: 0, b: Infinity, expected: Math.log(0.5) },
    { name: 'far left tail [-50, -49]', a: -50, b: -49, expected: -1205.3111748916654 },
  ])('log mass on $name', ({ a, b, expected }) => {
    expect(Math.abs(logGaussMass(a, b) - expected) / Math.abs(expected)).toBeLessThan(1e-12);
  });

  it.each([
    { name: 'median of a symmetric window', q: 0.5, a: -1, b: 1, expected: 0 },
    { name: 'median of the half normal', q: 0.5, a: 0, b: Infinity, expected: 0.6744897501960817 },
    { name: 'low quantile, left window', q: 0.1, a: -2, b: 0.5, expected: -1.3430903195383765 },
    { name: 'high quantile, right window (mirrored)', q: 0.9, a: 1, b: 3, expected: 2.118167704585518 },
    { name: 'q = 0 is the lower bound', q: 0, a: -1, b: 2, expected: -1 },
    { name: 'q = 1 is the upper bound', q: 1, a: -1, b: 2, expected: 2 },
  ])('quantile: $name', ({ q, a, b, expected }) => {
    expect(truncnormPpf(q, a, b)).toBeCloseTo(expected, 10);
  });

  it('log density matches Optuna and is -inf outside the window', () => {
    // _truncnorm.logpdf(0.3, a=-1, b=2, loc=0.1, scale=0.5): the window is [-0.4, 1.1].
    expect(truncnormLogPdf(0.3, 0.1, 0.5, -0.4, 1.1)).toBeCloseTo(-0.1056250583202647, 12);
    expect(truncnormLogPdf(1.2, 0.1, 0.5, -0.4, 1.1)).toBe(-Infinity);
  });

  it('the density integrates to 1 over its window', () => {
    const [mu, sigma, low, high] = [0.8, 0.3, 0, 1];
    const n = 20000;
    let sum = 0;
    for (let i = 0; i < n; i++) sum += Math.exp(truncnormLogPdf(low + ((i + 0.5) * (high - low)) / n, mu, sigma, low, high));
    expect((sum * (high - low)) / n).toBeCloseTo(1, 6);
  });
});
