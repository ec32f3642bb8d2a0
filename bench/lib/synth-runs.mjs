/**
 * Synthetic run directories for the store benchmark, shaped like real ones (DESIGN.md §5, and what
 * examples/train.js writes): every record file of `.trellis/`, a job log and an artifact. Runs are
 * single runs under outputs/<date>/<time>/ and sweep jobs under multirun/<date>/<time>/<n>/ with a
 * sweep.json. Deterministic (seeded), so every bench run scans the same data.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

function lcg(seed) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const pad = (n, w = 2) => String(n).padStart(w, '0');

const ENV = (cwd, argv) =>
  JSON.stringify(
    {
      runtime: { node: '20.20.2', v8: '11.3.244.8-node.38', typescript: null, platform: 'linux', arch: 'x64', execPath: '/usr/bin/node' },
      os: { type: 'Linux', release: '6.18.44', version: '#1 SMP PREEMPT_DYNAMIC', hostname: 'vm' },
      cpu: { model: 'Intel(R) Xeon(R) Processor', count: 2, availableParallelism: 2 },
      memory: { totalBytes: 25276502016 },
      gpus: [],
      packages: {
        project: { dir: cwd, name: 'iris-experiments', version: '0.1.0' },
        lockfile: `${cwd}/package-lock.json`,
        dependencies: { trellis: { spec: '^0.1.0', installed: '0.1.0' }, zod: { spec: '^4.6.7', installed: '4.6.7' } },
        devDependencies: { typescript: { spec: '^7.0.2', installed: '7.0.2' } },
      },
      invocation: { cwd, argv },
      env: { LANG: 'C.UTF-8', USER: 'bench' },
    },
    null,
    2,
  );

function configYaml(c, resolved) {
  const features = resolved ? '4' : '${dataset.features}';
  const classes = resolved ? '3' : '${dataset.classes}';
  const opt = c.optimizer === 'adam' ? `  name: adam\n  lr: ${c.lr}\n  betas:\n  - 0.9\n  - 0.999\n` : `  name: sgd\n  lr: ${c.lr}\n  momentum: 0.9\n`;
  const hidden = c.model === 'mlp' ? '  hidden: 16\n' : '';
  return (
    `model:\n  name: ${c.model}\n  features: ${features}\n  classes: ${classes}\n${hidden}optimizer:\n${opt}` +
    `dataset:\n  name: iris\n  features: 4\n  classes: 3\n  val_fraction: 0.2\n  standardize: true\n` +
    `trainer:\n  epochs: ${c.epochs}\n  batch_size: 16\n  log_every: 10\n` +
    `name: ${resolved ? `iris-${c.model}` : 'iris-${model.name}'}\nseed: ${c.seed}\ntags: []\n`
  );
}

function provenance(c) {
  const at = (file, line, col, value) => ({ ...(value === undefined ? {} : { value }), file, line, col });
  return JSON.stringify(
    {
      model: at(`conf/model/${c.model}.yaml`, 2, 1),
      'model.name': at(`conf/model/${c.model}.yaml`, 2, 7, c.model),
      'model.features': at(`conf/model/${c.model}.yaml`, 3, 11, '${dataset.features}'),
      'model.classes': at(`conf/model/${c.model}.yaml`, 4, 10, '${dataset.classes}'),
      optimizer: at(`conf/optimizer/${c.optimizer}.yaml`, 1, 1),
      'optimizer.name': at(`conf/optimizer/${c.optimizer}.yaml`, 1, 7, c.optimizer),
      'optimizer.lr': { value: c.lr, override: `optimizer.lr=${c.lr}`, index: 1 },
      'trainer.epochs': { value: c.epochs, override: `trainer.epochs=${c.epochs}`, index: 2 },
      seed: { value: c.seed, override: `seed=${c.seed}`, index: 3 },
      name: at('conf/config.yaml', 9, 7, 'iris-${model.name}'),
    },
    null,
    2,
  );
}

/** Writes one run directory; returns nothing. `c` is the run's config choice and outcome. */
function writeRun(dir, c, meta) {
  const t = join(dir, '.trellis');
  mkdirSync(t, { recursive: true });
  const overrides = [`optimizer=${c.optimizer}`, `optimizer.lr=${c.lr}`, `trainer.epochs=${c.epochs}`, `seed=${c.seed}`, `model=${c.model}`];
  const start = meta.start;
  const duration = 2 + c.epochs * 0.05;
  const end = new Date(start.getTime() + duration * 1000);
  const status = c.status;
  const metricLines = [];
  const stats = {};
  const add = (name, v, step) => {
    const s = (stats[name] ??= { last: v, last_step: step, min: v, min_step: step, max: v, max_step: step, count: 0 });
    s.last = v;
    s.last_step = step;
    s.count++;
    if (v < s.min) Object.assign(s, { min: v, min_step: step });
    if (v > s.max) Object.assign(s, { max: v, max_step: step });
  };
  const steps = status === 'completed' ? c.epochs : Math.max(1, Math.floor(c.epochs / 3));
  for (let step = 1; step <= steps; step++) {
    const decay = Math.exp(-step * c.lr * 2);
    const row = { train_loss: c.floor + decay * 1.1, train_acc: 0.95 - decay * 0.6, val_loss: c.floor * 1.1 + decay * 1.2, val_acc: 0.93 - decay * 0.6 };
    metricLines.push(JSON.stringify({ step, time: start.getTime() / 1000 + step * 0.05, ...row }));
    for (const [k, v] of Object.entries(row)) add(k, v, step);
  }
  const run = {
    id: `${meta.stamp.replace(/[-/]/g, '').replace('_', '-')}-${meta.suffix}`,
    name: 'train',
    status,
    start: start.toISOString(),
    end: status === 'running' ? null : end.toISOString(),
    duration_s: status === 'running' ? null : duration,
    exit_code: status === 'completed' ? 0 : status === 'failed' ? 1 : status === 'interrupted' ? 130 : null,
    error: status === 'failed' ? { type: 'Error', message: 'loss is NaN', stack: 'Error: loss is NaN\n    at train (examples/train.ts:120:11)' } : null,
    host: 'vm',
    pid: 10000 + meta.n,
    argv: overrides,
    cwd: meta.cwd,
    entry: 'examples/train.js',
    config_dir: 'conf',
    config_name: 'config',
    overrides,
    sweep: meta.sweep ?? null,
    reproduces: null,
    heartbeat: end.toISOString(),
    heartbeat_interval_s: 5,
    tags: c.tags,
    notes: [],
    artifacts: status === 'completed' ? [{ name: 'model.json', size: 359, sha256: 'c87e20f5d65850fb576d9452869eb7aef20275931305e6bba704e97f063b8784' }] : [],
  };
  const result = status === 'completed' ? { val_loss: stats.val_loss.last, val_acc: stats.val_acc.last } : null;
  writeFileSync(join(t, 'run.json'), JSON.stringify(run, null, 2));
  writeFileSync(join(t, 'config.yaml'), configYaml(c, false));
  writeFileSync(join(t, 'resolved.yaml'), configYaml(c, true));
  writeFileSync(join(t, 'overrides.yaml'), overrides.map((o) => `- ${o}\n`).join(''));
  writeFileSync(join(t, 'choices.yaml'), `model: ${c.model}\noptimizer: ${c.optimizer}\ndataset: iris\ntrainer: default\n`);
  writeFileSync(join(t, 'provenance.json'), provenance(c));
  writeFileSync(
    join(t, 'defaults.json'),
    JSON.stringify(
      ['model', 'optimizer', 'dataset', 'trainer']
        .map((g) => ({
          config: `${g}/${g === 'model' ? c.model : g === 'optimizer' ? c.optimizer : g === 'dataset' ? 'iris' : 'default'}`,
          package: g,
          parent: 'config',
        }))
        .concat([{ config: 'config', package: '', parent: null }]),
      null,
      2,
    ),
  );
  writeFileSync(
    join(t, 'seeds.json'),
    JSON.stringify({ master: c.seed, derived: { split: (c.seed * 7919) >>> 0, init: (c.seed * 104729) >>> 0, batches: (c.seed * 1299709) >>> 0 } }, null, 2),
  );
  writeFileSync(join(t, 'env.json'), meta.env);
  writeFileSync(
    join(t, 'git.json'),
    JSON.stringify(
      {
        available: true,
        root: meta.cwd,
        commit: meta.commit,
        branch: 'main',
        remote: null,
        dirty: false,
        untracked: [],
        untrackedTruncated: false,
        diffBytes: 0,
        diffTruncated: false,
      },
      null,
      2,
    ),
  );
  writeFileSync(join(t, 'inputs.json'), '[]');
  writeFileSync(join(t, 'metrics.jsonl'), `${metricLines.join('\n')}\n`);
  if (status !== 'running') writeFileSync(join(t, 'summary.json'), JSON.stringify({ metrics: stats, result }, null, 2));
  writeFileSync(
    join(dir, 'train.log'),
    `[${start.toISOString().replace('T', ' ').slice(0, 19)},000][train][INFO] - epoch ${steps}: val_loss=${stats.val_loss.last.toFixed(4)}\n`,
  );
  if (status === 'completed') writeFileSync(join(dir, 'model.json'), JSON.stringify({ model: { name: c.model }, params: [0.1, 0.2, 0.3] }));
}

