import { describe, expect, it } from 'vitest';
import type { ErrorCode, ErrorWhere } from '../../../src/errors/index.js';
import { checkInterpolationSyntax, checkTreeSyntax, findSyntaxErrors, resolveTree, resolveValueAt, selectNode } from '../../../src/interpolate/index.js';
import { cloneNode, dictNode, getEntry, setKey, valueNode, type DictNode } from '../../../src/tree/node.js';
import { at, context, encode, f, fileOrigin, map, thrown, tree } from './helpers.js';

const F = (repr: string) => ({ $float: repr });

describe('resolution: values', () => {
  it.each([
    { name: 'relative ${.x} is a sibling', config: { a: { x: 1, y: '${.x}' } }, expected: { a: { x: 1, y: 1 } } },
    {
      name: 'each extra dot goes one level up',
      config: { x: 0, a: { b: { y: '${...x}', z: '${..w}' }, w: 2 } },
      expected: { x: 0, a: { b: { y: 0, z: 2 }, w: 2 } },
    },
    {
      name: 'whole-value interpolation of a dict copies it resolved',
      config: { a: { x: 1, y: '${a.x}' }, b: '${a}' },
      expected: { a: { x: 1, y: 1 }, b: { x: 1, y: 1 } },
    },
    {
      name: 'a referenced dict resolves its relative paths where it sits',
      config: { z: 'root', a: { y: '${..z}' }, deep: { z: 'deep', b: '${a}' } },
      expected: { z: 'root', a: { y: 'root' }, deep: { z: 'deep', b: { y: 'root' } } },
    },
    { name: 'a list node keeps its type', config: { l: [1, f(2.0)], m: '${l}' }, expected: { l: [1, F('2.0')], m: [1, F('2.0')] } },
    { name: '??? stays ??? (throw_on_missing=False)', config: { m: '???', l: ['???', 1] }, expected: { m: '???', l: ['???', 1] } },
    { name: 'nested key from a string works', config: { l: ['a', 'b', 'c'], i: '2', v: '${l.${i}}' }, expected: { l: ['a', 'b', 'c'], i: '2', v: 'c' } },
    { name: 'int 1 and float 1.0 concatenate as "11.0"', config: { i: 1, fl: f(1.0), s: '${i}${fl}' }, expected: { i: 1, fl: F('1.0'), s: '11.0' } },
    {
      name: 'string interpolation renders with Python str()',
      config: {
        t: true,
        n: null,
        small: f(1e-5),
        big: f(1e16),
        inf: f(Infinity),
        d: { a: 1, n: null, s: "it's" },
        l: [1, 'x', f(0.5)],
        s: '${t} ${n} ${small} ${big} ${inf} ${d} ${l}',
      },
      expected: {
        t: true,
        n: null,
        small: F('1e-05'),
        big: F('1e+16'),
        inf: F('inf'),
        d: { a: 1, n: null, s: "it's" },
        l: [1, 'x', F('0.5')],
        s: `True None 1e-05 1e+16 inf {'a': 1, 'n': None, 's': "it's"} [1, 'x', 0.5]`,
      },
    },
    {
      name: 'a container prints its interpolations unresolved',
      config: { x: 1, d: { a: '${x}' }, s: 'd=${d}' },
      expected: { x: 1, d: { a: 1 }, s: "d={'a': '${x}'}" },
    },
    {
      name: 'escaped top-level value is literal text',
      config: { x: 1, e: '\\${x}', p: 'C:\\\\temp\\\\${x}' },
      expected: { x: 1, e: '${x}', p: 'C:\\\\temp\\1' },
    },
    { name: 'an escaped target is not resolved twice', config: { a: '\\${x}', b: '${a}' }, expected: { a: '${x}', b: '${x}' } },
    {
      name: 'a moved copy resolves relative to where it sits',
      config: { z: 1, a: { y: '${..z}' }, deep: { z: 2, b: { y: '${..z}' } } },
      expected: { z: 1, a: { y: 1 }, deep: { z: 2, b: { y: 2 } } },
    },
    { name: 'root keys', config: { a: 1, keys: '${oc.dict.keys:""}' }, expected: { a: 1, keys: ['a', 'keys'] } },
  ])('$name', ({ config, expected }) => {
    expect(encode(resolveTree(tree(config), context()))).toEqual(expected);
  });

  it('a cloned subtree placed elsewhere resolves where the clone sits', () => {
    const root = tree({ z: 1, a: { y: '${..z}' }, deep: { z: 2 } }) as DictNode;
    const deep = getEntry(root, 'deep')?.node as DictNode;
    setKey(deep, 'b', cloneNode(getEntry(root, 'a')?.node as DictNode));
    expect(encode(resolveTree(root, context()))).toEqual({ z: 1, a: { y: 1 }, deep: { z: 2, b: { y: 2 } } });
  });

  it('is lazy: a good value can be read while another is broken', () => {
    const root = tree({ good: '${a}', a: 1, bad: '${nope}' });
    expect(selectNode(root, 'good', context())).toMatchObject({ value: 1 });
    expect(thrown(() => resolveTree(root, context())).code).toBe('INTERPOLATION_KEY_MISSING');
  });
});

