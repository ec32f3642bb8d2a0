/**
 * `trellis import hydra outputs multirun` over 10,000 synthetic Hydra run folders
 * (bench/lib/hydra-runs.mjs): the first import (every run's records written) and a second one
 * (every run unchanged). Baseline: a Node script that only reads each run's Hydra files
 * (bench/probes/hydra-scan.mjs), in the same run.
 *
 * Each first import writes into a folder of its own, and the folders are removed only at the
 * end: on ext4 without a journal (this machine's disk) a file created within 30 s of many
 * deletions waits while the kernel skips every recently deleted inode (recently_deleted() in
 * fs/ext4/ialloc.c), which made an import right after removing the last one's 60,000 files
 * 3-4 times slower; that measured the file system, not the import.
 */
import { join } from 'node:path';
import { generateHydraRuns } from '../lib/hydra-runs.mjs';
import { BENCH_DIR, CLI, NODE, median, removeDir, row, tempDir, timeSpawn, timeSpawnOk } from '../lib/util.mjs';

export const title = 'Hydra import';
const RUNS = 10_000;

export async function run({ reps }) {
  const root = tempDir('hydra');
  const env = { ...process.env, NO_COLOR: '1' };
  try {
    generateHydraRuns(root, RUNS);
    const scan = [];
    for (let i = 0; i < Math.max(3, Math.ceil(reps / 4)); i++) {
      const r = timeSpawnOk([NODE, join(BENCH_DIR, 'probes', 'hydra-scan.mjs'), 'outputs', 'multirun'], { cwd: root, env });
      if (JSON.parse(r.stdout).runs !== RUNS) throw new Error(`hydra baseline found ${r.stdout.trim()}`);
      scan.push(r.ms);
    }
    const base = median(scan);
    const first = [];
    const again = [];
    let error;
    for (let i = 0; i < Math.max(2, Math.ceil(reps / 5)) && !error; i++) {
      const into = ['--into', join('imported', String(i))];
      const a = timeSpawn([NODE, CLI, 'import', 'hydra', 'outputs', 'multirun', ...into], { cwd: root, env, timeout: 300_000 });
      if (a.status !== 0 || !a.stdout.includes(`${RUNS} imported`)) error = (a.stderr || a.stdout).trim().split('\n')[0];
      else first.push(a.ms);
      const b = timeSpawn([NODE, CLI, 'import', 'hydra', 'outputs', 'multirun', ...into], { cwd: root, env, timeout: 300_000 });
      if (b.status !== 0 || !b.stdout.includes(`${RUNS} unchanged`)) error ??= (b.stderr || b.stdout).trim().split('\n')[0];
      else again.push(b.ms);
    }
    const common = { unit: 'ms', baseline: base, baselineName: 'reading every run’s Hydra files' };
    const label = `import hydra, ${RUNS.toLocaleString('en-US')} runs`;
    if (error) return [row({ id: 'hydra.import', name: label, ...common, target: '≤ 10 s', pass: false, note: `error: ${error}` })];
    const f = median(first);
    return [
      row({
        id: 'hydra.import',
        name: `${label}, first`,
        value: f,
        ...common,
        target: '≤ 10 s',
        pass: f <= 10_000,
        note: 'one file per run written (run.json, its records inline)',
        samples: first,
      }),
      row({
        id: 'hydra.reimport',
        name: `${label}, again`,
        value: median(again),
        ...common,
        target: '(report)',
        pass: null,
        note: 'every run unchanged: stats only',
        samples: again,
      }),
    ];
  } finally {
    removeDir(root);
  }
}
