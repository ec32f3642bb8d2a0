export { countJobs, expandBatches, expandJobs, expandSweep, jobAt, planSweep, type SweepAxis, type SweepInput, type SweepPlan } from './expand.js';
export { gridSweeper } from './grid.js';
export { randomSweeper } from './random.js';
export { pbtSweeper } from './pbt-sweeper.js';
export { tpeSweeper } from './tpe-sweeper.js';
export type { JobOutcome, Sweeper } from './sweeper.js';
