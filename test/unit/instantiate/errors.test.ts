/**
 * What instantiate refuses and how it says so: the code, the key, the file:line of the `_target_`
 * (from the run's provenance.json, as a job sees it) and a hint.
 */
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ErrorCode } from '../../../src/errors/index.js';
import { TrellisError } from '../../../src/errors/index.js';
import { instantiate } from '../../../src/instantiate/instantiate.js';
import { provenanceLocator } from '../../../src/instantiate/job-context.js';
import { TargetRegistry } from '../../../src/instantiate/registry.js';
import { provenanceOf } from '../../../src/run/provenance.js';
import { toPlain } from '../../../src/tree/node.js';
import { loadYaml } from '../../../src/yaml/load.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { repoRoot } from '../../helpers/run-cli.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'instantiate', 'project');

/** A project copy with conf/config.yaml holding `yaml`, and the job's view of it: the plain `model` node and a locator. */
function job(yaml: string) {
  const root = tmpDir({ 'conf/config.yaml': yaml, 'node_modules/dep/index.mjs': 'export const Dep = class {};\n' }, fixture);
  const loaded = loadYaml(yaml, 'conf/config.yaml').root;
  writeFileSync(join(root, 'provenance.json'), JSON.stringify(provenanceOf(loaded)));
  const cfg = toPlain(loaded) as Record<string, unknown>;
  return { root, cfg, where: provenanceLocator(join(root, 'provenance.json'), root) };
}

async function failure(run: () => Promise<unknown>): Promise<TrellisError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof TrellisError) return e;
    throw e;
  }
  throw new Error('expected a TrellisError');
}

const registry = new TargetRegistry().register('adam', (o: unknown) => o, z.object({ lr: z.number().positive() })).register('sgd', (o: unknown) => o);

interface Row {
  name: string;
  target: string;
  extra?: string;
  code: ErrorCode;
  message: RegExp;
  hint?: RegExp;
  /** line:col of what the error points at, worked out from the YAML below by hand. */
  at: [number, number];
  keyPath: string;
}

// model:            line 1
//   _target_: T     line 2, value at column 13
//   <extra>         line 3
const rows: Row[] = [
  {
    name: 'module not found',
    target: './src/model.mjs:MLP',
    code: 'INSTANTIATE_TARGET',
    message: /Module not found: \.\/src\/model\.mjs/,
    hint: /models\.mjs/,
    at: [2, 13],
    keyPath: 'model',
  },
  {
    name: 'export not found',
    target: './src/models.mjs:Optimiser',
    code: 'INSTANTIATE_TARGET',
    message: /has no 'Optimiser'/,
    hint: /'Optimizer'/,
    at: [2, 13],
    keyPath: 'model',
  },
  {
    name: 'nested export not found',
    target: './src/models.mjs:layers.Conv',
    code: 'INSTANTIATE_TARGET',
    message: /'layers' has no 'Conv'/,
    hint: /Linear/,
    at: [2, 13],
    keyPath: 'model',
  },
  {
    name: 'not callable',
    target: './src/models.mjs:VERSION',
    code: 'INSTANTIATE_TARGET',
    message: /not callable: it is string/,
    at: [2, 13],
    keyPath: 'model',
  },
  {
    name: 'no export named',
    target: './src/models.mjs',
    code: 'INSTANTIATE_TARGET',
    message: /names a module but no export/,
    hint: /:default/,
    at: [2, 13],
    keyPath: 'model',
  },
  { name: 'dot-dot out of the root', target: '../outside.mjs:X', code: 'PATH_ESCAPE', message: /outside the project root/, at: [2, 13], keyPath: 'model' },
  {
    name: 'dependency code',
    target: './node_modules/dep/index.mjs:Dep',
    code: 'INSTANTIATE_TARGET',
    message: /inside node_modules/,
    hint: /app\.register/,
    at: [2, 13],
    keyPath: 'model',
  },
  {
    name: 'a Python target not registered',
    target: 'torch.optim.Adam',
    code: 'INSTANTIATE_TARGET',
    message: /neither a module of the project nor a registered name/,
    hint: /app\.register\('torch\.optim\.Adam', factory\); registered: adam, sgd/,
    at: [2, 13],
    keyPath: 'model',
  },
  {
    name: 'a registered name mistyped',
    target: 'adm',
    code: 'INSTANTIATE_TARGET',
    message: /'adm'/,
    hint: /did you mean 'adam'/,
    at: [2, 13],
    keyPath: 'model',
  },
  {
    name: 'bad arguments (schema)',
    target: 'adam',
    extra: '  lr: -1',
    code: 'INSTANTIATE_ARGS',
    message: /model\.lr: .*(>0|positive)/i,
    at: [3, 7],
    keyPath: 'model.lr',
  },
  {
    name: '_args_ not a list',
    target: 'sgd',
    extra: '  _args_: 3',
    code: 'INSTANTIATE_ARGS',
    message: /_args_ must be a list/,
    at: [2, 13],
    keyPath: 'model._args_',
  },
  {
    name: '_partial_ not a bool',
    target: 'sgd',
    extra: '  _partial_: yes please',
    code: 'INSTANTIATE_ARGS',
    message: /_partial_ must be true or false/,
    at: [3, 14],
    keyPath: 'model._partial_',
  },
  { name: 'the target throws', target: './src/models.mjs:explode', code: 'INSTANTIATE_FAILED', message: /failed: boom/, at: [2, 13], keyPath: 'model' },
];

