/**
 * Early stopping end to end: the sweep reads the jobs' metrics while they run and prunes through
 * their control files, on the inline and local launchers, for Node and command jobs, and on SLURM
 * when a local cluster is up (as test/e2e/slurm.test.ts starts or skips it).
 *
 * The jobs log val_loss = lr · (1 + 1/(step + 1)): at every step a smaller lr is better. Jobs with
 * lr below `slow_from` run their 400 steps at once; the others pause 30 ms a step (12 s in all), so
 * they are still running when the decision comes, whatever the machine's load.
 */
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customApp, readJson, readRecord, runDirs, runNode } from '../helpers/app-project.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { startCluster } from '../helpers/slurm-cluster.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { bracketBudgets, bracketOf } from '../../src/sweep/pruners/hyperband.js';

const conf = { 'conf/config.yaml': 'lr: 1\nsteps: 400\nslow_from: 5\npause: 30\n' };
const body = `async (cfg, run) => {
  let step = 0;
  for (; step < cfg.steps; step++) {
    if (run.stopRequested) break;
    run.log({ val_loss: cfg.lr * (1 + 1 / (step + 1)) }, { step });
    if (cfg.lr >= cfg.slow_from) await new Promise((r) => setTimeout(r, cfg.pause));
  }
  return { epochs: step };
}`;

interface Row {
  num: number;
  overrides: string[];
  status: string;
  dir: string | null;
  objective: number | null;
  pruned?: { step: number; reason: string };
}

function sweep(cwd: string): { dir: string; jobs: Row[]; pruner: Record<string, unknown> } {
  const dirs = runDirs(join(cwd, 'multirun'));
  const dir = dirs[0]!.replace(/\/\d+$/, '');
  const record = JSON.parse(readFileSync(join(dir, '.trellis', 'sweep.json'), 'utf8')) as { jobs: Row[]; pruner: Record<string, unknown> };
  return { dir, ...record };
}

const lines = (dir: string) => readRecord(dir, 'metrics.jsonl').trim().split('\n').length;

