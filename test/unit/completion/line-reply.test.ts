import { describe, expect, it } from 'vitest';
import type { Candidate } from '../../../src/completion/candidates.js';
import { installPlan } from '../../../src/completion/install-path.js';
import { splitLine } from '../../../src/completion/line.js';
import { formatReply } from '../../../src/completion/reply.js';
import { schemaHint } from '../../../src/completion/schema-hints.js';

describe('splitLine: the words before the cursor, as a shell reads them', () => {
  it.each([
    { name: 'plain words', text: 'trellis compose db=', words: ['trellis', 'compose'], current: 'db=', raw: 'db=', openQuote: undefined },
    { name: 'after a space, a new empty word', text: 'trellis compose ', words: ['trellis', 'compose'], current: '', raw: '', openQuote: undefined },
    { name: 'an open single quote', text: "app 'lr=ra", words: ['app'], current: 'lr=ra', raw: "'lr=ra", openQuote: "'" },
    { name: 'quotes joined to a word', text: "app 'a b'=c d", words: ['app', 'a b=c'], current: 'd', raw: 'd', openQuote: undefined },
    { name: 'backslash escapes', text: 'app lr=range\\(1', words: ['app'], current: 'lr=range(1', raw: 'lr=range\\(1', openQuote: undefined },
    { name: 'double quotes keep \\$', text: 'app "x=\\$y', words: ['app'], current: 'x=$y', raw: '"x=\\$y', openQuote: '"' },
    { name: 'several spaces', text: 'a   b  ', words: ['a', 'b'], current: '', raw: '', openQuote: undefined },
  ])('$name', ({ text, words, current, raw, openQuote }) => {
    expect(splitLine(text)).toEqual({ words, current, raw, openQuote });
  });
});

const CANDIDATES: Candidate[] = [
  { value: 'optimizer=adam', description: 'an option' },
  { value: 'optimizer=sgd', description: 'current choice' },
];

describe('formatReply', () => {
  it.each([
    {
      name: 'bash: text up to the last word break is cut, as bash replaces only what follows it',
      shell: 'bash' as const,
      line: 'app optimizer=',
      wordbreaks: undefined,
      expected: 'space\nadam\nsgd\n',
    },
    {
      name: 'bash without = in COMP_WORDBREAKS',
      shell: 'bash' as const,
      line: 'app optimizer=',
      wordbreaks: ' \t\n',
      expected: 'space\noptimizer=adam\noptimizer=sgd\n',
    },
    {
      name: 'bash inside a quote: the whole word',
      shell: 'bash' as const,
      line: "app 'optimizer=",
      wordbreaks: undefined,
      expected: 'space\noptimizer=adam\noptimizer=sgd\n',
    },
    {
      name: 'zsh: value, description, more',
      shell: 'zsh' as const,
      line: 'app o',
      wordbreaks: undefined,
      expected: 'optimizer=adam\tan option\t0\noptimizer=sgd\tcurrent choice\t0\n',
    },
    {
      name: 'fish: value and description',
      shell: 'fish' as const,
      line: 'app o',
      wordbreaks: undefined,
      expected: 'optimizer=adam\tan option\noptimizer=sgd\tcurrent choice\n',
    },
  ])('$name', ({ shell, line, wordbreaks, expected }) => {
    expect(formatReply(shell, CANDIDATES, splitLine(line), wordbreaks)).toBe(expected);
  });

  it('bash: nospace when a candidate goes on (key=, node., function()', () => {
    expect(formatReply('bash', [{ value: 'seed=', more: true }], splitLine('app se'))).toBe('nospace\nseed=\n');
  });

  it('descriptions never break the line format', () => {
    expect(formatReply('fish', [{ value: 'a', description: 'x\ty\nz' }], splitLine('app '))).toBe('a\tx y z\n');
  });
});

describe('schemaHint', () => {
  const schema = {
    type: 'object',
    properties: {
      a: {
        type: 'object',
        description: 'node a',
        properties: { b: { anyOf: [{ type: 'string', enum: ['x', 'y'] }, { type: 'null' }], description: 'leaf b' } },
      },
      t: { type: 'array', prefixItems: [{ type: 'number', description: 'first' }, { type: 'boolean' }] },
      u: {
        oneOf: [
          { type: 'object', properties: { k: { const: 1 } } },
          { type: 'object', properties: { k: { const: 2 }, extra: { type: 'string' } } },
        ],
      },
    },
  };
  it.each([
    { name: 'root keys', path: '', expected: { description: undefined, values: [], keys: ['a', 't', 'u'] } },
    { name: 'a node', path: 'a', expected: { description: 'node a', values: [], keys: ['b'] } },
    { name: 'an enum inside anyOf', path: 'a.b', expected: { description: 'leaf b', values: ['x', 'y'], keys: [] } },
    { name: 'tuple items by index', path: 't.0', expected: { description: 'first', values: [], keys: [] } },
    { name: 'booleans', path: 't.1', expected: { description: undefined, values: ['true', 'false'], keys: [] } },
    { name: 'union branches together', path: 'u', expected: { description: undefined, values: [], keys: ['k', 'extra'] } },
    { name: 'literals of every branch', path: 'u.k', expected: { description: undefined, values: ['1', '2'], keys: [] } },
  ])('$name', ({ path, expected }) => {
    const hint = schemaHint(schema, path)!;
    expect({ description: hint.description, values: hint.values, keys: [...hint.keys.keys()] }).toEqual(expected);
  });

  it('undefined for a key the schema does not have', () => {
    expect(schemaHint(schema, 'a.nope')).toBeUndefined();
  });

  it('never reads a key from the prototype', () => {
    expect(schemaHint(schema, '__proto__')).toBeUndefined();
    expect(schemaHint(schema, 'constructor')).toBeUndefined();
  });
});

describe('installPlan: where each shell looks', () => {
  it.each([
    { shell: 'bash' as const, env: {}, file: '/h/.local/share/bash-completion/completions/trellis' },
    { shell: 'bash' as const, env: { XDG_DATA_HOME: '/d' }, file: '/d/bash-completion/completions/trellis' },
    { shell: 'zsh' as const, env: {}, file: '/h/.zfunc/_trellis' },
    { shell: 'zsh' as const, env: { ZDOTDIR: '/z' }, file: '/z/.zfunc/_trellis' },
    { shell: 'fish' as const, env: {}, file: '/h/.config/fish/completions/trellis.fish' },
    { shell: 'fish' as const, env: { XDG_CONFIG_HOME: '/c' }, file: '/c/fish/completions/trellis.fish' },
  ])('$shell with $env', ({ shell, env, file }) => {
    expect(installPlan(shell, env, '/h').file).toBe(file);
  });
});