describe('instantiate errors', () => {
  it.each(rows)('$name', async ({ target, extra, code, message, hint, at, keyPath }) => {
    const { root, cfg, where } = job(`model:\n  _target_: ${target}\n${extra ? `${extra}\n` : ''}`);
    const error = await failure(() => instantiate(cfg.model, {}, { root, registry, keyPath: 'model', where }));
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message.startsWith('model')).toBe(true);
    if (hint) expect(error.hint).toMatch(hint);
    expect(error.keyPath).toBe(keyPath);
    expect(error.where).toMatchObject({ kind: 'file', file: 'conf/config.yaml', line: at[0], col: at[1] });
  });

  it('keeps what the target threw as the cause', async () => {
    const { root, cfg } = job('model:\n  _target_: ./src/models.mjs:explode\n');
    const error = await failure(() => instantiate(cfg.model, {}, { root }));
    expect(error.cause).toBeInstanceOf(RangeError);
  });

  it('refuses a symbolic link that leads out of the project', async () => {
    const outside = tmpDir({ 'evil.mjs': 'export const X = () => "ran";\n' });
    const { root, cfg } = job('model:\n  _target_: ./src/link.mjs:X\n');
    symlinkSync(join(outside, 'evil.mjs'), join(root, 'src', 'link.mjs'));
    const error = await failure(() => instantiate(cfg.model, {}, { root }));
    expect(error.code).toBe('PATH_ESCAPE');
    expect(error.message).toMatch(/symbolic link/);
  });

  it('a target the call site set has no config position', async () => {
    const { root, cfg, where } = job('model:\n  _target_: ./src/models.mjs:Optimizer\n');
    const error = await failure(() => instantiate(cfg.model, { _target_: './src/models.mjs:Nope' }, { root, keyPath: 'model', where }));
    expect(error.code).toBe('INSTANTIATE_TARGET');
    expect(error.where).toBeUndefined();
  });

  it.each([
    { name: 'a string', config: 'x' },
    { name: 'a class instance', config: new Date(0) },
  ])('refuses to instantiate $name', async ({ config }) => {
    expect((await failure(() => instantiate(config))).code).toBe('INSTANTIATE_ARGS');
  });

  it('refuses _partial_ for a list', async () => {
    expect((await failure(() => instantiate([], { _partial_: true }))).code).toBe('INSTANTIATE_ARGS');
  });

  it('register refuses paths and non-functions', () => {
    expect(() => new TargetRegistry().register('./x.js:Y', () => 1)).toThrow(/Cannot register/);
    expect(() => new TargetRegistry().register('x', 3 as unknown as () => unknown)).toThrow(/needs a function or a class/);
  });
});
