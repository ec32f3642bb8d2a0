import { logGaussMass, truncnormPpf } from './normal.js';
import type { Distribution } from './space.js';

/** The estimator's settings; the defaults are Optuna's (TPESampler, 4.x and 5.0). */
export interface ParzenSettings {
  priorWeight: number;
  magicClip: boolean;
  endpoints: boolean;
  weights: (n: number) => number[];
}

/** One dimension's kernels: a truncated normal per observation plus the prior, in the working space (log for log scales). */
export interface NumericKernels {
  kind: 'numeric';
  mu: number[];
  sigma: number[];
  /** The bounds in the working space, widened by half a step for a stepped dimension. */
  low: number;
  high: number;
  log: boolean;
  /** 0 for a continuous dimension. */
  step: number;
  /** The value bounds, for rounding onto the step grid. */
  valueLow: number;
  valueHigh: number;
  /** log of each kernel's mass inside [low, high]. */
  logMass: number[];
}

/** One categorical dimension's kernels: a distribution over the choices per observation plus the prior. */
interface CategoricalKernels {
  kind: 'categorical';
  /** probs[k][c] */
  probs: number[][];
}

type Kernels = NumericKernels | CategoricalKernels;

/** A mixture of product kernels (multivariate TPE): kernel k weighs weights[k] in every dimension at once. */
export interface ParzenEstimator {
  weights: number[];
  dims: Kernels[];
}

const EPS = 1e-12;
const LOG_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

/**
 * The bandwidth of each observation: the larger distance to its sorted neighbours (the bounds
 * count as neighbours), then the outermost two take their inner distance unless `endpoints`,
 * then clipped to [range / min(100, 1 + kernels), range] when `magicClip` (Optuna's
 * _calculate_numerical_distributions).
 */
export function bandwidths(mus: readonly number[], low: number, high: number, settings: Pick<ParzenSettings, 'magicClip' | 'endpoints'>): number[] {
  const n = mus.length;
  // s = [low, sorted mus…, high]; a typed array sorts numbers without a comparator call per pair.
  const s = new Float64Array(n + 2);
  s.set(mus, 1);
  s[0] = -Infinity;
  s[n + 1] = Infinity;
  s.sort();
  s[0] = low;
  s[n + 1] = high;
  const sorted = new Float64Array(n);
  for (let j = 0; j < n; j++) sorted[j] = Math.max(s[j + 1]! - s[j]!, s[j + 2]! - s[j + 1]!);
  if (!settings.endpoints && n >= 2) {
    sorted[0] = s[2]! - s[1]!;
    sorted[n - 1] = s[n]! - s[n - 1]!;
  }
  const max = high - low;
  const min = settings.magicClip ? (high - low) / Math.min(100, 1 + n + 1) : EPS;
  // Each mu takes the bandwidth of its place in the sorted order; equal mus take consecutive
  // places in input order (a stable argsort). `lo` is the first place of a value, so it also
  // counts how many of its equals took a place already.
  const taken = new Int32Array(n + 2);
  const sigmas = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    const m = mus[i]!;
    let lo = 1;
    let hi = n + 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s[mid]! < m) lo = mid + 1;
      else hi = mid;
    }
    const j = lo - 1 + taken[lo]!++;
    sigmas[i] = Math.min(max, Math.max(min, sorted[j]!));
  }
  return sigmas;
}

function numericKernels(observations: readonly number[], dist: Extract<Distribution, { kind: 'float' | 'int' }>, settings: ParzenSettings): NumericKernels {
  const step = dist.kind === 'int' ? dist.step : 0;
  const t = dist.log ? Math.log : (x: number) => x;
  const low = t(dist.low - step / 2);
  const high = t(dist.high + step / 2);
  const n = observations.length;
  const mus = new Array<number>(n + 1);
  for (let i = 0; i < n; i++) mus[i] = t(observations[i]!);
  mus[n] = 0.5 * (low + high);
  const sigma = bandwidths(mus.slice(0, n), low, high, settings);
  sigma.push(high - low);
  const mass = (m: number, sg: number) => logGaussMass((low - m) / sg, (high - m) / sg);
  const logMass = step ? memo2(mass) : mass;
  return {
    kind: 'numeric',
    mu: mus,
    sigma,
    low,
    high,
    log: dist.log,
    step,
    valueLow: dist.low,
    valueHigh: dist.high,
    logMass: mus.map((m, k) => logMass(m, sigma[k]!)),
  };
}

