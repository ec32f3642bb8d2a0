import { describe, expect, it } from 'vitest';
import {
  escapeSpecialCharacters,
  formatElement,
  formatKeyElement,
  formatOverrideForJob,
  parseOverride,
  quoteString,
  type ParsedElement,
} from '../../../src/overrides/index.js';
import { bool, dict, float, int, list, nul, quoted, str } from './elements.js';

// Hydra 1.3: test_escape_special_characters, test_override_get_value_element_method,
// test_get_key_element, and the basic sweeper's re-serialisation (compat cases 066, 072-074).

describe('escapeSpecialCharacters', () => {
  it.each([
    { name: 'no escape', input: 'abc', expected: 'abc' },
    { name: 'backslash', input: '\\', expected: '\\\\' },
    { name: 'three backslashes', input: '\\\\\\', expected: '\\\\\\\\\\\\' },
    { name: 'parentheses', input: '()', expected: '\\(\\)' },
    { name: 'brackets', input: '[]', expected: '\\[\\]' },
    { name: 'braces', input: '{}', expected: '\\{\\}' },
    { name: 'symbols', input: ':=,', expected: '\\:\\=\\,' },
    { name: 'whitespace', input: '  \t', expected: '\\ \\ \\\t' },
    { name: 'mixed', input: 'ab\\(cd{ef}[gh]): ij,kl\t', expected: 'ab\\\\\\(cd\\{ef\\}\\[gh\\]\\)\\:\\ ij\\,kl\\\t' },
    { name: 'interpolation', input: '${db.driver}', expected: '$\\{db.driver\\}' },
  ])('$name', ({ input, expected }) => {
    expect(escapeSpecialCharacters(input)).toBe(expected);
  });
});

describe('formatElement (get_value_element_as_str)', () => {
  it.each<{ name: string; override: string; expected: string }>([
    { name: 'str', override: 'key=value', expected: 'value' },
    { name: 'single quoted', override: "key='value'", expected: "'value'" },
    { name: 'double quoted', override: 'key="value"', expected: '"value"' },
    { name: 'quoted unicode', override: "key='שלום'", expected: "'שלום'" },
    { name: 'escaped chars', override: 'key=\\\\\\(\\)\\[\\]\\{\\}\\:\\=\\ \\\t\\,', expected: '\\\\\\(\\)\\[\\]\\{\\}\\:\\=\\ \\\t\\,' },
    { name: 'int', override: 'key=10', expected: '10' },
    { name: 'float', override: 'key=3.1415', expected: '3.1415' },
    { name: 'float 1e3 prints as Python does', override: 'key=1e3', expected: '1000.0' },
    { name: 'small float', override: 'key=0.00001', expected: '1e-05' },
    { name: 'bool prints as Python str()', override: 'key=true', expected: 'True' },
    { name: 'false', override: 'key=FALSE', expected: 'False' },
    { name: 'null', override: 'key=null', expected: 'null' },
    { name: 'underscored int', override: 'key=1_000', expected: '1000' },
    { name: 'empty list', override: 'key=[]', expected: '[]' },
    { name: 'list', override: 'key=[1,2,3]', expected: '[1,2,3]' },
    { name: 'list with quoted item', override: "key=['a b', 2, 3]", expected: "['a b',2,3]" },
    { name: 'empty dict', override: 'key={}', expected: '{}' },
    { name: 'dict', override: 'key={a:10,b:20}', expected: '{a:10,b:20}' },
    { name: 'dict with special key', override: 'key={/-\\+.$%*@?|: 1}', expected: '{/-\\\\+.$%*@?|:1}' },
    { name: 'dict with whitespace in key', override: 'key={ white  space\t: 2}', expected: '{white\\ \\ space:2}' },
    { name: 'interpolation is escaped', override: 'key=${db.driver}', expected: '$\\{db.driver\\}' },
    { name: 'trimmed string with inner space', override: 'key= a b ', expected: 'a\\ b' },
    { name: 'empty string', override: 'key=', expected: '' },
  ])('$name', ({ override, expected }) => {
    expect(formatElement(parseOverride(override, 0).value as ParsedElement)).toBe(expected);
  });

  it.each<{ name: string; value: ParsedElement; expected: string }>([
    { name: 'float 0.0', value: float(0), expected: '0.0' },
    { name: 'float 0.25', value: float(0.25), expected: '0.25' },
    { name: 'inf', value: float(Infinity), expected: 'inf' },
    { name: 'big int', value: int(12345678901234567890n), expected: '12345678901234567890' },
    { name: 'quoted with quote inside', value: quoted("a'b"), expected: "'a\\'b'" },
    { name: 'quoted with trailing backslash', value: quoted('C:\\\\data\\'), expected: "'C:\\\\data\\\\'" },
    { name: 'dict with non-string keys', value: dict([{ kind: 'int', value: 1n }, bool(true)], [{ kind: 'null' }, nul]), expected: '{1:True,null:null}' },
    { name: 'nested', value: list(str('a,b'), list(float(1))), expected: '[a\\,b,[1.0]]' },
  ])('$name', ({ value, expected }) => {
    expect(formatElement(value)).toBe(expected);
  });
});