describe('early stopping', () => {
  it('median, inline: the worst job is pruned at its first report once 2 trials completed, and returns early', () => {
    const cwd = customApp(body, conf);
    const r = runNode(
      join(cwd, 'app.mjs'),
      ['-m', 'lr=1,2,9,1.5', '--objective', 'val_loss', '--pruner', 'median', '+trellis.sweeper.pruner.n_startup_trials=2'],
      cwd,
    );
    expect(r.code, r.stderr).toBe(0);
    const { dir, jobs, pruner } = sweep(cwd);
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'pruned', 'completed']);
    // Trials one at a time: jobs 0 and 1 are complete when job 2 reports step 0; median of
    // 2·1 and 2·2 is 3, and job 2's 2·9 = 18 is worse.
    const reason = 'best value 18 is worse than the median 3 of 2 completed trials at step 0';
    expect(jobs[2]!.pruned).toEqual({ step: 0, reason });
    expect(pruner).toMatchObject({ name: 'median', settings: { n_startup_trials: 2 }, effective: { n_startup_trials: 2, n_warmup_steps: 0, percentile: 50 } });
    const run = readJson(join(dir, '2'), 'run.json');
    expect(run).toMatchObject({ status: 'pruned', exit_code: 0, error: null, pruned: { step: 0, reason } });
    expect(readJson(join(dir, '2'), 'control.json')).toMatchObject({ action: 'prune', step: 0, reason });
    // The job saw run.stopRequested and returned: fewer epochs than asked, recorded in its summary.
    const summary = readJson<{ result: { epochs: number }; metrics: { val_loss: { last_step: number } } }>(join(dir, '2'), 'summary.json');
    expect(summary.result.epochs).toBeLessThan(400);
    expect(summary.metrics.val_loss.last_step).toBe(summary.result.epochs - 1);
    expect(lines(join(dir, '2'))).toBe(summary.result.epochs);
    // Jobs that were not pruned ran every step; the next job after a pruned one ran normally on the same thread.
    expect([0, 1, 3].map((n) => lines(join(dir, String(n))))).toEqual([400, 400, 400]);
    expect(r.stderr).toContain('[trellis] job #2 pruned at step 0: best value 18');
    // Its value in the table is the last one it logged, as Optuna gives a pruned trial.
    expect(jobs[2]!.objective).toBeCloseTo(9 * (1 + 1 / summary.result.epochs), 12);
    expect(r.stderr).toMatch(/\n2 {2}pruned {2}/);
    expect(r.stderr).toContain('3/4 jobs completed, 1 pruned');
    // The store lists the pruned run with its status.
    const list = runCli(['runs', 'list', 'multirun', '--format', 'json'], { cwd });
    expect(list.code, list.stderr).toBe(0);
    const statuses = (JSON.parse(list.stdout) as Array<{ status: string }>).map((x) => x.status).sort();
    expect(statuses).toEqual(['completed', 'completed', 'completed', 'pruned']);
    const show = runCli(['runs', 'show', join(dir, '2')], { cwd });
    expect(show.code, show.stderr).toBe(0);
    expect(show.stdout).toContain('status     pruned, exit code 0\n');
    expect(show.stdout).toContain(`pruned     at step 0: ${reason}\n`);
    const query = runCli(['runs', 'list', 'multirun', 'status = pruned', '--format', 'json'], { cwd });
    expect((JSON.parse(query.stdout) as Array<{ dir: string; pruned: unknown }>).map((x) => x.dir)).toEqual([relative(cwd, join(dir, '2'))]);
  });

  it.each([
    { name: 'median', settings: ['+trellis.sweeper.pruner.n_startup_trials=2'] },
    { name: 'asha', settings: ['+trellis.sweeper.pruner.min_resource=1', '+trellis.sweeper.pruner.reduction_factor=2'] },
  ])('$name with --jobs 2 on the local launcher: the best job completes, the worst is pruned', ({ name, settings }) => {
    const cwd = customApp(body, conf);
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2,9,3', '--jobs', '2', '--objective', 'val_loss', '--pruner', name, ...settings], cwd);
    expect(r.code, r.stderr).toBe(0);
    const { dir, jobs } = sweep(cwd);
    // Which of the middle jobs a rung stops depends on the order reports arrive in; these two do not.
    expect(jobs[0]!.status).toBe('completed');
    expect(jobs[2]!.status).toBe('pruned');
    expect(jobs[2]!.pruned!.reason).toMatch(name === 'median' ? /worse than the median/ : /not in the top 1\/2 of the \d values of rung 0 \(step 1\)/);
    expect(readJson(join(dir, '2'), 'run.json')).toMatchObject({ status: 'pruned', pruned: jobs[2]!.pruned });
    expect(lines(join(dir, '2'))).toBeLessThan(400);
  });

  it('a command job reads the decision in its control file and stops itself', () => {
    const cwd = tmpDir({ ...conf });
    cpSync(join(repoRoot, 'test', 'fixtures', 'command', 'prune-aware.mjs'), join(cwd, 'job.mjs'));
    const r = runCli(
      [
        'run',
        '-m',
        'lr=1,2,9',
        '--objective',
        'val_loss',
        '--pruner',
        'median',
        '+trellis.sweeper.pruner.n_startup_trials=2',
        '--',
        process.execPath,
        'job.mjs',
      ],
      { cwd },
    );
    expect(r.code, r.stderr).toBe(0);
    const { dir, jobs } = sweep(cwd);
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'pruned']);
    expect(jobs[2]!.pruned).toEqual({ step: 0, reason: 'best value 18 is worse than the median 3 of 2 completed trials at step 0' });
    // The program itself saw the decision (it was not killed): its own words are in the run's log.
    const log = readFileSync(join(dir, '2', 'job.log'), 'utf8');
    expect(log).toMatch(/pruned by trellis at step 0, stopping at step \d+/);
    expect(readJson(join(dir, '2'), 'run.json')).toMatchObject({ status: 'pruned', exit_code: 0, pruned: { step: 0 } });
    expect(readFileSync(join(dir, '0', 'job.log'), 'utf8')).toContain('ran every step');
  });

  it('--resume keeps pruned jobs pruned and runs only the failed one, with the same pruner', () => {
    const failing = body.replace('let step = 0;', "if (cfg.lr < 0.7 && !existsSync('fixed')) throw new Error('not yet');\n  let step = 0;");
    const cwd = customApp(failing, conf);
    writeFileSync(join(cwd, 'app.mjs'), `import { existsSync } from 'node:fs';\n${readFileSync(join(cwd, 'app.mjs'), 'utf8')}`);
    const args = ['-m', 'lr=1,2,9,0.5', '--objective', 'val_loss', '--pruner', 'median', '+trellis.sweeper.pruner.n_startup_trials=2'];
    const first = runNode(join(cwd, 'app.mjs'), args, cwd);
    expect(first.code).toBe(1);
    expect(sweep(cwd).jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'pruned', 'failed']);
    writeFileSync(join(cwd, 'fixed'), '');
    const again = runNode(join(cwd, 'app.mjs'), [...args, '--resume'], cwd);
    expect(again.code, again.stderr).toBe(0);
    const { dir, jobs, pruner } = sweep(cwd);
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'pruned', 'completed']);
    expect(pruner).toMatchObject({ name: 'median', settings: { n_startup_trials: 2 } });
    expect(again.stderr).not.toContain('launching job #2');
    expect(again.stderr).toContain('3/4 jobs completed, 1 pruned');
    expect(runDirs(dir).map((d) => d.slice(dir.length + 1))).toEqual(['0', '1', '2', '3', '3_1']);
  });

  it('hyperband, inline: each trial is judged only within its bracket, so the first of each bracket completes', () => {
    const cwd = customApp(body, conf);
    // Every job is slow (slow_from=0), so a decision always finds it running. With η = 3 and
    // max_resource 9 there are 3 brackets, whose first rungs are at steps 1, 3 and 9.
    const settings = ['+trellis.sweeper.pruner.min_resource=1', '+trellis.sweeper.pruner.reduction_factor=3', '+trellis.sweeper.pruner.max_resource=9'];
    const r = runNode(
      join(cwd, 'app.mjs'),
      ['-m', 'lr=1,2,3,4,5,6,7,8', 'slow_from=0', 'steps=100', '--objective', 'val_loss', '--pruner', 'hyperband', ...settings],
      cwd,
    );
    expect(r.code, r.stderr).toBe(0);
    const { jobs, pruner } = sweep(cwd);
    const study = (pruner as { study_name: string }).study_name;
    // Optuna's budgets for 3 brackets and η = 3: ceil(3·3^s / (s + 1)) for s = 2, 1, 0.
    const budgets = bracketBudgets(3, 3);
    expect(budgets).toEqual([9, 5, 3]);
    // One at a time with rising lr, every later trial of a bracket is the worst at its bracket's
    // first rung, where 2 values keep only the best (Optuna's promotable index 0); the first of a
    // bracket has no rival there. Trials of other brackets never count.
    const seen = new Set<number>();
    for (const job of jobs) {
      const bracket = bracketOf(study, job.num, budgets);
      const first = !seen.has(bracket);
      seen.add(bracket);
      expect([job.num, job.status]).toEqual([job.num, first ? 'completed' : 'pruned']);
      if (!first) {
        expect(job.pruned!.step).toBe(3 ** bracket);
        expect(job.pruned!.reason.startsWith(`bracket ${bracket}: `)).toBe(true);
      }
    }
  });

  it('median with TPE: trials proposed as the sweep goes are followed and pruned too', () => {
    const cwd = customApp(body, { 'conf/config.yaml': 'lr: 1\nsteps: 100\nslow_from: 5\npause: 30\n' });
    const r = runNode(
      join(cwd, 'app.mjs'),
      [
        '-m',
        '--sweeper',
        'tpe',
        '--trials',
        '6',
        '--sweep-seed',
        '1',
        'lr=interval(1, 9)',
        '--objective',
        'val_loss',
        '--pruner',
        'median',
        '+trellis.sweeper.pruner.n_startup_trials=2',
      ],
      cwd,
    );
    expect(r.code, r.stderr).toBe(0);
    const { dir, jobs } = sweep(cwd);
    const lr = (j: Row) => Number(j.overrides.find((o) => o.startsWith('lr='))!.slice(3));
    // Every job after the first two that is worse at step 0 than the median of those completed is pruned.
    const pruned = jobs.filter((j) => j.status === 'pruned');
    expect(pruned.length).toBeGreaterThan(0);
    for (const j of pruned) {
      expect(j.num).toBeGreaterThanOrEqual(2);
      expect(j.pruned?.step).toBe(0);
      expect(readJson(join(dir, j.dir!), 'run.json')).toMatchObject({ status: 'pruned' });
      expect(lines(join(dir, j.dir!))).toBeLessThan(100);
    }
    // A trial TPE proposed after the start (not planned up front) is among them.
    expect(pruned.some((j) => j.num > 0 && lr(j) >= 5)).toBe(true);
  });

  it('refuses a pruner without an objective, before anything is written', () => {
    const cwd = customApp(body, conf);
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2', '--pruner', 'median'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--pruner median needs the metric to judge jobs by');
    expect(r.stderr).toContain('hint: give --objective NAME');
    expect(runDirs(join(cwd, 'multirun'))).toEqual([]);
  });
});

