import { describe, expect, it } from 'vitest';
import { loadYaml } from '../../../src/yaml/load.js';
import { TrellisError } from '../../../src/errors/index.js';
import { tagged } from '../../helpers/plain.js';

const f = (n: number) => ({ $float: n });

describe('loadYaml: OmegaConf scalar typing (YAML 1.1 with OmegaConf patches)', () => {
  it.each([
    { name: 'int', input: 'v: 42', expected: 42 },
    { name: 'negative int', input: 'v: -7', expected: -7 },
    { name: 'octal with leading zero', input: 'v: 010', expected: 8 },
    { name: '0o is not octal in 1.1', input: 'v: 0o10', expected: '0o10' },
    { name: 'hex', input: 'v: 0x10', expected: 16 },
    { name: 'binary', input: 'v: 0b101', expected: 5 },
    { name: 'underscores', input: 'v: 1_000', expected: 1000 },
    { name: 'sexagesimal int', input: 'v: 10:30', expected: 630 },
    { name: 'sexagesimal float', input: 'v: 1:30.5', expected: f(90.5) },
    { name: '09 is not octal: string', input: 'v: 09', expected: '09' },
    { name: 'float', input: 'v: 0.5', expected: f(0.5) },
    { name: '1e3 is a float (OmegaConf patch)', input: 'v: 1e3', expected: f(1000) },
    { name: '1.0 stays a float', input: 'v: 1.0', expected: f(1) },
    { name: 'float with underscore', input: 'v: 1_0.5', expected: f(10.5) },
    { name: '.inf', input: 'v: .inf', expected: f(Infinity) },
    { name: '-.inf', input: 'v: -.inf', expected: f(-Infinity) },
    { name: 'inf without dot is a string', input: 'v: inf', expected: 'inf' },
    { name: 'nan without dot is a string', input: 'v: nan', expected: 'nan' },
    { name: '.5e3 needs a signed exponent: string', input: 'v: .5e3', expected: '.5e3' },
    { name: '+.5 is a string', input: 'v: +.5', expected: '+.5' },
    { name: 'yes is true', input: 'v: yes', expected: true },
    { name: 'Off is false', input: 'v: Off', expected: false },
    { name: 'y stays a string', input: 'v: y', expected: 'y' },
    { name: 'n stays a string', input: 'v: n', expected: 'n' },
    { name: 'date stays a string', input: 'v: 2024-01-01', expected: '2024-01-01' },
    { name: 'tilde is null', input: 'v: ~', expected: null },
    { name: 'empty is null', input: 'v:', expected: null },
    { name: 'quoted number is a string', input: "v: '1'", expected: '1' },
    { name: 'quoted ??? is kept', input: "v: '???'", expected: '???' },
    { name: '!!str tag', input: 'v: !!str 5', expected: '5' },
    { name: '!!float tag', input: 'v: !!float 5', expected: f(5) },
    { name: 'interpolation text', input: 'v: ${a.b}', expected: '${a.b}' },
  ])('$name', ({ input, expected }) => {
    expect(tagged(loadYaml(input, 't.yaml').root)).toEqual({ v: expected });
  });

  it('keeps integers beyond 2^53 exactly', () => {
    const root = loadYaml('v: 9007199254740993', 't.yaml').root;
    expect(root.kind === 'dict' && root.entries.get('v')?.node).toMatchObject({ value: 9007199254740993n });
  });

  it('types keys: on is the key true, 1 is an int key, y is a string key', () => {
    expect(tagged(loadYaml('on: a\n2: b\ny: c', 't.yaml').root)).toEqual({ '<boolean>true': 'a', '<number>2': 'b', y: 'c' });
  });

  it('non-string keys compare as Python dict keys: true, 1 and 1.0 are one key (first key, last value)', () => {
    // OmegaConf 2.2.2: OmegaConf.load('on: a\n1: b\ny: c') gives {True: 'b', 'y': 'c'}.
    expect(tagged(loadYaml('on: a\n1: b\ny: c', 't.yaml').root)).toEqual({ '<boolean>true': 'b', y: 'c' });
  });

  it('an empty document is an empty mapping', () => {
    expect(tagged(loadYaml('# only a comment\n', 't.yaml').root)).toEqual({});
  });
});

