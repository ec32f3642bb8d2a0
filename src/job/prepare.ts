import { resolve as resolvePath } from 'node:path';
import { compose, type Composition } from '../compose/compose.js';
import { createDefaultResolvers, resolveTree, type ResolverRegistry } from '../interpolate/index.js';
import { openConfigDir, setsSearchPath } from '../config-dir/compose-dir.js';
import type { ConfigRepository } from '../sources/repository.js';
import { createResolveContext, dereferenceFor } from '../config-dir/resolve.js';
import { toPlain, type DictNode, type Node } from '../tree/node.js';
import type { ConfigSchema } from '../validate/validate.js';
import { resolveRuntime, runtimeContext, runtimeOf, runtimeValue } from '../config-dir/runtime.js';
import { TrellisError } from '../errors/index.js';
import { recordedEnvReads, redactText, secretValuesFromEnv } from '../run/secrets.js';

export interface JobSource {
  configDir: string;
  configName: string;
  /** Directory that relative config dirs and run dirs are taken from. */
  cwd: string;
  env: NodeJS.ProcessEnv;
  schema?: ConfigSchema | undefined;
  resolvers?: ResolverRegistry | undefined;
  /** The app's name: `job.name` (Hydra uses the script name). */
  name: string;
  /**
   * Where config files are read; default: a new repository over `configDir` per job. A sweep
   * passes one for all its jobs, so each file is read and parsed once.
   */
  repository?: ConfigRepository | undefined;
  /**
   * Checks what the job kind itself needs of a prepared job (a command job: that its arguments
   * interpolate), so a bad job fails before its run directory exists and a sweep's pre-check
   * catches it.
   */
  checkJob?: ((prepared: PreparedJob) => void) | undefined;
}

export interface JobPlacement {
  /** Job number in a sweep (0 for a single run). */
  num?: number;
  /** The sweep's directory, when the job belongs to one. */
  sweepDir?: string;
}

export interface PreparedJob {
  composition: Composition;
  /** The job config as composed, interpolations kept. */
  config: DictNode;
  /** What the job sees: interpolations resolved, schema defaults applied. */
  resolved: Node;
  /** `resolved` as plain values. */
  plain: unknown;
  /** The runtime node with computed values, resolved (run.dir, job.name…). */
  runtime: Node;
  /** The config read `${hydra:runtime.output_dir}`: prepared for another directory, it must be prepared again. */
  readsOutputDir: boolean;
  /** The log file the runtime node names (`job_logging.handlers.file.filename`), absolute. */
  logFile: string | undefined;
  /** Absolute run directory the job will get (before uniqueness suffixes). */
  runDir: string;
  /** For a job of a sweep: its run directory relative to the sweep's (`sweep.subdir`). */
  sweepSubdir: string | undefined;
  now: Date;
  secrets: Set<string>;
  overrides: readonly string[];
  /** The environment the job composed with (and a program job runs with). */
  env: NodeJS.ProcessEnv;
  /** The environment variables the config read (`oc.env`), as recorded: secret-named ones fingerprinted, unset ones null. */
  envReads: Record<string, string | null>;
  /** Deprecated forms in the configs or resolvers used (Hydra warns about the same ones), one line each. */
  warnings: string[];
}

/**
 * Composes, resolves and validates one job from its override strings. Every launcher goes
 * through here, so a job composes the same wherever it runs.
 */
export async function prepareJob(source: JobSource, overrides: readonly string[], placement: JobPlacement = {}, now: Date = new Date()): Promise<PreparedJob> {
  const secrets = new Set<string>();
  try {
    return await composeJob(source, overrides, placement, now, secrets);
  } catch (error) {
    // Errors quote values (zod's "got '…'", a decode failure): the secrets the config read must
    // not reach a terminal, a CI log or a SLURM .err file any more than the records.
    if (!(error instanceof TrellisError)) throw error;
    const known = [...secrets, ...secretValuesFromEnv(source.env)];
    throw known.length ? error.mapText((text) => redactText(text, known)) : error;
  }
}

async function composeJob(source: JobSource, overrides: readonly string[], placement: JobPlacement, now: Date, secrets: Set<string>): Promise<PreparedJob> {
  const shared = setsSearchPath(overrides) ? undefined : source.repository;
  const repo = shared ?? openConfigDir(source.configDir, source.configName, source.cwd, overrides, source.env);
  const base = createResolveContext({ env: source.env, now, secrets, resolvers: source.resolvers ?? createDefaultResolvers() });
  const composition = compose({ repo, configName: source.configName, overrides, dereference: dereferenceFor(base) });
  const job = { name: source.name, configName: source.configName, configDir: source.configDir, num: placement.num, cwd: resolvePath(source.cwd) };
  // Where the run goes comes first: runtime.output_dir is part of what the config may read.
  const placed = runtimeContext(composition.config, runtimeOf(composition, job), base);
  const selectText = (path: string) => {
    const node = runtimeValue(placed, path);
    return node?.kind === 'value' && node.value !== null ? String(node.value) : undefined;
  };
  // A sweep's directory comes from the first job's runtime: an error in it is this job's too.
  if (placement.sweepDir !== undefined) selectText('sweep.dir');
  const sweepSubdir = placement.sweepDir === undefined ? undefined : (selectText('sweep.subdir') ?? String(placement.num ?? 0));
  const runDir = placement.sweepDir !== undefined ? resolvePath(placement.sweepDir, sweepSubdir!) : resolvePath(source.cwd, selectText('run.dir') ?? 'outputs');
  const runtimeReads = new Set<string>();
  const envReads = new Map<string, string | undefined>();
  const warnings = [...composition.warnings];
  const warn = (message: string) => void warnings.push(message);
  const ctx = { ...runtimeContext(composition.config, runtimeOf(composition, { ...job, outputDir: runDir }), base), runtimeReads, envReads, warn };
  const resolvedRaw = resolveTree(composition.config, ctx);
  let resolved: Node = resolvedRaw;
  let plain = toPlain(resolvedRaw);
  if (source.schema) {
    const { validateConfig } = await import('../validate/validate.js');
    const result = validateConfig(source.schema, resolvedRaw, plain);
    resolved = result.node;
    plain = result.data;
  }
  const runtime = resolveRuntime(ctx);
  // Hydra's job_logging file handler (lightning-hydra-template: ${hydra.runtime.output_dir}/${task_name}.log).
  const logFileNode = runtimeValue(ctx, 'job_logging.handlers.file.filename');
  const logFile = logFileNode?.kind === 'value' && typeof logFileNode.value === 'string' ? resolvePath(source.cwd, logFileNode.value) : undefined;
  const readsOutputDir = [...runtimeReads].some((path) => path === '' || `runtime.output_dir`.startsWith(`${path}.`) || path.startsWith('runtime.output_dir'));
  const prepared = {
    composition,
    config: composition.config,
    resolved,
    plain,
    runtime,
    runDir,
    sweepSubdir,
    readsOutputDir,
    logFile,
    now,
    secrets,
    overrides,
    env: source.env,
    envReads: recordedEnvReads(envReads),
    warnings: [...new Set(warnings)],
  };
  source.checkJob?.(prepared);
  return prepared;
}
