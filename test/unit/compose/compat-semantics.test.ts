/**
 * Composition corner cases with the results the real Hydra 1.3.2 / OmegaConf 2.2.2 give
 * (OmegaConf cases were run on OmegaConf 2.2.2 with Hydra's `_apply_overrides_to_config` logic;
 * defaults-list cases come from Hydra's tests/defaults_list and its documented behaviour).
 */
import { describe, expect, it } from 'vitest';
import { compose } from '../../../src/compose/compose.js';
import { createResolveContext, dereferenceFor, resolveTreeWith } from '../../../src/config-dir/resolve.js';
import { resolveValueAt } from '../../../src/interpolate/index.js';
import { createMemoryRepository } from '../../../src/sources/memory-repository.js';
import { TrellisError } from '../../../src/errors/index.js';
import { tagged } from '../../helpers/plain.js';

function composeResolved(files: Record<string, string>, overrides: string[] = [], configName = 'config'): unknown {
  const ctx = createResolveContext({ env: {} });
  const c = compose({
    repo: createMemoryRepository(files),
    configName,
    overrides,
    dereference: dereferenceFor(ctx),
    strictDereference: (root, path) => resolveValueAt(root, path, ctx, { strict: true }),
  });
  return tagged(resolveTreeWith(c.config, { env: {}, runtime: c.runtime, choices: c.choices }));
}

interface Case {
  name: string;
  files: Record<string, string>;
  overrides?: string[];
  expected?: unknown;
  error?: string;
}

const one = (yaml: string) => ({ config: yaml });

const valueOverrides: Case[] = [
  // OmegaConf.update never dereferences the node it writes to: `${b}` is replaced, not merged into.
  {
    name: 'a dict onto an interpolation replaces it',
    files: one('b: {x: 1, y: 2}\na: ${b}\n'),
    overrides: ['a={x:9}'],
    expected: { b: { x: 1, y: 2 }, a: { x: 9 } },
  },
  { name: 'a key below an interpolation needs ++', files: one('b: {x: 1, y: 2}\na: ${b}\n'), overrides: ['a.x=5'], error: 'OVERRIDE_KEY_MISSING' },
  {
    name: '++ below an interpolation starts a new dict',
    files: one('b: {x: 1, y: 2}\na: ${b}\n'),
    overrides: ['++a.x=5'],
    expected: { b: { x: 1, y: 2 }, a: { x: 5 } },
  },
  {
    name: '+ below an interpolation starts a new dict',
    files: one('b: {x: 1, y: 2}\na: ${b}\n'),
    overrides: ['+a.z=9'],
    expected: { b: { x: 1, y: 2 }, a: { z: 9 } },
  },
  // Struct mode holds at every depth of a merged dict, and inside list elements.
  { name: 'a new nested key in a merged dict', files: one('a:\n  b:\n    c: 1\n'), overrides: ['a={b:{d:2}}'], error: 'OVERRIDE_KEY_MISSING' },
  {
    name: 'a new key merged into a dict through an inner interpolation',
    files: one('a:\n  b: ${c}\nc: {x: 1}\n'),
    overrides: ['a={b:{y:2}}'],
    error: 'OVERRIDE_KEY_MISSING',
  },
  {
    name: 'an inner interpolation is merged into a copy of its target',
    files: one('a:\n  b: ${c}\nc: {x: 1}\n'),
    overrides: ['++a={b:{y:2}}'],
    expected: { a: { b: { x: 1, y: 2 } }, c: { x: 1 } },
  },
  { name: 'a new key in a list element', files: one('l:\n  - a: 1\n'), overrides: ['l.0={b:2}'], error: 'OVERRIDE_KEY_MISSING' },
  { name: 'an existing key in a list element', files: one('l:\n  - a: 1\n'), overrides: ['l.0={a:2}'], expected: { l: [{ a: 2 }] } },
  { name: '++ through a scalar list element', files: one('l: [1, 2]\n'), overrides: ['++l.0.x=2'], expected: { l: [{ x: 2 }, 2] } },
  // OmegaConf.select (used by + and ~) raises where the path cannot be resolved.
  { name: '+ through a broken interpolation', files: one('a: x${c}\nb: {}\n'), overrides: ['+a.b=7'], error: 'INTERPOLATION_KEY_MISSING' },
  { name: '+ through a recursive interpolation', files: one('b: ${b}\n'), overrides: ['+b.b.a=v'], error: 'INTERPOLATION_CYCLE' },
  { name: '+ with a word as a list index', files: one('a: [1]\n'), overrides: ['+a.x=null'], error: 'OVERRIDE_INVALID' },
  {
    name: '+ with a word indexing a list reached through an interpolation',
    files: one('a: ${b}\nb: []\n'),
    overrides: ['+a.c.0=7'],
    error: 'OVERRIDE_INVALID',
  },
  { name: '~ of a recursive interpolation', files: one('a: ${a}\nc: 1\n'), overrides: ['~a'], error: 'INTERPOLATION_CYCLE' },
  { name: '~ of a list element', files: one('c: [1.5, 2]\n'), overrides: ['~c.0'], error: 'OVERRIDE_INVALID' },
  { name: '+ through a scalar replaces it', files: one('a: 1\n'), overrides: ['+a.b=2'], expected: { a: { b: 2 } } },
  { name: '+ through ??? replaces it', files: one('a: ???\n'), overrides: ['+a.b=2'], expected: { a: { b: 2 } } },
];

