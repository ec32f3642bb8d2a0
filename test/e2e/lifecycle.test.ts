import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { customApp, readJson, runDirs, runNode } from '../helpers/app-project.js';
import { runCli } from '../helpers/run-cli.js';
import { alive, exited, jsonIf, stderrOf, waitFor } from '../helpers/wait.js';

const conf = { 'conf/config.yaml': 'log: true\nsteps: 0\nsleep: 0\n' };
/**
 * A job that never awaits: with `steps: 0` it computes forever (logging each step when `log`),
 * else it runs `steps` steps and returns. `sleep` makes it wait first (async).
 */
const busyBody = `async (cfg, run) => {
  if (cfg.sleep) await new Promise((r) => setTimeout(r, cfg.sleep));
  let x = 0;
  for (let i = 0; cfg.steps === 0 || i < cfg.steps; i++) {
    for (let k = 0; k < 20000; k++) x += Math.sqrt(k);
    if (cfg.log) run.log({ loss: 1 / (i + 1) }, { step: i });
  }
  return { x, pid: process.pid };
}`;

type RunJson = { status: string; exit_code: number | null; heartbeat: string; pid: number; sweep?: { num: number } };
const runJsonOf = (dir: string) => jsonIf<RunJson>(join(dir, '.trellis', 'run.json'));

/** Starts the app and resolves once a run directory has its run.json: the job is running. */
async function startRun(cwd: string, args: string[]) {
  const child = spawn(process.execPath, [join(cwd, 'app.mjs'), ...args], { cwd, env: { ...process.env, NO_COLOR: '1' } });
  const err = stderrOf(child);
  const dir = await waitFor(() => runDirs(cwd).find((d) => runJsonOf(d)), 'the first run to start');
  return { child, err, dir };
}

