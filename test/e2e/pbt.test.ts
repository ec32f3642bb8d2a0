/**
 * Population-based training end to end: a real app, inline and on the local launcher, and a
 * command job. The job walks x towards 10 by `lr` a step: each segment starts from the checkpoint
 * it is given (its own or a top member's) and checkpoints where it ended, so a segment's starting
 * x says exactly whose checkpoint it restored.
 */
import { spawn } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { customApp, readJson, readRecord, runDirs, runNode } from '../helpers/app-project.js';
import { runCli } from '../helpers/run-cli.js';
import { startCluster } from '../helpers/slurm-cluster.js';
import { tmpDir } from '../helpers/tmp-dir.js';
import { jsonIf, waitFor } from '../helpers/wait.js';
import type { PbtLineage } from '../../src/sweep/lineage.js';

interface Row {
  num: number;
  overrides: string[];
  status: string;
  dir: string | null;
  objective: number | null;
  params: Record<string, string | number>;
  pbt: PbtLineage;
}
interface SweepJson {
  strategy: string;
  search_space: Record<string, unknown>;
  jobs: Row[];
}

const conf = { 'conf/config.yaml': 'lr: 0.1\nlazy_member: -1\n' };
/** `lazy_member` never checkpoints and always scores best: no one may copy it. */
const body = `async (cfg, run) => {
  const seg = run.segment;
  const restored = run.restore();
  const startX = restored ? restored.data.x : 0;
  let x = startX;
  for (let step = seg.start; step < seg.end; step++) {
    x += cfg.lr;
    run.log({ loss: (10 - x) ** 2 - (seg.member === cfg.lazy_member ? 1000 : 0) }, { step });
  }
  if (seg.member !== cfg.lazy_member) run.checkpoint({ x });
  return { start_x: startX, from: restored ? restored.from : null };
}`;
const pbtArgs = (extra: string[] = []) => [
  '-m',
  '--sweeper',
  'pbt',
  '--population',
  '4',
  '--generations',
  '3',
  '--perturbation-interval',
  '5',
  '--sweep-seed',
  '5',
  '--objective',
  'loss',
  'lr=interval(0.05, 0.6)',
  ...extra,
];

function sweepOf(cwd: string): { dir: string; record: SweepJson } {
  const dirs = [...new Set(runDirs(join(cwd, 'multirun')).map((d) => d.replace(/\/\d+(_\d+)?$/, '')))];
  expect(dirs).toHaveLength(1);
  return { dir: dirs[0]!, record: JSON.parse(readFileSync(join(dirs[0]!, '.trellis', 'sweep.json'), 'utf8')) as SweepJson };
}

/** The project a sweep directory belongs to (<cwd>/multirun/<date>/<time>). */
const cwdOf = (sweepDir: string) => join(sweepDir, '..', '..', '..');

const checkpointX = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'checkpoints', 'latest.json'), 'utf8')) as { step: number; data: { x: number } }).data.x;

/** Every member ran its generations in order, and each segment started from the checkpoint its lineage names. */
function checkLineage(dir: string, record: SweepJson, resultOf: (row: Row) => { start_x: number }): Row[] {
  expect(record.strategy).toBe('pbt');
  expect(record.jobs).toHaveLength(12);
  for (const row of record.jobs) expect(row.status).toBe('completed');
  for (let m = 0; m < 4; m++) {
    const mine = record.jobs.filter((r) => r.pbt.member === m);
    expect(mine.map((r) => [r.pbt.generation, r.pbt.start, r.pbt.end])).toEqual([
      [0, 0, 5],
      [1, 5, 10],
      [2, 10, 15],
    ]);
    expect(mine.map((r) => r.pbt.parent)).toEqual([null, mine[0]!.num, mine[1]!.num]);
  }
  for (const row of record.jobs) {
    const start = resultOf(row).start_x;
    if (row.pbt.restore === null) expect(start).toBe(0);
    else {
      // The value it started from is the one the restored segment checkpointed.
      const from = record.jobs[row.pbt.restore]!;
      expect(start).toBe(checkpointX(join(dir, from.dir!)));
      const restore = `+trellis.pbt.restore='${relative(cwdOf(dir), join(dir, from.dir!))}'`;
      expect(row.overrides).toContain(restore);
      expect(parse(readRecord(join(dir, row.dir!), 'overrides.yaml'))).toContain(restore);
    }
    if (row.pbt.by === 'exploit') {
      const e = row.pbt.exploit!;
      expect(row.pbt.restore).toBe(e.donor_num);
      expect(record.jobs[e.donor_num]!.pbt.member).toBe(e.donor);
      expect(e.donor_params).toEqual(record.jobs[e.donor_num]!.params);
      expect(e.new).toEqual(row.params);
      expect(e.old).toEqual(record.jobs[row.pbt.parent!]!.params);
      expect(e.donor_score).toBeLessThan(e.score);
      const lr = Number(row.params.lr);
      expect(lr).toBeGreaterThanOrEqual(0.05);
      expect(lr).toBeLessThanOrEqual(0.6);
    } else if (row.pbt.by === 'continue') {
      expect(row.params).toEqual(record.jobs[row.pbt.parent!]!.params);
    }
  }
  return record.jobs.filter((r) => r.pbt.by === 'exploit');
}

