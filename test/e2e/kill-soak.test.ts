/**
 * Faults at random moments: demo runs killed with SIGKILL, and sweeps killed then resumed. The
 * moments are events (a file appearing, the n-th metric line, the k-th finished job) drawn from a
 * seeded generator, so a failure can be replayed. Counts: TRELLIS_SOAK_KILLS (default 100) and
 * TRELLIS_SOAK_TRIALS (default 5 per launcher in npm test; the closing notes report runs of 30).
 */
import { spawn } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/run/seeds.js';
import { customApp, runDirs, runNode } from '../helpers/app-project.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { exited, jsonIf, waitFor } from '../helpers/wait.js';

const KILLS = Number(process.env.TRELLIS_SOAK_KILLS ?? 100);
const TRIALS = Number(process.env.TRELLIS_SOAK_TRIALS ?? 5);
const INTERRUPTS = Number(process.env.TRELLIS_SOAK_INTERRUPTS ?? 20);
const demo = join(repoRoot, 'dist', 'examples', 'train.js');

function lineCount(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').length - 1;
  } catch {
    return 0;
  }
}

/** The first run directory under `root`, once its `.trellis/` exists. */
function firstRecordsDir(root: string): string | undefined {
  const walk = (dir: string, depth: number): string | undefined => {
    if (existsSync(join(dir, '.trellis'))) return dir;
    if (depth > 3) return undefined;
    // The run writes while this looks: an entry may appear between the check above and the
    // listing (a `.trellis/` not seen yet, then a temp file inside it), or go away.
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return undefined;
    }
    for (const entry of entries) {
      if (!entry.isDirectory()) continue;
      const found = walk(join(dir, entry.name), depth + 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(root, 0);
}

/** Where in a run's life the kill lands: a condition on the run's files (`n` varies the depth). */
const MOMENTS: Array<{ name: string; reached: (root: string, n: number) => boolean }> = [
  { name: 'at spawn', reached: () => true },
  { name: 'once its directory exists', reached: (root) => Boolean(firstRecordsDir(root)) },
  { name: 'once config.yaml exists', reached: (root) => existsSync(join(firstRecordsDir(root) ?? root, '.trellis', 'config.yaml')) },
  { name: 'once run.json exists', reached: (root) => existsSync(join(firstRecordsDir(root) ?? root, '.trellis', 'run.json')) },
  { name: 'after n metric lines', reached: (root, n) => lineCount(join(firstRecordsDir(root) ?? root, '.trellis', 'metrics.jsonl')) >= n },
  { name: 'after it ended', reached: () => false },
];

describe('runs killed at random moments never leave a record that lies', () => {
  it(`${KILLS} demo runs killed with SIGKILL: none unreadable, none listed completed that did not complete, list and run.json agree`, async () => {
    const cwd = tmpDir();
    cpSync(join(repoRoot, 'conf'), join(cwd, 'conf'), { recursive: true });
    const rng = createRng(20261204);
    const killedAt: Record<string, number> = {};
    const one = async (i: number) => {
      const moment = MOMENTS[rng.int(0, MOMENTS.length - 1)]!;
      killedAt[moment.name] = (killedAt[moment.name] ?? 0) + 1;
      const root = join(cwd, 'out', String(i));
      const child = spawn(process.execPath, [demo, 'trainer.epochs=40', `hydra.run.dir=out/${i}/run`], { cwd: join(cwd), stdio: 'ignore' });
      const n = rng.int(1, 40);
      // A run that ends before its moment comes is "killed" after it ended.
      await waitFor(() => moment.reached(root, n) || child.exitCode !== null || child.signalCode !== null, moment.name, 60_000);
      child.kill('SIGKILL');
      return { code: await exited(child), root };
    };
    const results = [];
    // Two at a time: the machine has two cores.
    for (let i = 0; i < KILLS; i += 2) results.push(...(await Promise.all([one(i), ...(i + 1 < KILLS ? [one(i + 1)] : [])])));
    const list = runCli(['runs', 'list', 'out', '--format', 'json', '--no-index'], { cwd });
    expect(list.code).toBe(0);
    const listed = JSON.parse(list.stdout) as Array<{ dir: string; status: string }>;
    expect(listed.filter((r) => r.status === 'unreadable')).toEqual([]);
    for (const run of listed) {
      const record = jsonIf<{ status: string; exit_code: number | null }>(join(cwd, run.dir, '.trellis', 'run.json'));
      if (run.status === 'completed') {
        // Completed only where the job finished: its final record and summary are there.
        expect(record).toMatchObject({ status: 'completed', exit_code: 0 });
        expect(existsSync(join(cwd, run.dir, '.trellis', 'summary.json'))).toBe(true);
      } else if (record) {
        // A killed run that was still running lists as crashed (or running while its heartbeat is fresh).
        expect(record.status === 'running' ? ['crashed', 'running'] : [record.status]).toContain(run.status);
      } else expect(['crashed', 'running']).toContain(run.status);
    }
    // Every moment was drawn at least once over the whole set.
    if (KILLS >= 60) expect(Object.keys(killedAt).sort()).toEqual(MOMENTS.map((m) => m.name).sort());
  }, 600_000);
});

describe('runs interrupted at random moments are recorded and listed as interrupted', () => {
  it(`${INTERRUPTS} demo runs stopped with SIGINT: each lists as completed or interrupted, never partial, and exits 0 or 130`, async () => {
    const cwd = tmpDir();
    cpSync(join(repoRoot, 'conf'), join(cwd, 'conf'), { recursive: true });
    const rng = createRng(20261205);
    const one = async (i: number) => {
      const moment = MOMENTS[rng.int(0, MOMENTS.length - 1)]!;
      const root = join(cwd, 'out', String(i));
      const child = spawn(process.execPath, [demo, 'trainer.epochs=40', `hydra.run.dir=out/${i}/run`], { cwd, stdio: 'ignore' });
      const n = rng.int(1, 40);
      await waitFor(() => moment.reached(root, n) || child.exitCode !== null || child.signalCode !== null, moment.name, 60_000);
      child.kill('SIGINT');
      return { code: await exited(child), dir: join('out', String(i), 'run') };
    };
    const results = [];
    for (let i = 0; i < INTERRUPTS; i += 2) results.push(...(await Promise.all([one(i), ...(i + 1 < INTERRUPTS ? [one(i + 1)] : [])])));
    const list = runCli(['runs', 'list', 'out', '--format', 'json', '--no-index'], { cwd });
    expect(list.code).toBe(0);
    const listed = new Map((JSON.parse(list.stdout) as Array<{ dir: string; status: string }>).map((r) => [r.dir, r.status]));
    for (const { code, dir } of results) {
      const record = jsonIf<{ status: string; exit_code: number }>(join(cwd, dir, '.trellis', 'run.json'));
      // A Ctrl-C before the run directory exists leaves nothing to list, and that is the truth.
      if (!record) {
        expect(listed.has(dir) ? ['crashed', 'interrupted'] : [undefined]).toContain(listed.get(dir));
        continue;
      }
      expect([record.status, code]).toEqual(record.status === 'completed' ? ['completed', 0] : ['interrupted', 130]);
      expect(listed.get(dir)).toBe(record.status);
    }
  }, 600_000);
});

const quick = `async (cfg, run) => { let x = 0; for (let k = 0; k < 200000; k++) x += Math.sqrt(k); run.log({ loss: cfg.n }); return { n: cfg.n }; }`;

describe('sweeps killed at random moments and resumed run every job exactly once', () => {
  it.each([
    { launcher: 'inline', flags: [] as string[] },
    { launcher: 'local', flags: ['--jobs', '2'] },
  ])(
    `${TRIALS} kill -9 + resume trials of a 20-job sweep ($launcher)`,
    async ({ flags }) => {
      const rng = createRng(flags.length ? 2 : 1);
      for (let trial = 0; trial < TRIALS; trial++) {
        const cwd = customApp(quick, { 'conf/config.yaml': 'n: 0\n' });
        const args = ['-m', 'n=range(0,20)', ...flags];
        const child = spawn(process.execPath, [join(cwd, 'app.mjs'), ...args], { cwd, stdio: 'ignore' });
        const finishedBeforeKill = rng.int(0, 19);
        // Killed once the sweep has its record (before that there is nothing to resume) and k jobs finished.
        const recorded = () => runDirs(join(cwd, 'multirun')).some((d) => existsSync(join(d, '..', '.trellis', 'sweep.json')));
        const finished = () =>
          runDirs(join(cwd, 'multirun')).filter((d) => jsonIf<{ status: string }>(join(d, '.trellis', 'run.json'))?.status === 'completed').length;
        await waitFor(() => (recorded() && finished() >= finishedBeforeKill) || child.exitCode !== null, 'jobs to finish', 120_000);
        child.kill('SIGKILL');
        await exited(child);
        const resumed = runNode(join(cwd, 'app.mjs'), [...args, '--resume'], cwd);
        expect(resumed.stderr).toContain('20/20 jobs completed');
        const completed = runDirs(join(cwd, 'multirun'))
          .map((d) => jsonIf<{ status: string; sweep: { num: number } }>(join(d, '.trellis', 'run.json'))!)
          .filter((r) => r.status === 'completed')
          .map((r) => r.sweep.num);
        expect(completed.sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      }
    },
    1_200_000,
  );
});
