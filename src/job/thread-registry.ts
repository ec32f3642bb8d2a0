import { isMainThread, workerData } from 'node:worker_threads';
import { appModuleKey, type AppModule } from './app-module.js';
import type { JobFunction } from './execute.js';
import { JOB_THREAD_DATA, type JobThreadData } from './thread-protocol.js';

/**
 * Hands the job function from `defineApp` to the job thread's entry. Kept on `globalThis`: the
 * app may import trellis through another path than the entry (a copy of the bundle, the
 * sources), and each copy has its own module state.
 */
const REGISTRY = Symbol.for('trellis.jobThread.defined');

type Registry = Map<string, (job: JobFunction<unknown>) => void>;

function registry(): Registry {
  const holder = globalThis as unknown as Record<symbol, Registry | undefined>;
  return (holder[REGISTRY] ??= new Map());
}

/** This thread's job-thread data, when this is a job thread. */
export function jobThreadData(): JobThreadData | undefined {
  if (isMainThread) return undefined;
  return (workerData as Record<string, JobThreadData> | null)?.[JOB_THREAD_DATA];
}

/** Called by defineApp: in a job thread, the app the supervisor asked for hands over its job. */
export function offerJob(module: AppModule | undefined, job: JobFunction<unknown>): void {
  if (!module || !jobThreadData()) return;
  registry().get(appModuleKey(module))?.(job);
}

/** Resolves with the job of the app defined as `key`, once its defineApp call runs. */
export function awaitDefinedJob(key: string): Promise<JobFunction<unknown>> {
  return new Promise((resolve) => registry().set(key, resolve));
}