const merges: Case[] = [
  // `${oc.decode:...}` gives a plain list: not a container to merge into or to index.
  {
    name: 'a dict merged onto an oc.decode list replaces it',
    files: { config: 'defaults:\n  - l0\n  - l1\n  - _self_\n', l0: "b: ${oc.decode:'[1,2]'}\n", l1: 'b: {c: 1}\n' },
    expected: { b: { c: 1 } },
  },
  {
    name: 'a later dict replaces an oc.decode interpolation',
    files: { config: 'defaults:\n  - l0\n  - _self_\na: {}\n', l0: "b: 2\na: ${oc.decode:'[1,2]'}\n" },
    expected: { b: 2, a: {} },
  },
  { name: 'an index into an oc.decode result', files: one("a: ${oc.decode:'[1,2]'}\nc: ${a.0}\n"), error: 'INTERPOLATION_TYPE' },
  { name: 'an index into an oc.create result', files: one("a: ${oc.create:${oc.decode:'[1,2]'}}\nc: ${a.0}\n"), expected: { a: [1, 2], c: 1 } },
  // `???` merged onto `${x}` keeps a copy of the container x, resolved where it now sits.
  {
    name: '??? onto an interpolation of a list keeps a copy',
    files: { config: 'defaults:\n  - l0\n  - _self_\nc: ???\na: 2.0\n', l0: 'a:\n  - x${a}\n  - {}\nc: ${.a}\n' },
    expected: { a: { $float: 2 }, c: ['x2.0', {}] },
  },
  // `_validate_not_dereferencing_to_parent` also applies inside a string.
  { name: 'an ancestor inside a string interpolation', files: one('a:\n  b: x${a}\n'), error: 'INTERPOLATION_CYCLE' },
  { name: 'the root inside a string interpolation through a path', files: one('c: ${a}\na:\n  b: x${c}\n'), error: 'INTERPOLATION_CYCLE' },
  { name: 'a sibling inside a string interpolation', files: one('a:\n  b: x${a.c}\n  c: 1\n'), expected: { a: { b: 'x1', c: 1 } } },
];

