import { describe, expect, it } from 'vitest';
import { createRng } from '../../../src/run/seeds.js';
import { clampValue, explore, PBT_DEFAULTS, quantiles, sampleValue, type PbtParam } from '../../../src/sweep/pbt/explore.js';
import { pbtSweeper } from '../../../src/sweep/pbt-sweeper.js';
import type { PbtLineage } from '../../../src/sweep/lineage.js';
import type { JobOutcome } from '../../../src/sweep/sweeper.js';

// Expected values are worked out by hand from Ray Tune's rules (ray/tune/schedulers/pbt.py:
// `_quantiles`, `_explore`) with the random numbers scripted; clamping is ours.

/** A scripted generator: the draws in order, and a failure when more are asked for. */
function draws(...values: number[]): () => number {
  let i = 0;
  return () => {
    if (i >= values.length) throw new Error(`draw #${i} was not scripted`);
    return values[i++]!;
  };
}

const settings = { resampleProbability: 0.25, factors: [1.2, 0.8] };
const lr: PbtParam = { name: 'lr', kind: 'float', low: 0.001, high: 1, log: false };
const logLr: PbtParam = { ...lr, log: true };
const batch: PbtParam = { name: 'batch', kind: 'int', low: 1, high: 8, log: false };
const opt: PbtParam = { name: 'opt', kind: 'list', size: 3 };
const one = (p: PbtParam, value: number, ...u: number[]) => explore([p], { [p.name]: value }, draws(...u), settings)[p.name];

describe('quantiles (Ray _quantiles)', () => {
  const members = (...scores: number[]) => scores.map((score, member) => ({ member, score }));
  const ids = (q: { bottom: Array<{ member: number }>; top: Array<{ member: number }> }) => ({
    bottom: q.bottom.map((m) => m.member),
    top: q.top.map((m) => m.member),
  });
  it.each([
    { name: '4 members: ceil(4 · 0.25) = 1 each end', scores: [3, 1, 4, 2], fraction: 0.25, bottom: [1], top: [2] },
    { name: '5 members: ceil(1.25) = 2', scores: [5, 1, 4, 2, 3], fraction: 0.25, bottom: [1, 3], top: [2, 0] },
    { name: '3 members at 0.5: ceil(1.5) = 2 > 1.5, so floor(1.5) = 1', scores: [1, 2, 3], fraction: 0.5, bottom: [0], top: [2] },
    { name: '2 members: one each', scores: [2, 1], fraction: 0.25, bottom: [1], top: [0] },
    { name: 'one member: none', scores: [1], fraction: 0.25, bottom: [], top: [] },
    { name: 'fraction 0: none', scores: [1, 2, 3, 4], fraction: 0, bottom: [], top: [] },
    { name: 'ties keep the given order (a stable sort)', scores: [1, 1, 0, 2], fraction: 0.25, bottom: [2], top: [3] },
  ])('$name', ({ scores, fraction, bottom, top }) => {
    expect(ids(quantiles(members(...scores), fraction))).toEqual({ bottom, top });
  });
});

