import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { findOnPath } from '../../src/util/find-on-path.js';
import { summarizeMetrics, type MetricRow } from '../../src/run/metrics.js';
import { cliPath, repoRoot } from './run-cli.js';
import { appSource } from './app-project.js';
import { stderrOf } from './wait.js';

/**
 * The system's Chromium (Debian's `chromium` package), driven by playwright-core: a browser
 * downloaded by `playwright install` is not an option here. `.ci/run` installs it when missing.
 */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = findOnPath('chromium', process.env) ?? findOnPath('chromium-browser', process.env);
  if (!executablePath) throw new Error('no chromium on PATH: install it (apt-get install chromium; .ci/run does)');
  return chromium.launch({ executablePath, args: ['--no-sandbox'] });
}

/** `trellis ui` from the built CLI in `cwd`, once it has printed its URL. */
export async function startUi(cwd: string, args: string[] = []): Promise<{ child: ChildProcess; url: string; stderr: () => string }> {
  const child = spawn(process.execPath, [cliPath, 'ui', ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  const err = stderrOf(child);
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /trellis ui: (\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`trellis ui exited (${code}): ${err.text()}`)));
  });
  return { child, url, stderr: err.text };
}

/** The sweep directory a finished sweep names in its last line. */
const sweepDirOf = (output: string) => /sweep finished: .*\((multirun\/[^)]+)\)/.exec(output)![1]!;

/** A line of metrics.jsonl per step. */
const metricLines = (values: Array<Record<string, number>>, from = 0) =>
  values.map((v, i) => `${JSON.stringify({ step: from + i, time: 1_790_000_000 + from + i, ...v })}\n`).join('');

/**
 * The demo's runs, as a new user makes them: a sweep of the Iris demo over optimizer and seed
 * (objective val_loss) and one single run; beside them two runs written by hand with the demo's
 * config: `outputs/live` (still running: its heartbeat is fresh) and `outputs/long` (5,000
 * points with one spike up and one down, for bucketing).
 */
export function demoStore(): {
  cwd: string;
  sweepDir: string;
  single: string;
  /** Writes one more run by hand, as `outputs/live` is: `outputs/<name>`. */
  addRun: (name: string, status: string, lines: string) => void;
  remove: () => void;
} {
  // Not tmpDir(): that is removed after each test, and this store serves a whole file of them.
  const cwd = mkdtempSync(join(tmpdir(), 'trellis-ui-'));
  cpSync(join(repoRoot, 'conf'), join(cwd, 'conf'), { recursive: true });
  const demo = (args: string[]) => {
    const r = spawnSync(process.execPath, [join(repoRoot, 'dist', 'examples', 'train.js'), ...args], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    if (r.status !== 0) throw new Error(`demo failed: ${r.stderr}`);
    return r.stderr + r.stdout;
  };
  const sweepOut = demo(['-m', 'optimizer=adam,sgd', 'seed=1,2', '--objective', 'val_loss']);
  const sweepDir = sweepDirOf(sweepOut);
  const single = /run completed: (outputs\/\S+)/.exec(demo(['trainer.epochs=40']))![1]!;
  const resolved = readFileSync(join(cwd, single, '.trellis', 'resolved.yaml'), 'utf8');
  const handMade = (name: string, status: string, lines: string) => {
    const rows = lines
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as MetricRow);
    const dir = join(cwd, 'outputs', name);
    mkdirSync(join(dir, '.trellis'), { recursive: true });
    const now = new Date().toISOString();
    writeFileSync(
      join(dir, '.trellis', 'run.json'),
      JSON.stringify({ id: `hand-${name}`, name, status, start: now, heartbeat: now, heartbeat_interval_s: 3600, overrides: [], tags: [], notes: [] }),
    );
    writeFileSync(join(dir, '.trellis', 'resolved.yaml'), resolved);
    writeFileSync(join(dir, '.trellis', 'metrics.jsonl'), lines);
    writeFileSync(join(dir, `${name}.log`), `${name} started\n`);
    if (status === 'completed') writeFileSync(join(dir, '.trellis', 'summary.json'), JSON.stringify({ metrics: summarizeMetrics(rows), result: null }));
  };
  handMade('live', 'running', metricLines([{ live_loss: 3 }, { live_loss: 2 }, { live_loss: 1.5 }]));
  const wave = Array.from({ length: 5000 }, (_, i) => ({ wave: Math.sin(i / 50) + (i === 1234 ? 100 : 0) - (i === 4321 ? 50 : 0) }));
  handMade('long', 'completed', metricLines(wave));
  return { cwd, sweepDir, single, addRun: handMade, remove: () => rmSync(cwd, { recursive: true, force: true }) };
}

export { metricLines };

/**
 * Adaptive sweeps for the sweep view, made by a real app (the bodies of test/e2e/pbt.test.ts and
 * test/e2e/prune.test.ts in one): a PBT sweep of 3 members × 3 generations, where each segment
 * walks x towards 10 by `lr` from the checkpoint it was given, and a grid with the median pruner
 * where the job with lr=9 is pruned at its first report.
 */
export function adaptiveStore(): { cwd: string; pbtDir: string; prunedDir: string; remove: () => void } {
  const cwd = mkdtempSync(join(tmpdir(), 'trellis-ui-adaptive-'));
  mkdirSync(join(cwd, 'conf'));
  writeFileSync(join(cwd, 'conf', 'config.yaml'), 'lr: 1\nsteps: 400\nslow_from: 5\npause: 30\n');
  const body = `async (cfg, run) => {
    if (run.segment) {
      const seg = run.segment;
      const restored = run.restore();
      let x = restored ? restored.data.x : 0;
      for (let step = seg.start; step < seg.end; step++) {
        x += cfg.lr;
        run.log({ loss: (10 - x) ** 2 }, { step });
      }
      run.checkpoint({ x });
      return;
    }
    for (let step = 0; step < cfg.steps; step++) {
      if (run.stopRequested) break;
      run.log({ val_loss: cfg.lr * (1 + 1 / (step + 1)) }, { step });
      if (cfg.lr >= cfg.slow_from) await new Promise((r) => setTimeout(r, cfg.pause));
    }
  }`;
  writeFileSync(join(cwd, 'app.mjs'), appSource(body));
  const sweep = (args: string[]) => {
    const r = spawnSync(process.execPath, ['app.mjs', '-m', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    if (r.status !== 0) throw new Error(`sweep failed: ${r.stderr}`);
    return sweepDirOf(r.stderr + r.stdout);
  };
  const pbtArgs = ['--sweeper', 'pbt', '--population', '3', '--generations', '3', '--perturbation-interval', '5', '--sweep-seed', '5'];
  const pbtDir = sweep([...pbtArgs, '--objective', 'loss', 'lr=interval(0.05, 0.6)']);
  const prunedDir = sweep(['lr=1,2,9,1.5', '--objective', 'val_loss', '--pruner', 'median', '+trellis.sweeper.pruner.n_startup_trials=2']);
  return { cwd, pbtDir, prunedDir, remove: () => rmSync(cwd, { recursive: true, force: true }) };
}
