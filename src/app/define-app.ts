import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve as resolvePath } from 'node:path';
import { parseCommandArgv } from '../cli/argv.js';
import { colors } from '../cli/io.js';
import { TrellisError, formatError } from '../errors/index.js';
import { openConfigDir } from '../api/compose-dir.js';
import { selectPath } from '../api/select.js';
import { createDefaultResolvers, type ResolverFn, type ResolverOptions, type ResolverRegistry } from '../interpolate/index.js';
import { writeJsonAtomic } from '../run/atomic-write.js';
import { CHILD_ENV, LAUNCHER_INFO_ENV, type ChildResult } from '../launch/launcher.js';
import { composeFromDir } from '../api/compose-dir.js';
import { toYamlText } from '../tree/emit.js';
import { dictNode, setKey, toPlain, type Node } from '../tree/node.js';
import type { SlurmOptions } from '../launch/slurm.js';
import type { ConfigSchema } from '../validate/validate.js';
import { APP_COMMAND } from './app-options.js';
import { appHelp, appInfo } from './app-help.js';
import { prepareJob, type JobSource } from './prepare-job.js';
import { captureSnapshots, runJob, type JobFunction, type JobResult } from './run-job.js';
import type { Run } from './run-handle.js';

export interface DefineAppOptions<S extends ConfigSchema | undefined = undefined> {
  /** The job's name (`job.name`, the log file's name). Default: the config name. */
  name?: string;
  /** Config directory, relative to `cwd`. Default `conf`. */
  configDir?: string;
  /** Primary config name without `.yaml`. Default `config`. */
  configName?: string;
  /** A zod schema: the resolved config is validated before the job starts, and `cfg` is typed by it. */
  schema?: S;
  /** Resolvers besides the built-in ones, for this app only. */
  resolvers?: ResolverRegistry;
  /** Working directory for config and output paths. Default `process.cwd()`. */
  cwd?: string;
}

type InferConfig<S> = S extends { _output: infer O } ? O : Record<string, unknown>;

export interface AppIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  color: boolean;
  /** Progress lines redraw in place on a terminal; elsewhere they are plain lines. */
  isTTY: boolean;
}

export interface App<C> {
  /** Parses a command line (Hydra's flags + overrides), runs and returns the exit code. */
  main(argv?: readonly string[], io?: Partial<AppIo>): Promise<number>;
  /** Runs one job with these overrides and returns its result. */
  run(overrides?: readonly string[]): Promise<JobResult>;
  /** The job function, for tests. */
  readonly job: JobFunction<C>;
  /** Adds a resolver for this app only: `${name:args}` in its configs. */
  registerResolver(name: string, fn: ResolverFn, options?: ResolverOptions): App<C>;
  /** The options the app was defined with (its schema, config location). */
  readonly options: DefineAppOptions<ConfigSchema | undefined>;
}

function defaultIo(): AppIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    color: Boolean(process.stderr.isTTY) && !('NO_COLOR' in process.env),
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/**
 * Declares an app: a job function over a composed (and optionally validated) config. Each
 * `main()` composes the config from the command line, runs the job in a new run directory and
 * records everything needed to reproduce it.
 */
