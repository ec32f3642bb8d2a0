import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureProgramEnv, type ProgramEnv } from '../../../src/run/program-env.js';
import { diffRuns } from '../../../src/store/diff-runs.js';
import { findRun, readRecords } from '../../../src/store/find-run.js';
import { openStore } from '../../../src/store/open-store.js';
import { detectDrift } from '../../../src/store/rerun.js';
import { makeVenv, setDistribution } from '../../helpers/python-env.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { ageTree, writeRun, type SyntheticRun } from './synthetic-runs.js';

const COMMAND = ['python', 'train.py', '--lr', '0.1'];

/** A command job's run directory, with the program env captured for real. */
async function commandRun(root: string, name: string, env: NodeJS.ProcessEnv, extra: Partial<SyntheticRun> = {}) {
  const program = await captureProgramEnv(COMMAND, { cwd: root, env });
  const dir = writeRun(join(root, 'outputs', name), { id: name, cwd: root, command: { args: COMMAND, template: COMMAND }, program, ...extra });
  return findRun(dir, { cwd: root });
}

describe('program.json in the run store', () => {
  it('is read with the run, and its absence (a Node-function run) is no problem', async () => {
    const root = tmpDir({ 'train.py': 'print(1)\n' });
    const venv = makeVenv(join(root, 'venv'), { fakepkg: '1.0' });
    const withProgram = readRecords(await commandRun(root, 'cmd', venv.env()));
    expect(withProgram.problems).toEqual([]);
    expect(withProgram.program).toMatchObject({ kind: 'python', python: { venv: venv.dir, distributions: { fakepkg: '1.0' } } });
    expect(withProgram.info.command).toEqual({ args: COMMAND, template: COMMAND });
    const plain = readRecords(findRun(writeRun(join(root, 'outputs', 'fn'), { id: 'fn' }), { cwd: root }));
    expect(plain.problems).toEqual([]);
    expect(plain.program).toBeNull();
    expect(plain.info.command).toBeNull();
  });

  it('keeps run.json’s command through the store index', () => {
    const root = tmpDir();
    writeRun(join(root, 'outputs', 'cmd'), { id: 'cmd', command: { args: COMMAND, timeout_s: 60 } });
    ageTree(root);
    const commands = () => {
      const store = openStore([], { cwd: root, index: true });
      store.flush();
      return store.runs.map((run) => run.info?.command);
    };
    expect(commands()).toEqual([{ args: COMMAND, timeout_s: 60 }]);
    // The second listing reads the index written by the first.
    expect(commands()).toEqual([{ args: COMMAND, timeout_s: 60 }]);
  });
});

describe('runs diff: command jobs', () => {
  it('reports two venvs that differ in one package under packages, and the venv under runtime', async () => {
    const root = tmpDir({ 'train.py': 'print(1)\n' });
    const a = makeVenv(join(root, 'venv-a'), { fakepkg: '1.0', common: '3.0' });
    const b = makeVenv(join(root, 'venv-b'), { fakepkg: '2.0', common: '3.0', newpkg: '0.1' });
    const d = diffRuns(await commandRun(root, 'a', a.env()), await commandRun(root, 'b', b.env()));
    expect(d.categories.packages).toEqual([
      { key: 'python:fakepkg', a: '1.0', b: '2.0' },
      { key: 'python:newpkg', b: '0.1' },
    ]);
    const runtime = Object.fromEntries(d.categories.runtime.map((e) => [e.key, [e.a, e.b]]));
    expect(runtime['program.venv']).toEqual([a.dir, b.dir]);
    expect(runtime['program.virtual_env']).toEqual([a.dir, b.dir]);
    expect(runtime['program.executable']).toEqual([join(a.bin, 'python'), join(b.bin, 'python')]);
    // Same interpreter behind both venvs, and the same script: nothing else of the program differs.
    expect(Object.keys(runtime).filter((k) => k.startsWith('program.'))).toEqual(['program.executable', 'program.venv', 'program.virtual_env']);
  });

  it('reports the interpreter version, the script hash and a Node job’s packages', () => {
    const root = tmpDir();
    const program = (version: string, sha256: string, zod: string): ProgramEnv => ({
      format: 1,
      program: 'node',
      path: '/usr/bin/node',
      kind: 'node',
      version,
      interpreter: null,
      script: { path: 'job.mjs', sha256 },
      module: null,
      python: null,
      node: {
        packages: {
          project: { dir: '/p', name: 'job', version: '1.0.0' },
          lockfile: null,
          dependencies: { zod: { spec: '^4', installed: zod } },
          devDependencies: {},
        },
      },
      errors: [],
    });
    const run = (id: string, p: ProgramEnv) => findRun(writeRun(join(root, id), { id, program: p }), { cwd: root });
    const d = diffRuns(run('a', program('v20.1.0', 'a'.repeat(64), '4.0.0')), run('b', program('v22.0.0', 'b'.repeat(64), '4.1.0')));
    expect(d.categories.packages).toEqual([{ key: 'node:dependencies.zod', a: '4.0.0', b: '4.1.0' }]);
    expect(d.categories.runtime).toEqual([
      { key: 'program.version', a: 'v20.1.0', b: 'v22.0.0' },
      { key: 'program.script.sha256', a: 'a'.repeat(64), b: 'b'.repeat(64) },
    ]);
  });
});

describe('rerun drift: command jobs', () => {
  it('captures the program env again and reports changed distributions and script', async () => {
    const root = tmpDir({ 'train.py': 'print(1)\n' });
    const venv = makeVenv(join(root, 'venv'), { fakepkg: '1.0', gone: '1.0' });
    const r = readRecords(await commandRun(root, 'a', venv.env()));
    setDistribution(venv, 'fakepkg', '2.0');
    setDistribution(venv, 'gone', null);
    appendFileSync(join(root, 'train.py'), 'print(2)\n');
    const { drifts } = await detectDrift(r, venv.env());
    // (env.json's synthetic Node project is gone from this directory: those keys drift too.)
    expect(drifts.filter((d) => d.key.startsWith('python:'))).toEqual([
      { category: 'packages', key: 'python:fakepkg', was: '1.0', now: '2.0' },
      { category: 'packages', key: 'python:gone', was: '1.0', now: null },
    ]);
    const sha = createHash('sha256')
      .update(readFileSync(join(root, 'train.py')))
      .digest('hex');
    expect(drifts.filter((d) => d.category === 'runtime')).toEqual([
      { category: 'runtime', key: 'program.script.sha256', was: r.program?.script?.sha256, now: sha },
    ]);
  });

  it('falls back to the program and script program.json recorded when run.json has no command', async () => {
    const root = tmpDir({ 'train.py': 'print(1)\n' });
    const venv = makeVenv(join(root, 'venv'), { fakepkg: '1.0' });
    const program = await captureProgramEnv(COMMAND, { cwd: root, env: venv.env() });
    const r = readRecords(findRun(writeRun(join(root, 'outputs', 'a'), { id: 'a', cwd: root, program }), { cwd: root }));
    // Another venv now comes first on PATH: its python and its packages are what a rerun gets.
    const other = makeVenv(join(root, 'venv-2'), { fakepkg: '1.5' });
    const { drifts } = await detectDrift(r, other.env());
    expect(drifts).toContainEqual({ category: 'packages', key: 'python:fakepkg', was: '1.0', now: '1.5' });
    expect(drifts).toContainEqual({ category: 'runtime', key: 'program.venv', was: venv.dir, now: other.dir });
    // The script was found again: the fallback command named it.
    expect(drifts.some((d) => d.key.startsWith('program.script'))).toBe(false);
  });
});
