import { TrellisError } from '../errors/index.js';
import { formatOverrideForJob, quoteString } from '../overrides/index.js';
import { createRng } from '../run/seeds.js';
import type { SweepInput } from './expand.js';
import { clampValue, explore, PBT_DEFAULTS, quantiles, sampleValue, type PbtParam, type PbtParams } from './pbt/explore.js';
import { dimensions, listIndex, listValue, type Dimension } from './random.js';
import type { PbtLineage } from './lineage.js';
import type { JobOutcome, Sweeper, TrialRecord } from './sweeper.js';

export interface PbtSweeperOptions {
  population: number;
  generations: number;
  /** Training steps per segment (Ray's `perturbation_interval`, counted in steps). */
  interval: number;
  seed: number;
  mode: 'min' | 'max';
  quantileFraction?: number | undefined;
  resampleProbability?: number | undefined;
  /** What sweep.json recorded for the segments proposed before (a resumed sweep), in job order. */
  history?: ReadonlyArray<{ params?: Record<string, unknown> | undefined; pbt?: PbtLineage | undefined } | undefined>;
}

/** How a slot of the sweep becomes a PBT parameter, and back. */
interface Slot {
  dim: Dimension;
  param?: PbtParam;
  text(x: number): string;
  external(x: number): string | number;
  internal(v: unknown): number | undefined;
}

function slotOf(d: Dimension): Slot {
  if (d.kind === 'fixed') return { dim: d, text: () => d.text, external: () => d.text, internal: () => undefined };
  if (d.kind === 'interval') {
    const int = d.int || (d.override.value?.kind === 'interval' && d.override.value.tags.includes('int'));
    const param: PbtParam = int
      ? { name: d.key, kind: 'int', low: Math.ceil(d.low), high: Math.floor(d.high), log: d.log }
      : { name: d.key, kind: 'float', low: d.low, high: d.high, log: d.log };
    return {
      dim: d,
      param,
      text: (x) => formatOverrideForJob(d.override, int ? { kind: 'int', value: BigInt(x) } : { kind: 'float', value: x }),
      external: (x) => x,
      internal: (v) => (typeof v === 'number' ? v : undefined),
    };
  }
  // A list (a,b,c, choice, range) is ordered: exploring moves to a neighbour, as Ray does with lists.
  return {
    dim: d,
    param: { name: d.key, kind: 'list', size: d.texts.length },
    text: (i) => d.texts.at(i),
    external: (i) => listValue(d, i),
    internal: (v) => listIndex(d, v),
  };
}

/** One proposed segment: member m trains steps [start, end) with `params`. */
interface Segment {
  num: number;
  params: PbtParams;
  lineage: PbtLineage;
  /** The run directory it restores from, relative to the sweep's working directory. */
  restoreDir: string | undefined;
}

function positiveInt(name: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new TrellisError('SWEEP_INVALID', `--${name} must be a positive whole number, got ${n}`);
}

/**
 * Population-based training (Ray Tune's PopulationBasedTraining, asynchronous). Each job is one
 * segment of one member: member m, generation g trains steps [g·K, (g+1)·K). When a member's
 * segment ends it is asked for its next one at once; if the member is in the bottom quantile of
 * the scores at that step (the members that got there so far), it takes the config (explored)
 * and the checkpoint of a top member that has a checkpoint, else it goes on from its own. Each decision draws from a generator seeded by (seed,
 * job number): the same outcomes give the same schedule, and a resumed sweep continues it.
 * Pure: what each finished job checkpointed arrives with its outcome.
 */
