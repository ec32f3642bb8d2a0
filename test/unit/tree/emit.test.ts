import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml12 } from 'yaml';
import { formatPythonFloat, fromPlain, valueNode, dictNode, setKey, listNode, type Node } from '../../../src/tree/node.js';
import { toJsonText, toYamlText } from '../../../src/tree/emit.js';
import { loadYaml } from '../../../src/yaml/load.js';
import { tagged } from '../../helpers/plain.js';

describe('formatPythonFloat matches Python repr()', () => {
  it.each([
    [1, '1.0'],
    [0.5, '0.5'],
    [1e-5, '1e-05'],
    [0.0001, '0.0001'],
    [1e16, '1e+16'],
    [1e15, '1000000000000000.0'],
    [1000, '1000.0'],
    [-0, '-0.0'],
    [0.1 + 0.2, '0.30000000000000004'],
    [1.5e-7, '1.5e-07'],
    [123456789012345680000, '1.2345678901234568e+20'],
    [Infinity, 'inf'],
    [-Infinity, '-inf'],
    [NaN, 'nan'],
  ])('%s → %s', (value, expected) => {
    expect(formatPythonFloat(value)).toBe(expected);
  });
});

const scalar = fc.oneof(
  fc.string(),
  fc.constantFrom(
    'yes',
    'no',
    'on',
    'off',
    'y',
    'n',
    'true',
    'null',
    '~',
    '1e3',
    '010',
    '0x1F',
    '10:30',
    '.inf',
    '???',
    '${a.b}',
    '- x',
    'a: b',
    '#c',
    "it's",
    '"q"',
    ' pad ',
    '',
    '[1]',
    '{a}',
    '*x',
    '&y',
    '!t',
    '%p',
    '@a',
    '`b',
    '1_000',
    '0o7',
    '+1',
    '-.5',
    '.5',
  ),
  fc.integer(),
  fc.double({ noNaN: true }).map((d) => valueNode(d, true)),
  fc.boolean(),
  fc.constant(null),
);

const tree: fc.Arbitrary<Node> = fc.letrec<{ node: Node }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    scalar.map((s) => (s !== null && typeof s === 'object' ? (s as Node) : valueNode(s as string | number | boolean | null))),
    fc.array(tie('node'), { maxLength: 4 }).map((items) => listNode(items)),
    fc
      .array(
        fc.tuple(
          fc.string({ minLength: 0, maxLength: 8 }).filter((k) => k !== '__proto__' && k !== '<<'),
          tie('node'),
        ),
        { maxLength: 4 },
      )
      .map((pairs) => {
        const d = dictNode();
        for (const [k, v] of pairs) setKey(d, k, v);
        return d;
      }),
  ),
})).node;

describe('YAML output reads back as the same tree', () => {
  it('property: loadYaml(toYamlText(t)) equals t for dict roots (types and floats kept)', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const root = dictNode();
        setKey(root, 'root', t);
        expect(tagged(loadYaml(toYamlText(root), 'rt.yaml').root)).toEqual(tagged(root));
      }),
      { numRuns: 400 },
    );
  });

  it('property: a YAML 1.2 reader (the yaml package) sees the same plain values', () => {
    fc.assert(
      fc.property(tree, (t) => {
        const root = dictNode();
        setKey(root, 'root', t);
        const plain = (n: Node): unknown =>
          n.kind === 'value'
            ? n.value
            : n.kind === 'list'
              ? n.items.map(plain)
              : Object.fromEntries([...n.entries.values()].map((e) => [String(e.key), plain(e.node)]));
        expect(parseYaml12(toYamlText(root))).toEqual(plain(root));
      }),
      { numRuns: 400 },
    );
  });

  it('writes floats with a point and quotes strings that would change type', () => {
    const root = fromPlain({ s: 'yes', n: '010', e: '', i: 3 });
    setKey(root as never, 'f', valueNode(1, true));
    expect(toYamlText(root)).toBe("s: 'yes'\nn: '010'\ne: ''\ni: 3\nf: 1.0\n");
  });

  it.each(['... x', '...', '--- y', '---', '...:a'])('a root key %j that starts like a document marker reads back', (key) => {
    // Found by fuzzing the emitter against the yaml package: `... x: 1` at column 0 ends the document.
    const root = dictNode();
    setKey(root, key, valueNode(key));
    expect(parseYaml12(toYamlText(root))).toEqual({ [key]: key });
    expect(tagged(loadYaml(toYamlText(root), 't.yaml').root)).toEqual({ [key]: key });
  });

  it('JSON output keeps floats as floats', () => {
    const root = dictNode();
    setKey(root, 'f', valueNode(2, true));
    setKey(root, 'big', valueNode(9007199254740993n));
    expect(toJsonText(root)).toBe('{\n  "f": 2.0,\n  "big": 9007199254740993\n}');
  });
});
