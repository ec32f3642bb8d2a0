/** YAML loading and interpolation (syntax, resolution, selection): a value or a TrellisError, in bounded time. */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { TrellisError } from '../../src/errors/index.js';
import { createResolveContext } from '../../src/config-dir/resolve.js';
import { checkTreeSyntax, resolveTree, selectNode } from '../../src/interpolate/index.js';
import { dictNode, listNode, setKey, valueNode, type Node } from '../../src/tree/node.js';
import { loadYaml } from '../../src/yaml/load.js';
import { HOSTILE_NUMBERS, assembled, check, timeoutFor } from './harness.js';

const YAML_PIECES = [
  'a',
  'b',
  'key',
  ': ',
  ':',
  '\n',
  '\n  ',
  '\n    ',
  '- ',
  '[',
  ']',
  '{',
  '}',
  ', ',
  '&x ',
  '*x',
  '&y ',
  '*y',
  '<<: ',
  '!!int ',
  '!!str ',
  '!!float ',
  '!custom ',
  "'",
  '"',
  '# c',
  '? ',
  '|\n  ',
  '>-\n  ',
  '\t',
  '${a}',
  '???',
  '__proto__',
  '---\n',
  '...\n',
  '%YAML 1.1\n',
  '\\',
  '~',
  ...HOSTILE_NUMBERS,
];

const KEYS = ['a', 'b', 'c', 'l'];
const INTERP_PIECES = [
  '${a}',
  '${b}',
  '${c}',
  '${l}',
  '${l.0}',
  '${l[1]}',
  '${.b}',
  '${..a}',
  '${a.b}',
  '${oc.select:b,x}',
  '${oc.select:nope}',
  '${oc.decode:"[1, 2]"}',
  "${oc.decode:'{a: ${b}}'}",
  '${oc.create:{x: 1}}',
  '${oc.dict.keys:c}',
  '${oc.dict.values:c}',
  '${oc.env:HOME,d}',
  '${oc.deprecated:a}',
  '${now:%Y}',
  '${unknown:1}',
  '${${a}}',
  '${',
  '}',
  ':',
  ',',
  '\\${a}',
  '\\\\',
  "'",
  '"',
  'text',
  ' ',
  '???',
  ...HOSTILE_NUMBERS.slice(0, 6),
];

const interpolated = assembled(INTERP_PIECES, 6);

/** A small config whose values refer to one another: a, b, a dict c and a list l. */
const config = fc.record({
  a: interpolated,
  b: interpolated,
  c: fc.dictionary(fc.constantFrom('x', 'y', 'b'), interpolated, { maxKeys: 3 }),
  l: fc.array(interpolated, { maxLength: 3 }),
});

function toTree(c: { a: string; b: string; c: Record<string, string>; l: string[] }): Node {
  const root = dictNode();
  setKey(root, 'a', valueNode(c.a));
  setKey(root, 'b', valueNode(c.b));
  const inner = dictNode();
  for (const [k, v] of Object.entries(c.c)) setKey(inner, k, valueNode(v));
  setKey(root, 'c', inner);
  setKey(root, 'l', listNode(c.l.map((v) => valueNode(v))));
  return root;
}

describe('fuzz: config', () => {
  it('load any YAML', { timeout: timeoutFor('yaml') }, () => {
    const deep = fc
      .tuple(fc.constantFrom('[', '{a: ', '- ', '&a [*a, '), fc.integer({ min: 1, max: 5_000 }))
      .map(([piece, n]) => `${piece.repeat(n)}1${piece.startsWith('[') || piece.startsWith('&') ? ']'.repeat(n) : piece.startsWith('{') ? '}'.repeat(n) : ''}`);
    const text = fc.oneof(
      { weight: 10, arbitrary: assembled(YAML_PIECES, 30) },
      { weight: 2, arbitrary: fc.string({ maxLength: 60 }) },
      { weight: 1, arbitrary: deep },
    );
    check('yaml', text, (t) => loadYaml(t, 'fuzz.yaml'));
  });

  it('check, resolve and select any small config', { timeout: timeoutFor('interpolation') }, () => {
    check('interpolation', config, (c) => {
      const ctx = createResolveContext({ env: {}, now: new Date(0) });
      const root = toTree(c);
      // Each step on its own: a TrellisError in one must not hide a crash in the next.
      const steps = [() => checkTreeSyntax(root), () => resolveTree(root, ctx), ...KEYS.map((k) => () => selectNode(root, k, ctx, { throwOnMissing: true }))];
      for (const step of steps) {
        try {
          step();
        } catch (e) {
          if (!(e instanceof TrellisError)) throw e;
        }
      }
    });
  });
});
