import { TrellisError } from '../errors/index.js';
import { formatKeyElement, formatOverrideForJob, type Override } from '../overrides/index.js';
import { createRng } from '../run/seeds.js';
import { dimensions, listIndex, listValue, type Dimension } from './random.js';
import type { SweepInput } from './expand.js';
import type { JobOutcome, Sweeper, TrialRecord } from './sweeper.js';
import { proposeTpe, TPE_DEFAULTS, type TpeSettings, type TpeTrial } from './tpe/sampler.js';
import type { Distribution, Params, SpaceParam } from './tpe/space.js';

export interface TpeSweeperOptions {
  trials: number;
  seed: number;
  mode: 'min' | 'max';
  startupTrials?: number | undefined;
  /** Optuna TPESampler arguments given in the config (n_ei_candidates, constant_liar …); the rest are its defaults. */
  tuning?: Partial<Pick<TpeSettings, 'candidates' | 'constantLiar' | 'priorWeight' | 'magicClip' | 'endpoints'>> | undefined;
  /**
   * Keys that exist only under some options of a swept config group, known from the group's
   * files before the search starts: key → the group's key and the option override texts
   * (`optimizer=sgd`) under which the key exists.
   */
  conditions?: ReadonlyMap<string, { parent: string; options: readonly string[] }>;
  /** The parameters recorded for the trials proposed before (a resumed sweep), in job order. */
  history?: ReadonlyArray<Record<string, unknown> | undefined>;
}

/** How a slot of the sweep becomes a TPE parameter, and back. */
interface Slot {
  dim: Dimension;
  param?: SpaceParam;
  /** The override text of an internal value. */
  text(x: number): string;
  /** The value sweep.json records. */
  external(x: number): string | number;
  /** The internal value of a recorded one, or undefined when it is not in the space. */
  internal(v: unknown): number | undefined;
}

function isInt(e: { kind: string }): e is { kind: 'int'; value: bigint } {
  return e.kind === 'int';
}

/** An int range (range(1, 9, 2)) is an ordered int dimension with a step; other lists are categorical. */
function intRange(o: Override): { low: number; high: number; step: number } | undefined {
  const v = o.value;
  if (v?.kind !== 'range' || !isInt(v.start) || !isInt(v.stop) || !isInt(v.step)) return undefined;
  const [start, stop, step] = [Number(v.start.value), Number(v.stop.value), Number(v.step.value)];
  const count = step > 0 ? Math.ceil((stop - start) / step) : 0;
  if (count < 2) return undefined;
  return { low: start, high: start + (count - 1) * step, step };
}

function slotOf(d: Dimension): Slot {
  if (d.kind === 'fixed') return { dim: d, text: () => d.text, external: () => d.text, internal: () => undefined };
  if (d.kind === 'interval') {
    // Hydra's Optuna sweeper: tag(int, interval(a, b)) is IntDistribution(int(a), int(b)), both included.
    const int = d.int || (d.override.value?.kind === 'interval' && d.override.value.tags.includes('int'));
    const dist: Distribution = int
      ? { kind: 'int', low: Math.trunc(d.low), high: Math.trunc(d.high), log: d.log, step: 1 }
      : { kind: 'float', low: d.low, high: d.high, log: d.log };
    return {
      dim: d,
      param: { name: d.key, dist },
      text: (x) => formatOverrideForJob(d.override, int ? { kind: 'int', value: BigInt(x) } : { kind: 'float', value: x }),
      external: (x) => x,
      internal: (v) => (typeof v === 'number' ? v : undefined),
    };
  }
  const range = intRange(d.override);
  if (range) {
    const element = formatKeyElement(d.override);
    return {
      dim: d,
      param: { name: d.key, dist: { kind: 'int', ...range, log: false } },
      text: (x) => `${element}=${x}`,
      external: (x) => x,
      internal: (v) => (typeof v === 'number' ? v : undefined),
    };
  }
  return {
    dim: d,
    param: { name: d.key, dist: { kind: 'categorical', size: d.texts.length } },
    text: (i) => d.texts.at(i),
    external: (i) => listValue(d, i),
    internal: (v) => listIndex(d, v),
  };
}

/** Attaches each conditional key to its parent's choice indices; a condition on a slot that is not a list is an error. */
function withConditions(slots: Slot[], conditions: TpeSweeperOptions['conditions']): void {
  if (!conditions) return;
  for (const slot of slots) {
    const c = slot.param && conditions.get(slot.param.name);
    if (!c || !slot.param) continue;
    const parent = slots.find((s) => s.param?.name === c.parent);
    if (parent?.dim.kind !== 'choice' || parent.param?.dist.kind !== 'categorical') {
      throw new TrellisError('SWEEP_INVALID', `'${slot.param.name}' depends on '${c.parent}', which is not a list of options in this sweep`);
    }
    const texts = parent.dim.texts;
    const options: number[] = [];
    for (let i = 0; i < texts.length; i++) if (c.options.includes(texts.at(i))) options.push(i);
    slot.param = { ...slot.param, condition: { parent: c.parent, options } };
  }
}

