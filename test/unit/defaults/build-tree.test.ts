import { describe, expect, it } from 'vitest';
import { buildDefaultsTree } from '../../../src/defaults/build-tree.js';
import { DefaultsOverrides, type GroupOverride } from '../../../src/defaults/overrides.js';
import { choicesOf, defaultsTreeToList } from '../../../src/defaults/to-list.js';
import { createMemoryRepository } from '../../../src/sources/memory-repository.js';
import { TrellisError } from '../../../src/errors/index.js';

const base = {
  'db/mysql': 'driver: mysql',
  'db/postgres': 'driver: postgres',
  'optimizer/sgd': 'name: sgd',
  'optimizer/adam': 'name: adam',
};

function defaultsOf(files: Record<string, string>, overrides: Array<Partial<GroupOverride> & Pick<GroupOverride, 'group' | 'type'>> = []) {
  const repo = createMemoryRepository({ ...base, ...files });
  const full = overrides.map((o, index) => ({ text: `${o.group}`, index, package: undefined, value: undefined, ...o }));
  const bookkeeping = new DefaultsOverrides(full);
  const tree = buildDefaultsTree(repo, 'config', bookkeeping);
  return {
    list: defaultsTreeToList(tree).map((d) => `${d.configPath}${d.package ? `@${d.package}` : ''}`),
    choices: choicesOf(bookkeeping.knownChoices),
  };
}

describe('defaults list: order and packages (Hydra 1.3)', () => {
  it.each([
    {
      name: '_self_ last',
      files: { config: 'defaults:\n  - db: mysql\n  - optimizer: sgd\n  - _self_\n' },
      expected: ['db/mysql@db', 'optimizer/sgd@optimizer', 'config'],
    },
    {
      name: '_self_ first',
      files: { config: 'defaults:\n  - _self_\n  - db: mysql\n' },
      expected: ['config', 'db/mysql@db'],
    },
    {
      name: '_self_ absent behaves as last',
      files: { config: 'defaults:\n  - db: mysql\n' },
      expected: ['db/mysql@db', 'config'],
    },
    {
      name: 'no defaults list: just the primary',
      files: { config: 'a: 1' },
      expected: ['config'],
    },
    {
      name: 'nested defaults in a group option come before the option (its _self_ last)',
      files: { config: 'defaults:\n  - model: resnet\n', 'model/resnet': 'defaults:\n  - backbone: r50\nname: resnet', 'model/backbone/r50': 'depth: 50' },
      expected: ['model/backbone/r50@model.backbone', 'model/resnet@model', 'config'],
    },
    {
      name: 'absolute group inside a group option keeps the containing package',
      files: { config: 'defaults:\n  - optimizer: adamw\n', 'optimizer/adamw': 'defaults:\n  - /scheduler: cosine\n', 'scheduler/cosine': 'name: cosine' },
      expected: ['scheduler/cosine@optimizer.scheduler', 'optimizer/adamw@optimizer', 'config'],
    },
    {
      name: 'package header places the option',
      files: { config: 'defaults:\n  - logger: csv\n', 'logger/csv': '# @package trainer.logger\nname: csv' },
      expected: ['logger/csv@trainer.logger', 'config'],
    },
    {
      name: 'defaults-list package beats the header',
      files: { config: 'defaults:\n  - logger@trainer.log: csv\n', 'logger/csv': '# @package metrics\nname: csv' },
      expected: ['logger/csv@trainer.log', 'config'],
    },
    {
      name: '_global_ header merges at the root',
      files: { config: 'defaults:\n  - exp: fast\n', 'exp/fast': '# @package _global_\nlr: 1' },
      expected: ['exp/fast', 'config'],
    },
    {
      name: '_group_ header is the group path',
      files: { config: 'defaults:\n  - model/encoder: cnn\n', 'model/encoder/cnn': '# @package _group_\nk: 3' },
      expected: ['model/encoder/cnn@model.encoder', 'config'],
    },
    {
      name: 'non-group entry',
      files: { config: 'defaults:\n  - extra\n  - _self_\n', extra: 'x: 1' },
      expected: ['extra', 'config'],
    },
    {
      name: 'optional entry whose option is missing is dropped',
      files: { config: 'defaults:\n  - optional db: oracle\n  - optimizer: sgd\n' },
      expected: ['optimizer/sgd@optimizer', 'config'],
    },
    {
      name: 'null choice selects nothing',
      files: { config: 'defaults:\n  - db: null\n  - optimizer: sgd\n' },
      expected: ['optimizer/sgd@optimizer', 'config'],
    },
    {
      name: 'interpolated choice resolved from other choices',
      files: { config: 'defaults:\n  - db: mysql\n  - optimizer: ${db}_opt\n', 'optimizer/mysql_opt': 'name: special' },
      expected: ['db/mysql@db', 'optimizer/mysql_opt@optimizer', 'config'],
    },
    {
      // Hydra reads keywords up to the first other word and ignores the rest (ConfigRepository._extract_keywords_from_config_group).
      name: 'an unknown word before the group is ignored',
      files: { config: 'defaults:\n  - optinal db: mysql\n' },
      expected: ['db/mysql@db', 'config'],
    },
    {
      name: 'interpolated choice inside a group option (Hydra resolves deferred choices at every level)',
      files: {
        config: 'defaults:\n  - server: apache\n',
        'server/apache': 'defaults:\n  - db: mysql\n  - extra: ${server/db}_x\n',
        'server/db/mysql': 'd: 1',
        'server/extra/mysql_x': 'e: 1',
      },
      expected: ['server/db/mysql@server.db', 'server/extra/mysql_x@server.extra', 'server/apache@server', 'config'],
    },
    {
      name: 'interpolated choice through a resolver (interpolation_resolver_in_nested)',
      files: { config: 'defaults:\n  - group1: resolver\n', 'group1/resolver': 'defaults:\n  - group2: ${oc.decode:file1}\n', 'group1/group2/file1': 'x: 1' },
      expected: ['group1/group2/file1@group1.group2', 'group1/resolver@group1', 'config'],
    },
    {
      name: 'interpolated choice naming a packaged choice',
      files: { config: 'defaults:\n  - db@backup: postgres\n  - optimizer: ${db@backup}_opt\n', 'optimizer/postgres_opt': 'name: special' },
      expected: ['db/postgres@backup', 'optimizer/postgres_opt@optimizer', 'config'],
    },
    {
      name: '_here_ places the option in the package of the containing config',
      files: { config: 'defaults:\n  - model: resnet\n', 'model/resnet': 'defaults:\n  - backbone@_here_: r50\n', 'model/backbone/r50': 'depth: 50' },
      expected: ['model/backbone/r50@model', 'model/resnet@model', 'config'],
    },
    {
      name: '_group_ in a defaults-list package is the group path, absolute',
      files: { config: 'defaults:\n  - model: resnet\n', 'model/resnet': 'defaults:\n  - backbone@_group_.main: r50\n', 'model/backbone/r50': 'depth: 50' },
      expected: ['model/backbone/r50@model.backbone.main', 'model/resnet@model', 'config'],
    },
    {
      name: 'list of options for one group, in order',
      files: { config: 'defaults:\n  - callbacks: [early, ckpt]\n', 'callbacks/early': 'early: {}', 'callbacks/ckpt': 'ckpt: {}' },
      expected: ['callbacks/early@callbacks', 'callbacks/ckpt@callbacks', 'config'],
    },
  ])('$name', ({ files, expected }) => {
    expect(defaultsOf(files).list).toEqual(expected);
  });
});

