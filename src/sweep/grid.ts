import { expandJobs, type SweepPlan } from './expand.js';
import type { Sweeper } from './sweeper.js';

/** Hydra's basic sweeper: the cartesian product, first key varying slowest. */
export function gridSweeper(plan: SweepPlan): Sweeper {
  const jobs = expandJobs(plan);
  return {
    strategy: 'grid',
    total: plan.count,
    describe: () => ({ axes: plan.axes.map((a) => ({ key: a.key, size: a.values.length })) }),
    ask(max) {
      const batch: string[][] = [];
      while (batch.length < max) {
        const next = jobs.next();
        if (next.done) break;
        batch.push(next.value);
      }
      return batch;
    },
  };
}
