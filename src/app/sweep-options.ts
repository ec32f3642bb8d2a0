import { availableParallelism } from 'node:os';
import { deepmergeCustom } from 'deepmerge-ts';
import { flagText } from '../console/argv.js';
import { selectPath } from '../config-dir/select.js';
import { didYouMean, TrellisError } from '../errors/index.js';
import type { SlurmOptions } from '../launch/slurm.js';
import { toPlain, type Node } from '../tree/node.js';
import { pluginSettings } from './hydra-plugins.js';
import type { TpeSweeperOptions } from '../sweep/tpe-sweeper.js';

export type Flags = Record<string, string | boolean | undefined>;

/** What a sweep is run with: flags first, then the config's trellis/hydra node, then defaults. */
export interface SweepSettings {
  launcher: string | undefined;
  jobs: number;
  devices: string[] | undefined;
  slurm: Partial<SlurmOptions>;
  sweeper: string;
  trials: number | undefined;
  seed: number | undefined;
  /** TPE: random trials before the model is used (`hydra.sweeper.sampler.n_startup_trials`). */
  startupTrials: number | undefined;
  /** TPE: the other settings of Optuna's TPESampler the config gives (`hydra.sweeper.sampler.*`). */
  sampler: SamplerTuning;
  /** Settings the config gives that trellis does not apply, one line each. */
  warnings: string[];
  failFast: boolean;
  objective: string | undefined;
  mode: 'min' | 'max';
  resume: string | undefined;
  /** PBT: members trained at once, segments per member, and steps per segment. */
  population: number | undefined;
  generations: number | undefined;
  perturbationInterval: number | undefined;
  /** `--pruner NAME` or `trellis.sweeper.pruner` (a name, or a node with `name` and Optuna's settings). */
  pruner: PrunerSettings | undefined;
}

/** Optuna TPESampler arguments trellis applies, besides seed and n_startup_trials. */
type SamplerTuning = NonNullable<TpeSweeperOptions['tuning']>;

/** TPESampler's arguments (Optuna 5.0): those trellis applies, and those it reads but cannot follow. */
const TPE_APPLIED = ['seed', 'n_startup_trials', 'n_ei_candidates', 'constant_liar', 'prior_weight', 'consider_magic_clip', 'consider_endpoints'];
const TPE_NOT_APPLIED: Record<string, (value: unknown) => string | undefined> = {
  multivariate: (v) => (v === true || v === null ? undefined : 'trellis samples multivariate (Optuna 5.0 does by default)'),
  group: (v) => (v === false || v === null ? undefined : 'parameters under a categorical are grouped by their option already'),
  consider_prior: (v) => (v === true || v === null ? undefined : 'the prior is always considered (Optuna deprecated turning it off)'),
  warn_independent_sampling: () => undefined,
  gamma: (v) => (v === null ? undefined : "the split is always min(ceil(0.1 n), 25), Optuna's default"),
  weights: (v) => (v === null ? undefined : "the weights are always Optuna's default ramp"),
  constraints_func: (v) => (v === null ? undefined : 'constraints are not supported'),
  categorical_distance_func: (v) => (v === null ? undefined : 'categorical distances are not supported'),
};

/**
 * Reads `hydra.sweeper.sampler` as Optuna would instantiate it: an argument the sampler does
 * not have is an error (Optuna raises a TypeError), one trellis cannot follow is a warning.
 */
