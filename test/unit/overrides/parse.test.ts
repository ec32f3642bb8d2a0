import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { parseOverride, parseOverrides, type Override, type ParsedValue } from '../../../src/overrides/index.js';
import { bool, dict, float, int, list, nul, quoted, str } from './elements.js';
import { errorOf } from '../../helpers/errors.js';

// Expectations come from Hydra 1.3's tests/test_overrides_parser.py, its override-grammar docs
// and the recorded compat cases (039-043), not from this implementation.

const r = String.raw;

function valueOf(text: string): ParsedValue | undefined {
  return parseOverride(`key=${text}`, 0).value;
}

describe('override forms', () => {
  it.each<{ name: string; input: string; expected: Partial<Override> }>([
    { name: 'change', input: 'key=value', expected: { type: 'change', key: 'key', value: str('value'), valueType: 'element', isSweep: false } },
    { name: 'add', input: '+key=value', expected: { type: 'add', key: 'key', value: str('value') } },
    { name: 'force add', input: '++key=value', expected: { type: 'force-add', key: 'key', value: str('value') } },
    { name: 'delete with value', input: '~x=10', expected: { type: 'delete', key: 'x', value: int(10), valueType: 'element' } },
    { name: 'bare delete', input: '~x', expected: { type: 'delete', key: 'x', value: undefined, valueType: undefined, isSweep: false } },
    { name: 'delete with empty value', input: '~x=', expected: { type: 'delete', key: 'x', value: str(''), valueType: 'element' } },
    { name: 'empty value', input: 'key=', expected: { type: 'change', key: 'key', value: str(''), valueType: 'element' } },
    { name: 'whitespace-only value is empty', input: 'key=  ', expected: { value: str('') } },
    { name: 'dotted key', input: 'a.b.c=1', expected: { key: 'a.b.c', value: int(1) } },
    { name: 'list index key', input: 'list.0=1', expected: { key: 'list.0' } },
    { name: 'group', input: 'model/encoder=cnn', expected: { key: 'model/encoder', value: str('cnn') } },
    { name: 'group with dashes', input: 'ab-c/d-ef=x', expected: { key: 'ab-c/d-ef' } },
    { name: 'dotted key with dashes', input: 'ab-c.d-ef=x', expected: { key: 'ab-c.d-ef' } },
    { name: 'dollar key', input: '$foo=1', expected: { key: '$foo' } },
    { name: 'dollar dot path', input: '$foo.bar$.x$z=1', expected: { key: '$foo.bar$.x$z' } },
    { name: 'group@package', input: 'db@backup=mysql', expected: { key: 'db', package: 'backup', value: str('mysql') } },
    { name: 'group@ (global package)', input: 'db@=mysql', expected: { key: 'db', package: '' } },
    { name: 'group@$package', input: 'db@$pkg1=mysql', expected: { key: 'db', package: '$pkg1' } },
    { name: 'group path@dotted package', input: 'hydra/launcher@hydra.launcher=basic', expected: { key: 'hydra/launcher', package: 'hydra.launcher' } },
    { name: 'add group@package', input: '+model/encoder@enc=cnn', expected: { type: 'add', key: 'model/encoder', package: 'enc' } },
    { name: 'delete group@package', input: '~db@backup', expected: { type: 'delete', key: 'db', package: 'backup', value: undefined } },
    { name: 'empty key (the grammar allows it)', input: '=x', expected: { key: '', value: str('x') } },
    { name: 'function name as key', input: 'choice=reverse', expected: { key: 'choice', value: str('reverse'), isSweep: false } },
    { name: 'simple choice sweep', input: 'key=1,2,3', expected: { valueType: 'simple-choice', isSweep: true } },
    { name: 'choice sweep', input: 'key=choice(1)', expected: { valueType: 'choice', isSweep: true } },
    { name: 'range sweep', input: 'key=range(0,2)', expected: { valueType: 'range', isSweep: true } },
    { name: 'interval sweep', input: 'key=interval(0,1)', expected: { valueType: 'interval', isSweep: true } },
    { name: 'glob sweep', input: 'db=glob(*)', expected: { valueType: 'glob', isSweep: true } },
    { name: 'cast to a list is an element', input: 'key=str([1,2])', expected: { valueType: 'element', isSweep: false, value: list(str('1'), str('2')) } },
  ])('$name', ({ input, expected }) => {
    const o = parseOverride(input, 3);
    const present = Object.fromEntries(Object.entries(expected).filter(([, v]) => v !== undefined));
    expect(o).toMatchObject({ text: input, index: 3, ...present });
    for (const [k, v] of Object.entries(expected)) if (v === undefined) expect(o[k as keyof Override]).toBeUndefined();
    if ('package' in expected) expect(o.package).toBe(expected.package);
    else expect(o.package).toBeUndefined();
  });
});

