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

/** An error crosses as text: a TrellisError's code and hint, and its cause's message for --verbose. */
export type ImportThreadReply =
  | { ok: true; runs: ReturnType<typeof importDirs> }
  | { ok: false; code: TrellisError['code'] | null; message: string; hint: string | null; cause: string | null };

const { hydraDirs, options, stop } = workerData as ImportThreadData;
let reply: ImportThreadReply;
try {
  reply = { ok: true, runs: importDirs(hydraDirs, options, new Int32Array(stop)) };
} catch (e) {
  const message = (x: unknown) => (x instanceof Error ? x.message : String(x));
  const cause = e instanceof Error && e.cause !== undefined ? message(e.cause) : null;
  reply = { ok: false, code: e instanceof TrellisError ? e.code : null, message: message(e), hint: e instanceof TrellisError ? (e.hint ?? null) : null, cause };
}
parentPort!.postMessage(reply);
