import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../../src/errors/index.js';
import { ResolverRegistry, createDefaultResolvers, resolveTree, selectNode, type ResolveContext } from '../../../src/interpolate/index.js';
import { dictNode, listNode, setKey, valueNode, type Node } from '../../../src/tree/node.js';
import { context, encode, f, map, thrown, tree } from './helpers.js';

const F = (repr: string) => ({ $float: repr });

function run(config: unknown, over: Partial<ResolveContext> = {}): unknown {
  return encode(resolveTree(tree(config), context(over)));
}

interface Row {
  name: string;
  config: unknown;
  env?: Record<string, string>;
  expected: unknown;
}

describe('oc.env', () => {
  it.each<Row>([
    { name: 'set', config: { v: '${oc.env:TRELLIS_T_A}' }, env: { TRELLIS_T_A: 'x' }, expected: { v: 'x' } },
    { name: 'set to a number stays text', config: { v: '${oc.env:TRELLIS_T_A}' }, env: { TRELLIS_T_A: '42' }, expected: { v: '42' } },
    { name: 'string default', config: { v: '${oc.env:TRELLIS_T_U,8080}' }, expected: { v: '8080' } },
    { name: 'float default is rendered with str()', config: { v: '${oc.env:TRELLIS_T_U,5.5}' }, expected: { v: '5.5' } },
    { name: 'bool default is rendered with str()', config: { v: '${oc.env:TRELLIS_T_U,true}' }, expected: { v: 'True' } },
    { name: 'null default gives null', config: { v: '${oc.env:TRELLIS_T_U,null}' }, expected: { v: null } },
    { name: 'interpolated default', config: { d: 3, v: '${oc.env:TRELLIS_T_U,${d}}' }, expected: { d: 3, v: '3' } },
    { name: 'set but empty gives "" not the default', config: { v: '${oc.env:TRELLIS_T_E,dflt}' }, env: { TRELLIS_T_E: '' }, expected: { v: '' } },
    {
      name: '${} in the variable is never resolved',
      config: { b: 1, v: '${oc.env:TRELLIS_T_R}' },
      env: { TRELLIS_T_R: '${b}' },
      expected: { b: 1, v: '${b}' },
    },
    { name: 'inside a string', config: { v: '/data/${oc.env:TRELLIS_T_A}/x' }, env: { TRELLIS_T_A: 'me' }, expected: { v: '/data/me/x' } },
  ])('$name', ({ config, env, expected }) => {
    expect(run(config, { env: env ?? {} })).toEqual(expected);
  });

  it.each([
    { name: 'token', variable: 'GITHUB_TOKEN', secret: true },
    { name: 'lower-case password', variable: 'db_password', secret: true },
    { name: 'api key', variable: 'WANDB_API_KEY', secret: true },
    { name: 'AWS prefix', variable: 'AWS_REGION', secret: true },
    { name: 'credentials', variable: 'GOOGLE_CREDENTIALS', secret: true },
    { name: 'secret', variable: 'MY_SECRET', secret: true },
    { name: 'an ordinary variable', variable: 'HOME', secret: false },
  ])('records secret values: $name', ({ variable, secret }) => {
    const ctx = context({ env: { [variable]: 's3cr3t' } });
    resolveTree(tree({ v: `\${oc.env:${variable}}` }), ctx);
    expect(ctx.secrets.has('s3cr3t')).toBe(secret);
  });

  it('a variable name that is not a string is a type error', () => {
    const error = thrown(() => run({ v: '${oc.env:123}' }));
    expect([error.code, error.keyPath]).toEqual(['INTERPOLATION_TYPE', 'v']);
  });
});

describe('oc.select', () => {
  it.each<Row>([
    { name: 'absolute', config: { k: 10, a: { v: '${oc.select:k}' } }, expected: { k: 10, a: { v: 10 } } },
    { name: 'relative', config: { a: { k: 20, v: '${oc.select:.k, zzz}' } }, expected: { a: { k: 20, v: 20 } } },
    { name: 'relative up', config: { k: 10, a: { v: '${oc.select:..k}' } }, expected: { k: 10, a: { v: 10 } } },
    { name: 'absent with default', config: { v: '${oc.select:zz, 10}' }, expected: { v: 10 } },
    { name: 'absent relative with default', config: { v: '${oc.select:.zz, 11}' }, expected: { v: 11 } },
    { name: 'absent with null default', config: { v: '${oc.select:zz, null}' }, expected: { v: null } },
    { name: 'interpolated default', config: { value: 20, v: '${oc.select:zz, ${value}}' }, expected: { value: 20, v: 20 } },
    { name: 'default value with spaces', config: { m: '???', v: '${oc.select:m, default value}' }, expected: { m: '???', v: 'default value' } },
    { name: 'a dict is selected whole', config: { d: { x: '${y}' }, y: 1, v: '${oc.select:d}' }, expected: { d: { x: 1 }, y: 1, v: { x: 1 } } },
    { name: 'through null gives the default', config: { a: null, v: '${oc.select:a.x,5}' }, expected: { a: null, v: 5 } },
  ])('$name', ({ config, expected }) => {
    expect(run(config)).toEqual(expected);
  });
});