describe('primitive values', () => {
  it.each<{ name: string; input: string; expected: ParsedValue }>([
    { name: 'id', input: 'abc', expected: str('abc') },
    { name: 'id with int', input: 'abc123', expected: str('abc123') },
    { name: 'id-int', input: 'abc-123', expected: str('abc-123') },
    { name: 'whitespace inside is kept', input: 'a b c\t-\t1 2 3', expected: str('a b c\t-\t1 2 3') },
    { name: 'whitespace around is trimmed', input: ' abc-123 ', expected: str('abc-123') },
    { name: 'leading and trailing tabs', input: ' \tvalue \t', expected: str('value') },
    { name: 'inner tabs', input: 'value \t 123', expected: str('value \t 123') },
    { name: 'int then id', input: '123abc', expected: str('123abc') },
    { name: 'escaped comma', input: r`a\,b`, expected: str('a,b') },
    { name: 'escaped colon', input: r`a\:b`, expected: str('a:b') },
    { name: 'escaped equal', input: r`a\=b`, expected: str('a=b') },
    { name: 'escaped space', input: r`\ ab`, expected: str(' ab') },
    { name: 'escaped tab', input: 'ab\\\t', expected: str('ab\t') },
    { name: 'escaped backslash', input: 'ab\\\\', expected: str('ab\\') },
    { name: 'escaped comma alone', input: r`\,`, expected: str(',') },
    { name: 'escaped parentheses', input: r`f\(a\, b\)`, expected: str('f(a, b)') },
    { name: 'escaped brackets', input: r`\[a\, b\]`, expected: str('[a, b]') },
    { name: 'escaped braces', input: r`\{a\: b\}`, expected: str('{a: b}') },
    { name: 'escaped interpolation', input: '$\\{foo.bar\\}', expected: str('${foo.bar}') },
    { name: 'interpolation in a string', input: 'xyz_${a.b.c}', expected: str('xyz_${a.b.c}') },
    { name: 'interpolation', input: '${a.b.c}', expected: str('${a.b.c}') },
    { name: 'resolver interpolation with commas', input: '${f:USER,root}', expected: str('${f:USER,root}') },
    { name: 'dotted resolver', input: '${f.g:USER,root}', expected: str('${f.g:USER,root}') },
    { name: 'resolver with a list', input: '${foo:[1,2,3]}', expected: str('${foo:[1,2,3]}') },
    { name: 'windows path', input: 'c:\\foo\\a-b.txt', expected: str('c:\\foo\\a-b.txt') },
    { name: 'every unquoted special', input: '/-\\+.$%*@?|', expected: str('/-\\+.$%*@?|') },
    { name: 'dot', input: '.', expected: str('.') },
    { name: 'dot path value', input: 'list.0.bar', expected: str('list.0.bar') },
    { name: '0.foo', input: '0.foo', expected: str('0.foo') },
    { name: 'null', input: 'null', expected: nul },
    { name: 'NULL', input: 'NULL', expected: nul },
    { name: 'int', input: '10', expected: int(10) },
    { name: 'zero', input: '0', expected: int(0) },
    { name: 'negative int', input: '-20', expected: int(-20) },
    { name: 'explicit plus', input: '+1', expected: int(1) },
    { name: 'underscores', input: '1_000', expected: int(1000) },
    { name: 'underscore 10_0', input: '10_0', expected: int(100) },
    { name: 'not an int', input: '1___0___', expected: str('1___0___') },
    { name: '007 is a string', input: '007', expected: str('007') },
    { name: 'minus zero is int 0', input: '-0', expected: int(0) },
    { name: 'int beyond 2^53 keeps every digit', input: '9007199254740993', expected: int(9007199254740993n) },
    { name: 'float', input: '0.51', expected: float(0.51) },
    { name: 'float zero', input: '0.0', expected: float(0) },
    { name: 'exponent', input: '10e0', expected: float(10) },
    { name: '1e-3 is a float', input: '1e-3', expected: float(0.001) },
    { name: 'small float', input: '1e-05', expected: float(1e-5) },
    { name: 'negative float', input: '-3.14', expected: float(-3.14) },
    { name: 'negative exponent float', input: '-10e1', expected: float(-100) },
    { name: 'float with underscore', input: '3.1_4', expected: float(3.14) },
    { name: 'trailing dot', input: '3.', expected: float(3) },
    { name: 'leading dot', input: '.5', expected: float(0.5) },
    { name: 'inf', input: 'inf', expected: float(Infinity) },
    { name: 'INF', input: 'INF', expected: float(Infinity) },
    { name: '+inf', input: '+inf', expected: float(Infinity) },
    { name: '-inf', input: '-inf', expected: float(-Infinity) },
    { name: 'nan', input: 'nan', expected: float(NaN) },
    { name: 'NaN', input: 'NaN', expected: float(NaN) },
    { name: 'true', input: 'true', expected: bool(true) },
    { name: 'True', input: 'True', expected: bool(true) },
    { name: 'TRUE', input: 'TRUE', expected: bool(true) },
    { name: 'trUe', input: 'trUe', expected: bool(true) },
    { name: 'False', input: 'False', expected: bool(false) },
    { name: 'faLse', input: 'faLse', expected: bool(false) },
    { name: 'yes stays a string', input: 'yes', expected: str('yes') },
    { name: 'off stays a string', input: 'off', expected: str('off') },
    { name: 'id with float suffix', input: 'value-1.0', expected: str('value-1.0') },
    { name: 'id with bool suffix', input: 'value-true', expected: str('value-true') },
    { name: 'a word starting like inf', input: 'info', expected: str('info') },
  ])('$name: $input', ({ input, expected }) => {
    expect(valueOf(input)).toEqual(expected);
  });
});

