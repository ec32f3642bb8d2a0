import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { enableCompileCache } from '../console/compile-cache.js';
import { projectVersion, trellisVersion } from '../console/versions.js';
import { createDefaultResolvers, type ResolverFn, type ResolverOptions, type ResolverRegistry } from '../interpolate/index.js';
import { bindRegistry } from '../instantiate/job-context.js';
import { TargetRegistry, type TargetFactory } from '../instantiate/registry.js';
import { locateCaller } from '../job/app-module.js';
import type { JobFunction } from '../job/execute.js';
import { ThreadJobRunner } from '../job/job-runner.js';
import type { JobSource } from '../job/prepare.js';
import type { Run } from '../job/run-handle.js';
import type { JobResult } from '../job/run-job.js';
import { jobThreadData, offerJob } from '../job/thread-registry.js';
import { JOB_THREAD_ENV } from '../records/env-vars.js';
import type { ConfigSchema } from '../validate/validate.js';
import { APP_COMMAND } from './app-options.js';
import { defaultIo, runJobCommand, runOne, type AppIo, type JobKind } from './app-main.js';
import type { Flags } from './sweep-options.js';
import { checkArgs } from '../errors/check-args.js';

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

/**
 * A factory for `app.register`. With a schema it takes the checked options object, typed by the
 * schema (`_args_`, when a config gives them, come before it).
 */
export type RegisteredFactory<S extends ConfigSchema | undefined> = S extends { _output: infer O }
  ? ((options: O) => unknown) | (abstract new (options: O) => unknown)
  : TargetFactory;

export type { AppIo } from './app-main.js';

export interface App<C> {
  /** Parses a command line (Hydra's flags + overrides), runs and returns the exit code. */
  main(argv?: readonly string[], io?: Partial<AppIo>): Promise<number>;
  /** Runs one job with these overrides and returns its result. */
  run(overrides?: readonly string[]): Promise<JobResult>;
  /** The job function, for tests. */
  readonly job: JobFunction<C>;
  /** Adds a resolver for this app only: `${name:args}` in its configs. */
  registerResolver(name: string, fn: ResolverFn, options?: ResolverOptions): App<C>;
  /**
   * Names a config's `_target_` may use besides modules of the project: `adam`, or a Hydra
   * config's Python target (`torch.optim.Adam`). `schema` checks the options before the call.
   * Register before `main()`: a job thread runs the module's top level again up to there.
   */
  register<S extends ConfigSchema | undefined = undefined>(name: string, factory: RegisteredFactory<S>, schema?: S): App<C>;
  /** The options the app was defined with (its schema, config location). */
  readonly options: DefineAppOptions<ConfigSchema | undefined>;
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
  checkArgs('defineApp', [
    ['options', options, 'object', { configDir: 'string?', configName: 'string?', name: 'string?', cwd: 'string?' }],
    ['job', job, 'function'],
  ]);
  const entryScript = process.argv[1];
  // Where the app is defined: a job thread imports that module to get the job function.
  const module = locateCaller();
  offerJob(module, job as JobFunction<unknown>);
  // This app's resolvers: the built-ins plus its own; never shared with other apps.
  const resolvers = options.resolvers ?? createDefaultResolvers();
  // Targets `instantiate` may build for this app's jobs; found through the job function.
  const targets = new TargetRegistry();
  bindRegistry(job, targets);

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

  const kind: JobKind = {
    spec: APP_COMMAND,
    source: async (flags, env) => sourceFor(flags, env),
    runner: (io, output) =>
      new ThreadJobRunner(io.env[JOB_THREAD_ENV] === 'off' ? undefined : module, job as JobFunction<unknown>, {
        output,
        warn: (line) => io.stderr(`${line}\n`),
      }),
    entry: entryScript,
    childArgs: (source) => ['--config-dir', source.configDir, '--config-name', source.configName],
    version(source) {
      // The app's own version (its nearest package.json) and the trellis it runs on; no job.
      const script = module ? fileURLToPath(module.url) : (entryScript ?? join(source.cwd, 'package.json'));
      return `${projectVersion(script, source.name)}\ntrellis ${trellisVersion()}`;
    },
  };

  const app: App<InferConfig<S>> = {
    job: job as JobFunction<InferConfig<S>>,
    options: options as DefineAppOptions<ConfigSchema | undefined>,
    register(name, factory, schema) {
      targets.register(name, factory as TargetFactory, schema);
      return app;
    },
    registerResolver(name, fn, resolverOptions) {
      resolvers.register(name, fn, resolverOptions);
      return app;
    },
    async run(overrides = []) {
      const io = defaultIo();
      // On the caller's thread: a program that runs jobs itself decides how to stop them.
      return runOne(
        kind,
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
      // For the modules a run loads from here on (the app's own are loaded by now).
      enableCompileCache();
      return runJobCommand(kind, argv, { ...defaultIo(), ...partialIo });
    },
  };
  return app;
}
