import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureProgramEnv } from '../../../src/run/program-env.js';
import { makeVenv, setDistribution, shProgram } from '../../helpers/python-env.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { waitFor } from '../../helpers/wait.js';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const realPython = () => execFileSync('python3', ['-c', 'import platform, sys; print(platform.python_version(), sys.executable)'], { encoding: 'utf8' });
/** An env whose PATH starts with `dir`. */
const withPath = (dir: string, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv => ({ ...base, PATH: `${dir}${delimiter}${base.PATH ?? ''}` });
/** A script that leaves `marker` behind if it is ever run. */
const tripwire = (marker: string) => `touch '${marker}'`;

/** What a fake python3 prints: the probe's JSON, fixed. */
const FAKE_PROBE = JSON.stringify({
  version: '3.99.0',
  implementation: 'cpython',
  executable: '/opt/fake/bin/python3',
  prefix: '/opt/fake',
  base_prefix: '/opt/fake',
  venv: null,
  virtual_env: null,
  conda_prefix: null,
  distributions: { numpy: '9.9.9' },
  paths: [],
});

describe('captureProgramEnv: python', () => {
  it('records the interpreter, its version and every distribution through one python -c', async () => {
    const cwd = tmpDir();
    const env = await captureProgramEnv(['python3', '-c', 'pass'], { cwd, env: process.env });
    const [version, executable] = realPython().trim().split(' ');
    expect(env).toMatchObject({ format: 1, program: 'python3', kind: 'python', version, script: null, module: null, node: null, errors: [] });
    expect(env.path).toBe(realpathSync(execFileSync('sh', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim()));
    expect(env.python).toMatchObject({ implementation: 'cpython', executable });
    expect(Object.keys(env.python?.distributions ?? {}).length).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(env))).toEqual(env);
  });

  it.each([
    { name: 'a script argument', args: ['train.py', '--lr', '0.1'], script: 'train.py', module: null },
    { name: 'options before the script', args: ['-u', '-W', 'ignore', '-X', 'dev', 'sub/train.py'], script: 'sub/train.py', module: null },
    { name: 'a module', args: ['-m', 'pkg.train', '--epochs', '3'], script: null, module: 'pkg.train' },
    { name: 'inline code names no script', args: ['-c', 'print(1)', 'train.py'], script: null, module: null },
  ])('python3 with $name', async ({ args, script, module }) => {
    const cwd = tmpDir({ 'train.py': tripwire('ran'), 'sub/train.py': tripwire('ran') });
    const env = await captureProgramEnv(['python3', ...args], { cwd, env: process.env });
    expect(env.kind).toBe('python');
    expect(env.module).toBe(module);
    expect(env.script).toEqual(script ? { path: script, sha256: sha256(join(cwd, script)) } : null);
    expect(existsSync(join(cwd, 'ran'))).toBe(false);
  });

  it('treats a #!/usr/bin/env python3 script as a python job, without running it', async () => {
    const cwd = tmpDir();
    const script = join(cwd, 'train.py');
    writeFileSync(script, `#!/usr/bin/env python3\nopen(${JSON.stringify(join(cwd, 'ran'))}, 'w')\n`);
    chmodSync(script, 0o755);
    const env = await captureProgramEnv(['./train.py', '--lr', '0.1'], { cwd, env: process.env });
    expect(env).toMatchObject({ program: './train.py', path: realpathSync(script), kind: 'python', errors: [] });
    expect(env.version).toBe(realPython().split(' ')[0]);
    expect(env.script).toEqual({ path: 'train.py', sha256: sha256(script) });
    expect(env.interpreter).toEqual({ name: 'python3', path: expect.stringMatching(/python3/), args: [] });
    expect(existsSync(join(cwd, 'ran'))).toBe(false);
  });

  it('records the venv, and the distributions installed in it', async () => {
    const root = tmpDir();
    const venv = makeVenv(join(root, 'venv'), { fakepkg: '1.0', 'Other_Pkg.Name': '0.3' });
    const env = await captureProgramEnv(['python', 'train.py'], { cwd: root, env: venv.env() });
    expect(env.python).toMatchObject({ venv: venv.dir, virtual_env: venv.dir, prefix: venv.dir });
    expect(env.python?.base_prefix).not.toBe(venv.dir);
    // Names normalised as PEP 503 says.
    expect(env.python?.distributions).toEqual({ fakepkg: '1.0', 'other-pkg-name': '0.3' });
    expect(env.script).toBeNull();
  });

  it('records a timeout as an error and returns within the bound', async () => {
    const root = tmpDir();
    const pidFile = join(root, 'sleeper.pid');
    // The sleep is a grandchild: it must be killed with the fake interpreter, or it holds the pipes open.
    shProgram(join(root, 'bin'), 'python3', `sleep 30 & echo $! > '${pidFile}'; wait`);
    const started = Date.now();
    const env = await captureProgramEnv(['python3', 'train.py'], { cwd: root, env: withPath(join(root, 'bin')), timeoutMs: 300 });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(env.errors).toEqual(['python -c timed out after 0.3 s']);
    expect(env).toMatchObject({ kind: 'python', version: null, python: null, path: join(root, 'bin', 'python3') });
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await waitFor(() => !running(pid), 'the sleeping grandchild to be killed', 5000);
  });

  it('asks each interpreter once per process, and again when its env differs', async () => {
    const root = tmpDir();
    const counter = join(root, 'calls');
    shProgram(join(root, 'bin'), 'python3', `echo call >> '${counter}'\necho '${FAKE_PROBE}'`);
    const options = { cwd: root, env: withPath(join(root, 'bin')) };
    const calls = () => readFileSync(counter, 'utf8').split('\n').filter(Boolean).length;
    const [first, second] = await Promise.all([captureProgramEnv(['python3', '-c', '1'], options), captureProgramEnv(['python3', '-c', '2'], options)]);
    const third = await captureProgramEnv(['python3', '-c', '3'], options);
    expect(calls()).toBe(1);
    for (const env of [first, second, third]) expect(env).toMatchObject({ version: '3.99.0', python: { distributions: { numpy: '9.9.9' } }, errors: [] });
    await captureProgramEnv(['python3', '-c', '4'], { ...options, env: { ...options.env, VIRTUAL_ENV: join(root, 'venv') } });
    expect(calls()).toBe(2);
  });

  it('asks again once a distribution was installed since', async () => {
    const root = tmpDir();
    const venv = makeVenv(join(root, 'venv'), { fakepkg: '1.0' });
    const options = { cwd: root, env: venv.env() };
    expect((await captureProgramEnv(['python', '-c', '1'], options)).python?.distributions).toEqual({ fakepkg: '1.0' });
    setDistribution(venv, 'fakepkg', '2.0');
    expect((await captureProgramEnv(['python', '-c', '1'], options)).python?.distributions).toEqual({ fakepkg: '2.0' });
  });

  it('records why a python -c that fails gave nothing', async () => {
    const root = tmpDir();
    shProgram(join(root, 'bin'), 'python3', `echo 'SyntaxError: bad' >&2; exit 3`);
    const env = await captureProgramEnv(['python3'], { cwd: root, env: withPath(join(root, 'bin')) });
    expect(env.errors).toEqual(['python -c exited with code 3: SyntaxError: bad']);
  });
});