describe('quoteString', () => {
  it.each([
    { name: 'plain', text: 'abc', quote: "'" as const, expected: "'abc'" },
    { name: 'single quote inside', text: "foo 'bar", quote: "'" as const, expected: "'foo \\'bar'" },
    { name: 'other quote kept', text: 'say "hi"', quote: "'" as const, expected: '\'say "hi"\'' },
    { name: 'backslash before quote', text: "foo \\'bar", quote: "'" as const, expected: "'foo \\\\\\'bar'" },
    { name: 'trailing backslash', text: 'foo bar\\', quote: "'" as const, expected: "'foo bar\\\\'" },
    { name: 'lone backslash kept', text: 'foo\\bar', quote: '"' as const, expected: '"foo\\bar"' },
  ])('$name', ({ text, quote, expected }) => {
    expect(quoteString(text, quote)).toBe(expected);
    expect(parseOverride(`k=${expected}`, 0).value).toEqual(quoted(text, quote));
  });
});

describe('formatKeyElement and formatOverrideForJob', () => {
  it.each([
    { name: 'key', input: 'key=value', key: 'key', job: 'key=value' },
    { name: 'key@pkg1', input: 'key@pkg1=value', key: 'key@pkg1', job: 'key@pkg1=value' },
    { name: '+key', input: '+key=value', key: '+key', job: '+key=value' },
    { name: '+key@pkg1', input: '+key@pkg1=value', key: '+key@pkg1', job: '+key@pkg1=value' },
    { name: '++key', input: '++key=value', key: '++key', job: '++key=value' },
    { name: '++key@pkg1', input: '++key@pkg1=value', key: '++key@pkg1', job: '++key@pkg1=value' },
    { name: '~key=value', input: '~key=value', key: '~key', job: '~key=value' },
    { name: '~key@pkg1=value', input: '~key@pkg1=value', key: '~key@pkg1', job: '~key@pkg1=value' },
    { name: 'bare ~key becomes ~key=null', input: '~key', key: '~key', job: '~key=null' },
    { name: 'global package', input: 'db@=mysql', key: 'db@', job: 'db@=mysql' },
    { name: 'key= stays empty', input: 'key=', key: 'key', job: 'key=' },
    { name: 'value re-serialised', input: 'x= [ 1 , 2 ]', key: 'x', job: 'x=[1,2]' },
  ])('$name', ({ input, key, job }) => {
    const o = parseOverride(input, 0);
    expect(formatKeyElement(o)).toBe(key);
    expect(formatOverrideForJob(o)).toBe(job);
  });

  it('formats one sweep element with the override key', () => {
    const o = parseOverride('+run=${db.driver},b', 0);
    expect(formatOverrideForJob(o, str('${db.driver}'))).toBe('+run=$\\{db.driver\\}');
  });

  it('refuses to format a whole sweep', () => {
    expect(() => formatOverrideForJob(parseOverride('a=1,2', 4))).toThrowError(expect.objectContaining({ code: 'SWEEP_INVALID' }));
  });
});
