/**
 * Hydra's tests/instantiate/test_positional.py, in TypeScript. `ArgsClass(1, foo=10)` there is
 * `new ArgsClass(1, { foo: 10 })` here: keyword arguments arrive as one options object, last, and
 * only when there are some. Python's direct positional call-site arguments are `{ _args_: [...] }`.
 * The interpolation cases are left out: a job's config arrives with interpolations resolved.
 */
import { describe, expect, it } from 'vitest';
import { instantiate } from '../../../src/instantiate/instantiate.js';
import { TargetRegistry } from '../../../src/instantiate/registry.js';
import { TrellisError } from '../../../src/errors/index.js';

class ArgsClass {
  readonly all: unknown[];
  constructor(...all: unknown[]) {
    this.all = all;
  }
}
const registry = new TargetRegistry().register('tests.instantiate.ArgsClass', ArgsClass);
const T = 'tests.instantiate.ArgsClass';
const make = (...all: unknown[]) => new ArgsClass(...all);
const build = (cfg: unknown, args: Record<string, unknown> = {}) => instantiate(cfg, args, { registry });

describe('Hydra test_positional: non-recursive', () => {
  it.each([
    { id: 'config:no_params', cfg: { _target_: T }, expected: make() },
    { id: 'config:args_only', cfg: { _target_: T, _args_: [1] }, expected: make(1) },
    { id: 'config:args+kwargs', cfg: { _target_: T, _args_: [1], foo: 10 }, expected: make(1, { foo: 10 }) },
    { id: 'config:kwargs_only', cfg: { _target_: T, foo: 10 }, expected: make({ foo: 10 }) },
  ])('$id', async ({ cfg, expected }) => {
    expect(await build(cfg)).toEqual(expected);
  });

  it.each([
    { id: 'direct_args', override: { _args_: [2] }, expected: make(2) },
    { id: 'indirect_args', override: { _args_: [2] }, expected: make(2) },
    { id: 'kwargs', override: { foo: 10 }, expected: make(1, { foo: 10 }) },
    { id: 'kwargs+indirect_args', override: { foo: 10, _args_: [2] }, expected: make(2, { foo: 10 }) },
  ])('override $id', async ({ override, expected }) => {
    expect(await build({ _target_: T, _args_: [1] }, override)).toEqual(expected);
  });

  it.each([
    { id: 'unsupported-args-type', cfg: { _target_: T, _args_: { foo: 'bar' } }, keyPath: '_args_' },
    { id: 'unsupported-args-type-nested', cfg: { foo: { _target_: T, _args_: { foo: 'bar' } } }, keyPath: 'foo._args_' },
  ])('$id', async ({ cfg, keyPath }) => {
    const error = await build(cfg).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TrellisError);
    expect(error).toMatchObject({ code: 'INSTANTIATE_ARGS', keyPath });
    expect((error as TrellisError).message).toMatch(/_args_ must be a list, got \{"foo":"bar"\}/);
  });
});

describe('Hydra test_positional: recursive', () => {
  const child = { _target_: T, _args_: [2] };
  it.each([
    { id: 'config:no_params', cfg: { _target_: T, child: { _target_: T } }, expected: make({ child: make() }) },
    { id: 'config:args_only', cfg: { _target_: T, _args_: [1], child }, expected: make(1, { child: make(2) }) },
    { id: 'config:args+kwargs', cfg: { _target_: T, _args_: [1], foo: 10, child }, expected: make(1, { foo: 10, child: make(2) }) },
    { id: 'config:kwargs_only', cfg: { _target_: T, child, foo: 10 }, expected: make({ child: make(2), foo: 10 }) },
  ])('$id', async ({ cfg, expected }) => {
    expect(await build(cfg)).toEqual(expected);
  });

  const withArgs = { _target_: T, _args_: [1], child };
  it.each([
    { id: 'direct_args_not_in_nested', cfg: { _target_: T, child: { _target_: T } }, override: { _args_: [1] }, expected: make(1, { child: make() }) },
    { id: 'indirect_args', cfg: withArgs, override: { _args_: [3], child: { _args_: [4] } }, expected: make(3, { child: make(4) }) },
    { id: 'kwargs', cfg: withArgs, override: { foo: 10 }, expected: make(1, { child: make(2), foo: 10 }) },
    { id: 'kwargs+indirect_args', cfg: withArgs, override: { foo: 10, _args_: [3], child: { _args_: [4] } }, expected: make(3, { child: make(4), foo: 10 }) },
  ])('override $id', async ({ cfg, override, expected }) => {
    expect(await build(cfg, override)).toEqual(expected);
  });
});
