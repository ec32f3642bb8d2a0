import { buildParzenEstimator, logPdfParzen, sampleParzen, type ParzenSettings } from './parzen.js';
import { isActive, type Distribution, type Params, type SpaceParam } from './space.js';
import { defaultGamma, defaultWeights } from './weights.js';

/** A trial as TPE sees it. Values are to be minimised (a `max` sweep negates them first). */
export interface TpeTrial {
  number: number;
  params: Readonly<Params>;
  state: 'complete' | 'pruned' | 'running' | 'failed';
  /** complete: the objective; pruned: the last intermediate value. */
  value?: number | undefined;
  /** pruned: the step it stopped at. */
  step?: number | undefined;
}

export interface TpeSettings extends ParzenSettings {
  /** Trials drawn at random before the model is used (Optuna: 10). */
  startupTrials: number;
  /** Candidates drawn from the good model per proposal (Optuna: 24). */
  candidates: number;
  gamma: (n: number) => number;
  /** Running trials count as bad ones, so parallel workers are pushed apart (Optuna 5's default). */
  constantLiar: boolean;
}

export const TPE_DEFAULTS: TpeSettings = {
  startupTrials: 10,
  candidates: 24,
  gamma: defaultGamma,
  constantLiar: true,
  priorWeight: 1,
  magicClip: true,
  endpoints: false,
  weights: defaultWeights,
};

/**
 * Splits trials into the good ("below") and the rest, as Optuna's _split_trials: the best
 * `nBelow` complete trials, then if room is left the pruned ones that got furthest (ties: the
 * better last value), and running trials always among the rest. Both come back in trial order.
 */
export function splitTrials(trials: readonly TpeTrial[], nBelow: number): { below: TpeTrial[]; above: TpeTrial[] } {
  const complete = trials.filter((t) => t.state === 'complete').sort((a, b) => a.value! - b.value! || a.number - b.number);
  const pruned = trials.filter((t) => t.state === 'pruned').sort((a, b) => prunedKey(a, b));
  const running = trials.filter((t) => t.state === 'running');
  const k1 = Math.min(nBelow, complete.length);
  const k2 = Math.min(Math.max(0, nBelow - k1), pruned.length);
  const byNumber = (a: TpeTrial, b: TpeTrial) => a.number - b.number;
  return {
    below: [...complete.slice(0, k1), ...pruned.slice(0, k2)].sort(byNumber),
    above: [...complete.slice(k1), ...pruned.slice(k2), ...running].sort(byNumber),
  };
}

/** Optuna's _get_pruned_trial_score: further first, then the better value; NaN last; no report ranks as step -1. */
function prunedKey(a: TpeTrial, b: TpeTrial): number {
  const key = (t: TpeTrial): [number, number] =>
    t.step === undefined ? [1, 0] : [-t.step, t.value === undefined || Number.isNaN(t.value) ? Infinity : t.value];
  const [sa, va] = key(a);
  const [sb, vb] = key(b);
  return sa - sb || va - vb || a.number - b.number;
}

/** A uniform draw from a distribution (Optuna's RandomSampler: log-uniform on log scales, ints over their grid). */
export function sampleUniform(dist: Distribution, uniform: () => number): number {
  if (dist.kind === 'categorical') return Math.min(dist.size - 1, Math.floor(uniform() * dist.size));
  if (dist.kind === 'float') {
    if (!dist.log) return Math.min(dist.high, dist.low + uniform() * (dist.high - dist.low));
    return Math.min(dist.high, Math.max(dist.low, Math.exp(Math.log(dist.low) + uniform() * (Math.log(dist.high) - Math.log(dist.low)))));
  }
  if (dist.log) {
    const lo = Math.log(dist.low - 0.5);
    const hi = Math.log(dist.high + 0.5);
    const x = Math.exp(lo + uniform() * (hi - lo));
    return Math.min(dist.high, Math.max(dist.low, dist.low + Math.round((x - dist.low) / dist.step) * dist.step));
  }
  const count = Math.floor((dist.high - dist.low) / dist.step) + 1;
  return dist.low + Math.min(count - 1, Math.floor(uniform() * count)) * dist.step;
}

