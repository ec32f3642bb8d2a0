import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scalarOf, type TbEvent } from '../../src/bridges/tensorboard/event.js';
import { readSessionData } from '../../src/bridges/tensorboard/hparams.js';
import { eventFilesIn, readEventFile } from '../../src/bridges/tensorboard/read-events.js';
import { customApp, runDirs, runNode } from '../helpers/app-project.js';
import { runCli } from '../helpers/run-cli.js';
import { ageTree } from '../unit/store/synthetic-runs.js';

/** A job that logs three rows (two metrics and a string), then fails when the config says so. */
const JOB = `(cfg, run) => {
  for (let i = 0; i < 3; i++) run.log({ loss: 1 / (i + 1), acc: i * 0.25, phase: 'train' });
  run.log({ loss: 0.125 }, { step: 10 });
  if (cfg.fail) throw new Error('boom');
  return 1;
}`;

const CONFIG = 'lr: 0.1\nfail: false\noptimizer:\n  name: adam\n  betas: [0.9, 0.99]\n';

function scalars(events: TbEvent[]): [string, number, number | undefined][] {
  return events.flatMap((e) => (e.summary ?? []).filter((v) => !v.plugin).map((v) => [v.tag, e.step, scalarOf(v)] as [string, number, number | undefined]));
}

function session(events: TbEvent[]) {
  const plugin = events.flatMap((e) => e.summary ?? []).filter((v) => v.plugin?.name === 'hparams');
  return plugin.map((v) => readSessionData(v.plugin!.content));
}

/** The rows logged by JOB, as TensorBoard scalars (float32). */
const LOGGED: [string, number, number][] = [
  ['loss', 0, 1],
  ['acc', 0, 0],
  ['loss', 1, 0.5],
  ['acc', 1, 0.25],
  ['loss', 2, Math.fround(1 / 3)],
  ['acc', 2, 0.5],
  ['loss', 10, 0.125],
];

