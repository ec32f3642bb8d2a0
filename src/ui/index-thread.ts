/**
 * A worker thread that brings the index of the UI's roots up to date before the server opens
 * the store. Building it for 10,000 runs parses every run's records once; done on the server's
 * own thread, that garbage left V8's heap at its peak for as long as the server ran (50 MB).
 * A worker's heap goes with it.
 */
import { workerData } from 'node:worker_threads';
import { openStore } from '../store/open-store.js';

export interface IndexThreadData {
  roots: string[];
  cwd: string;
}

const { roots, cwd } = workerData as IndexThreadData;
const store = openStore(roots, { cwd });
// What the runs table reads of every run, so the server's first listing reads the index only.
for (const run of store.runs) {
  run.summary();
  run.config();
}
store.flush();
