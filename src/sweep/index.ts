export {
  countJobs,
  expandBatches,
  expandJobs,
  expandSweep,
  jobAt,
  planSweep,
  type SweepAxis,
  type SweepInput,
  type SweepPlan,
  type SweeperParamValue,
  type SweeperParams,
} from './expand.js';
