/**
 * The examples of Hydra's "Instantiating objects" docs (advanced/instantiate_objects/overview.md),
 * rewritten in TypeScript: Python's `instantiate(cfg, lr=0.2)` is `instantiate(cfg, { lr: 0.2 })`,
 * positional call-site arguments are `{ _args_: [...] }`, and keyword arguments reach the target
 * as one options object. Expected values are the docs' printed outputs.
 */
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { instantiate } from '../../../src/instantiate/instantiate.js';
import { TargetRegistry } from '../../../src/instantiate/registry.js';
import { repoRoot } from '../../helpers/run-cli.js';

const root = join(repoRoot, 'test', 'fixtures', 'instantiate', 'project');
const models = (name: string) => `./src/models.mjs:${name}`;
const build = <T = unknown>(config: unknown, args: Record<string, unknown> = {}, registry?: TargetRegistry) =>
  instantiate<T>(config, args, { root, ...(registry ? { registry } : {}) });

const optimizer = { _target_: models('Optimizer'), algo: 'SGD', lr: 0.01 };
const trainer = {
  _target_: models('Trainer'),
  optimizer: { _target_: models('Optimizer'), algo: 'SGD', lr: 0.01 },
  dataset: { _target_: models('Dataset'), name: 'Imagenet', path: '/datasets/imagenet' },
};
interface TrainerLike {
  optimizer: unknown;
  dataset: unknown;
}
const trainerText = (t: TrainerLike) => `Trainer(\n  optimizer=${String(t.optimizer)},\n  dataset=${String(t.dataset)}\n)`;

describe('Hydra docs: simple usage', () => {
  it.each([
    { name: 'as configured', args: {}, expected: 'Optimizer(algo=SGD,lr=0.01)' },
    { name: 'call-site override', args: { lr: 0.2 }, expected: 'Optimizer(algo=SGD,lr=0.2)' },
  ])('$name', async ({ args, expected }) => {
    expect(String(await build(optimizer, args))).toBe(expected);
  });

  it('never changes the config it was given', async () => {
    const before = structuredClone(trainer);
    await build(trainer, { optimizer: { lr: 0.3 } });
    expect(trainer).toEqual(before);
  });
});

describe('Hydra docs: recursive instantiation', () => {
  it.each([
    {
      name: 'nested objects built first',
      args: {},
      expected: 'Trainer(\n  optimizer=Optimizer(algo=SGD,lr=0.01),\n  dataset=Dataset(name=Imagenet, path=/datasets/imagenet)\n)',
    },
    {
      name: 'call-site arguments for nested objects',
      args: { optimizer: { lr: 0.3 }, dataset: { name: 'cifar10', path: '/datasets/cifar10' } },
      expected: 'Trainer(\n  optimizer=Optimizer(algo=SGD,lr=0.3),\n  dataset=Dataset(name=cifar10, path=/datasets/cifar10)\n)',
    },
  ])('$name', async ({ args, expected }) => {
    expect(trainerText(await build<TrainerLike>(trainer, args))).toBe(expected);
  });

  it('positional arguments of the object and of a nested child', async () => {
    const object = { _target_: models('Pair'), _args_: [7, 8], child: { _target_: models('Pair'), _args_: [9, 10] } };
    const obj = await build<{ args: number[]; child: { args: number[] } }>(object, { _args_: [1, 2], child: { _args_: [3, 4] } });
    expect(obj.args).toEqual([1, 2]);
    expect(obj.child.args).toEqual([3, 4]);
  });

  it('builds depth first, in key order', async () => {
    const order: string[] = [];
    const registry = new TargetRegistry().register('node', (o: { id: string }) => {
      order.push(o.id);
      return o.id;
    });
    const tree = { _target_: 'node', id: 'root', a: { _target_: 'node', id: 'a', a1: { _target_: 'node', id: 'a1' } }, b: [{ _target_: 'node', id: 'b0' }] };
    await build(tree, {}, registry);
    expect(order).toEqual(['a1', 'a', 'b0', 'root']);
  });
});

describe('Hydra docs: disable recursive instantiation', () => {
  it.each([
    { name: 'at the call site', config: trainer, args: { _recursive_: false } },
    { name: 'in the config', config: { ...trainer, _recursive_: false }, args: {} },
  ])('$name: nested configs arrive as plain data', async ({ config, args }) => {
    const t = await build<TrainerLike>(config, args);
    expect(t.optimizer).toEqual({ _target_: models('Optimizer'), algo: 'SGD', lr: 0.01 });
    expect(t.dataset).toEqual({ _target_: models('Dataset'), name: 'Imagenet', path: '/datasets/imagenet' });
  });
});

describe('Hydra docs: parameter conversion strategies', () => {
  // Our values are always plain objects and arrays, so every strategy gives what "all" gives.
  it.each(['none', 'partial', 'all'])('_convert_=%s is accepted and passes plain data', async (convert) => {
    const cfg = { _target_: models('Bar'), foo: { a: 123 } };
    for (const obj of [await build<{ foo: unknown }>(cfg, { _convert_: convert }), await build<{ foo: unknown }>({ ...cfg, _convert_: convert })]) {
      expect(obj.foo).toEqual({ a: 123 });
      expect(Object.getPrototypeOf(obj.foo)).toBe(Object.prototype);
    }
  });
});

