import { relative, resolve as resolvePath } from 'node:path';
import { openConfigDir } from '../config-dir/compose-dir.js';
import { TrellisError } from '../errors/index.js';
import { Interrupts } from '../job/interrupts.js';
import { EXIT_CODES } from '../records/exit-codes.js';
import type { JobRunner } from '../job/job-runner.js';
import { prepareJob, type JobSource } from '../job/prepare.js';
import { captureSnapshots, runJob, type JobResult, type KindRecord, type RunSnapshots } from '../job/run-job.js';
import type { ChildResult, PoolMessage, PoolReply } from '../launch/launcher.js';
import { CHILD_ENV, LAUNCHER_INFO_ENV } from '../records/env-vars.js';
import { writeJsonAtomic } from '../run/atomic-write.js';

/** What a process started by a launcher needs to run the app's jobs. */
export interface ProcessJobContext {
  source: JobSource;
  argv: readonly string[];
  entry: string | undefined;
  /** What run.json records about this kind of job (see RunJobOptions.record). */
  record?: KindRecord | undefined;
  runner: JobRunner;
  print: (line: string) => void;
}

function resultOf(result: JobResult): ChildResult {
  const error = result.error instanceof Error ? result.error.message : result.error === undefined ? undefined : String(result.error);
  return { status: result.status === 'running' ? 'failed' : result.status, dir: result.dir, returnValue: result.returnValue ?? null, error };
}

/** Runs job `num` of the sweep in `sweepDir` in this process, supervised. */
async function runSweepJob(
  ctx: ProcessJobContext,
  job: { num: number; overrides: readonly string[]; sweepDir: string; now: Date },
  interrupts: Interrupts,
  snapshots: RunSnapshots,
  launcher?: Record<string, unknown>,
): Promise<JobResult> {
  const prepared = await prepareJob(ctx.source, job.overrides, { num: job.num, sweepDir: job.sweepDir }, job.now);
  return runJob({
    snapshots,
    prepared,
    runner: ctx.runner,
    interrupts,
    source: ctx.source,
    argv: ctx.argv,
    entry: ctx.entry,
    record: ctx.record,
    sweep: { dir: job.sweepDir, num: job.num },
    launcher,
    print: ctx.print,
  });
}

function sweepOf(env: NodeJS.ProcessEnv): { sweepDir: string; now: Date } {
  const sweepDir = env[CHILD_ENV.sweepDir];
  if (!sweepDir) throw new TrellisError('USAGE', `${CHILD_ENV.sweepDir} is not set: this process was not started by a trellis launcher`);
  return { sweepDir, now: env[CHILD_ENV.now] ? new Date(env[CHILD_ENV.now]!) : new Date() };
}

/**
 * One job of a sweep started by a batch launcher (SLURM): its number comes from the environment,
 * its result goes to a result file, so the launcher need not trust the scheduler's memory.
 */
export async function runChildJob(ctx: ProcessJobContext, overrides: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const { sweepDir, now } = sweepOf(env);
  const resultFile = env[CHILD_ENV.resultFile]!;
  const interrupts = new Interrupts();
  try {
    const snapshots = captureSnapshots({ env: ctx.source.env, cwd: ctx.source.cwd, argv: ctx.argv });
    const launcher = launcherRecord(env[LAUNCHER_INFO_ENV], sweepDir, ctx.source.cwd);
    const result = await runSweepJob(ctx, { num: Number(env[CHILD_ENV.jobNum]), overrides, sweepDir, now }, interrupts, snapshots, launcher);
    writeJsonAtomic(resultFile, resultOf(result));
    return result.exitCode;
  } catch (error) {
    writeJsonAtomic(resultFile, {
      status: 'failed',
      dir: undefined,
      returnValue: null,
      error: error instanceof Error ? error.message : String(error),
    } satisfies ChildResult);
    throw error;
  } finally {
    interrupts.dispose();
    await ctx.runner.close();
  }
}

/**
 * A worker of the local launcher's pool: runs the jobs its parent sends over IPC, one at a time,
 * with one job thread, one config repository and one environment capture for all of them. When
 * the parent goes away (its IPC channel closes, even after `kill -9`), the running job is stopped
 * and recorded as interrupted, and the worker exits: it never outlives its sweep.
 */
export async function servePool(given: ProcessJobContext): Promise<number> {
  // One config repository (each file parsed once) and one copy of the environment for all jobs.
  const source = {
    ...given.source,
    env: { ...given.source.env },
    repository: given.source.repository ?? openConfigDir(given.source.configDir, given.source.configName, given.source.cwd, [], given.source.env),
  };
  const ctx = { ...given, source };
  const { sweepDir, now } = sweepOf(ctx.source.env);
  const interrupts = new Interrupts();
  const snapshots = captureSnapshots({ env: ctx.source.env, cwd: ctx.source.cwd, argv: ctx.argv });
  // Resolves once the reply is handed to the channel, so a worker that exits right after loses none.
  const send = (reply: PoolReply) =>
    new Promise<void>((done) => {
      if (!process.connected || !process.send) return done();
      process.send(reply, undefined, {}, () => done());
    });
  const onDisconnect = () => interrupts.receive('SIGTERM');
  process.on('disconnect', onDisconnect);
  try {
    return await new Promise<number>((resolve) => {
      let busy = false;
      const stop = (code: number) => {
        process.off('message', onMessage);
        resolve(code);
      };
      const onMessage = (message: PoolMessage) => {
        if (message.type === 'close') return stop(EXIT_CODES.completed);
        if (message.type !== 'job' || busy) return;
        busy = true;
        runSweepJob(ctx, { num: message.num, overrides: message.overrides, sweepDir, now }, interrupts, snapshots)
          .then(resultOf, (error: unknown) => ({
            status: 'failed' as const,
            dir: undefined,
            returnValue: null,
            error: error instanceof Error ? error.message : String(error),
          }))
          .then(async (result) => {
            busy = false;
            await send({ type: 'result', num: message.num, result });
            if (interrupts.received) stop(EXIT_CODES[interrupts.received]);
          });
      };
      process.on('message', onMessage);
      interrupts.onInterrupt((signal) => {
        if (!busy) stop(EXIT_CODES[signal]);
      });
      void send({ type: 'ready' });
    });
  } finally {
    process.off('disconnect', onDisconnect);
    interrupts.dispose();
    await ctx.runner.close();
    process.disconnect?.();
  }
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
