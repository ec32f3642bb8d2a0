import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { diffRuns, DIFF_CATEGORIES, type DiffCategory } from '../../../src/store/diff-runs.js';
import { explainKey } from '../../../src/store/explain-key.js';
import { findRun } from '../../../src/store/find-run.js';
import { renderDiff, renderExplanation } from '../../../src/store/render.js';
import { errorOf } from '../../helpers/errors.js';
import { tmpDir } from '../../helpers/tmp-dir.js';
import { BASE_ENV, writeRun, type SyntheticRun } from './synthetic-runs.js';

const base: SyntheticRun = {
  id: 'base',
  overrides: ['optimizer=adam', 'trainer.epochs=3'],
  resolved: { optimizer: { name: 'adam', lr: 0.01 }, trainer: { epochs: 3 }, seed: 1 },
  provenance: {
    'optimizer.name': { value: 'adam', file: 'conf/optimizer/adam.yaml', line: 1, col: 7 },
    'optimizer.lr': { value: 0.01, file: 'conf/optimizer/adam.yaml', line: 2, col: 5 },
    'trainer.epochs': { value: 3, override: 'trainer.epochs=3', overrideIndex: 1 },
  },
  inputs: [{ path: 'data/iris.csv', size: 4551, sha256: 'a'.repeat(64) }],
  metrics: { val_loss: { last: 0.2, min: 0.2, max: 0.9 } },
  result: { val_loss: 0.2 },
};

function pair(change: Partial<SyntheticRun>) {
  const root = tmpDir();
  const a = findRun(writeRun(join(root, 'a'), base), { cwd: root });
  const b = findRun(writeRun(join(root, 'b'), { ...base, id: 'other', ...change }), { cwd: root });
  return diffRuns(a, b);
}