export function defineApp<S extends ConfigSchema | undefined = undefined>(
  options: DefineAppOptions<S>,
  job: (cfg: InferConfig<S>, run: Run) => unknown,
): App<InferConfig<S>> {
  const entryScript = process.argv[1];
  // This app's resolvers: the built-ins plus its own; never shared with other apps.
  const resolvers = options.resolvers ?? createDefaultResolvers();

  const sourceFor = (flags: Record<string, string | boolean | undefined>, env: NodeJS.ProcessEnv): JobSource => {
    const cwd = options.cwd ?? process.cwd();
    const configName = (typeof flags['config-name'] === 'string' && flags['config-name']) || options.configName || 'config';
    const configDir = (typeof flags['config-dir'] === 'string' && flags['config-dir']) || (typeof flags['config-path'] === 'string' && flags['config-path']) || options.configDir || 'conf';
    return { configDir, configName, cwd, env, schema: options.schema, resolvers, name: options.name ?? configName };
  };

  const runOne = async (source: JobSource, overrides: readonly string[], io: AppIo, argv: readonly string[]): Promise<JobResult> => {
    // git runs while the config composes and validates.
    const snapshots = captureSnapshots({ env: source.env, cwd: source.cwd, argv });
    const prepared = await prepareJob(source, overrides);
    return runJob({
      snapshots,
      prepared,
      job: job as JobFunction<unknown>,
      source: source,
      argv,
      entry: entryScript ? relative(source.cwd, entryScript) : undefined,
      print: (line) => io.stderr(`${line}\n`),
    });
  };

  /** Sweep settings: flags first, then the config's trellis/hydra node, then defaults. */
  const multirun = async (source: JobSource, flags: Record<string, string | boolean | undefined>, overrides: readonly string[], io: AppIo, argv: readonly string[]): Promise<number> => {
    const runtime = composeFromDir({ configDir: source.configDir, configName: source.configName, cwd: source.cwd, env: source.env, overrides, multirun: true }).runtime;
    const fromConfig = (path: string): string | undefined => {
      const node = selectPath(runtime, path);
      return node?.kind === 'value' && node.value !== null ? String(node.value) : undefined;
    };
    const int = (name: string, text: string | undefined): number | undefined => {
      if (text === undefined) return undefined;
      const n = Number(text);
      if (!Number.isInteger(n) || n < 0) throw new TrellisError('USAGE', `--${name} must be a whole number, got '${text}'`);
      return n;
    };
    const str = (name: string) => (typeof flags[name] === 'string' && flags[name] !== '' ? (flags[name] as string) : undefined);
    const jobs = int('jobs', str('jobs') ?? fromConfig('launcher.n_jobs')) ?? 1;
    // Hydra's submitit plugin names its launcher by class: hydra/launcher=submitit_slurm.
    const target = fromConfig('launcher._target_');
    const launcher = str('launcher') ?? fromConfig('launcher.name') ?? fromConfig('launcher') ?? (target?.endsWith('SlurmLauncher') ? 'slurm' : undefined) ?? (jobs > 1 ? 'local' : undefined);
    const baseArgs = ['--config-dir', source.configDir, '--config-name', source.configName];
    // Sweep machinery (sweepers, launchers, progress) loads only for -m.
    const { runMultirun } = await import('./multirun.js');
    return runMultirun({
      source,
      job: job as JobFunction<unknown>,
      overrides,
      baseArgs,
      argv,
      entry: entryScript,
      launcher,
      jobs: launcher === 'local' ? Math.max(1, jobs) : 1,
      devices: str('devices')?.split(',').map((d) => d.trim()).filter(Boolean),
      slurm: slurmOptions(flags, argv, runtime, int),
      sweeper: str('sweeper') ?? fromConfig('sweeper.name') ?? 'grid',
      trials: int('trials', str('trials') ?? fromConfig('sweeper.trials')),
      seed: int('sweep-seed', str('sweep-seed') ?? fromConfig('sweeper.seed')),
      failFast: Boolean(flags['fail-fast']),
      objective: str('objective'),
      mode: flags.mode === 'max' ? 'max' : 'min',
      resume: flags.resume === undefined ? undefined : str('resume') ?? 'auto',
      io: { stderr: io.stderr, isTTY: io.isTTY },
    });
  };

  /** A job started by a process launcher (local, SLURM): placed in its sweep, reporting to a result file. */
  const childJob = async (source: JobSource, overrides: readonly string[], io: AppIo, argv: readonly string[]): Promise<number> => {
    const env = io.env;
    const sweepDir = env[CHILD_ENV.sweepDir]!;
    const num = Number(env[CHILD_ENV.jobNum]);
    const now = env[CHILD_ENV.now] ? new Date(env[CHILD_ENV.now]!) : new Date();
    const resultFile = env[CHILD_ENV.resultFile]!;
    const launcher = launcherRecord(env[LAUNCHER_INFO_ENV], sweepDir, source.cwd);
    let reported = false;
    const report = (result: ChildResult) => {
      reported = true;
      writeJsonAtomic(resultFile, result);
    };
    let runDirBase: string | undefined;
    // Stopped by a signal (Ctrl-C, scancel, a time limit), the run records itself and exits at
    // once: the result file is written on the way out, so the launcher need not guess.
    const onExit = (code: number) => {
      if (reported) return;
      try {
        report({ status: code === 0 ? 'completed' : code === 130 || code === 143 ? 'interrupted' : 'failed', dir: runDirBase ? ownRunDir(runDirBase) : undefined, returnValue: null, error: `the job ended (exit ${code}) before returning` });
      } catch {
        // nothing more can be done while exiting
      }
    };
    process.on('exit', onExit);
    try {
      const snapshots = captureSnapshots({ env: source.env, cwd: source.cwd, argv });
      const prepared = await prepareJob(source, overrides, { num, sweepDir }, now);
      runDirBase = prepared.runDir;
      const result = await runJob({
        snapshots,
        prepared,
        job: job as JobFunction<unknown>,
        source: source,
        argv,
        entry: entryScript ? relative(source.cwd, entryScript) : undefined,
        sweep: { dir: sweepDir, num },
        launcher,
        print: (line) => io.stderr(`${line}\n`),
      });
      const error = result.error instanceof Error ? result.error.message : result.error === undefined ? undefined : String(result.error);
      report({ status: result.status === 'running' ? 'failed' : result.status, dir: result.dir, returnValue: result.returnValue ?? null, error });
      return result.exitCode;
    } catch (error) {
      report({ status: 'failed', dir: undefined, returnValue: null, error: error instanceof Error ? error.message : String(error) });
      throw error;
    } finally {
      process.removeListener('exit', onExit);
    }
  };

  const app: App<InferConfig<S>> = {
    job: job as JobFunction<InferConfig<S>>,
    options: options as DefineAppOptions<ConfigSchema | undefined>,
    registerResolver(name, fn, resolverOptions) {
      resolvers.register(name, fn, resolverOptions);
      return app;
    },
    async run(overrides = []) {
      const io = defaultIo();
      return runOne(sourceFor({}, io.env), overrides, io, [...overrides]);
    },
    async main(argv = process.argv.slice(2), partialIo = {}) {
      const io = { ...defaultIo(), ...partialIo };
      const verbose = argv.includes('--verbose');
      try {
        const { flags, overrides } = parseCommandArgv(APP_COMMAND, argv);
        const source = sourceFor(flags, io.env);
        if (flags.help) {
          io.stdout(`${await appHelp(source, APP_COMMAND)}\n`);
          return 0;
        }
        if (flags.info !== undefined) {
          io.stdout(`${await appInfo(source, overrides, String(flags.info || 'all'))}\n`);
          return 0;
        }
        if (typeof flags.cfg === 'string') {
          const prepared = await prepareJob({ ...source, schema: flags.resolve ? source.schema : undefined }, overrides);
          const jobNode: Node = flags.resolve ? prepared.resolved : prepared.config;
          const runtimeNode: Node = prepared.runtime;
          let out: Node;
          if (flags.cfg === 'job') out = jobNode;
          else if (flags.cfg === 'hydra' || flags.cfg === 'trellis') {
            out = dictNode();
            setKey(out, flags.cfg, runtimeNode);
          } else {
            out = dictNode();
            setKey(out, 'trellis', runtimeNode);
            if (jobNode.kind === 'dict') for (const [id, e] of jobNode.entries) out.entries.set(id, e);
          }
          if (typeof flags.package === 'string' && flags.package) {
            const selected = selectPath(out, flags.package);
            if (!selected) throw new TrellisError('KEY_NOT_FOUND', `--package ${flags.package}: no such key`, { keyPath: flags.package });
            out = selected;
          }
          io.stdout(toYamlText(out));
          return 0;
        }
        if (io.env[CHILD_ENV.resultFile]) return await childJob(source, overrides, io, argv);
        if (flags.multirun || flags.resume !== undefined) return await multirun(source, flags, overrides, io, argv);
        const result = await runOne(source, overrides, io, argv);
        if (result.status !== 'completed') {
          io.stderr(`[trellis] run failed (${relative(source.cwd, result.dir)}): ${result.error instanceof TrellisError ? formatError(result.error, { verbose }) : result.error instanceof Error ? result.error.message : String(result.error)}\n`);
        } else io.stderr(`[trellis] run completed: ${relative(source.cwd, result.dir)}\n`);
        return result.exitCode;
      } catch (error) {
        const c = colors(io.color);
        if (error instanceof TrellisError) {
          io.stderr(`${formatError(error, { verbose, color: c })}\n`);
          return error.code === 'USAGE' ? 2 : 1;
        }
        io.stderr(`${c.red('INTERNAL')} ${error instanceof Error ? error.message : String(error)}\n`);
        if (verbose && error instanceof Error) io.stderr(`${error.stack ?? ''}\n`);
        return 70;
      }
    },
  };
  return app;
}

