import { fork, type ChildProcess } from 'node:child_process';
import { relayLines } from '../console/relay-lines.js';
import { TrellisError } from '../errors/index.js';
import { CHILD_ENV, POOL_ENV } from '../records/env-vars.js';
import type { ChildResult, JobSpec, LaunchedJob, Launcher, PoolMessage, PoolReply } from './launcher.js';

export interface LocalLauncherOptions {
  /** The app's script; each worker of the pool runs it once and then takes jobs over IPC. */
  entry: string | undefined;
  /** Flags every worker gets (config dir/name). */
  baseArgs: string[];
  sweepDir: string;
  now: Date;
  jobs: number;
  /** Device ids handed out per slot as CUDA_VISIBLE_DEVICES. */
  devices: string[] | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
  print: (line: string) => void;
}

interface PoolWorker {
  slot: number;
  child: ChildProcess;
  ready: Promise<boolean>;
  /** The job it runs now, and how to settle it. */
  current: { spec: JobSpec; settle: (job: LaunchedJob) => void } | undefined;
}

function launched(spec: JobSpec, result: ChildResult): LaunchedJob {
  return { num: spec.num, overrides: spec.overrides, status: result.status, dir: result.dir, returnValue: result.returnValue, error: result.error };
}

/**
 * Runs jobs in a pool of `jobs` worker processes that are reused from job to job: a job costs
 * its own work plus composing, not a Node start-up. Workers are forked with an IPC channel; a
 * worker stops its job and exits when the channel closes, so none outlives a killed sweep.
 */
export function localLauncher(options: LocalLauncherOptions): Launcher {
  if (!options.entry) {
    throw new TrellisError('USAGE', 'The local launcher needs the app to be started from a script', {
      hint: 'run the app as `node your-app.js -m …`, or use --launcher inline',
    });
  }
  const entry = options.entry;
  const workers = new Map<number, PoolWorker>();
  const idle: PoolWorker[] = [];
  const freeSlots: number[] = [];
  let nextSlot = 0;

  const spawnWorker = (slot: number): PoolWorker => {
    const env: NodeJS.ProcessEnv = { ...options.env, [POOL_ENV]: '1', [CHILD_ENV.sweepDir]: options.sweepDir, [CHILD_ENV.now]: options.now.toISOString() };
    if (options.devices?.length) env.CUDA_VISIBLE_DEVICES = options.devices[slot % options.devices.length];
    // A process group of its own: Ctrl-C at a terminal signals the sweep alone, which stops each
    // worker once (cancel). Signalled by both, a worker took the second signal as "exit now" and
    // ended before it reported its job's run directory.
    const child = fork(entry, options.baseArgs, {
      cwd: options.cwd,
      env,
      execArgv: process.execArgv,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      detached: true,
    });
    const worker: PoolWorker = { slot, child, ready: Promise.resolve(false), current: undefined };
    worker.ready = new Promise((resolve) => {
      child.once('exit', () => resolve(false));
      child.on('message', (reply: PoolReply) => {
        if (reply.type === 'ready') resolve(true);
        else if (reply.type === 'result' && worker.current?.spec.num === reply.num) {
          const { spec, settle } = worker.current;
          worker.current = undefined;
          settle(launched(spec, reply.result));
        }
      });
    });
    // A worker's output goes out line by line, marked with the job it runs now.
    const print = (line: string) => options.print(`[job ${worker.current?.spec.num ?? '-'}] ${line}`);
    relayLines(child.stdout, print);
    relayLines(child.stderr, print);
    // 'close', not 'exit': a result the worker sent just before it exited is read first.
    child.once('close', (code, signal) => {
      workers.delete(slot);
      freeSlots.push(slot);
      const index = idle.indexOf(worker);
      if (index >= 0) idle.splice(index, 1);
      const running = worker.current;
      worker.current = undefined;
      running?.settle({
        num: running.spec.num,
        overrides: running.spec.overrides,
        status: signal === 'SIGINT' || code === 130 || code === 143 ? 'interrupted' : 'failed',
        dir: undefined,
        returnValue: undefined,
        error: `the worker process ended (${signal ?? `exit ${code}`}) before reporting the job's result`,
      });
    });
    workers.set(slot, worker);
    return worker;
  };

  const send = (worker: PoolWorker, message: PoolMessage) => {
    // A worker may be exiting (it stops itself on Ctrl-C): a message it can no longer get is no error.
    if (worker.child.connected) worker.child.send(message, () => undefined);
  };

  return {
    name: 'local',
    parallelism: options.jobs,
    async launch(spec: JobSpec): Promise<LaunchedJob> {
      // The sweep never runs more than `parallelism` jobs at once: a worker is idle, or one can start.
      const worker = idle.shift() ?? spawnWorker(freeSlots.shift() ?? nextSlot++);
      const ready = await worker.ready;
      if (!ready)
        return {
          num: spec.num,
          overrides: spec.overrides,
          status: 'failed',
          dir: undefined,
          returnValue: undefined,
          error: 'the worker process ended before it was ready (see its output above)',
        };
      const job = await new Promise<LaunchedJob>((settle) => {
        worker.current = { spec, settle };
        send(worker, { type: 'job', num: spec.num, overrides: spec.overrides });
      });
      if (workers.has(worker.slot)) idle.push(worker);
      return job;
    },
    async cancel() {
      await Promise.all([...workers.values()].map((worker) => stopWorker(worker.child, 'SIGINT')));
    },
    async close() {
      await Promise.all(
        [...workers.values()].map((worker) => {
          send(worker, { type: 'close' });
          return stopWorker(worker.child);
        }),
      );
    },
  };
}

/** Resolves when the worker has exited; `signal` asks it to stop its job first. */
function stopWorker(child: ChildProcess, signal?: NodeJS.Signals): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    if (signal) child.kill(signal);
  });
}
