/**
 * TensorBoard's scalar smoothing: an exponential moving average with its start-up bias removed
 * (tensorboard's `classicSmoothing`). The weight is clamped to [0, 1] (not a number counts as 0);
 * a constant series is returned as it is; NaN and ±Infinity pass through and do not enter the
 * average. Debiasing divides by 1 − weight^n, so the first points are not pulled towards 0.
 */
export function debiasedEma(values: ArrayLike<number>, weight: number): Float64Array {
  const w = Number.isFinite(weight) ? Math.max(0, Math.min(weight, 1)) : 0;
  const out = new Float64Array(values.length);
  const first = values[0];
  let constant = true;
  for (let i = 1; i < values.length && constant; i++) constant = values[i] === first;
  if (constant) {
    out.set(Array.from(values));
    return out;
  }
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    n++;
    out[i] = w === 1 ? last : last / (1 - w ** n);
  }
  return out;
}
