import { createHash, randomInt } from 'node:crypto';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import type { RandomGenerator } from 'pure-rand/types/RandomGenerator';
import { TrellisError } from '../errors/index.js';

/** A seeded generator for one purpose; every method advances it. */
export interface SeededRng {
  /** The 32-bit seed it started from (the master seed when no purpose was given). */
  readonly seed: number;
  /** A uniform unsigned 32-bit integer. */
  next(): number;
  /** A uniform float in [0, 1) with 53 random bits. */
  float(): number;
  /** A uniform integer in [min, max], both included, without modulo bias. */
  int(min: number, max: number): number;
  /** A normal deviate (Box–Muller, one pair of floats per call). */
  normal(mean?: number, std?: number): number;
  /** A shuffled copy (Fisher–Yates); the input is left as it was. */
  shuffle<T>(array: readonly T[]): T[];
}

export interface SeedRecord {
  master: number;
  derived: Record<string, number>;
}

/**
 * The seeds of one run (`seeds.json`): a master seed and one seed per named purpose
 * ("data", "init", "dropout"…), so adding a new consumer of randomness does not shift the
 * numbers every other consumer draws.
 *
 * `derive(purpose)` is the first 4 bytes, read big-endian as an unsigned integer, of
 * SHA-256 over the UTF-8 text `trellis-seed:<master in decimal>:<purpose>`, the same on every
 * machine and easy to recompute elsewhere, e.g. in Python:
 * `int.from_bytes(hashlib.sha256(f"trellis-seed:{master}:{purpose}".encode()).digest()[:4], "big")`.
 */
export class SeedBook {
  readonly master: number;
  private readonly derived = new Map<string, number>();

  constructor(masterSeed: number) {
    if (!Number.isSafeInteger(masterSeed)) {
      throw new TrellisError('RANDOM_INVALID', `A seed must be an integer, got ${String(masterSeed)}`, {
        keyPath: 'seed',
        hint: 'use a whole number such as 42, or leave the seed unset to draw one',
      });
    }
    this.master = masterSeed;
  }

  derive(purpose: string): number {
    const digest = createHash('sha256').update(`trellis-seed:${this.master}:${purpose}`, 'utf8').digest();
    const seed = digest.readUInt32BE(0);
    this.derived.set(purpose, seed);
    return seed;
  }

  /** A generator seeded by `derive(purpose)`, or by the master seed when no purpose is given. */
  rng(purpose?: string): SeededRng {
    return createRng(purpose === undefined ? this.master : this.derive(purpose));
  }

  toJSON(): SeedRecord {
    return { master: this.master, derived: Object.fromEntries(this.derived) };
  }
}

/** A fresh master seed from the OS's CSPRNG, 31 bits so it is a non-negative int32 in any language. */
export function drawMasterSeed(): number {
  return randomInt(0, 2 ** 31);
}

const MASK64 = (1n << 64n) - 1n;

/**
 * xoroshiro128+ (pure-rand; low 32 bits of each 64-bit output) with its 128-bit state filled by
 * SplitMix64 from the seed, as its authors advise: seeding pure-rand's `xoroshiro128plus(seed)`
 * directly makes the first output `~seed`, and nearby seeds start nearly alike.
 */
export function createRng(seed: number): SeededRng {
  let x = BigInt.asUintN(64, BigInt(seed));
  const words: number[] = [];
  for (let i = 0; i < 2; i++) {
    x = (x + 0x9e3779b97f4a7c15n) & MASK64;
    let z = x;
    z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK64;
    z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK64;
    z ^= z >> 31n;
    // pure-rand's state order: [high s0, low s0, high s1, low s1] as int32.
    words.push(Number(BigInt.asIntN(32, z >> 32n)), Number(BigInt.asIntN(32, z)));
  }
  return wrap(seed, xoroshiro128plusFromState(words));
}

function wrap(seed: number, gen: RandomGenerator): SeededRng {
  const float = () => uniformFloat64(gen);
  const int = (min: number, max: number) => {
    if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max) || min > max) {
      throw new TrellisError('RANDOM_INVALID', `int(min, max) needs integers with min <= max, got ${min}, ${max}`);
    }
    return uniformInt(gen, min, max);
  };
  return {
    seed,
    next: () => gen.next() >>> 0,
    float,
    int,
    normal(mean = 0, std = 1) {
      const u1 = 1 - float(); // (0, 1]: log(0) would be -Infinity
      const u2 = float();
      return mean + std * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
    },
    shuffle<T>(array: readonly T[]): T[] {
      const out = [...array];
      for (let i = out.length - 1; i > 0; i--) {
        const j = uniformInt(gen, 0, i);
        [out[i], out[j]] = [out[j] as T, out[i] as T];
      }
      return out;
    },
  };
}