/**
 * The parameters of the next trial: random until `startupTrials` trials have finished (complete
 * or pruned), then TPE. The space is sampled in layers: the parameters present in every trial
 * together (one multivariate model), then, once a categorical is chosen, the parameters that
 * exist under its choice, modelled only from the trials that had that choice. No parameter of
 * an option not chosen is ever proposed, and none falls back to random sampling.
 */
export function proposeTpe(space: readonly SpaceParam[], history: readonly TpeTrial[], uniform: () => number, settings: TpeSettings = TPE_DEFAULTS): Params {
  const running = history.filter((t) => t.state === 'running');
  const taken = (params: Params) => running.some((t) => sameParams(t.params, params));
  // The liar makes a running trial's neighbourhood unattractive, but in a small discrete space
  // the best candidate can still be the very point a worker is running: draw again, then fall
  // back to uniform draws, so that parallel workers never run the same configuration (unless
  // every point of the space is running).
  let params = proposeOnce(space, history, uniform, settings);
  for (let attempt = 0; attempt < TPE_REDRAWS && taken(params); attempt++) params = proposeOnce(space, history, uniform, settings);
  for (let attempt = 0; attempt < UNIFORM_REDRAWS && taken(params); attempt++) params = proposeOnce(space, [], uniform, settings);
  return params;
}

const TPE_REDRAWS = 4;
const UNIFORM_REDRAWS = 64;

function sameParams(a: Readonly<Params>, b: Readonly<Params>): boolean {
  const keys = Object.keys(a);
  return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
}

function proposeOnce(space: readonly SpaceParam[], history: readonly TpeTrial[], uniform: () => number, settings: TpeSettings): Params {
  const finished = history.filter((t) => t.state === 'complete' || t.state === 'pruned');
  const params: Params = Object.create(null) as Params;
  const layers = () => space.filter((p) => !(p.name in params) && isActive(p, params));
  if (finished.length < settings.startupTrials) {
    for (let layer = layers(); layer.length; layer = layers()) for (const p of layer) params[p.name] = sampleUniform(p.dist, uniform);
    return params;
  }
  const considered = settings.constantLiar ? history.filter((t) => t.state !== 'failed') : finished;
  const { below, above } = splitTrials(considered, settings.gamma(finished.length));
  for (let layer = layers(); layer.length; layer = layers()) Object.assign(params, proposeGroup(layer, below, above, uniform, settings));
  return params;
}

function observationsOf(group: readonly SpaceParam[], trials: readonly TpeTrial[]): number[][] {
  return trials.filter((t) => group.every((p) => t.params[p.name] !== undefined)).map((t) => group.map((p) => t.params[p.name]!));
}

/** One multivariate TPE step: candidates from the good model, the one with the best l(x)/g(x) wins. */
function proposeGroup(
  group: readonly SpaceParam[],
  below: readonly TpeTrial[],
  above: readonly TpeTrial[],
  uniform: () => number,
  settings: TpeSettings,
): Params {
  const dists = group.map((p) => p.dist);
  const good = buildParzenEstimator(observationsOf(group, below), dists, settings);
  const bad = buildParzenEstimator(observationsOf(group, above), dists, settings);
  const candidates = sampleParzen(good, uniform, settings.candidates);
  const l = logPdfParzen(good, candidates);
  const g = logPdfParzen(bad, candidates);
  let best = 0;
  for (let i = 1; i < candidates.length; i++) if (l[i]! - g[i]! > l[best]! - g[best]!) best = i;
  return Object.fromEntries(group.map((p, j) => [p.name, candidates[best]![j]!]));
}
