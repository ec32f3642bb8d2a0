/** Metric logging: scalars per second through run.log against fs.writeSync of the same bytes; peak memory. */
import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, median, probe, removeDir, row, tempDir } from '../lib/util.mjs';

export const title = 'Metric logging';

export async function run({ reps }) {
  const dir = tempDir('metrics');
  try {
    cpSync(join(ROOT, 'conf'), join(dir, 'conf'), { recursive: true });
    mkdirSync(join(dir, 'outputs'));
    const results = Array.from({ length: Math.max(3, Math.ceil(reps / 3)) }, () => {
      const r = probe('metrics.mjs', ['200000'], { cwd: dir, nodeArgs: ['--expose-gc'] });
      removeDir(join(dir, 'outputs'));
      return r;
    });
    const rate = median(results.map((r) => r.scalars / (r.logMs / 1000)));
    const baseRate = median(results.map((r) => r.scalars / (r.writeMs / 1000)));
    const peak = median(results.map((r) => r.peakRssMB));
    const before = median(results.map((r) => r.rssBeforeMB));
    const { scalars, bytes } = results[0];
    return [
      row({
        id: 'metrics.rate',
        name: 'run.log, 10 scalars per call',
        value: rate,
        unit: 'scalars/s',
        baseline: baseRate,
        baselineName: 'fs.writeSync of the same bytes',
        target: '≥ 1,000,000 scalars/s',
        pass: rate >= 1_000_000,
        note: `${scalars.toLocaleString('en-US')} scalars, ${(bytes / 2 ** 20).toFixed(1)} MiB; ratio = trellis rate / writeSync rate`,
      }),
      row({
        id: 'metrics.memory',
        name: 'run.log peak RSS',
        value: peak,
        unit: 'MB',
        baseline: before,
        baselineName: 'RSS when the job started',
        target: '(report)',
        pass: null,
        note: `+${(peak - before).toFixed(1)} MB while logging ${(bytes / 2 ** 20).toFixed(0)} MiB of metrics`,
      }),
    ];
  } finally {
    removeDir(dir);
  }
}
