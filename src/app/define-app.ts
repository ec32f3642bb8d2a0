import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgv } from '../console/argv.js';
import { reportError } from '../console/report-error.js';
import { projectVersion, trellisVersion } from '../console/versions.js';
import { TrellisError, formatError } from '../errors/index.js';
import { composeFromDir } from '../config-dir/compose-dir.js';
import { selectPath } from '../config-dir/select.js';
import { createDefaultResolvers, type ResolverFn, type ResolverOptions, type ResolverRegistry } from '../interpolate/index.js';
import { locateCaller } from '../job/app-module.js';
import type { JobFunction } from '../job/execute.js';
import { Interrupts } from '../job/interrupts.js';
import { ThreadJobRunner, type JobRunner, type ThreadOutput } from '../job/job-runner.js';
import { prepareJob, type JobSource } from '../job/prepare.js';
import type { Run } from '../job/run-handle.js';
import { captureSnapshots, runJob, type JobResult } from '../job/run-job.js';
import { jobThreadData, offerJob } from '../job/thread-registry.js';
import { CHILD_ENV, JOB_THREAD_ENV, POOL_ENV } from '../records/env-vars.js';
import { toYamlText } from '../tree/emit.js';
import { dictNode, setKey, type Node } from '../tree/node.js';
import type { ConfigSchema } from '../validate/validate.js';
import { APP_COMMAND } from './app-options.js';
import { appHelp, appInfo } from './app-help.js';
import { runChildJob, servePool } from './job-process.js';
import type { Flags } from './sweep-options.js';

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
  // Where the app is defined: a job thread imports that module to get the job function.
  const module = locateCaller();
  offerJob(module, job as JobFunction<unknown>);
  // This app's resolvers: the built-ins plus its own; never shared with other apps.
  const resolvers = options.resolvers ?? createDefaultResolvers();

  const sourceFor = (flags: Flags, env: NodeJS.ProcessEnv): JobSource => {
    const cwd = options.cwd ?? process.cwd();
    const configName = (typeof flags['config-name'] === 'string' && flags['config-name']) || options.configName || 'config';
    const configDir =
      (typeof flags['config-dir'] === 'string' && flags['config-dir']) ||
      (typeof flags['config-path'] === 'string' && flags['config-path']) ||
      options.configDir ||
      'conf';
    return { configDir, configName, cwd, env, schema: options.schema, resolvers, name: options.name ?? configName };
  };

  const runnerFor = (io: AppIo, output: ThreadOutput) =>
    new ThreadJobRunner(io.env[JOB_THREAD_ENV] === 'off' ? undefined : module, job as JobFunction<unknown>, { output, warn: (line) => io.stderr(`${line}\n`) });

  const runOne = async (source: JobSource, overrides: readonly string[], io: AppIo, argv: readonly string[], runner: JobRunner): Promise<JobResult> => {
    const interrupts = new Interrupts();
    try {
      // git runs while the config composes and validates, and the job thread loads meanwhile.
      const snapshots = captureSnapshots({ env: source.env, cwd: source.cwd, argv });
      const prepared = await prepareJob(source, overrides);
      return await runJob({ snapshots, prepared, runner, interrupts, source, argv, entry: entryOf(source), print: (line) => io.stderr(`${line}\n`) });
    } finally {
      interrupts.dispose();
      await runner.close();
    }
  };

  const multirun = async (source: JobSource, flags: Flags, overrides: readonly string[], io: AppIo, argv: readonly string[]): Promise<number> => {
    const runtime = composeFromDir({
      configDir: source.configDir,
      configName: source.configName,
      cwd: source.cwd,
      env: source.env,
      overrides,
      multirun: true,
    }).runtime;
    // Sweep machinery (settings, sweepers, launchers, progress) loads only for -m.
    const [{ sweepSettings }, { runMultirun }] = await Promise.all([import('./sweep-options.js'), import('./multirun.js')]);
    const settings = sweepSettings(flags, argv, runtime);
    const interrupts = new Interrupts();
    try {
      return await runMultirun({
        ...settings,
        source,
        runner: (output) => runnerFor(io, output),
        overrides,
        baseArgs: ['--config-dir', source.configDir, '--config-name', source.configName],
        argv,
        entry: entryScript,
        interrupts,
        io: { stderr: io.stderr, isTTY: io.isTTY },
      });
    } finally {
      interrupts.dispose();
    }
  };

  const entryOf = (source: JobSource) => (entryScript ? relative(source.cwd, entryScript) : undefined);
  const processJob = (source: JobSource, io: AppIo, argv: readonly string[]) => ({
    source,
    argv,
    entry: entryOf(source),
    runner: runnerFor(io, 'inherit'),
    print: (line: string) => io.stderr(`${line}\n`),
  });

  const app: App<InferConfig<S>> = {
    job: job as JobFunction<InferConfig<S>>,
    options: options as DefineAppOptions<ConfigSchema | undefined>,
    registerResolver(name, fn, resolverOptions) {
      resolvers.register(name, fn, resolverOptions);
      return app;
    },
    async run(overrides = []) {
      const io = defaultIo();
      // On the caller's thread: a program that runs jobs itself decides how to stop them.
      return runOne(
        sourceFor({}, io.env),
        overrides,
        io,
        [...overrides],
        new ThreadJobRunner(undefined, job as JobFunction<unknown>, { output: 'inherit', warn: () => undefined }),
      );
    },
    async main(argv = process.argv.slice(2), partialIo = {}) {
      // In a job thread the app only hands over its job (offerJob above); it never runs main.
      if (jobThreadData()) return new Promise<number>(() => undefined);
      const io = { ...defaultIo(), ...partialIo };
      const verbose = argv.includes('--verbose');
      try {
        const { flags, overrides } = parseCommandArgv(APP_COMMAND, argv);
        const source = sourceFor(flags, io.env);
        if (flags.version) {
          // The app's own version (its nearest package.json) and the trellis it runs on; no job.
          const script = module ? fileURLToPath(module.url) : (entryScript ?? join(source.cwd, 'package.json'));
          io.stdout(`${projectVersion(script, source.name)}\ntrellis ${trellisVersion()}\n`);
          return 0;
        }
        if (flags.help) {
          io.stdout(`${await appHelp(source, APP_COMMAND)}\n`);
          return 0;
        }
        if (flags.info !== undefined) {
          io.stdout(`${await appInfo(source, overrides, String(flags.info || 'all'))}\n`);
          return 0;
        }
        if (typeof flags.cfg === 'string') {
          io.stdout(await printedConfig(source, flags, overrides));
          return 0;
        }
        if (io.env[POOL_ENV]) return await servePool(processJob(source, io, argv));
        if (io.env[CHILD_ENV.resultFile]) return await runChildJob(processJob(source, io, argv), overrides, io.env);
        if (flags.multirun || flags.resume !== undefined) return await multirun(source, flags, overrides, io, argv);
        // The job thread starts first: it loads the app's modules while this thread composes.
        const result = await runOne(source, overrides, io, argv, runnerFor(io, 'inherit'));
        io.stderr(`${runReport(result, source.cwd, verbose)}\n`);
        return result.exitCode;
      } catch (error) {
        return reportError(error, io, verbose);
      }
    },
  };
  return app;
}

