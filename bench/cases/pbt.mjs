/**
 * Population-based training on a toy whose best learning rate changes as training goes: the
 * noisy quadratic model (Zhang et al. 2019), SGD on a·θ²/2 with gradient noise σ². Its expected
 * loss m follows m ← (1 − ηa)² m + η²σ² exactly, so the figures have no noise: a large η gets
 * down fast but stalls at the floor ησ²/(a(2 − ηa)); a small one has a low floor but is slow. No
 * fixed η reaches 0.01 in 200 steps (the best is found by scanning 4,001 of them, log-spaced);
 * an annealed schedule does, and PBT has to find one. The PBT sweep is a real one: an app run
 * with --sweeper pbt, 8 members × 20 segments of 10 steps, inline, each segment restoring its
 * checkpoint through run.restore() and saving through run.checkpoint().
 *
 * Overhead: the same job trains 20,000 steps three ways in one process: a plain loop (the
 * recursion only), the loop plus run.log() and run.checkpoint() every step, and the loop plus
 * a plain writeFileSync of the same state every step (what saving without trellis costs).
 */
import { readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DIST, NODE, median, removeDir, row, tempDir, timeSpawnOk } from '../lib/util.mjs';

export const title = 'Population-based training';

const STEPS = 200;
const INTERVAL = 10;
const POPULATION = 8;
const TARGET = 0.01;
const M0 = 100;
const SEEDS = [1, 2, 3];

/** One step of the noisy quadratic model (a = 1, σ² = 1), the same in the app and here. */
const STEP = 'm = (1 - lr) ** 2 * m + lr * lr';

function bestFixed() {
  let best = { loss: Infinity, lr: NaN };
  for (let i = 0; i <= 4000; i++) {
    const lr = 10 ** (-4 + i / 1000);
    let m = M0;
    for (let t = 0; t < STEPS; t++) m = (1 - lr) ** 2 * m + lr * lr;
    if (m < best.loss) best = { loss: m, lr };
  }
  return best;
}

const app = (index) => `import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defineApp } from ${JSON.stringify(index)};
const app = defineApp({ name: 'nqm' }, async (cfg, run) => {
  if (cfg.mode === 'overhead') return overhead(cfg, run);
  const seg = run.segment;
  let m = run.restore()?.data.m ?? ${M0};
  const lr = cfg.lr;
  for (let step = seg.start; step < seg.end; step++) {
    ${STEP};
    run.log({ loss: m }, { step });
    run.checkpoint({ m }, { step });
  }
  return { loss: m };
});
function overhead(cfg, run) {
  const lr = 0.01;
  const time = (body) => {
    let m = ${M0};
    const t0 = performance.now();
    for (let step = 0; step < cfg.steps; step++) {
      ${STEP};
      body(m, step);
    }
    return performance.now() - t0;
  };
  const plainFile = join(run.dir, 'plain.json');
  const rounds = { plain: [], trellis: [], writeFile: [] };
  for (let r = 0; r < cfg.rounds; r++) {
    rounds.plain.push(time(() => undefined));
    rounds.trellis.push(time((m, step) => { run.log({ loss: m }, { step }); run.checkpoint({ m }, { step }); }));
    rounds.writeFile.push(time((m) => writeFileSync(plainFile, JSON.stringify({ m }))));
  }
  return { steps: cfg.steps, ...rounds };
}
process.exitCode = await app.main();
`;

function setup() {
  const dir = tempDir('pbt');
  mkdirSync(join(dir, 'conf'));
  writeFileSync(join(dir, 'conf', 'config.yaml'), 'lr: 0.01\nmode: train\nsteps: 5000\nrounds: 5\n');
  writeFileSync(join(dir, 'app.mjs'), app(pathToFileURL(join(DIST, 'bundle', 'index.js')).href));
  return dir;
}

function sweepRecord(cwd) {
  const day = readdirSync(join(cwd, 'multirun'))[0];
  const dir = join(cwd, 'multirun', day, readdirSync(join(cwd, 'multirun', day))[0]);
  return JSON.parse(readFileSync(join(dir, '.trellis', 'sweep.json'), 'utf8'));
}

/** The best loss at the last step among the members, and how many segments exploited another member. */
function pbtRun(cwd, seed) {
  removeDir(join(cwd, 'multirun'));
  const generations = STEPS / INTERVAL;
  const args = ['-m', '--sweeper', 'pbt', '--population', String(POPULATION), '--generations', String(generations)];
  args.push('--perturbation-interval', String(INTERVAL), '--sweep-seed', String(seed), '--objective', 'loss', 'lr=tag(log, interval(0.0001, 1.0))');
  const r = timeSpawnOk([NODE, 'app.mjs', ...args], { cwd, timeout: 600_000 });
  const { jobs } = sweepRecord(cwd);
  const last = jobs.filter((j) => j.pbt.generation === generations - 1 && j.status === 'completed');
  if (last.length !== POPULATION) throw new Error(`PBT sweep: ${last.length} of ${POPULATION} members finished:\n${r.stderr.slice(-2000)}`);
  return { best: Math.min(...last.map((j) => j.objective)), exploits: jobs.filter((j) => j.pbt.by === 'exploit').length, jobs: jobs.length, ms: r.ms };
}

export async function run(settings) {
  const cwd = setup();
  try {
    const fixed = bestFixed();
    const seeds = settings.reps < 11 ? SEEDS.slice(0, 1) : SEEDS;
    const runs = seeds.map((seed) => pbtRun(cwd, seed));
    const worst = Math.max(...runs.map((r) => r.best));

    const o = timeSpawnOk([NODE, 'app.mjs', 'mode=overhead', '--format', 'json'], { cwd, timeout: 600_000 });
    const result = JSON.parse(o.stdout).result;
    const perStep = (list) => median(list) / result.steps;
    const plain = perStep(result.plain);
    const overhead = perStep(result.trellis) - plain;
    const writeFile = perStep(result.writeFile) - plain;
    return [
      row({
        id: 'pbt.target',
        name: `PBT: loss after ${STEPS} steps, noisy quadratic (worst of ${seeds.length} sweep seed${seeds.length > 1 ? 's' : ''})`,
        value: worst,
        unit: '',
        baseline: fixed.loss,
        baselineName: `the best fixed learning rate (${fixed.lr.toPrecision(3)}, scanned)`,
        target: `≤ ${TARGET}, which no fixed lr reaches`,
        pass: worst <= TARGET && fixed.loss > TARGET,
        note: `seeds ${seeds.join(', ')}: ${runs.map((r) => r.best.toPrecision(3)).join(', ')}; ${POPULATION} members × ${STEPS / INTERVAL} segments of ${INTERVAL} steps; exploits ${runs.map((r) => r.exploits).join(', ')}; sweep ${(median(runs.map((r) => r.ms)) / 1000).toFixed(1)} s for ${runs[0].jobs} jobs`,
      }),
      row({
        id: 'pbt.overhead',
        name: 'PBT: run.log() + run.checkpoint() per training step',
        value: overhead,
        unit: 'ms',
        baseline: writeFile,
        baselineName: 'a plain writeFileSync of the same state per step',
        target: '≤ 1 ms per step',
        pass: overhead <= 1,
        note: `median of ${result.plain.length} rounds of ${result.steps} steps in one job; the plain loop takes ${(plain * 1e6).toFixed(0)} ns a step`,
      }),
    ];
  } finally {
    removeDir(cwd);
  }
}
