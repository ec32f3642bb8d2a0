import { TrellisError } from '../errors/index.js';
import { formatKeyElement, formatOverrideForJob, sweepValueTexts, type Override, type ParsedElement } from '../overrides/index.js';
import type { SeededRng } from '../run/seeds.js';
import { sweepSlots, type SweepInput } from './expand.js';
import type { Sweeper } from './sweeper.js';

/** One slot of a random or TPE search: a fixed override, a list to choose from, or an interval. */
export type Dimension =
  | { key: string; kind: 'fixed'; text: string }
  | { key: string; kind: 'choice'; override: Override; texts: { length: number; at(i: number): string } }
  | { key: string; kind: 'interval'; override: Override; low: number; high: number; log: boolean; int: boolean };

type ListDimension = Extract<Dimension, { kind: 'choice' }>;

/** The value of a list dimension's element i (its override text after the '='). */
export function listValue(d: ListDimension, i: number): string {
  const text = d.texts.at(i);
  return text.slice(text.indexOf('=') + 1);
}

/** The index of the element whose value is `v` (as recorded in sweep.json), or undefined. */
export function listIndex(d: ListDimension, v: unknown): number | undefined {
  for (let i = 0; i < d.texts.length; i++) if (listValue(d, i) === String(v)) return i;
  return undefined;
}

function numberOf(e: { kind: 'int'; value: bigint } | { kind: 'float'; value: number }): number {
  return e.kind === 'int' ? Number(e.value) : e.value;
}

/** The search space of a sweep's overrides and `sweeper.params`, every bad slot reported at once. */
export function dimensions(input: SweepInput): Dimension[] {
  const { slots, problems } = sweepSlots(input);
  const out: Dimension[] = [];
  for (const [key, o] of slots) {
    problems.attempt(() => {
      if (!o.isSweep) out.push({ key, kind: 'fixed', text: formatOverrideForJob(o) });
      else if (o.value?.kind === 'interval') {
        const low = numberOf(o.value.start);
        const high = numberOf(o.value.end);
        const log = o.value.tags.includes('log');
        if (!Number.isFinite(low) || !Number.isFinite(high)) {
          throw new TrellisError('SWEEP_INVALID', `interval(${low}, ${high}) in '${o.text}' has a bound that is not a finite number`, {
            where: { kind: 'override', text: o.text, index: o.index },
            keyPath: key,
            hint: 'give both bounds as finite numbers, e.g. interval(0, 1)',
          });
        }
        if (!(low < high) || (log && low <= 0)) {
          throw new TrellisError('SWEEP_INVALID', `interval(${low}, ${high}) in '${o.text}' is empty${log ? ' or not positive (log scale)' : ''}`, {
            where: { kind: 'override', text: o.text, index: o.index },
          });
        }
        out.push({ key, kind: 'interval', override: o, low, high, log, int: o.value.start.kind === 'int' && o.value.end.kind === 'int' });
      } else {
        const texts = sweepValueTexts(o, { listOptions: input.listOptions, random: input.random });
        // Nothing to draw from: a search would make up values (as Optuna, refuse an empty choice).
        if (texts.length === 0) {
          throw new TrellisError('SWEEP_INVALID', `'${o.text}' gives no values to choose from`, {
            where: { kind: 'override', text: o.text, index: o.index },
            keyPath: key,
            hint:
              o.value?.kind === 'glob'
                ? 'the glob matches no option of the group; check its pattern'
                : "range(start, stop, step) is empty when stop does not lie beyond start in the step's direction",
          });
        }
        const element = formatKeyElement(o);
        out.push({
          key,
          kind: 'choice',
          override: o,
          texts: {
            get length() {
              return texts.length;
            },
            at: (i) => `${element}=${texts.at(i)}`,
          },
        });
      }
    });
  }
  problems.throwIfAny();
  return out;
}

function sample(d: Dimension, rng: SeededRng): string {
  if (d.kind === 'fixed') return d.text;
  if (d.kind === 'choice') return d.texts.at(rng.int(0, d.texts.length - 1));
  const u = rng.float();
  let x = d.log ? Math.exp(Math.log(d.low) + u * (Math.log(d.high) - Math.log(d.low))) : d.low + u * (d.high - d.low);
  let element: ParsedElement;
  if (d.int) {
    x = Math.min(Math.floor(x), d.high - 1);
    element = { kind: 'int', value: BigInt(x) };
  } else element = { kind: 'float', value: x };
  return formatOverrideForJob(d.override, element);
}

/**
 * Random search: `trials` jobs, each drawing every swept key independently from a seeded
 * generator. choice/range/glob/a,b pick uniformly; interval(lo, hi) is uniform, or log-uniform
 * when tagged `log` (tag(log, interval(1e-4, 1e-1))); int bounds give ints.
 */
export function randomSweeper(input: SweepInput, options: { trials: number; seed: number; rng: SeededRng }): Sweeper {
  if (!Number.isInteger(options.trials) || options.trials < 1) {
    throw new TrellisError('SWEEP_INVALID', `--trials must be a positive whole number, got ${options.trials}`);
  }
  const dims = dimensions(input);
  let issued = 0;
  return {
    strategy: 'random',
    total: options.trials,
    describe: () => ({
      seed: options.seed,
      trials: options.trials,
      space: dims.map((d) =>
        d.kind === 'fixed'
          ? { key: d.key, fixed: d.text }
          : d.kind === 'choice'
            ? { key: d.key, choices: d.texts.length }
            : { key: d.key, interval: [d.low, d.high], log: d.log, int: d.int },
      ),
    }),
    ask(max) {
      const batch: string[][] = [];
      while (batch.length < max && issued < options.trials) {
        batch.push(dims.map((d) => sample(d, options.rng)));
        issued++;
      }
      return batch;
    },
  };
}