describe('defaults list: overrides', () => {
  const primary = { config: 'defaults:\n  - db: mysql\n  - optimizer: sgd\n  - _self_\n' };

  it('a CLI choice replaces the option and drops its nested defaults', () => {
    const files = {
      config: 'defaults:\n  - model: resnet\n',
      'model/resnet': 'defaults:\n  - backbone: r50\n',
      'model/vit': 'p: 16',
      'model/backbone/r50': 'd: 1',
    };
    expect(defaultsOf(files, [{ type: 'change', group: 'model', value: 'vit' }]).list).toEqual(['model/vit@model', 'config']);
  });

  it('+group=option appends after the primary entries', () => {
    const files = { ...primary, 'logger/csv': 'x: 1' };
    expect(defaultsOf(files, [{ type: 'add', group: 'logger', value: 'csv' }]).list).toEqual([
      'db/mysql@db',
      'optimizer/sgd@optimizer',
      'config',
      'logger/csv@logger',
    ]);
  });

  it('~group removes the entry', () => {
    expect(defaultsOf(primary, [{ type: 'delete', group: 'db' }]).list).toEqual(['optimizer/sgd@optimizer', 'config']);
  });

  it('an appended experiment overrides primary choices with `override /group`', () => {
    const files = { ...primary, 'experiment/fast': '# @package _global_\ndefaults:\n  - override /optimizer: adam\nlr: 1' };
    const { list, choices } = defaultsOf(files, [{ type: 'add', group: 'experiment', value: 'fast' }]);
    expect(list).toEqual(['db/mysql@db', 'optimizer/adam@optimizer', 'config', 'experiment/fast']);
    expect(choices).toEqual({ experiment: 'fast', db: 'mysql', optimizer: 'adam' });
  });

  it('records choices per group, null included', () => {
    expect(defaultsOf({ config: 'defaults:\n  - db: null\n  - optimizer: sgd\n' }).choices).toEqual({ optimizer: 'sgd', db: null });
  });
});

