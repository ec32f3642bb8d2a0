/** CLI start: `trellis compose` and a full single run of a trivial app, each against `node -e 0`. */
import { join } from 'node:path';
import { makeAppDir } from '../lib/app-dir.mjs';
import { BENCH_DIR, CLI, NODE, interleave, median, removeDir, row, timeSpawnOk } from '../lib/util.mjs';

export const title = 'CLI start';

export async function run({ reps }) {
  const { dir, hasGit } = makeAppDir('cli');
  try {
    const app = join(BENCH_DIR, 'fixtures', 'trivial-app.mjs');
    const samples = interleave(
      {
        node: () => timeSpawnOk([NODE, '-e', '0'], { cwd: dir }).ms,
        compose: () => timeSpawnOk([NODE, CLI, 'compose', '--config-dir', 'conf'], { cwd: dir }).ms,
        run: () => timeSpawnOk([NODE, app], { cwd: dir }).ms,
        // The same run with the job on the main thread: the difference is what the supervisor costs.
        mainThread: () => timeSpawnOk([NODE, app], { cwd: dir, env: { ...process.env, TRELLIS_JOB_THREAD: 'off' } }).ms,
        zod: () => timeSpawnOk([NODE, join(BENCH_DIR, 'fixtures', 'zod-only.mjs')], { cwd: dir }).ms,
        // A command job that does nothing, against the same program run directly.
        commandRun: () => timeSpawnOk([NODE, CLI, 'run', '--config-dir', 'conf', '--', 'true'], { cwd: dir }).ms,
        commandDirect: () => timeSpawnOk(['true'], { cwd: dir }).ms,
      },
      { reps, warmup: 2 },
    );
    const base = median(samples.node);
    const compose = median(samples.compose);
    const single = median(samples.run);
    const zodFloor = median(samples.zod) / base;
    const unsupervised = median(samples.mainThread);
    const common = { baseline: base, baselineName: 'node -e 0', unit: 'ms', target: '≤ 2× node -e 0' };
    return [
      row({ id: 'cli.compose', name: 'trellis compose (demo conf/)', value: compose, ...common, pass: compose / base <= 2, samples: samples.compose }),
      row({
        id: 'cli.run',
        name: 'single run, trivial job',
        value: single,
        ...common,
        pass: single / base <= 2,
        note: `compose + zod + run dir + env + git capture${hasGit ? '' : ' (git not available: not captured)'}; Node + importing zod alone: ${zodFloor.toFixed(2)}×`,
        samples: samples.run,
      }),
      row({
        id: 'cli.run.supervisor',
        name: 'what the job thread costs a single run',
        value: single - unsupervised,
        unit: 'ms',
        baseline: base,
        baselineName: 'node -e 0',
        target: 'single run ≤ 3.6× node -e 0',
        pass: single / base <= 3.6,
        note: `single run with the job on a job thread ${(single / base).toFixed(2)}×, on the main thread (TRELLIS_JOB_THREAD=off) ${(unsupervised / base).toFixed(2)}×`,
        samples: samples.mainThread,
      }),
      (() => {
        const overhead = median(samples.commandRun) - median(samples.commandDirect);
        return row({
          id: 'cli.run.command',
          name: 'trellis run -- true, over running true directly',
          value: overhead,
          unit: 'ms',
          baseline: base,
          baselineName: 'node -e 0',
          target: '≤ node -e 0 + 50 ms',
          pass: overhead <= base + 50,
          note: `compose + run dir + env + git capture + spawning the program; ${(overhead / base).toFixed(2)}× node -e 0`,
          samples: samples.commandRun,
        });
      })(),
    ];
  } finally {
    removeDir(dir);
  }
}
