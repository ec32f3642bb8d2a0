import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../../../src/run/seeds.js';
import { proposeTpe, sampleUniform, splitTrials, TPE_DEFAULTS, type TpeTrial } from '../../../../src/sweep/tpe/sampler.js';
import { contains, isActive, type Distribution, type SpaceParam } from '../../../../src/sweep/tpe/space.js';

const done = (number: number, value: number, params = {}): TpeTrial => ({ number, params, state: 'complete', value });

describe('splitTrials (Optuna _split_trials)', () => {
  const trials: TpeTrial[] = [
    done(0, 5),
    done(1, 1),
    { number: 2, params: {}, state: 'pruned', value: 0.1, step: 3 },
    { number: 3, params: {}, state: 'pruned', value: 0.5, step: 9 },
    { number: 4, params: {}, state: 'running' },
    done(5, 3),
    { number: 6, params: {}, state: 'pruned', value: 0.2, step: 9 },
    { number: 7, params: {}, state: 'pruned' },
  ];
  it.each([
    { name: 'the best complete trials first', nBelow: 2, below: [1, 5], above: [0, 2, 3, 4, 6, 7] },
    // All 3 complete, then pruned ones by how far they got (step 9 before 3), then their value.
    { name: 'then pruned ones that got furthest', nBelow: 4, below: [0, 1, 5, 6], above: [2, 3, 4, 7] },
    { name: 'a pruned one without reports is last', nBelow: 6, below: [0, 1, 2, 3, 5, 6], above: [4, 7] },
    { name: 'running trials are never good', nBelow: 8, below: [0, 1, 2, 3, 5, 6, 7], above: [4] },
  ])('$name', ({ nBelow, below, above }) => {
    const split = splitTrials(trials, nBelow);
    expect(split.below.map((t) => t.number)).toEqual(below);
    expect(split.above.map((t) => t.number)).toEqual(above);
  });
});

describe('sampleUniform', () => {
  const uniforms = [0, 0.25, 0.5, 0.999999];
  it.each<{ name: string; dist: Distribution; expected: number[] }>([
    { name: 'float', dist: { kind: 'float', low: -2, high: 2, log: false }, expected: [-2, -1, 0, 1.999996] },
    { name: 'log float: uniform in log', dist: { kind: 'float', low: 1e-4, high: 1, log: true }, expected: [1e-4, 1e-3, 1e-2, 0.99999] },
    { name: 'int with step: each of 1, 4, 7, 10 a quarter', dist: { kind: 'int', low: 1, high: 10, log: false, step: 3 }, expected: [1, 4, 7, 10] },
    { name: 'categorical', dist: { kind: 'categorical', size: 3 }, expected: [0, 0, 1, 2] },
  ])('$name', ({ dist, expected }) => {
    uniforms.forEach((u, i) => expect(sampleUniform(dist, () => u)).toBeCloseTo(expected[i]!, 4));
  });
});

const rngOf = (seed: number) => {
  const rng = createRng(seed);
  return () => rng.float();
};

/** A space with every kind of dimension, and a key that exists only under optimizer = 0. */
const hpo: SpaceParam[] = [
  { name: 'lr', dist: { kind: 'float', low: 1e-5, high: 1e-1, log: true } },
  { name: 'layers', dist: { kind: 'int', low: 1, high: 9, log: false, step: 2 } },
  { name: 'units', dist: { kind: 'int', low: 8, high: 512, log: true, step: 1 } },
  { name: 'optimizer', dist: { kind: 'categorical', size: 3 } },
  { name: 'momentum', dist: { kind: 'float', low: 0, high: 0.99, log: false }, condition: { parent: 'optimizer', options: [0] } },
  { name: 'beta', dist: { kind: 'float', low: 0.9, high: 0.999, log: false }, condition: { parent: 'optimizer', options: [1, 2] } },
];
const objective = (p: Record<string, number>) => (Math.log10(p.lr!) + 3) ** 2 + (p.momentum ?? 0.5) + 0.01 * p.layers!;

