import { utimesSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configFileHashes, describeConfigChanges } from '../../../src/app/fingerprint.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const files = { 'conf/config.yaml': 'lr: 0.1\n', 'conf/optimizer/adam.yaml': 'name: adam\n', 'conf/optimizer/sgd.yaml': 'name: sgd\n' };

describe('a refused resume names the config files that changed', () => {
  it.each([
    { name: 'nothing changed', edit: () => undefined, expected: undefined },
    { name: 'one file edited', edit: (cwd: string) => writeFileSync(join(cwd, 'conf/config.yaml'), 'lr: 0.2\n'), expected: 'changed conf/config.yaml' },
    {
      name: 'a file added and one removed',
      edit: (cwd: string) => {
        writeFileSync(join(cwd, 'conf/optimizer/rmsprop.yaml'), 'name: rmsprop\n');
        unlinkSync(join(cwd, 'conf/optimizer/sgd.yaml'));
      },
      expected: 'new conf/optimizer/rmsprop.yaml; removed conf/optimizer/sgd.yaml',
    },
  ])('$name', ({ edit, expected }) => {
    const cwd = tmpDir(files);
    const recorded = configFileHashes({ cwd, configDir: 'conf' });
    expect(Object.keys(recorded).sort()).toEqual(['config.yaml', 'optimizer/adam.yaml', 'optimizer/sgd.yaml']);
    edit(cwd);
    expect(describeConfigChanges(recorded, { cwd, configDir: 'conf', since: undefined })).toBe(expected);
  });

  it('a sweep without recorded hashes names the files modified after it was created', () => {
    const cwd = tmpDir(files);
    for (const f of Object.keys(files)) utimesSync(join(cwd, f), 1000, 1000);
    utimesSync(join(cwd, 'conf/optimizer/adam.yaml'), 3000, 3000);
    const since = new Date(2000 * 1000).toISOString();
    expect(describeConfigChanges(undefined, { cwd, configDir: 'conf', since })).toBe('modified since the sweep started: conf/optimizer/adam.yaml');
  });
});
