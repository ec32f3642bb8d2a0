import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import { redactorFor } from '../run/secrets.js';
import { mkdirSync, readdirSync, rmdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { CHILD_ENV, COMMAND_ENV, LAUNCHER_INFO_ENV, POOL_ENV, RERUN_ENV } from '../records/env-vars.js';
import { checkpointsDir } from '../records/checkpoint.js';
import { writeControl, type ControlDecision } from '../records/control.js';
import { ARTIFACTS_DIR, logFilePath, recordPath, RUN_FILES } from '../records/names.js';
import { writeJsonAtomic } from '../run/atomic-write.js';
import { hashInput } from '../run/inputs.js';
import { captureProgramEnv, shebangLineOf } from '../run/program-env.js';
import { MetricsLog, summarizeMetricsFile, type MetricSummary } from '../run/metrics.js';
import { SeedBook } from '../run/seeds.js';
import { toJsonText, toYamlText } from '../tree/emit.js';
import { relayCommandOutput } from './command-output.js';
import { redactingStream } from './redact-stream.js';
import { shellQuote } from '../util/shell-quote.js';
import { errorRecord, type ErrorRecord, type JobTicket } from './execute.js';
import type { InterruptSignal } from './interrupts.js';
import type { JobEvents, JobOutcome, JobRunner, RunningJob, ThreadOutput } from './job-runner.js';
import type { PreparedJob } from './prepare.js';
import type { ArtifactRecord } from './run-handle.js';

/** How a command job runs; the same for every job of a sweep. */
export interface CommandJob {
  /** The command line of one job, run in `outputDir`; throws when it cannot be made (a bad `${…}`). */
  args(prepared: PreparedJob, outputDir: string): string[];
  /** How long a job asked to stop may take before its processes are killed. */
  killAfterMs: number;
  /** The job fails when it runs longer; undefined: no limit. */
  timeoutMs: number | undefined;
  /** Derived seeds handed to the job as TRELLIS_SEEDS. */
  seedNames: string[];
}

/** Variables between trellis processes that a job's program must not inherit (it may be a trellis app itself). */
const INTERNAL_ENV = [POOL_ENV, LAUNCHER_INFO_ENV, ...Object.values(CHILD_ENV), ...Object.values(RERUN_ENV)];

/**
 * Runs any program as a job: the child gets its config and where to put metrics and artifacts
 * through its environment (COMMAND_ENV), runs in a process group of its own so a stop reaches
 * every process it started, and is killed when it outlasts its grace period. Its output goes to
 * the console and the run's log; `@trellis {…}` lines on stdout are metrics.
 */
export class CommandJobRunner implements JobRunner {
  private readonly children = new Set<ChildProcess>();

  constructor(
    private readonly job: CommandJob,
    private readonly options: { output: ThreadOutput; warn: (line: string) => void },
  ) {}

  run(ticket: JobTicket, events: JobEvents, prepared?: PreparedJob): RunningJob {
    let stopRequested = false;
    let pruned = false;
    let pruneTimer: NodeJS.Timeout | undefined;
    let stopChild: (signal: InterruptSignal | undefined, reason?: string) => void = () => undefined;
    let killChild: () => void = () => undefined;
    const ended = (async (): Promise<JobOutcome> => {
      if (!prepared) return failed(new TrellisError('INTERNAL', 'a command job was started without its prepared config'));
      const seeds = new SeedBook(ticket.masterSeed);
      const derived = Object.fromEntries(this.job.seedNames.map((name) => [name, seeds.derive(name)]));
      const reportState = (artifacts: ArtifactRecord[]) => events.state({ tags: [], notes: [], artifacts, inputs: [], seeds: seeds.toJSON() });
      reportState([]);
      let args: string[];
      try {
        args = this.job.args(prepared, ticket.dir);
      } catch (error) {
        return failed(error instanceof Error ? error : errorRecord(error));
      }
      if (stopRequested) return { status: 'stopped' };
      const files = writeJobFiles(ticket, prepared);
      const metricsPath = recordPath(ticket.dir, RUN_FILES.metrics);
      const metrics = new MetricsLog(metricsPath, ticket.metricsFlushSeconds === undefined ? {} : { flushSeconds: ticket.metricsFlushSeconds });
      const env = childEnv(prepared.env, ticket, files, metricsPath, derived);
      // What the program runs on (interpreter, packages) is probed while it runs; never fails the job.
      const program = captureProgramEnv(args, { cwd: ticket.cwd, env, secretValues: ticket.secrets }).then((found) => {
        try {
          writeJsonAtomic(recordPath(ticket.dir, RUN_FILES.program), found);
        } catch {
          // the run's other records report a disk that cannot be written
        }
      });
      let child: ChildProcess;
      try {
        child = spawn(args[0]!, args.slice(1), {
          cwd: ticket.cwd,
          env,
          stdio: ['ignore', 'pipe', 'pipe'],
          // A process group of its own: a stop reaches everything the job started.
          detached: true,
        });
      } catch (error) {
        // Arguments spawn() refuses outright (an empty program from a `${…}`, a NUL byte).
        removeJobFiles(files);
        metrics.close();
        await program;
        return failed(new TrellisError('USAGE', `Cannot start ${display(args)}: ${error instanceof Error ? error.message : String(error)}`));
      }
      this.children.add(child);
      const group = new ProcessGroup(child);
      // The job's log and console get its output with the run's secrets masked, as every record does.
      const secretsMasked = (stream: Readable): Readable => (ticket.secrets.length ? stream.pipe(redactingStream(ticket.secrets)) : stream);
      const relay = relayCommandOutput({
        stdout: secretsMasked(child.stdout!),
        stderr: secretsMasked(child.stderr!),
        metrics,
        ...(ticket.secrets.length ? { redact: redactorFor(ticket.secrets) } : {}),
        logPath: ticket.logFile ?? logFilePath(ticket.dir, ticket.jobName),
        console: this.options.output === 'inherit' ? 'inherit' : this.options.output,
        warn: this.options.warn,
      });
      // Handled from the start: the log can fail while the job still runs (its folder removed),
      // and a rejection nobody listens to yet would end trellis with a stack trace.
      const relayDone = relay.done.catch((error: unknown) =>
        this.options.warn(`[trellis] the job's output could not all be logged: ${error instanceof Error ? error.message : String(error)}`),
      );
      // trellis exiting for any reason takes the job's processes with it.
      const onExit = () => group.kill('SIGKILL');
      process.on('exit', onExit);
      let timedOut = false;
      let graceTimer: NodeJS.Timeout | undefined;
      stopChild = (signal, reason) => {
        // A pruned job's control file keeps saying why it was stopped.
        if (!pruned) tryWriteControl(ticket.dir, { action: 'stop', reason: reason ?? signal ?? 'stop requested' });
        group.kill(signal ?? 'SIGTERM');
        graceTimer ??= setTimeout(() => group.kill('SIGKILL'), this.job.killAfterMs);
      };
      killChild = () => group.kill('SIGKILL');
      if (stopRequested) stopChild(undefined);
      const timeout =
        this.job.timeoutMs === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              stopChild('SIGTERM', `timed out after ${this.job.timeoutMs! / 1000} s`);
            }, this.job.timeoutMs);
      try {
        const exit = await new Promise<{ code: number | null; signal: NodeJS.Signals | null; error?: NodeJS.ErrnoException }>((resolve) => {
          child.once('error', (error: NodeJS.ErrnoException) => resolve({ code: null, signal: null, error }));
          child.once('exit', (code, signal) => resolve({ code, signal }));
        });
        // Whatever the job left running in its group goes too, so its pipes close and nothing is orphaned.
        if (group.alive()) {
          group.kill('SIGTERM');
          graceTimer ??= setTimeout(() => group.kill('SIGKILL'), this.job.killAfterMs);
        }
        await relayDone;
        metrics.close();
        reportState(await listArtifacts(ticket.dir));
        await program;
        const summary = summaryOf(metricsPath, this.options.warn);
        if (stopRequested && !timedOut) return { status: 'stopped' };
        if (exit.error) return failed(startError(args[0]!, exit.error, shebangLineOf(args[0]!, ticket.cwd, env)), summary);
        if (timedOut) return failed(commandError('CommandTimeout', `timed out after ${this.job.timeoutMs! / 1000} s`, relay.stderrTail()), summary);
        if (exit.code === 0) return { status: 'completed', returnValue: null, summary };
        const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
        return failed(commandError('CommandFailed', `${display(args)} ${how}`, relay.stderrTail()), summary);
      } finally {
        if (timeout) clearTimeout(timeout);
        if (graceTimer) clearTimeout(graceTimer);
        process.off('exit', onExit);
        this.children.delete(child);
        metrics.close();
        removeJobFiles(files);
      }
    })();
    return {
      ended,
      stop: (signal) => {
        if (stopRequested) return;
        stopRequested = true;
        stopChild(signal);
      },
      killNow: () => killChild(),
      // The control file already says prune: the program may end by itself (saving what it
      // wants); one that does not is stopped after its grace period.
      prune: () => {
        if (pruned || stopRequested) return;
        pruned = true;
        pruneTimer = setTimeout(() => {
          stopRequested = true;
          stopChild(undefined);
        }, this.job.killAfterMs);
        pruneTimer.unref();
        void ended.finally(() => clearTimeout(pruneTimer));
      },
    };
  }

  async close(): Promise<void> {
    for (const child of this.children) new ProcessGroup(child).kill('SIGKILL');
  }
}