export function pbtSweeper(input: SweepInput, options: PbtSweeperOptions): Sweeper {
  positiveInt('population', options.population);
  positiveInt('generations', options.generations);
  positiveInt('perturbation-interval', options.interval);
  const fraction = options.quantileFraction ?? PBT_DEFAULTS.quantileFraction;
  const resample = options.resampleProbability ?? PBT_DEFAULTS.resampleProbability;
  if (!(fraction >= 0 && fraction <= 0.5)) throw new TrellisError('SWEEP_INVALID', `quantile_fraction must be between 0 and 0.5, got ${fraction}`);
  if (!(resample >= 0 && resample <= 1)) throw new TrellisError('SWEEP_INVALID', `resample_probability must be between 0 and 1, got ${resample}`);
  const slots = dimensions(input).map(slotOf);
  const space = slots.flatMap((s) => (s.param ? [s.param] : []));
  if (!space.length) {
    throw new TrellisError('SWEEP_INVALID', 'PBT needs at least one hyperparameter to explore', {
      hint: "sweep one: 'optimizer.lr=tag(log, interval(0.001, 0.1))', batch=32,64,128, or choice(…)",
    });
  }
  const { population, generations, interval } = options;
  const total = population * generations;
  const settings = { resampleProbability: resample, factors: PBT_DEFAULTS.factors };
  const sign = options.mode === 'max' ? 1 : -1;

  const externalOf = (params: PbtParams) =>
    Object.fromEntries(slots.flatMap((s) => (s.param && params[s.param.name] !== undefined ? [[s.param.name, s.external(params[s.param.name]!)]] : [])));
  const issued: Segment[] = (options.history ?? []).map((h, num) => {
    if (!h?.pbt) throw new TrellisError('SWEEP_INVALID', `Job #${num} of the sweep has no PBT lineage in sweep.json; cannot resume it as a PBT sweep`);
    const params = Object.create(null) as PbtParams;
    for (const s of slots) {
      const v = s.param && h.params && Object.hasOwn(h.params, s.param.name) ? s.internal(h.params[s.param.name]) : undefined;
      if (s.param && v !== undefined) params[s.param.name] = clampValue(s.param, v);
    }
    return { num, params, lineage: h.pbt, restoreDir: undefined };
  });
  const byText = new Map<string, Segment & { sampler: TrialRecord['sampler'] }>();

  const overridesOf = (seg: Segment): string[] => [
    ...slots.flatMap((s) => (!s.param ? [s.text(0)] : seg.params[s.param.name] === undefined ? [] : [s.text(seg.params[s.param.name]!)])),
    `+trellis.pbt.member=${seg.lineage.member}`,
    `+trellis.pbt.generation=${seg.lineage.generation}`,
    `+trellis.pbt.start=${seg.lineage.start}`,
    `+trellis.pbt.end=${seg.lineage.end}`,
    ...(seg.restoreDir === undefined ? [] : [`+trellis.pbt.restore=${quoteString(seg.restoreDir, "'")}`]),
  ];

  /** The next segment to run, or undefined when no member can go on now. */
  const next = (outcomes: ReadonlyMap<number, JobOutcome>): Segment | undefined => {
    const num = issued.length;
    const rng = createRng((options.seed >>> 0) + num * 2 ** 32);
    const latest: Array<Segment | undefined> = Array.from({ length: population }, () => undefined);
    for (const seg of issued) latest[seg.lineage.member] = seg;
    const unstarted = latest.findIndex((s) => s === undefined);
    if (unstarted >= 0) {
      const params = Object.create(null) as PbtParams;
      for (const p of space) params[p.name] = sampleValue(p, rng.float());
      return {
        num,
        params,
        restoreDir: undefined,
        lineage: { member: unstarted, generation: 0, start: 0, end: interval, parent: null, restore: null, by: 'init' },
      };
    }
    const ended = (seg: Segment | undefined) => {
      const o = seg && outcomes.get(seg.num);
      return o && (o.status === 'completed' || o.status === 'pruned') ? o : undefined;
    };
    const ready = latest
      .map((seg, member) => ({ seg: seg!, member }))
      .filter(({ seg }) => ended(seg) && seg.lineage.generation < generations - 1)
      .sort((a, b) => a.seg.lineage.generation - b.seg.lineage.generation || a.member - b.member);
    const chosen = ready[0];
    if (!chosen) return undefined;
    const { seg: last, member } = chosen;
    // Members are ranked by their scores at the same step as this one (their segment of the same
    // generation, ended), so a copied checkpoint is exactly at this member's step. Ray ranks the
    // last scores, whatever step each was at; members not yet there, or failed there, sit out.
    const generation = last.lineage.generation;
    const ranked = issued.flatMap((seg) => {
      const o = seg.lineage.generation === generation ? ended(seg) : undefined;
      if (!o || o.objective === undefined || !Number.isFinite(o.objective)) return [];
      return [{ member: seg.lineage.member, score: sign * o.objective, seg, checkpoint: o.checkpoint, dir: o.dir }];
    });
    const { bottom, top } = quantiles(ranked, fraction);
    const lineage: PbtLineage = {
      member,
      generation: last.lineage.generation + 1,
      start: last.lineage.end,
      end: last.lineage.end + interval,
      parent: last.num,
      restore: null,
      by: 'continue',
    };
    const own = ownCheckpoint(last, outcomes);
    if (bottom.some((b) => b.member === member)) {
      // Never from a member that has not checkpointed the state its score came from (ray #27170, #9036).
      const donors = top.filter((t) => t.checkpoint !== undefined && t.dir !== undefined);
      if (donors.length) {
        const donor = donors[Math.min(Math.floor(rng.float() * donors.length), donors.length - 1)]!;
        const params = explore(space, donor.seg.params, () => rng.float(), settings);
        const self = ranked.find((r) => r.member === member)!;
        lineage.restore = donor.seg.num;
        lineage.by = 'exploit';
        lineage.exploit = {
          donor: donor.member,
          donor_num: donor.seg.num,
          step: last.lineage.end,
          donor_step: donor.checkpoint!.step,
          score: sign * self.score,
          donor_score: sign * donor.score,
          old: externalOf(last.params),
          donor_params: externalOf(donor.seg.params),
          new: externalOf(params),
        };
        return { num, params, lineage, restoreDir: donor.dir };
      }
      lineage.note = 'in the bottom quantile, but no top member has a checkpoint: not exploited';
    }
    if (own) lineage.restore = own.num;
    else lineage.note ??= 'no checkpoint of this member yet: starts from scratch';
    return { num, params: last.params, lineage, restoreDir: own?.dir };
  };

  /** The newest checkpoint of a member's history: the segment's own, else the one it started from. */
  const ownCheckpoint = (seg: Segment, outcomes: ReadonlyMap<number, JobOutcome>): { num: number; dir: string } | undefined => {
    const o = outcomes.get(seg.num);
    if (o?.checkpoint && o.dir !== undefined) return { num: seg.num, dir: o.dir };
    const from = seg.lineage.restore === null ? undefined : outcomes.get(seg.lineage.restore);
    return from?.dir !== undefined && seg.lineage.restore !== null ? { num: seg.lineage.restore, dir: from.dir } : undefined;
  };

  return {
    strategy: 'pbt',
    total,
    adaptive: true,
    describe: () => ({
      seed: options.seed,
      trials: total,
      population,
      generations,
      perturbation_interval: interval,
      quantile_fraction: fraction,
      resample_probability: resample,
      perturbation_factors: [...settings.factors],
      space: slots.map(({ dim, param }) => (!param ? { key: dim.key, fixed: dim.kind === 'fixed' ? dim.text : '' } : { key: param.name, ...param })),
    }),
    ask(max, finished) {
      const outcomes = new Map(finished.map((o) => [o.num, o]));
      const batch: string[][] = [];
      while (batch.length < max && issued.length < total) {
        const seg = next(outcomes);
        if (!seg) break;
        issued.push(seg);
        const overrides = overridesOf(seg);
        const running = issued.filter((s) => s !== seg && !outcomes.has(s.num)).length;
        byText.set(JSON.stringify(overrides), { ...seg, sampler: { by: seg.lineage.by, finished: outcomes.size, running } });
        batch.push(overrides);
      }
      return batch;
    },
    trialOf(overrides) {
      const seg = byText.get(JSON.stringify(overrides));
      return seg && { params: externalOf(seg.params), sampler: seg.sampler, pbt: seg.lineage };
    },
  };
}
