/**
 * Early stopping on a real small training job: the demo's Iris classifier (examples/train.ts, an
 * MLP with 256 hidden units, 40 epochs, about 50 ms an epoch here), a random search of 30 trials
 * over the optimizer and a log-uniform learning rate, on the local pool (--jobs 2), three ways:
 * no pruner (the baseline), --pruner median and --pruner asha (Optuna's defaults for both). The
 * same sweep seed gives the same 30 configurations each time. Figures: epochs run, counted from
 * every run's metrics.jsonl (one line per epoch), and the best final val_loss of the jobs that
 * completed, next to the noise: the standard deviation of the final val_loss of the best
 * configuration over 3 other seeds.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { makeAppDir } from '../lib/app-dir.mjs';
import { DIST, NODE, removeDir, row, timeSpawnOk } from '../lib/util.mjs';

export const title = 'Early stopping';

const EPOCHS = 40;
const TRIALS = 30;
const SWEEP = ['optimizer=sgd,adam', 'optimizer.lr=tag(log,interval(0.0001,1))', '--sweeper', 'random', '--trials', String(TRIALS), '--sweep-seed', '7'];
const FIXED = ['model=mlp', 'model.hidden=256', `trainer.epochs=${EPOCHS}`, 'trainer.log_every=1000'];
const TRAIN = join(DIST, 'examples', 'train.js');

/** The sweep's job table and, per job, the epochs its metrics.jsonl holds. */
function readSweep(cwd) {
  const day = readdirSync(join(cwd, 'multirun'))[0];
  const dir = join(cwd, 'multirun', day, readdirSync(join(cwd, 'multirun', day))[0]);
  const { jobs } = JSON.parse(readFileSync(join(dir, '.trellis', 'sweep.json'), 'utf8'));
  for (const job of jobs) {
    const metrics = join(dir, job.dir, '.trellis', 'metrics.jsonl');
    job.epochs = existsSync(metrics) ? readFileSync(metrics, 'utf8').trim().split('\n').length : 0;
  }
  return jobs;
}

function sweep(cwd, pruner) {
  removeDir(join(cwd, 'multirun'));
  const args = [NODE, TRAIN, '-m', ...FIXED, ...SWEEP, '--jobs', '2', '--objective', 'val_loss', ...(pruner ? ['--pruner', pruner] : [])];
  const r = timeSpawnOk(args, { cwd, timeout: 600_000 });
  const jobs = readSweep(cwd);
  const completed = jobs.filter((j) => j.status === 'completed');
  if (jobs.some((j) => j.status !== 'completed' && j.status !== 'pruned')) throw new Error(`a job failed:\n${r.stderr.slice(-2000)}`);
  return {
    ms: r.ms,
    jobs,
    epochs: jobs.reduce((n, j) => n + j.epochs, 0),
    best: Math.min(...completed.map((j) => j.objective).filter(Number.isFinite)),
    pruned: jobs.length - completed.length,
  };
}

function std(values) {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1));
}

export async function run() {
  const { dir } = makeAppDir('prune');
  try {
    const full = sweep(dir, undefined);
    // Noise: how much the best configuration's final val_loss moves from seed to seed.
    const bestJob = full.jobs.filter((j) => Number.isFinite(j.objective)).reduce((a, b) => (b.objective < a.objective ? b : a));
    const config = bestJob.overrides.filter((o) => !FIXED.includes(o));
    removeDir(join(dir, 'multirun'));
    timeSpawnOk([NODE, TRAIN, '-m', ...FIXED, ...config, 'seed=1,2,3', '--jobs', '2', '--objective', 'val_loss'], { cwd: dir, timeout: 600_000 });
    const noise = std(readSweep(dir).map((j) => j.objective));
    const rows = [];
    for (const [pruner, target] of [
      ['median', 0.5],
      ['asha', 0.25],
    ]) {
      const s = sweep(dir, pruner);
      const saved = 1 - s.epochs / full.epochs;
      rows.push(
        row({
          id: `prune.${pruner}.epochs`,
          name: `--pruner ${pruner}: epochs run, ${TRIALS} random-search trials`,
          value: s.epochs,
          unit: 'epochs',
          baseline: full.epochs,
          baselineName: 'the same sweep without a pruner',
          target: `saves ≥ ${Math.round((1 - target) * 100)} %`,
          pass: s.epochs <= target * full.epochs,
          note: `saves ${(saved * 100).toFixed(0)} %; ${s.pruned} of ${s.jobs.length} jobs pruned; sweep ${(s.ms / 1000).toFixed(1)} s vs ${(full.ms / 1000).toFixed(1)} s`,
        }),
        row({
          id: `prune.${pruner}.best`,
          name: `--pruner ${pruner}: best val_loss`,
          value: s.best,
          unit: '',
          baseline: full.best,
          baselineName: 'best val_loss without a pruner',
          target: 'within noise',
          pass: Math.abs(s.best - full.best) <= noise,
          note: `difference ${(s.best - full.best).toPrecision(2)}; noise ${noise.toPrecision(2)} (std of val_loss over seeds 1, 2, 3 of the best configuration, ${config.join(' ')})`,
        }),
      );
    }
    return rows;
  } finally {
    removeDir(dir);
  }
}