describe('the TensorBoard sink', () => {
  it.each([
    { name: '--tensorboard', args: ['--tensorboard'], config: CONFIG, status: 'success', code: 0 },
    { name: 'trellis.tensorboard: true in the config', args: ['fail=true'], config: `${CONFIG}trellis:\n  tensorboard: true\n`, status: 'failure', code: 1 },
  ])('$name writes <run dir>/tb/ as the run logs', ({ args, config, status, code }) => {
    const cwd = customApp(JOB, { 'conf/config.yaml': config });
    expect(runNode('app.mjs', args, cwd).code).toBe(code);
    const [dir] = runDirs(join(cwd, 'outputs'));
    const files = eventFilesIn(join(dir!, 'tb'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/events\.out\.tfevents\.\d{10}\.[^/]+\.\d+\.0$/);
    const { events, partialTail } = readEventFile(files[0]!);
    expect(partialTail).toBe(0);
    expect(events[0]!.fileVersion).toBe('brain.Event:2');
    expect(scalars(events)).toEqual(LOGGED);
    const [start, end] = session(events);
    expect({ ...start!.start!.hparams }).toEqual({ lr: 0.1, fail: code === 1, 'optimizer.name': 'adam', 'optimizer.betas': '[0.9,0.99]' });
    expect(end!.end!.status).toBe(status);
  });

  it('is off by default', () => {
    const cwd = customApp(JOB, { 'conf/config.yaml': CONFIG });
    expect(runNode('app.mjs', [], cwd).code).toBe(0);
    const [dir] = runDirs(join(cwd, 'outputs'));
    expect(existsSync(join(dir!, 'tb'))).toBe(false);
  });

  it('a program run with trellis run gets event files from its @trellis lines', () => {
    const cwd = customApp(JOB, { 'conf/config.yaml': CONFIG });
    const program = 'for (let i = 0; i < 3; i++) console.log("@trellis " + JSON.stringify({ step: i * 2, loss: 1 / (i + 1) }))';
    const r = runCli(['run', '--tensorboard', '--', process.execPath, '-e', program], { cwd });
    expect(r.code).toBe(0);
    const [dir] = runDirs(join(cwd, 'outputs'));
    const { events } = readEventFile(eventFilesIn(join(dir!, 'tb'))[0]!);
    expect(scalars(events)).toEqual([
      ['loss', 0, 1],
      ['loss', 2, 0.5],
      ['loss', 4, Math.fround(1 / 3)],
    ]);
    expect(session(events)[1]!.end!.status).toBe('success');
  });

  it('--tensorboard reaches every job of a sweep', () => {
    const cwd = customApp(JOB, { 'conf/config.yaml': CONFIG });
    expect(runNode('app.mjs', ['--tensorboard', '-m', 'lr=0.1,0.2'], cwd).code).toBe(0);
    const dirs = runDirs(join(cwd, 'multirun'));
    expect(dirs).toHaveLength(2);
    expect(dirs.map((d) => session(readEventFile(eventFilesIn(join(d, 'tb'))[0]!).events)[0]!.start!.hparams.lr)).toEqual([0.1, 0.2]);
  });
});

describe('trellis export tensorboard', () => {
  it('exports every run once, then only what is new', () => {
    const cwd = customApp(JOB, { 'conf/config.yaml': CONFIG });
    expect(runNode('app.mjs', ['-m', 'lr=0.1,0.2'], cwd).code).toBe(0);
    // Records changed in the last 2 s are read again every time (open-store.ts); these are older.
    ageTree(join(cwd, 'multirun'));
    const first = runCli(['export', 'tensorboard', '--to', 'tb', '--format', 'json'], { cwd });
    expect(first.code).toBe(0);
    const report = JSON.parse(first.stdout) as { to: string; scalars: number; runs: { folder: string; action: string; dir: string }[] };
    expect(report.to).toBe('tb');
    expect(report.scalars).toBe(2 * LOGGED.length);
    const sweep = /^multirun\/\d{4}-\d{2}-\d{2}\/\d{2}-\d{2}-\d{2}$/;
    expect(report.runs.map((r) => [r.folder.replace(/\/[^/]+$/, ''), r.folder.replace(/^.*\//, ''), r.action])).toEqual([
      [expect.stringMatching(sweep), '0 lr=0.1', 'written'],
      [expect.stringMatching(sweep), '1 lr=0.2', 'written'],
    ]);
    const folder = join(cwd, 'tb', report.runs[0]!.folder);
    const { events } = readEventFile(eventFilesIn(folder)[0]!);
    expect(scalars(events)).toEqual(LOGGED);
    const [start, end] = session(events);
    expect(start!.start!.hparams.lr).toBe(0.1);
    expect(end!.end!.status).toBe('success');

    expect(runNode('app.mjs', ['lr=0.3'], cwd).code).toBe(0);
    const second = runCli(['export', 'tensorboard', '--to', 'tb'], { cwd });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/^exported 3 runs to tb\/: 1 written, 2 unchanged; 7 scalars\nview with: tensorboard --logdir tb\n$/);
    const eventFiles = readdirSync(join(cwd, 'tb'), { recursive: true }).filter((p) => String(p).includes('tfevents'));
    expect(eventFiles).toHaveLength(3);
    expect(JSON.parse(readFileSync(join(cwd, 'tb', '.trellis-export.json'), 'utf8')).format_version).toBe(1);
  });

  it('takes roots and a query as runs list does', () => {
    const cwd = customApp(JOB, { 'conf/config.yaml': CONFIG });
    expect(runNode('app.mjs', ['-m', 'lr=0.1,0.2'], cwd).code).toBe(0);
    const r = runCli(['export', 'tensorboard', 'multirun', 'lr > 0.15', '--to', 'tb', '--format', 'json'], { cwd });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { runs: { folder: string }[] }).runs.map((x) => x.folder.replace(/^.*\//, ''))).toEqual(['1 lr=0.2']);
  });

  // Usage errors exit 2, as every command's do; other errors 1.
  it.each([
    {
      name: 'a misspelt target',
      args: ['export', 'tensorbord', '--to', 'tb'],
      code: 2,
      message: "Unknown export target 'tensorbord'",
      hint: "did you mean 'tensorboard'?",
    },
    { name: 'no target', args: ['export'], code: 2, message: 'trellis export needs a target: tensorboard or mlflow', hint: 'targets: tensorboard, mlflow' },
    { name: 'no --to', args: ['export', 'tensorboard'], code: 2, message: 'trellis export tensorboard needs --to DIR', hint: 'tensorboard --logdir tb' },
    { name: 'a bad query', args: ['export', 'tensorboard', 'lr >', '--to', 'tb'], code: 1, message: 'QUERY_SYNTAX', hint: '' },
  ])('$name is a clear error', ({ args, code, message, hint }) => {
    const r = runCli(args, { cwd: customApp(JOB, { 'conf/config.yaml': CONFIG }) });
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain(hint);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it('answers --help', () => {
    const r = runCli(['export', '--help'], { cwd: customApp(JOB, {}) });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('trellis export tensorboard [ROOT…] [QUERY] --to DIR');
  });
});
