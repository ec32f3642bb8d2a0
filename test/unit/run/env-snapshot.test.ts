import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ENV_ALLOW, captureEnvironment, parseNvidiaSmi, selectEnv, type EnvSnapshotOptions } from '../../../src/run/env-snapshot.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const json = (value: unknown) => JSON.stringify(value);

/** An env without PATH, so no real nvidia-smi is found, plus `vars`. */
function options(cwd: string, vars: NodeJS.ProcessEnv = {}, extra: Partial<EnvSnapshotOptions> = {}): EnvSnapshotOptions {
  return { env: { ...vars }, cwd, argv: ['node', 'train.js'], ...extra };
}

describe('captureEnvironment: runtime and machine', () => {
  it('records node, OS, CPU and memory as JSON-plain data', async () => {
    const snap = await captureEnvironment(options(tmpDir()));
    expect(snap.runtime).toEqual({
      node: process.versions.node,
      v8: process.versions.v8,
      typescript: null,
      platform: process.platform,
      arch: process.arch,
      execPath: process.execPath,
    });
    expect(snap.cpu.count).toBeGreaterThan(0);
    // In this repository the compiler is a dev dependency, and its installed version is recorded.
    const here = await captureEnvironment(options(process.cwd()));
    const installed = (JSON.parse(readFileSync('node_modules/typescript/package.json', 'utf8')) as { version: string }).version;
    expect(here.runtime.typescript).toBe(installed);
    expect(snap.memory.totalBytes).toBeGreaterThan(0);
    expect(snap.gpus).toEqual([]);
    expect(JSON.parse(json(snap))).toEqual(snap);
  });
});

describe('captureEnvironment: packages', () => {
  const manifest = json({ name: 'my-exp', version: '1.2.3', dependencies: { zod: '^4.0.0', yaml: '^2.0.0' }, devDependencies: { vitest: '^4.0.0' } });
  /** Per dependency: [installed (what node_modules holds), locked (what the lock file says)]. */
  type Versions = Record<'zod' | 'yaml' | 'vitest', [string | null, string | null]>;
  type Row = { name: string; files: Record<string, string>; project?: string; usesLock: boolean; expected: Versions };
  const module = (name: string, version: string) => json({ name, version });
  it.each<Row>([
    {
      name: 'a lockfile v3 without node_modules: locked versions, nothing installed',
      files: {
        'package.json': manifest,
        'package-lock.json': json({
          lockfileVersion: 3,
          packages: { 'node_modules/zod': { version: '4.1.0' }, 'node_modules/yaml': { version: '2.8.1' }, 'node_modules/vitest': { version: '4.0.5' } },
        }),
      },
      usesLock: true,
      expected: { zod: [null, '4.1.0'], yaml: [null, '2.8.1'], vitest: [null, '4.0.5'] },
    },
    {
      name: 'a lockfile v1',
      files: {
        'package.json': manifest,
        'package-lock.json': json({ lockfileVersion: 1, dependencies: { zod: { version: '4.0.1' }, yaml: { version: '2.0.0' } } }),
        'node_modules/zod/package.json': module('zod', '4.0.1'),
      },
      usesLock: true,
      expected: { zod: ['4.0.1', '4.0.1'], yaml: [null, '2.0.0'], vitest: [null, null] },
    },
    {
      name: 'node_modules not reinstalled after the lock file changed: both versions',
      files: {
        'package.json': manifest,
        'package-lock.json': json({ lockfileVersion: 3, packages: { 'node_modules/zod': { version: '4.1.0' } } }),
        'node_modules/zod/package.json': module('zod', '4.0.0'),
        'node_modules/yaml/package.json': module('yaml', '2.9.9'),
      },
      usesLock: true,
      expected: { zod: ['4.0.0', '4.1.0'], yaml: ['2.9.9', null], vitest: [null, null] },
    },
    {
      name: 'no lock file and nothing installed',
      files: { 'package.json': manifest },
      usesLock: false,
      expected: { zod: [null, null], yaml: [null, null], vitest: [null, null] },
    },
    {
      name: 'a workspace package with the lock file at the root',
      files: {
        'package.json': json({ name: 'root', workspaces: ['pkgs/*'] }),
        'package-lock.json': json({
          lockfileVersion: 3,
          packages: {
            'pkgs/exp': { name: 'my-exp' },
            'pkgs/exp/node_modules/zod': { version: '3.9.0' },
            'node_modules/yaml': { version: '2.1.0' },
            'node_modules/vitest': { version: '4.0.0' },
          },
        }),
        'pkgs/exp/package.json': manifest,
        'pkgs/exp/node_modules/zod/package.json': module('zod', '3.9.0'),
        // Hoisted to the root, where Node finds it from the member.
        'node_modules/yaml/package.json': module('yaml', '2.1.0'),
      },
      project: 'pkgs/exp',
      usesLock: true,
      expected: { zod: ['3.9.0', '3.9.0'], yaml: ['2.1.0', '2.1.0'], vitest: [null, '4.0.0'] },
    },
    {
      name: 'the lock file of an unrelated parent project is ignored',
      files: {
        'package.json': json({ name: 'outer' }),
        'package-lock.json': json({ lockfileVersion: 3, packages: { 'node_modules/zod': { version: '1.0.0' } } }),
        'inner/package.json': manifest,
        'inner/node_modules/zod/package.json': module('zod', '4.2.0'),
      },
      project: 'inner',
      usesLock: false,
      expected: { zod: ['4.2.0', null], yaml: [null, null], vitest: [null, null] },
    },
  ])('$name, found upward from a subdirectory', async ({ files, expected, usesLock, project: projectDir = '' }) => {
    const root = tmpDir(files);
    const project = join(root, projectDir);
    const cwd = join(project, 'src', 'deep');
    mkdirSync(cwd, { recursive: true });
    const snap = await captureEnvironment(options(cwd));
    expect(snap.packages.project).toEqual({ dir: project, name: 'my-exp', version: '1.2.3' });
    expect(snap.packages.lockfile).toBe(usesLock ? join(root, 'package-lock.json') : null);
    const lockText = files['package-lock.json'];
    expect(snap.packages.lockfileSha256).toBe(usesLock && lockText ? createHash('sha256').update(lockText).digest('hex') : null);
    const dep = (spec: string, [installed, locked]: [string | null, string | null]) => ({ spec, installed, locked });
    expect(snap.packages.dependencies).toEqual({ zod: dep('^4.0.0', expected.zod), yaml: dep('^2.0.0', expected.yaml) });
    expect(snap.packages.devDependencies).toEqual({ vitest: dep('^4.0.0', expected.vitest) });
  });
});

