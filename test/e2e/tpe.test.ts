import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { customApp, runDirs, runNode } from '../helpers/app-project.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { startCluster } from '../helpers/slurm-cluster.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { jsonIf, waitFor } from '../helpers/wait.js';

interface TrialRow {
  num: number;
  overrides: string[];
  status: string;
  dir: string | null;
  objective: number | null;
  params?: Record<string, string | number>;
  state?: string;
  sampler?: { by: string; finished: number; running: number };
}
interface SweepJson {
  strategy: string;
  seed: number;
  search_space: { trials: number; sampler: { startup_trials: number }; space: Array<Record<string, unknown>> };
  objective: { name: string | null; mode: string };
  launcher: string;
  jobs: TrialRow[];
}

/** A config group whose options have different keys: momentum only under sgd. */
const conf = {
  'conf/config.yaml': 'defaults:\n  - opt: sgd\n  - _self_\nx: 0.0\nwidth: 1\n',
  'conf/opt/sgd.yaml': 'name: sgd\nmomentum: 0.5\n',
  'conf/opt/adam.yaml': 'name: adam\nbeta: 0.9\n',
};
/** A smooth objective: best at x = 1, sgd with momentum 0.9, width 7. Blocks while the file `hold` exists once 6 jobs are done. */
const body = `async (cfg) => {
  const fs = await import('node:fs');
  const done = fs.existsSync('done.txt') ? fs.readFileSync('done.txt', 'utf8').split('\\n').length - 1 : 0;
  while (done >= 6 && fs.existsSync('hold')) await new Promise((r) => setTimeout(r, 50));
  if (cfg.opt.name === 'adam' && 'momentum' in cfg.opt) throw new Error('momentum under adam');
  fs.appendFileSync('done.txt', 'x\\n');
  return { loss: (cfg.x - 1) ** 2 + (cfg.opt.name === 'sgd' ? (cfg.opt.momentum - 0.9) ** 2 : 0.3) + 0.01 * (cfg.width - 7) ** 2 };
}`;
const space = ['opt=sgd,adam', 'x=interval(-4.0, 4.0)', 'opt.momentum=interval(0.0, 1.0)', 'width=range(1, 10, 2)'];
const tpeArgs = (trials: number, seed: number) => [
  '-m',
  '--sweeper',
  'tpe',
  '--trials',
  String(trials),
  '--sweep-seed',
  String(seed),
  '--objective',
  'loss',
  ...space,
];

function sweepOf(cwd: string): { dir: string; record: SweepJson } {
  const dirs = [...new Set(runDirs(join(cwd, 'multirun')).map((d) => d.replace(/\/\d+(_\d+)?$/, '')))];
  expect(dirs).toHaveLength(1);
  return { dir: dirs[0]!, record: JSON.parse(readFileSync(join(dirs[0]!, '.trellis', 'sweep.json'), 'utf8')) as SweepJson };
}

/** Every trial ran what sweep.json says, with the conditional key exactly under sgd, and no configuration twice. */
function checkTrials(record: SweepJson, trials: number): void {
  expect(record.strategy).toBe('tpe');
  expect(record.jobs).toHaveLength(trials);
  expect(record.jobs.map((j) => j.num)).toEqual([...Array(trials).keys()]);
  for (const j of record.jobs) {
    expect(j).toMatchObject({ status: 'completed', state: 'complete' });
    const opt = j.params!.opt;
    expect(j.overrides.some((o) => o.startsWith('opt.momentum='))).toBe(opt === 'sgd');
    expect(Object.keys(j.params!).sort()).toEqual(opt === 'sgd' ? ['opt', 'opt.momentum', 'width', 'x'] : ['opt', 'width', 'x']);
    expect([1, 3, 5, 7, 9]).toContain(j.params!.width);
    expect(Math.abs(Number(j.params!.x))).toBeLessThanOrEqual(4);
  }
  expect(new Set(record.jobs.map((j) => j.overrides.join(' '))).size).toBe(trials);
}

