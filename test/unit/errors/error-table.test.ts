/**
 * One table covering every error code: an input that raises it, and the code, location and key
 * it must report (OmegaConf's tests/test_errors.py in spirit). A new code needs a row here.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compose } from '../../../src/compose/compose.js';
import { ERROR_CODES, TrellisError, type ErrorCode, type ErrorWhere } from '../../../src/errors/index.js';
import { createDefaultResolvers, resolveTree, selectNode } from '../../../src/interpolate/index.js';
import { createResolveContext } from '../../../src/config-dir/resolve.js';
import { parseCommandArgv } from '../../../src/console/argv.js';
import { findCommand } from '../../../src/cli/options.js';
import { defineApp } from '../../../src/app/define-app.js';
import { createMemoryRepository } from '../../../src/sources/memory-repository.js';
import { loadYaml } from '../../../src/yaml/load.js';
import { parseOverride } from '../../../src/overrides/index.js';
import { validateConfig } from '../../../src/validate/validate.js';
import { MetricsLog } from '../../../src/run/metrics.js';
import { SeedBook } from '../../../src/run/seeds.js';
import { createRunDir } from '../../../src/run/run-dir.js';
import { writeFileAtomic } from '../../../src/run/atomic-write.js';
import { checkSlurmAvailable, parseSbatch } from '../../../src/launch/slurm.js';
import { z } from 'zod';
import { toPlain } from '../../../src/tree/node.js';
import { parseQuery } from '../../../src/store/query-parse.js';
import { findRun } from '../../../src/store/find-run.js';
import { acquireRecordLock } from '../../../src/run/record-lock.js';
import { rerun } from '../../../src/store/rerun.js';
import { instantiate } from '../../../src/instantiate/instantiate.js';
import { TargetRegistry } from '../../../src/instantiate/registry.js';

const files = { 'db/mysql': 'port: 1', 'db/pg': 'port: 2' };
const composeWith =
  (config: string, overrides: string[] = [], extra: Record<string, string> = {}) =>
  () =>
    compose({ repo: createMemoryRepository({ ...files, config, ...extra }), configName: 'config', overrides });
const resolveText = (yaml: string, path?: string) => () => {
  const root = loadYaml(yaml, 'c.yaml').root;
  const ctx = createResolveContext({ env: {}, resolvers: createDefaultResolvers() });
  return path ? selectNode(root, path, ctx, { throwOnMissing: true }) : resolveTree(root, ctx);
};
const doublingConfig = (keys: number) => ['a0: x', ...Array.from({ length: keys }, (_, i) => `a${i + 1}: \${a${i}}\${a${i}}`)].join('\n');
const at = (line: number, col: number, file = 'config.yaml'): Partial<ErrorWhere> => ({ kind: 'file', file, line, col });
const override = (text: string, index = 0): Partial<ErrorWhere> => ({ kind: 'override', text, index });

interface Row {
  code: ErrorCode;
  raise: () => unknown;
  where?: Partial<ErrorWhere>;
  keyPath?: string;
}

const rows: Row[] = [
  { code: 'CONFIG_NOT_FOUND', raise: () => compose({ repo: createMemoryRepository(files), configName: 'config' }) },
  { code: 'YAML_SYNTAX', raise: () => loadYaml('a: [1,\n', 'c.yaml'), where: { kind: 'file', file: 'c.yaml' } },
  { code: 'YAML_DUPLICATE_KEY', raise: () => loadYaml('a: 1\na: 2\n', 'c.yaml'), where: at(2, 1, 'c.yaml') },
  { code: 'YAML_LIMIT', raise: () => loadYaml(`a: ${'['.repeat(300)}${']'.repeat(300)}`, 'c.yaml') },
  { code: 'PATH_ESCAPE', raise: composeWith('defaults:\n  - db: ../../x\n') },
  { code: 'UNSAFE_KEY', raise: () => loadYaml('__proto__: 1\n', 'c.yaml'), where: at(1, 1, 'c.yaml') },
  { code: 'GROUP_OPTION_NOT_FOUND', raise: composeWith('defaults:\n  - db: oracle\n'), where: at(2, 9) },
  { code: 'GROUP_NOT_FOUND', raise: composeWith('defaults:\n  - dbs: mysql\n'), where: at(2, 10) },
  { code: 'DEFAULTS_INVALID', raise: composeWith('defaults:\n  - {db: mysql, x: y}\n'), where: at(2, 5) },
  { code: 'DEFAULTS_DUPLICATE', raise: composeWith('defaults:\n  - db: mysql\n', ['+db=pg']) },
  { code: 'DEFAULTS_MISSING_CHOICE', raise: composeWith('defaults:\n  - db: ???\n'), where: at(2, 9) },
  { code: 'DEFAULTS_OVERRIDE_UNUSED', raise: composeWith('a: 1\n', ['db=mysql']), where: override('db=mysql') },
  { code: 'DEFAULTS_CYCLE', raise: composeWith('defaults:\n  - other\n', [], { other: 'defaults:\n  - config\n' }), where: at(2, 5, 'other.yaml') },
  { code: 'MERGE_TYPE', raise: composeWith('defaults:\n  - db: mysql\n  - _self_\ndb: [1]\n'), keyPath: 'db' },
  { code: 'OVERRIDE_SYNTAX', raise: () => parseOverride('a=[1', 3), where: override('a=[1', 3) },
  { code: 'OVERRIDE_KEY_MISSING', raise: composeWith('a: 1\n', ['b=2']), where: override('b=2'), keyPath: 'b' },
  { code: 'OVERRIDE_KEY_EXISTS', raise: composeWith('a: 1\n', ['+a=2']), where: override('+a=2'), keyPath: 'a' },
  { code: 'OVERRIDE_VALUE_MISMATCH', raise: composeWith('a: 1\n', ['~a=2']), where: override('~a=2'), keyPath: 'a' },
  { code: 'OVERRIDE_INVALID', raise: composeWith('defaults:\n  - db: mysql\n', ['db=null']), where: override('db=null') },
  { code: 'SWEEP_WITHOUT_MULTIRUN', raise: composeWith('a: 1\n', ['a=1,2']), where: override('a=1,2'), keyPath: 'a' },
  {
    code: 'SWEEP_INVALID',
    raise: () => compose({ repo: createMemoryRepository({ config: 'a: 1' }), configName: 'config', overrides: ['hydra.job.name=a,b'], multirun: true }),
    where: override('hydra.job.name=a,b'),
  },
  { code: 'INTERPOLATION_SYNTAX', raise: composeWith('x: 1\na: ${b\n'), where: { kind: 'file', file: 'config.yaml', line: 2 }, keyPath: 'a' },
  { code: 'INTERPOLATION_KEY_MISSING', raise: resolveText('a: ${b}\n'), where: { kind: 'file', file: 'c.yaml', line: 1 }, keyPath: 'a' },
  { code: 'INTERPOLATION_TO_MISSING', raise: resolveText('a: ${b}\nb: ???\n'), keyPath: 'a' },
  { code: 'INTERPOLATION_CYCLE', raise: resolveText('a: ${b}\nb: ${a}\n') },
  { code: 'INTERPOLATION_TYPE', raise: resolveText('l: [1]\ni: x\na: ${l.${i}}\n'), keyPath: 'a' },
  { code: 'INTERPOLATION_RESOLVER_UNKNOWN', raise: resolveText('a: ${env:HOME}\n'), keyPath: 'a' },
  // A string that doubles at each key: 2^24 characters at a24 pass the 10M limit.
  { code: 'INTERPOLATION_LIMIT', raise: resolveText(doublingConfig(30)), keyPath: 'a24' },
  { code: 'INTERPOLATION_RESOLVER_FAILED', raise: resolveText('a: ${oc.env:TRELLIS_SURELY_UNSET_VARIABLE}\n'), keyPath: 'a' },
  { code: 'MISSING_VALUE', raise: resolveText('a: ???\n', 'a') },
  { code: 'RESOLVER_INVALID', raise: () => createDefaultResolvers().register('oc.env', () => null) },
  {
    code: 'VALIDATION_FAILED',
    raise: () => {
      const root = loadYaml('lr: abc\n', 'c.yaml').root;
      return validateConfig(z.object({ lr: z.number() }), root, toPlain(root));
    },
    where: at(1, 5, 'c.yaml'),
    keyPath: 'lr',
  },
  {
    code: 'RUN_DIR_EXISTS',
    raise: () => {
      const base = join(tmpDir(), 'run');
      mkdirSync(base);
      for (let i = 1; i <= 10_000; i++) mkdirSync(`${base}_${i}`);
      return createRunDir(base);
    },
  },
  { code: 'RUN_IO', raise: () => writeFileAtomic(join(tmpdir(), 'no-such-dir-trellis', 'x', 'f.txt'), 'x') },
  { code: 'RANDOM_INVALID', raise: () => new SeedBook(1.5) },
  { code: 'METRIC_INVALID', raise: () => new MetricsLog(join(tmpDir(), 'm.jsonl')).log({ step: 1 }) },
  {
    code: 'KEY_NOT_FOUND',
    raise: async () => {
      const dir = tmpDir({ 'conf/config.yaml': 'a: 1\n' });
      const errors: string[] = [];
      const app = defineApp({ cwd: dir }, () => undefined);
      await app.main(['--cfg', 'job', '--package', 'nope'], { stdout: () => {}, stderr: (t) => errors.push(t), env: {}, color: false, isTTY: false });
      throw new TrellisError(errors.join('').includes('KEY_NOT_FOUND') ? 'KEY_NOT_FOUND' : 'INTERNAL', 'relayed from the app');
    },
  },
  { code: 'QUERY_SYNTAX', raise: () => parseQuery('optimizer.lr <'), where: { kind: 'file', file: 'query', line: 1, col: 15 } },
  { code: 'QUERY_TYPE', raise: () => parseQuery('started > banana') },
  {
    code: 'RUN_NOT_FOUND',
    raise: () => findRun('20990101', { cwd: tmpDir({ 'outputs/a/.trellis/run.json': JSON.stringify({ id: '20260101-000000-aaaaaa', status: 'completed' }) }) }),
  },
  {
    code: 'RUN_AMBIGUOUS',
    raise: () =>
      findRun('2026', {
        cwd: tmpDir({
          'outputs/a/.trellis/run.json': JSON.stringify({ id: '20260101-000000-aaaaaa', status: 'completed' }),
          'outputs/b/.trellis/run.json': JSON.stringify({ id: '20260101-000000-bbbbbb', status: 'completed' }),
        }),
      }),
  },
  { code: 'RUN_RECORD_INVALID', raise: () => findRun('outputs/x', { cwd: tmpDir({ 'outputs/x/notes.txt': 'not a run' }) }) },
  {
    code: 'RUN_LOCKED',
    raise: () => {
      const record = join(tmpDir(), 'run.json');
      const held = acquireRecordLock(record);
      try {
        return acquireRecordLock(record, { timeoutMs: 20 });
      } finally {
        held.release();
      }
    },
  },
  {
    code: 'RUN_UNTRUSTED',
    raise: () => {
      // A run directory naming a script outside the project it is rerun from.
      const cwd = tmpDir({ 'conf/config.yaml': 'a: 1\n' });
      const dir = join(cwd, 'outputs', 'x');
      mkdirSync(join(dir, '.trellis'), { recursive: true });
      writeFileSync(join(dir, '.trellis', 'run.json'), JSON.stringify({ id: '20260101-000000-aaaaaa', status: 'completed', cwd, entry: process.execPath }));
      return rerun(dir, { projectDir: cwd, stdio: 'pipe' });
    },
  },
  { code: 'LAUNCHER_UNAVAILABLE', raise: () => checkSlurmAvailable({ SLURM_CONF: join(tmpdir(), 'no-such-slurm.conf'), PATH: '' }) },
  {
    code: 'LAUNCHER_REJECTED',
    raise: () =>
      parseSbatch({ status: 1, stdout: '', stderr: 'sbatch: error: Batch job submission failed: Invalid partition name specified\n' }, ['--partition=x']),
  },
  { code: 'INSTANTIATE_TARGET', raise: () => instantiate({ model: { _target_: 'torch.optim.Adam' } }), keyPath: 'model' },
  {
    code: 'INSTANTIATE_ARGS',
    raise: () => instantiate({ _target_: 'f', _args_: 3 }, {}, { registry: new TargetRegistry().register('f', () => 1) }),
    keyPath: '_args_',
  },
  {
    code: 'INSTANTIATE_FAILED',
    raise: () =>
      instantiate(
        { _target_: 'f' },
        {},
        {
          registry: new TargetRegistry().register('f', () => {
            throw new Error('boom');
          }),
        },
      ),
  },
  { code: 'USAGE', raise: () => parseCommandArgv(findCommand('compose')!, ['--nope']) },
  {
    code: 'INTERNAL',
    raise: () => {
      throw new TrellisError('INTERNAL', 'kept for unexpected failures; rendered with a bug-report hint');
    },
  },
];

describe('error table: every code has a case', () => {
  it('covers every ErrorCode', () => {
    expect(rows.map((r) => r.code).sort()).toEqual([...ERROR_CODES].sort());
  });

  it.each(rows)('$code', async ({ code, raise, where, keyPath }) => {
    let error: unknown;
    try {
      await raise();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrellisError);
    const all = (error as TrellisError).all();
    const found = all.find((e) => e.code === code);
    expect(found, `codes raised: ${all.map((e) => e.code).join(', ')}`).toBeDefined();
    if (where) expect(found!.where).toMatchObject(where);
    if (keyPath) expect(found!.keyPath).toBe(keyPath);
  });
});