describe('runs diff: one table row per category', () => {
  it.each<{ name: string; category: DiffCategory; change: Partial<SyntheticRun>; entry: Record<string, unknown> }>([
    { name: 'a group choice', category: 'choices', change: { choices: { optimizer: 'sgd' } }, entry: { key: 'optimizer', a: 'adam', b: 'sgd' } },
    {
      name: 'a config value, with where each side came from',
      category: 'config',
      change: {
        resolved: { optimizer: { name: 'adam', lr: 0.1 }, trainer: { epochs: 3 }, seed: 1 },
        provenance: { ...base.provenance, 'optimizer.lr': { value: 0.1, override: 'optimizer.lr=0.1', overrideIndex: 2 } },
      },
      entry: { key: 'optimizer.lr', a: 0.01, b: 0.1, aFrom: 'conf/optimizer/adam.yaml:2:5', bFrom: "override 'optimizer.lr=0.1'" },
    },
    {
      name: 'a config key only one run has',
      category: 'config',
      change: { resolved: { optimizer: { name: 'adam', lr: 0.01, eps: 1e-8 }, trainer: { epochs: 3 }, seed: 1 } },
      entry: { key: 'optimizer.eps', b: 1e-8 },
    },
    {
      name: 'an override',
      category: 'overrides',
      change: { overrides: ['optimizer=adam', 'trainer.epochs=5'] },
      entry: { key: 'trainer.epochs', a: 'trainer.epochs=3', b: 'trainer.epochs=5' },
    },
    { name: 'the master seed', category: 'seeds', change: { seeds: { master: 2, derived: { init: 7 } } }, entry: { key: 'master', a: 1, b: 2 } },
    { name: 'a derived seed', category: 'seeds', change: { seeds: { master: 1, derived: { init: 8 } } }, entry: { key: 'derived.init', a: 7, b: 8 } },
    {
      name: "an input's hash",
      category: 'inputs',
      change: { inputs: [{ path: 'data/iris.csv', size: 4551, sha256: 'b'.repeat(64) }] },
      entry: { key: 'data/iris.csv', a: `sha256 ${'a'.repeat(64)} (4551 bytes)`, b: `sha256 ${'b'.repeat(64)} (4551 bytes)` },
    },
    {
      name: 'the git commit',
      category: 'git',
      change: { git: { available: true, commit: 'b'.repeat(40), branch: 'main', remote: null, dirty: false, untracked: [] } },
      entry: { key: 'commit', a: 'a'.repeat(40), b: 'b'.repeat(40) },
    },
    {
      name: 'the dirty diff',
      category: 'git',
      change: {
        git: { available: true, commit: 'a'.repeat(40), branch: 'main', remote: null, dirty: true, untracked: [] },
        gitDiff: 'diff --git a/x b/x\n--- a/x\n+++ b/x\n@@ -1 +1 @@\n-old\n+new\n',
      },
      entry: { key: 'diff', a: 'clean' },
    },
    {
      name: 'a package version',
      category: 'packages',
      change: { env: { ...BASE_ENV, packages: { ...BASE_ENV.packages, dependencies: { zod: { spec: '^4.6.7', installed: '4.7.0' } } } } },
      entry: { key: 'dependencies.zod', a: '4.6.7', b: '4.7.0' },
    },
    {
      name: 'a node_modules that no longer matches the lock file',
      category: 'packages',
      change: { env: { ...BASE_ENV, packages: { ...BASE_ENV.packages, dependencies: { zod: { spec: '^4.6.7', installed: '4.6.8', locked: '4.6.7' } } } } },
      entry: { key: 'dependencies.zod', a: '4.6.7', b: '4.6.8 (lock file: 4.6.7)' },
    },
    {
      name: 'the lock file',
      category: 'packages',
      change: { env: { ...BASE_ENV, packages: { ...BASE_ENV.packages, lockfileSha256: 'd'.repeat(64) } } },
      entry: { key: 'lockfile.sha256', b: 'd'.repeat(64) },
    },
    {
      name: 'an environment variable the config read',
      category: 'runtime',
      change: { env: { ...BASE_ENV, config_env: { DB_PORT: '3306', DB_HOST: null } } },
      entry: { key: 'config_env.DB_PORT', b: '3306' },
    },
    {
      name: 'the Node version',
      category: 'runtime',
      change: { env: { ...BASE_ENV, runtime: { ...BASE_ENV.runtime, node: '22.1.0' } } },
      entry: { key: 'runtime.node', a: process.versions.node, b: '22.1.0' },
    },
    {
      name: 'a selected env var',
      category: 'runtime',
      change: { env: { ...BASE_ENV, env: { LANG: 'C.UTF-8', CUDA_VISIBLE_DEVICES: '1' } } },
      entry: { key: 'env.CUDA_VISIBLE_DEVICES', b: '1' },
    },
    {
      name: 'a metric summary',
      category: 'metrics',
      change: { metrics: { val_loss: { last: 0.2, min: 0.15, max: 0.9 } } },
      entry: { key: 'val_loss.min', a: 0.2, b: 0.15 },
    },
    { name: 'the return value', category: 'metrics', change: { result: { val_loss: 0.3 } }, entry: { key: 'result.val_loss', a: 0.2, b: 0.3 } },
    { name: 'the status', category: 'metrics', change: { status: 'failed' }, entry: { key: 'status', a: 'completed', b: 'failed' } },
  ])('$name', ({ category, change, entry }) => {
    const d = pair(change);
    expect(d.categories[category]).toContainEqual(expect.objectContaining(entry));
  });

  it.each([
    { name: 'an absolute entry and config dir against relative ones from the same cwd', change: { entry: '/p/app.mjs', configDir: '/p/conf' }, same: true },
    { name: 'a relative path with ./ and ..', change: { entry: './sub/../app.mjs' }, same: true },
    { name: 'another script', change: { entry: '/p/other.mjs' }, same: false },
    { name: 'the same relative entry from another cwd', change: { cwd: '/q' }, same: false },
  ])('command paths compare by where they point: $name', ({ change, same }) => {
    const entries = pair(change).categories.command.map((e) => e.key);
    if (same) expect(entries).toEqual([]);
    else expect(entries).toContain('entry');
  });

  it("ignores the variables trellis hands a rerun or a sweep's job, which differ by construction", () => {
    const d = pair({
      env: { ...BASE_ENV, env: { ...BASE_ENV.env, TRELLIS_REPRODUCES: 'outputs/x', TRELLIS_MASTER_SEED: '7', TRELLIS_JOB_NUM: '3', TRELLIS_MODE: 'fast' } },
    });
    expect(d.categories.runtime.map((e) => e.key)).toEqual(['env.TRELLIS_MODE']);
  });

  it('shows nothing for two runs with the same records', () => {
    const d = pair({});
    for (const c of DIFF_CATEGORIES) expect(d.categories[c], c).toEqual([]);
    expect(d.inputsDiffer).toBe(false);
    expect(d.outcomesDiffer).toBe(false);
  });

  it('when outcomes differ, shows the recorded input that differs', () => {
    const d = pair({ seeds: { master: 9, derived: { init: 7 } }, metrics: { val_loss: { last: 0.25, min: 0.25, max: 0.9 } } });
    expect(d.outcomesDiffer).toBe(true);
    expect(d.inputsDiffer).toBe(true);
    expect(
      Object.entries(d.categories)
        .filter(([c, e]) => c !== 'metrics' && e.length)
        .map(([c]) => c),
    ).toEqual(['seeds']);
  });

  it('renders categories with both sides and the same ones in one line', () => {
    const d = pair({ choices: { optimizer: 'sgd' }, seeds: { master: 2, derived: { init: 7 } } });
    const text = renderDiff(d, { a: 'a', b: 'b' });
    expect(text).toContain('choices\n  optimizer  adam → sgd\n');
    expect(text).toContain('seeds\n  master  1 → 2\n');
    expect(text).toContain('same: config, overrides, inputs, git, packages, runtime, command, metrics');
  });

  it('says so when outcomes differ and no recorded input does', () => {
    const text = renderDiff(pair({ metrics: { val_loss: { last: 0.3, min: 0.3, max: 0.9 } } }), { a: 'a', b: 'b' });
    expect(text).toContain('The outcomes differ but no recorded input does');
  });
});