describe('quoted strings', () => {
  // Hydra's test_primitive_quoted_string: the parsed text, and with_quotes() gives the input back.
  it.each<{ name: string; input: string; expected: ParsedValue }>([
    { name: 'escaped single quote', input: r`'foo \'bar'`, expected: quoted("foo 'bar") },
    { name: 'escaped double quote', input: r`"foo \"bar"`, expected: quoted('foo "bar', '"') },
    { name: 'escaped quote x3', input: r`'foo \\\'bar'`, expected: quoted(r`foo \'bar`) },
    { name: 'escaped double quote x3', input: r`"foo \\\"bar"`, expected: quoted(r`foo \"bar`, '"') },
    { name: 'one backslash', input: r`'foo\bar'`, expected: quoted(r`foo\bar`) },
    { name: 'two backslashes are not an escape', input: r`'foo\\bar'`, expected: quoted(r`foo\\bar`) },
    { name: 'four backslashes', input: r`'foo\\\\bar'`, expected: quoted(r`foo\\\\bar`) },
    { name: 'trailing escaped backslash', input: r`'foo bar\\'`, expected: quoted('foo bar\\') },
    { name: 'compat: C:\\data\\', input: r`'C:\\data\\'`, expected: quoted('C:\\\\data\\') },
    { name: 'mixed escapes', input: r`'foo \\\\\'bar\' \\\\\\'`, expected: quoted(r`foo \\'bar' \\` + '\\') },
    { name: 'specials inside', input: "'\t []{},=+~'", expected: quoted('\t []{},=+~') },
    { name: 'whitespace', input: "'a b c'", expected: quoted('a b c') },
    { name: 'comma', input: "'a,b'", expected: quoted('a,b') },
    { name: 'a list in quotes', input: '"[1,\'2\',3]"', expected: quoted("[1,'2',3]", '"') },
    { name: 'null in quotes', input: "'null'", expected: quoted('null') },
    { name: 'int in quotes', input: "'100'", expected: quoted('100') },
    { name: 'unicode', input: "'שלום'", expected: quoted('שלום') },
    { name: 'interpolation', input: "'a ${b}'", expected: quoted('a ${b}') },
    { name: 'escaped interpolation', input: "'a \\${b}'", expected: quoted('a \\${b}') },
    { name: 'quotes and escaped interpolation', input: "'a \\'\\${b}\\''", expected: quoted("a '\\${b}'") },
    { name: 'backslashes and interpolation', input: "'a \\\\${b}'", expected: quoted('a \\\\${b}') },
    { name: 'quotes and interpolation', input: "'a \\'${b}\\''", expected: quoted("a '${b}'") },
    { name: 'backslash quotes and interpolation', input: "'a \\\\\\'${b}\\\\\\''", expected: quoted("a \\'${b}\\'") },
    { name: 'interpolation with a quoted argument', input: "'${foo:\\'b,a,r\\'}'", expected: quoted("${foo:'b,a,r'}") },
    {
      name: 'nested interpolation',
      input: "'${foo:${a}, \\'\\${bar}\\\\\\'\\', {x: \"${y}\"}}'",
      expected: quoted("${foo:${a}, '\\${bar}\\'', {x: \"${y}\"}}"),
    },
    { name: 'apparent brace mismatch', input: "'${foo:\"\\' }\"}'", expected: quoted('${foo:"\' }"}') },
  ])('$name', ({ input, expected }) => {
    expect(valueOf(input)).toEqual(expected);
  });
});