/** `--cfg job|hydra|all` (with `--resolve`, `--package`): the config as YAML, nothing run. */
async function printedConfig(source: JobSource, flags: Flags, overrides: readonly string[]): Promise<string> {
  const prepared = await prepareJob({ ...source, schema: flags.resolve ? source.schema : undefined }, overrides);
  const jobNode: Node = flags.resolve ? prepared.resolved : prepared.config;
  let out: Node;
  if (flags.cfg === 'job') out = jobNode;
  else if (flags.cfg === 'hydra' || flags.cfg === 'trellis') {
    out = dictNode();
    setKey(out, flags.cfg, prepared.runtime);
  } else {
    out = dictNode();
    setKey(out, 'trellis', prepared.runtime);
    if (jobNode.kind === 'dict') for (const [id, e] of jobNode.entries) out.entries.set(id, e);
  }
  if (typeof flags.package === 'string' && flags.package) {
    const selected = selectPath(out, flags.package);
    if (!selected) throw new TrellisError('KEY_NOT_FOUND', `--package ${flags.package}: no such key`, { keyPath: flags.package });
    out = selected;
  }
  return toYamlText(out);
}

/** The line a single run ends with: where it is, and why it did not complete. */
function runReport(result: JobResult, cwd: string, verbose: boolean): string {
  const where = relative(cwd, result.dir);
  if (result.status === 'completed') return `[trellis] run completed: ${where}`;
  const why =
    result.error instanceof TrellisError ? formatError(result.error, { verbose }) : result.error instanceof Error ? result.error.message : String(result.error);
  return `[trellis] run ${result.status} (${where}): ${why}`;
}
