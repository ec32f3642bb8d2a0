import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { formatElement, formatOverrideForJob, parseOverride, parseOverrides, quoteString, type Override } from '../../../src/overrides/index.js';
import { formatPythonFloat } from '../../../src/tree/node.js';

// Characters of the grammar plus a few it rejects, so random input hits every rule and error.
const ALPHABET = [
  ...'abcxyzAZ_019-.$@/:=~+,()[]{}\'"\\ \t%*?|',
  'é',
  '\n',
  '#',
  '${',
  '}',
  'null',
  'true',
  'inf',
  'choice(',
  'range(',
  'sort(',
  'shuffle(',
  'tag(',
  'glob(',
  'int(',
  'str(',
  'interval(',
];
const grammarish = fc.array(fc.constantFrom(...ALPHABET), { maxLength: 40 }).map((parts) => parts.join(''));

function onlyTrellisErrors(run: () => unknown): void {
  try {
    run();
  } catch (e) {
    if (!(e instanceof TrellisError)) throw e;
    expect(e.where?.kind).toBe('override');
  }
}

describe('parser robustness', () => {
  it('throws nothing but TrellisError on random input, and terminates', () => {
    fc.assert(
      fc.property(grammarish, fc.boolean(), (text, withKey) => {
        onlyTrellisErrors(() => parseOverride(withKey ? `key=${text}` : text, 0, { random: () => 0.5 }));
      }),
      { numRuns: 3000 },
    );
  });

  it('reports every bad override of a list with its own index', () => {
    fc.assert(
      fc.property(fc.array(grammarish, { maxLength: 6 }), (texts) => {
        try {
          parseOverrides(texts, { random: () => 0.5 });
        } catch (e) {
          if (!(e instanceof TrellisError)) throw e;
          const indexes = e.all().map((x) => (x.where?.kind === 'override' ? x.where.index : -1));
          expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
          for (const i of indexes) expect(() => parseOverride(texts[i] as string, i, { random: () => 0.5 })).toThrow(TrellisError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

// --- a generator of valid element texts ---

const id = fc.stringMatching(/^[a-z_][a-z0-9_-]{0,5}$/);
const intText = fc.oneof(fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String), fc.constantFrom('1_000', '+7', '-0', '007'));
const floatText = fc.oneof(fc.double().map(formatPythonFloat), fc.constantFrom('1e3', '3.', '.5', '-10e-1', '1_0.5', 'INF', '-inf', 'NaN'));
const boolOrNull = fc.constantFrom('true', 'FALSE', 'True', 'null', 'NULL');
// Interpolation bodies stay within characters that escaping can carry back (Hydra does not
// escape quotes or `~`, so those would not survive a round trip in Hydra either).
const interpolation = fc.stringMatching(/^[a-z0-9._:, /-]{1,8}$/).map((body) => '${' + body + '}');
const quotedText = fc.tuple(fc.string({ maxLength: 8 }), fc.constantFrom("'" as const, '"' as const)).map(([t, q]) => quoteString(t, q));
const unquotedPart = fc.constantFrom(
  'a',
  'b1',
  '1',
  '-',
  '.',
  '\\,',
  '\\ ',
  ' ',
  '$',
  '%',
  ':',
  '@',
  '?',
  '|',
  '*',
  '/',
  '+',
  '\\\\',
  '\\(',
  '\\]',
  '\\=',
  '\\{',
);
const unquotedText = fc.array(fc.oneof(unquotedPart, interpolation, id), { minLength: 1, maxLength: 5 }).map((p) => p.join(''));
const dictKeyText = fc.oneof(id, intText, fc.constantFrom('true', 'null', '1.5', 'a b', 'x\\:y', '\\ k'));

const elementText: fc.Arbitrary<string> = fc.letrec<{ element: string }>((tie) => ({
  element: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    id,
    intText,
    floatText,
    boolOrNull,
    interpolation,
    quotedText,
    unquotedText,
    fc.array(tie('element'), { maxLength: 3 }).map((items) => `[${items.join(',')}]`),
    fc.array(fc.tuple(dictKeyText, tie('element')), { maxLength: 3 }).map((pairs) => `{${pairs.map(([k, v]) => `${k}:${v}`).join(', ')}}`),
  ),
})).element;

function parsesAsElement(text: string): Override | undefined {
  try {
    const o = parseOverride(text, 0);
    return o.valueType === 'element' ? o : undefined;
  } catch (e) {
    if (e instanceof TrellisError) return undefined;
    throw e;
  }
}

describe('formatElement round trip', () => {
  it('parse(format(value)) gives the same value', () => {
    let checked = 0;
    fc.assert(
      fc.property(elementText, (text) => {
        const o = parsesAsElement(`key=${text}`);
        fc.pre(o !== undefined && o.value !== undefined && o.value.kind !== 'glob');
        checked++;
        const printed = formatElement(o!.value as never);
        expect(parseOverride(`key=${printed}`, 0).value, `${text} -> ${printed}`).toEqual(o!.value);
      }),
      { numRuns: 2000 },
    );
    // The generator must mostly produce valid values, or the law says little.
    expect(checked).toBeGreaterThan(1000);
  });

  it('a job override text parses back to the same override', () => {
    const prefix = fc.constantFrom('', '+', '++', '~');
    const key = fc.oneof(id, fc.constantFrom('a.b.0', 'db@pkg', 'model/enc@x.y', 'db@', '$x'));
    fc.assert(
      fc.property(prefix, key, elementText, (p, k, text) => {
        const o = parsesAsElement(`${p}${k}=${text}`);
        fc.pre(o !== undefined);
        const again = parseOverride(formatOverrideForJob(o!), 0);
        expect({ ...again, text: '' }).toEqual({ ...o!, text: '' });
      }),
      { numRuns: 1000 },
    );
  });
});