describe('explore (Ray _explore), kept in range', () => {
  it.each([
    { name: 'float ×1.2 (second draw below 0.5)', p: lr, value: 0.1, u: [0.9, 0.3], expected: 0.12 },
    { name: 'float ×0.8', p: lr, value: 0.1, u: [0.9, 0.7], expected: 0.08 },
    { name: 'p = 0.25 exactly perturbs (Ray: random() < p)', p: lr, value: 0.1, u: [0.25, 0.7], expected: 0.08 },
    { name: 'resample, uniform: 0.001 + 0.5 · 0.999', p: lr, value: 0.1, u: [0.1, 0.5], expected: 0.5005 },
    { name: 'resample, log-uniform: exp(ln 0.001 / 2)', p: logLr, value: 0.1, u: [0.1, 0.5], expected: Math.sqrt(0.001) },
    { name: 'clamped above: 0.9 · 1.2 = 1.08 → 1', p: lr, value: 0.9, u: [0.9, 0.3], expected: 1 },
    { name: 'clamped below: 0.001 · 0.8 → 0.001', p: logLr, value: 0.001, u: [0.9, 0.7], expected: 0.001 },
    { name: 'int ×1.2: 5 → 6', p: batch, value: 5, u: [0.9, 0.3], expected: 6 },
    { name: 'int ×0.8: 5 → 4', p: batch, value: 5, u: [0.9, 0.7], expected: 4 },
    { name: 'int truncated as Ray int(): 7 · 1.2 = 8.4 → 8', p: batch, value: 7, u: [0.9, 0.3], expected: 8 },
    { name: 'int clamped: 8 · 1.2 = 9.6 → 8', p: batch, value: 8, u: [0.9, 0.3], expected: 8 },
    { name: 'int clamped: 1 · 0.8 → 0 → 1', p: batch, value: 1, u: [0.9, 0.7], expected: 1 },
    { name: 'int resample includes the upper bound', p: batch, value: 3, u: [0.1, 0.999], expected: 8 },
    { name: 'int resample at u = 0 is the lower bound', p: batch, value: 3, u: [0.1, 0], expected: 1 },
    { name: 'list: the element below (u < 0.5)', p: opt, value: 1, u: [0.9, 0.2], expected: 0 },
    { name: 'list: the element above', p: opt, value: 1, u: [0.9, 0.7], expected: 2 },
    { name: 'list: below the first stays first', p: opt, value: 0, u: [0.9, 0.2], expected: 0 },
    { name: 'list: above the last stays last', p: opt, value: 2, u: [0.9, 0.7], expected: 2 },
    { name: 'list: resample picks floor(u · size)', p: opt, value: 0, u: [0.1, 0.7], expected: 2 },
  ])('$name', ({ p, value, u, expected }) => {
    expect(one(p, value, ...u)).toBeCloseTo(expected, 12);
  });

  it('draws for every parameter in order, and leaves the input alone', () => {
    const params = { lr: 0.1, opt: 0 };
    expect({ ...explore([lr, opt], params, draws(0.9, 0.3, 0.1, 0.4), settings) }).toEqual({ lr: 0.12, opt: 1 });
    expect(params).toEqual({ lr: 0.1, opt: 0 });
  });

  it('with a seeded generator, about a quarter of the values are resampled and the rest are ×1.2 or ×0.8, never out of range', () => {
    const rng = createRng(42);
    const counts = { resampled: 0, up: 0, down: 0 };
    const n = 20_000;
    for (let i = 0; i < n; i++) {
      const x = explore([lr], { lr: 0.5 }, () => rng.float(), { ...settings, factors: PBT_DEFAULTS.factors }).lr!;
      expect(x).toBeGreaterThanOrEqual(0.001);
      expect(x).toBeLessThanOrEqual(1);
      if (x === 0.5 * 1.2) counts.up++;
      else if (x === 0.5 * 0.8) counts.down++;
      else counts.resampled++;
    }
    expect(counts.resampled / n).toBeGreaterThan(0.24);
    expect(counts.resampled / n).toBeLessThan(0.26);
    expect(Math.abs(counts.up - counts.down) / n).toBeLessThan(0.02);
  });

  it('ints stay ints and every value stays in range, whatever the draws', () => {
    const rng = createRng(7);
    let x = 4;
    for (let i = 0; i < 2000; i++) {
      x = explore([batch], { batch: x }, () => rng.float(), settings).batch!;
      expect(Number.isInteger(x) && x >= 1 && x <= 8).toBe(true);
    }
    expect(clampValue({ name: 'k', kind: 'int', low: 2, high: 5, log: true }, 7.9)).toBe(5);
    expect(sampleValue({ name: 'k', kind: 'int', low: 2, high: 5, log: true }, 0.9999)).toBe(5);
  });
});

/** Outcomes for the sweeper: job num → objective, with or without a checkpoint. */
function outcome(num: number, objective: number, checkpoint: boolean): JobOutcome {
  return { num, overrides: [], status: 'completed', objective, dir: String(num), ...(checkpoint ? { checkpoint: { step: 5 } } : {}) };
}

const input = { overrides: ['lr=interval(0.001, 1.0)', 'opt=a,b,c'] };
const sweeperOf = (history?: Array<{ params?: Record<string, unknown>; pbt?: PbtLineage }>) =>
  pbtSweeper(input, { population: 4, generations: 3, interval: 5, seed: 3, mode: 'min', ...(history ? { history } : {}) });