/** The records the demo writes for `optimizer=adam` (conf/ of the repository), checked by hand. */
const demo: SyntheticRun = {
  id: 'demo',
  overrides: ['optimizer=adam', 'dataset.features=5'],
  config: {
    model: { name: 'linear', features: '${dataset.features}', classes: '${dataset.classes}' },
    optimizer: { name: 'adam', lr: 0.01 },
    dataset: { name: 'iris', features: 5, classes: 3 },
    name: 'iris-${model.name}',
    home: '${oc.env:HOME,/tmp}-${name}',
  },
  resolved: {
    model: { name: 'linear', features: 5, classes: 3 },
    optimizer: { name: 'adam', lr: 0.01 },
    dataset: { name: 'iris', features: 5, classes: 3 },
    name: 'iris-linear',
    home: '/root-iris-linear',
  },
  choices: { model: 'linear', optimizer: 'adam', dataset: 'iris' },
  defaults: [
    { config: 'model/linear', package: 'model', parent: 'config' },
    { config: 'optimizer/adam', package: 'optimizer', parent: 'config' },
    { config: 'dataset/iris', package: 'dataset', parent: 'config' },
    { config: 'config', package: '', parent: null },
  ],
  provenance: {
    'model.name': { value: 'linear', file: 'conf/model/linear.yaml', line: 2, col: 7 },
    'model.features': { value: '${dataset.features}', file: 'conf/model/linear.yaml', line: 3, col: 11 },
    'optimizer.lr': { value: 0.01, file: 'conf/optimizer/adam.yaml', line: 2, col: 5 },
    'dataset.features': { value: 5, override: 'dataset.features=5', overrideIndex: 1 },
    name: { value: 'iris-${model.name}', file: 'conf/config.yaml', line: 9, col: 7 },
    home: { value: '${oc.env:HOME,/tmp}-${name}', file: 'conf/config.yaml', line: 10, col: 7 },
  },
};

describe('explain', () => {
  const run = () => {
    const root = tmpDir();
    return findRun(writeRun(join(root, 'r'), demo), { cwd: root });
  };

  it('gives the file and the group option chosen by an override', () => {
    const e = explainKey(run(), 'optimizer.lr');
    expect(e).toMatchObject({
      key: 'optimizer.lr',
      value: 0.01,
      origin: { kind: 'file', file: 'conf/optimizer/adam.yaml', line: 2, col: 5 },
      group: { config: 'optimizer/adam', group: 'optimizer', option: 'adam', chosenBy: "override 'optimizer=adam'" },
      references: [],
    });
  });

  it('gives the defaults list when no override chose the option', () => {
    expect(explainKey(run(), 'model.name').group).toEqual({
      config: 'model/linear',
      group: 'model',
      option: 'linear',
      chosenBy: 'the defaults list of config',
    });
  });

  it('follows an interpolation to the override that set its target', () => {
    const e = explainKey(run(), 'model.features');
    expect(e).toMatchObject({ composed: '${dataset.features}', value: 5, origin: { kind: 'file', file: 'conf/model/linear.yaml', line: 3, col: 11 } });
    expect(e.references).toEqual([
      {
        text: '${dataset.features}',
        kind: 'node',
        step: {
          key: 'dataset.features',
          composed: 5,
          value: 5,
          origin: { kind: 'override', text: 'dataset.features=5', index: 1 },
          group: null,
          references: [],
        },
      },
    ]);
  });

  it('follows chains through resolvers and nested references', () => {
    const e = explainKey(run(), 'home');
    expect(e.value).toBe('/root-iris-linear');
    expect(e.references.map((r) => [r.kind, r.text])).toEqual([
      ['resolver', '${oc.env:HOME,/tmp}'],
      ['node', '${name}'],
    ]);
    const name = e.references[1]!;
    expect(name.kind === 'node' && name.step.references.map((r) => (r.kind === 'node' ? [r.step.key, r.step.value, r.step.origin] : r.kind))).toEqual([
      ['model.name', 'linear', { kind: 'file', file: 'conf/model/linear.yaml', line: 2, col: 7 }],
    ]);
    const text = renderExplanation(e, 'r');
    expect(text).toContain(
      'home = ${oc.env:HOME,/tmp}-${name} → /root-iris-linear\n  set at conf/config.yaml:10:7\n  from config config, chosen by the primary config\n',
    );
    expect(text).toContain('  ${name} refers to:\n    name = iris-${model.name} → iris-linear\n');
  });

  it('names a missing key with a suggestion', () => {
    const e = errorOf(() => explainKey(run(), 'optimizer.lrate'));
    expect(e.code).toBe('KEY_NOT_FOUND');
    expect(e.hint).toMatch(/^did you mean 'optimizer.lr'/);
  });
});
