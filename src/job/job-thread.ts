/**
 * The job thread's entry point. It imports the module that defined the app (so the job function
 * exists here too), waits for the app's `defineApp` call to hand over its job, then runs the
 * jobs the supervisor sends, one at a time.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { errorRecord, executeJob, JobStopped, type JobFunction, type JobTicket } from './execute.js';
import { JOB_THREAD_DATA, type JobThreadData, type ToSupervisor, type ToThread } from './thread-protocol.js';
import { awaitDefinedJob } from './thread-registry.js';

const data = (workerData as Record<string, JobThreadData>)[JOB_THREAD_DATA]!;
const port = parentPort!;
const stop = new Int32Array(data.stop);
const post = (message: ToSupervisor) => port.postMessage(message);

async function load(): Promise<JobFunction<unknown> | undefined> {
  const defined = awaitDefinedJob(data.key);
  // The module may await its own main() at top level: the job is taken as soon as defineApp
  // hands it over, not when the import finishes.
  const imported = import(data.url).then(
    () => ({
      type: 'Error',
      message: `importing ${data.url} did not define the app (its defineApp call #${data.key.split('#').pop()} never ran)`,
      stack: null,
    }),
    (error: unknown) => errorRecord(error),
  );
  const first = await Promise.race([defined, imported]);
  if (typeof first === 'function') return first;
  post({ type: 'load-failed', error: first });
  return undefined;
}

const job = await load();
if (job) {
  post({ type: 'ready' });
  port.on('message', (message: ToThread) => {
    if (message.type === 'run') void runOne(job, message.ticket);
  });
}

async function runOne(fn: JobFunction<unknown>, ticket: JobTicket): Promise<void> {
  const end = await executeJob(fn, ticket, {
    log: (line) => post({ type: 'log', line }),
    state: (state) => post({ type: 'state', state }),
    stopRequested: () => Atomics.load(stop, 0) !== 0,
    stopNow: () => {
      post({ type: 'stopping' });
      // Unwinds the job from its log() call and keeps the thread (and the app's imports) for the
      // sweep's next job; a job that catches this and goes on is terminated after the grace period.
      throw new JobStopped();
    },
  });
  post({ type: 'end', end });
}
