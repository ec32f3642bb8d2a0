import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scalarOf, type TbEvent } from '../../../../src/bridges/tensorboard/event.js';
import { EXPORT_INDEX, exportRuns, runEventFile } from '../../../../src/bridges/tensorboard/export-runs.js';
import { runFolderName } from '../../../../src/bridges/tensorboard/folder-name.js';
import { configHParams, readSessionData } from '../../../../src/bridges/tensorboard/hparams.js';
import { decodeEventFile, eventFilesIn, readEventFile } from '../../../../src/bridges/tensorboard/read-events.js';
import { openStore } from '../../../../src/store/open-store.js';
import { tmpDir } from '../../../helpers/tmp-dir.js';
import { ageTree, writeRun } from '../../store/synthetic-runs.js';

describe('runFolderName', () => {
  it.each([
    { name: 'single run', dir: '/p/outputs/2026-11-23/10-15-02', root: '/p/outputs', overrides: [], expected: 'outputs/2026-11-23/10-15-02' },
    {
      name: 'sweep job: overrides sorted after the job number',
      dir: '/p/multirun/2026-11-23/10-20-00/3',
      root: '/p/multirun',
      overrides: ['seed=2', 'optimizer=adam'],
      expected: 'multirun/2026-11-23/10-20-00/3 optimizer=adam,seed=2',
    },
    {
      name: "trellis's own settings are left out",
      dir: '/p/outputs/a',
      root: '/p/outputs',
      overrides: ['++trellis.tensorboard=true', 'hydra.job.chdir=true', 'lr=0.1'],
      expected: 'outputs/a lr=0.1',
    },
    { name: 'a slash in a value makes no folder', dir: '/p/outputs/a', root: '/p/outputs', overrides: ['data=/x/y'], expected: 'outputs/a data=_x_y' },
    { name: 'the root itself is the run', dir: '/p/outputs/r1', root: '/p/outputs/r1', overrides: [], expected: 'r1' },
    {
      name: 'long overrides are cut at 120 characters',
      dir: '/p/outputs/a',
      root: '/p/outputs',
      overrides: [`k=${'v'.repeat(200)}`],
      expected: `outputs/a k=${'v'.repeat(120 - 'a k='.length - 1)}…`,
    },
  ])('$name', ({ dir, root, overrides, expected }) => {
    expect(runFolderName({ id: 'id1', dir, root, overrides })).toBe(expected);
  });
});

