/** How many of n finished trials form the good ("below") set: min(ceil(0.1 n), 25) (Optuna's default_gamma). */
export function defaultGamma(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/**
 * Each observation's weight, oldest first: 1 for all while there are fewer than 25; beyond that
 * the newest 25 keep 1 and the older ones ramp linearly from 1/n up to 1 (Optuna's
 * default_weights, np.linspace(1/n, 1, n - 25)).
 */
export function defaultWeights(n: number): number[] {
  const weights = new Array<number>(n).fill(1);
  const m = n - 25;
  for (let i = 0; i < m; i++) weights[i] = m === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (m - 1);
  return weights;
}