describe('loadYaml: merge keys and aliases', () => {
  it('merges <<: *anchor with own keys winning and merged keys first', () => {
    const text = 'base: &b {lr: 0.1, epochs: 10}\nexp:\n  lr: 0.5\n  <<: *b\n';
    const root = loadYaml(text, 't.yaml').root;
    expect(tagged(root)).toEqual({ base: { lr: f(0.1), epochs: 10 }, exp: { lr: f(0.5), epochs: 10 } });
    const exp = root.kind === 'dict' ? root.entries.get('exp')?.node : undefined;
    expect(exp?.kind === 'dict' && [...exp.entries.keys()]).toEqual(['lr', 'epochs']);
  });

  it('with a list of merges, earlier sources win', () => {
    const text = 'a: &a {x: 1}\nb: &b {x: 2, y: 2}\nc:\n  <<: [*a, *b]\n';
    expect(tagged(loadYaml(text, 't.yaml').root)).toMatchObject({ c: { x: 1, y: 2 } });
  });

  it('expands aliases into copies', () => {
    expect(tagged(loadYaml('a: &x [1, 2]\nb: *x', 't.yaml').root)).toEqual({ a: [1, 2], b: [1, 2] });
  });
});

describe('loadYaml: errors carry code and position', () => {
  const cases = [
    { name: 'duplicate string key', input: 'a: 1\nb: 2\na: 3\n', code: 'YAML_DUPLICATE_KEY', line: 3, col: 1 },
    { name: 'bad indentation', input: 'a:\n  b: 1\n c: 2\n', code: 'YAML_SYNTAX', line: 3 },
    { name: 'unclosed flow sequence', input: 'a: [1, 2\n', code: 'YAML_SYNTAX' },
    { name: '__proto__ key', input: 'x:\n  __proto__: {polluted: 1}\n', code: 'UNSAFE_KEY', line: 2, col: 3 },
    { name: 'unknown tag', input: 'a: !!python/object x\n', code: 'YAML_SYNTAX', line: 1 },
  ];
  it.each(cases)('$name', ({ input, code, line, col }) => {
    let error: unknown;
    try {
      loadYaml(input, 'conf/t.yaml');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrellisError);
    const e = error as TrellisError;
    expect(e.code).toBe(code);
    expect(e.where?.kind).toBe('file');
    if (e.where?.kind === 'file') {
      expect(e.where.file).toBe('conf/t.yaml');
      if (line !== undefined) expect(e.where.line).toBe(line);
      if (col !== undefined) expect(e.where.col).toBe(col);
    }
  });

  it('duplicate int keys are allowed and the last wins (PyYAML)', () => {
    expect(tagged(loadYaml('1: a\n1: b\n', 't.yaml').root)).toEqual({ '<number>1': 'b' });
  });

  it('bounds alias expansion (billion laughs)', () => {
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++)
      lines.push(
        `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(10)
          .fill(`*${String.fromCharCode(96 + i)}`)
          .join(', ')}]`,
      );
    expect(() => loadYaml(lines.join('\n'), 'bomb.yaml')).toThrow(expect.objectContaining({ code: 'YAML_LIMIT' }));
  });

  it('bounds nesting depth', () => {
    const deep = `${'['.repeat(300)}${']'.repeat(300)}`;
    expect(() => loadYaml(`a: ${deep}`, 'deep.yaml')).toThrow(expect.objectContaining({ code: 'YAML_LIMIT' }));
  });

  it('records the position of values', () => {
    const root = loadYaml('a:\n  b: hello\n', 'conf/x.yaml').root;
    const a = root.kind === 'dict' ? root.entries.get('a')?.node : undefined;
    const b = a?.kind === 'dict' ? a.entries.get('b')?.node : undefined;
    expect(b?.origin).toMatchObject({ kind: 'file', file: 'conf/x.yaml', line: 2, col: 6, sourceLine: '  b: hello' });
  });
});
