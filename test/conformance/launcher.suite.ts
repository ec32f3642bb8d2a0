/**
 * The contract every launcher keeps, run against each built-in one (launchers.test.ts): order,
 * failure, fail-fast, interrupt, resume, no orphans, no double runs. Each case is a real app
 * process over a small sweep; the launcher is chosen by its flags.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customApp, runDirs, runNode } from '../helpers/app-project.js';
import { alive, exited, jsonIf, waitFor } from '../helpers/wait.js';

const conf = { 'conf/config.yaml': 'n: 0\nfail: false\nsteps: 1\ngate: false\n' };
/**
 * Busy for `steps` steps (0: forever), never awaiting; fails when asked (at once with fail=early).
 * With gate=true a job first waits until the sweep has recorded job #0 failed, so what it saw
 * of that failure, not the machine's speed, decides which jobs start.
 */
const body = `async (cfg, run) => {
  if (cfg.fail === 'early') throw new Error('asked to fail early');
  if (cfg.gate) {
    const { readFileSync } = await import('node:fs');
    const record = run.dir.replace(/[/][^/]+$/, '') + '/.trellis/sweep.json';
    const seen = () => { try { return JSON.parse(readFileSync(record, 'utf8')).jobs[0].status === 'failed'; } catch { return false; } };
    for (const giveUp = Date.now() + 60000; !seen(); ) {
      if (Date.now() > giveUp) throw new Error('the sweep never recorded job #0 failed');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  let x = 0;
  for (let i = 0; cfg.steps === 0 || i < cfg.steps; i++) {
    for (let k = 0; k < 20000; k++) x += Math.sqrt(k);
    run.log({ loss: i }, { step: i });
  }
  if (cfg.fail) throw new Error('asked to fail ' + cfg.n);
  return { n: cfg.n, pid: process.pid };
}`;

interface Row {
  num: number;
  overrides: string[];
  status: string;
  dir: string | null;
}
type RunJson = { status: string; pid: number; sweep: { num: number } | null; overrides: string[] };

function sweepIn(cwd: string): { dir: string; jobs: Row[] } {
  const dir = runDirs(join(cwd, 'multirun'))[0]!.replace(/\/[^/]+$/, '');
  return { dir, jobs: (JSON.parse(readFileSync(join(dir, '.trellis', 'sweep.json'), 'utf8')) as { jobs: Row[] }).jobs };
}

const runsOf = (cwd: string) => runDirs(join(cwd, 'multirun')).map((d) => ({ dir: d, run: jsonIf<RunJson>(join(d, '.trellis', 'run.json'))! }));

/** No job ran twice: per job number, at most one run directory says completed. */
function expectNoDoubleRuns(cwd: string): void {
  const completed = runsOf(cwd)
    .filter((r) => r.run.status === 'completed')
    .map((r) => r.run.sweep!.num);
  expect(completed.length).toBe(new Set(completed).size);
}

export interface LauncherTraits {
  /** Why the suite cannot run here (no cluster); undefined: it runs. */
  skip?: string | undefined;
  /**
   * Jobs end with the sweep's process (inline, local). A scheduler's jobs outlive it by design
   * (SLURM), and a resume follows them instead of starting them again.
   */
  jobsDieWithSweep: boolean;
}

export function launcherContract(name: string, flags: string[], traits: LauncherTraits = { jobsDieWithSweep: true }): void {
  describe.skipIf(traits.skip !== undefined)(`launcher contract: ${name}${traits.skip ? ` (skipped: ${traits.skip})` : ''}`, () => {
    it('runs every job once, numbered in plan order, each with its own overrides', () => {
      const cwd = customApp(body, conf);
      const r = runNode(join(cwd, 'app.mjs'), ['-m', 'n=1,2,3', 'fail=false', ...flags], cwd);
      expect(r.code).toBe(0);
      const { jobs } = sweepIn(cwd);
      expect(jobs.map((j) => [j.num, j.overrides, j.status])).toEqual([
        [0, ['n=1', 'fail=False'], 'completed'],
        [1, ['n=2', 'fail=False'], 'completed'],
        [2, ['n=3', 'fail=False'], 'completed'],
      ]);
      for (const { run } of runsOf(cwd)) expect(run.overrides).toEqual(jobs[run.sweep!.num]!.overrides);
      expectNoDoubleRuns(cwd);
    });

    it('a failing job fails alone: the others complete and the exit code is 1', () => {
      const cwd = customApp(body, conf);
      const r = runNode(join(cwd, 'app.mjs'), ['-m', 'n=1,2,3', 'fail=false,true', ...flags], cwd);
      expect(r.code).toBe(1);
      expect(sweepIn(cwd).jobs.map((j) => j.status)).toEqual(['completed', 'failed', 'completed', 'failed', 'completed', 'failed']);
    });

    it('--fail-fast starts no job after the first failure', () => {
      const cwd = customApp(body, conf);
      // The first job fails at once; the others wait until the sweep has recorded that failure.
      const r = runNode(join(cwd, 'app.mjs'), ['-m', 'fail=early,false,false,false,false,false', 'gate=true', '--fail-fast', ...flags], cwd);
      expect(r.code).toBe(1);
      const statuses = sweepIn(cwd).jobs.map((j) => j.status);
      expect(statuses[0]).toBe('failed');
      // Jobs already running when the failure came may finish; the rest never start.
      expect(statuses.at(-1)).toBe('skipped');
      expect(runsOf(cwd).length).toBe(statuses.filter((s) => s !== 'skipped').length);
    });

    it('Ctrl-C stops the running jobs, records them interrupted, starts nothing new and leaves no process', async () => {
      const cwd = customApp(body, conf);
      const child = spawn(process.execPath, [join(cwd, 'app.mjs'), '-m', 'n=1,2,3,4', 'steps=0', ...flags], { cwd, env: { ...process.env, NO_COLOR: '1' } });
      await waitFor(() => runsOf(cwd).some((r) => r.run?.status === 'running'), 'a job to start');
      child.kill('SIGINT');
      expect(await exited(child)).toBe(130);
      const runs = runsOf(cwd);
      for (const { run } of runs) {
        expect(run.status).toBe('interrupted');
        await waitFor(() => !alive(run.pid), `process ${run.pid} to exit`);
      }
      expect(sweepIn(cwd).jobs.map((j) => j.status)).toEqual(['interrupted', 'interrupted', 'interrupted', 'interrupted']);
    });

    it('kill -9 then resume: every job completes exactly once, and no process outlives the killed sweep', async () => {
      const cwd = customApp(body, conf);
      const args = ['-m', 'n=1,2,3,4,5,6', 'steps=30', ...flags];
      const child = spawn(process.execPath, [join(cwd, 'app.mjs'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
      await waitFor(() => runsOf(cwd).some((r) => r.run?.status === 'completed'), 'a job to complete');
      child.kill('SIGKILL');
      await exited(child);
      if (traits.jobsDieWithSweep)
        for (const { run } of runsOf(cwd)) if (run) await waitFor(() => run.pid === child.pid || !alive(run.pid), `worker ${run.pid} to exit`);
      const resumed = runNode(join(cwd, 'app.mjs'), [...args, '--resume'], cwd);
      expect(resumed.code).toBe(0);
      expect(sweepIn(cwd).jobs.map((j) => j.status)).toEqual(Array(6).fill('completed'));
      expectNoDoubleRuns(cwd);
      expect(
        new Set(
          runsOf(cwd)
            .filter((r) => r.run.status === 'completed')
            .map((r) => r.run.sweep!.num),
        ),
      ).toEqual(new Set([0, 1, 2, 3, 4, 5]));
    });
  });
}
