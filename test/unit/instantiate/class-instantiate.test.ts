/**
 * Hydra's test_class_instantiate (tests/instantiate/test_instantiate.py), in TypeScript, each row
 * with `_recursive_` true and false, checking that the config given is never changed. A partial is
 * compared as Hydra's partial_equal does in effect: completing both calls gives equal objects.
 * Rows about Python specifics (class methods bound to a nested instance, builtins.int, structured
 * config classes, interpolation) are left out.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instantiate } from '../../../src/instantiate/instantiate.js';
import { repoRoot } from '../../helpers/run-cli.js';

const root = join(repoRoot, 'test', 'fixtures', 'instantiate', 'project');
const m = (await import(join(root, 'src', 'models.mjs'))) as Record<string, new (o: object) => object> & {
  module_function: (o: { x: unknown }) => unknown;
  AClass: (new (o: object) => object) & { static_method: (o: { z: unknown }) => unknown };
};
const t = (name: string) => `./src/models.mjs:${name}`;
const illegal = new m.IllegalType!({});

interface Row {
  id: string;
  src: unknown;
  passthrough: Record<string, unknown>;
  /** The value expected, or for a partial: how to complete it, and what that gives. */
  expected?: unknown;
  partial?: { call: unknown[]; gives: unknown };
}

const rows: Row[] = [
  { id: 'class', src: { _target_: t('AClass'), a: 10, b: 20, c: 30, d: 40 }, passthrough: {}, expected: new m.AClass({ a: 10, b: 20, c: 30, d: 40 }) },
  {
    id: 'class+partial',
    src: { _target_: t('AClass'), _partial_: true, a: 10, b: 20, c: 30 },
    passthrough: {},
    partial: { call: [], gives: new m.AClass({ a: 10, b: 20, c: 30 }) },
  },
  {
    id: 'class+override',
    src: { _target_: t('AClass'), b: 20, c: 30 },
    passthrough: { a: 10, d: 40 },
    expected: new m.AClass({ a: 10, b: 20, c: 30, d: 40 }),
  },
  {
    id: 'class+override+partial1',
    src: { _target_: t('AClass'), b: 20, c: 30 },
    passthrough: { a: 10, _partial_: true },
    partial: { call: [], gives: new m.AClass({ a: 10, b: 20, c: 30 }) },
  },
  {
    id: 'class+override+partial2',
    src: { _target_: t('AClass'), _partial_: true, c: 30 },
    passthrough: { a: 10, d: 40 },
    partial: { call: [{ b: 2 }], gives: new m.AClass({ a: 10, b: 2, c: 30, d: 40 }) },
  },
  { id: 'static_method+partial', src: { _target_: t('AClass.static_method'), _partial_: true }, passthrough: {}, partial: { call: [{ z: 43 }], gives: 43 } },
  { id: 'static_method', src: { _target_: t('AClass.static_method'), z: 43 }, passthrough: {}, expected: 43 },
  {
    id: 'call_function_in_module+partial',
    src: { _target_: t('module_function'), _partial_: true },
    passthrough: {},
    partial: { call: [{ x: 43 }], gives: 43 },
  },
  { id: 'call_function_in_module', src: { _target_: t('module_function'), x: 43 }, passthrough: {}, expected: 43 },
  {
    id: 'instantiate_respects_default_value+partial',
    src: { _target_: t('AClass') },
    passthrough: { a: 10, b: 20, _partial_: true, d: 'new_default' },
    partial: { call: [], gives: new m.AClass({ a: 10, b: 20, d: 'new_default' }) },
  },
  {
    id: 'instantiate_respects_default_value',
    src: { _target_: t('AClass') },
    passthrough: { a: 10, b: 20, c: 30 },
    expected: new m.AClass({ a: 10, b: 20, c: 30, d: 'default_value' }),
  },
  { id: 'passthrough', src: { _target_: t('AClass') }, passthrough: { a: 10, b: 20, c: 30 }, expected: new m.AClass({ a: 10, b: 20, c: 30 }) },
  {
    id: 'oc_incompatible_passthrough',
    src: { _target_: t('AClass') },
    passthrough: { a: 10, b: 20, c: 30, d: { x: illegal } },
    expected: new m.AClass({ a: 10, b: 20, c: 30, d: { x: illegal } }),
  },
  {
    id: 'passthrough:list+partial',
    src: { _target_: t('AClass'), _partial_: true },
    passthrough: { a: 10, b: 20, d: { x: [10, illegal] } },
    partial: { call: [], gives: new m.AClass({ a: 10, b: 20, d: { x: [10, illegal] } }) },
  },
  {
    id: 'keywords_in_params',
    src: { _target_: t('KeywordsInParamsClass') },
    passthrough: { target: 'foo', partial: 'bar' },
    expected: new m.KeywordsInParamsClass!({ target: 'foo', partial: 'bar' }),
  },
  { id: 'list_as_toplevel0', src: [], passthrough: {}, expected: [] },
  {
    id: 'list_as_toplevel2',
    src: [
      { _target_: t('AClass'), a: 10, b: 20, c: 30, d: 40 },
      { _target_: t('BClass'), a: 50, b: 60, c: 70, d: 80 },
    ],
    passthrough: {},
    expected: [new m.AClass({ a: 10, b: 20, c: 30, d: 40 }), new m.BClass!({ a: 50, b: 60, c: 70, d: 80 })],
  },
];

describe('Hydra test_class_instantiate', () => {
  for (const recursive of [false, true]) {
    it.each(rows)(`$id (${recursive ? 'recursive' : 'not_recursive'})`, async ({ src, passthrough, expected, partial }) => {
      const before = structuredClone(src);
      const obj = await instantiate(src, { ...passthrough, _recursive_: recursive }, { root });
      if (partial) {
        expect(typeof obj).toBe('function');
        expect((obj as (...a: unknown[]) => unknown)(...partial.call)).toStrictEqual(partial.gives);
      } else expect(obj).toStrictEqual(expected);
      expect(src).toEqual(before);
    });
  }

  it('list_of_partial_class: each item keeps its own _partial_', async () => {
    const list = await instantiate<[() => unknown, unknown]>(
      [
        { _target_: t('AClass'), _partial_: true, a: 10, b: 20, c: 30 },
        { _target_: t('BClass'), a: 50, b: 60, c: 70 },
      ],
      {},
      { root },
    );
    expect(list[0]()).toEqual(new m.AClass({ a: 10, b: 20, c: 30 }));
    expect(list[1]).toEqual(new m.BClass!({ a: 50, b: 60, c: 70 }));
  });

  it('passes call-site objects through as the same objects', async () => {
    const obj = (await instantiate({ _target_: t('AClass') }, { a: illegal }, { root })) as { a: unknown };
    expect(obj.a).toBe(illegal);
  });
});