describe('lists and dicts', () => {
  it.each<{ name: string; input: string; expected: ParsedValue }>([
    { name: 'empty list', input: '[]', expected: list() },
    { name: 'one item', input: '[1]', expected: list(int(1)) },
    { name: 'trailing space', input: '[1 ]', expected: list(int(1)) },
    { name: 'spaces', input: '[1, 2, 3]', expected: list(int(1), int(2), int(3)) },
    { name: 'compat: spaced', input: '[ 1 , 2 ]', expected: list(int(1), int(2)) },
    { name: 'quoted item', input: "['a b']", expected: list(quoted('a b')) },
    { name: 'quoted list-looking item', input: "['[a,b]']", expected: list(quoted('[a,b]')) },
    { name: 'nested', input: '[[a]]', expected: list(list(str('a'))) },
    { name: 'double nested', input: '[[[a]]]', expected: list(list(list(str('a')))) },
    { name: 'mixed nesting', input: '[1,[a]]', expected: list(int(1), list(str('a'))) },
    { name: 'trailing backslash single', input: r`['a\\', 'b\\']`, expected: list(quoted('a\\'), quoted('b\\')) },
    { name: 'trailing backslash double', input: r`["a\\", "b\\"]`, expected: list(quoted('a\\', '"'), quoted('b\\', '"')) },
    { name: 'compat: mixed', input: "[1,'two',3.0,null,true]", expected: list(int(1), quoted('two'), float(3), nul, bool(true)) },
    { name: 'compat: nested dicts', input: '[{a:1},{b:[2,3]}]', expected: list(dict(['a', int(1)]), dict(['b', list(int(2), int(3))])) },
    { name: 'empty dict', input: '{}', expected: dict() },
    { name: 'dict', input: '{a:b}', expected: dict(['a', str('b')]) },
    { name: 'dict int value', input: '{a:10}', expected: dict(['a', int(10)]) },
    { name: 'dict list value', input: '{a:[a,10]}', expected: dict(['a', list(str('a'), int(10))]) },
    { name: 'two entries', input: '{a:10,b:20}', expected: dict(['a', int(10)], ['b', int(20)]) },
    { name: 'nested dict', input: '{a:10,b:{c:[1,2]}}', expected: dict(['a', int(10)], ['b', dict(['c', list(int(1), int(2))])]) },
    { name: 'spaces around colon', input: '{a : 1}', expected: dict(['a', int(1)]) },
    { name: 'null key', input: '{null: 1}', expected: dict([{ kind: 'null' }, int(1)]) },
    {
      name: 'int keys',
      input: '{123: 1, 0: 2, -1: 3}',
      expected: dict([{ kind: 'int', value: 123n }, int(1)], [{ kind: 'int', value: 0n }, int(2)], [{ kind: 'int', value: -1n }, int(3)]),
    },
    { name: 'float keys', input: '{3.14: 0, 1e3: 1}', expected: dict([{ kind: 'float', value: 3.14 }, int(0)], [{ kind: 'float', value: 1000 }, int(1)]) },
    { name: 'bool keys', input: '{true: 1, fAlSe: 0}', expected: dict([{ kind: 'bool', value: true }, int(1)], [{ kind: 'bool', value: false }, int(0)]) },
    { name: 'unquoted special key', input: '{/-\\+.$%*@?|: 1}', expected: dict(['/-\\+.$%*@?|', int(1)]) },
    { name: 'escaped key', input: '{\\\\\\(\\)\\[\\]\\{\\}\\:\\=\\ \\\t\\,: 1}', expected: dict(['\\()[]{}:= \t,', int(1)]) },
    { name: 'key with spaces', input: '{white spaces: 1}', expected: dict(['white spaces', int(1)]) },
    {
      name: 'mixed keys',
      input: '{a_b: 1, ab 123.5 True: 2, null false: 3, 1: 4, null: 5}',
      expected: dict(['a_b', int(1)], ['ab 123.5 True', int(2)], ['null false', int(3)], [{ kind: 'int', value: 1n }, int(4)], [{ kind: 'null' }, int(5)]),
    },
    { name: 'int then id key', input: '{123id: 0}', expected: dict(['123id', int(0)]) },
    { name: 'quoted values', input: r`{a: 'a\\', b: 'b\\'}`, expected: dict(['a', quoted('a\\')], ['b', quoted('b\\')]) },
    { name: 'value with colons', input: '{a:b:c}', expected: dict(['a', str('b:c')]) },
    {
      name: 'repeated key (1, 1.0, true) keeps first place, last value',
      input: '{1:a,x:y,1.0:b,true:c}',
      expected: dict([{ kind: 'int', value: 1n }, str('c')], ['x', str('y')]),
    },
  ])('$name: $input', ({ input, expected }) => {
    expect(valueOf(input)).toEqual(expected);
  });
});