describe('oc.decode (the grammar, not YAML)', () => {
  it.each<Row>([
    { name: "'yes' stays a string", config: { v: "${oc.decode:'yes'}" }, expected: { v: 'yes' } },
    { name: "'0x10' stays a string", config: { v: "${oc.decode:'0x10'}" }, expected: { v: '0x10' } },
    { name: "'inf' is a float", config: { v: "${oc.decode:'inf'}" }, expected: { v: F('inf') } },
    { name: "'nan' is a float", config: { v: "${oc.decode:'nan'}" }, expected: { v: F('nan') } },
    { name: "'TRUE' is a bool", config: { v: "${oc.decode:'TRUE'}" }, expected: { v: true } },
    { name: 'surrounding spaces keep a string', config: { v: "${oc.decode:' 5 '}" }, expected: { v: ' 5 ' } },
    { name: 'null gives null', config: { v: '${oc.decode:null}' }, expected: { v: null } },
    { name: 'a dict with an interpolation', config: { b: 1, v: "${oc.decode:'{a: ${b}, l: [1, 2.0]}'}" }, expected: { b: 1, v: { a: 1, l: [1, F('2.0')] } } },
    { name: 'relative to the caller', config: { a: { b: 2, v: "${oc.decode:'${.b}'}" } }, expected: { a: { b: 2, v: 2 } } },
  ])('$name', ({ config, expected }) => {
    expect(run(config)).toEqual(expected);
  });

  it.each([
    { name: 'empty string', config: { v: "${oc.decode:''}" }, code: 'INTERPOLATION_SYNTAX' },
    { name: 'not a string', config: { v: '${oc.decode:5}' }, code: 'INTERPOLATION_TYPE' },
    { name: 'invalid text', config: { v: "${oc.decode:'a,=b'}" }, code: 'INTERPOLATION_SYNTAX' },
  ])('error: $name', ({ config, code }) => {
    const error = thrown(() => run(config));
    expect([error.code, error.keyPath]).toEqual([code, 'v']);
  });
});

describe('oc.create', () => {
  it.each<Row>([
    { name: 'a dict literal', config: { v: '${oc.create:{a: 1, b: [x]}}' }, expected: { v: { a: 1, b: ['x'] } } },
    { name: 'a word', config: { v: '${oc.create:abc}' }, expected: { v: { abc: null } } },
    // OmegaConf 2.2.2: {'a': None, 'b': 'xNone', 'c': {}} for ${oc.create:null}, x${oc.create:null}, ${oc.create:""}.
    {
      name: 'null gives None (a DictConfig holding None)',
      config: { v: '${oc.create:null}', s: 'x${oc.create:null}', e: '${oc.create:""}' },
      expected: { v: null, s: 'xNone', e: {} },
    },
    {
      name: 'a copy of a node: relative paths inside resolve where the copy sits',
      config: { z: 0, src: { y: '${..z}' }, deep: { z: 5, v: '${oc.create:${src}}' } },
      expected: { z: 0, src: { y: 0 }, deep: { z: 5, v: { y: 5 } } },
    },
    { name: 'indexable by later interpolations', config: { c: '${oc.create:[1, 2]}', d: '${c.1}' }, expected: { c: [1, 2], d: 2 } },
  ])('$name', ({ config, expected }) => {
    expect(run(config)).toEqual(expected);
  });

  it('uses the context YAML parser for YAML text', () => {
    const parseYaml = (text: string): Node => {
      expect(text).toBe('{a: 1}');
      const d = dictNode();
      setKey(d, 'a', valueNode(1));
      return d;
    };
    expect(run({ v: "${oc.create:'{a: 1}'}" }, { parseYaml })).toEqual({ v: { a: 1 } });
  });

  it.each([
    { name: 'an int', config: { v: '${oc.create:5}' }, code: 'INTERPOLATION_TYPE' },
    { name: 'YAML text without a parser', config: { v: "${oc.create:'{a: 1}'}" }, code: 'INTERPOLATION_RESOLVER_FAILED' },
  ])('error: $name', ({ config, code }) => {
    const error = thrown(() => run(config));
    expect([error.code, error.keyPath]).toEqual([code, 'v']);
  });
});

