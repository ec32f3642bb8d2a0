import { Worker } from 'node:worker_threads';
import { relayLines } from '../console/relay-lines.js';
import { appModuleKey, type AppModule } from './app-module.js';
import { executeJob, JobStopped, type ErrorRecord, type JobEnd, type JobFunction, type JobState, type JobTicket } from './execute.js';
import type { InterruptSignal } from './interrupts.js';
import type { PreparedJob } from './prepare.js';
import { JOB_THREAD_DATA, type JobThreadData, type ToSupervisor } from './thread-protocol.js';

/** How long a job asked to stop may take to reach its next `log()` before its thread is terminated. */
const STOP_GRACE_MS = 500;

/** How a job ended, seen from the supervisor: its own end, or stopped from outside. */
export type JobOutcome = JobEnd | { status: 'stopped' };

export interface JobEvents {
  /** A line from the job's logger (already in its log file). */
  log(line: string): void;
  state(state: JobState): void;
}

/** A job that is running: the supervisor awaits `ended` and may `stop()` it. */
export interface RunningJob {
  readonly ended: Promise<JobOutcome>;
  /** Asks the job to stop (a process gets `signal`); it is killed if it does not stop in its grace period. */
  stop(signal?: InterruptSignal): void;
  /** Kills the job at once, synchronously (the supervisor is exiting). */
  killNow?(): void;
  /**
   * The job's control file says prune: a job that reads it gets a grace period to end by itself.
   * Without this, a prune is a `stop()`.
   */
  prune?(): void;
}

/** Runs jobs of one kind, one at a time, each where the supervisor can stop it. */
export interface JobRunner {
  run(ticket: JobTicket, events: JobEvents, prepared?: PreparedJob): RunningJob;
  /** Ends the runner (its thread); a running job is terminated. */
  close(): Promise<void>;
}

/** Where the job thread's own stdout/stderr go: straight through, or line by line to a printer. */
export type ThreadOutput = 'inherit' | ((line: string) => void);

/**
 * Runs a Node function job on a worker thread, the supervisor on the main thread. JavaScript
 * cannot interrupt a busy thread from a signal handler; a worker can be terminated. The thread
 * starts at once and imports the app's module while the main thread composes the config, so
 * the isolation costs little start-up time.
 *
 * When the thread cannot get the job (the module cannot be imported again, or defines the app
 * only inside a function), the job runs on the main thread instead, and a stop waits for it to
 * call `log()` or to yield.
 */
export class ThreadJobRunner implements JobRunner {
  private worker: Worker | undefined;
  private ready: Promise<ErrorRecord | undefined> | undefined;
  private stopFlag = new Int32Array(new SharedArrayBuffer(4));
  private listener: ((message: ToSupervisor) => void) | undefined;
  private exitListener: ((code: number) => void) | undefined;
  private errorListener: ((error: Error) => void) | undefined;
  private warned = false;

  constructor(
    private readonly module: AppModule | undefined,
    private readonly job: JobFunction<unknown>,
    private readonly options: { output: ThreadOutput; warn: (line: string) => void },
  ) {
    this.start();
  }

  /** Starts a thread (first thing, and again after a stop terminated the last one). */
  private start(): void {
    if (!this.module) {
      this.ready = Promise.resolve({ type: 'Error', message: 'the module that called defineApp is not a file', stack: null });
      return;
    }
    this.stopFlag = new Int32Array(new SharedArrayBuffer(4));
    const data: JobThreadData = { url: this.module.url, key: appModuleKey(this.module), stop: this.stopFlag.buffer as SharedArrayBuffer };
    const capture = this.options.output !== 'inherit';
    const worker = new Worker(new URL('./job-thread.js', import.meta.url), { workerData: { [JOB_THREAD_DATA]: data }, stdout: capture, stderr: capture });
    if (typeof this.options.output === 'function') {
      relayLines(worker.stdout, this.options.output);
      relayLines(worker.stderr, this.options.output);
    }
    this.worker = worker;
    this.ready = new Promise((resolve) => {
      const early = (message: ToSupervisor) => {
        if (message.type === 'ready') resolve(undefined);
        else if (message.type === 'load-failed') resolve(message.error);
        else return;
        worker.off('message', early);
        worker.off('exit', earlyExit);
      };
      const earlyExit = (code: number) => resolve({ type: 'Error', message: `the job thread exited (code ${code}) while loading the app`, stack: null });
      worker.on('message', early);
      worker.on('exit', earlyExit);
      // A thread that died loading shows as an 'error' before 'exit'.
      worker.on('error', (error) => resolve({ type: error.name, message: error.message, stack: error.stack ?? null }));
    });
  }

