/**
 * Growth curves (issue 21): how the cost of a sweep grows with its size, measured at sizes ten
 * times apart. Each row states its growth exponent between the two largest sizes (log of the
 * time ratio over log of the size ratio: ≈ 1 is linear).
 *
 * - `compose --multirun 'seed=range(0,N)'` for N = 10^3, 10^4, 10^5: time to the first job on
 *   stdout, time per job, and peak RSS (GNU time, when /usr/bin/time is there).
 * - Loading a YAML mapping of N keys (10^3, 10^4, 10^5) through trellis's loader, in one process.
 * - Run stores of N synthetic runs (10^3, 10^4, 10^5; bench/lib/synth-runs.mjs): `runs best` cold
 *   (no index) and warm, `runs list` with a config query warm, and what keeping the index current
 *   costs after one new run (bench/probes/store-update.mjs, in one process). `--quick` stops at 10^4.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateRuns } from '../lib/synth-runs.mjs';
import { CLI, median, NODE, probe, removeDir, row, tempDir, timeSpawnOk } from '../lib/util.mjs';

export const title = 'growth';

const GNU_TIME = '/usr/bin/time';

/** Runs the CLI to the end; resolves with the ms to the first stdout byte, the total ms and the peak RSS (MB or null). */
function streamRun(args, cwd) {
  const useTime = existsSync(GNU_TIME);
  const command = useTime ? [GNU_TIME, '-f', 'peak-rss-kb %M', NODE, CLI, ...args] : [NODE, CLI, ...args];
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    const child = spawn(command[0], command.slice(1), { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let first;
    let stderr = '';
    child.stdout.on('data', () => (first ??= Number(process.hrtime.bigint() - t0) / 1e6));
    child.stderr.setEncoding('utf8').on('data', (t) => (stderr += t));
    child.on('error', reject);
    child.on('close', (code) => {
      const total = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code !== 0) return reject(new Error(`trellis ${args.join(' ')} exited ${code}: ${stderr.slice(0, 500)}`));
      const rss = /peak-rss-kb (\d+)/.exec(stderr);
      resolve({ first, total, rssMb: rss ? Number(rss[1]) / 1024 : null });
    });
  });
}

const exponent = (sizes, times) => {
  const [n1, n2] = sizes.slice(-2);
  const [t1, t2] = times.slice(-2);
  return Math.log(t2 / t1) / Math.log(n2 / n1);
};

/** Store figures at each size: cold and warm CLI times (ms), and the index update after one new run. */
function storeAt(n, reps) {
  const root = tempDir(`store-${n}`);
  try {
    const t0 = Date.now();
    generateRuns(root, n);
    // Entries younger than two seconds are not taken into the index yet (index-cache.ts).
    while (Date.now() - t0 < 2100) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    const env = { ...process.env, NO_COLOR: '1' };
    const best = ['runs', 'best', '--metric', 'val_loss', '--mode', 'min'];
    const list = ['runs', 'list', 'optimizer.name = adam', '--limit', '10'];
    const time = (args) => timeSpawnOk([NODE, CLI, ...args], { cwd: root, env }).ms;
    const cold = [];
    for (let i = 0; i < (n >= 1e5 ? 1 : reps); i++) {
      for (const top of ['outputs', 'multirun']) rmSync(join(root, top, '.trellis-index'), { recursive: true, force: true });
      cold.push(time(best));
    }
    time(list); // builds the config part
    const warmBest = [];
    const warmList = [];
    for (let i = 0; i < reps; i++) {
      warmBest.push(time(best));
      warmList.push(time(list));
    }
    const update = probe('store-update.mjs', [root, String(Math.max(reps, 9))], { nodeArgs: ['--expose-gc'] });
    return { n, cold: median(cold), warmBest: median(warmBest), warmList: median(warmList), update };
  } finally {
    removeDir(root);
  }
}

