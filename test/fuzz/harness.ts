/**
 * The fuzz suite's one property: every parser and reader answers any input with a value or a
 * TrellisError, within a time bound. The bound detects hangs and runaway work, it is no benchmark.
 *
 * Inputs per target are fixed below (27,000 in all for `npm test`). `npm run fuzz -- --runs N`
 * sets FUZZ_RUNS=N: N inputs in all, shared out in the same proportions. Seeds are fixed, so a
 * failure reproduces; fast-check prints the shrunk input, which then goes into regressions.test.ts.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { TrellisError } from '../../src/errors/index.js';

const DEFAULT_RUNS = {
  overrides: 8_000,
  sweeps: 3_000,
  yaml: 5_000,
  interpolation: 4_000,
  query: 6_000,
  records: 1_000,
} as const;

export type FuzzTarget = keyof typeof DEFAULT_RUNS;

const DEFAULT_TOTAL = Object.values(DEFAULT_RUNS).reduce((a, b) => a + b, 0);

/**
 * Generous: an input that takes this much CPU time is a hang or a blow-up, not a slow machine.
 * CPU time, not wall time: on a busy machine (other test files, other processes) a wall-clock
 * bound failed inputs that had merely waited for a core. vitest runs each file in its own
 * process (the forks pool), so the process's CPU time is this input's.
 */
const MAX_MS_PER_INPUT = 2_000;

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/** Inputs for one target: its default share, or its share of FUZZ_RUNS. */
function runsFor(target: FuzzTarget): number {
  const total = Number(process.env.FUZZ_RUNS);
  if (!process.env.FUZZ_RUNS || !Number.isSafeInteger(total) || total <= 0) return DEFAULT_RUNS[target];
  return Math.max(1, Math.round((total * DEFAULT_RUNS[target]) / DEFAULT_TOTAL));
}

/** Per test: ample for the default runs; the long version (FUZZ_RUNS) is not cut short, however busy the machine. */
export function timeoutFor(target: FuzzTarget): number {
  return process.env.FUZZ_RUNS ? 24 * 3_600_000 : Math.max(60_000, runsFor(target) * 10);
}

/** Runs `f` on one input; fails unless it returns or throws a TrellisError, within MAX_MS_PER_INPUT of CPU time. */
function answers(input: unknown, f: () => unknown): void {
  const start = cpuMs();
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  const ms = cpuMs() - start;
  if (thrown !== undefined && !(thrown instanceof TrellisError)) {
    const what = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : String(thrown);
    expect.fail(`${JSON.stringify(input)?.slice(0, 500)} threw ${what}, not a TrellisError`);
  }
  if (ms > MAX_MS_PER_INPUT) expect.fail(`${JSON.stringify(input)?.slice(0, 500)} took ${Math.round(ms)} ms of CPU time (bound ${MAX_MS_PER_INPUT} ms)`);
}

/** fc.assert with a fixed seed per target, so every run checks the same inputs. */
export function check<T>(target: FuzzTarget, arb: fc.Arbitrary<T>, f: (input: T) => unknown): void {
  fc.assert(
    fc.property(arb, (input) => answers(input, () => f(input))),
    { seed: 22, numRuns: runsFor(target), endOnFailure: true },
  );
}

/** A string assembled from pieces (grammar fragments, hostile numbers…) and a little noise. */
export function assembled(pieces: readonly string[], maxPieces = 12): fc.Arbitrary<string> {
  const noise = fc.string({ maxLength: 3, unit: 'binary-ascii' });
  return fc
    .array(fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...pieces) }, { weight: 1, arbitrary: noise }), { maxLength: maxPieces })
    .map((parts) => parts.join(''));
}

/** Numbers that break naive arithmetic: overflow, underflow, non-finite, beyond 2^53. */
export const HOSTILE_NUMBERS = [
  '0',
  '1',
  '-1',
  '3',
  '0.5',
  '1e400',
  '-1e400',
  '1e308',
  '1.7e308',
  '1e-308',
  '5e-324',
  'inf',
  '-inf',
  'nan',
  '9007199254740993',
  '99999999999999999999999',
  '1_000',
  '1e9',
  '1000000000',
  '4294967296',
  '-0.0',
];
