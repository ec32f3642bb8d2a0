export { defineApp, type App, type AppIo, type DefineAppOptions, type RegisteredFactory } from './define-app.js';
export type { Run, Logger } from '../job/run-handle.js';
export type { JobResult, RunStatus } from '../job/run-job.js';
export type { JobFunction } from '../job/execute.js';
