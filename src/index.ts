/**
 * trellis: Hydra-compatible config composition, OmegaConf interpolation, recorded runs.
 * Named exports only; test/api.test.ts pins this list.
 */
export {
  defineApp,
  type App,
  type AppIo,
  type DefineAppOptions,
  type Run,
  type Logger,
  type JobResult,
  type RunStatus,
  type JobFunction,
  type RegisteredFactory,
} from './app/index.js';
export { instantiate, TargetRegistry, type InstantiateOptions, type TargetEntry, type TargetFactory } from './instantiate/index.js';
export type { ConfigSchema } from './validate/validate.js';
export type { InputRecord } from './run/inputs.js';
export type { Checkpoint } from './records/checkpoint.js';
export type { Segment } from './job/run-handle.js';
export type { MetricValue } from './run/metrics.js';
export type { SeededRng } from './run/seeds.js';
export { composeFromDir, openConfigDir, resolveComposition, type ComposeDirOptions, type ComposedResolveOptions } from './config-dir/compose-dir.js';
export type { ResolveOptions } from './config-dir/resolve.js';
export type { JobIdentity } from './config-dir/runtime.js';
export { expandJobs, planJobs } from './config-dir/multirun.js';
export type { SweepAxis, SweepPlan } from './sweep/index.js';
export { selectPath, type SelectOptions } from './config-dir/select.js';
export { compose, type ComposeOptions, type Composition } from './compose/compose.js';
export type { Dereference } from './compose/merge.js';
export type { ResultDefault } from './defaults/entries.js';
export { createFsRepository } from './sources/fs-repository.js';
export { createMemoryRepository } from './sources/memory-repository.js';
export type { ConfigRepository, LoadedConfig } from './sources/repository.js';
export {
  ResolverRegistry,
  createDefaultResolvers,
  type ResolverFn,
  type ResolverCall,
  type ResolverResult,
  type ResolveContext,
  type ResolverEntry,
  type ResolverOptions,
  type PathSegment,
} from './interpolate/index.js';
export { parseOverride, parseOverrides, type Override } from './overrides/index.js';
export type {
  OverrideType,
  ValueType,
  ParseOptions,
  ParsedValue,
  ParsedElement,
  StringElement,
  QuotedElement,
  Quote,
  IntElement,
  FloatElement,
  BoolElement,
  NullElement,
  ListElement,
  DictElement,
  DictItem,
  DictKey,
  Sweep,
  ChoiceSweep,
  RangeSweep,
  SweepNumber,
  IntervalSweep,
  GlobSweep,
  LazySequence,
} from './overrides/index.js';
export {
  TrellisError,
  formatError,
  isTrellisError,
  ERROR_CODES,
  type ErrorCode,
  type ErrorWhere,
  type TrellisErrorOptions,
  type ErrorChanges,
  type FormatOptions,
} from './errors/index.js';
export { toPlain, fromPlain, type Node, type ValueNode, type ListNode, type DictNode, type DictEntry, type Scalar, type ToPlainOptions } from './tree/node.js';
export { toYamlText, toJsonText } from './tree/emit.js';
export { loadYaml, type LoadedYaml, type YamlLimits } from './yaml/load.js';
export {
  openStore,
  queryRuns,
  findRun,
  tagRun,
  noteRun,
  diffRuns,
  explainKey,
  rerun,
  detectDrift,
  verifyMetrics,
  parseQuery,
  StoredRun,
  type RunStore,
  type OpenStoreOptions,
  type AnnotateResult,
  type QueryOptions,
  type QueryResult,
  type RunDiff,
  type DiffEntry,
  type KeyExplanation,
  type RerunOptions,
  type RerunResult,
  type DriftReport,
  type Verification,
  type RunInfo,
  type RunSummary,
  type StoreStatus,
} from './store/index.js';
export type {
  ParsedQuery,
  QueryNode,
  CompareOp,
  Literal,
  FieldRef,
  RunFieldType,
  MetricStat,
  SortKey,
  FindRunOptions,
  RunRecords,
  DiffCategory,
  ExplainStep,
  GroupChoice,
  Drift,
  DriftCategory,
  Verdict,
  MetricStats,
  RecordedNumber,
  EvalContext,
} from './store/index.js';
export type { ProvenanceEntry } from './run/provenance.js';
export type { ObservedStatus } from './run/run-state.js';
