/**
 * Multirun overhead per job: a 100-job sweep (seed=range(0,100)) of the trivial app through the
 * inline launcher and through the local pool (--jobs 2), minus a single run, per extra job:
 * (T(sweep) − T(single run)) / 99. Baseline: a bare Node start (`node -e 0`).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { makeAppDir } from '../lib/app-dir.mjs';
import { BENCH_DIR, NODE, interleave, median, removeDir, row, timeSpawnOk } from '../lib/util.mjs';

export const title = 'Multirun overhead';
const JOBS = 100;

export async function run({ multirunReps }) {
  const { dir } = makeAppDir('multirun');
  try {
    const app = join(BENCH_DIR, 'fixtures', 'trivial-app.mjs');
    const sweep = [`seed=range(0,${JOBS})`];
    const clean = () => {
      rmSync(join(dir, 'outputs'), { recursive: true, force: true });
      rmSync(join(dir, 'multirun'), { recursive: true, force: true });
    };
    const check = (r) => {
      const m = /sweep finished: (\d+)\/(\d+) jobs completed/.exec(r.stderr);
      if (!m || m[1] !== String(JOBS)) throw new Error(`sweep did not complete ${JOBS} jobs:\n${r.stderr.slice(-2000)}`);
      clean();
      return r.ms;
    };
    const samples = interleave(
      {
        node: () => timeSpawnOk([NODE, '-e', '0'], { cwd: dir }).ms,
        single: () => timeSpawnOk([NODE, app], { cwd: dir }).ms,
        inline: () => check(timeSpawnOk([NODE, app, '-m', ...sweep, '--launcher', 'inline'], { cwd: dir })),
        local: () => check(timeSpawnOk([NODE, app, '-m', ...sweep, '--jobs', '2'], { cwd: dir })),
      },
      { reps: multirunReps, warmup: 0 },
    );
    const base = median(samples.node);
    const single = median(samples.single);
    const perJob = (name) => (median(samples[name]) - single) / (JOBS - 1);
    const inline = perJob('inline');
    const local = perJob('local');
    const common = { unit: 'ms/job', baseline: base, baselineName: 'node -e 0', baselineUnit: 'ms' };
    return [
      row({ id: 'multirun.inline', name: `inline launcher, ${JOBS} jobs`, value: inline, ...common, target: '≤ 2 ms/job', pass: inline <= 2, note: `sweep ${(median(samples.inline) / 1000).toFixed(2)} s, single run ${single.toFixed(0)} ms`, samples: samples.inline }),
      row({ id: 'multirun.local', name: `local pool --jobs 2, ${JOBS} jobs`, value: local, ...common, target: '(none)', pass: null, note: `sweep ${(median(samples.local) / 1000).toFixed(2)} s; one process per job, 2 at a time`, samples: samples.local }),
    ];
  } finally {
    removeDir(dir);
  }
}
