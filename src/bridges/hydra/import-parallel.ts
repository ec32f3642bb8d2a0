import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TrellisError } from '../../errors/index.js';
import { Interrupts, type InterruptSignal } from '../../job/interrupts.js';
import { importDirs, planImport, type ImportedRun, type ImportOptions } from './import-runs.js';
import type { ImportThreadData, ImportThreadReply } from './import-thread.js';

/**
 * Below this many runs a thread costs more to start (~50 ms, loading the YAML parser again)
 * than it saves.
 */
const MIN_RUNS_PER_THREAD = 200;

/**
 * Imports every Hydra run under `paths` with `jobs` worker threads (by default one per core, with
 * at least 200 runs each). Each takes a contiguous share, so the runs of one sweep folder are
 * written by one thread: threads writing into one directory wait for each other in the kernel.
 * An import is mostly parsing YAML and creating small files, and both spread over cores. The
 * runs come back in the order found.
 */
export async function importHydraRunsInParallel(paths: readonly string[], options: ImportOptions, jobs?: number): Promise<ImportResult> {
  const plan = planImport(paths, options);
  const total = plan.hydraDirs.length;
  const threads = Math.max(1, jobs === undefined ? Math.min(availableParallelism(), Math.floor(total / MIN_RUNS_PER_THREAD)) : Math.min(jobs, total));
  // On one thread a signal ends the process at once; a run is never left half-made (importOne).
  if (threads === 1) return { runs: importDirs(plan.hydraDirs, plan.options), total, interrupted: undefined };
  const size = Math.ceil(total / threads);
  const shares = Array.from({ length: threads }, (_, i) => plan.hydraDirs.slice(i * size, (i + 1) * size));
  const stop = new SharedArrayBuffer(4);
  // The first Ctrl-C lets each thread finish the run in hand; a second exits at once.
  const interrupts = new Interrupts();
  interrupts.onInterrupt(() => Atomics.store(new Int32Array(stop), 0, 1));
  let replies: ImportThreadReply[];
  try {
    replies = await Promise.all(shares.map((hydraDirs) => inThread({ hydraDirs, options: plan.options, stop })));
  } finally {
    interrupts.dispose();
  }
  const failed = replies.find((r) => !r.ok);
  if (failed && !failed.ok) {
    const cause = failed.cause === null ? undefined : new Error(failed.cause);
    throw failed.code ? new TrellisError(failed.code, failed.message, { hint: failed.hint ?? undefined, cause }) : new Error(failed.message, { cause });
  }
  return { runs: replies.flatMap((r) => (r.ok ? r.runs : [])), total, interrupted: interrupts.received };
}

export interface ImportResult {
  /** What was done to each run, in the order found; fewer than `total` when interrupted. */
  runs: ImportedRun[];
  total: number;
  interrupted: InterruptSignal | undefined;
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