/** A child's process group (it leads one: spawned detached). */
class ProcessGroup {
  constructor(private readonly child: ChildProcess) {}

  kill(signal: NodeJS.Signals): void {
    const pid = this.child.pid;
    if (pid === undefined) return;
    try {
      process.kill(-pid, signal);
    } catch {
      // the group is gone already
    }
  }

  /** Some process of the group still runs. */
  alive(): boolean {
    const pid = this.child.pid;
    if (pid === undefined) return false;
    try {
      process.kill(-pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

interface JobFiles {
  config: string;
  configYaml: string;
  artifacts: string;
  control: string;
  /** Removed when the job ends: they hold secrets in clear. */
  remove: string[];
}

/** The config as the job reads it (only the owner may read it: secrets are in clear), and the artifacts folder. */
function writeJobFiles(ticket: JobTicket, prepared: PreparedJob): JobFiles {
  const config = recordPath(ticket.dir, RUN_FILES.jobConfig);
  const configYaml = recordPath(ticket.dir, RUN_FILES.jobConfigYaml);
  writeFileSync(config, `${toJsonText(prepared.resolved)}\n`, { mode: 0o600 });
  writeFileSync(configYaml, toYamlText(prepared.resolved), { mode: 0o600 });
  const artifacts = join(ticket.dir, ARTIFACTS_DIR);
  mkdirSync(artifacts, { recursive: true });
  return { config, configYaml, artifacts, control: recordPath(ticket.dir, RUN_FILES.control), remove: [config, configYaml] };
}

/** What the job no longer needs: its config in clear, and an artifacts folder it left empty. */
function removeJobFiles(files: JobFiles): void {
  for (const file of files.remove) rmSync(file, { force: true });
  // An artifacts folder the job left empty is no record of anything.
  try {
    rmdirSync(files.artifacts);
  } catch {
    // it holds artifacts
  }
}

function childEnv(given: NodeJS.ProcessEnv, ticket: JobTicket, files: JobFiles, metricsPath: string, seeds: Record<string, number>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...given };
  for (const name of INTERNAL_ENV) delete env[name];
  // Python buffers a pipe in blocks: its output and metrics would arrive late, or never if it is killed.
  if (env.PYTHONUNBUFFERED === undefined) env.PYTHONUNBUFFERED = '1';
  Object.assign(env, {
    [COMMAND_ENV.runDir]: ticket.dir,
    [COMMAND_ENV.runId]: ticket.id,
    [COMMAND_ENV.config]: files.config,
    [COMMAND_ENV.configYaml]: files.configYaml,
    [COMMAND_ENV.seed]: String(ticket.masterSeed),
    [COMMAND_ENV.seeds]: JSON.stringify(seeds),
    [COMMAND_ENV.metrics]: metricsPath,
    [COMMAND_ENV.artifacts]: files.artifacts,
    [COMMAND_ENV.control]: files.control,
    [COMMAND_ENV.checkpointDir]: checkpointsDir(ticket.dir),
  });
  // A job inside a PBT job does not inherit its segment.
  delete env[COMMAND_ENV.segment];
  delete env[COMMAND_ENV.restoreFrom];
  const segment = ticket.segment;
  if (segment) {
    mkdirSync(checkpointsDir(ticket.dir), { recursive: true });
    env[COMMAND_ENV.segment] = JSON.stringify({ member: segment.member, generation: segment.generation, start: segment.start, end: segment.end });
    if (segment.restoreFrom) env[COMMAND_ENV.restoreFrom] = checkpointsDir(segment.restoreFrom);
  }
  return env;
}

function tryWriteControl(dir: string, decision: ControlDecision): void {
  try {
    writeControl(dir, decision);
  } catch {
    // the signal still reaches the job
  }
}

/** Every file the job left in its artifacts folder, with its size and hash. */
async function listArtifacts(dir: string): Promise<ArtifactRecord[]> {
  const root = join(dir, ARTIFACTS_DIR);
  let entries;
  try {
    entries = readdirSync(root, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  const records: ArtifactRecord[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    try {
      const { size, sha256 } = await hashInput(path);
      records.push({ name: relative(dir, path), size, sha256 });
    } catch {
      // removed or unreadable since it was listed: not an artifact of this run
    }
  }
  return records.sort((a, b) => a.name.localeCompare(b.name));
}

/** The metrics the job recorded; lines of its metrics file that are no metrics are named, as bad stdout lines are. */
function summaryOf(metricsPath: string, warn: (line: string) => void): Record<string, MetricSummary> {
  try {
    const read = summarizeMetricsFile(metricsPath);
    const bad = [...read.skipped, ...(read.torn ? [read.torn] : [])];
    if (bad.length) {
      const first = bad[0]!;
      const shown = first.text.length > 80 ? `${first.text.slice(0, 80)}…` : first.text;
      warn(
        `[trellis] ${bad.length} line${bad.length === 1 ? '' : 's'} of ${RUN_FILES.metrics} ${bad.length === 1 ? 'is' : 'are'} not a JSON object of metrics and ${bad.length === 1 ? 'was' : 'were'} left out (line ${first.line}: ${JSON.stringify(shown)})`,
      );
    }
    return read.metrics;
  } catch {
    return {};
  }
}

function failed(error: Error | ErrorRecord, summary: Record<string, MetricSummary> = {}): JobOutcome {
  return { status: 'failed', error: error instanceof Error ? errorRecord(error) : error, summary };
}

function commandError(type: string, what: string, stderrTail: string[]): ErrorRecord {
  const tail = stderrTail.filter((line) => line.trim() !== '');
  return { type, message: tail.length ? `${what}; the end of its stderr:\n${tail.join('\n')}` : what, stack: null };
}

/** Why the program did not start; `shebang`: its `#!` line when it is a script. */
function startError(program: string, error: NodeJS.ErrnoException, shebang: string | undefined): TrellisError {
  // A script that exists gets ENOENT when the interpreter its #! line names does not.
  if (error.code === 'ENOENT' && shebang !== undefined) {
    const interpreter = shebang.trim().split(/\s+/)[0] ?? '';
    const crlf = shebang.endsWith('\r');
    return new TrellisError('USAGE', `Cannot start '${program}': the interpreter its #! line names${crlf ? '' : ` (${interpreter})`} was not found`, {
      hint: crlf
        ? `the script has Windows line endings, so the #! line names '${interpreter}\\r'; convert it (dos2unix ${program}, or sed -i 's/\\r$//' ${program})`
        : `install ${interpreter}, or fix the #! line (#!/usr/bin/env NAME finds NAME on PATH)`,
    });
  }
  const hint =
    error.code === 'ENOENT'
      ? `'${program}' is not a file and not on PATH; check the spelling${program.includes('/') ? '' : `, or give its path (./${program})`}`
      : error.code === 'EACCES'
        ? `make it executable (chmod +x ${program}) or run it through its interpreter`
        : undefined;
  return new TrellisError('USAGE', `Cannot start '${program}' (${error.code ?? error.message})`, { hint });
}

/** The command as a shell would show it, for messages, in quotes that do not clash with its own. */
function display(args: readonly string[]): string {
  const shown = `${args.slice(0, 6).map(shellQuote).join(' ')}${args.length > 6 ? ' …' : ''}`;
  return shown.includes("'") ? `"${shown}"` : `'${shown}'`;
}
