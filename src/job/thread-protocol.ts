import type { ErrorRecord, JobEnd, JobState, JobTicket } from './execute.js';

/** The key of trellis's data in a job thread's `workerData`. */
export const JOB_THREAD_DATA = 'trellisJobThread';

export interface JobThreadData {
  /** The module that defined the app, and which of its defineApp calls (see AppModule). */
  url: string;
  key: string;
  /** One Int32: non-zero once the supervisor asked the running job to stop. */
  stop: SharedArrayBuffer;
}

export type ToThread = { type: 'run'; ticket: JobTicket };

export type ToSupervisor =
  | { type: 'ready' }
  | { type: 'load-failed'; error: ErrorRecord }
  | { type: 'log'; line: string }
  | { type: 'state'; state: JobState }
  | { type: 'stopping' }
  | { type: 'end'; end: JobEnd };