describe('oc.deprecated', () => {
  it('gives the new value and warns with both keys', () => {
    const warnings: Array<[string, string]> = [];
    const config = { new: { key: f(0.1) }, old: '${oc.deprecated:new.key}', custom: "${oc.deprecated:new.key,'$OLD_KEY moved to \\${NEW_KEY}, $$5'}" };
    expect(run(config, { warn: (m, k) => warnings.push([m, k]) })).toEqual({ new: { key: F('0.1') }, old: F('0.1'), custom: F('0.1') });
    expect(warnings).toEqual([
      ["'old' is deprecated. Change your code and config to use 'new.key'", 'old'],
      ['custom moved to new.key, $5', 'custom'],
    ]);
  });

  it('a missing target is a key error', () => {
    const error = thrown(() => run({ old: '${oc.deprecated:nope}' }));
    expect([error.code, error.keyPath]).toEqual(['INTERPOLATION_KEY_MISSING', 'old']);
  });
});

describe('oc.dict', () => {
  it.each<Row>([
    { name: 'keys', config: { bar: { a: 0, b: 1 }, foo: '${oc.dict.keys:bar}' }, expected: { bar: { a: 0, b: 1 }, foo: ['a', 'b'] } },
    {
      name: 'keys through an interpolation',
      config: { bar: '${boz}', boz: { a: 0 }, foo: '${oc.dict.keys:bar}' },
      expected: { bar: { a: 0 }, boz: { a: 0 }, foo: ['a'] },
    },
    {
      name: 'int keys',
      config: { y: map([1, 'one'], [2, 'two']), foo: '${oc.dict.keys:y}' },
      expected: {
        y: {
          $map: [
            [1, 'one'],
            [2, 'two'],
          ],
        },
        foo: [1, 2],
      },
    },
    { name: 'values', config: { bar: { a: 0, b: { x: 1 } }, foo: '${oc.dict.values:bar}' }, expected: { bar: { a: 0, b: { x: 1 } }, foo: [0, { x: 1 }] } },
    {
      name: 'values stay live interpolations',
      config: { bar: { key: '${val}' }, val: 'v', foo: '${oc.dict.values:bar}', s: '${foo}' },
      expected: { bar: { key: 'v' }, val: 'v', foo: ['v'], s: ['v'] },
    },
    { name: 'relative values', config: { outer: { x: '${oc.dict.values:.y}', y: { a: 1 } } }, expected: { outer: { x: [1], y: { a: 1 } } } },
    { name: 'relative values up', config: { outer: { x: '${oc.dict.values:..y}' }, y: { a: 1 } }, expected: { outer: { x: [1] }, y: { a: 1 } } },
    { name: 'relative keys', config: { outer: { x: '${oc.dict.keys:.y}', y: { a: 1 } } }, expected: { outer: { x: ['a'], y: { a: 1 } } } },
  ])('$name', ({ config, expected }) => {
    expect(run(config)).toEqual(expected);
  });

  it.each([
    {
      name: 'keys of a list',
      config: { l: [1], k: '${oc.dict.keys:l}' },
      code: 'INTERPOLATION_TYPE',
      message: /cannot be applied to objects of type: ListConfig/,
    },
    { name: 'values of an int', config: { int: 0, k: '${oc.dict.values:int}' }, code: 'INTERPOLATION_TYPE', message: /type: int/ },
    { name: 'a non-string argument', config: { b: true, k: '${oc.dict.keys:${b}}' }, code: 'INTERPOLATION_TYPE', message: /requires a string/ },
    { name: 'a missing key', config: { k: '${oc.dict.keys:bar}' }, code: 'INTERPOLATION_KEY_MISSING', message: /Key not found: 'bar'/ },
    { name: 'a ??? node', config: { y: '???', k: '${oc.dict.keys:y}' }, code: 'INTERPOLATION_TO_MISSING', message: /missing/ },
  ])('error: $name', ({ config, code, message }) => {
    const error = thrown(() => run(config));
    expect([error.code, error.keyPath]).toEqual([code, 'k']);
    expect(error.message).toMatch(message);
  });
});

describe('now, hydra and trellis', () => {
  it.each<Row>([
    { name: "Hydra's run dir pattern", config: { d: 'outputs/${now:%Y-%m-%d}/${now:%H-%M-%S}' }, expected: { d: 'outputs/2024-01-05/09-07-03' } },
    { name: 'a colon inside the pattern', config: { t: '${now:%H:%M}' }, expected: { t: '09:07' } },
  ])('$name', ({ config, expected }) => {
    expect(run(config)).toEqual(expected);
  });

  const runtime = tree({ runtime: { choices: { db: 'mysql' } }, job: { name: 'train', id: '???' }, run: { dir: 'outputs/${now:%Y}/${job.name}' } });
  it.each<Row>([
    { name: 'a choice', config: { db: '${hydra:runtime.choices.db}' }, expected: { db: 'mysql' } },
    { name: 'the trellis name', config: { n: '${trellis:job.name}' }, expected: { n: 'train' } },
    { name: 'interpolations inside the runtime node resolve there', config: { d: '${hydra:run.dir}' }, expected: { d: 'outputs/2024/train' } },
    { name: 'absent and ??? give null (OmegaConf.select)', config: { a: '${hydra:nope}', b: '${hydra:job.id}' }, expected: { a: null, b: null } },
    { name: 'a node', config: { c: '${hydra:runtime.choices}' }, expected: { c: { db: 'mysql' } } },
  ])('$name', ({ config, expected }) => {
    expect(run(config, { runtime })).toEqual(expected);
  });

  it('without a runtime node, ${hydra:...} fails with a clear message', () => {
    const error = thrown(() => run({ n: '${hydra:job.name}' }));
    expect([error.code, error.keyPath]).toEqual(['INTERPOLATION_RESOLVER_FAILED', 'n']);
  });

  it('now reads the context clock', () => {
    expect(run({ y: '${now:%Y}' }, { now: () => new Date(1999, 5, 1) })).toEqual({ y: '1999' });
  });
});