function sweep(seed: number, trials: number, parallel = 1): TpeTrial[] {
  const history: TpeTrial[] = [];
  const uniform = rngOf(seed);
  for (let number = 0; number < trials; number++) {
    const params = proposeTpe(hpo, history, uniform);
    history.push({ number, params, state: 'running' });
    // Finish the oldest running trial once `parallel` are in flight.
    const running = history.filter((t) => t.state === 'running');
    if (running.length >= parallel) Object.assign(running[0]!, { state: 'complete', value: objective(running[0]!.params) });
  }
  return history;
}

describe('proposeTpe', () => {
  it('property: every value is in its distribution (bounds, step grid, ints are ints), before and after the startup trials', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), fc.integer({ min: 1, max: 3 }), (seed, parallel) => {
        for (const t of sweep(seed, 16, parallel)) for (const p of hpo) if (p.name in t.params) expect(contains(p.dist, t.params[p.name]!)).toBe(true);
      }),
      { numRuns: 15 },
    );
  });

  it('property: conditional keys appear exactly when their option is chosen', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 }), (seed) => {
        for (const t of sweep(seed, 16)) for (const p of hpo) expect(p.name in t.params).toBe(isActive(p, t.params));
      }),
      { numRuns: 15 },
    );
  });

  it('the same seed and outcomes give the same trials; another seed others', () => {
    const a = sweep(7, 15).map((t) => t.params);
    expect(sweep(7, 15).map((t) => t.params)).toEqual(a);
    expect(sweep(8, 15).map((t) => t.params)).not.toEqual(a);
  });

  it('random until startupTrials have finished; running trials do not count', () => {
    // With startupTrials 2 and both finished trials at lr = 1e-3, TPE proposes near them; with
    // only running trials the draw is the same as a plain uniform draw.
    const space: SpaceParam[] = [{ name: 'x', dist: { kind: 'float', low: 0, high: 1, log: false } }];
    const settings = { ...TPE_DEFAULTS, startupTrials: 2 };
    const running: TpeTrial[] = [0, 1, 2].map((number) => ({ number, params: { x: 0.5 }, state: 'running' }));
    expect(proposeTpe(space, running, () => 0.123, settings)).toEqual({ x: 0.123 });
  });

  it('learns: after 60 trials the best is far better than the best random trial of the same budget', () => {
    const best = (h: TpeTrial[]) => Math.min(...h.map((t) => t.value ?? Infinity));
    const random = (seed: number) => {
      const u = rngOf(seed);
      const h: TpeTrial[] = [];
      for (let number = 0; number < 60; number++) {
        const params = proposeTpe(hpo, [], u);
        h.push({ number, params, state: 'complete', value: objective(params) });
      }
      return h;
    };
    const seeds = [1, 2, 3, 4, 5];
    const tpe = seeds.map((s) => best(sweep(s, 60))).reduce((a, b) => a + b);
    const rnd = seeds.map((s) => best(random(s))).reduce((a, b) => a + b);
    expect(tpe).toBeLessThan(rnd);
  });

  it('constant liar: workers in parallel never get the same configuration, even in a tiny discrete space', () => {
    const tiny: SpaceParam[] = [
      { name: 'a', dist: { kind: 'categorical', size: 2 } },
      { name: 'b', dist: { kind: 'int', low: 0, high: 2, log: false, step: 1 } },
    ];
    const uniform = rngOf(3);
    const history: TpeTrial[] = [];
    for (let number = 0; number < 40; number++) {
      const params = proposeTpe(tiny, history, uniform, { ...TPE_DEFAULTS, startupTrials: 3 });
      const inFlight = history.filter((t) => t.state === 'running');
      for (const t of inFlight) expect(t.params).not.toEqual(params);
      history.push({ number, params, state: 'running' });
      // Three workers: the oldest of three running trials finishes.
      if (inFlight.length === 2) Object.assign(inFlight[0]!, { state: 'complete', value: params.a! + params.b! });
    }
  });
});