describe('simple choice sweeps', () => {
  const choice = (...items: ParsedValue[]): ParsedValue => ({ kind: 'choice', items: items as never, simpleForm: true, shuffle: false, tags: [] });
  it.each<{ name: string; input: string; expected: ParsedValue }>([
    { name: 'ids', input: 'a,b', expected: choice(str('a'), str('b')) },
    { name: 'mixed types', input: 'a,10,3.14', expected: choice(str('a'), int(10), float(3.14)) },
    { name: 'spaces', input: 'a , b', expected: choice(str('a'), str('b')) },
    { name: 'spaces and tabs', input: '1 ,  2,\t\t3', expected: choice(int(1), int(2), int(3)) },
    { name: 'interpolations', input: '${a}, ${b}, ${c}', expected: choice(str('${a}'), str('${b}'), str('${c}')) },
    { name: 'lists', input: '[a,b],[c,d]', expected: choice(list(str('a'), str('b')), list(str('c'), str('d'))) },
    { name: 'lists with whitespace', input: '[1  ,\t2\t],[\t3\t   ,4  ]', expected: choice(list(int(1), int(2)), list(int(3), int(4))) },
    { name: 'quoted with commas', input: "'a,b',c", expected: choice(quoted('a,b'), str('c')) },
    { name: 'dicts', input: '{a:10, b:20},{c:30,d:40}', expected: choice(dict(['a', int(10)], ['b', int(20)]), dict(['c', int(30)], ['d', int(40)])) },
  ])('$name: $input', ({ input, expected }) => {
    expect(valueOf(input)).toEqual(expected);
  });
});

