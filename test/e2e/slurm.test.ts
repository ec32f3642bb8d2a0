/**
 * The SLURM launcher against a real single-node SLURM (../shared/slurm/start-local-slurm.sh,
 * next to the repo as in CI). Started here when it can be: as root, with the script present and
 * the SLURM packages already installed (the tests never install anything: their traffic stays on
 * loopback; `.ci/run` installs and starts the cluster before `npm test`). Otherwise the suite is
 * skipped and its name says why.
 *
 * The tests run concurrently (the time-limit test alone takes 60–90 s: SLURM checks limits every
 * ~30 s and the smallest limit is one minute), each in its own temp project.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJson, readRecord, runDirs, runNode, trellisUrl } from '../helpers/app-project.js';
import { cliPath, repoRoot } from '../helpers/run-cli.js';
import { startCluster } from '../helpers/slurm-cluster.js';

const cluster = startCluster();
if (!cluster.ok) console.warn(`[slurm.test] SLURM tests skipped: ${cluster.reason}`);

// tmpDir() from the helpers empties every temp dir after each test, which concurrent tests cannot share.
const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

const conf = { 'conf/config.yaml': 'lr: 0.1\nseed: 0\nfail: false\ncrash: false\nsleep: 0\n' };
/** Returns lr as its objective; sleeps (while the file `slow` exists), fails or dies by SIGKILL when asked. */
const jobBody = `async (cfg, run) => {
  run.log({ loss: cfg.lr * 2 });
  if (cfg.sleep && existsSync('slow')) await new Promise((r) => setTimeout(r, cfg.sleep));
  if (cfg.fail) throw new Error('job asked to fail');
  if (cfg.crash) process.kill(process.pid, 'SIGKILL');
  return { score: cfg.lr };
}`;