/**
 * A two-argument function remembered by its arguments. Kernels of a stepped dimension repeat
 * few (mu, sigma) pairs (1,000 trials of an int in 1..8), so most masses are computed once
 * (Optuna's _unique_inverse_2d does the same).
 */
function memo2(f: (a: number, b: number) => number): (a: number, b: number) => number {
  const cache = new Map<number, Map<number, number>>();
  return (a, b) => {
    let inner = cache.get(a);
    if (!inner) cache.set(a, (inner = new Map()));
    let v = inner.get(b);
    if (v === undefined) inner.set(b, (v = f(a, b)));
    return v;
  };
}

function categoricalKernels(observations: readonly number[], size: number, settings: ParzenSettings): CategoricalKernels {
  if (observations.length === 0) return { kind: 'categorical', probs: [new Array<number>(size).fill(1 / size)] };
  const n = observations.length + 1;
  const base = settings.priorWeight / n;
  const total = base * size + 1;
  // Every observed row has the same shape: base everywhere, plus 1 at the observed choice.
  const rows = new Map<number, number[]>();
  const probs: number[][] = [];
  for (const c of observations) {
    let row = rows.get(c);
    if (!row) {
      row = new Array<number>(size).fill(base / total);
      row[c] = (base + 1) / total;
      rows.set(c, row);
    }
    probs.push(row);
  }
  probs.push(new Array<number>(size).fill(base === 0 ? 0 : 1 / size));
  return { kind: 'categorical', probs };
}

/**
 * Builds the estimator from observations (one row per trial, oldest first, one column per
 * dimension in internal form). Each observation weighs `settings.weights(n)`, the prior
 * `priorWeight`, normalised; with no observation the prior alone weighs 1.
 */
export function buildParzenEstimator(observations: readonly (readonly number[])[], dists: readonly Distribution[], settings: ParzenSettings): ParzenEstimator {
  return buildFromColumns(
    dists.map((_, j) => observations.map((row) => row[j]!)),
    observations.length,
    dists,
    settings,
  );
}

/** The same from one array per dimension (what the sampler has at hand). */
export function buildFromColumns(
  columns: readonly (readonly number[])[],
  n: number,
  dists: readonly Distribution[],
  settings: ParzenSettings,
): ParzenEstimator {
  const raw = n === 0 ? [1] : [...settings.weights(n).slice(0, n), settings.priorWeight];
  if (raw.some((w) => !(w >= 0) || !Number.isFinite(w))) throw new RangeError('TPE weights must be finite and non-negative');
  const total = raw.reduce((a, b) => a + b, 0);
  const weights = raw.map((w) => w / total);
  const dims = dists.map((dist, j): Kernels => {
    const column = columns[j]!;
    return dist.kind === 'categorical' ? categoricalKernels(column, dist.size, settings) : numericKernels(column, dist, settings);
  });
  return { weights, dims };
}

