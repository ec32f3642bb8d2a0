/**
 * Sweep expansion in a fresh process: time from planSweep() to the first job of expandJobs(), and
 * peak RSS, for a grid of AXES axes of 10 values each (AXES=6: 10^6 jobs). Prints JSON.
 */
import { expandJobs, planSweep } from '../../dist/src/sweep/index.js';

const axes = Number(process.argv[2] ?? 6);
const values = Array.from({ length: 10 }, (_, i) => String(i)).join(',');
const overrides = Array.from({ length: axes }, (_, a) => `+p${a}=${values}`);
globalThis.gc?.();
const rssBeforeMB = process.memoryUsage().rss / 2 ** 20;
const t0 = process.hrtime.bigint();
const plan = planSweep({ overrides });
const first = expandJobs(plan).next().value;
const firstMs = Number(process.hrtime.bigint() - t0) / 1e6;
const peakRssMB = process.resourceUsage().maxRSS / 1024;
if (plan.count !== 10 ** axes || first.length !== axes || first[0] !== '+p0=0') throw new Error(`unexpected plan: ${plan.count} jobs, first ${first}`);
// Walking the first 10,000 jobs shows the generator stays lazy (memory does not grow with the grid).
const t1 = process.hrtime.bigint();
let n = 0;
for (const _job of expandJobs(plan)) if (++n === 10_000) break;
const tenThousandMs = Number(process.hrtime.bigint() - t1) / 1e6;
process.stdout.write(
  `${JSON.stringify({ axes, count: plan.count, firstMs, tenThousandMs, rssBeforeMB, peakRssMB, peakAfterWalkMB: process.resourceUsage().maxRSS / 1024 })}\n`,
);
