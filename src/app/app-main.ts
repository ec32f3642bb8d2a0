import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { recordPath, RUN_FILES } from '../records/names.js';
import { parseCommandArgv } from '../console/argv.js';
import type { CommandSpec } from '../console/command-spec.js';
import { reportError } from '../console/report-error.js';
import { composeFromDir } from '../config-dir/compose-dir.js';
import { selectPath } from '../config-dir/select.js';
import { TrellisError, formatError } from '../errors/index.js';
import { Interrupts } from '../job/interrupts.js';
import { RUN_COMMAND } from './app-options.js';
import type { JobRunner, ThreadOutput } from '../job/job-runner.js';
import { prepareJob, type JobSource } from '../job/prepare.js';
import { captureSnapshots, runJob, type JobResult, type KindRecord } from '../job/run-job.js';
import { CHILD_ENV, POOL_ENV } from '../records/env-vars.js';
import { toYamlText } from '../tree/emit.js';
import { dictNode, isMissing, setKey, type Node } from '../tree/node.js';
import { appHelp, appInfo } from './app-help.js';
import { runChildJob, servePool } from './job-process.js';
import type { Flags } from './sweep-options.js';

export interface AppIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  color: boolean;
  /** Progress lines redraw in place on a terminal; elsewhere they are plain lines. */
  isTTY: boolean;
}

export function defaultIo(): AppIo {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    color: Boolean(process.stderr.isTTY) && !('NO_COLOR' in process.env),
    isTTY: Boolean(process.stderr.isTTY),
  };
}

/**
 * What differs between kinds of jobs (a Node function defined by `defineApp`, a program run by
 * `trellis run -- …`); everything else about a command line (flags, --cfg, sweeps, launchers,
 * records) is the same for both.
 */
export interface JobKind {
  spec: CommandSpec;
  source(flags: Flags, env: NodeJS.ProcessEnv): Promise<JobSource>;
  runner(io: AppIo, output: ThreadOutput): JobRunner;
  /** The script a launcher's process or `rerun` starts (node SCRIPT ARGS…), absolute. */
  entry: string | undefined;
  /** The arguments such a process gets before its overrides: config dir and name, job flags. */
  childArgs(source: JobSource): string[];
  /** What run.json records about the job besides the common fields. */
  record?: KindRecord | undefined;
  /** `--version`: the job's own version and trellis's. */
  version(source: JobSource): string;
}

/** Runs one command line of a job kind: prints what a flag asks for, or runs the job or the sweep. */
export async function runJobCommand(kind: JobKind, argv: readonly string[], io: AppIo): Promise<number> {
  const verbose = argv.includes('--verbose');
  try {
    const parsed = parseCommandArgv(kind.spec, argv);
    const flags = parsed.flags;
    // A flag that is a config value: as an override it reaches every job of a sweep, on any launcher, and reruns.
    const overrides = flags.tensorboard ? [...parsed.overrides, '++trellis.tensorboard=true'] : parsed.overrides;
    const source = await kind.source(flags, io.env);
    if (typeof flags['shell-completion'] === 'string') {
      const { answerShellCompletion } = await import('../completion/app-completion.js');
      return await answerShellCompletion(flags['shell-completion'], { ...source, spec: kind.spec, entry: kind.entry }, io);
    }
    if (flags.version) {
      io.stdout(`${kind.version(source)}\n`);
      return 0;
    }
    if (flags.help) {
      io.stdout(`${await appHelp(source, kind.spec)}\n`);
      return 0;
    }
    if (flags.info !== undefined) {
      io.stdout(`${await appInfo(source, overrides, String(flags.info || 'all'))}\n`);
      return 0;
    }
    if (typeof flags.cfg === 'string') {
      io.stdout(await printedConfig(source, flags, overrides, (line) => io.stderr(`warning: ${line}\n`)));
      return 0;
    }
    if (io.env[POOL_ENV]) return await servePool(processJob(kind, source, io, argv));
    if (io.env[CHILD_ENV.resultFile]) return await runChildJob(processJob(kind, source, io, argv), overrides, io.env);
    if (flags.multirun || flags.resume !== undefined) return await multirun(kind, source, flags, overrides, io, argv);
    // The runner starts first: a job thread loads the app's modules while this thread composes.
    // With --format json, stdout carries the summary alone: the job's output goes to stderr.
    const output: ThreadOutput = flags.format === 'json' ? (line) => io.stderr(`${line}\n`) : 'inherit';
    const result = await runOne(kind, source, overrides, io, argv, kind.runner(io, output));
    io.stderr(`${runReport(result, source.cwd, verbose)}\n`);
    if (flags.format === 'json') io.stdout(`${JSON.stringify(runSummary(result, source.cwd))}\n`);
    return result.exitCode;
  } catch (error) {
    return reportError(error, io, verbose);
  }
}

