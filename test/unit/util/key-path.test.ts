import { describe, expect, it } from 'vitest';
import {
  appendIndex,
  appendKey,
  bracketKeyPath,
  formatDottedKey,
  formatKeyPath,
  parseKeyPath,
  parseListIndex,
  splitDottedKey,
  splitKey,
  type PathSegment,
} from '../../../src/util/key-path.js';

describe('the bracket form (messages, provenance.json, diffs)', () => {
  it.each([
    { name: 'key under a key', parent: 'a', key: 'b', expected: 'a.b' },
    { name: 'key at the root', parent: '', key: 'b', expected: 'b' },
    { name: 'key after an index', parent: 'a[0]', key: 'b', expected: 'a[0].b' },
    { name: 'a key with a dot stays as it is', parent: 'a', key: 'x.y', expected: 'a.x.y' },
  ])('appendKey: $name', ({ parent, key, expected }) => {
    expect(appendKey(parent, key)).toBe(expected);
  });

  it.each([
    { name: 'index under a key', parent: 'a', index: 0, expected: 'a[0]' },
    { name: 'index at the root', parent: '', index: 2, expected: '[2]' },
    { name: 'nested index', parent: 'a[1]', index: 3, expected: 'a[1][3]' },
    { name: 'an index given as text', parent: 'a', index: '10', expected: 'a[10]' },
  ])('appendIndex: $name', ({ parent, index, expected }) => {
    expect(appendIndex(parent, index)).toBe(expected);
  });

  it.each<{ name: string; path: PropertyKey[]; expected: string }>([
    { name: 'the root', path: [], expected: '' },
    { name: 'keys', path: ['a', 'b'], expected: 'a.b' },
    { name: 'numbers are indices', path: ['a', 0, 'b'], expected: 'a[0].b' },
    { name: 'an index first', path: [0, 'a'], expected: '[0].a' },
    { name: 'consecutive indices', path: ['m', 1, 2], expected: 'm[1][2]' },
    { name: 'a digit string is a key', path: ['a', '0'], expected: 'a.0' },
    { name: 'a symbol (zod paths allow them)', path: ['a', Symbol('s')], expected: 'a.Symbol(s)' },
  ])('formatKeyPath: $name', ({ path, expected }) => {
    expect(formatKeyPath(path)).toBe(expected);
  });

  it.each([
    { name: 'dotted digits become indices', text: 'a.b.0.c', expected: 'a.b[0].c' },
    { name: 'already bracketed', text: 'a.b[0].c', expected: 'a.b[0].c' },
    { name: 'a first segment of digits stays a key', text: '0.a', expected: '0.a' },
    { name: 'consecutive indices', text: 'm.1.2', expected: 'm[1][2]' },
    { name: 'digits and letters are a key', text: 'a.1b', expected: 'a.1b' },
    { name: 'leading zeros kept', text: 'a.007', expected: 'a[007]' },
    { name: 'empty', text: '', expected: '' },
  ])('bracketKeyPath: $name', ({ text, expected }) => {
    expect(bracketKeyPath(text)).toBe(expected);
  });
});

describe('the dotted form (override keys)', () => {
  it.each<{ name: string; path: PathSegment[]; expected: string }>([
    { name: 'keys', path: ['a', 'b'], expected: 'a.b' },
    { name: 'an index is one more segment', path: ['a', 0, 'b'], expected: 'a.0.b' },
    { name: 'the root', path: [], expected: '' },
  ])('formatDottedKey: $name', ({ path, expected }) => {
    expect(formatDottedKey(path)).toBe(expected);
  });

  it.each([
    { name: 'keys and an index', key: 'a.0.b', expected: ['a', '0', 'b'] },
    { name: 'one key', key: 'lr', expected: ['lr'] },
    { name: 'empty segments kept, as Hydra keeps them', key: 'a..b', expected: ['a', '', 'b'] },
    { name: 'brackets are not special', key: 'a[0]', expected: ['a[0]'] },
  ])('splitDottedKey: $name', ({ key, expected }) => {
    expect(splitDottedKey(key)).toEqual(expected);
  });
});

describe('parsing', () => {
  it.each([
    { name: 'bracket form', text: 'a.b[0].c', expected: ['a', 'b', '0', 'c'] },
    { name: 'dotted form', text: 'a.b.0.c', expected: ['a', 'b', '0', 'c'] },
    { name: 'the root', text: '', expected: [] },
    { name: 'an index first', text: '[1].a', expected: ['1', 'a'] },
    { name: 'empty segments dropped', text: 'a..b.', expected: ['a', 'b'] },
    { name: 'brackets around a word are part of the key', text: 'a[x]', expected: ['a[x]'] },
  ])('parseKeyPath: $name', ({ text, expected }) => {
    expect(parseKeyPath(text)).toEqual(expected);
  });

  // Expected values from OmegaConf 2.2's omegaconf._utils.split_key (its code, run in CPython).
  it.each([
    { name: 'dots', key: 'a.b.c', expected: ['a', 'b', 'c'] },
    { name: 'brackets', key: 'a[b].c', expected: ['a', 'b', 'c'] },
    { name: 'an index in brackets', key: 'a.b[0]', expected: ['a', 'b', '0'] },
    { name: 'relative: one leading dot', key: '.a', expected: ['', 'a'] },
    { name: 'relative: two leading dots', key: '..a.b', expected: ['', '', 'a', 'b'] },
    { name: 'relative, then brackets', key: '..[a]', expected: ['', '', 'a'] },
    { name: 'empty key', key: '', expected: [''] },
    { name: 'anything in brackets', key: 'a[b.c]', expected: ['a', 'b.c'] },
  ])('splitKey (OmegaConf): $name', ({ key, expected }) => {
    expect(splitKey(key)).toEqual(expected);
  });

  it.each([
    { name: 'digits', segment: '2', expected: 2 },
    { name: 'blanks around', segment: ' 1 ', expected: 1 },
    { name: 'underscores', segment: '1_0', expected: 10 },
    { name: 'a sign', segment: '+3', expected: 3 },
    { name: 'negative (the caller rejects it)', segment: '-1', expected: -1 },
    { name: 'a word', segment: 'x', expected: undefined },
    { name: 'a float', segment: '1.0', expected: undefined },
    { name: 'empty', segment: '', expected: undefined },
  ])('parseListIndex: $name', ({ segment, expected }) => {
    expect(parseListIndex(segment)).toBe(expected);
  });
});