describe('syntax and evaluation errors', () => {
  it.each<{ name: string; input: string; code: string; col: number; message: string }>([
    { name: 'missing =', input: 'foo', code: 'OVERRIDE_SYNTAX', col: 4, message: "expected '=' after key 'foo'" },
    { name: 'missing = after +key', input: '+foo', code: 'OVERRIDE_SYNTAX', col: 5, message: "expected '=' after key 'foo'" },
    { name: 'missing = after group@', input: 'foo@', code: 'OVERRIDE_SYNTAX', col: 5, message: "expected '='" },
    { name: 'package rename (removed in 1.1)', input: 'foo@abc:xyz=1', code: 'OVERRIDE_SYNTAX', col: 8, message: "mismatched input ':'" },
    { name: 'left-overs after a list', input: 'key=[]aa', code: 'OVERRIDE_SYNTAX', col: 7, message: "mismatched input 'aa'" },
    { name: 'stray quote', input: "key=[1,2,3]'", code: 'OVERRIDE_SYNTAX', col: 12, message: 'unclosed quote' },
    { name: 'unclosed quote', input: "key='abc", code: 'OVERRIDE_SYNTAX', col: 5, message: 'unclosed quote' },
    { name: 'bad escaping in a list', input: r`key=['a\', 'b']`, code: 'OVERRIDE_SYNTAX', col: 14, message: 'unclosed quote' },
    { name: 'quoted dict key', input: "key={' abc ': 0}", code: 'OVERRIDE_SYNTAX', col: 6, message: 'dict keys cannot be quoted' },
    { name: 'double-quoted dict key', input: 'key={" abc ": 0}', code: 'OVERRIDE_SYNTAX', col: 6, message: 'dict keys cannot be quoted' },
    { name: 'dollar in a group', input: '$foo/bar=foobar', code: 'OVERRIDE_SYNTAX', col: 5, message: "mismatched input '/'" },
    { name: 'dotted path in a group', input: 'a/b.c=1', code: 'OVERRIDE_SYNTAX', col: 3, message: "expected a group name after '/'" },
    { name: 'leading slash', input: '/db=mysql', code: 'OVERRIDE_SYNTAX', col: 1, message: "mismatched input '/'" },
    { name: 'whitespace in key', input: 'a b=1', code: 'OVERRIDE_SYNTAX', col: 2, message: 'unexpected whitespace in key' },
    { name: 'space before =', input: 'key =1', code: 'OVERRIDE_SYNTAX', col: 4, message: 'unexpected whitespace in key' },
    { name: 'quoted key', input: "'a'=1", code: 'OVERRIDE_SYNTAX', col: 1, message: "unexpected character ''' in key" },
    { name: 'non-ASCII unquoted value', input: 'a=é', code: 'OVERRIDE_SYNTAX', col: 3, message: "unexpected character 'é'" },
    { name: 'unclosed [', input: 'key=[1,2', code: 'OVERRIDE_SYNTAX', col: 5, message: "unclosed '['" },
    { name: 'partial list', input: 'key=[', code: 'OVERRIDE_SYNTAX', col: 5, message: "unclosed '['" },
    { name: 'unclosed {', input: 'key={a:1', code: 'OVERRIDE_SYNTAX', col: 5, message: "unclosed '{'" },
    { name: 'unclosed (', input: 'key=choice(1,2', code: 'OVERRIDE_SYNTAX', col: 11, message: "unclosed '('" },
    { name: 'wrong closer', input: 'key=[1,2}', code: 'OVERRIDE_SYNTAX', col: 9, message: "expected ',' or ']'" },
    { name: 'unescaped = in value', input: 'key=a=b', code: 'OVERRIDE_SYNTAX', col: 6, message: "mismatched input '='" },
    { name: 'value ends with a comma', input: 'key=1,', code: 'OVERRIDE_SYNTAX', col: 7, message: 'expected a value before the end' },
    { name: 'value starts with a comma', input: 'key=,1', code: 'OVERRIDE_SYNTAX', col: 5, message: "mismatched input ','" },
    { name: 'whitespace after a list', input: 'key=[1] ', code: 'OVERRIDE_SYNTAX', col: 8, message: "mismatched input ' '" },
    { name: 'text after a quoted value', input: "key='a'b", code: 'OVERRIDE_SYNTAX', col: 8, message: "mismatched input 'b'" },
    { name: 'newline in a value', input: 'key=a\nb', code: 'OVERRIDE_SYNTAX', col: 6, message: 'unexpected character' },
    { name: 'dict key without colon', input: 'key={a}', code: 'OVERRIDE_SYNTAX', col: 7, message: "expected ':'" },
    { name: 'unescaped bracket', input: 'dir=A[B', code: 'OVERRIDE_SYNTAX', col: 6, message: "mismatched input '['" },
    { name: 'positional after keyword', input: 'key=f(x=1,2)', code: 'OVERRIDE_SYNTAX', col: 11, message: 'positional argument follows keyword argument' },
    { name: 'nesting limit', input: `key=${'['.repeat(150)}`, code: 'OVERRIDE_SYNTAX', col: 105, message: 'nesting deeper than 100' },
    { name: 'unknown function', input: 'key=foo(1)', code: 'OVERRIDE_INVALID', col: 5, message: "Unknown function 'foo'" },
    {
      name: 'int of a word',
      input: 'key=int(abc)',
      code: 'OVERRIDE_INVALID',
      col: 5,
      message: "ValueError while evaluating 'int(abc)': invalid literal for int() with base 10: 'abc'",
    },
    {
      name: 'sort of mixed types',
      input: 'key=sort(3,2,str(1))',
      code: 'OVERRIDE_INVALID',
      col: 5,
      message: "TypeError while evaluating 'sort(3,2,str(1))': '<' not supported between instances of 'str' and 'int'",
    },
    { name: 'empty choice', input: 'key=choice()', code: 'OVERRIDE_INVALID', col: 5, message: 'empty choice is not legal' },
    { name: 'nested choice', input: 'key=choice(choice(a))', code: 'OVERRIDE_INVALID', col: 5, message: 'nesting choices is not supported' },
    { name: 'range without args', input: 'key=range()', code: 'OVERRIDE_INVALID', col: 5, message: "missing a required argument: 'start'" },
    {
      name: 'range of strings',
      input: 'key=range(a,b)',
      code: 'OVERRIDE_INVALID',
      col: 5,
      message: 'mismatch type argument start: str is incompatible with Union[int, float]',
    },
    { name: 'range given start twice', input: 'key=range(1,start=2)', code: 'OVERRIDE_INVALID', col: 5, message: "multiple values for argument 'start'" },
    { name: 'interval with one arg', input: 'key=interval(1)', code: 'OVERRIDE_INVALID', col: 5, message: "missing a required argument: 'end'" },
    { name: 'unknown keyword', input: 'key=shuffle(a,b,seed=1)', code: 'OVERRIDE_INVALID', col: 5, message: "got an unexpected keyword argument 'seed'" },
    { name: 'too many positional', input: 'key=glob(a,b,c)', code: 'OVERRIDE_INVALID', col: 5, message: 'too many positional arguments' },
    { name: 'choice of null', input: 'key=choice(a,null)', code: 'OVERRIDE_INVALID', col: 5, message: 'mismatch type argument args[1]: NoneType' },
    { name: 'tag with an int', input: 'key=tag(1,choice(a))', code: 'OVERRIDE_INVALID', col: 5, message: 'mismatch type argument args[0]: int' },
    {
      name: 'tag without a sweep',
      input: 'key=tag(a,b)',
      code: 'OVERRIDE_INVALID',
      col: 5,
      message: 'Last argument to tag() must be a choice(), range() or interval(), got NoneType',
    },
    { name: 'tag without args', input: 'key=tag()', code: 'OVERRIDE_INVALID', col: 5, message: 'Not enough arguments to tag' },
    {
      name: 'sort reverse must be a bool',
      input: 'key=sort(1,2,reverse=1)',
      code: 'OVERRIDE_INVALID',
      col: 5,
      message: 'mismatch type argument reverse: int is incompatible with bool',
    },
    { name: 'empty sort', input: 'key=sort()', code: 'OVERRIDE_INVALID', col: 5, message: 'empty sort input' },
    { name: 'cast with both forms', input: 'key=int(1,value=2)', code: 'OVERRIDE_INVALID', col: 5, message: 'cannot use both position and named arguments' },
    { name: 'cast of nothing', input: 'key=int()', code: 'OVERRIDE_INVALID', col: 5, message: 'No positional args or value specified' },
    { name: 'a sweep inside a list', input: 'key=[choice(a,b)]', code: 'OVERRIDE_INVALID', col: 5, message: 'cannot be nested in a list' },
    {
      name: 'a sweep inside a simple sweep',
      input: 'key=a,range(1,3)',
      code: 'OVERRIDE_INVALID',
      col: 5,
      message: 'cannot be nested in a comma-separated sweep',
    },
  ])('$name: $input', ({ input, code, col, message }) => {
    const e = errorOf(() => parseOverride(input, 2));
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
    expect(e.where).toMatchObject({ kind: 'override', text: input, index: 2, col });
  });

  it('suggests the closest function name', () => {
    expect(errorOf(() => parseOverride('key=chioce(a,b)', 0)).hint).toContain("did you mean 'choice'?");
  });

  it.each([
    { name: 'quote it', input: 'dir=A[B', hint: "to pass it as a string, quote it: dir='A[B'" },
    { name: 'quote a non-ASCII value', input: 'msg=héllo', hint: "to pass it as a string, quote it: msg='héllo'" },
    { name: 'double quotes when it holds a single quote', input: "+x='a'b", hint: `to pass it as a string, quote it: +x="'a'b"` },
    { name: 'escaped quotes when it holds both', input: `x='a'"b"c`, hint: `to pass it as a string, quote it: x='\\'a\\'"b"c'` },
  ])('suggests the fixed override: $name', ({ input, hint }) => {
    expect(errorOf(() => parseOverride(input, 0)).hint).toBe(hint);
  });

  it('hints at the fixed override for a missing =', () => {
    expect(errorOf(() => parseOverride('db', 0)).hint).toBe("write 'db=VALUE', or '~db' to delete it");
  });
});

describe('parseOverrides', () => {
  it('parses every override with its index', () => {
    const parsed = parseOverrides(['x=10', 'y=[1,2]', 'z=a,b,c', 'z=choice(a,b,c)']);
    expect(parsed.map((o) => [o.index, o.key, o.valueType])).toEqual([
      [0, 'x', 'element'],
      [1, 'y', 'element'],
      [2, 'z', 'simple-choice'],
      [3, 'z', 'choice'],
    ]);
  });

  it('collects every bad override into one error', () => {
    const e = errorOf(() => parseOverrides(['a=1', 'foo', 'b=[', 'c=2', 'd=int(x)']));
    expect(e.all().map((x) => [x.code, x.where?.kind === 'override' ? x.where.index : -1])).toEqual([
      ['OVERRIDE_SYNTAX', 1],
      ['OVERRIDE_SYNTAX', 2],
      ['OVERRIDE_INVALID', 4],
    ]);
  });
});
