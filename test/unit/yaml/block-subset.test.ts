import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readBlockSubset } from '../../../src/yaml/block-subset.js';
import { loadYaml, loadYamlFully } from '../../../src/yaml/load.js';

const LIMITS = { maxDepth: 256, maxNodes: 500_000 };
const subset = (text: string) => readBlockSubset(text, 'x.yaml', text.split(/\r?\n/), LIMITS);

/** What the full loader gives, or the error it throws (as its code and message). */
function full(text: string): unknown {
  try {
    return loadYamlFully(text, 'x.yaml').root;
  } catch (e) {
    return { threw: (e as { code?: string }).code, message: (e as Error).message };
  }
}

/** The reader either leaves a text to the full loader or gives exactly its tree: values, types, positions. */
function agrees(text: string): boolean {
  const fast = subset(text);
  if (fast === undefined) return true;
  expect(fast, text).toEqual(full(text));
  return true;
}

function yamlFiles(dir: string, out: string[] = []): string[] {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yamlFiles(p, out);
    else if (/\.ya?ml$/.test(e.name)) out.push(p);
  }
  return out;
}

describe('the block-subset YAML reader', () => {
  const files = [...yamlFiles('conf'), ...yamlFiles('examples'), ...yamlFiles('test/fixtures')];

  it('reads most config files of the repository, each exactly as the full loader does', () => {
    let read = 0;
    for (const file of files) {
      const text = readFileSync(file, 'utf8');
      if (subset(text) !== undefined) read++;
      agrees(text);
    }
    // The demo's configs are all in the subset (a reader that gave up on everything would pass the rest).
    for (const file of yamlFiles('conf')) expect(subset(readFileSync(file, 'utf8')), file).toBeDefined();
    expect(read / files.length).toBeGreaterThan(0.9);
  });

  it.each([
    [
      'a mapping with comments, nulls, a nested block and a list at its key',
      '# head\na: 1\nb:\n  c: x  # comment\n  d:\n  e: [1, 2]\nl:\n- 1\n- k: v\n  m: 2.0\n- "q"\nz: \'s\'\n',
    ],
    ['the missing value and interpolations', 'a: ???\nb: ${a}\nc: ${oc.env:HOME,/tmp}\nd: x ${b} y\n'],
    ['a defaults list', 'defaults:\n  - db: mysql\n  - override hydra/launcher: basic\n  - /group@pkg: opt\n  - _self_\n'],
    ['YAML 1.1 scalars', 'a: yes\nb: off\nc: 0x1F\nd: 1_000\ne: .inf\nf: -.5\ng: 1e3\nh: 1.0e+3\ni: ~\nj: 08\nk: 0o17\n'],
    ['aligned values and no final newline', 'short:    1\nlonger:   two\nlongest:  [a, b]'],
    ['empty containers and quotes', "a: []\nb: {}\nc: 'it''s'\nd: \"dq # not a comment\"\ne: ''\n"],
  ])('gives the full loader’s tree for %s', (_name, text) => {
    expect(subset(text)).toBeDefined();
    agrees(text);
  });

  it.each([
    ['an anchor and an alias', 'a: &x 1\nb: *x\n'],
    ['a block scalar', 'a: |\n  text\n'],
    ['a multi-line plain scalar', 'a: one\n  two\n'],
    ['a flow mapping', 'a: {b: 1}\n'],
    ['a tag', 'a: !!str 1\n'],
    ['an escape', 'a: "x\\ty"\n'],
    ['a tab', 'a:\t1\n'],
    ['a document marker', '---\na: 1\n'],
    ['a quoted key', "'a': 1\n"],
    ['a key that is a number', '1: a\n'],
    ['a flow sequence with spaces in an item', 'a: [b c, d]\n'],
    // trim() would take these for spaces; to the full loader they are content.
    ['a no-break space after a number', 'lr: 0.1\u00a0\n'],
    ['a no-break space as indentation', 'a:\n\u00a0 b: 1\n'],
    ['an ideographic space on a line of its own', 'a: 1\n\u3000\n'],
    ['a key longer than the 1024 characters the full loader allows', `${'k'.repeat(1100)}: 1\n`],
  ])('leaves %s to the full loader', (_name, text) => {
    expect(subset(text)).toBeUndefined();
  });

  it.each([
    ['a duplicate key', 'a: 1\na: 2\n', 'YAML_DUPLICATE_KEY'],
    ['__proto__ as a key', '__proto__: 1\n', 'UNSAFE_KEY'],
    ['= as a value', 'a: =\n', 'YAML_SYNTAX'],
  ])('leaves %s to the full loader, which says what is wrong', (_name, text, code) => {
    expect(subset(text)).toBeUndefined();
    expect(() => loadYaml(text, 'x.yaml')).toThrow(expect.objectContaining({ code }) as Error);
  });

  it.each([
    ['a flow list one level below the depth limit', 'a: [1]\n', { maxDepth: 1 }, /more than 1 levels deep/],
    ['a key without a value at the end, beyond the node limit', 'a:\n', { maxNodes: 1 }, /more than 1 values/],
  ])('leaves %s to the full loader, which refuses it', (_name, text, limits, message) => {
    expect(() => loadYaml(text, 'x.yaml', { maxBytes: 1024, maxDepth: 256, maxNodes: 500_000, ...limits })).toThrow(message);
  });

  it('stays within the node and depth limits by leaving the text to the full loader', () => {
    expect(readBlockSubset('a: 1\nb: 2\nc: 3\n', 'x.yaml', ['a: 1', 'b: 2', 'c: 3', ''], { maxDepth: 256, maxNodes: 2 })).toBeUndefined();
    expect(() => loadYaml('a: 1\nb: 2\nc: 3\n', 'x.yaml', { maxBytes: 1024, maxDepth: 256, maxNodes: 2 })).toThrow(/more than 2 values/);
  });

  // Texts built from pieces on both sides of the subset's edges: where the reader answers, it
  // answers as the full loader does (tree, types, positions).
  const keys = ['a', 'lr', 'db.driver', '_target_', 'override hydra/launcher', '/g@p', 'x-y', 'k 2', '1', 'true', 'yes', '~', 'a#b', 'a:b', '-k', '?k', 'é'];
  const values = [
    '1',
    '-1',
    '+1',
    '1.',
    '.5',
    '-.5',
    '1e3',
    '1.0e+3',
    '1_000',
    '0x1F',
    '0o17',
    '017',
    '08',
    '.inf',
    '-.Inf',
    '.nan',
    '1:20',
    'true',
    'False',
    'yes',
    'off',
    'y',
    'null',
    '~',
    'Null',
    'abc',
    'hello world',
    '${a.b}',
    '${oc.env:X,1}',
    'a#b',
    'a # c',
    "'it''s'",
    "'x'",
    '"dq"',
    '"d\\n"',
    '???',
    '[]',
    '{}',
    '[1, 2]',
    '[a, b c]',
    '[1,2,]',
    '[ 1 ,2 ]',
    '{a: 1}',
    '&x 1',
    '*x',
    '!!str 1',
    '|',
    '>',
    'a: b',
    'a:',
    '- x',
    '-x',
    '@x',
    '%x',
    "'open",
    '"a" b',
    "'a' # c",
    'x  ',
    '=',
    '<<',
    'a [b] c',
    'é',
  ];
  const comment = fc.constantFrom('', ' # c', '  #c', ' #', '#x');
  const line = (indent: number) =>
    fc.oneof(
      fc
        .tuple(fc.constantFrom(...keys), fc.constantFrom(': ', ':  ', ':'), fc.constantFrom(...values), comment)
        .map(([k, sep, v, c]) => `${' '.repeat(indent)}${k}${sep}${sep === ':' ? '' : v}${c}`),
      fc.tuple(fc.constantFrom(...values), comment).map(([v, c]) => `${' '.repeat(indent)}- ${v}${c}`),
      fc.tuple(fc.constantFrom(...keys), fc.constantFrom(...values)).map(([k, v]) => `${' '.repeat(indent)}- ${k}: ${v}`),
      fc.constantFrom(...keys).map((k) => `${' '.repeat(indent)}${k}:`),
      fc.constantFrom('', '# note', '   # indented note', '  '),
    );
  const doc = fc.array(
    fc.integer({ min: 0, max: 3 }).chain((level) => line(level * 2)),
    { minLength: 1, maxLength: 12 },
  );

  it('answers as the full loader does wherever it answers (property)', () => {
    fc.assert(
      fc.property(doc, fc.boolean(), (lines, newline) => agrees(lines.join('\n') + (newline ? '\n' : ''))),
      { numRuns: 5000 },
    );
  });
});
