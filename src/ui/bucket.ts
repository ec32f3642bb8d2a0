/**
 * One metric's curve, as the UI draws it: per point (or per bucket) its x, the last value, the
 * smallest and largest value, and the smoothed value. Bucketing never drops an extreme: each
 * bucket keeps the min and max of its points, so a band drawn between them covers every point.
 */
export interface Curve {
  x: Float64Array;
  y: Float64Array;
  min: Float64Array;
  max: Float64Array;
  smooth: Float64Array;
  /** Points before bucketing. */
  points: number;
  bucketed: boolean;
}

/**
 * Points (x ascending, as a run logs them) into at most `buckets` equal-width x intervals when
 * there are more than two points per bucket; otherwise every point is kept. A bucket is placed
 * at its last point and takes that point's value and smoothed value, so a smoothed line drawn
 * through the buckets passes through the same values as the unbucketed one: smoothing is done
 * on every point first, never on buckets. Empty buckets are left out.
 */
export function bucketCurve(x: ArrayLike<number>, y: ArrayLike<number>, smooth: ArrayLike<number>, buckets: number): Curve {
  const n = x.length;
  if (buckets < 1 || n <= 2 * buckets) {
    const all = Float64Array.from(y);
    return {
      x: Float64Array.from(x),
      y: all,
      min: Float64Array.from(y),
      max: Float64Array.from(y),
      smooth: Float64Array.from(smooth),
      points: n,
      bucketed: false,
    };
  }
  const lo = x[0]!;
  const span = x[n - 1]! - lo;
  const out = { x: [] as number[], y: [] as number[], min: [] as number[], max: [] as number[], smooth: [] as number[] };
  let current = -1;
  for (let i = 0; i < n; i++) {
    const b = span > 0 ? Math.min(buckets - 1, Math.floor(((x[i]! - lo) / span) * buckets)) : 0;
    const v = y[i]!;
    if (b !== current) {
      current = b;
      out.x.push(x[i]!);
      out.y.push(v);
      out.min.push(Number.isNaN(v) ? Number.POSITIVE_INFINITY : v);
      out.max.push(Number.isNaN(v) ? Number.NEGATIVE_INFINITY : v);
      out.smooth.push(smooth[i]!);
      continue;
    }
    const k = out.x.length - 1;
    out.x[k] = x[i]!;
    out.y[k] = v;
    out.smooth[k] = smooth[i]!;
    // NaN is no extreme (as summary.json's min/max skip it).
    if (v < out.min[k]!) out.min[k] = v;
    if (v > out.max[k]!) out.max[k] = v;
  }
  // A bucket of NaN only has no extremes.
  for (let k = 0; k < out.min.length; k++) {
    if (out.min[k] === Number.POSITIVE_INFINITY && out.max[k] === Number.NEGATIVE_INFINITY) out.min[k] = out.max[k] = Number.NaN;
  }
  return {
    x: Float64Array.from(out.x),
    y: Float64Array.from(out.y),
    min: Float64Array.from(out.min),
    max: Float64Array.from(out.max),
    smooth: Float64Array.from(out.smooth),
    points: n,
    bucketed: true,
  };
}