function storeRows(stores, baseline) {
  const sizes = stores.map((s) => s.n);
  const label = (s) => `10^${Math.log10(s.n)}`;
  const curve = (pick, digits = 0) => stores.map((s) => `${label(s)}: ${pick(s).toFixed(digits)} ms`).join(', ');
  const exp = (pick) => exponent(sizes, stores.map(pick)).toFixed(2);
  const largest = stores.at(-1);
  const atScale = largest.n >= 1e5;
  return [
    row({
      id: 'growth.store.cold',
      name: `runs best, cold (${largest.n.toLocaleString('en-US')} runs)`,
      value: largest.cold,
      unit: 'ms',
      baseline,
      baselineName: 'node -e 0',
      target: '≤ 10 s at 10^5 runs',
      pass: atScale ? largest.cold <= 10_000 : null,
      note: `${curve((s) => s.cold)}; exponent ${exp((s) => s.cold)}`,
    }),
    row({
      id: 'growth.store.warm',
      name: `runs best, warm (${largest.n.toLocaleString('en-US')} runs)`,
      value: largest.warmBest,
      unit: 'ms',
      baseline,
      baselineName: 'node -e 0',
      target: '≤ 300 ms at 10^5 runs',
      pass: atScale ? largest.warmBest <= 300 : null,
      note: `${curve((s) => s.warmBest)}; exponent ${exp((s) => s.warmBest)}; in one process (no start-up): ${curve((s) => s.update.warmMs)}`,
    }),
    row({
      id: 'growth.store.list',
      name: `runs list 'optimizer.name = adam', warm (${largest.n.toLocaleString('en-US')} runs)`,
      value: largest.warmList,
      unit: 'ms',
      baseline,
      baselineName: 'node -e 0',
      target: '≤ 300 ms at 10^5 runs',
      pass: atScale ? largest.warmList <= 300 : null,
      note: `${curve((s) => s.warmList)}; exponent ${exp((s) => s.warmList)}`,
    }),
    row({
      id: 'growth.store.update',
      name: `index update after one new run (${largest.n.toLocaleString('en-US')} runs)`,
      value: largest.update.updateMs,
      unit: 'ms',
      target: '≤ 20 ms, independent of the store size',
      pass: stores.every((s) => s.update.updateMs <= 20),
      note: `${curve((s) => s.update.updateMs, 1)} (its shard: ${stores.map((s) => `${label(s)}: ${s.update.shardRuns} runs`).join(', ')}); median of paired differences in one process, collected before each`,
    }),
  ];
}

export async function run({ quick = false, reps = 5 } = {}) {
  const dir = tempDir('growth');
  try {
    mkdirSync(join(dir, 'conf'));
    writeFileSync(join(dir, 'conf', 'config.yaml'), 'seed: 0\nlr: 0.1\nmodel:\n  width: 8\n  depth: 2\n');
    const sizes = [1e3, 1e4, 1e5];
    const runs = [];
    for (const n of sizes) runs.push(await streamRun(['compose', '--multirun', `seed=range(0,${n})`], dir));
    const perJob = runs.map((r, i) => r.total / sizes[i]);
    const rows = [
      row({
        id: 'growth.compose.first',
        name: 'compose -m: first job',
        value: runs.at(-1).first,
        unit: 'ms',
        target: '≤ 1 s at any size',
        pass: runs.every((r) => r.first <= 1000),
        note: `time to the first job on stdout at ${sizes.map((n, i) => `10^${Math.log10(n)}: ${runs[i].first.toFixed(0)} ms`).join(', ')}`,
      }),
      row({
        id: 'growth.compose.per-job',
        name: 'compose -m: per job',
        value: perJob.at(-1),
        unit: 'ms/job',
        target: 'growth exponent ≈ 1',
        pass:
          exponent(
            sizes,
            runs.map((r) => r.total),
          ) <= 1.15,
        note: `whole run ${sizes.map((n, i) => `10^${Math.log10(n)}: ${(runs[i].total / 1000).toFixed(2)} s`).join(', ')}; exponent ${exponent(
          sizes,
          runs.map((r) => r.total),
        ).toFixed(2)}`,
      }),
      row({
        id: 'growth.compose.rss',
        name: 'compose -m: peak RSS',
        value: runs.at(-1).rssMb,
        unit: 'MB',
        target: '< 200 MB at any size',
        pass: runs.every((r) => r.rssMb === null || r.rssMb < 200) && runs.at(-1).rssMb !== null,
        note: runs[0].rssMb === null ? 'no /usr/bin/time here' : sizes.map((n, i) => `10^${Math.log10(n)}: ${runs[i].rssMb.toFixed(0)} MB`).join(', '),
      }),
    ];
    // YAML mappings: the loader in one process, per size.
    const yaml = probe('yaml-growth.mjs', ['1000', '10000', '100000']);
    const loaded = yaml.sizes.filter((s) => s.ms !== null);
    rows.push(
      row({
        id: 'growth.yaml',
        name: 'YAML mapping: per key',
        value: loaded.length ? (loaded.at(-1).ms * 1000) / loaded.at(-1).keys : null,
        unit: 'µs/key',
        target: 'growth exponent ≈ 1',
        pass:
          loaded.length >= 2
            ? exponent(
                loaded.map((s) => s.keys),
                loaded.map((s) => s.ms),
              ) <= 1.15
            : null,
        note: yaml.sizes
          .map((s) => `${s.keys} keys (${(s.bytes / 1024).toFixed(0)} KiB): ${s.ms === null ? `refused, ${s.refused}` : `${s.ms.toFixed(1)} ms`}`)
          .join('; '),
      }),
    );
    const baseline = median(Array.from({ length: 5 }, () => timeSpawnOk([NODE, '-e', '0']).ms));
    const stores = (quick ? [1e3, 1e4] : [1e3, 1e4, 1e5]).map((n) => storeAt(n, Math.min(reps, 5)));
    rows.push(...storeRows(stores, baseline));
    return rows;
  } finally {
    removeDir(dir);
  }
}
