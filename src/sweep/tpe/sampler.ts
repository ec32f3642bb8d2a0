import { buildFromColumns, logPdfParzen, sampleParzen, type ParzenSettings } from './parzen.js';
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
  const ordered = trials.every((t, i) => i === 0 || trials[i - 1]!.number < t.number) ? trials : [...trials].sort((a, b) => a.number - b.number);
  const complete = ordered.filter((t) => t.state === 'complete');
  const good = new Set<TpeTrial>(bestComplete(complete, Math.min(nBelow, complete.length)));
  const pruned = ordered.filter((t) => t.state === 'pruned').sort((a, b) => prunedKey(a, b));
  for (const t of pruned.slice(0, Math.max(0, nBelow - good.size))) good.add(t);
  const below: TpeTrial[] = [];
  const above: TpeTrial[] = [];
  for (const t of ordered) (good.has(t) ? below : above).push(t);
  return { below, above };
}

/** The k lowest values, ties to the earlier trial (a stable sort's first k), without sorting every trial. */
function bestComplete(complete: readonly TpeTrial[], k: number): TpeTrial[] {
  if (k === 0) return [];
  const values = Float64Array.from(complete, (t) => t.value!).sort();
  const threshold = values[k - 1]!;
  let ties = k - values.filter((v) => v < threshold).length;
  return complete.filter((t) => t.value! < threshold || (t.value === threshold && ties-- > 0));
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

/** The values of the trials that have every parameter of the group, one array per parameter. */
function columnsOf(group: readonly SpaceParam[], trials: readonly TpeTrial[]): { columns: number[][]; n: number } {
  const columns: number[][] = group.map(() => []);
  let n = 0;
  next: for (const t of trials) {
    for (const p of group) if (t.params[p.name] === undefined) continue next;
    for (let j = 0; j < group.length; j++) columns[j]!.push(t.params[group[j]!.name]!);
    n++;
  }
  return { columns, n };
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
  const lower = columnsOf(group, below);
  const upper = columnsOf(group, above);
  const good = buildFromColumns(lower.columns, lower.n, dists, settings);
  const bad = buildFromColumns(upper.columns, upper.n, dists, settings);
  const candidates = sampleParzen(good, uniform, settings.candidates);
  const l = logPdfParzen(good, candidates);
  const g = logPdfParzen(bad, candidates);
  let best = 0;
  for (let i = 1; i < candidates.length; i++) if (l[i]! - g[i]! > l[best]! - g[best]!) best = i;
  return Object.fromEntries(group.map((p, j) => [p.name, candidates[best]![j]!]));
}