/**
 * Writes `count` runs under `root`: about 40% as sweep jobs (100 per sweep), the rest single runs.
 * Returns what a reader should find: the number of runs and the best completed val_loss.
 */
export function generateRuns(root, count = 10_000) {
  const rand = lcg(12345);
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const cwd = '/home/bench/iris-experiments';
  const env = ENV(cwd, []);
  const commit = 'a3f1c9e0b2d4f6a8c0e2b4d6f8a0c2e4b6d8f0a2';
  const base = Date.UTC(2026, 0, 1, 9, 0, 0);
  let best = Infinity;
  const config = () => {
    const c = {
      optimizer: pick(['adam', 'sgd']),
      model: pick(['linear', 'mlp']),
      lr: pick([0.001, 0.003, 0.01, 0.03, 0.1]),
      epochs: pick([10, 20, 30, 50]),
      seed: Math.floor(rand() * 1000),
      floor: 0.05 + rand() * 0.4,
      status: rand() < 0.9 ? 'completed' : pick(['failed', 'failed', 'interrupted', 'running']),
      tags: rand() < 0.2 ? ['baseline'] : [],
    };
    return c;
  };
  const track = (c, dir) => {
    if (c.status !== 'completed') return;
    const steps = c.epochs;
    let min = Infinity;
    for (let step = 1; step <= steps; step++) min = Math.min(min, c.floor * 1.1 + Math.exp(-step * c.lr * 2) * 1.2);
    if (min < best) best = min;
  };
  const sweeps = Math.floor((count * 0.4) / 100);
  let n = 0;
  for (let s = 0; s < sweeps; s++) {
    const when = new Date(base + s * 86_400_000 * 0.37);
    const stamp = `${when.toISOString().slice(0, 10)}/${pad(when.getUTCHours())}-${pad(when.getUTCMinutes())}-${pad(when.getUTCSeconds())}`;
    const sweepDir = join(root, 'multirun', stamp);
    const jobs = [];
    for (let j = 0; j < 100; j++, n++) {
      const c = config();
      const dir = join(sweepDir, String(j));
      writeRun(dir, c, {
        n,
        start: new Date(when.getTime() + j * 4000),
        stamp: `${stamp}_${j}`,
        suffix: n.toString(16).padStart(6, '0'),
        cwd,
        env,
        commit,
        sweep: { dir: sweepDir, num: j },
      });
      track(c, dir);
      jobs.push({ num: j, overrides: [`optimizer=${c.optimizer}`, `optimizer.lr=${c.lr}`], status: c.status, dir: String(j), objective: null, error: null });
    }
    mkdirSync(join(sweepDir, '.trellis'), { recursive: true });
    writeFileSync(join(sweepDir, 'multirun.yaml'), 'overrides:\n- optimizer=adam,sgd\n- optimizer.lr=0.001,0.01,0.1\nstrategy: grid\nconfig_name: config\n');
    writeFileSync(
      join(sweepDir, '.trellis', 'sweep.json'),
      JSON.stringify(
        {
          strategy: 'grid',
          search_space: {},
          seed: null,
          fingerprint: 'f00d',
          config_dir: 'conf',
          config_name: 'config',
          cwd,
          overrides: [],
          launcher: 'local',
          entry: 'examples/train.js',
          objective: { name: 'val_loss', mode: 'min' },
          created: when.toISOString(),
          jobs,
        },
        null,
        2,
      ),
    );
  }
  for (; n < count; n++) {
    const c = config();
    const when = new Date(base + n * 61_000);
    const stamp = `${when.toISOString().slice(0, 10)}/${pad(when.getUTCHours())}-${pad(when.getUTCMinutes())}-${pad(when.getUTCSeconds())}`;
    const dir = join(root, 'outputs', stamp);
    writeRun(dir, c, { n, start: when, stamp, suffix: n.toString(16).padStart(6, '0'), cwd, env, commit });
    track(c, dir);
  }
  return { runs: count, bestValLoss: best };
}

/** Every path under `dir` (files and directories), for finding what a command added. */
export function listTree(dir, out = new Set()) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    out.add(p);
    if (e.isDirectory()) listTree(p, out);
  }
  return out;
}
