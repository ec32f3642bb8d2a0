import { TrellisError, collectErrors, type ErrorCollector } from '../errors/index.js';
import { pythonScalarStr } from '../util/python.js';
import {
  checkSweepsAllowed,
  formatKeyElement,
  formatOverrideForJob,
  parseOverride,
  sweepValueTexts,
  type LazySequence,
  type Override,
} from '../overrides/index.js';

/**
 * Hydra's basic sweeper as a pure, lazy grid: the cartesian product of every sweep, first key
 * slowest, each job a list of override texts re-serialised the way Hydra hands them to jobs.
 *
 * Order (BasicSweeper.split_arguments): the config's sweeper params first, in config order, then
 * the command line; one slot per key element (`+db`, `db@pkg` and `db` are different slots), and a
 * later override of the same slot replaces its value but keeps its place.
 */

type SweeperParamValue = string | number | boolean | null;
type SweeperParams = Readonly<Record<string, SweeperParamValue>> | ReadonlyArray<readonly [string, SweeperParamValue]>;

export interface SweepInput {
  /** The command-line overrides, as given. */
  overrides: readonly string[];
  /** `hydra.sweeper.params` / `trellis.sweeper.params`: key → override value text. */
  params?: SweeperParams;
  /** Where the params came from, for error messages. Default `hydra.sweeper.params`. */
  paramsPath?: string;
  /** The option names of a config group, for glob(). */
  listOptions?: (group: string) => readonly string[];
  /** Random numbers in [0, 1) for shuffle(); default Math.random. Inject a seeded one to reproduce. */
  random?: () => number;
}

export interface SweepAxis {
  /** The key element (`+db`, `~x`, `model/encoder@enc`). */
  key: string;
  /** The override that set this slot last. */
  override: Override;
  /** The `key=value` text of each value of this axis. */
  values: LazySequence<string>;
}

export interface SweepPlan {
  /** One axis per slot, in job-list order; a non-sweep override is an axis of one value. */
  readonly axes: readonly SweepAxis[];
  /** The number of jobs: the product of the axis sizes. */
  readonly count: number;
}

/** A config value as Python's f"{v}" prints it into `key=value` (the sweeper's _parse_config). */
function paramText(value: SweeperParamValue): string {
  // JS prints an integral number from 1e21 on as `1e+21`, as Python prints that float; str() of
  // an int would spell out every digit.
  if (typeof value === 'number' && Number.isInteger(value)) return String(value);
  return pythonScalarStr(value);
}

function paramEntries(params: SweeperParams | undefined): Array<readonly [string, SweeperParamValue]> {
  if (!params) return [];
  if (Array.isArray(params)) return [...(params as ReadonlyArray<readonly [string, SweeperParamValue]>)];
  return Object.entries(params as Readonly<Record<string, SweeperParamValue>>);
}

function single<T>(value: T): LazySequence<T> {
  return {
    length: 1,
    at: (i) => {
      if (i !== 0) throw new RangeError(`index ${i} out of range`);
      return value;
    },
  };
}

/**
 * Parses and checks everything, and builds the grid's axes without enumerating any job.
 * Every bad override (command line or params) is reported in one thrown TrellisError.
 */
/**
 * The sweep's slots in job-list order: config params first, then CLI overrides; a CLI override
 * of a param's key replaces it in place. Shared by every sweeper. Collects every parse error.
 */
export function sweepSlots(input: SweepInput): { slots: Map<string, Override>; problems: ErrorCollector } {
  const parseOptions = input.random ? { random: input.random } : {};
  const problems = collectErrors();
  const parsed: Override[] = [];
  const paramsPath = input.paramsPath ?? 'hydra.sweeper.params';

  paramEntries(input.params).forEach(([key, value], index) => {
    problems.attempt(
      () => parsed.push(parseOverride(`${key}=${paramText(value)}`, index, parseOptions)),
      // A param is reported at its key in the config, not at the text built from it.
      (e) => e.derive({ keyPath: `${paramsPath}.${key}` }),
    );
  });
  const cli: Override[] = [];
  input.overrides.forEach((text, index) => problems.attempt(() => cli.push(parseOverride(text, index, parseOptions))));
  problems.attempt(() => checkSweepsAllowed(cli, 'multirun'));
  parsed.push(...cli);

  // One slot per key element; a Map keeps the first insertion's position on update.
  const slots = new Map<string, Override>();
  for (const o of parsed) slots.set(formatKeyElement(o), o);
  return { slots, problems };
}