describe('ResolverRegistry', () => {
  it('belongs to an instance: two registries do not share resolvers', () => {
    const a = createDefaultResolvers().register('double', (args) => Number((args[0] as { value: number }).value) * 2);
    const b = createDefaultResolvers();
    expect([a.has('double'), b.has('double'), new ResolverRegistry().has('oc.env')]).toEqual([true, false, false]);
    expect(run({ v: '${double:21}' }, { resolvers: a })).toEqual({ v: 42 });
    expect(thrown(() => run({ v: '${double:21}' }, { resolvers: b })).code).toBe('INTERPOLATION_RESOLVER_UNKNOWN');
  });

  it.each([
    { name: 'a duplicate name', register: (r: ResolverRegistry) => r.register('oc.env', () => 1) },
    { name: 'a name with a space', register: (r: ResolverRegistry) => r.register('my resolver', () => 1) },
    { name: 'an empty name', register: (r: ResolverRegistry) => r.register('', () => 1) },
  ])('rejects $name', ({ register }) => {
    const error = thrown(() => register(createDefaultResolvers()));
    expect(error.code).toBe<ErrorCode>('RESOLVER_INVALID');
  });

  it('replace: true replaces', () => {
    const r = createDefaultResolvers().register('oc.env', () => 'mine', { replace: true });
    expect(run({ v: '${oc.env:X}' }, { resolvers: r })).toEqual({ v: 'mine' });
  });

  it.each([
    { name: 'cached', options: { cache: true }, calls: 1 },
    { name: 'cached (OmegaConf spelling)', options: { useCache: true }, calls: 1 },
    { name: 'not cached', options: {}, calls: 2 },
  ])('$name: calls per identical argument text', ({ options, calls }) => {
    let count = 0;
    const r = createDefaultResolvers().register('count', () => ++count, options);
    run({ a: '${count:x}', b: '${count:x}' }, { resolvers: r });
    expect(count).toBe(calls);
  });

  it('passes typed argument nodes and their source text', () => {
    const seen: unknown[] = [];
    const r = createDefaultResolvers().register('spy', (args, call) => {
      seen.push(args.map(encode), call.argTexts, call.keyPath, call.name);
      return listNode();
    });
    run({ x: { k: 1 }, a: { v: "${spy:1, 1.0, 'q', [a], ${x}, null}" } }, { resolvers: r });
    expect(seen).toEqual([[1, F('1.0'), 'q', ['a'], { k: 1 }, null], ['1', '1.0', "'q'", '[a]', '${x}', 'null'], 'a.v', 'spy']);
  });

  it('a resolver result that is a dict with interpolations resolves them where the caller is (OmegaConf inter_abs/inter_rel)', () => {
    const r = createDefaultResolvers().register('make', () => {
      const d = dictNode();
      setKey(d, 'abs', valueNode('${y}'));
      setKey(d, 'rel', valueNode('${.y}'));
      setKey(d, 'y', valueNode(1));
      return d;
    });
    expect(run({ y: 999, bar: '${make:}' }, { resolvers: r })).toEqual({ y: 999, bar: { abs: 999, rel: 1, y: 1 } });
  });

  it('a resolver that throws a plain Error becomes INTERPOLATION_RESOLVER_FAILED at the caller', () => {
    const r = createDefaultResolvers().register('boom', () => {
      throw new Error('kaput');
    });
    const error = thrown(() => run({ a: { v: 'x ${boom:}' } }, { resolvers: r }));
    expect([error.code, error.keyPath, error.message]).toEqual(['INTERPOLATION_RESOLVER_FAILED', 'a.v', "Resolver 'boom' failed in ${boom:}: kaput"]);
  });

  it('selectNode resolves through resolvers too', () => {
    expect(selectNode(tree({ a: '${oc.create:{b: 2}}' }), 'a.b', context())).toMatchObject({ value: 2 });
  });
});