/** One run in a new run directory, supervised; the runner is closed afterwards. */
export async function runOne(
  kind: Pick<JobKind, 'entry' | 'record'>,
  source: JobSource,
  overrides: readonly string[],
  io: AppIo,
  argv: readonly string[],
  runner: JobRunner,
): Promise<JobResult> {
  const interrupts = new Interrupts();
  try {
    // git runs while the config composes and validates.
    const snapshots = captureSnapshots({ env: source.env, cwd: source.cwd, argv });
    const prepared = await prepareJob(source, overrides);
    return await runJob({
      snapshots,
      prepared,
      runner,
      interrupts,
      source,
      argv,
      entry: entryOf(kind, source),
      record: kind.record,
      print: (line) => io.stderr(`${line}\n`),
    });
  } finally {
    interrupts.dispose();
    await runner.close();
  }
}

const entryOf = (kind: Pick<JobKind, 'entry'>, source: JobSource) => (kind.entry ? relative(source.cwd, kind.entry) : undefined);

function processJob(kind: JobKind, source: JobSource, io: AppIo, argv: readonly string[]) {
  return {
    source,
    argv,
    entry: entryOf(kind, source),
    record: kind.record,
    runner: kind.runner(io, 'inherit'),
    print: (line: string) => io.stderr(`${line}\n`),
  };
}

async function multirun(kind: JobKind, source: JobSource, flags: Flags, overrides: readonly string[], io: AppIo, argv: readonly string[]): Promise<number> {
  const { runtime, choices } = composeFromDir({
    configDir: source.configDir,
    configName: source.configName,
    cwd: source.cwd,
    env: source.env,
    overrides,
    multirun: true,
  });
  // Sweep machinery (settings, sweepers, launchers, progress) loads only for -m.
  const [{ sweepSettings }, { runMultirun }] = await Promise.all([import('./sweep-options.js'), import('./multirun.js')]);
  const settings = sweepSettings(flags, argv, runtime, choices);
  for (const warning of settings.warnings) io.stderr(`warning: ${warning}\n`);
  // A program returns no value: a model-based sweep of one learns only from a metric it logs.
  if (
    kind.spec === RUN_COMMAND &&
    (settings.sweeper === 'tpe' || settings.sweeper === 'pbt') &&
    settings.objective === undefined &&
    settings.resume === undefined
  ) {
    throw new TrellisError('USAGE', `--sweeper ${settings.sweeper} needs --objective NAME to learn from a program's runs`, {
      hint: 'name a metric the program logs (a line in $TRELLIS_METRICS, or @trellis {"NAME": …} on stdout), and --mode min|max',
    });
  }
  const interrupts = new Interrupts();
  try {
    return await runMultirun({
      ...settings,
      source,
      runner: (output) => kind.runner(io, output),
      overrides,
      baseArgs: kind.childArgs(source),
      argv,
      entry: kind.entry,
      record: kind.record,
      interrupts,
      io: { stderr: io.stderr, isTTY: io.isTTY },
      ...(flags.format === 'json' && {
        onEnd: (dir, rows, objective) =>
          io.stdout(`${JSON.stringify({ sweep_dir: relative(source.cwd, dir) || '.', objective, jobs: rows.map(({ launcher: _l, ...row }) => row) })}\n`),
      }),
    });
  } finally {
    interrupts.dispose();
  }
}

