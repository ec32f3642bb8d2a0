/**
 * The job thread's entry point. It imports the module that defined the app (so the job function
 * exists here too), waits for the app's `defineApp` call to hand over its job, then runs the
 * jobs the supervisor sends, one at a time.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort, workerData } from 'node:worker_threads';
import { enableCompileCache } from '../console/compile-cache.js';
import { errorRecord, executeJob, JobStopped, type JobFunction, type JobTicket } from './execute.js';
import { JOB_THREAD_DATA, type JobThreadData, type ToSupervisor, type ToThread } from './thread-protocol.js';
import { awaitDefinedJob } from './thread-registry.js';

const data = (workerData as Record<string, JobThreadData>)[JOB_THREAD_DATA]!;
const port = parentPort!;
const stop = new Int32Array(data.stop);
const post = (message: ToSupervisor) => port.postMessage(message);

/** `--import tsx` or `--import=tsx` (or a tsx entry such as `tsx/esm`) among Node's flags. */
const startedWithTsx = () =>
  process.execArgv.some((arg, i, all) => /^tsx(\/|$)/.test(arg.replace(/^--import=/, '')) && (arg.startsWith('--import=') || all[i - 1] === '--import'));

/**
 * Node 20 runs neither `--import` preloads nor the module hooks they register in worker threads
 * (Node 24 does): an app started with `node --import tsx src/app.ts` could not be loaded here.
 * tsx, the loader the README names, is registered again for this thread, found from the app.
 */
async function registerTsxHere(): Promise<void> {
  const isTypeScript = /\.[mc]?tsx?$/.test(new URL(data.url).pathname);
  if (Number(process.versions.node.split('.')[0]) >= 22 || !isTypeScript || !startedWithTsx()) return;
  try {
    // Its ESM entry, found from the app's directory (require.resolve would give the CommonJS one).
    const manifestPath = createRequire(data.url).resolve('tsx/package.json');
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { exports: Record<string, { import: { default: string } }> };
    const api = join(dirname(manifestPath), manifest.exports['./esm/api']!.import.default);
    const { register } = (await import(pathToFileURL(api).href)) as { register: () => unknown };
    register();
  } catch {
    // Loading then fails as before, and the supervisor runs the job on the main thread, saying why.
  }
}

async function load(): Promise<JobFunction<unknown> | undefined> {
  await registerTsxHere();
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

// The app's modules (its own, zod, trellis) are compiled a second time here; a cache makes that cheap.
enableCompileCache();
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