describe('TPE sweeps', () => {
  it('inline: proposes from the outcomes, records params and states, never a key outside its option', () => {
    const cwd = customApp(body, conf);
    const r = runNode(join(cwd, 'app.mjs'), tpeArgs(16, 11), cwd);
    expect(r.stderr).not.toContain('momentum under adam');
    expect(r.code).toBe(0);
    const { record } = sweepOf(cwd);
    checkTrials(record, 16);
    expect(record).toMatchObject({ seed: 11, launcher: 'inline', objective: { name: 'loss', mode: 'min' } });
    // One at a time: trial n saw n finished trials; the first 10 were random startup draws.
    expect(record.jobs.map((j) => j.sampler)).toEqual(record.jobs.map((j) => ({ by: j.num < 10 ? 'random' : 'tpe', finished: j.num, running: 0 })));
    expect(record.search_space.space).toContainEqual({
      key: 'opt.momentum',
      kind: 'float',
      low: 0,
      high: 1,
      log: false,
      only_under: { key: 'opt', options: ['sgd'] },
    });
    expect(r.stderr).toMatch(/sweep finished: 16\/16 jobs completed/);

    // sweep show: the trials and the best one, as text and as JSON.
    const dir = sweepOf(cwd).dir.slice(cwd.length + 1);
    const shown = runCli(['sweep', 'show', dir, '--format', 'json'], { cwd });
    expect(shown.code).toBe(0);
    const view = JSON.parse(shown.stdout) as { trials: Array<{ num: number; value: number }>; best: { num: number; value: number } };
    expect(view.trials).toHaveLength(16);
    const min = Math.min(...record.jobs.map((j) => j.objective!));
    expect(view.best).toMatchObject({ num: record.jobs.find((j) => j.objective === min)!.num, value: min });
    const text = runCli(['sweep', 'show', dir], { cwd }).stdout;
    const header = text.split('\n').find((line) => line.trimStart().startsWith('# '))!;
    expect(header.trim().split(/ +/).sort()).toEqual(['#', 'dir', 'loss', 'opt', 'opt.momentum', 'status', 'width', 'x']);
    expect(text).toContain(`best: #${view.best.num} loss=`);
  }, 120_000);

  it('the same seed gives the same trials with --jobs 1; another seed other ones', () => {
    const sequence = (seed: number) => {
      const cwd = customApp(body, conf);
      expect(runNode(join(cwd, 'app.mjs'), tpeArgs(13, seed), cwd).code).toBe(0);
      return sweepOf(cwd).record.jobs.map((j) => j.overrides);
    };
    const first = sequence(4);
    expect(sequence(4)).toEqual(first);
    expect(sequence(5)).not.toEqual(first);
  }, 120_000);

  it('local launcher with --jobs 2: trials start as slots free, no two alike', () => {
    const cwd = customApp(body, conf);
    const r = runNode(join(cwd, 'app.mjs'), [...tpeArgs(14, 2), '--jobs', '2'], cwd);
    expect(r.code).toBe(0);
    const { record } = sweepOf(cwd);
    expect(record.launcher).toBe('local');
    checkTrials(record, 14);
  }, 120_000);

  it('resume continues with the trials it has and never repeats one', async () => {
    const cwd = customApp(body, conf);
    writeFileSync(join(cwd, 'hold'), '');
    const child = spawn(process.execPath, [join(cwd, 'app.mjs'), ...tpeArgs(12, 9)], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    // Killed once 6 trials completed and the 7th is running (it holds while the file exists).
    const path = await waitFor(() => runDirs(join(cwd, 'multirun')).find((d) => d.endsWith('/6')), 'trial #6 to start');
    await waitFor(
      () => jsonIf<SweepJson>(join(path, '..', '.trellis', 'sweep.json'), (s) => s.jobs.filter((j) => j.status === 'completed').length === 6),
      'six trials recorded',
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const before = sweepOf(cwd).record;
    expect(before.jobs.map((j) => j.status)).toEqual([...Array(6).fill('completed'), 'running']);
    rmSync(join(cwd, 'hold'));

    const resumed = runCli(['sweep', 'resume', sweepOf(cwd).dir.slice(cwd.length + 1)], { cwd });
    expect(resumed.stderr).toContain('sweep finished: 12/12');
    expect(resumed.code).toBe(0);
    const after = sweepOf(cwd).record;
    checkTrials(after, 12);
    // The first seven are the ones proposed before the kill: six kept, the seventh run again.
    expect(after.jobs.slice(0, 7).map((j) => j.overrides)).toEqual(before.jobs.map((j) => j.overrides));
    expect(after.jobs.slice(0, 6).map((j) => j.dir)).toEqual(before.jobs.slice(0, 6).map((j) => j.dir));
  }, 120_000);

  it('a Hydra config that selects the Optuna sweeper runs unchanged', () => {
    const cwd = customApp('async (cfg) => cfg.x ** 2 + cfg.y ** 2', {
      'conf/config.yaml': [
        'defaults:',
        '  - override hydra/sweeper: optuna',
        '  - override hydra/launcher: basic',
        '',
        'hydra:',
        '  sweeper:',
        '    sampler:',
        '      _target_: optuna.samplers.TPESampler',
        '      seed: 123',
        '      n_startup_trials: 4',
        '      n_ei_candidates: 12',
        '      multivariate: false',
        '    direction: maximize',
        '    study_name: sphere',
        '    storage: null',
        '    n_trials: 9',
        '    n_jobs: 2',
        '    params:',
        '      x: range(-5.5, 5.5, step=0.5)',
        '      y: choice(-5, 0, 5)',
        '',
        'x: 1',
        'y: 1',
        '',
      ].join('\n'),
    });
    const r = runNode(join(cwd, 'app.mjs'), ['-m'], cwd);
    expect(r.code).toBe(0);
    const { record } = sweepOf(cwd);
    expect(record).toMatchObject({
      strategy: 'tpe',
      seed: 123,
      launcher: 'inline',
      objective: { mode: 'max' },
      search_space: { trials: 9, sampler: { startup_trials: 4, candidates: 12 } },
    });
    // An argument trellis reads but cannot follow is named, not dropped silently.
    expect(r.stderr).toContain('warning: hydra.sweeper.sampler.multivariate: false is not applied');
    expect(record.jobs).toHaveLength(9);
    for (const j of record.jobs) {
      expect(j.overrides).toHaveLength(2);
      expect(Number(j.params!.x) * 2).toSatisfy(Number.isInteger);
      expect(['-5', '0', '5']).toContain(String(j.params!.y));
    }
  }, 120_000);

  it('an unknown built-in option names the ones there are', () => {
    const cwd = customApp('async () => 0', { 'conf/config.yaml': 'defaults:\n  - override hydra/sweeper: optuma\nx: 1\n' });
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'x=1,2'], cwd);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Could not find 'hydra/sweeper/optuma'");
    expect(r.stderr).toContain("did you mean 'optuna'?");
  });
});

