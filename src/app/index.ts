export { defineApp, type App, type AppIo, type DefineAppOptions } from './define-app.js';
export type { Run, Logger, ArtifactRecord } from './run-handle.js';
export type { JobResult, RunStatus } from './run-job.js';
