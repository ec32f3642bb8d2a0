import { describe, expect, it } from 'vitest';
import { checkTreeSyntax, resolveTree, selectNode } from '../../../src/interpolate/index.js';
import type { ErrorCode } from '../../../src/errors/index.js';
import { context, encode, f, thrown, tree } from './helpers.js';

/**
 * The interpolation cases recorded from real OmegaConf 2.2.2 (compat/omegaconf/cases/<id>),
 * with each YAML layer written as a tree literal. Expectations are copied from case.json, in
 * its encoding ({$float: repr} for floats).
 */
interface Case {
  name: string;
  config: unknown;
  env?: Record<string, string>;
  select?: string;
  expect: { config: unknown } | { value: unknown } | { error: ErrorCode; stage: 'load' | 'resolve'; keyPath: string };
}

const cases: Case[] = [
  {
    name: '001 whole-value absolute interpolation keeps the type; chains and forward references',
    config: {
      i: 1,
      f: f(2.5),
      s: 'hello',
      t: true,
      n: null,
      ri: '${i}',
      rf: '${f}',
      rs: '${s}',
      rt: '${t}',
      rn: '${n}',
      fwd: '${later}',
      later: '${chain1}',
      chain1: '${chain2}',
      chain2: '${i}',
    },
    expect: {
      config: {
        i: 1,
        f: { $float: '2.5' },
        s: 'hello',
        t: true,
        n: null,
        ri: 1,
        rf: { $float: '2.5' },
        rs: 'hello',
        rt: true,
        rn: null,
        fwd: 1,
        later: 1,
        chain1: 1,
        chain2: 1,
      },
    },
  },
  {
    name: '004 keys with - @ / $ and mixed case need no quoting',
    config: {
      'my-key': 1,
      'k@v': 2,
      'path/like': 3,
      a$b: 4,
      snake_case: 5,
      CamelCase: 6,
      v1: '${my-key}',
      v2: '${k@v}',
      v3: '${path/like}',
      v4: '${a$b}',
      v5: '${snake_case}',
      v6: '${CamelCase}',
    },
    expect: { config: { 'my-key': 1, 'k@v': 2, 'path/like': 3, a$b: 4, snake_case: 5, CamelCase: 6, v1: 1, v2: 2, v3: 3, v4: 4, v5: 5, v6: 6 } },
  },
  {
    name: '007 relative interpolation inside lists',
    config: {
      y: 3,
      l: [1, '${.0}', '${..y}'],
      items: [
        { name: 'a', self: '${.name}', other: '${..1.name}' },
        { name: 'b', first: '${..0.name}' },
      ],
    },
    expect: {
      config: {
        y: 3,
        l: [1, 1, 3],
        items: [
          { name: 'a', self: 'a', other: 'b' },
          { name: 'b', first: 'a' },
        ],
      },
    },
  },
  {
    name: '010 bracket syntax for lists and dicts',
    config: {
      l: ['a', 'b', 'c'],
      m: [
        [1, 2],
        [3, 4],
      ],
      items: [{ name: 'n0' }],
      d: { key: 'v' },
      first: '${l[0]}',
      cell: '${m[1][0]}',
      mixed: '${m.1[1]}',
      name: '${items[0].name}',
      dict_bracket: '${d[key]}',
    },
    expect: {
      config: {
        l: ['a', 'b', 'c'],
        m: [
          [1, 2],
          [3, 4],
        ],
        items: [{ name: 'n0' }],
        d: { key: 'v' },
        first: 'a',
        cell: 3,
        mixed: 4,
        name: 'n0',
        dict_bracket: 'v',
      },
    },
  },
  {
    name: '013 exactly one ${} keeps the type, anything around it makes a string',
    config: {
      a: 1,
      s5: '5',
      whole: '${a}',
      quoted_whole: '${a}',
      dq_whole: '${a}',
      concat: '${a}_${a}',
      adjacent: '${a}${a}',
      leading_space: ' ${a}',
      trailing_space: '${a} ',
      prefix: 'v${a}',
      whole_numeric_string: '${s5}',
      in_list: ['${a}', '${a}', 'x${a}'],
      literal: 'line ${a}\nescaped \\${a}\n',
      folded: 'folded ${a} continues',
    },
    expect: {
      config: {
        a: 1,
        s5: '5',
        whole: 1,
        quoted_whole: 1,
        dq_whole: 1,
        concat: '1_1',
        adjacent: '11',
        leading_space: ' 1',
        trailing_space: '1 ',
        prefix: 'v1',
        whole_numeric_string: '5',
        in_list: [1, 1, 'x1'],
        literal: 'line 1\nescaped ${a}\n',
        folded: 'folded 1 continues',
      },
    },
  },
  {
    name: '016 nested interpolation computes the key',
    config: {
      k: 'name',
      name: 'hello',
      which: 'adam',
      optim: { adam: { lr: f(0.001) }, sgd: { lr: f(0.1) } },
      v: '${${k}}',
      lr: '${optim.${which}.lr}',
      chosen: '${optim.${which}}',
    },
    expect: {
      config: {
        k: 'name',
        name: 'hello',
        which: 'adam',
        optim: { adam: { lr: { $float: '0.001' } }, sgd: { lr: { $float: '0.1' } } },
        v: 'hello',
        lr: { $float: '0.001' },
        chosen: { lr: { $float: '0.001' } },
      },
    },
  },
  {
    name: '019 ${foo${bar}} is a grammar error at load time',
    config: { a: 1, bar: 'a', b: '${foo${bar}}' },
    expect: { error: 'INTERPOLATION_SYNTAX', stage: 'load', keyPath: 'b' },
  },
  {
    name: '022 \\${x} inside an unquoted resolver argument keeps the backslash and interpolates',
    config: {
      x: 5,
      unquoted: '${oc.select:nope,\\${x}}',
      quoted: "${oc.select:nope,'\\${x}'}",
      quoted_interp: "${oc.select:nope,'${x}'}",
      bare_interp: '${oc.select:nope,${x}}',
    },
    expect: { config: { x: 5, unquoted: '\\5', quoted: '${x}', quoted_interp: '5', bare_interp: 5 } },
  },
  {
    name: '025 oc.env default null gives null; quoted null is text',
    config: { unset: '${oc.env:TRELLIS_T_UNSET,null}', set: '${oc.env:TRELLIS_T_SET,null}', quoted_null: "${oc.env:TRELLIS_T_UNSET,'null'}" },
    env: { TRELLIS_T_SET: 'real' },
    expect: { config: { unset: null, set: 'real', quoted_null: 'null' } },
  },
  {
    name: '028 oc.env never resolves the variable; oc.decode does',
    config: {
      b: 1,
      raw: '${oc.env:TRELLIS_T_REF}',
      decoded_ref: '${oc.decode:${oc.env:TRELLIS_T_REF}}',
      int: '${oc.decode:${oc.env:TRELLIS_T_INT}}',
      bool: '${oc.decode:${oc.env:TRELLIS_T_BOOL}}',
      list: '${oc.decode:${oc.env:TRELLIS_T_LIST}}',
    },
    env: { TRELLIS_T_REF: '${b}', TRELLIS_T_INT: '42', TRELLIS_T_BOOL: 'true', TRELLIS_T_LIST: '[1, 2]' },
    expect: { config: { b: 1, raw: '${b}', decoded_ref: 1, int: 42, bool: true, list: [1, 2] } },
  },
  {
    name: '031 oc.select: ??? is absent, explicit null is a value',
    config: { m: '???', n: null, missing_with_default: '${oc.select:m,5}', missing_no_default: '${oc.select:m}', null_with_default: '${oc.select:n,5}' },
    expect: { config: { m: '???', n: null, missing_with_default: 5, missing_no_default: null, null_with_default: null } },
  },
  {
    name: "034 oc.decode of '' is a grammar error when resolved",
    config: { a: "${oc.decode:''}" },
    expect: { error: 'INTERPOLATION_SYNTAX', stage: 'resolve', keyPath: 'a' },
  },
  {
    name: '037 oc.create: arguments resolve from the caller; a word becomes {word: null}',
    config: {
      p: 0,
      c: '${oc.create:{p: 1, q: ${.p}}}',
      s: '${oc.create:abc}',
      from_decode: "${oc.create:${oc.decode:'{a: 1, b: [2]}'}}",
      d: '${from_decode.b.0}',
    },
    expect: { config: { p: 0, c: { p: 1, q: 0 }, s: { abc: null }, from_decode: { a: 1, b: [2] }, d: 2 } },
  },
  {
    name: '040 oc.dict.keys on a list is a type error',
    config: { l: [1, 2], k: '${oc.dict.keys:l}' },
    expect: { error: 'INTERPOLATION_TYPE', stage: 'resolve', keyPath: 'k' },
  },
  {
    name: '043 resolver arguments are typed by the grammar',
    config: {
      float: '${oc.select:nope,1.50}',
      float_quoted: '${oc.select:nope,"1.50"}',
      int_underscore: '${oc.select:nope,1_000}',
      neg: '${oc.select:nope,-1}',
      bool_upper: '${oc.select:nope,TRUE}',
      null_mixed: '${oc.select:nope,Null}',
      hex: '${oc.select:nope,0x10}',
      path: '${oc.select:nope,/data/imagenet}',
      url: '${oc.select:nope,http://x.y/z}',
      dashed: '${oc.select:nope,a-b}',
      colon: '${oc.select:nope,a:b}',
      list: '${oc.select:nope,[a, "b,c"]}',
      dict: '${oc.select:nope,{k: v}}',
    },
    expect: {
      config: {
        float: { $float: '1.5' },
        float_quoted: '1.50',
        int_underscore: 1000,
        neg: -1,
        bool_upper: true,
        null_mixed: null,
        hex: '0x10',
        path: '/data/imagenet',
        url: 'http://x.y/z',
        dashed: 'a-b',
        colon: 'a:b',
        list: ['a', 'b,c'],
        dict: { k: 'v' },
      },
    },
  },
  { name: '046 a missing key is an error', config: { a: 1, b: '${c}' }, expect: { error: 'INTERPOLATION_KEY_MISSING', stage: 'resolve', keyPath: 'b' } },
  {
    name: '049 a path through null is an error, not null',
    config: { a: null, b: '${a.x}' },
    expect: { error: 'INTERPOLATION_TYPE', stage: 'resolve', keyPath: 'b' },
  },
  { name: '052 select on ??? gives null', config: { a: { b: '???' } }, select: 'a.b', expect: { value: null } },
  {
    name: '055 whole-value interpolation to null is null, inside a string it is None',
    config: { tilde: null, word: null, quoted: 'null', mixed_case: 'nUll', ref: '${word}', in_string: 'v=${word}' },
    expect: { config: { tilde: null, word: null, quoted: 'null', mixed_case: 'nUll', ref: null, in_string: 'v=None' } },
  },
  {
    name: '064 interpolations see the merged result (expectation recorded; tree written as the merge result)',
    config: { lr: f(0.5), scaled: '${lr}', opt: { lr: '${..lr}', name: 'adam' }, label: '${opt.name}-${opt.lr}' },
    expect: { config: { lr: { $float: '0.5' }, scaled: { $float: '0.5' }, opt: { lr: { $float: '0.5' }, name: 'adam' }, label: 'adam-0.5' } },
  },
  {
    name: '079 big ints keep full precision, also inside strings (plus a whole-value ref)',
    config: { huge: 100000000000000000000n, s: 9007199254740993n, str: 'v${huge}', ref: '${s}' },
    expect: {
      config: { huge: { $int: '100000000000000000000' }, s: { $int: '9007199254740993' }, str: 'v100000000000000000000', ref: { $int: '9007199254740993' } },
    },
  },
];

describe('recorded OmegaConf 2.2.2 cases', () => {
  it.each(cases)('$name', ({ config, env, select, expect: expected }) => {
    const root = tree(config);
    const ctx = context({ env: env ?? {} });
    if ('error' in expected) {
      const run = expected.stage === 'load' ? () => checkTreeSyntax(root) : () => resolveTree(root, ctx);
      if (expected.stage === 'resolve') expect(() => checkTreeSyntax(root)).not.toThrow();
      const error = thrown(run);
      expect(error.code).toBe(expected.error);
      expect(error.keyPath).toBe(expected.keyPath);
    } else if ('value' in expected) {
      const node = selectNode(root, select ?? '', ctx);
      expect(node && encode(node)).toEqual(expected.value);
    } else {
      expect(checkTreeSyntax(root)).toBeUndefined();
      expect(encode(resolveTree(root, ctx))).toEqual(expected.config);
    }
  });
});