// Hydra 1.3.2 (hydra.compose) on each of these, run while checking this file.
const globalDb = {
  config: 'defaults:\n  - db@_global_: mysql\n  - _self_\nk: 1\n',
  'db/mysql': 'host: m\n',
  'db/postgres': 'host: p\n',
};
const defaultsAndHeaders: Case[] = [
  // An entry moved to the root package is overridden as group@_global_ (DefaultElement.get_override_key).
  { name: 'group@_global_ is the key of an entry at the root', files: globalDb, overrides: ['db@_global_=postgres'], expected: { host: 'p', k: 1 } },
  { name: 'the bare group is not that key', files: globalDb, overrides: ['db=postgres'], error: 'DEFAULTS_OVERRIDE_UNUSED' },
  { name: '~group@_global_ deletes the entry', files: globalDb, overrides: ['~db@_global_'], expected: { k: 1 } },
  { name: '~group does not', files: globalDb, overrides: ['~db'], error: 'DEFAULTS_OVERRIDE_UNUSED' },
  { name: '+group adds the group at its own package', files: globalDb, overrides: ['+db=postgres'], expected: { host: 'm', k: 1, db: { host: 'p' } } },
  {
    name: 'group and group@_here_ at the root are two entries',
    files: { config: 'defaults:\n  - pk: one\n  - pk@_here_: two\n', 'pk/one': 'p1: 1\n', 'pk/two': 'p2: 2\n' },
    expected: { pk: { p1: 1 }, p2: 2 },
  },
  // ConfigSource._get_header_dict: the header ends at the first line that is not `# @…`.
  {
    name: 'a plain comment before # @package ends the header',
    files: { config: 'lr: 1\n', 'experiment/fast': '# Experiment: fast baseline\n# @package _global_\nlr: 5\n' },
    overrides: ['+experiment=fast'],
    expected: { lr: 1, experiment: { lr: 5 } },
  },
  {
    name: 'blank lines before and inside the header are skipped',
    files: { config: 'lr: 1\n', 'experiment/fast': '\n# @package _global_\n\n# @other x\nlr: 5\n' },
    overrides: ['+experiment=fast'],
    expected: { lr: 5 },
  },
  { name: '# @package with two words', files: { config: 'defaults:\n  - g: a\n', 'g/a': '# @package a b\nx: 1\n' }, error: 'YAML_SYNTAX' },
  { name: '# @package with no value', files: { config: 'defaults:\n  - g: a\n', 'g/a': '# @package\nx: 1\n' }, error: 'YAML_SYNTAX' },
  // Hydra's own groups have an implicit entry in every defaults list (hydra/conf/config.yaml).
  {
    name: "an override of one of Hydra's groups when the config dir has options of it",
    files: { config: 'defaults:\n  - override hydra/job_logging: custom\n  - _self_\nx: 1\n', 'hydra/job_logging/custom': 'version: 1\n' },
    expected: { x: 1 },
  },
  {
    name: "a command-line choice in one of Hydra's groups the config dir has",
    files: { config: 'x: 1\n', 'hydra/launcher/mine': 'a: 1\n' },
    overrides: ['hydra/launcher=joblib', '~hydra/job_logging'],
    expected: { x: 1 },
  },
  // _extract_defaults_list: "defaults must be a list (got mapping)".
  { name: 'defaults as a mapping that names a group', files: { config: 'defaults:\n  db: mysql\nx: 1\n', 'db/mysql': 'host: m\n' }, error: 'DEFAULTS_INVALID' },
  { name: 'defaults as a group name', files: { config: 'defaults: db\n', 'db/mysql': 'host: m\n' }, error: 'DEFAULTS_INVALID' },
];

function check(c: Case): void {
  if (c.error !== undefined) {
    let error: unknown;
    try {
      composeResolved(c.files, c.overrides);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrellisError);
    expect((error as TrellisError).code).toBe(c.error);
    return;
  }
  expect(composeResolved(c.files, c.overrides)).toEqual(c.expected);
}

describe('value overrides (Hydra _apply_overrides_to_config on OmegaConf.update/select)', () => {
  it.each(valueOverrides)('$name', check);
});

describe('merging and resolving (OmegaConf 2.2.2)', () => {
  it.each(merges)('$name', check);
});

describe('defaults lists and package headers (Hydra 1.3.2)', () => {
  it.each(defaultsAndHeaders)('$name', check);

  it("records the choice made in one of Hydra's groups, for the sweep settings", () => {
    const composition = compose({
      repo: createMemoryRepository({ config: 'x: 1\n', 'hydra/launcher/mine': 'a: 1\n' }),
      configName: 'config',
      overrides: ['hydra/launcher=joblib'],
    });
    expect(composition.choices['hydra/launcher']).toBe('joblib');
  });

  it('warns about a key of hydra.run, hydra.sweep or hydra.job that Hydra does not have (a typo would be ignored)', () => {
    const composition = compose({
      repo: createMemoryRepository({ config: 'hydra:\n  job:\n    chdr: true\nx: 1\n' }),
      configName: 'config',
      overrides: ['hydra.run.dri=out', 'trellis.sweep.subdir=s', 'hydra.job.name=n'],
    });
    expect(composition.warnings).toEqual([
      "hydra.run.dri is not a key of hydra.run, and nothing reads it (did you mean 'dir'?)",
      "hydra.job.chdr is not a key of hydra.job, and nothing reads it (did you mean 'chdir'?)",
    ]);
  });

  it('an interpolation that fails while ~key reads its value names the override', () => {
    let error: unknown;
    try {
      composeResolved({ config: 'a: ???\nb: ${a}\n' }, ['~b=5', 'a=5']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrellisError);
    const e = error as TrellisError;
    expect(e.message).toMatch(/^Error merging override '~b=5': /);
    expect(e.where).toMatchObject({ kind: 'override', text: '~b=5' });
    expect(e.hint).toContain('overrides apply in the order given');
  });

  it('a header error points at its line', () => {
    let error: unknown;
    try {
      composeResolved({ config: 'defaults:\n  - g: a\n', 'g/a': '\n# @package a b\nx: 1\n' });
    } catch (e) {
      error = e;
    }
    expect((error as TrellisError).message).toBe("Too many components in '@package a b'");
    expect((error as TrellisError).where).toMatchObject({ kind: 'file', file: 'g/a.yaml', line: 2 });
  });
});
