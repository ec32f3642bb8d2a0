/**
 * A worker thread that imports its share of an import's Hydra folders (see import-parallel.ts)
 * and posts back what it did, or the error that stopped it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { TrellisError } from '../../errors/index.js';
import { importDirs, type ImportOptions } from './import-runs.js';

export interface ImportThreadData {
  hydraDirs: string[];
  options: ImportOptions;
  /** One Int32: non-zero once the import is to stop after the run in hand. */
  stop: SharedArrayBuffer;
}

export type ImportThreadReply =
  { ok: true; runs: ReturnType<typeof importDirs> } | { ok: false; code: TrellisError['code'] | null; message: string; hint: string | null };

const { hydraDirs, options, stop } = workerData as ImportThreadData;
let reply: ImportThreadReply;
try {
  reply = { ok: true, runs: importDirs(hydraDirs, options, new Int32Array(stop)) };
} catch (e) {
  reply =
    e instanceof TrellisError
      ? { ok: false, code: e.code, message: e.message, hint: e.hint ?? null }
      : { ok: false, code: null, message: e instanceof Error ? e.message : String(e), hint: null };
}
parentPort!.postMessage(reply);