const LINE = (text: string) => fileOrigin(7, text.indexOf(': ') + 3, text);

interface ErrorCase {
  name: string;
  config: unknown;
  code: ErrorCode;
  keyPath: string;
  where?: Partial<ErrorWhere>;
  message?: RegExp;
  hint?: RegExp;
}

const errorCases: ErrorCase[] = [
  {
    name: 'missing key, caret on the interpolation',
    config: { a: 1, b: at('${c}', LINE('b: ${c}')) },
    code: 'INTERPOLATION_KEY_MISSING',
    keyPath: 'b',
    where: { line: 7, col: 4, length: 4 },
  },
  {
    name: 'missing key inside a quoted value, with did-you-mean',
    config: { optimizer: { lr: 1 }, model: { lr: at('x ${optimizer.lrate}', LINE("  lr: 'x ${optimizer.lrate}'")) } },
    code: 'INTERPOLATION_KEY_MISSING',
    keyPath: 'model.lr',
    where: { col: 10, length: 18 },
    hint: /did you mean optimizer\.lr\?/,
  },
  {
    name: 'missing key from an override points into the override text',
    config: { b: at('${c}', { kind: 'override', text: '+b=${c}', index: 2 }) },
    code: 'INTERPOLATION_KEY_MISSING',
    keyPath: 'b',
    where: { kind: 'override', index: 2, col: 4 },
  },
  {
    name: 'a multi-line value keeps the value position',
    config: { b: at('line\n${c}', fileOrigin(3, 4, 'b: |')) },
    code: 'INTERPOLATION_KEY_MISSING',
    keyPath: 'b',
    where: { line: 3, col: 4 },
  },
  {
    name: 'the error is where the broken interpolation is, not where the chain started',
    config: { a: '${b}', b: at('${c}', LINE('b: ${c}')) },
    code: 'INTERPOLATION_KEY_MISSING',
    keyPath: 'b',
    where: { line: 7 },
  },
  {
    name: 'int keys cannot be reached (trap 8)',
    config: { labels: map([0, 'cat']), l: '${labels.0}' },
    code: 'INTERPOLATION_KEY_MISSING',
    keyPath: 'l',
    hint: /not a string/,
  },
  { name: 'a dotted key is one key', config: { 'a.b': 1, c: '${a.b}' }, code: 'INTERPOLATION_KEY_MISSING', keyPath: 'c', hint: /one key containing dots/ },
  { name: 'negative indices do not work', config: { l: [1, 2], x: '${l.-1}' }, code: 'INTERPOLATION_KEY_MISSING', keyPath: 'x', hint: /negative/ },
  { name: 'index past the end', config: { l: [1, 2], x: '${l[2]}' }, code: 'INTERPOLATION_KEY_MISSING', keyPath: 'x' },
  { name: 'too many dots', config: { a: { x: '${...y}' } }, code: 'INTERPOLATION_KEY_MISSING', keyPath: 'a.x' },
  { name: 'interpolation to ???', config: { a: '???', b: at('${a}', LINE('b: ${a}')) }, code: 'INTERPOLATION_TO_MISSING', keyPath: 'b', where: { col: 4 } },
  { name: 'string interpolation to ???', config: { a: { m: '???' }, b: 'x${a.m}' }, code: 'INTERPOLATION_TO_MISSING', keyPath: 'b', message: /'a\.m'/ },
  { name: 'through a ??? node', config: { a: '???', b: '${a.x}' }, code: 'INTERPOLATION_TO_MISSING', keyPath: 'b' },
  {
    name: 'cycle prints the chain',
    config: { a: '${b}', b: at('${a}', LINE('b: ${a}')) },
    code: 'INTERPOLATION_CYCLE',
    keyPath: 'b',
    message: /a → b → a/,
    where: { col: 4 },
  },
  { name: 'self reference', config: { a: '${a}' }, code: 'INTERPOLATION_CYCLE', keyPath: 'a', message: /a → a/ },
  { name: 'ancestor interpolation (trap 11)', config: { a: { z: '${a}' } }, code: 'INTERPOLATION_CYCLE', keyPath: 'a.z', message: /a\.z → a/ },
  { name: 'root interpolation through an empty nested key', config: { e: '', a: '${${e}}' }, code: 'INTERPOLATION_CYCLE', keyPath: 'a' },
  {
    name: 'cycle through containers',
    config: { x: '${y}', y: { w: '${z}' }, z: { q: '${x}' } },
    code: 'INTERPOLATION_CYCLE',
    keyPath: 'z.q',
    message: /x → y\.w → z\.q → x/,
  },
  { name: 'path through null', config: { a: null, b: '${a.x}' }, code: 'INTERPOLATION_TYPE', keyPath: 'b', message: /'a' is None/ },
  { name: 'path through a scalar', config: { a: 3, b: '${a.x.y}' }, code: 'INTERPOLATION_TYPE', keyPath: 'b' },
  { name: 'an int used as a key (trap 8)', config: { l: ['a', 'b', 'c'], i: 2, v: '${l.${i}}' }, code: 'INTERPOLATION_TYPE', keyPath: 'v', hint: /quote/ },
  { name: 'a list index that is not an int', config: { l: [1], v: '${l.x}' }, code: 'INTERPOLATION_TYPE', keyPath: 'v' },
  { name: 'a resolver name that is not a string', config: { n: 1, v: '${${n}:x}' }, code: 'INTERPOLATION_TYPE', keyPath: 'v' },
  { name: 'the legacy env resolver is gone', config: { h: '${env:HOME}' }, code: 'INTERPOLATION_RESOLVER_UNKNOWN', keyPath: 'h', hint: /oc\.env/ },
  { name: 'unknown resolver, did you mean', config: { h: '${oc.evn:HOME}' }, code: 'INTERPOLATION_RESOLVER_UNKNOWN', keyPath: 'h', hint: /oc\.env/ },
  {
    name: 'unset variable without default',
    config: { h: at('${oc.env:TRELLIS_NOPE}', LINE('h: ${oc.env:TRELLIS_NOPE}')) },
    code: 'INTERPOLATION_RESOLVER_FAILED',
    keyPath: 'h',
    where: { col: 4, length: 22 },
  },
  {
    name: 'grammar error met while resolving an unchecked value',
    config: { v: at('a ${b', LINE('v: a ${b')) },
    code: 'INTERPOLATION_SYNTAX',
    keyPath: 'v',
    where: { col: 6 },
  },
];

