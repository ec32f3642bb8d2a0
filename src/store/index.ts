export { openStore, type OpenStoreOptions, type RunStore } from './open-store.js';
export { StoredRun } from './stored-run.js';
export { noteRun, tagRun, type AnnotateResult } from './annotate-run.js';
export { queryRuns, type QueryOptions, type QueryResult } from './query-runs.js';
export type { EvalContext } from './query-eval.js';
export { parseQuery, type CompareOp, type Literal, type ParsedQuery, type QueryNode, type SortKey } from './query-parse.js';
export type { FieldRef, MetricStat, RunFieldType } from './query-fields.js';
export { findRun, type FindRunOptions, type RunRecords } from './find-run.js';
export { diffRuns, type DiffCategory, type DiffEntry, type RunDiff } from './diff-runs.js';
export { explainKey, type ExplainStep, type GroupChoice, type KeyExplanation } from './explain-key.js';
export {
  rerun,
  detectDrift,
  verifyMetrics,
  type Drift,
  type DriftCategory,
  type DriftReport,
  type RerunOptions,
  type RerunResult,
  type Verdict,
  type Verification,
} from './rerun.js';
export type { MetricStats, RecordedNumber, RunInfo, RunSummary, StoreStatus } from './types.js';