describe('selectEnv', () => {
  it.each([
    {
      name: 'the default allow-list',
      env: { CUDA_VISIBLE_DEVICES: '0,1', SLURM_JOB_ID: '77', TRELLIS_MODE: 'x', HOME: '/home/u', RANDOM_THING: 'y', USER: 'ann' },
      include: [],
      expected: { CUDA_VISIBLE_DEVICES: '0,1', SLURM_JOB_ID: '77', TRELLIS_MODE: 'x', USER: 'ann' },
    },
    {
      name: "trellis's hand-offs between its own processes are left out",
      env: { TRELLIS_REPRODUCES: 'outputs/x', TRELLIS_MASTER_SEED: '7', TRELLIS_SWEEP_DIR: '/s', TRELLIS_RUN_DIR: '/r', TRELLIS_JOB_THREAD: 'off' },
      include: [],
      expected: { TRELLIS_JOB_THREAD: 'off' },
    },
    {
      name: 'extra names and globs',
      env: { WANDB_PROJECT: 'p', WANDB_ENTITY: 'e', MY_FLAG: '1', OTHER: '2' },
      include: ['WANDB_*', 'MY_FLAG'],
      expected: { MY_FLAG: '1', WANDB_ENTITY: 'e', WANDB_PROJECT: 'p' },
    },
    {
      name: 'secret-looking names are kept with *** as value',
      env: { WANDB_API_KEY: 'abcdef1234567890', TRELLIS_TOKEN: 'tok', SLURM_JOB_NAME: 'n' },
      include: ['WANDB_*'],
      expected: { SLURM_JOB_NAME: 'n', TRELLIS_TOKEN: '***', WANDB_API_KEY: '***' },
    },
  ])('$name', ({ env, include, expected }) => {
    const selected = selectEnv(env, [...DEFAULT_ENV_ALLOW, ...include]);
    expect(selected).toEqual(expected);
    expect(Object.keys(selected)).toEqual(Object.keys(expected).sort());
  });
});

