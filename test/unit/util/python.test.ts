/**
 * Python's own text rules. Every expected value was printed by CPython 3.11 (repr(), str(),
 * int(), float()); a row that Python rejects with ValueError expects undefined.
 */
import { describe, expect, it } from 'vitest';
import {
  formatPythonFloat,
  intScalar,
  parsePythonFloat,
  parsePythonInt,
  pythonScalarRepr,
  pythonScalarStr,
  pythonStringRepr,
} from '../../../src/util/python.js';

describe('pythonStringRepr (repr of a str)', () => {
  it.each([
    { name: 'plain', value: 'abc', expected: "'abc'" },
    { name: 'empty', value: '', expected: "''" },
    { name: "a ' switches to double quotes", value: "a'b", expected: `"a'b"` },
    { name: "both quotes: single, the ' escaped", value: `a'b"c`, expected: `'a\\'b"c'` },
    { name: 'only " stays single-quoted', value: 'say "hi"', expected: `'say "hi"'` },
    { name: 'backslash doubled', value: 'a\\b', expected: "'a\\\\b'" },
    { name: 'newline, tab, carriage return', value: 'a\nb\tc\rd', expected: "'a\\nb\\tc\\rd'" },
    { name: 'ASCII controls as \\x', value: '\x00\x1f\x7f', expected: "'\\x00\\x1f\\x7f'" },
    { name: 'C1 control and no-break space as \\x', value: '\x85\xa0', expected: "'\\x85\\xa0'" },
    { name: 'printable non-ASCII kept', value: 'é日本', expected: "'é日本'" },
    { name: 'zero-width space (Cf) as \\u', value: '\u200b', expected: "'\\u200b'" },
    { name: 'line separator as \\u', value: '\u2028', expected: "'\\u2028'" },
    { name: 'astral emoji kept', value: '😀', expected: "'😀'" },
    { name: 'astral private use as \\U', value: '\u{f0000}', expected: "'\\U000f0000'" },
  ])('$name', ({ value, expected }) => {
    expect(pythonStringRepr(value)).toBe(expected);
  });
});

describe('formatPythonFloat (str and repr of a float)', () => {
  it.each([
    { name: 'whole number keeps .0', value: 1, expected: '1.0' },
    { name: 'shortest round-trip digits', value: 0.1, expected: '0.1' },
    { name: 'one third', value: 1 / 3, expected: '0.3333333333333333' },
    { name: 'small: exponent with two digits', value: 1e-8, expected: '1e-08' },
    { name: '1e-4 still fixed', value: 0.0001, expected: '0.0001' },
    { name: 'below 1e-4: exponent', value: 0.00001, expected: '1e-05' },
    { name: 'mantissa with digits', value: 2.5e-5, expected: '2.5e-05' },
    { name: '1e15 still fixed', value: 1e15, expected: '1000000000000000.0' },
    { name: '16 digits still fixed', value: 9999999999999998, expected: '9999999999999998.0' },
    { name: 'from 1e16: exponent with sign', value: 1e16, expected: '1e+16' },
    { name: 'large', value: 1e22, expected: '1e+22' },
    { name: 'three-digit exponent', value: 1.5e300, expected: '1.5e+300' },
    { name: 'smallest subnormal', value: 5e-324, expected: '5e-324' },
    { name: 'fraction', value: 1234.5, expected: '1234.5' },
    { name: 'many digits', value: 123456789.123, expected: '123456789.123' },
    { name: 'zero', value: 0, expected: '0.0' },
    { name: 'negative zero', value: -0, expected: '-0.0' },
    { name: 'inf', value: Infinity, expected: 'inf' },
    { name: '-inf', value: -Infinity, expected: '-inf' },
    { name: 'nan', value: NaN, expected: 'nan' },
  ])('$name', ({ value, expected }) => {
    expect(formatPythonFloat(value)).toBe(expected);
  });
});

describe('pythonScalarStr and pythonScalarRepr', () => {
  it.each([
    { name: 'None', value: null, float: false, str: 'None', repr: 'None' },
    { name: 'True', value: true, float: false, str: 'True', repr: 'True' },
    { name: 'False', value: false, float: false, str: 'False', repr: 'False' },
    { name: 'int', value: 1, float: false, str: '1', repr: '1' },
    { name: 'the same number as a float', value: 1, float: true, str: '1.0', repr: '1.0' },
    { name: 'a fraction is a float without the flag', value: 1.5, float: false, str: '1.5', repr: '1.5' },
    { name: 'int -0 is 0', value: -0, float: false, str: '0', repr: '0' },
    { name: 'int beyond 2^53 held as a number', value: 2 ** 60, float: false, str: '1152921504606846976', repr: '1152921504606846976' },
    { name: 'bigint', value: 2n ** 70n, float: false, str: '1180591620717411303424', repr: '1180591620717411303424' },
    { name: 'str: itself, quoted by repr', value: "it's", float: false, str: "it's", repr: `"it's"` },
  ])('$name', ({ value, float, str, repr }) => {
    expect(pythonScalarStr(value, float)).toBe(str);
    expect(pythonScalarRepr(value, float)).toBe(repr);
  });
});