describe('job lifecycle: a supervisor stops jobs that never await', () => {
  it.each([
    { name: 'a busy job that logs stops at its next log() call, its metrics on disk', log: true },
    { name: 'a busy job that never logs is terminated', log: false },
  ])('$name', async ({ log }) => {
    const cwd = customApp(busyBody, conf);
    const { child, dir } = await startRun(cwd, [`log=${log}`]);
    if (log)
      await waitFor(
        () => existsSync(join(dir, '.trellis', 'metrics.jsonl')) && readFileSync(join(dir, '.trellis', 'metrics.jsonl'), 'utf8').length > 0,
        'a logged metric',
      );
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    expect(readJson(dir, 'run.json')).toMatchObject({ status: 'interrupted', exit_code: 130, error: { message: 'interrupted by SIGINT' } });
    const summary = readJson<{ metrics: Record<string, { count: number }> }>(dir, 'summary.json');
    if (log) expect(summary.metrics.loss!.count).toBeGreaterThan(0);
    else expect(summary.metrics).toEqual({});
  });

  it('SIGTERM is recorded as interrupted with exit code 143', async () => {
    const cwd = customApp(busyBody, conf);
    const { child, dir } = await startRun(cwd, ['log=false']);
    child.kill('SIGTERM');
    expect(await exited(child)).toBe(143);
    expect(readJson(dir, 'run.json')).toMatchObject({ status: 'interrupted', exit_code: 143 });
  });

  it('Ctrl-C during a busy job of an inline sweep launches no other job', async () => {
    const cwd = customApp(busyBody, conf);
    const { child, err } = await startRun(cwd, ['-m', 'steps=0,1,2']);
    child.kill('SIGINT');
    expect(await exited(child)).toBe(130);
    const dirs = runDirs(join(cwd, 'multirun'));
    expect(dirs.map((d) => d.split('/').pop())).toEqual(['0']);
    const sweep = JSON.parse(readFileSync(join(dirs[0]!, '..', '.trellis', 'sweep.json'), 'utf8')) as { jobs: Array<{ status: string }> };
    expect(sweep.jobs.map((j) => j.status)).toEqual(['interrupted', 'interrupted', 'interrupted']);
    // The table is printed, with a closing line saying what happened.
    expect(err.text()).toMatch(/#\s+status/);
    expect(err.text()).toContain('[trellis] sweep interrupted: 0/3 jobs completed');
  });

  it('the heartbeat goes on while the job computes', async () => {
    const cwd = customApp(busyBody, conf);
    const { child, dir } = await startRun(cwd, ['log=false']);
    const first = runJsonOf(dir)!.heartbeat;
    // The supervisor refreshes run.json every 5 s although the job never yields.
    await waitFor(() => runJsonOf(dir)?.heartbeat !== first, 'a new heartbeat', 20_000);
    expect(runJsonOf(dir)!.status).toBe('running');
    child.kill('SIGINT');
    await exited(child);
  }, 30_000);

  it('a job that completes records completed; its return value and metrics are in summary.json', () => {
    const cwd = customApp(busyBody, conf);
    const r = runNode(join(cwd, 'app.mjs'), ['steps=3'], cwd);
    expect(r.code).toBe(0);
    const [dir] = runDirs(cwd);
    const summary = readJson<{ metrics: Record<string, { count: number }>; result: { pid: number } }>(dir!, 'summary.json');
    expect(summary.metrics.loss!.count).toBe(3);
    // The job ran in the app's process (on its job thread), not in another process.
    expect(summary.result.pid).toBe(readJson<RunJson>(dir!, 'run.json').pid);
  });
});

describe('job lifecycle: sweeps never lose or repeat work', () => {
  it('resume trusts each job’s run.json over a stale sweep.json: completed jobs never run again', async () => {
    const cwd = customApp(busyBody, conf);
    const r = runNode(join(cwd, 'app.mjs'), ['-m', 'steps=1,2,3,4'], cwd);
    expect(r.code).toBe(0);
    const [first] = runDirs(join(cwd, 'multirun'));
    const sweepDir = join(first!, '..');
    const sweepFile = join(sweepDir, '.trellis', 'sweep.json');
    // As if the sweep was killed before its lazily written table caught up: all four pending.
    const record = JSON.parse(readFileSync(sweepFile, 'utf8')) as { jobs: Array<{ status: string; dir: string | null }> };
    for (const job of record.jobs) Object.assign(job, { status: 'pending', dir: null });
    writeFileSync(sweepFile, JSON.stringify(record));
    const resumed = runNode(join(cwd, 'app.mjs'), ['-m', 'steps=1,2,3,4', '--resume'], cwd);
    expect(resumed.code).toBe(0);
    // No job ran twice: no second run directory (0_1, …) exists.
    expect(runDirs(join(cwd, 'multirun')).map((d) => d.split('/').pop())).toEqual(['0', '1', '2', '3']);
    const after = JSON.parse(readFileSync(sweepFile, 'utf8')) as { jobs: Array<{ status: string; dir: string }> };
    expect(after.jobs.map((j) => [j.status, j.dir])).toEqual([
      ['completed', '0'],
      ['completed', '1'],
      ['completed', '2'],
      ['completed', '3'],
    ]);
  });

  it('resume refuses while a job of the sweep is still running elsewhere (a live process, a fresh heartbeat)', () => {
    const cwd = customApp(busyBody, conf);
    expect(runNode(join(cwd, 'app.mjs'), ['-m', 'steps=1,2'], cwd).code).toBe(0);
    const job1 = runDirs(join(cwd, 'multirun')).find((d) => d.endsWith('/1'))!;
    const sweepFile = join(job1, '..', '.trellis', 'sweep.json');
    // Job #1 as a process of an earlier attempt would leave it: running, alive (this test's own pid).
    const run = JSON.parse(readFileSync(join(job1, '.trellis', 'run.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(join(job1, '.trellis', 'run.json'), JSON.stringify({ ...run, status: 'running', pid: process.pid, heartbeat: new Date().toISOString() }));
    const record = JSON.parse(readFileSync(sweepFile, 'utf8')) as { jobs: Array<{ status: string }> };
    record.jobs[1]!.status = 'running';
    writeFileSync(sweepFile, JSON.stringify(record));
    const resumed = runNode(join(cwd, 'app.mjs'), ['-m', 'steps=1,2', '--resume'], cwd);
    expect(resumed.code).toBe(1);
    expect(resumed.stderr).toContain(`are still running: #1 (pid ${process.pid}`);
    // Nothing ran again.
    expect(runDirs(join(cwd, 'multirun')).map((d) => d.split('/').pop())).toEqual(['0', '1']);
  });

  it('a second resume of a running sweep refuses, naming the process that holds it', async () => {
    const cwd = customApp(busyBody, conf);
    const { child } = await startRun(cwd, ['-m', 'steps=0,1']);
    const sweepDir = runDirs(join(cwd, 'multirun'))[0]!.replace(/\/0$/, '');
    const second = runCli(['sweep', 'resume', sweepDir], { cwd, env: {} });
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`is being run by process ${child.pid}`);
    child.kill('SIGINT');
    await exited(child);
  });

  it('after kill -9 of a sweep, the local pool’s workers stop their jobs and exit: no orphans', async () => {
    const cwd = customApp(busyBody, conf);
    const { child, dir } = await startRun(cwd, ['-m', 'steps=0,0,0', '--jobs', '2']);
    const worker = runJsonOf(dir)!.pid;
    expect(worker).not.toBe(child.pid);
    child.kill('SIGKILL');
    await exited(child);
    // The worker sees its IPC channel close, records the job interrupted and exits.
    await waitFor(() => runJsonOf(dir)?.status === 'interrupted', 'the orphaned job to be recorded interrupted');
    await waitFor(() => !alive(worker), 'the worker process to exit');
    // Every job that started was stopped the same way.
    for (const d of runDirs(join(cwd, 'multirun'))) {
      const run = await waitFor(() => runJsonOf(d), 'a run record');
      await waitFor(() => !alive(run.pid), 'every worker to exit');
      expect(runJsonOf(d)!.status).toBe('interrupted');
    }
  });

  it('two sweeps with a fixed sweep directory never share it', () => {
    const cwd = customApp(busyBody, { 'conf/config.yaml': 'log: true\nsteps: 1\nsleep: 0\nhydra:\n  sweep:\n    dir: multirun/fixed\n' });
    expect(runNode(join(cwd, 'app.mjs'), ['-m', 'steps=1,2'], cwd).code).toBe(0);
    expect(runNode(join(cwd, 'app.mjs'), ['-m', 'steps=3,4'], cwd).code).toBe(0);
    const first = JSON.parse(readFileSync(join(cwd, 'multirun', 'fixed', '.trellis', 'sweep.json'), 'utf8')) as { overrides: string[] };
    const second = JSON.parse(readFileSync(join(cwd, 'multirun', 'fixed_1', '.trellis', 'sweep.json'), 'utf8')) as { overrides: string[] };
    expect([first.overrides, second.overrides]).toEqual([['steps=1,2'], ['steps=3,4']]);
  });
});

describe('job lifecycle: a full disk', () => {
  const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version']).status === 0;
  it.skipIf(!canMount)('records failed with the cause (not running forever) and exits 74 when the records cannot be written', async () => {
    const cwd = customApp(
      `async (cfg, run) => {
        // Fill the run's disk, then log: the metrics cannot be written, nor the final summary.
        await run.saveArtifact('fill.bin', new Uint8Array(4 * 1024 * 1024)).catch(() => undefined);
        for (let i = 0; i < 1000; i++) run.log({ loss: i }, { step: i });
      }`,
      conf,
    );
    const disk = join(cwd, 'small');
    mkdirSync(disk);
    // 256 KiB: the records fit, the artifact does not (test root only; skipped elsewhere).
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', disk]).status).toBe(0);
    try {
      const r = runNode(join(cwd, 'app.mjs'), ['hydra.run.dir=small/run'], cwd);
      expect(r.code).toBe(74);
      const run = readJson<{ status: string; exit_code: number; error: { message: string } }>(join(disk, 'run'), 'run.json');
      expect(run.status).toBe('failed');
      expect(run.error.message).toMatch(/ENOSPC/);
      expect(r.stderr).toMatch(/ENOSPC/);
    } finally {
      spawnSync('umount', [disk]);
    }
  });
});

/**
 * What a terminal shows of each line: text after the last carriage return or move to column 1
 * (`ESC[1G`), other escape sequences removed.
 */
function screenLines(raw: string): string[] {
  return raw.split('\n').map((line) => {
    const visible = line
      .replace(/\r$/, '')
      .split(/\r|\u001b\[1G/)
      .pop()!;
    return visible.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
  });
}

describe('job lifecycle: progress on a terminal', () => {
  it('log lines go above the bar and the table is printed after the bar is cleared', () => {
    const app = customApp(`async (cfg, run) => { run.logger.info('hello from ' + cfg.steps); return cfg.steps; }`, conf);
    const tty = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} app.mjs -m steps=1,2,3`, '/dev/null'], {
      cwd: app,
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '1' },
    });
    expect(tty.status).toBe(0);
    expect(tty.stdout).toMatch(/\d\/3 jobs \| \d running/);
    const screen = screenLines(tty.stdout);
    // Every log line stands whole on a line of its own, not glued to the bar.
    for (const n of [1, 2, 3])
      expect(screen.filter((l) => /^\[[^\]]+\]\[job\]\[INFO\] - hello from \d$/.test(l))).toContainEqual(expect.stringContaining(`hello from ${n}`));
    // The table comes after the bar is cleared: its lines hold nothing of the bar.
    const header = screen.findIndex((l) => l.startsWith('#  status'));
    expect(screen.slice(header, header + 5).map((l) => l.trim().split(/\s+/).slice(0, 2).join(' '))).toEqual([
      '# status',
      '- ---------',
      '0 completed',
      '1 completed',
      '2 completed',
    ]);
    expect(screen.slice(header).join('\n')).not.toContain('jobs |');
  });
});