describe('resolution: errors', () => {
  it.each(errorCases)('$name', ({ config, code, keyPath, where, message, hint }) => {
    const error = thrown(() => resolveTree(tree(config), context()));
    expect(error.code).toBe(code);
    expect(error.keyPath).toBe(keyPath);
    if (where) expect(error.where).toMatchObject(where);
    if (message) expect(error.message).toMatch(message);
    if (hint) expect(error.hint).toMatch(hint);
  });
});

describe('selectNode (OmegaConf.select)', () => {
  const root = tree({ a: { b: '???', c: '${x}', l: [10, '${a.c}'] }, x: 1, labels: map([0, 'cat']), m: at('???', LINE('m: ???')) });
  it.each([
    { name: 'a resolved value', path: 'a.c', expected: 1 },
    { name: 'bracket path', path: 'a.l[1]', expected: 1 },
    { name: 'dotted index', path: 'a.l.0', expected: 10 },
    { name: '??? gives null', path: 'a.b', expected: null },
    { name: 'a container comes back resolved', path: 'a', expected: { b: '???', c: 1, l: [10, 1] } },
    { name: 'an absent key is undefined', path: 'a.nope', expected: undefined },
    { name: 'through a scalar is undefined', path: 'x.y', expected: undefined },
    { name: 'segments reach int keys', path: ['labels', 0], expected: 'cat' },
    { name: 'the root', path: '', expected: { a: { b: '???', c: 1, l: [10, 1] }, x: 1, labels: { $map: [[0, 'cat']] }, m: '???' } },
  ])('$name', ({ path, expected }) => {
    const node = selectNode(root, path, context());
    expect(node && encode(node)).toEqual(expected);
  });

  it('attribute access on ??? throws MISSING_VALUE with where and keyPath', () => {
    const error = thrown(() => selectNode(root, 'm', context(), { throwOnMissing: true }));
    expect(error.code).toBe('MISSING_VALUE');
    expect(error.keyPath).toBe('m');
    expect(error.where).toMatchObject({ line: 7, col: 4 });
  });
});

