/** Sweep expansion: time to the first job and peak memory for a 10^6-combination grid (6 axes × 10). */
import { median, probe, row } from '../lib/util.mjs';

export const title = 'Sweep expansion';

export async function run({ reps }) {
  const big = [];
  const small = [];
  for (let i = 0; i < Math.max(5, Math.ceil(reps / 2)); i++) {
    big.push(probe('sweep.mjs', ['6'], { nodeArgs: ['--expose-gc'] }));
    small.push(probe('sweep.mjs', ['1'], { nodeArgs: ['--expose-gc'] }));
  }
  const first = median(big.map((r) => r.firstMs));
  const firstSmall = median(small.map((r) => r.firstMs));
  const peak = median(big.map((r) => r.peakRssMB));
  const peakSmall = median(small.map((r) => r.peakRssMB));
  const walk = median(big.map((r) => r.tenThousandMs));
  return [
    row({
      id: 'sweep.first',
      name: 'first job of a 10^6 grid',
      value: first,
      unit: 'ms',
      baseline: firstSmall,
      baselineName: 'first job of a 10-job grid',
      target: '≤ 50 ms',
      pass: first <= 50,
      note: `planSweep + expandJobs().next(), fresh process; next 10,000 jobs in ${walk.toFixed(1)} ms`,
    }),
    row({
      id: 'sweep.memory',
      name: 'peak RSS, 10^6 grid',
      value: peak,
      unit: 'MB',
      baseline: peakSmall,
      baselineName: 'peak RSS, 10-job grid',
      target: '< 100 MB',
      pass: peak < 100,
      note: `whole process (Node itself included); +${(peak - median(big.map((r) => r.rssBeforeMB))).toFixed(1)} MB for the plan`,
    }),
  ];
}