function project(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-slurm-'));
  made.push(dir);
  const all: Record<string, string> = {
    'app.mjs': `import { existsSync } from 'node:fs';\nimport { defineApp } from ${JSON.stringify(trellisUrl)};\nconst app = defineApp({ name: 'job' }, ${jobBody});\nprocess.exitCode = await app.main();\n`,
    ...conf,
    ...files,
  };
  for (const [path, text] of Object.entries(all)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

interface Row {
  num: number;
  overrides: string[];
  status: string;
  dir: string | null;
  objective: number | null;
  error: string | null;
  launcher?: { name: string; job_id: string; state: string; stdout: string; stderr: string; exit_code: string | null };
}
interface SweepJson {
  launcher: string;
  launcher_options?: Record<string, unknown>;
  jobs: Row[];
}

function sweepOf(cwd: string): { dir: string; record: SweepJson } {
  const day = join(cwd, 'multirun');
  const dirs = readdirSync(day).flatMap((d) => readdirSync(join(day, d)).map((t) => join(day, d, t)));
  expect(dirs).toHaveLength(1);
  return { dir: dirs[0]!, record: JSON.parse(readFileSync(join(dirs[0]!, '.trellis', 'sweep.json'), 'utf8')) as SweepJson };
}

/** What squeue still knows of the array: task → state. */
function squeueStates(arrayId: string): Record<string, string> {
  const r = spawnSync('squeue', ['--noheader', '--array', '--states=all', `--jobs=${arrayId}`, '--Format=ArrayTaskID:|,State:'], { encoding: 'utf8' });
  return Object.fromEntries(
    r.stdout
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split('|') as [string, string]),
  );
}

const SLURM = ['--launcher', 'slurm', '--poll-interval', '0.3'];

/** Like runNode, but without blocking: the tests run concurrently. */
function run(args: string[], cwd: string, env: Record<string, string> = {}, script = join(cwd, 'app.mjs')): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [script, ...args], { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

function startSweep(cwd: string, args: string[]) {
  const child = spawn(process.execPath, [join(cwd, 'app.mjs'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const waitFor = (pattern: RegExp, ms = 60_000) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${pattern}; stderr so far:\n${stderr}`)), ms);
      const check = () => {
        if (!pattern.test(stderr)) return;
        clearTimeout(timer);
        child.stderr.off('data', check);
        resolve();
      };
      child.stderr.on('data', check);
      check();
    });
  return { child, exited, waitFor, stderr: () => stderr };
}

/** Waits until a running task has made its run directory (SLURM says RUNNING while Node still starts). */
async function runDirMade(cwd: string, sub: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (existsSync(join(cwd, 'multirun')) && existsSync(join(sweepOf(cwd).dir, sub, '.trellis', 'run.json'))) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no run directory ${sub} after 30 s`);
}

describe('SLURM launcher without SLURM', () => {
  it('says clearly that SLURM is not available, and creates no sweep', () => {
    const cwd = project();
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2', '--launcher', 'slurm'], cwd, { SLURM_CONF: join(cwd, 'no-such-slurm.conf') });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('LAUNCHER_UNAVAILABLE');
    expect(r.stderr).toContain('no-such-slurm.conf');
    expect(existsSync(join(cwd, 'multirun'))).toBe(false);
  });
});

describe
  .skipIf(!cluster.ok)
  .concurrent(`SLURM launcher on a real local SLURM${cluster.ok ? '' : ` (skipped: ${cluster.ok === false ? cluster.reason : ''})`}`, () => {
    it('a grid sweep is one job array and leaves the same records as the local launcher', async () => {
      const args = ['-m', 'lr=0.3,0.1,0.2', 'seed=1,2', '--objective', 'score'];
      const cwd = project();
      const local = project();
      const [r, l] = await Promise.all([run([...args, ...SLURM, '--time', '5'], cwd), run([...args, '--launcher', 'local', '--jobs', '2'], local)]);
      expect(l.code).toBe(0);
      expect(r.stderr).toContain('sweep finished: 6/6 jobs completed');
      expect(r.code).toBe(0);
      expect(r.stderr.match(/submitted SLURM array/g)).toHaveLength(1);

      const { dir, record } = sweepOf(cwd);
      const other = sweepOf(local);
      expect(record.launcher).toBe('slurm');
      expect(record.launcher_options).toMatchObject({ time: '5', poll_interval: 0.3, sbatch_args: [] });
      const strip = (rows: Row[]) => rows.map(({ num, overrides, status, dir: d, objective, error }) => ({ num, overrides, status, dir: d, objective, error }));
      expect(strip(record.jobs)).toEqual(strip(other.record.jobs));
      const arrayId = record.jobs[0]!.launcher!.job_id.split('_')[0];
      for (const [i, row] of record.jobs.entries()) {
        expect(row.launcher).toMatchObject({ name: 'slurm', job_id: `${arrayId}_${i}`, state: 'COMPLETED', exit_code: 'exit 0' });
        for (const file of ['resolved.yaml', 'config.yaml', 'overrides.yaml', 'choices.yaml'])
          expect(readRecord(join(dir, row.dir!), file)).toBe(readRecord(join(other.dir, row.dir!), file));
        expect(readJson(join(dir, row.dir!), 'summary.json')).toEqual(readJson(join(other.dir, row.dir!), 'summary.json'));
        const run = readJson<{ status: string; sweep: { num: number }; launcher: { job_id: string; stdout: string; stderr: string } }>(
          join(dir, row.dir!),
          'run.json',
        );
        expect(run).toMatchObject({ status: 'completed', sweep: { num: i }, launcher: { name: 'slurm', job_id: row.launcher!.job_id } });
        // The run links its task's stdout/stderr, which live in the sweep directory.
        expect(existsSync(join(cwd, run.launcher.stdout))).toBe(true);
        expect(run.launcher.stderr).toBe(`${dir.slice(cwd.length + 1)}/.trellis/slurm/${row.launcher!.job_id}.err`);
        expect(readFileSync(join(dir, row.launcher!.stderr), 'utf8')).toBe('');
      }
      expect(runDirs(join(cwd, 'multirun'))).toHaveLength(6);
    }, 120_000);

    it('a failing task is failed with its error, the others complete; the exit code is 1', async () => {
      const cwd = project();
      const r = await run(['-m', 'fail=false,true,false', ...SLURM], cwd);
      expect(r.code).toBe(1);
      const { dir, record } = sweepOf(cwd);
      expect(record.jobs.map((j) => [j.status, j.error, j.launcher?.state])).toEqual([
        ['completed', null, 'COMPLETED'],
        ['failed', 'job asked to fail', 'FAILED'],
        ['completed', null, 'COMPLETED'],
      ]);
      expect(r.stderr).toContain('job #1 failed: job asked to fail');
      expect(readJson(join(dir, '1'), 'run.json')).toMatchObject({ status: 'failed', error: { message: 'job asked to fail' } });
      // The job's log lines went to the task's stderr file in the sweep directory.
      expect(readFileSync(join(dir, record.jobs[1]!.launcher!.stderr), 'utf8')).toContain('Error: job asked to fail');
    }, 120_000);

    it('a task killed hard (no result file) is failed by its SLURM state, and its run record says so too', async () => {
      const cwd = project();
      const r = await run(['-m', 'crash=true,false', ...SLURM], cwd);
      expect(r.code).toBe(1);
      const { dir, record } = sweepOf(cwd);
      expect(record.jobs.map((j) => j.status)).toEqual(['failed', 'completed']);
      expect(record.jobs[0]!.launcher).toMatchObject({ state: 'FAILED', exit_code: 'signal 9' });
      expect(record.jobs[0]!.error).toMatch(/^the task failed \(signal 9.*\) before reporting a result/);
      expect(record.jobs[0]!.dir).toBe('0');
      // Killed by SIGKILL the run could not finish its record; the launcher does, with the same verdict.
      expect(readJson(join(dir, '0'), 'run.json')).toMatchObject({ status: 'failed', error: { type: 'FAILED' } });
    }, 120_000);

    it('sbatch rejecting the request is a clear error with its message', async () => {
      const cwd = project();
      const r = await run(['-m', 'lr=1,2', ...SLURM, '--partition', 'no-such-partition'], cwd);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('LAUNCHER_REJECTED');
      expect(r.stderr).toMatch(/sbatch rejected the job array: .*Invalid partition name specified/);
      expect(r.stderr).toContain('--partition=no-such-partition');
    }, 60_000);

    it('Ctrl-C cancels the array (scancel) and marks running and pending jobs interrupted', async () => {
      const cwd = project({ slow: '' });
      const sweep = startSweep(cwd, ['-m', 'lr=1,2,3', 'sleep=60000', ...SLURM, '--max-parallel', '2']);
      await sweep.waitFor(/job #0 running/);
      await sweep.waitFor(/job #1 running/);
      await runDirMade(cwd, '0');
      await runDirMade(cwd, '1');
      sweep.child.kill('SIGINT');
      expect(await sweep.exited).toBe(130);
      expect(sweep.stderr()).toMatch(/cancelling SLURM array \d+ \(scancel\)/);
      const { dir, record } = sweepOf(cwd);
      expect(record.jobs.map((j) => j.status)).toEqual(['interrupted', 'interrupted', 'interrupted']);
      expect(record.jobs.map((j) => j.launcher?.state)).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
      expect(record.jobs.map((j) => j.dir)).toEqual(['0', '1', null]);
      for (const d of ['0', '1']) expect(readJson(join(dir, d), 'run.json')).toMatchObject({ status: 'interrupted' });
      const arrayId = record.jobs[0]!.launcher!.job_id.split('_')[0]!;
      expect(Object.values(squeueStates(arrayId))).toEqual(['CANCELLED', 'CANCELLED', 'CANCELLED']);
    }, 120_000);

    it('resume after Ctrl-C submits only the unfinished jobs, with the recorded launcher and options', async () => {
      const cwd = project({ slow: '' });
      const sweep = startSweep(cwd, ['-m', 'lr=1,2', 'sleep=0,60000', ...SLURM, '--time', '7']);
      await sweep.waitFor(/job #0 completed/);
      await sweep.waitFor(/job #2 completed/);
      await sweep.waitFor(/job #1 running/);
      await runDirMade(cwd, '1');
      sweep.child.kill('SIGINT');
      expect(await sweep.exited).toBe(130);
      const { dir, record } = sweepOf(cwd);
      expect(record.jobs.map((j) => j.status)).toEqual(['completed', 'interrupted', 'completed', 'interrupted']);
      const completedRun = readRecord(join(dir, '0'), 'run.json');
      const firstArray = record.jobs[1]!.launcher!.job_id.split('_')[0];

      rmSync(join(cwd, 'slow'));
      const resumed = await run(['sweep', 'resume', dir.slice(cwd.length + 1)], cwd, {}, cliPath);
      expect(resumed.stderr).toContain('sweep finished: 4/4 jobs completed');
      expect(resumed.code).toBe(0);
      expect(resumed.stderr).toMatch(/submitted SLURM array \d+: 2 tasks \(jobs #1–#3\)/);
      const after = sweepOf(cwd).record;
      expect(after.launcher).toBe('slurm');
      expect(after.launcher_options).toMatchObject({ time: '7' });
      expect(after.jobs.map((j) => [j.num, j.status])).toEqual([
        [0, 'completed'],
        [1, 'completed'],
        [2, 'completed'],
        [3, 'completed'],
      ]);
      // A job whose interrupted attempt made a run directory gets a fresh one beside it (never reused).
      expect(after.jobs.map((j) => j.dir)).toEqual(['0', '1_1', '2', record.jobs[3]!.dir ? '3_1' : '3']);
      const secondArray = after.jobs[1]!.launcher!.job_id.split('_')[0];
      expect(secondArray).not.toBe(firstArray);
      expect(after.jobs[3]!.launcher!.job_id).toBe(`${secondArray}_1`);
      expect(readRecord(join(dir, '0'), 'run.json')).toBe(completedRun);
      expect(readJson(join(dir, '1'), 'run.json')).toMatchObject({ status: 'interrupted' });
      expect(readJson(join(dir, '1_1'), 'run.json')).toMatchObject({ status: 'completed', sweep: { num: 1 } });
    }, 120_000);

    it('resume after the sweep process died follows the tasks still in SLURM instead of submitting them again', async () => {
      const cwd = project({ slow: '' });
      const sweep = startSweep(cwd, ['-m', 'lr=1,2', 'sleep=6000', ...SLURM]);
      await sweep.waitFor(/job #1 running/);
      sweep.child.kill('SIGKILL');
      await sweep.exited;
      const { dir, record } = sweepOf(cwd);
      expect(record.jobs.map((j) => j.status)).toEqual(['running', 'running']);
      const resumed = await run(['sweep', 'resume', dir.slice(cwd.length + 1)], cwd, {}, cliPath);
      expect(resumed.stderr).toContain('sweep finished: 2/2 jobs completed');
      expect(resumed.stderr).not.toContain('submitted SLURM array');
      expect(resumed.stderr).toMatch(/job #0 (is still in SLURM \(RUNNING\)|completed) as \d+_0/);
      const after = sweepOf(cwd).record;
      // The same tasks, the same run directories: nothing ran twice.
      expect(after.jobs.map((j) => [j.status, j.dir, j.launcher!.job_id])).toEqual(record.jobs.map((j) => ['completed', String(j.num), j.launcher!.job_id]));
      expect(runDirs(join(cwd, 'multirun'))).toHaveLength(2);
    }, 120_000);

    it('a task that reaches its time limit is failed (TIMEOUT), in the sweep and in its run record', async () => {
      const cwd = project({ slow: '' });
      // One minute is SLURM's smallest limit; the controller checks limits every ~30 s: 60–90 s.
      const r = await run(['-m', 'lr=1', 'sleep=300000', ...SLURM, '--time', '1'], cwd);
      expect(r.code).toBe(1);
      const { dir, record } = sweepOf(cwd);
      expect(record.jobs[0]).toMatchObject({
        status: 'failed',
        dir: '0',
        error: 'reached the SLURM time limit (TIMEOUT, --time 1)',
        launcher: { state: 'TIMEOUT' },
      });
      expect(readFileSync(join(dir, record.jobs[0]!.launcher!.stderr), 'utf8')).toMatch(/CANCELLED AT \S+ DUE TO TIME LIMIT/);
      expect(readJson(join(dir, '0'), 'run.json')).toMatchObject({
        status: 'failed',
        error: { type: 'TIMEOUT', message: 'reached the SLURM time limit (TIMEOUT, --time 1)' },
      });
    }, 150_000);
  });