describe('parsePythonInt (int(text, base))', () => {
  it.each<{ name: string; text: string; base?: 2 | 8 | 10 | 16; expected: bigint | undefined }>([
    { name: 'blanks around', text: ' 12 ', expected: 12n },
    { name: 'underscores between digits', text: '1_000', expected: 1000n },
    { name: 'plus sign', text: '+7', expected: 7n },
    { name: 'minus sign', text: '-7', expected: -7n },
    { name: 'leading zeros', text: '007', expected: 7n },
    { name: '-0 is 0', text: '-0', expected: 0n },
    { name: 'tab, newline, vertical tab', text: '\t\n 5 \x0b', expected: 5n },
    { name: 'U+0085 is stripped', text: '\x855', expected: 5n },
    { name: 'exact beyond 2^64', text: '12345678901234567890123', expected: 12345678901234567890123n },
    { name: 'a float is not an int', text: '1.5', expected: undefined },
    { name: 'empty', text: '', expected: undefined },
    { name: 'leading underscore', text: '_1', expected: undefined },
    { name: 'trailing underscore', text: '1_', expected: undefined },
    { name: 'double underscore', text: '1__0', expected: undefined },
    { name: 'a prefix needs its base', text: '0x1f', expected: undefined },
    { name: 'U+FEFF is not stripped', text: '\ufeff5', expected: undefined },
    { name: '\\x1c is not stripped (unlike str.strip)', text: '\x1c5', expected: undefined },
    { name: 'no blank after the sign', text: '- 5', expected: undefined },
    { name: 'hex with prefix', text: '0x1F', base: 16, expected: 31n },
    { name: 'hex without prefix', text: 'ff', base: 16, expected: 255n },
    { name: 'underscore after the prefix', text: '0x_ff', base: 16, expected: 255n },
    { name: 'signed hex with blanks', text: ' -0x1f ', base: 16, expected: -31n },
    { name: '0b1 is hex digits in base 16', text: '0b1', base: 16, expected: 177n },
    { name: 'prefix alone', text: '0x', base: 16, expected: undefined },
    { name: 'two underscores after the prefix', text: '0x__1', base: 16, expected: undefined },
    { name: 'octal with prefix', text: '0o17', base: 8, expected: 15n },
    { name: 'octal without prefix', text: '17', base: 8, expected: 15n },
    { name: 'not an octal digit', text: '8', base: 8, expected: undefined },
    { name: 'binary', text: '0b101', base: 2, expected: 5n },
    { name: 'binary, upper-case prefix, underscore', text: '0B1_0', base: 2, expected: 2n },
    { name: 'not a binary digit', text: '2', base: 2, expected: undefined },
  ])('$name', ({ text, base, expected }) => {
    expect(parsePythonInt(text, base)).toBe(expected);
  });
});

describe('parsePythonFloat (float(text))', () => {
  it.each([
    { name: 'decimal', text: '1.5', expected: 1.5 },
    { name: 'exponent with blanks', text: ' 1e-08 ', expected: 1e-8 },
    { name: 'underscores', text: '1_000.5', expected: 1000.5 },
    { name: 'underscore in the exponent', text: '1e1_0', expected: 1e10 },
    { name: 'no integer part', text: '.5', expected: 0.5 },
    { name: 'no fraction', text: '1.', expected: 1 },
    { name: 'exponent without a point', text: '1e5', expected: 100000 },
    { name: 'upper-case exponent', text: '1E5', expected: 100000 },
    { name: 'point then exponent', text: '1.e5', expected: 100000 },
    { name: 'negative zero', text: '-0.0', expected: -0 },
    { name: 'inf', text: 'inf', expected: Infinity },
    { name: '-Infinity', text: '-Infinity', expected: -Infinity },
    { name: 'NaN', text: 'NaN', expected: NaN },
    { name: '+nan', text: '+nan', expected: NaN },
    { name: 'U+0085 is stripped', text: '\x852.5', expected: 2.5 },
    { name: 'a word', text: 'abc', expected: undefined },
    { name: 'trailing underscore', text: '1_', expected: undefined },
    { name: 'exponent without digits', text: '1e', expected: undefined },
    { name: 'empty', text: '', expected: undefined },
    { name: 'a point alone', text: '.', expected: undefined },
    { name: 'underscore after the point', text: '1._5', expected: undefined },
    { name: 'leading underscore', text: '_1.0', expected: undefined },
    { name: 'U+FEFF is not stripped', text: '\ufeff1.0', expected: undefined },
    { name: 'a cut-off infinity', text: 'infinit', expected: undefined },
    { name: 'fractional exponent', text: '1e5.0', expected: undefined },
  ])('$name', ({ text, expected }) => {
    expect(parsePythonFloat(text)).toBe(expected);
  });
});

describe('intScalar', () => {
  it.each([
    { name: 'small', value: 5n, expected: 5 },
    { name: 'zero', value: 0n, expected: 0 },
    { name: 'largest safe', value: 2n ** 53n - 1n, expected: 9007199254740991 },
    { name: 'smallest safe', value: -(2n ** 53n) + 1n, expected: -9007199254740991 },
    { name: '2^53 stays a bigint', value: 2n ** 53n, expected: 2n ** 53n },
    { name: '-2^53 stays a bigint', value: -(2n ** 53n), expected: -(2n ** 53n) },
  ])('$name', ({ value, expected }) => {
    expect(intScalar(value)).toBe(expected);
  });
});
