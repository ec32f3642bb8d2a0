/**
 * instantiate inside an app's job: the app's registry, its working directory as the project root,
 * and file:line (or the override) of a `_target_` from the run's provenance, with nothing passed.
 * Hydra's config files example (db/mysql.yaml, db/postgresql.yaml) composed for real.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineApp } from '../../../src/app/define-app.js';
import { isTrellisError } from '../../../src/errors/index.js';
import { instantiate } from '../../../src/instantiate/instantiate.js';
import { repoRoot } from '../../helpers/run-cli.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const fixture = join(repoRoot, 'test', 'fixtures', 'instantiate', 'project');

interface Cfg {
  db: Record<string, unknown>;
  optimizer?: Record<string, unknown>;
}

/** Runs one job that instantiates `key`; returns what it built, or the error's code, key and place. */
function appIn(cwd: string, key: keyof Cfg) {
  return defineApp({ cwd, name: 'inst' }, async (cfg: Record<string, unknown>) => {
    try {
      const built = await instantiate<{ connect?: () => string }>((cfg as unknown as Cfg)[key]);
      return { built: built.connect ? built.connect() : built };
    } catch (e) {
      if (!isTrellisError(e)) throw e;
      return { code: e.code, keyPath: e.keyPath, where: e.where, message: e.message };
    }
  });
}

describe('instantiate in an app job', () => {
  it.each([
    { overrides: [], expected: 'MySQL connecting to localhost' },
    { overrides: ['db=postgresql'], expected: 'PostgreSQL connecting to localhost' },
    { overrides: ['db.host=db.example'], expected: 'MySQL connecting to db.example' },
  ])('builds the chosen db ($overrides)', async ({ overrides, expected }) => {
    const result = await appIn(tmpDir({}, fixture), 'db').run(overrides);
    expect(result.returnValue).toEqual({ built: expected });
  });

  it('uses the app’s registry, with its schema', async () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'defaults:\n  - db: mysql\n  - _self_\noptimizer:\n  _target_: torch.optim.Adam\n  lr: 0.1\n' }, fixture);
    const app = appIn(cwd, 'optimizer').register(
      'torch.optim.Adam',
      (o: { lr: number; eps: number }) => ({ adam: o }),
      z.object({ lr: z.number(), eps: z.number().default(1e-8) }),
    );
    expect((await app.run()).returnValue).toEqual({ built: { adam: { lr: 0.1, eps: 1e-8 } } });
  });

  it('another app’s registry is not used', async () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'defaults:\n  - db: mysql\n  - _self_\noptimizer:\n  _target_: adam\n' }, fixture);
    defineApp({ cwd }, () => undefined).register('adam', () => 'other app');
    expect((await appIn(cwd, 'optimizer').run()).returnValue).toMatchObject({ code: 'INSTANTIATE_TARGET', keyPath: 'optimizer' });
  });

  it.each([
    {
      name: 'a typo in a group option file',
      overrides: [],
      files: { 'conf/db/mysql.yaml': '_target_: ./src/models.mjs:MySQLConection\nhost: localhost\n' },
      where: { kind: 'file', file: join('conf', 'db', 'mysql.yaml'), line: 1, col: 11, sourceLine: '_target_: ./src/models.mjs:MySQLConection' },
      message: /^db: Export not found: the module has no 'MySQLConection'/,
    },
    {
      name: 'a target set by an override',
      overrides: ['db.host=h', 'db._target_=../escape.mjs:X'],
      files: {},
      where: { kind: 'override', text: 'db._target_=../escape.mjs:X', index: 1 },
      message: /^db: Target '\.\.\/escape\.mjs:X' points outside the project root/,
    },
  ])('errors point at the _target_: $name', async ({ overrides, files, where, message }) => {
    const result = await appIn(tmpDir(files, fixture), 'db').run(overrides);
    expect(result.returnValue).toMatchObject({ keyPath: 'db', where, message: expect.stringMatching(message) });
  });
});