const cluster = startCluster();
if (!cluster.ok) console.warn(`[prune.test] SLURM pruning test skipped: ${cluster.reason}`);

describe.skipIf(!cluster.ok)(`early stopping on SLURM${cluster.ok ? '' : ` (skipped: ${cluster.ok === false ? cluster.reason : ''})`}`, () => {
  it('median: the sweep prunes an array task through its run directory', () => {
    const cwd = customApp(body, conf);
    const r = runNode(
      join(cwd, 'app.mjs'),
      [
        '-m',
        'lr=1,2,9',
        '--launcher',
        'slurm',
        '--max-parallel',
        '1',
        '--objective',
        'val_loss',
        '--pruner',
        'median',
        '+trellis.sweeper.pruner.n_startup_trials=2',
      ],
      cwd,
    );
    expect(r.code, r.stderr).toBe(0);
    const { dir, jobs } = sweep(cwd);
    expect(jobs.map((j) => j.status)).toEqual(['completed', 'completed', 'pruned']);
    expect(jobs[2]!.pruned).toEqual({ step: 0, reason: 'best value 18 is worse than the median 3 of 2 completed trials at step 0' });
    expect(readJson(join(dir, '2'), 'run.json')).toMatchObject({ status: 'pruned', pruned: { step: 0 } });
  });
});