function samplerTuning(node: Node | undefined, warnings: string[]): SamplerTuning {
  const plain = node ? toPlain(node) : undefined;
  if (plain === null || typeof plain !== 'object' || Array.isArray(plain)) return {};
  const { _target_: target, ...args } = plain as Record<string, unknown>;
  const random = typeof target === 'string' && target.endsWith('RandomSampler');
  const known = random ? ['seed'] : [...TPE_APPLIED, ...Object.keys(TPE_NOT_APPLIED)];
  for (const [key, value] of Object.entries(args)) {
    if (!known.includes(key)) {
      throw new TrellisError('USAGE', `The sampler ${random ? 'RandomSampler' : 'TPESampler'} has no argument '${key}'`, {
        keyPath: `hydra.sweeper.sampler.${key}`,
        hint: didYouMean(key, known) ?? `its arguments: ${known.join(', ')}`,
      });
    }
    const why = Object.hasOwn(TPE_NOT_APPLIED, key) ? TPE_NOT_APPLIED[key]!(value) : undefined;
    if (why) warnings.push(`hydra.sweeper.sampler.${key}: ${JSON.stringify(value)} is not applied: ${why}`);
  }
  const bool = (key: string): boolean | undefined => {
    const v = args[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean')
      throw new TrellisError('USAGE', `hydra.sweeper.sampler.${key} must be true or false, got ${JSON.stringify(v)}`, {
        keyPath: `hydra.sweeper.sampler.${key}`,
      });
    return v;
  };
  const number = (key: string, check: (n: number) => boolean, what: string): number | undefined => {
    const v = args[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !check(v))
      throw new TrellisError('USAGE', `hydra.sweeper.sampler.${key} must be ${what}, got ${JSON.stringify(v)}`, { keyPath: `hydra.sweeper.sampler.${key}` });
    return v;
  };
  const tuning: SamplerTuning = {};
  const candidates = number('n_ei_candidates', (n) => Number.isInteger(n) && n >= 1, 'a whole number of at least 1');
  if (candidates !== undefined) tuning.candidates = candidates;
  const priorWeight = number('prior_weight', (n) => Number.isFinite(n) && n >= 0, 'a number of at least 0');
  if (priorWeight !== undefined) tuning.priorWeight = priorWeight;
  const liar = bool('constant_liar');
  if (liar !== undefined) tuning.constantLiar = liar;
  const clip = bool('consider_magic_clip');
  if (clip !== undefined) tuning.magicClip = clip;
  const endpoints = bool('consider_endpoints');
  if (endpoints !== undefined) tuning.endpoints = endpoints;
  return tuning;
}

export interface PrunerSettings {
  name: string;
  settings: Record<string, unknown>;
}

function wholeNumber(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new TrellisError('USAGE', `--${name} must be a whole number, got '${text}'`);
  return n;
}

/**
 * Merges option layers, later ones winning: a value left undefined in a layer keeps the earlier
 * one, and lists are replaced, not concatenated (Hydra's rule for overrides).
 */
export const layered = deepmergeCustom({ mergeArrays: false });

const DEFAULTS = { jobs: 1, sweeper: 'grid', mode: 'min' as 'min' | 'max', failFast: false };

/** Optuna's study direction as a mode. */
function direction(text: string | undefined): 'min' | 'max' | undefined {
  if (text === undefined) return undefined;
  if (text === 'minimize' || text === 'min') return 'min';
  if (text === 'maximize' || text === 'max') return 'max';
  throw new TrellisError('USAGE', `sweeper.direction must be minimize or maximize, got '${text}'`, { keyPath: 'hydra.sweeper.direction' });
}

/**
 * Reads the sweep's settings: defaults, then the built-in Hydra plugin options chosen
 * (`hydra/sweeper=optuna`, `hydra/launcher=joblib`), then the config's trellis/hydra node, then the flags.
 */
export function sweepSettings(flags: Flags, argv: readonly string[], runtime: Node, choices: Readonly<Record<string, string | null>> = {}): SweepSettings {
  const fromConfig = (path: string): string | undefined => {
    const node = selectPath(runtime, path);
    return node?.kind === 'value' && node.value !== null ? String(node.value) : undefined;
  };
  const str = (name: string) => flagText(flags, name);
  // Hydra's submitit plugin names its launcher by class: hydra/launcher=submitit_slurm.
  const target = fromConfig('launcher._target_');
  const plugin = pluginSettings(choices, fromConfig('sweeper.sampler._target_'));
  // joblib's n_jobs -1 (its default) means one job per CPU.
  const launcherJobs = fromConfig('launcher.n_jobs');
  const config = {
    launcher: fromConfig('launcher.name') ?? fromConfig('launcher') ?? (target?.endsWith('SlurmLauncher') ? 'slurm' : plugin.launcher),
    jobs: launcherJobs !== undefined && Number(launcherJobs) < 0 ? availableParallelism() : wholeNumber('jobs', launcherJobs),
    sweeper: fromConfig('sweeper.name') ?? plugin.sweeper,
    trials: wholeNumber('trials', fromConfig('sweeper.trials') ?? fromConfig('sweeper.n_trials')) ?? plugin.trials,
    seed: wholeNumber('sweep-seed', fromConfig('sweeper.seed') ?? fromConfig('sweeper.sampler.seed')),
    startupTrials: wholeNumber('n_startup_trials', fromConfig('sweeper.sampler.n_startup_trials') ?? fromConfig('sweeper.startup_trials')),
    mode: direction(fromConfig('sweeper.direction')),
    population: wholeNumber('population', fromConfig('sweeper.population')),
    generations: wholeNumber('generations', fromConfig('sweeper.generations')),
    perturbationInterval: wholeNumber('perturbation-interval', fromConfig('sweeper.perturbation_interval')),
  };
  // Optuna's n_jobs is how many trials run at once: it sets the pool's size, not the launcher
  // (with Hydra's basic launcher they run one after another).
  const sweeperJobs = wholeNumber('n_jobs', fromConfig('sweeper.n_jobs')) ?? plugin.jobs;
  const given = {
    launcher: str('launcher'),
    jobs: wholeNumber('jobs', str('jobs')),
    sweeper: str('sweeper'),
    trials: wholeNumber('trials', str('trials')),
    seed: wholeNumber('sweep-seed', str('sweep-seed')),
    devices: str('devices')
      ?.split(',')
      .map((d) => d.trim())
      .filter(Boolean),
    population: wholeNumber('population', str('population')),
    generations: wholeNumber('generations', str('generations')),
    perturbationInterval: wholeNumber('perturbation-interval', str('perturbation-interval')),
    failFast: flags['fail-fast'] === true ? true : undefined,
    objective: str('objective'),
    mode: flags.mode === 'max' ? ('max' as const) : undefined,
    resume: flags.resume === undefined ? undefined : (str('resume') ?? 'auto'),
  };
  const warnings: string[] = [];
  const sampler = samplerTuning(selectPath(runtime, 'sweeper.sampler'), warnings);
  const merged = layered(DEFAULTS, config, given);
  // More than one job at once means the local pool, unless a launcher was named.
  const launcher = merged.launcher ?? (merged.jobs > 1 ? 'local' : undefined);
  const jobs = given.jobs ?? config.jobs ?? (launcher === 'local' ? sweeperJobs : undefined) ?? merged.jobs;
  return {
    ...merged,
    startupTrials: merged.startupTrials,
    sampler,
    warnings,
    launcher,
    jobs: launcher === 'local' ? Math.max(1, jobs) : 1,
    slurm: slurmOptions(flags, argv, runtime),
    pruner: prunerSettings(str('pruner'), selectPath(runtime, 'sweeper.pruner')),
  };
}

/** The pruner named by the flag or the config, with the config's settings for it. */
function prunerSettings(flag: string | undefined, node: Node | undefined): PrunerSettings | undefined {
  const plain = node ? toPlain(node) : undefined;
  if (plain !== null && typeof plain === 'object' && !Array.isArray(plain)) {
    const { name, ...settings } = plain as Record<string, unknown>;
    const chosen = flag ?? (typeof name === 'string' ? name : undefined);
    if (chosen === undefined) {
      throw new TrellisError('USAGE', 'trellis.sweeper.pruner has settings but no name', {
        keyPath: 'trellis.sweeper.pruner.name',
        hint: 'set its name (median, asha or hyperband), or give --pruner NAME',
      });
    }
    return { name: chosen, settings };
  }
  const chosen = flag ?? (typeof plain === 'string' ? plain : undefined);
  return chosen === undefined ? undefined : { name: chosen, settings: {} };
}

const SLURM_TIME = /^(\d+|\d+:\d+|\d+:\d+:\d+|\d+-\d+|\d+-\d+:\d+|\d+-\d+:\d+:\d+|UNLIMITED|INFINITE)$/i;

/**
 * The SLURM launcher's options as given, by flag over config (`trellis.launcher.*`, also the key
 * names of Hydra's submitit plugin: timeout_min, mem_gb, array_parallelism, additional_parameters).
 * Unset ones stay undefined: a resumed sweep keeps what it was started with.
 */
function slurmOptions(flags: Flags, argv: readonly string[], runtime: Node): Partial<SlurmOptions> {
  const node = (path: string) => selectPath(runtime, `launcher.${path}`);
  const value = (path: string): string | undefined => {
    const n = node(path);
    return n?.kind === 'value' && n.value !== null ? String(n.value) : undefined;
  };
  const flag = (name: string) => flagText(flags, name);
  const memGb = value('mem_gb');
  const config = {
    partition: value('partition'),
    time: value('time') ?? value('timeout_min'),
    cpusPerTask: wholeNumber('cpus-per-task', value('cpus_per_task')),
    mem: value('mem') ?? (memGb === undefined ? undefined : `${memGb}G`),
    maxParallel: wholeNumber('max-parallel', value('max_parallel') ?? value('array_parallelism')),
    pollInterval: seconds(value('poll_interval')),
    jobName: value('job_name'),
  };
  const given = {
    partition: flag('partition'),
    time: flag('time'),
    cpusPerTask: wholeNumber('cpus-per-task', flag('cpus-per-task')),
    mem: flag('mem'),
    maxParallel: wholeNumber('max-parallel', flag('max-parallel')),
    pollInterval: seconds(flag('poll-interval')),
  };
  const merged = layered(config, given);
  if (merged.time !== undefined && !SLURM_TIME.test(merged.time)) {
    throw new TrellisError('USAGE', `--time must be a SLURM time limit (minutes, MM:SS, HH:MM:SS or D-HH:MM:SS), got '${merged.time}'`);
  }
  // Both apply: the config's sbatch arguments, then every --sbatch-arg given.
  const sbatchArgs = [...configuredSbatchArgs(node, value), ...repeatedFlag(argv, 'sbatch-arg')];
  return { ...merged, sbatchArgs: sbatchArgs.length ? sbatchArgs : undefined };
}

function seconds(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0)) throw new TrellisError('USAGE', `--poll-interval must be a positive number of seconds, got '${text}'`);
  return n;
}

/** Every value of a flag given many times (the flag table keeps only the last). */
function repeatedFlag(argv: readonly string[], name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith(`--${name}=`)) values.push(a.slice(name.length + 3));
    else if (a === `--${name}` && argv[i + 1] !== undefined) values.push(argv[++i]!);
  }
  return values;
}

function configuredSbatchArgs(node: (path: string) => Node | undefined, value: (path: string) => string | undefined): string[] {
  const configured: string[] = [];
  const list = node('sbatch_args');
  const plainList = list ? toPlain(list) : undefined;
  if (Array.isArray(plainList)) configured.push(...plainList.map(String));
  for (const key of ['qos', 'account', 'gres', 'constraint', 'exclude', 'nodelist', 'comment']) {
    const v = value(key);
    if (v !== undefined) configured.push(`--${key}=${v}`);
  }
  const extra = node('additional_parameters');
  const plain = extra ? toPlain(extra) : undefined;
  if (plain && typeof plain === 'object' && !Array.isArray(plain))
    for (const [k, v] of Object.entries(plain)) configured.push(v === true ? `--${k}` : `--${k}=${String(v)}`);
  return configured;
}
