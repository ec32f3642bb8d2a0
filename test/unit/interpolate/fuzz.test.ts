import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { checkInterpolationSyntax, parseElement, parseValue, resolveTree } from '../../../src/interpolate/index.js';
import { context, encode, tree } from './helpers.js';

// Characters that matter to the grammar, so random strings reach deep into it.
const grammarChar = fc.constantFrom('$', '{', '}', '[', ']', '.', ':', ',', "'", '"', '\\', ' ', '\t', 'a', 'b', '0', '1', '-', '_', '@', '=', 'e', 'é', '\n');
const grammarText = fc.array(grammarChar, { maxLength: 40 }).map((cs) => cs.join(''));
const anyText = fc.oneof(fc.string({ maxLength: 60 }), grammarText, fc.string({ unit: 'grapheme', maxLength: 30 }));

/** Runs `fn`; anything thrown must be a TrellisError. */
function onlyTrellisErrors(fn: () => unknown): void {
  try {
    fn();
  } catch (e) {
    if (!(e instanceof TrellisError)) throw e;
  }
}

describe('the parser on arbitrary text', () => {
  it.each([
    { name: 'configValue', parse: (s: string) => parseValue(s) },
    { name: 'singleElement', parse: (s: string) => parseElement(s) },
    { name: 'checkInterpolationSyntax', parse: (s: string) => checkInterpolationSyntax(s) },
  ])('$name terminates and throws nothing but TrellisError', ({ parse }) => {
    fc.assert(
      fc.property(anyText, (s) => {
        onlyTrellisErrors(() => parse(s));
      }),
      { numRuns: 2000 },
    );
  });

  it('deep nesting is an error, not a stack overflow', () => {
    const deep = '${a:'.repeat(5000) + '}'.repeat(5000);
    expect(() => parseValue(deep)).toThrow(TrellisError);
    expect(() => parseElement('['.repeat(5000))).toThrow(TrellisError);
  });

  it('a string without ${ is never rejected', () => {
    fc.assert(
      fc.property(
        anyText.filter((s) => !s.includes('${')),
        (s) => {
          checkInterpolationSyntax(s);
        },
      ),
    );
  });
});

describe('resolution on arbitrary values', () => {
  it('throws nothing but TrellisError', () => {
    fc.assert(
      fc.property(anyText, anyText, (a, b) => {
        onlyTrellisErrors(() => resolveTree(tree({ a, b, c: { d: a, l: [b, 1] }, x: 1 }), context({ env: { A: b } })));
      }),
      { numRuns: 1000 },
    );
  });

  it('text escaped as \\${ comes back verbatim', () => {
    const plain = fc.string({ maxLength: 20 }).filter((s) => !s.includes('$') && !s.includes('\\'));
    fc.assert(
      fc.property(plain, plain, (before, inside) => {
        const value = `${before}\\\${${inside}}`;
        expect(encode(resolveTree(tree({ v: value }), context()))).toEqual({ v: `${before}\${${inside}}` });
      }),
    );
  });

  it('a whole-value interpolation to any key of letters and digits gives the value with its type', () => {
    const key = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_@$-]{0,10}$/);
    const scalar = fc.oneof(
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.string({ maxLength: 10 }).filter((s) => !s.includes('${') && s !== '???'),
    );
    fc.assert(
      fc.property(key, scalar, (k, v) => {
        fc.pre(k !== 'ref');
        expect(encode(resolveTree(tree({ [k]: v, ref: `\${${k}}` }), context()))).toEqual({ [k]: v, ref: v });
      }),
    );
  });
});
