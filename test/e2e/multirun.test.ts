import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync, cpSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadYaml } from '../../src/yaml/load.js';
import { customApp, readJson, readRecord, runDirs, runNode } from '../helpers/app-project.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { tagged } from '../helpers/plain.js';
import { jsonIf, waitFor } from '../helpers/wait.js';

interface SweepJson {
  strategy: string;
  seed: number | null;
  fingerprint: string;
  search_space: Record<string, unknown>;
  jobs: Array<{ num: number; overrides: string[]; status: string; dir: string | null; objective: number | null; error: string | null }>;
}

const conf = { 'conf/config.yaml': 'lr: 0.1\nseed: 0\nfail: false\nsleep: 0\n' };
/** Returns lr as its objective; sleeps, fails or records its time window when asked. */
const jobBody = `async (cfg, run) => {
  const start = Date.now();
  run.log({ loss: cfg.lr * 2 });
  if (cfg.sleep) await new Promise((r) => setTimeout(r, cfg.sleep));
  if (cfg.fail) throw new Error('job asked to fail');
  return { score: cfg.lr, start, end: Date.now(), devices: process.env.CUDA_VISIBLE_DEVICES ?? null, pid: process.pid };
}`;

function sweepOf(cwd: string): { dir: string; record: SweepJson } {
  const [dir, ...more] = runDirs(join(cwd, 'multirun'))
    .map((d) => d.replace(/\/\d+(_\d+)?$/, ''))
    .filter((d, i, all) => all.indexOf(d) === i);
  expect(more).toEqual([]);
  return { dir: dir!, record: JSON.parse(readFileSync(join(dir!, '.trellis', 'sweep.json'), 'utf8')) as SweepJson };
}