describe('Hydra docs: partial instantiation', () => {
  it('a _partial_ node becomes a function the target completes', async () => {
    const model = { _target_: models('Model'), optim_partial: { _partial_: true, _target_: models('Optimizer'), algo: 'SGD' }, lr: 0.01 };
    expect(String(await build(model))).toBe('Model(Optimizer=Optimizer(algo=SGD,lr=0.01),lr=0.01)');
  });

  it('a partial factory builds a new object per call and reuses its built arguments', async () => {
    const barConf = { _target_: models('Bar'), foo: { _target_: models('Foo') } };
    const barFactory = await build<() => { foo: unknown }>(barConf, { _partial_: true });
    const [bar1, bar2] = [barFactory(), barFactory()];
    expect(bar1).not.toBe(bar2);
    expect(bar1.foo).toBe(bar2.foo);
    const [plain1, plain2] = [await build<{ foo: unknown }>(barConf), await build<{ foo: unknown }>(barConf)];
    expect(plain1.foo).not.toBe(plain2.foo);
  });

  it.each([
    { name: 'positional arguments come after the bound ones', config: { _target_: models('add'), _partial_: true, _args_: [2] }, call: [3], expected: 5 },
    { name: 'no options object when there are no keyword arguments', config: { _target_: models('add'), _partial_: true }, call: [1, 2], expected: 3 },
  ])('$name', async ({ config, call, expected }) => {
    const fn = await build<(...a: unknown[]) => unknown>(config);
    expect(fn(...call)).toBe(expected);
  });
});

describe('Hydra docs: instantiation of builtins, through the registry', () => {
  it('a Python target maps onto a TypeScript factory', async () => {
    const registry = new TargetRegistry().register('builtins.len', (items: unknown[]) => items.length);
    expect(await build({ _target_: 'builtins.len' }, { _args_: [[1, 2, 3]] }, registry)).toBe(3);
  });
});

describe('Hydra docs: config files example', () => {
  it.each([
    { option: { _target_: models('MySQLConnection'), host: 'localhost', user: 'root', password: 1234 }, expected: 'MySQL connecting to localhost' },
    {
      option: { _target_: models('PostgreSQLConnection'), host: 'localhost', user: 'root', password: 1234, database: 'tutorial' },
      expected: 'PostgreSQL connecting to localhost',
    },
  ])('$expected', async ({ option, expected }) => {
    expect((await build<{ connect(): string }>(option)).connect()).toBe(expected);
  });
});

describe('instantiate: the rest of its contract', () => {
  it.each([
    { name: 'null config gives null', config: null, expected: null },
    { name: 'a mapping without _target_ has its values built', config: { a: { _target_: models('add'), _args_: [1, 2] }, b: 'x' }, expected: { a: 3, b: 'x' } },
    { name: 'a list has its items built', config: [{ _target_: models('add'), _args_: [1, 1] }, 5], expected: [2, 5] },
    { name: 'a nested export path', config: { _target_: models('layers.Linear'), features: 4 }, expected: { features: 4 } },
    { name: 'an async factory is awaited', config: { _target_: models('loadLater'), value: 3 }, expected: { loaded: 3 } },
  ])('$name', async ({ config, expected }) => {
    expect(await build(config)).toEqual(expected);
  });

  it('a class is constructed with new', async () => {
    class Thing {}
    expect(await build({ _target_: 'thing' }, {}, new TargetRegistry().register('thing', Thing))).toBeInstanceOf(Thing);
  });

  // A function says whether it was called with new; returning an object makes `new` give that object.
  function probe(this: unknown) {
    return { withNew: new.target !== undefined };
  }
  it.each([
    { name: 'a function is called', config: { _target_: 'probe' }, withNew: false },
    { name: '_new_: true forces new', config: { _target_: 'probe', _new_: true }, withNew: true },
  ])('$name', async ({ config, withNew }) => {
    expect(await build(config, {}, new TargetRegistry().register('probe', probe))).toEqual({ withNew });
  });

  it('keys such as __proto__ stay own data of the options object', async () => {
    const config = JSON.parse('{"_target_": "echo", "__proto__": {"polluted": true}}') as Record<string, unknown>;
    const registry = new TargetRegistry().register('echo', (o: Record<string, unknown>) => o);
    const out = await build<Record<string, unknown>>(config, {}, registry);
    expect(Object.hasOwn(out, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(out.polluted).toBeUndefined();
  });

  it('a registered schema checks, then defaults, the options', async () => {
    const { z } = await import('zod');
    const schema = z.object({ lr: z.number(), betas: z.array(z.number()).default([0.9, 0.999]) });
    const registry = new TargetRegistry().register('torch.optim.Adam', (o: z.output<typeof schema>) => o, schema);
    expect(await build({ _target_: 'torch.optim.Adam', lr: 0.1 }, {}, registry)).toEqual({ lr: 0.1, betas: [0.9, 0.999] });
  });
});

describe('registered schemas and partials', () => {
  it('checks a partial’s options when its call completes them', async () => {
    const { z } = await import('zod');
    const schema = z.object({ lr: z.number(), params: z.array(z.number()) });
    const registry = new TargetRegistry().register('adam', (o: z.output<typeof schema>) => o, schema);
    const optimizer = await build<(o?: object) => unknown>({ _target_: 'adam', _partial_: true, lr: 0.1 }, {}, registry);
    expect(optimizer({ params: [1] })).toEqual({ lr: 0.1, params: [1] });
    expect(() => optimizer()).toThrow(/params: .*expected array/);
  });
});
