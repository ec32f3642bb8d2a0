import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { groupChoiceOf, parseOverride, valueToNode, type ParsedValue } from '../../../src/overrides/index.js';
import { dictNode, listNode, setEntry, valueNode, type Node } from '../../../src/tree/node.js';
import { errorOf } from '../../helpers/errors.js';

const origin = { kind: 'override' as const, text: 'x', index: 0 };

describe('valueToNode', () => {
  const dictOf = (...entries: Array<[string | number | boolean | null, Node, boolean?]>): Node => {
    const d = dictNode();
    for (const [key, node, keyFloat] of entries) setEntry(d, keyFloat ? { key, keyFloat, node } : { key, node });
    return d;
  };
  it.each<{ name: string; input: string; expected: Node }>([
    { name: 'int', input: '10', expected: valueNode(10) },
    { name: 'float keeps its flag', input: '1.0', expected: valueNode(1, true) },
    { name: 'float from exponent', input: '1e-3', expected: valueNode(0.001, true) },
    { name: 'int beyond 2^53 is a bigint', input: '9007199254740993', expected: valueNode(9007199254740993n) },
    { name: 'quoted string loses its quotes', input: "'a,b'", expected: valueNode('a,b') },
    { name: 'interpolation kept as text', input: '${db.driver}', expected: valueNode('${db.driver}') },
    { name: 'bool', input: 'TRUE', expected: valueNode(true) },
    { name: 'null', input: 'null', expected: valueNode(null) },
    { name: 'empty string', input: '', expected: valueNode('') },
    {
      name: 'list',
      input: "[1,'two',3.0,null,true]",
      expected: listNode([valueNode(1), valueNode('two'), valueNode(3, true), valueNode(null), valueNode(true)]),
    },
    { name: 'dict', input: '{name:adam,lr:0.01}', expected: dictOf(['name', valueNode('adam')], ['lr', valueNode(0.01, true)]) },
    {
      name: 'dict with typed keys',
      input: '{1: a, 2.5: b, false: c, null: d}',
      expected: dictOf([1, valueNode('a')], [2.5, valueNode('b'), true], [false, valueNode('c')], [null, valueNode('d')]),
    },
  ])('$name', ({ input, expected }) => {
    expect(valueToNode(parseOverride(`k=${input}`, 0).value as ParsedValue)).toEqual(expected);
  });

  it('puts the origin on every node', () => {
    const node = valueToNode(parseOverride('k=[1]', 0).value as ParsedValue, origin);
    expect(node).toEqual(listNode([valueNode(1, false, origin)], origin));
  });

  it('refuses a sweep', () => {
    expect(errorOf(() => valueToNode(parseOverride('k=1,2', 0).value as ParsedValue)).code).toBe('SWEEP_INVALID');
  });
});

describe('groupChoiceOf', () => {
  it.each([
    { name: 'option', input: 'db=mysql', expected: 'mysql' },
    { name: 'quoted option', input: "db='my sql'", expected: 'my sql' },
    { name: 'list of options', input: 'db=[mysql,postgres]', expected: ['mysql', 'postgres'] },
    { name: 'add', input: '+db=mysql', expected: 'mysql' },
    { name: 'delete with value', input: '~db=mysql', expected: 'mysql' },
    { name: 'bare delete has none', input: '~db', expected: undefined },
  ])('$name', ({ input, expected }) => {
    expect(groupChoiceOf(parseOverride(input, 0))).toEqual(expected);
  });

  it.each([
    { name: 'null (compat 014)', input: 'db=null', message: 'Config group override must be a string or a list. Got NoneType', hint: '~db' },
    { name: 'int', input: 'db=1', message: 'Config group override must be a string or a list. Got int', hint: "db='1'" },
    { name: 'bool', input: 'db=true', message: 'Got bool', hint: "db='true'" },
    { name: 'dict', input: 'db={a:1}', message: 'Got dict', hint: 'quote' },
    { name: 'list with a non-string', input: 'db=[a,1]', message: 'Got list containing int', hint: 'quote' },
  ])('rejects $name', ({ input, message, hint }) => {
    const e = errorOf(() => groupChoiceOf(parseOverride(input, 5)));
    expect(e.code).toBe('OVERRIDE_INVALID');
    expect(e.message).toContain(message);
    expect(e.hint).toContain(hint);
    expect(e.where).toMatchObject({ kind: 'override', text: input, index: 5 });
  });

  it('refuses a sweep', () => {
    expect(errorOf(() => groupChoiceOf(parseOverride('db=a,b', 0))).code).toBe('SWEEP_INVALID');
  });
});