export function planSweep(input: SweepInput): SweepPlan {
  const { slots, problems } = sweepSlots(input);
  const axes: SweepAxis[] = [];
  for (const [key, override] of slots) {
    problems.attempt(() => {
      if (!override.isSweep) {
        axes.push({ key, override, values: single(formatOverrideForJob(override)) });
        return;
      }
      const texts = sweepValueTexts(override, { listOptions: input.listOptions, random: input.random });
      axes.push({
        key,
        override,
        values: {
          get length() {
            return texts.length;
          },
          at: (i) => `${key}=${texts.at(i)}`,
        },
      });
    });
  }
  problems.throwIfAny();

  let count = 1;
  for (const axis of axes) problems.attempt(() => (count *= axis.values.length));
  problems.throwIfAny();
  if (!Number.isSafeInteger(count)) {
    throw new TrellisError('SWEEP_INVALID', `The sweep has ${count} jobs, more than can be counted exactly`, {
      hint: 'split the sweep into smaller ones',
    });
  }
  return { axes, count };
}

/** The number of jobs of a plan (or of the input, planned first). */
export function countJobs(plan: SweepPlan | SweepInput): number {
  return ('axes' in plan ? plan : planSweep(plan)).count;
}

/**
 * Job `n` (0-based) without enumerating the others: the axes form a mixed-radix number whose
 * last digit (the last key) varies fastest.
 */
export function jobAt(plan: SweepPlan, n: number): string[] {
  if (!Number.isSafeInteger(n) || n < 0 || n >= plan.count) {
    throw new RangeError(`job ${n} does not exist (the sweep has ${plan.count} jobs)`);
  }
  const job: string[] = new Array<string>(plan.axes.length);
  let rest = n;
  for (let a = plan.axes.length - 1; a >= 0; a--) {
    const axis = plan.axes[a] as SweepAxis;
    const size = axis.values.length;
    job[a] = axis.values.at(rest % size);
    rest = Math.floor(rest / size);
  }
  return job;
}

/** Every job in launch order, lazily: the first job is ready before any other is computed. */
export function* expandJobs(plan: SweepPlan, from = 0): Generator<string[], void, undefined> {
  if (plan.count === 0 || from >= plan.count) return;
  const sizes = plan.axes.map((a) => a.values.length);
  // Odometer over the axes, starting at job `from`.
  const digits = new Array<number>(sizes.length).fill(0);
  let rest = from;
  for (let a = sizes.length - 1; a >= 0; a--) {
    digits[a] = rest % (sizes[a] as number);
    rest = Math.floor(rest / (sizes[a] as number));
  }
  for (let n = from; n < plan.count; n++) {
    yield plan.axes.map((axis, a) => axis.values.at(digits[a] as number));
    for (let a = sizes.length - 1; a >= 0; a--) {
      digits[a] = (digits[a] as number) + 1;
      if ((digits[a] as number) < (sizes[a] as number)) break;
      digits[a] = 0;
    }
  }
}

/** Jobs grouped in batches of at most `maxBatchSize` (Hydra's max_batch_size; none = one batch). */
export function* expandBatches(plan: SweepPlan, maxBatchSize?: number): Generator<string[][], void, undefined> {
  if (maxBatchSize !== undefined && (!Number.isSafeInteger(maxBatchSize) || maxBatchSize < 1)) {
    throw new TrellisError('SWEEP_INVALID', `max_batch_size must be a positive integer, got ${maxBatchSize}`);
  }
  const size = maxBatchSize ?? Math.max(1, plan.count);
  let batch: string[][] = [];
  for (const job of expandJobs(plan)) {
    batch.push(job);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length) yield batch;
}

/** planSweep then expandJobs: each job's override texts, lazily. */
export function expandSweep(input: SweepInput): Generator<string[], void, undefined> {
  return expandJobs(planSweep(input));
}
