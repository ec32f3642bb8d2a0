import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SeedBook, createRng, drawMasterSeed } from '../../../src/run/seeds.js';

/** The documented algorithm, written again from its description, for the hash-based cross-check. */
const documentedDerive = (master: number, purpose: string) => createHash('sha256').update(`trellis-seed:${master}:${purpose}`).digest().readUInt32BE(0);

/** SplitMix64 seeding + 64-bit xoroshiro128+ (24, 16, 37), low 32 bits: a reference without pure-rand. */
function referenceOutputs(seed: number, count: number): number[] {
  const M = (1n << 64n) - 1n;
  const rotl = (x: bigint, k: bigint) => ((x << k) | (x >> (64n - k))) & M;
  let x = BigInt.asUintN(64, BigInt(seed));
  const state: bigint[] = [];
  for (let i = 0; i < 2; i++) {
    x = (x + 0x9e3779b97f4a7c15n) & M;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & M;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & M;
    state.push(z ^ (z >> 31n));
  }
  let [s0, s1] = state as [bigint, bigint];
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    out.push(Number((s0 + s1) & 0xffffffffn));
    s1 ^= s0;
    s0 = rotl(s0, 24n) ^ s1 ^ ((s1 << 16n) & M);
    s1 = rotl(s1, 37n);
  }
  return out;
}

describe('SeedBook.derive', () => {
  // Expected values computed with Python:
  // int.from_bytes(hashlib.sha256(f"trellis-seed:{master}:{purpose}".encode()).digest()[:4], "big")
  it.each([
    { name: 'data under 42', master: 42, purpose: 'data', expected: 888779563 },
    { name: 'init under 42', master: 42, purpose: 'init', expected: 2849330051 },
    { name: 'empty purpose under 0', master: 0, purpose: '', expected: 3558782633 },
    { name: 'a non-ASCII purpose is hashed as UTF-8', master: 7, purpose: 'héllo', expected: 3407197058 },
  ])('$name', ({ master, purpose, expected }) => {
    expect(new SeedBook(master).derive(purpose)).toBe(expected);
    expect(new SeedBook(master).derive(purpose)).toBe(documentedDerive(master, purpose));
  });

  it('is distinct per purpose and per master, and an unsigned 32-bit integer', () => {
    const purposes = ['data', 'init', 'dropout', 'augment', 'sampler', 'data2', 'Data'];
    const seeds = [1, 2].flatMap((master) => purposes.map((p) => new SeedBook(master).derive(p)));
    expect(new Set(seeds).size).toBe(seeds.length);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 32).toBe(true);
  });

  it.each([
    { name: 'a fraction', master: 1.5 },
    { name: 'NaN', master: Number.NaN },
    { name: 'Infinity', master: Number.POSITIVE_INFINITY },
    { name: 'beyond safe integers', master: 2 ** 60 },
  ])('rejects $name as a master seed with RANDOM_INVALID', ({ master }) => {
    expect(() => new SeedBook(master)).toThrow(expect.objectContaining({ code: 'RANDOM_INVALID', keyPath: 'seed' }));
  });
});

describe('SeedBook.rng', () => {
  // First outputs computed with a Python transcription of the same algorithm.
  it.each([
    {
      name: 'rng("data") under 42 starts from derive("data")',
      master: 42,
      purpose: 'data' as string | undefined,
      seed: 888779563,
      first: [3975796488, 1567516309, 2645876167, 4161079534],
    },
    { name: 'rng() under 42 starts from the master seed', master: 42, purpose: undefined, seed: 42, first: [3797049240, 1052797783, 1962151222, 3868587078] },
    { name: 'rng() under 0', master: 0, purpose: undefined, seed: 0, first: [483865507, 1747211118, 3822025699, 2636587237] },
  ])('$name', ({ master, purpose, seed, first }) => {
    const rng = new SeedBook(master).rng(purpose);
    expect(rng.seed).toBe(seed);
    expect(Array.from({ length: 4 }, () => rng.next())).toEqual(first);
  });

  it.each([
    { name: 'seed 0', seed: 0 },
    { name: 'a derived seed above 2^31', seed: 2849330051 },
    { name: 'a negative master', seed: -5 },
  ])('matches the 64-bit reference for 1000 outputs: $name', ({ seed }) => {
    const rng = createRng(seed);
    expect(Array.from({ length: 1000 }, () => rng.next())).toEqual(referenceOutputs(seed, 1000));
  });

  it('gives the same stream for the same master and purpose, another for another purpose', () => {
    const draw = (master: number, purpose: string) => {
      const rng = new SeedBook(master).rng(purpose);
      return [rng.next(), rng.float(), rng.int(0, 1000), rng.normal()];
    };
    expect(draw(3, 'data')).toEqual(draw(3, 'data'));
    expect(draw(3, 'data')).not.toEqual(draw(3, 'init'));
    expect(draw(3, 'data')).not.toEqual(draw(4, 'data'));
  });

  it('float() stays in [0, 1) and int(min, max) reaches both ends', () => {
    const rng = createRng(11);
    const floats = Array.from({ length: 5000 }, () => rng.float());
    expect(floats.every((f) => f >= 0 && f < 1)).toBe(true);
    const ints = Array.from({ length: 5000 }, () => rng.int(-2, 2));
    expect([...new Set(ints)].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
  });

  it('normal(mean, std) has about that mean and spread (fixed seed, so not flaky)', () => {
    const rng = createRng(2024);
    const xs = Array.from({ length: 20000 }, () => rng.normal(10, 2));
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const std = Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length);
    expect(Math.abs(mean - 10)).toBeLessThan(0.05);
    expect(Math.abs(std - 2)).toBeLessThan(0.05);
  });

  it('shuffle returns a permutation, leaves the input alone and repeats per seed', () => {
    const input = Array.from({ length: 20 }, (_, i) => i);
    const a = createRng(5).shuffle(input);
    expect(input).toEqual(Array.from({ length: 20 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(input);
    expect(a).not.toEqual(input);
    expect(createRng(5).shuffle(input)).toEqual(a);
    expect(createRng(6).shuffle(input)).not.toEqual(a);
  });

  it.each([
    { name: 'min above max', min: 3, max: 1 },
    { name: 'a fractional bound', min: 0, max: 2.5 },
    { name: 'NaN', min: Number.NaN, max: 1 },
  ])('int rejects $name with RANDOM_INVALID', ({ min, max }) => {
    expect(() => createRng(1).int(min, max)).toThrow(expect.objectContaining({ code: 'RANDOM_INVALID' }));
  });
});

describe('SeedBook.toJSON', () => {
  it('records the master and every derived seed, also those behind rng(purpose)', () => {
    const book = new SeedBook(42);
    book.derive('data');
    book.rng('init');
    book.rng();
    book.derive('data');
    expect(JSON.parse(JSON.stringify(book))).toEqual({ master: 42, derived: { data: 888779563, init: 2849330051 } });
  });
});

describe('drawMasterSeed', () => {
  it('draws non-negative 31-bit integers', () => {
    const seeds = Array.from({ length: 100 }, drawMasterSeed);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 2 ** 31).toBe(true);
    expect(new Set(seeds).size).toBeGreaterThan(90);
  });
});
