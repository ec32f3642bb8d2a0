import { symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFsRepository } from '../../../src/sources/fs-repository.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('createFsRepository', () => {
  it('discovers groups and options from folders, first search-path entry wins', () => {
    const root = tmpDir({
      'a/config.yaml': 'x: 1',
      'a/db/mysql.yaml': 'from: a',
      'a/model/encoder/cnn.yaml': 'k: 3',
      'b/db/mysql.yaml': 'from: b',
      'b/db/sqlite.yml': 'from: b',
    });
    const repo = createFsRepository(['a', 'b'], root);
    expect(repo.listOptions('db')).toEqual(['mysql', 'sqlite']);
    expect(repo.groupExists('model/encoder')).toBe(true);
    expect(repo.listOptions('model/encoder')).toEqual(['cnn']);
    expect(repo.listGroups('')).toEqual(['db', 'model']);
    const mysql = repo.loadConfig('db/mysql');
    expect(mysql?.file).toBe(join('a', 'db', 'mysql.yaml'));
    expect(repo.loadConfig('db/oracle')).toBeUndefined();
  });

  it.each([
    { name: 'parent segments', path: 'db/../../secret' },
    { name: 'absolute path', path: '/etc/passwd' },
    { name: 'backslashes', path: 'db\\..\\x' },
  ])('rejects a path that leaves the search path: $name', ({ path }) => {
    const repo = createFsRepository([tmpDir({ 'config.yaml': 'x: 1' })]);
    expect(() => repo.loadConfig(path)).toThrow(expect.objectContaining({ code: 'PATH_ESCAPE' }));
  });

  it.each([
    { name: 'a parent segment that stays inside', path: 'solver/../default', file: 'default.yaml' },
    { name: 'a dot segment', path: './db/mysql', file: join('db', 'mysql.yaml') },
    { name: 'the .yaml extension given (Hydra adds it only when missing)', path: 'db/mysql.yaml', file: join('db', 'mysql.yaml') },
    { name: 'both', path: 'db/../db/mysql.yaml', file: join('db', 'mysql.yaml') },
  ])('reads a path inside the search path: $name', ({ path, file }) => {
    const root = tmpDir({ 'conf/default.yaml': 'base: 1\n', 'conf/db/mysql.yaml': 'port: 1\n', 'conf/solver/s.yaml': 'k: 1\n' });
    const repo = createFsRepository(['conf'], root);
    expect(repo.configExists(path)).toBe(true);
    expect(repo.loadConfig(path)?.file).toBe(join('conf', file));
  });

  it('rejects a symlink that points outside the config directory', () => {
    const outside = tmpDir({ 'secret.yaml': 'token: abc' });
    const root = tmpDir({ 'conf/config.yaml': 'x: 1' });
    symlinkSync(join(outside, 'secret.yaml'), join(root, 'conf', 'leak.yaml'));
    const repo = createFsRepository(['conf'], root);
    expect(() => repo.loadConfig('leak')).toThrow(expect.objectContaining({ code: 'PATH_ESCAPE' }));
  });

  it('reads the # @package header', () => {
    const root = tmpDir({ 'conf/logger/csv.yaml': '# @package trainer.logger\nname: csv\n' });
    expect(createFsRepository(['conf'], root).loadConfig('logger/csv')?.packageHeader).toBe('trainer.logger');
  });
});