describe('a trial outside what the schema allows', () => {
  it('fails alone when a proposed trial does not validate at launch, and the search goes on to its last trial', () => {
    const url = (path: string) => JSON.stringify(pathToFileURL(join(repoRoot, path)).href);
    const cwd = tmpDir({
      'conf/config.yaml': 'lr: 0.1\n',
      'app.mjs': `import { z } from ${url('node_modules/zod/index.js')};
import { defineApp } from ${url('dist/bundle/index.js')};
const schema = z.object({ lr: z.number().max(0.5) });
const app = defineApp({ name: 'tp', schema }, async (cfg) => ({ loss: (cfg.lr - 0.3) ** 2 }));
process.exitCode = await app.main();
`,
    });
    // The first 10 trials (random, checked before launch) validate with this seed; the model's
    // later ones near the best value cross the limit at 0.5.
    const r = runNode(
      join(cwd, 'app.mjs'),
      ['-m', '--sweeper', 'tpe', '--trials', '24', '--sweep-seed', '3', '--objective', 'loss', 'lr=interval(0,0.52)'],
      cwd,
    );
    expect(r.stderr).not.toContain('Warning'); // no listener piling up on the reused job thread either
    const { record } = sweepOf(cwd);
    expect(record.jobs).toHaveLength(24);
    const failed = record.jobs.filter((j) => j.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const job of failed) {
      expect(Number(job.params?.lr)).toBeGreaterThan(0.5);
      expect(job.dir).toBeNull();
      expect(job.state).toBe('failed');
    }
    expect(record.jobs.filter((j) => j.status === 'completed').length).toBe(24 - failed.length);
    expect(r.stderr).toMatch(/job #\d+ failed: override 'lr=0\.5\d*': VALIDATION_FAILED: lr: Too big/);
    expect(r.code).toBe(1);
  }, 60_000);
});

const cluster = startCluster();

describe.skipIf(!cluster.ok)(`TPE on SLURM${cluster.ok ? '' : ` (skipped: ${cluster.ok === false ? cluster.reason : ''})`}`, () => {
  it('submits each trial as a task slot frees, proposing from what has finished, at most --max-parallel at once', () => {
    const cwd = customApp(body, conf);
    const r = runNode(join(cwd, 'app.mjs'), [...tpeArgs(12, 5), '--launcher', 'slurm', '--max-parallel', '2', '--poll-interval', '0.3'], cwd);
    expect(r.code, r.stderr).toBe(0);
    const { record } = sweepOf(cwd);
    expect(record.launcher).toBe('slurm');
    checkTrials(record, 12);
    const jobs = record.jobs as Array<TrialRow & { launcher?: { name: string; job_id: string; state: string } }>;
    // Each trial is a task of its own, recorded with its id and end state.
    expect(new Set(jobs.map((j) => j.launcher?.job_id)).size).toBe(12);
    for (const j of jobs) expect(j.launcher).toMatchObject({ name: 'slurm', state: 'COMPLETED' });
    // Never more than two at once: each trial was proposed while at most one other ran.
    for (const j of jobs) expect(j.sampler!.running).toBeLessThanOrEqual(1);
    // The sampler saw the outcomes as they came: random until 10 trials had finished, TPE after.
    for (const j of jobs) expect(j.sampler!.by).toBe(j.sampler!.finished < 10 ? 'random' : 'tpe');
    expect(jobs.some((j) => j.sampler!.by === 'tpe')).toBe(true);
  }, 120_000);
});