/**
 * TPE search (Optuna's TPESampler semantics: see src/sweep/tpe/). Proposes one trial at a time as
 * slots free; trials still running count as bad ones (constant liar), so parallel workers never
 * get the same configuration. Trial n draws from its own generator seeded by (seed, n): the same
 * seed and the same outcomes give the same trials, and a resumed sweep continues the sequence.
 */
export function tpeSweeper(input: SweepInput, options: TpeSweeperOptions): Sweeper {
  if (!Number.isInteger(options.trials) || options.trials < 1) {
    throw new TrellisError('SWEEP_INVALID', `--trials must be a positive whole number, got ${options.trials}`);
  }
  const slots = dimensions(input).map(slotOf);
  withConditions(slots, options.conditions);
  const space = slots.flatMap((s) => (s.param ? [s.param] : []));
  const settings: TpeSettings = { ...TPE_DEFAULTS, ...options.tuning, startupTrials: options.startupTrials ?? TPE_DEFAULTS.startupTrials };
  const sign = options.mode === 'max' ? -1 : 1;
  const issued: Params[] = (options.history ?? []).map((recorded) => {
    const params: Params = Object.create(null) as Params;
    for (const s of slots) {
      if (!s.param || !recorded || !Object.hasOwn(recorded, s.param.name)) continue;
      const x = s.internal(recorded[s.param.name]);
      if (x !== undefined) params[s.param.name] = x;
    }
    return params;
  });
  const byText = new Map<string, { params: Params; sampler: TrialRecord['sampler'] }>();
  const overridesOf = (params: Params) =>
    slots.flatMap((s) => (!s.param ? [s.text(0)] : params[s.param.name] === undefined ? [] : [s.text(params[s.param.name]!)]));
  const externalOf = (params: Params) =>
    Object.fromEntries(slots.flatMap((s) => (s.param && params[s.param.name] !== undefined ? [[s.param.name, s.external(params[s.param.name]!)]] : [])));

  const onlyUnder = (c: NonNullable<SpaceParam['condition']>) => {
    const parent = slots.find((s) => s.param?.name === c.parent)!;
    return { key: c.parent, options: c.options.map((i) => parent.external(i)) };
  };
  const trialsSoFar = (finished: readonly JobOutcome[]): TpeTrial[] => {
    const outcome = new Map(finished.map((o) => [o.num, o]));
    return issued.map((params, number) => {
      const o = outcome.get(number);
      const value = o?.objective === undefined || !Number.isFinite(o.objective) ? undefined : sign * o.objective;
      if (!o) return { number, params, state: 'running' };
      if (o.status === 'completed' && value !== undefined) return { number, params, state: 'complete', value };
      if (o.status === 'pruned') return { number, params, state: 'pruned', value, step: o.step };
      return { number, params, state: 'failed' };
    });
  };

  return {
    strategy: 'tpe',
    total: options.trials,
    adaptive: true,
    describe: () => ({
      seed: options.seed,
      trials: options.trials,
      sampler: {
        startup_trials: settings.startupTrials,
        candidates: settings.candidates,
        gamma: 'min(ceil(0.1 n), 25)',
        prior_weight: settings.priorWeight,
        magic_clip: settings.magicClip,
        endpoints: settings.endpoints,
        multivariate: true,
        constant_liar: settings.constantLiar,
      },
      space: slots.map(({ dim, param }) =>
        !param
          ? { key: dim.key, fixed: dim.kind === 'fixed' ? dim.text : '' }
          : { key: param.name, ...param.dist, ...(param.condition ? { only_under: onlyUnder(param.condition) } : {}) },
      ),
    }),
    ask(max, finished) {
      const history = trialsSoFar(finished);
      const batch: string[][] = [];
      while (batch.length < max && issued.length < options.trials) {
        const number = issued.length;
        const rng = createRng((options.seed >>> 0) + number * 2 ** 32);
        const params = proposeTpe(space, history, () => rng.float(), settings);
        const finishedCount = history.filter((t) => t.state === 'complete' || t.state === 'pruned').length;
        const running = history.filter((t) => t.state === 'running').length;
        issued.push(params);
        history.push({ number, params, state: 'running' });
        const overrides = overridesOf(params);
        byText.set(JSON.stringify(overrides), {
          params,
          sampler: { by: finishedCount < settings.startupTrials ? 'random' : 'tpe', finished: finishedCount, running },
        });
        batch.push(overrides);
      }
      return batch;
    },
    trialOf(overrides) {
      const proposed = byText.get(JSON.stringify(overrides));
      return proposed && { params: externalOf(proposed.params), sampler: proposed.sampler };
    },
  };
}