describe('defaults list: errors', () => {
  const cases: Array<{ name: string; files: Record<string, string>; overrides?: GroupOverride[]; code: string; message: RegExp; hint?: RegExp }> = [
    { name: 'missing primary', files: {}, code: 'CONFIG_NOT_FOUND', message: /Cannot find primary config 'config'/ },
    {
      name: 'unknown option lists the options',
      files: { config: 'defaults:\n  - db: mysq\n' },
      code: 'GROUP_OPTION_NOT_FOUND',
      message: /Could not find 'db\/mysq'/,
      hint: /did you mean 'mysql'.*available options in 'db': mysql, postgres/,
    },
    {
      name: 'unknown group',
      files: { config: 'defaults:\n  - dbs: mysql\n' },
      code: 'GROUP_NOT_FOUND',
      message: /Could not find 'dbs\/mysql'/,
      hint: /did you mean 'db'/,
    },
    {
      name: 'mandatory choice not given',
      files: { config: 'defaults:\n  - db: ???\n' },
      code: 'DEFAULTS_MISSING_CHOICE',
      message: /You must specify 'db', e.g, db=<OPTION>/,
      hint: /mysql, postgres/,
    },
    {
      name: 'appending a group that is already selected',
      files: { config: 'defaults:\n  - db: mysql\n' },
      overrides: [{ text: '+db=postgres', index: 0, type: 'add', group: 'db', package: undefined, value: 'postgres' }],
      code: 'DEFAULTS_DUPLICATE',
      message: /Multiple values for db\. To override a value use 'override db: postgres'/,
    },
    {
      name: 'choosing a group the defaults list does not have',
      files: { config: 'defaults:\n  - optimizer: sgd\n' },
      overrides: [{ text: 'db=mysql', index: 0, type: 'change', group: 'db', package: undefined, value: 'mysql' }],
      code: 'DEFAULTS_OVERRIDE_UNUSED',
      message: /Could not override 'db'\. No match in the defaults list/,
      hint: /\+db=mysql/,
    },
    {
      name: 'deleting a group the defaults list does not have',
      files: { config: 'defaults:\n  - optimizer: sgd\n' },
      overrides: [{ text: '~db', index: 0, type: 'delete', group: 'db', package: undefined, value: undefined }],
      code: 'DEFAULTS_OVERRIDE_UNUSED',
      message: /Could not delete 'db'/,
    },
    { name: 'two _self_', files: { config: 'defaults:\n  - _self_\n  - _self_\n' }, code: 'DEFAULTS_INVALID', message: /Duplicate _self_/ },
    {
      name: 'override before a normal entry',
      files: { config: 'defaults:\n  - override db: mysql\n  - optimizer: sgd\n' },
      code: 'DEFAULTS_INVALID',
      message: /Overrides must be at the end/,
    },
    { name: 'malformed item', files: { config: 'defaults:\n  - {db: mysql, optimizer: sgd}\n' }, code: 'DEFAULTS_INVALID', message: /exactly one key/ },
    { name: '_self_ with a package', files: { config: 'defaults:\n  - _self_@x\n' }, code: 'DEFAULTS_INVALID', message: /_self_@PACKAGE is not supported/ },
    {
      name: 'interpolated choice naming an unknown key',
      files: { config: 'defaults:\n  - db: mysql\n  - optimizer: ${not_found}\n' },
      code: 'DEFAULTS_INVALID',
      message: /Error resolving interpolation '\$\{not_found\}', possible interpolation keys: db/,
    },
    {
      name: 'a nested choice is known by its group path, not its last name',
      files: {
        config: 'defaults:\n  - server: apache\n',
        'server/apache': 'defaults:\n  - db: mysql\n  - extra: ${db}\n',
        'server/db/mysql': 'd: 1',
        'server/extra/mysql': 'e: 1',
      },
      code: 'DEFAULTS_INVALID',
      message: /possible interpolation keys: server, server\/db/,
    },
    {
      name: 'legacy ${defaults.N.group} interpolation',
      files: { config: 'defaults:\n  - db: mysql\n  - optimizer: ${defaults.0.db}\n' },
      code: 'DEFAULTS_INVALID',
      message: /deprecated interpolation form/,
    },
    {
      name: 'option escaping the search path',
      files: { config: 'defaults:\n  - db: ../../etc/passwd\n' },
      code: 'PATH_ESCAPE',
      message: /would leave the config search path/,
    },
  ];
  it.each(cases)('$name', ({ files, overrides, code, message, hint }) => {
    const repo = createMemoryRepository({ ...base, ...files });
    let error: TrellisError | undefined;
    try {
      buildDefaultsTree(repo, 'config', new DefaultsOverrides(overrides ?? []));
    } catch (e) {
      error = e as TrellisError;
    }
    expect(error).toBeInstanceOf(TrellisError);
    expect(error?.code).toBe(code);
    expect(error?.message).toMatch(message);
    if (hint) expect(error?.hint).toMatch(hint);
  });

  it('points at the file and line of a bad entry', () => {
    const repo = createMemoryRepository({ ...base, config: 'defaults:\n  - db: mysql\n  - db2: x\n' });
    try {
      buildDefaultsTree(repo, 'config', new DefaultsOverrides([]));
      expect.unreachable();
    } catch (e) {
      expect((e as TrellisError).where).toMatchObject({ kind: 'file', file: 'config.yaml', line: 3, col: 10 });
    }
  });
});
