import { describe, expect, it } from 'vitest';
import { pythonRepr, pythonStr, pythonStringRepr } from '../../../src/interpolate/index.js';
import { valueNode } from '../../../src/tree/node.js';
import { f, map, tree } from './helpers.js';

describe('pythonStr (Python str())', () => {
  it.each([
    { name: 'True', value: true, expected: 'True' },
    { name: 'False', value: false, expected: 'False' },
    { name: 'None', value: null, expected: 'None' },
    { name: 'int', value: 42, expected: '42' },
    { name: 'negative int', value: -7, expected: '-7' },
    { name: 'float 1.0', value: f(1), expected: '1.0' },
    { name: 'float 1e-05', value: f(1e-5), expected: '1e-05' },
    { name: 'float 0.0001', value: f(1e-4), expected: '0.0001' },
    { name: 'float 1e+16', value: f(1e16), expected: '1e+16' },
    { name: 'float 1000.0', value: f(1000), expected: '1000.0' },
    { name: 'float -0.0', value: f(-0), expected: '-0.0' },
    { name: 'inf', value: f(Infinity), expected: 'inf' },
    { name: '-inf', value: f(-Infinity), expected: '-inf' },
    { name: 'nan', value: f(NaN), expected: 'nan' },
    { name: 'big int keeps every digit', value: 100000000000000000001n, expected: '100000000000000000001' },
    { name: 'a string is itself', value: "it's", expected: "it's" },
    { name: 'dict repr', value: { a: 1, n: null, f: f(0.5), s: 'x' }, expected: "{'a': 1, 'n': None, 'f': 0.5, 's': 'x'}" },
    { name: 'list repr', value: [1, 'x', true, [], {}], expected: "[1, 'x', True, [], {}]" },
    { name: 'non-string keys', value: map([0, 'cat'], [f(1.5), 1], [true, null], [null, 'n']), expected: "{0: 'cat', 1.5: 1, True: None, None: 'n'}" },
    { name: 'missing and interpolations show raw', value: { m: '???', i: '${x}' }, expected: "{'m': '???', 'i': '${x}'}" },
  ])('$name', ({ value, expected }) => {
    expect(pythonStr(tree(value))).toBe(expected);
  });

  it('repr of a scalar string quotes it', () => {
    expect(pythonRepr(valueNode('a'))).toBe("'a'");
  });
});

describe('pythonStringRepr (Python repr of str)', () => {
  it.each([
    { name: 'plain', value: 'abc', expected: "'abc'" },
    { name: 'single quote switches to double quotes', value: "it's", expected: `"it's"` },
    { name: 'both quotes: single, escaped', value: `it's "x"`, expected: `'it\\'s "x"'` },
    { name: 'backslash', value: 'C:\\x', expected: "'C:\\\\x'" },
    { name: 'newline, tab, carriage return', value: 'a\nb\tc\r', expected: "'a\\nb\\tc\\r'" },
    { name: 'control character', value: '\u0001', expected: "'\\x01'" },
    { name: 'non-breaking space is not printable', value: '\u00a0', expected: "'\\xa0'" },
    { name: 'printable unicode stays', value: 'héllo ✓ 日本', expected: "'héllo ✓ 日本'" },
    { name: 'line separator', value: '\u2028', expected: "'\\u2028'" },
  ])('$name', ({ value, expected }) => {
    expect(pythonStringRepr(value)).toBe(expected);
  });
});