/** numpy's round: halves go to the even neighbour. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function pick(probs: readonly number[], u: number): number {
  let cumulative = 0;
  for (let i = 0; i < probs.length - 1; i++) {
    cumulative += probs[i]!;
    if (u <= cumulative) return i;
  }
  return probs.length - 1;
}

/** `size` draws from the mixture, each a row of internal values; `uniform` gives floats in [0, 1). */
export function sampleParzen(pe: ParzenEstimator, uniform: () => number, size: number): number[][] {
  const out: number[][] = [];
  for (let s = 0; s < size; s++) {
    const k = pick(pe.weights, uniform());
    out.push(
      pe.dims.map((d) => {
        if (d.kind === 'categorical') return pick(d.probs[k]!, uniform());
        const mu = d.mu[k]!;
        const sigma = d.sigma[k]!;
        const z = truncnormPpf(uniform(), (d.low - mu) / sigma, (d.high - mu) / sigma);
        let x = Math.min(d.high, Math.max(d.low, mu + sigma * z));
        if (d.log) x = Math.exp(x);
        if (d.step) x = Math.min(d.valueHigh, Math.max(d.valueLow, d.valueLow + roundHalfEven((x - d.valueLow) / d.step) * d.step));
        return x;
      }),
    );
  }
  return out;
}

/** log density of each row under the mixture (a mass per bin for stepped dimensions). */
export function logPdfParzen(pe: ParzenEstimator, rows: readonly (readonly number[])[]): number[] {
  const K = pe.weights.length;
  const logW = Float64Array.from(pe.weights, (w) => Math.log(w));
  // One function per dimension that adds a value's log density under every kernel to `acc`.
  const adders = pe.dims.map((d): ((v: number, acc: Float64Array) => void) => {
    if (d.kind === 'categorical') {
      // Kernels share their rows (one per observed choice): take each row's logs once, and
      // lay out one choice's logs over all kernels when a candidate first has that choice.
      const logRows = new Map<number[], number[]>();
      const logProbs = d.probs.map((row) => {
        let logs = logRows.get(row);
        if (!logs) logRows.set(row, (logs = row.map((p) => Math.log(p))));
        return logs;
      });
      const byChoice = new Map<number, Float64Array>();
      return (v, acc) => {
        let logs = byChoice.get(v);
        if (!logs) byChoice.set(v, (logs = Float64Array.from(logProbs, (row) => row[v]!)));
        for (let k = 0; k < K; k++) acc[k]! += logs[k]!;
      };
    }
    const mu = Float64Array.from(d.mu);
    const sigma = Float64Array.from(d.sigma);
    if (d.step === 0) {
      const norm = Float64Array.from(d.logMass, (m, k) => m + LOG_SQRT_2PI + Math.log(sigma[k]!));
      return (v, acc) => {
        const t = d.log ? Math.log(v) : v;
        for (let k = 0; k < K; k++) {
          const z = (t - mu[k]!) / sigma[k]!;
          acc[k]! -= 0.5 * z * z + norm[k]!;
        }
      };
    }
    // A stepped dimension has few distinct values among the candidates: one mass per value and kernel.
    const cache = new Map<number, Float64Array>();
    return (v, acc) => {
      let masses = cache.get(v);
      if (!masses) {
        const left = d.log ? Math.log(v - d.step / 2) : v - d.step / 2;
        const right = d.log ? Math.log(v + d.step / 2) : v + d.step / 2;
        const mass = memo2((m, sg) => logGaussMass((left - m) / sg, (right - m) / sg));
        masses = new Float64Array(K);
        for (let k = 0; k < K; k++) masses[k] = mass(mu[k]!, sigma[k]!) - d.logMass[k]!;
        cache.set(v, masses);
      }
      for (let k = 0; k < K; k++) acc[k]! += masses[k]!;
    };
  });
  const acc = new Float64Array(K);
  return rows.map((x) => {
    acc.set(logW);
    for (let j = 0; j < adders.length; j++) adders[j]!(x[j]!, acc);
    let max = -Infinity;
    for (let k = 0; k < K; k++) if (acc[k]! > max) max = acc[k]!;
    if (max === -Infinity) return -Infinity;
    // Kernels more than e^-40 below the largest add nothing a double can hold: skip their exp.
    let sum = 0;
    for (let k = 0; k < K; k++) if (acc[k]! - max > -40) sum += Math.exp(acc[k]! - max);
    return Math.log(sum) + max;
  });
}