describe('pbtSweeper', () => {
  it('starts every member from a draw, then asks nothing until a segment ends', () => {
    const s = sweeperOf();
    const first = s.ask(10, []);
    expect(first).toHaveLength(4);
    first.forEach((o, m) => {
      expect(o).toContain(`+trellis.pbt.member=${m}`);
      expect(o).toEqual(expect.arrayContaining(['+trellis.pbt.generation=0', '+trellis.pbt.start=0', '+trellis.pbt.end=5']));
      expect(o.some((x) => x.startsWith('+trellis.pbt.restore='))).toBe(false);
      expect(s.trialOf!(o)!.pbt).toMatchObject({ member: m, generation: 0, parent: null, restore: null, by: 'init' });
    });
    expect(s.ask(1, [])).toEqual([]);
    expect(s.total).toBe(12);
  });

  it('a bottom member never copies a top member that did not checkpoint; it goes on from its own checkpoint', () => {
    const s = sweeperOf();
    const first = s.ask(4, []);
    // Member 3 is best but left no checkpoint; member 0 is worst.
    const [next] = s.ask(1, [outcome(0, 9, true), outcome(1, 5, true), outcome(2, 4, true), outcome(3, 1, false)]);
    const record = s.trialOf!(next!)!;
    expect(record.pbt).toMatchObject({ member: 0, generation: 1, start: 5, end: 10, parent: 0, restore: 0, by: 'continue' });
    expect(record.pbt!.note).toMatch(/no top member has a checkpoint/);
    expect(next).toContain("+trellis.pbt.restore='0'");
    expect(record.params).toEqual(s.trialOf!(first[0]!)!.params);
  });

  it('a bottom member copies a top member that checkpointed: its checkpoint and its config, explored', () => {
    const s = sweeperOf();
    const first = s.ask(4, []);
    const [next] = s.ask(1, [outcome(0, 9, true), outcome(1, 5, true), outcome(2, 4, true), outcome(3, 1, true)]);
    const record = s.trialOf!(next!)!;
    const donor = s.trialOf!(first[3]!)!;
    expect(record.pbt).toMatchObject({ member: 0, generation: 1, parent: 0, restore: 3, by: 'exploit' });
    expect(record.pbt!.exploit).toMatchObject({ donor: 3, donor_num: 3, donor_step: 5, step: 5, score: 9, donor_score: 1, donor_params: donor.params });
    expect(record.pbt!.exploit!.old).toEqual(s.trialOf!(first[0]!)!.params);
    expect(record.pbt!.exploit!.new).toEqual(record.params);
    expect(next).toContain("+trellis.pbt.restore='3'");
    // The explored lr is the donor's ×1.2 or ×0.8, or a fresh draw; it stays in its range.
    const lrNew = record.params.lr as number;
    expect(lrNew).toBeGreaterThanOrEqual(0.001);
    expect(lrNew).toBeLessThanOrEqual(1);
  });

  it('ranks a member only against scores at its own step, and copies the donor’s checkpoint from that step', () => {
    const s = pbtSweeper(input, { population: 2, generations: 3, interval: 5, seed: 1, mode: 'min' });
    s.ask(2, []);
    // Member 0 ends generation 0 alone: nobody to compare with at step 5, so it goes on.
    const [m0g1] = s.ask(1, [outcome(0, 1, true)]);
    expect(s.trialOf!(m0g1!)!.pbt).toMatchObject({ member: 0, generation: 1, by: 'continue', restore: 0 });
    // Member 0 is at step 10 with 0.1 when member 1 ends step 5 with 5: member 1 copies member 0's
    // state at step 5 (job #0, loss 1), not its newer one.
    const [m1g1] = s.ask(1, [outcome(0, 1, true), outcome(2, 0.1, true), outcome(1, 5, true)]);
    expect(s.trialOf!(m1g1!)!.pbt).toMatchObject({ member: 1, generation: 1, by: 'exploit', restore: 0, exploit: { donor: 0, donor_num: 0, donor_score: 1 } });
  });

  it('a member that is not in the bottom keeps its config and restores its own checkpoint', () => {
    const s = sweeperOf();
    const first = s.ask(4, []);
    const [next] = s.ask(1, [outcome(0, 1, true), outcome(1, 5, true), outcome(2, 4, true), outcome(3, 9, true)]);
    expect(s.trialOf!(next!)).toMatchObject({ params: s.trialOf!(first[0]!)!.params, pbt: { member: 0, by: 'continue', restore: 0 } });
  });

  it('a failed member stops; the others go on to their last generation, and nothing more is asked', () => {
    const s = sweeperOf();
    s.ask(4, []);
    const outcomes: JobOutcome[] = [
      { num: 0, overrides: [], status: 'failed', objective: undefined },
      outcome(1, 2, true),
      outcome(2, 3, true),
      outcome(3, 4, true),
    ];
    let rows = 4;
    for (;;) {
      const [o] = s.ask(1, outcomes);
      if (!o) break;
      outcomes.push(outcome(rows++, 1, true));
      expect(s.trialOf!(o)!.pbt!.member).not.toBe(0);
    }
    expect(rows).toBe(4 + 3 * 2);
  });

  it('resumed from its lineage, continues the schedule: the same next segment, none repeated', () => {
    const a = sweeperOf();
    const firstA = a.ask(4, []);
    const outcomes = [outcome(0, 9, true), outcome(1, 5, true), outcome(2, 4, true), outcome(3, 1, true)];
    const [nextA] = a.ask(1, outcomes);
    const history = firstA.map((o) => {
      const t = a.trialOf!(o)!;
      return { params: t.params, pbt: t.pbt! };
    });
    const b = sweeperOf(history);
    const [nextB] = b.ask(1, outcomes);
    expect(nextB).toEqual(nextA);
  });
});