/**
 * The SLURM launcher's options as given, by flag or by config (`trellis.launcher.*`, also the key
 * names of Hydra's submitit plugin: timeout_min, mem_gb, array_parallelism, additional_parameters).
 * Unset ones stay undefined: a resumed sweep keeps what it was started with.
 */
function slurmOptions(
  flags: Record<string, string | boolean | undefined>,
  argv: readonly string[],
  runtime: Node,
  int: (name: string, text: string | undefined) => number | undefined,
): Partial<SlurmOptions> {
  const node = (path: string) => selectPath(runtime, `launcher.${path}`);
  const value = (path: string): string | undefined => {
    const n = node(path);
    return n?.kind === 'value' && n.value !== null ? String(n.value) : undefined;
  };
  const flag = (name: string) => (typeof flags[name] === 'string' && flags[name] !== '' ? (flags[name] as string) : undefined);
  const timeoutMin = value('timeout_min');
  const memGb = value('mem_gb');
  const pollText = flag('poll-interval') ?? value('poll_interval');
  const poll = pollText === undefined ? undefined : Number(pollText);
  if (poll !== undefined && !(poll > 0)) throw new TrellisError('USAGE', `--poll-interval must be a positive number of seconds, got '${pollText}'`);
  const time = flag('time') ?? value('time') ?? timeoutMin;
  if (time !== undefined && !/^(\d+|\d+:\d+|\d+:\d+:\d+|\d+-\d+|\d+-\d+:\d+|\d+-\d+:\d+:\d+|UNLIMITED|INFINITE)$/i.test(time)) {
    throw new TrellisError('USAGE', `--time must be a SLURM time limit (minutes, MM:SS, HH:MM:SS or D-HH:MM:SS), got '${time}'`);
  }
  // --sbatch-arg=ARG may be given many times (the flag table keeps only the last): read argv.
  const sbatchArgs: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a.startsWith('--sbatch-arg=')) sbatchArgs.push(a.slice('--sbatch-arg='.length));
    else if (a === '--sbatch-arg' && argv[i + 1] !== undefined) sbatchArgs.push(argv[++i]!);
  }
  const configured: string[] = [];
  const list = node('sbatch_args');
  if (list) {
    const plain = toPlain(list);
    if (Array.isArray(plain)) configured.push(...plain.map(String));
  }
  for (const key of ['qos', 'account', 'gres', 'constraint', 'exclude', 'nodelist', 'comment']) {
    const v = value(key);
    if (v !== undefined) configured.push(`--${key}=${v}`);
  }
  const extra = node('additional_parameters');
  if (extra) {
    const plain = toPlain(extra);
    if (plain && typeof plain === 'object' && !Array.isArray(plain)) for (const [k, v] of Object.entries(plain)) configured.push(v === true ? `--${k}` : `--${k}=${String(v)}`);
  }
  const all = [...configured, ...sbatchArgs];
  return {
    partition: flag('partition') ?? value('partition'),
    time,
    cpusPerTask: int('cpus-per-task', flag('cpus-per-task') ?? value('cpus_per_task')),
    mem: flag('mem') ?? value('mem') ?? (memGb === undefined ? undefined : `${memGb}G`),
    maxParallel: int('max-parallel', flag('max-parallel') ?? value('max_parallel') ?? value('array_parallelism')),
    sbatchArgs: all.length ? all : undefined,
    pollInterval: poll,
    jobName: value('job_name'),
  } as Partial<SlurmOptions>;
}