const summaryResult = (dir: string) => (row: Row) => readJson<{ result: { start_x: number } }>(join(dir, row.dir!), 'summary.json').result;

describe('PBT sweeps', () => {
  it('inline: members copy a top member’s checkpoint and explored config; the lineage is recorded and shown', () => {
    const cwd = customApp(body, conf);
    const r = runNode(join(cwd, 'app.mjs'), pbtArgs(), cwd);
    expect(r.code, r.stderr).toBe(0);
    const { dir, record } = sweepOf(cwd);
    expect(record.search_space).toMatchObject({ population: 4, generations: 3, perturbation_interval: 5, quantile_fraction: 0.25, resample_probability: 0.25 });
    const exploits = checkLineage(dir, record, summaryResult(dir));
    expect(exploits.length).toBeGreaterThan(0);
    // An exploited member really starts from the donor's state, not its own.
    const e = exploits[0]!;
    const own = checkpointX(join(dir, record.jobs[e.pbt.parent!]!.dir!));
    expect(summaryResult(dir)(e).start_x).not.toBe(own);

    // A rerun of the exploited segment, outside the sweep, restores the same checkpoint from its recorded overrides.
    const rerun = runCli(['rerun', join(dir.slice(cwd.length + 1), e.dir!)], { cwd });
    expect(rerun.code, rerun.stderr).toBe(0);
    const [again] = runDirs(join(cwd, 'outputs'));
    expect(readJson<{ result: unknown }>(again!, 'summary.json').result).toEqual(readJson<{ result: unknown }>(join(dir, e.dir!), 'summary.json').result);

    const shown = runCli(['sweep', 'show', dir.slice(cwd.length + 1), '--format', 'json'], { cwd });
    expect(shown.code, shown.stderr).toBe(0);
    const view = JSON.parse(shown.stdout) as { trials: Array<{ num: number; pbt: PbtLineage }> };
    expect(view.trials.map((t) => t.pbt)).toEqual(record.jobs.map((j) => j.pbt));
    const text = runCli(['sweep', 'show', dir.slice(cwd.length + 1)], { cwd }).stdout;
    expect(text).toMatch(/member +gen +steps +from +lr/);
    expect(text).toContain(`copied m${e.pbt.exploit!.donor} #${e.pbt.exploit!.donor_num}`);
  }, 120_000);

  it('local launcher with --jobs 2: segments start as slots free, with the same guarantees', () => {
    const cwd = customApp(body, conf);
    const r = runNode(join(cwd, 'app.mjs'), pbtArgs(['--jobs', '2']), cwd);
    expect(r.code, r.stderr).toBe(0);
    const { dir, record } = sweepOf(cwd);
    expect(JSON.parse(readFileSync(join(dir, '.trellis', 'sweep.json'), 'utf8'))).toMatchObject({ launcher: 'local' });
    checkLineage(dir, record, summaryResult(dir));
  }, 120_000);

  it('never copies a member that has not checkpointed, even when it scores best', () => {
    const cwd = customApp(body, { 'conf/config.yaml': 'lr: 0.1\nlazy_member: 3\n' });
    const r = runNode(join(cwd, 'app.mjs'), pbtArgs(), cwd);
    expect(r.code, r.stderr).toBe(0);
    const { dir, record } = sweepOf(cwd);
    for (const row of record.jobs) if (row.pbt.by === 'exploit') expect(row.pbt.exploit!.donor).not.toBe(3);
    // The bottom member wanted to copy member 3 and could not.
    expect(record.jobs.some((row) => /no top member has a checkpoint/.test(row.pbt.note ?? ''))).toBe(true);
    // Member 3 itself starts every segment from scratch: it has nothing to restore.
    for (const row of record.jobs.filter((j) => j.pbt.member === 3)) {
      expect(row.pbt.restore).toBeNull();
      expect(summaryResult(dir)(row).start_x).toBe(0);
    }
  }, 120_000);

  it('a command job checkpoints and restores through TRELLIS_CHECKPOINT_DIR and TRELLIS_RESTORE_FROM', () => {
    const cwd = tmpDir({ ...conf });
    writeFileSync(
      join(cwd, 'job.mjs'),
      `import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
const cfg = JSON.parse(readFileSync(process.env.TRELLIS_CONFIG, 'utf8'));
const seg = JSON.parse(process.env.TRELLIS_SEGMENT);
const from = process.env.TRELLIS_RESTORE_FROM;
const startX = from ? JSON.parse(readFileSync(join(from, 'latest.json'), 'utf8')).data.x : 0;
let x = startX;
for (let step = seg.start; step < seg.end; step++) {
  x += cfg.lr;
  console.log('@trellis ' + JSON.stringify({ step, loss: (10 - x) ** 2 }));
}
const dir = process.env.TRELLIS_CHECKPOINT_DIR;
writeFileSync(join(dir, 'latest.json.tmp'), JSON.stringify({ step: seg.end, data: { x } }));
renameSync(join(dir, 'latest.json.tmp'), join(dir, 'latest.json'));
writeFileSync(join(process.env.TRELLIS_RUN_DIR, 'start.json'), JSON.stringify({ start_x: startX }));
`,
    );
    const r = runCli(['run', ...pbtArgs(), '--', process.execPath, 'job.mjs'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const { dir, record } = sweepOf(cwd);
    const exploits = checkLineage(dir, record, (row) => JSON.parse(readFileSync(join(dir, row.dir!, 'start.json'), 'utf8')) as { start_x: number });
    expect(exploits.length).toBeGreaterThan(0);
  }, 120_000);

  it('resume continues the schedule and never repeats a finished segment', async () => {
    const holding = body
      .replace(
        'const seg = run.segment;',
        `const seg = run.segment;
  const fs = await import('node:fs');
  const done = fs.existsSync('done.txt') ? fs.readFileSync('done.txt', 'utf8').length : 0;
  while (done >= 6 && fs.existsSync('hold')) await new Promise((r) => setTimeout(r, 50));`,
      )
      .replace('return {', "fs.appendFileSync('done.txt', 'x');\n  return {");
    const cwd = customApp(holding, conf);
    writeFileSync(join(cwd, 'hold'), '');
    const child = spawn(process.execPath, [join(cwd, 'app.mjs'), ...pbtArgs()], { cwd, env: { ...process.env, NO_COLOR: '1' } });
    const path = await waitFor(() => runDirs(join(cwd, 'multirun')).find((d) => d.endsWith('/6')), 'segment #6 to start');
    await waitFor(
      () => jsonIf<SweepJson>(join(path, '..', '.trellis', 'sweep.json'), (s) => s.jobs.filter((j) => j.status === 'completed').length === 6),
      'six segments recorded',
    );
    child.kill('SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    const before = sweepOf(cwd).record;
    expect(before.jobs.map((j) => j.status)).toEqual([...Array(6).fill('completed'), 'running']);
    rmSync(join(cwd, 'hold'));

    const resumed = runCli(['sweep', 'resume', sweepOf(cwd).dir.slice(cwd.length + 1)], { cwd });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain('sweep finished: 12/12');
    const { dir, record } = sweepOf(cwd);
    checkLineage(dir, record, summaryResult(dir));
    // The seven proposed before the kill are kept: six not run again, the seventh run again as it was.
    expect(record.jobs.slice(0, 7).map((j) => [j.overrides, j.pbt])).toEqual(before.jobs.map((j) => [j.overrides, j.pbt]));
    expect(record.jobs.slice(0, 6).map((j) => j.dir)).toEqual(before.jobs.slice(0, 6).map((j) => j.dir));
    expect(readFileSync(join(cwd, 'done.txt'), 'utf8')).toHaveLength(12);
  }, 120_000);

  it('refuses --trials that is not population × generations, before anything is written', () => {
    const cwd = customApp(body, conf);
    const r = runNode(join(cwd, 'app.mjs'), ['-m', '--sweeper', 'pbt', '--population', '4', '--trials', '10', 'lr=interval(0.05, 0.6)'], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--trials 10 is not --population 4 × --generations G');
    expect(runDirs(join(cwd, 'multirun'))).toEqual([]);
  });
});

const cluster = startCluster();

describe.skipIf(!cluster.ok)(`PBT on SLURM${cluster.ok ? '' : ` (skipped: ${cluster.ok === false ? cluster.reason : ''})`}`, () => {
  it('each segment is a task of its own; checkpoints pass through the shared run directories', () => {
    const cwd = customApp(body, conf);
    const r = runNode(join(cwd, 'app.mjs'), pbtArgs(['--launcher', 'slurm', '--max-parallel', '2', '--poll-interval', '0.3']), cwd);
    expect(r.code, r.stderr).toBe(0);
    const { dir, record } = sweepOf(cwd);
    const saved = JSON.parse(readFileSync(join(dir, '.trellis', 'sweep.json'), 'utf8')) as { launcher: string; jobs: Array<{ launcher?: { job_id: string } }> };
    expect(saved.launcher).toBe('slurm');
    expect(new Set(saved.jobs.map((j) => j.launcher?.job_id)).size).toBe(saved.jobs.length);
    checkLineage(dir, record, summaryResult(dir));
  }, 180_000);
});
