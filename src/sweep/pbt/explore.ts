/**
 * The maths of population-based training, as Ray Tune's `PopulationBasedTraining` does it
 * (ray/tune/schedulers/pbt.py: `_quantiles`, `_explore`), with the declared range kept: pure, the
 * random numbers come from the caller.
 */

/** One mutable hyperparameter: a float or int interval (inclusive, maybe log-scaled), or an ordered list of `size` values. */
export type PbtParam =
  | { name: string; kind: 'float'; low: number; high: number; log: boolean }
  | { name: string; kind: 'int'; low: number; high: number; log: boolean }
  | { name: string; kind: 'list'; size: number };

/** name → value; a list's value is the index of its element. */
export type PbtParams = Record<string, number>;

export interface ExploreSettings {
  /** Ray's `resample_probability`: draw afresh instead of perturbing. */
  resampleProbability: number;
  /** Ray's `perturbation_factors`, picked uniformly. */
  factors: readonly number[];
}

export const PBT_DEFAULTS = { quantileFraction: 0.25, resampleProbability: 0.25, factors: [1.2, 0.8] } as const;

/** Keeps a value inside its declared range (Ray does not: ray #11936); an int stays an int. */
export function clampValue(p: PbtParam, x: number): number {
  if (p.kind === 'list') return Math.min(Math.max(Math.trunc(x), 0), p.size - 1);
  const v = Math.min(Math.max(x, p.low), p.high);
  return p.kind === 'int' ? Math.min(Math.max(Math.trunc(v), Math.ceil(p.low)), Math.floor(p.high)) : v;
}

/**
 * A fresh draw from the declared distribution, from one uniform number u in [0, 1): uniform or
 * log-uniform; an int interval includes both bounds (as Optuna's IntDistribution); a list picks an index.
 */
export function sampleValue(p: PbtParam, u: number): number {
  if (p.kind === 'list') return Math.min(Math.floor(u * p.size), p.size - 1);
  const [low, high] = p.kind === 'int' ? [p.low, p.high + 1] : [p.low, p.high];
  const x = p.log ? Math.exp(Math.log(low) + u * (Math.log(high) - Math.log(low))) : low + u * (high - low);
  return clampValue(p, p.kind === 'int' ? Math.floor(x) : x);
}

/**
 * Ray's explore step on every parameter, in order. Draws: u < resampleProbability resamples
 * (one more draw); otherwise one draw picks a factor (floor(u·n) of `factors`: 1.2 below 0.5) or,
 * for a list, the neighbour below (u < 0.5) or above. Ints are truncated as Ray's int() does;
 * every result is clamped to its range.
 */
export function explore(space: readonly PbtParam[], params: Readonly<PbtParams>, rng: () => number, settings: ExploreSettings): PbtParams {
  const out = Object.create(null) as PbtParams;
  for (const p of space) {
    const old = params[p.name];
    if (old === undefined) continue;
    if (rng() < settings.resampleProbability) {
      out[p.name] = sampleValue(p, rng());
      continue;
    }
    const u = rng();
    if (p.kind === 'list') out[p.name] = clampValue(p, old + (u < 0.5 ? -1 : 1));
    else out[p.name] = clampValue(p, old * settings.factors[Math.min(Math.floor(u * settings.factors.length), settings.factors.length - 1)]!);
  }
  return out;
}

/**
 * Ray's `_quantiles`: members sorted by score (higher is better; ties keep the given order), and
 * the bottom and top ceil(n · fraction) of them, at most half each. Fewer than two: none.
 */
export function quantiles<T extends { score: number }>(members: readonly T[], fraction: number): { bottom: T[]; top: T[] } {
  if (members.length <= 1) return { bottom: [], top: [] };
  const sorted = [...members].sort((a, b) => a.score - b.score);
  let n = Math.ceil(members.length * fraction);
  if (n > members.length / 2) n = Math.floor(members.length / 2);
  return { bottom: sorted.slice(0, n), top: n === 0 ? [] : sorted.slice(-n) };
}