describe('multirun', () => {
  it('grid sweep, inline: one run directory per job, sweep.json current, results table sorted by the objective', () => {
    const cwd = customApp(jobBody, conf);
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=0.3,0.1,0.2', 'seed=1,2', '--objective', 'score'], cwd);
    expect(r.code).toBe(0);
    const { dir, record } = sweepOf(cwd);
    expect(dir).toMatch(/multirun\/\d{4}-\d{2}-\d{2}\/\d{2}-\d{2}-\d{2}$/);
    expect(record.strategy).toBe('grid');
    expect(record.jobs.map((j) => j.overrides)).toEqual([
      ['lr=0.3', 'seed=1'],
      ['lr=0.3', 'seed=2'],
      ['lr=0.1', 'seed=1'],
      ['lr=0.1', 'seed=2'],
      ['lr=0.2', 'seed=1'],
      ['lr=0.2', 'seed=2'],
    ]);
    expect(record.jobs.map((j) => [j.status, j.dir, j.objective])).toEqual([
      ['completed', '0', 0.3],
      ['completed', '1', 0.3],
      ['completed', '2', 0.1],
      ['completed', '3', 0.1],
      ['completed', '4', 0.2],
      ['completed', '5', 0.2],
    ]);
    expect(existsSync(join(dir, 'multirun.yaml'))).toBe(true);
    expect(readJson(join(dir, '2'), 'run.json')).toMatchObject({ status: 'completed', overrides: ['lr=0.1', 'seed=1'], sweep: { num: 2 } });
    // The table lists the best (lowest) score first.
    const table = r.stderr.slice(r.stderr.indexOf('#  status'));
    const order = table
      .split('\n')
      .slice(2, 8)
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(order).toEqual([2, 3, 4, 5, 0, 1]);
    expect(r.stderr).toContain('sweep finished: 6/6 jobs completed');
  });

  it('shows a live progress bar on a terminal and plain lines elsewhere', () => {
    const cwd = customApp(jobBody, conf);
    // `script` runs the command on a pseudo-terminal, as a user's shell would.
    const tty = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} app.mjs -m lr=1,2,3`, '/dev/null'], {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/\[trellis\] .*\d\/3 jobs \| \d running \| 0 failed/);
    expect(tty.stdout).not.toContain('launching job #');
    const plain = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2,3'], cwd);
    expect(plain.stderr).toContain('[trellis] launching job #0: lr=1');
    expect(plain.stderr).not.toMatch(/\u001b\[/);
  });

  it('the local launcher runs jobs in parallel in a pool of reused processes and hands out devices', () => {
    const cwd = customApp(jobBody, conf);
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2,3,4', 'sleep=700', '--jobs', '2', '--devices', '0,1'], cwd);
    expect(r.code).toBe(0);
    const { dir, record } = sweepOf(cwd);
    expect(record.jobs.every((j) => j.status === 'completed')).toBe(true);
    const results = record.jobs.map(
      (j) => (JSON.parse(readRecord(join(dir, j.dir!), 'summary.json')) as { result: { start: number; end: number; devices: string; pid: number } }).result,
    );
    // Two workers, each reused: four jobs ran in two processes, never in this one.
    expect(new Set(results.map((x) => x.pid)).size).toBe(2);
    expect(results.map((x) => x.pid)).not.toContain(process.pid);
    expect(new Set(results.map((x) => x.devices))).toEqual(new Set(['0', '1']));
    const overlapping = results.some((a, i) => results.some((b, k) => k !== i && a.start < b.end && b.start < a.end));
    expect(overlapping).toBe(true);
  }, 60_000);

  it('random sweep: seeded draws within bounds, log-uniform for tag(log, interval), reproducible', () => {
    const cwd = customApp(jobBody, conf);
    const args = ['-m', 'lr=tag(log,interval(0.001,1.0))', 'seed=range(0,100)', '--sweeper', 'random', '--trials', '12', '--sweep-seed', '7'];
    expect(runNode(join(cwd, 'app.mjs'), args, cwd).code).toBe(0);
    const first = sweepOf(cwd).record;
    expect(first.strategy).toBe('random');
    expect(first.seed).toBe(7);
    expect(first.jobs).toHaveLength(12);
    const lrs = first.jobs.map((j) => Number(j.overrides[0]!.split('=')[1]));
    const seeds = first.jobs.map((j) => Number(j.overrides[1]!.split('=')[1]));
    for (const lr of lrs) expect(lr >= 0.001 && lr < 1).toBe(true);
    for (const s of seeds) expect(Number.isInteger(s) && s >= 0 && s < 100).toBe(true);
    // Log-uniform over three decades: some draws below 0.01 are all but certain; uniform would give ~1%.
    expect(lrs.filter((x) => x < 0.01).length).toBeGreaterThan(0);
    // The same seed gives the same draws through the local launcher (jobs recompose from strings).
    const again = customApp(jobBody, conf);
    expect(runNode(join(again, 'app.mjs'), [...args, '--jobs', '2'], again).code).toBe(0);
    expect(readJson<{ launcher: string; jobs: Array<{ status: string }> }>(sweepOf(again).dir, 'sweep.json')).toMatchObject({
      launcher: 'local',
      jobs: Array(12).fill({ status: 'completed' }),
    });
    expect(sweepOf(again).record.jobs.map((j) => j.overrides)).toEqual(first.jobs.map((j) => j.overrides));
  });

  it('a failing job does not stop the others; its error shows at once and the exit code is 1', () => {
    const cwd = customApp(jobBody, conf);
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'fail=false,true,false'], cwd);
    expect(r.code).toBe(1);
    const { dir, record } = sweepOf(cwd);
    expect(record.jobs.map((j) => j.status)).toEqual(['completed', 'failed', 'completed']);
    expect(record.jobs[1]!.error).toBe('job asked to fail');
    expect(r.stderr.indexOf('job #1 failed: job asked to fail')).toBeLessThan(r.stderr.indexOf('launching job #2'));
    expect(readJson(join(dir, '1'), 'run.json')).toMatchObject({ status: 'failed', error: { message: 'job asked to fail' } });
  });

  it('--fail-fast stops launching after the first failure', () => {
    const cwd = customApp(jobBody, conf);
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'fail=true,false,false', '--fail-fast'], cwd);
    expect(r.code).toBe(1);
    expect(sweepOf(cwd).record.jobs.map((j) => j.status)).toEqual(['failed', 'skipped', 'skipped']);
  });

  it('checks every job before the first starts: one bad combination launches nothing and names the job', () => {
    const cwd = customApp(jobBody, conf);
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=0.1,0.2', 'seed=1,x.y'], cwd);
    expect(r.code).toBe(0);
    const bad = customApp(jobBody, { ...conf, 'conf/db/a.yaml': 'x: 1\n' });
    const r2 = runNode(join(bad, 'app.mjs'), ['-m', '+db=a,b'], bad);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('Job #1 (+db=b)');
    expect(existsSync(join(bad, 'multirun'))).toBe(false);
  });

  it.each([
    { launcher: 'inline', extra: [] as string[] },
    { launcher: 'local', extra: ['--jobs', '2'] },
  ])('Ctrl-C marks the running and unfinished jobs interrupted ($launcher)', async ({ extra }) => {
    const cwd = customApp(jobBody, conf);
    const child = spawn(process.execPath, [join(cwd, 'app.mjs'), '-m', 'lr=1,2,3', 'sleep=20000', ...extra], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    // Interrupt once job #0 is running: its run.json exists.
    await waitFor(() => runDirs(join(cwd, 'multirun')).find((d) => d.endsWith('/0')), 'job #0 to start');
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(130);
    const { dir, record } = sweepOf(cwd);
    expect(record.jobs.map((j) => j.status)).toEqual(['interrupted', 'interrupted', 'interrupted']);
    expect(readJson(join(dir, '0'), 'run.json')).toMatchObject({ status: 'interrupted' });
  });

  it('resume after a kill runs only unfinished jobs, keeps numbers, never overwrites; refuses a changed config', async () => {
    const cwd = customApp(jobBody, conf);
    const child = spawn(process.execPath, [join(cwd, 'app.mjs'), '-m', 'lr=1,2,3', 'sleep=0,4000'], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    // Killed once job #1 runs and the table says so (it is written lazily).
    await waitFor(() => {
      const job1 = runDirs(join(cwd, 'multirun')).find((d) => d.endsWith('/1'));
      return job1 && jsonIf<SweepJson>(join(job1, '..', '.trellis', 'sweep.json'))?.jobs[1]?.status === 'running';
    }, 'job #1 to start');
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const { dir, record } = sweepOf(cwd);
    expect(record.jobs.map((j) => j.status)).toEqual(['completed', 'running', 'pending', 'pending', 'pending', 'pending']);
    const completedRun = readRecord(join(dir, '0'), 'run.json');

    const resumed = runCli(['sweep', 'resume', dir.slice(cwd.length + 1)], { cwd, env: {} });
    expect(resumed.code).toBe(0);
    const after = sweepOf(cwd).record;
    expect(after.jobs.map((j) => j.status)).toEqual(Array(6).fill('completed'));
    expect(after.jobs.map((j) => j.num)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(after.jobs[1]!.dir).toBe('1_1');
    expect(readRecord(join(dir, '0'), 'run.json')).toBe(completedRun);

    writeFileSync(join(cwd, 'conf', 'config.yaml'), 'lr: 0.5\nseed: 0\nfail: false\nsleep: 0\n');
    const refused = runNode(join(cwd, 'app.mjs'), ['-m', 'lr=1,2,3', 'sleep=0,4000', '--resume'], cwd);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The config changed since the sweep');
  }, 60_000);

  it.each(['064-sweep-group', '067-sweep-choice-and-sort', '070-sweep-with-fixed-overrides', '073-sweep-quoted-and-list-values'])(
    'launched for real, Hydra case %s gives Hydra’s jobs and configs',
    (name) => {
      const caseDir = join(repoRoot, 'test', 'fixtures', 'hydra-compat', name);
      const c = JSON.parse(readFileSync(join(caseDir, 'case.json'), 'utf8')) as {
        config_name: string;
        overrides: string[];
        expect: { jobs: string[][]; configs: unknown[] };
      };
      const cwd = customApp('async (cfg) => cfg', {});
      cpSync(join(caseDir, 'conf'), join(cwd, 'conf'), { recursive: true });
      const r = runNode(join(cwd, 'app.mjs'), ['-m', '--config-name', c.config_name, ...c.overrides], cwd);
      expect(r.code).toBe(0);
      const { dir, record } = sweepOf(cwd);
      expect(record.jobs.map((j) => j.overrides)).toEqual(c.expect.jobs);
      const configs = record.jobs.map((j) =>
        JSON.parse(
          JSON.stringify(tagged(loadYaml(readRecord(join(dir, j.dir!), 'resolved.yaml'), 'r').root), (_k, v: unknown) =>
            v && typeof v === 'object' && '$float' in v ? (v as { $float: number }).$float : v,
          ),
        ),
      );
      expect(configs).toEqual(c.expect.configs);
    },
  );
});