/** The launcher's record for run.json; its file paths (relative to the sweep) made relative to cwd like `sweep.dir`. */
function launcherRecord(text: string | undefined, sweepDir: string, cwd: string): Record<string, unknown> | undefined {
  if (!text) return undefined;
  try {
    const info = JSON.parse(text) as Record<string, unknown>;
    for (const key of ['stdout', 'stderr']) if (typeof info[key] === 'string') info[key] = relative(cwd, resolvePath(sweepDir, info[key] as string));
    return info;
  } catch {
    return undefined;
  }
}

/** The run directory this process made from `base` (`base`, or `base_N` when it existed): its run.json has our pid. */
function ownRunDir(base: string): string | undefined {
  const parent = dirname(base);
  const name = basename(base);
  let candidates: string[] = [];
  try {
    candidates = readdirSync(parent).filter((n) => n === name || (n.startsWith(`${name}_`) && /^\d+$/.test(n.slice(name.length + 1))));
  } catch {
    return undefined;
  }
  for (const n of candidates) {
    try {
      const run = JSON.parse(readFileSync(join(parent, n, '.trellis', 'run.json'), 'utf8')) as { pid?: number };
      if (run.pid === process.pid) return join(parent, n);
    } catch {
      // not a run (yet)
    }
  }
  return undefined;
}

/** Opens a repository the way an app would; exported for tools that inspect an app's configs. */
export { openConfigDir };