describe('configHParams', () => {
  it('dots nested keys, keeps numbers, strings and booleans, writes lists as JSON, drops nulls', () => {
    expect({ ...configHParams({ optimizer: { name: 'adam', lr: 0.01 }, layers: [64, 32], debug: false, tag: null, deep: { a: { b: 1 } } }) }).toEqual({
      'optimizer.name': 'adam',
      'optimizer.lr': 0.01,
      layers: '[64,32]',
      debug: false,
      'deep.a.b': 1,
    });
  });

  it('a __proto__ key stays a plain key', () => {
    const config = JSON.parse('{"__proto__": {"polluted": 1}, "a": 1}') as unknown;
    const h = configHParams(config);
    expect(h['__proto__.polluted']).toBe(1);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

/** The scalars of events as [tag, step, wall time, value] rows, in order. */
const scalarRows = (events: TbEvent[]) =>
  events.flatMap((e) => (e.summary ?? []).filter((v) => !v.plugin).map((v) => [v.tag, e.step, e.wallTime, scalarOf(v)] as const));

describe('runEventFile', () => {
  const rows = [
    { step: 0, time: 100.5, loss: 2, acc: 0.5, phase: 'train' },
    { step: 1, loss: 1 }, // no time: the previous row's
    { step: 5, time: 103, loss: 0.25 },
  ];
  it.each([
    { name: 'completed', status: 'completed' as const, end: 110, expectedEnd: { status: 'success', endTimeSecs: 110 } },
    { name: 'failed', status: 'failed' as const, end: 111, expectedEnd: { status: 'failure', endTimeSecs: 111 } },
    { name: 'crashed: ends at its last row', status: 'crashed' as const, end: Number.NaN, expectedEnd: { status: 'failure', endTimeSecs: 103 } },
    { name: 'running: no end yet', status: 'running' as const, end: Number.NaN, expectedEnd: undefined },
  ])('$name', ({ status, end, expectedEnd }) => {
    const { bytes, scalars } = runEventFile({ config: { lr: 0.1, opt: { name: 'sgd' } }, start: 100, end, status }, rows);
    expect(scalars).toBe(4);
    const { events } = decodeEventFile(bytes);
    expect(events[0]).toEqual({ wallTime: 100, step: 0, fileVersion: 'brain.Event:2' });
    expect(scalarRows(events)).toEqual([
      ['loss', 0, 100.5, 2],
      ['acc', 0, 100.5, 0.5],
      ['loss', 1, 100.5, 1],
      ['loss', 5, 103, 0.25],
    ]);
    const plugin = events.flatMap((e) => e.summary ?? []).filter((v) => v.plugin);
    expect({ ...readSessionData(plugin[0]!.plugin!.content).start!.hparams }).toEqual({ lr: 0.1, 'opt.name': 'sgd' });
    expect(plugin[1] ? readSessionData(plugin[1].plugin!.content).end : undefined).toEqual(expectedEnd);
  });
});

/** Two finished runs under outputs/ and a sweep job under multirun/, records aged so the store trusts them. */
function project() {
  const cwd = tmpDir();
  const a = writeRun(join(cwd, 'outputs/2026-11-20/10-00-00'), {
    id: '20261120-100000-aaaaaa',
    resolved: { lr: 0.1 },
    metricsJsonl: '{"step":0,"time":1795168800,"loss":1}\n{"step":1,"time":1795168801,"loss":0.5}\n',
  });
  const b = writeRun(join(cwd, 'multirun/2026-11-20/11-00-00/0'), {
    id: '20261120-110000-bbbbbb',
    overrides: ['lr=0.2'],
    resolved: { lr: 0.2 },
    sweep: { dir: 'multirun/2026-11-20/11-00-00', num: 0 },
    metricsJsonl: '{"step":0,"time":1795172400,"loss":3}\n',
  });
  ageTree(cwd);
  return { cwd, a, b, to: join(cwd, 'tb') };
}

const folders = (to: string) =>
  readdirSync(to, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.includes('tfevents'))
    .map((e) => join(e.parentPath, e.name).slice(to.length + 1))
    .sort();

describe('exportRuns', () => {
  it('writes one folder per run and rewrites only what changed', () => {
    const { cwd, a, to } = project();
    const store = () => openStore([], { cwd, index: false });
    const first = exportRuns(store().runs, to);
    // In the store's order: outputs/ before multirun/.
    expect(first.runs.map((r) => [r.folder, r.action, r.scalars])).toEqual([
      ['outputs/2026-11-20/10-00-00', 'written', 2],
      ['multirun/2026-11-20/11-00-00/0 lr=0.2', 'written', 1],
    ]);
    const files = folders(to);
    // The file is named after the run's start (2026-11-20T10:00:00Z = 1795168800 s).
    expect(files).toEqual([
      'multirun/2026-11-20/11-00-00/0 lr=0.2/events.out.tfevents.1795168800.trellis',
      'outputs/2026-11-20/10-00-00/events.out.tfevents.1795168800.trellis',
    ]);
    expect(scalarRows(readEventFile(join(to, files[1]!)).events)).toEqual([
      ['loss', 0, 1795168800, 1],
      ['loss', 1, 1795168801, 0.5],
    ]);

    const again = exportRuns(store().runs, to);
    expect(again.runs.map((r) => r.action)).toEqual(['unchanged', 'unchanged']);

    appendFileSync(join(a, '.trellis/metrics.jsonl'), '{"step":2,"time":1795168802,"loss":0.25}\n');
    const third = exportRuns(store().runs, to);
    expect(third.runs.map((r) => [r.folder, r.action])).toEqual([
      ['outputs/2026-11-20/10-00-00', 'written'],
      ['multirun/2026-11-20/11-00-00/0 lr=0.2', 'unchanged'],
    ]);
    expect(folders(to)).toEqual(files);
    expect(scalarRows(readEventFile(join(to, files[1]!)).events).map((r) => r[3])).toEqual([1, 0.5, 0.25]);
  });

  it('a run moved to another root keeps its folder', () => {
    const { cwd, to } = project();
    exportRuns(openStore(['outputs'], { cwd, index: false }).runs, to);
    // The same run found through a root that names it differently.
    const report = exportRuns(openStore(['outputs/2026-11-20'], { cwd, index: false }).runs, to);
    expect(report.runs.map((r) => r.folder)).toEqual(['outputs/2026-11-20/10-00-00']);
    expect(folders(to)).toEqual(['outputs/2026-11-20/10-00-00/events.out.tfevents.1795168800.trellis']);
  });

  it('two runs that would share a folder get the id after the second', () => {
    const cwd = tmpDir();
    writeRun(join(cwd, 'x/outputs/r'), { id: 'id-x', metricsJsonl: '' });
    writeRun(join(cwd, 'y/outputs/r'), { id: 'id-y', metricsJsonl: '' });
    const report = exportRuns(openStore(['x/outputs', 'y/outputs'], { cwd, index: false }).runs, join(cwd, 'tb'));
    expect(report.runs.map((r) => r.folder)).toEqual(['outputs/r', 'outputs/r id-y']);
  });

  it('an index entry pointing outside the export is ignored', () => {
    const { cwd, to } = project();
    const outside = join(cwd, 'outside');
    writeFileSync(join(cwd, 'marker'), '');
    exportRuns([], to);
    writeFileSync(
      join(to, EXPORT_INDEX),
      JSON.stringify({ runs: { '20261120-100000-aaaaaa': { folder: '../outside', file: 'events.out.tfevents.1.trellis', stamp: null } } }),
    );
    const report = exportRuns(openStore(['outputs'], { cwd, index: false }).runs, to);
    expect(report.runs.map((r) => r.folder)).toEqual(['outputs/2026-11-20/10-00-00']);
    expect(existsSync(outside)).toBe(false);
    expect(eventFilesIn(join(to, 'outputs/2026-11-20/10-00-00'))).toHaveLength(1);
    expect(JSON.parse(readFileSync(join(to, EXPORT_INDEX), 'utf8')).runs['20261120-100000-aaaaaa'].folder).toBe('outputs/2026-11-20/10-00-00');
  });
});