  run(ticket: JobTicket, events: JobEvents): RunningJob {
    let stopRequested = false;
    let stopRunning: () => void = () => undefined;
    const ended = (async (): Promise<JobOutcome> => {
      if (!this.worker && this.module) this.start();
      const loadError = await this.ready;
      if (loadError || !this.worker) return this.runHere(ticket, events, () => stopRequested, loadError);
      if (stopRequested) return { status: 'stopped' };
      const worker = this.worker;
      Atomics.store(this.stopFlag, 0, 0);
      let graceTimer: NodeJS.Timeout | undefined;
      const outcome = new Promise<JobOutcome>((resolve) => {
        let errored: Error | undefined;
        this.listener = (message) => {
          if (message.type === 'log') events.log(message.line);
          else if (message.type === 'state') events.state(message.state);
          else if (message.type === 'end') {
            this.detach();
            // A job unwound by a stop ended because of it, not by failing.
            const stopped = stopRequested && message.end.status === 'failed' && message.end.error.type === JobStopped.name;
            resolve(stopped ? { status: 'stopped' } : message.end);
          }
        };
        this.exitListener = (code) => {
          this.detach();
          this.worker = undefined;
          if (stopRequested) return resolve({ status: 'stopped' });
          // The job ended its thread itself (process.exit) or threw outside its own call stack.
          if (errored) return resolve({ status: 'failed', error: { type: errored.name, message: errored.message, stack: errored.stack ?? null }, summary: {} });
          if (code === 0) return resolve({ status: 'completed', returnValue: null, summary: {} });
          resolve({
            status: 'failed',
            error: { type: 'Error', message: `the job ended its thread with exit code ${code} before returning`, stack: null },
            summary: {},
          });
        };
        worker.on('message', this.listener);
        worker.once('exit', this.exitListener);
        this.errorListener = (error) => {
          errored = error;
        };
        worker.once('error', this.errorListener);
        stopRunning = () => {
          Atomics.store(this.stopFlag, 0, 1);
          graceTimer = setTimeout(() => void worker.terminate(), STOP_GRACE_MS);
          graceTimer.unref();
        };
        if (stopRequested) stopRunning();
        worker.postMessage({ type: 'run', ticket });
      });
      // A job that ended by itself after a stop (a pruned job returning early) keeps its thread
      // for the sweep's next job.
      return outcome.finally(() => clearTimeout(graceTimer));
    })();
    return {
      ended,
      stop: () => {
        if (stopRequested) return;
        stopRequested = true;
        stopRunning();
      },
    };
  }

  /** The fallback: the job on this thread; a stop takes effect at its next log() call. */
  private async runHere(ticket: JobTicket, events: JobEvents, stopRequested: () => boolean, loadError: ErrorRecord | undefined): Promise<JobOutcome> {
    if (!this.warned && loadError && this.module) {
      this.warned = true;
      this.options.warn(`[trellis] the job runs on the main thread (${loadError.message}); Ctrl-C stops it at its next run.log() call`);
    }
    const end = await executeJob(this.job, ticket, {
      log: events.log,
      state: events.state,
      stopRequested,
      stopNow: () => {
        throw new JobStopped();
      },
    });
    if (end.status === 'failed' && end.error.type === JobStopped.name) return { status: 'stopped' };
    return end;
  }

  private detach(): void {
    if (this.listener) this.worker?.off('message', this.listener);
    if (this.exitListener) this.worker?.off('exit', this.exitListener);
    // Each job adds its own: left behind, they pile up on a thread reused for thousands of jobs.
    if (this.errorListener) this.worker?.off('error', this.errorListener);
    this.listener = undefined;
    this.exitListener = undefined;
    this.errorListener = undefined;
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker) await worker.terminate();
  }
}