describe('captureEnvironment: redaction', () => {
  it('removes secret values from every nested field, whether given or found in secret-named vars', async () => {
    const dir = tmpDir({ 'package.json': json({ name: 'p', version: '1.0.0' }) });
    const snap = await captureEnvironment(
      options(
        dir,
        {
          HF_TOKEN: 'hf_live_0123456789', // not recorded itself, but its value is a known secret
          TRELLIS_NOTE: 'uses hf_live_0123456789 and pw-given-secret',
          SLURM_SUBMIT_HOST: 'https://bob:hunter2pass@example.org/x',
        },
        {
          argv: ['node', 'train.js', 'token=hf_live_0123456789', 'db.url=postgres://u:p4ss@db/x', 'pw=pw-given-secret'],
          secretValues: ['pw-given-secret'],
        },
      ),
    );
    expect(snap.env).toEqual({ SLURM_SUBMIT_HOST: 'https://***@example.org/x', TRELLIS_NOTE: 'uses *** and ***' });
    expect(snap.invocation.argv).toEqual(['node', 'train.js', 'token=***', 'db.url=postgres://***@db/x', 'pw=***']);
    const text = json(snap);
    for (const secret of ['hf_live_0123456789', 'pw-given-secret', 'hunter2pass', 'p4ss']) expect(text).not.toContain(secret);
  });

  it('keeps the snapshot valid JSON when a secret equals a JSON token or needs escaping', async () => {
    const snap = await captureEnvironment(options(tmpDir(), { TRELLIS_A: 'say "q\\uote"' }, { secretValues: ['true', '"q\\uote"', 'null'] }));
    expect(snap.env.TRELLIS_A).toBe('say ***');
    expect(JSON.parse(json(snap))).toEqual(snap);
  });
});

describe.skipIf(process.platform === 'win32')('captureEnvironment: GPUs via nvidia-smi on PATH', () => {
  it.each([
    {
      name: 'two GPUs',
      script: 'echo "NVIDIA A100-SXM4-40GB, 40960 MiB, 535.104.05"\necho "NVIDIA A100-SXM4-40GB, 40960 MiB, 535.104.05"',
      expected: [
        { name: 'NVIDIA A100-SXM4-40GB', memoryTotal: '40960 MiB', driverVersion: '535.104.05' },
        { name: 'NVIDIA A100-SXM4-40GB', memoryTotal: '40960 MiB', driverVersion: '535.104.05' },
      ],
    },
    { name: 'a failing nvidia-smi', script: 'echo "NVIDIA-SMI has failed" >&2\nexit 9', expected: [] },
    { name: 'a hanging nvidia-smi (timeout)', script: 'exec sleep 30', expected: [] },
  ])('$name', async ({ script, expected }) => {
    const bin = tmpDir({ 'nvidia-smi': `#!/bin/sh\n${script}\n` });
    chmodSync(join(bin, 'nvidia-smi'), 0o755);
    const snap = await captureEnvironment(options(tmpDir(), { PATH: bin }, { gpuTimeoutMs: 300 }));
    expect(snap.gpus).toEqual(expected);
  });

  it('does not run a non-executable nvidia-smi', async () => {
    const bin = tmpDir({ 'nvidia-smi': '#!/bin/sh\necho "X, 1 MiB, 1"\n' });
    const snap = await captureEnvironment(options(tmpDir(), { PATH: bin }));
    expect(snap.gpus).toEqual([]);
  });
});

describe('parseNvidiaSmi', () => {
  it.each([
    { name: 'one line', text: 'Tesla T4, 15360 MiB, 470.82.01\n', expected: [{ name: 'Tesla T4', memoryTotal: '15360 MiB', driverVersion: '470.82.01' }] },
    { name: 'CRLF and blank lines', text: 'A, 1 MiB, 1\r\n\r\n', expected: [{ name: 'A', memoryTotal: '1 MiB', driverVersion: '1' }] },
    { name: 'a comma in the name', text: 'Weird, Name, 2 MiB, 2\n', expected: [{ name: 'Weird, Name', memoryTotal: '2 MiB', driverVersion: '2' }] },
    { name: 'noise without fields', text: 'No devices were found\n', expected: [] },
  ])('$name', ({ text, expected }) => {
    expect(parseNvidiaSmi(text)).toEqual(expected);
  });
});