/** `--cfg job|hydra|all` (with `--resolve`, `--package`): the config as YAML, nothing run. */
async function printedConfig(source: JobSource, flags: Flags, overrides: readonly string[], warn: (line: string) => void): Promise<string> {
  const prepared = await prepareJob({ ...source, schema: flags.resolve ? source.schema : undefined, checkJob: undefined }, overrides);
  prepared.warnings.forEach(warn);
  const jobNode: Node = flags.resolve ? prepared.resolved : prepared.config;
  let out: Node;
  if (flags.cfg === 'job') out = jobNode;
  else if (flags.cfg === 'hydra' || flags.cfg === 'trellis') {
    out = dictNode();
    setKey(out, flags.cfg, prepared.runtime);
  } else {
    // Hydra's --cfg all shows the runtime node as `hydra:`, as --cfg hydra does.
    out = dictNode();
    setKey(out, 'hydra', prepared.runtime);
    if (jobNode.kind === 'dict') for (const [id, e] of jobNode.entries) out.entries.set(id, e);
  }
  if (typeof flags.package === 'string' && flags.package) {
    // `trellis.` and `hydra.` name the same node whichever root was printed.
    const root = out.kind === 'dict' && out.entries.has('hydra') && !out.entries.has('trellis') ? 'hydra' : 'trellis';
    const alias = root === 'hydra' ? /^trellis(?=\.|$)/ : /^hydra(?=\.|$)/;
    const selected = selectPath(out, flags.package) ?? (alias.test(flags.package) ? selectPath(out, flags.package.replace(alias, root)) : undefined);
    if (!selected) throw new TrellisError('KEY_NOT_FOUND', `--package ${flags.package}: no such key`, { keyPath: flags.package });
    // Hydra resolves the selected value and fails on ??? (MissingMandatoryValue) instead of printing it.
    if (flags.resolve && isMissing(selected)) {
      throw new TrellisError('MISSING_VALUE', `Missing mandatory value: ${flags.package}`, {
        where: selected.kind === 'value' ? selected.origin : undefined,
        keyPath: flags.package,
        hint: `set it in a config or on the command line (${flags.package}=...)`,
      });
    }
    out = selected;
  }
  return toYamlText(out);
}

/**
 * `--format json` of a single run: one line on stdout, for scripts (the log stays on stderr). The
 * result and error are read back from the records, where secrets are redacted.
 */
function runSummary(result: JobResult, cwd: string): Record<string, unknown> {
  const read = (file: string): Record<string, unknown> | null => {
    try {
      return JSON.parse(readFileSync(recordPath(result.dir, file), 'utf8')) as Record<string, unknown>;
    } catch {
      return null;
    }
  };
  const error = read(RUN_FILES.run)?.error as { message?: unknown } | null | undefined;
  return {
    status: result.status,
    exit_code: result.exitCode,
    id: result.id,
    run_dir: relative(cwd, result.dir),
    result: read(RUN_FILES.summary)?.result ?? null,
    error: typeof error?.message === 'string' ? error.message : null,
  };
}

/** The line a single run ends with: where it is, and why it did not complete. */
function runReport(result: JobResult, cwd: string, verbose: boolean): string {
  const where = relative(cwd, result.dir);
  if (result.status === 'completed') return `[trellis] run completed: ${where}`;
  const why =
    result.error instanceof TrellisError ? formatError(result.error, { verbose }) : result.error instanceof Error ? result.error.message : String(result.error);
  return `[trellis] run ${result.status} (${where}): ${why}`;
}
