import { describe, expect, it } from 'vitest';
import { bucketCurve } from '../../../src/ui/bucket.js';
import { debiasedEma } from '../../../src/ui/smooth.js';

const range = (n: number) => Array.from({ length: n }, (_, i) => i);

describe('bucketCurve', () => {
  it('keeps every point up to two points per bucket', () => {
    const c = bucketCurve([0, 1, 2, 3], [4, 3, 2, 1], [4, 3, 2, 1], 2);
    expect(c.bucketed).toBe(false);
    expect(Array.from(c.x)).toEqual([0, 1, 2, 3]);
    expect(Array.from(c.min)).toEqual([4, 3, 2, 1]);
  });

  it('buckets equal x intervals, each with the min, max and last value of its points', () => {
    // x 0..9 into 2 buckets: [0,5) and [5,9]
    const y = [5, 1, 9, 3, 4, 2, 8, 0, 7, 6];
    const c = bucketCurve(range(10), y, y, 2);
    expect(c.bucketed).toBe(true);
    expect(c.points).toBe(10);
    expect(Array.from(c.x)).toEqual([4, 9]);
    expect(Array.from(c.y)).toEqual([4, 6]);
    expect(Array.from(c.min)).toEqual([1, 0]);
    expect(Array.from(c.max)).toEqual([9, 8]);
  });

  it('never loses the extremes: min of mins and max of maxes are the series min and max', () => {
    const n = 100_000;
    const y = range(n).map((i) => Math.sin(i / 7) * 10 + (i === 31_337 ? 1000 : 0) - (i === 77_777 ? 500 : 0));
    const c = bucketCurve(range(n), y, y, 300);
    expect(c.x.length).toBeLessThanOrEqual(300);
    expect(Math.max(...c.max)).toBe(Math.max(...y));
    expect(Math.min(...c.min)).toBe(Math.min(...y));
  });

  it('smoothing is the same before and after bucketing: each bucket carries the smoothed value of its last point', () => {
    const y = range(1000).map((i) => (i % 2 ? 1 : -1) + i / 100);
    const smooth = debiasedEma(y, 0.8);
    const c = bucketCurve(range(1000), y, smooth, 50);
    for (let k = 0; k < c.x.length; k++) expect(c.smooth[k]).toBe(smooth[c.x[k]!]);
  });

  it('a bucket of NaN only has no extremes; NaN is skipped elsewhere', () => {
    const y = [Number.NaN, Number.NaN, Number.NaN, 1, Number.NaN, 3];
    const c = bucketCurve(range(6), y, y, 2);
    expect(Array.from(c.min)).toEqual([Number.NaN, 1]);
    expect(Array.from(c.max)).toEqual([Number.NaN, 3]);
  });
});
