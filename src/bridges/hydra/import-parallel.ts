import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TrellisError } from '../../errors/index.js';
import { importDirs, planImport, type ImportedRun, type ImportOptions } from './import-runs.js';
import type { ImportThreadData, ImportThreadReply } from './import-thread.js';

/**
 * Below this many runs a thread costs more to start (~50 ms, loading the YAML parser again)
 * than it saves.
 */
const MIN_RUNS_PER_THREAD = 200;

/**
 * Imports every Hydra run under `paths` with `jobs` worker threads, each taking a contiguous share
 * (by default one per core, with at least 200 runs each; fewer runs than that take one thread), so that the runs of one sweep folder are written by one thread
 * (threads writing into one directory wait for each other in the kernel). An import is mostly
 * parsing YAML and creating small files, both of which spread over cores: 10,000 runs took
 * about 9.5 s on one thread of a 2-core machine. The runs come back in the order found.
 */
export async function importHydraRunsInParallel(paths: readonly string[], options: ImportOptions, jobs?: number): Promise<ImportedRun[]> {
  const plan = planImport(paths, options);
  const runs = plan.hydraDirs.length;
  const threads = Math.max(1, jobs === undefined ? Math.min(availableParallelism(), Math.floor(runs / MIN_RUNS_PER_THREAD)) : Math.min(jobs, runs));
  if (threads === 1) return importDirs(plan.hydraDirs, plan.options);
  const size = Math.ceil(plan.hydraDirs.length / threads);
  const shares = Array.from({ length: threads }, (_, i) => plan.hydraDirs.slice(i * size, (i + 1) * size));
  const replies = await Promise.all(shares.map((hydraDirs) => inThread({ hydraDirs, options: plan.options })));
  const failed = replies.find((r) => !r.ok);
  if (failed && !failed.ok) {
    throw failed.code ? new TrellisError(failed.code, failed.message, { hint: failed.hint ?? undefined }) : new Error(failed.message);
  }
  return replies.flatMap((r) => (r.ok ? r.runs : []));
}

function inThread(data: ImportThreadData): Promise<ImportThreadReply> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./import-thread.js', import.meta.url), { workerData: data });
    let reply: ImportThreadReply | undefined;
    worker.once('message', (message: ImportThreadReply) => (reply = message));
    worker.once('error', reject);
    worker.once('exit', (code) => (reply ? resolve(reply) : reject(new Error(`an import thread exited (${code}) without a reply`))));
  });
}