describe('resolveValueAt (merging onto an interpolation, trap 3)', () => {
  it.each([
    {
      name: 'a dict target comes back as stored, inner interpolations untouched',
      config: { a: { x: 1, y: '${.x}' }, b: '${a}' },
      path: 'b',
      expected: { x: 1, y: '${.x}' },
    },
    { name: 'a scalar target', config: { a: f(0.5), b: 'lr=${a}' }, path: 'b', expected: 'lr=0.5' },
    { name: 'relative to the holder', config: { a: { x: { k: 1 }, b: '${.x}' } }, path: 'a.b', expected: { k: 1 } },
    { name: 'not an interpolation: the node itself', config: { a: { k: 1 } }, path: 'a', expected: { k: 1 } },
    { name: 'target not there yet: undefined (067)', config: { b: '${a}' }, path: 'b', expected: undefined },
    { name: 'path not there: undefined', config: { b: 1 }, path: 'c.d', expected: undefined },
    { name: 'segments', config: { l: ['${x}'], x: 3 }, path: ['l', 0], expected: 3 },
  ])('$name', ({ config, path, expected }) => {
    const node = resolveValueAt(tree(config), path, context());
    expect(node && encode(node)).toEqual(expected);
  });

  it('returns a copy: changing it leaves the target alone', () => {
    const root = tree({ a: { x: 1 }, b: '${a}' });
    const copy = resolveValueAt(root, 'b', context()) as DictNode;
    setKey(copy, 'y', valueNode(2));
    expect(encode(resolveTree(root, context()))).toEqual({ a: { x: 1 }, b: { x: 1 } });
  });
});

describe('load-time syntax checks (trap 5)', () => {
  it.each([
    { name: 'key made of an interpolation and text', value: 'x: ${foo${bar}}', offset: 9 },
    { name: 'unclosed', value: 'a ${b', offset: 2 },
    { name: 'space inside a key', value: '${a b}', offset: 3 },
    { name: 'empty interpolation', value: '${}', offset: 2 },
    { name: 'bad resolver name', value: '${.foo:bar}', offset: 2 },
    { name: 'quoted dict key', value: "${oc.create:{'a': 1}}", offset: 13 },
  ])('$name', ({ value, offset }) => {
    const origin = fileOrigin(2, 5, `k:  ${value}`);
    const error = thrown(() => checkInterpolationSyntax(value, origin, 'k'));
    expect(error.code).toBe('INTERPOLATION_SYNTAX');
    expect(error.keyPath).toBe('k');
    expect(error.where).toMatchObject({ file: 'conf/config.yaml', line: 2, col: 5 + offset });
  });

  it('strings without ${ are not parsed, escaped ones are', () => {
    expect(checkInterpolationSyntax('a } { b')).toBeUndefined();
    expect(checkInterpolationSyntax('\\${not: parsed')).toBeUndefined();
    expect(thrown(() => checkInterpolationSyntax('${a} ${')).code).toBe('INTERPOLATION_SYNTAX');
  });

  it('checkTreeSyntax reports every error at once, with key paths', () => {
    const root = tree({ a: { b: '${x', ok: '${y}' }, l: ['fine', '${.}'] });
    expect(findSyntaxErrors(root).map((e) => [e.code, e.keyPath])).toEqual([
      ['INTERPOLATION_SYNTAX', 'a.b'],
      ['INTERPOLATION_SYNTAX', 'l[1]'],
    ]);
    const error = thrown(() => checkTreeSyntax(root));
    expect(error.all().map((e) => e.keyPath)).toEqual(['a.b', 'l[1]']);
    expect(checkTreeSyntax(tree({ a: '${b}' }))).toBeUndefined();
  });

  it('a later layer overriding a broken value does not help: the check runs per loaded value', () => {
    const layer = dictNode();
    setKey(layer, 'b', valueNode('${foo${bar}}'));
    expect(thrown(() => checkTreeSyntax(layer)).keyPath).toBe('b');
  });
});