describe('captureProgramEnv: node', () => {
  it('records node, the script, and the packages of its project', async () => {
    const cwd = tmpDir({
      'package.json': JSON.stringify({ name: 'job', version: '2.0.0', dependencies: { zod: '^4.0.0' } }),
      'package-lock.json': JSON.stringify({ lockfileVersion: 3, packages: { 'node_modules/zod': { version: '4.1.0' } } }),
      'node_modules/zod/package.json': JSON.stringify({ name: 'zod', version: '4.1.0' }),
      'job.mjs': tripwire('ran'),
    });
    const env = await captureProgramEnv(['node', '--import', 'tsx', 'job.mjs', '--epochs=3'], { cwd, env: process.env });
    expect(env).toMatchObject({ kind: 'node', version: process.version, script: { path: 'job.mjs', sha256: sha256(join(cwd, 'job.mjs')) }, errors: [] });
    expect(env.node?.packages.project).toEqual({ dir: cwd, name: 'job', version: '2.0.0' });
    expect(env.node?.packages.dependencies).toEqual({ zod: { spec: '^4.0.0', installed: '4.1.0', locked: '4.1.0' } });
  });
});

describe('captureProgramEnv: other programs', () => {
  it('records the --version line of a binary', async () => {
    const env = await captureProgramEnv(['ls', '-l'], { cwd: tmpDir(), env: process.env });
    const line = execFileSync('ls', ['--version'], { encoding: 'utf8' }).split('\n')[0];
    expect(env).toMatchObject({ kind: 'other', version: line, script: null, interpreter: null, errors: [] });
    expect(env.path).toBe(realpathSync(execFileSync('sh', ['-c', 'command -v ls'], { encoding: 'utf8' }).trim()));
  });

  it('records bash and its script argument', async () => {
    const cwd = tmpDir({ 'run.sh': tripwire('ran') });
    const env = await captureProgramEnv(['bash', '-eu', '-o', 'pipefail', 'run.sh', 'arg'], { cwd, env: process.env });
    expect(env).toMatchObject({ kind: 'other', script: { path: 'run.sh', sha256: sha256(join(cwd, 'run.sh')) }, errors: [] });
    expect(env.version).toMatch(/^GNU bash, version /);
    expect(existsSync(join(cwd, 'ran'))).toBe(false);
  });

  it.each([
    {
      name: 'a #! script',
      text: (marker: string) => `#!/bin/sh\n${tripwire(marker)}\n`,
      interpreter: { name: '/bin/sh', path: realpathSync('/bin/sh'), args: [] },
    },
    { name: 'an executable without #!', text: (marker: string) => `${tripwire(marker)}\n`, interpreter: null },
  ])('never runs $name with --version', async ({ text, interpreter }) => {
    const cwd = tmpDir();
    const marker = join(cwd, 'ran');
    const script = join(cwd, 'job.sh');
    writeFileSync(script, text(marker));
    chmodSync(script, 0o755);
    const env = await captureProgramEnv([script, '--version'], { cwd, env: process.env });
    expect(existsSync(marker)).toBe(false);
    expect(env).toMatchObject({ kind: 'other', path: realpathSync(script), interpreter });
    expect(env.script).toEqual(interpreter ? { path: 'job.sh', sha256: sha256(script) } : null);
  });

  it('records a program that is not found, without throwing', async () => {
    const env = await captureProgramEnv(['no-such-program-xyz'], { cwd: tmpDir(), env: { PATH: '' } });
    expect(env).toMatchObject({ path: null, kind: 'other', errors: ['no-such-program-xyz not found on PATH'] });
    const missing = await captureProgramEnv(['./missing.py'], { cwd: tmpDir(), env: process.env });
    expect(missing.errors).toEqual(['./missing.py not found']);
  });

  it('removes secret values from everything it records', async () => {
    const cwd = tmpDir({ 'hunter2-job.sh': 'echo hi' });
    const env = await captureProgramEnv(['bash', 'hunter2-job.sh'], { cwd, env: { ...process.env, MY_API_TOKEN: 'hunter2-job' }, secretValues: ['/bin'] });
    expect(env.script?.path).toBe('***.sh');
    expect(JSON.stringify(env)).not.toContain('/bin');
  });
});

/** Alive and not a zombie waiting for a parent that is gone. */
function running(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true;
  }
}
