/** The override grammar, sweep functions and sweep expansion: a value or a TrellisError, in bounded time. */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { parseOverride, sweepValueTexts } from '../../src/overrides/index.js';
import { createRng } from '../../src/run/seeds.js';
import { countJobs, expandJobs, planSweep, randomSweeper } from '../../src/sweep/index.js';
import { HOSTILE_NUMBERS, assembled, check, timeoutFor } from './harness.js';

const FUNCTIONS = ['range', 'interval', 'choice', 'shuffle', 'sort', 'tag', 'glob', 'int', 'float', 'str', 'bool'];
const WORDS = ['a', 'lr', 'null', 'true', "'q,x'", '"d"', '${x}', 'a\\,b', 'log', '*', 'reverse=true', 'sweep=', 'list='];

const leaf = fc.constantFrom(...HOSTILE_NUMBERS, ...WORDS);
/** A call with leaf arguments, where the hostile numbers meet the functions' arithmetic. */
const call = fc.tuple(fc.constantFrom(...FUNCTIONS), fc.array(leaf, { maxLength: 3 })).map(([name, args]) => `${name}(${args.join(',')})`);
/** A call wrapped by a function that takes a sweep: shuffle(range(…)), int(interval(…)), tag(log, …). */
const wrapped = fc
  .tuple(fc.constantFrom('shuffle', 'sort', 'int', 'float', 'str', 'tag(log,', 'sort(reverse=true,sweep=', 'shuffle(sweep='), call)
  .map(([outer, inner]) => (outer.endsWith(',') || outer.endsWith('=') ? `${outer}${inner})` : `${outer}(${inner})`));

/** Values of the grammar: mostly calls, some nested containers and calls. */
const value: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    { weight: 2, arbitrary: leaf },
    { weight: 4, arbitrary: call },
    { weight: 3, arbitrary: wrapped },
    {
      weight: 1,
      arbitrary: fc.tuple(fc.constantFrom(...FUNCTIONS), fc.array(tie('value'), { maxLength: 3 })).map(([name, args]) => `${name}(${args.join(',')})`),
    },
    { weight: 1, arbitrary: fc.array(tie('value'), { maxLength: 4 }).map((items) => `[${items.join(',')}]`) },
    {
      weight: 1,
      arbitrary: fc
        .array(fc.tuple(fc.constantFrom('a', 'b', '1', '__proto__', 'constructor'), tie('value')), { maxLength: 3 })
        .map((pairs) => `{${pairs.map(([k, v]) => `${k}:${v}`).join(',')}}`),
    },
  ),
})).value;

const KEYS = ['x', '+x', '++x', '~x', 'a.b', '+a.b.c', 'db', 'db/mysql', 'db@pkg', '+__proto__.x', 'a.__proto__', '+constructor.x', 'a.0', '$x', '~'];

const override = fc.oneof(
  { weight: 6, arbitrary: fc.tuple(fc.constantFrom(...KEYS), fc.array(value, { minLength: 1, maxLength: 3 })).map(([k, vs]) => `${k}=${vs.join(',')}`) },
  { weight: 2, arbitrary: assembled([...KEYS, '=', ',', '(', ')', '[', ']', '{', '}', ':', ' ', '\\', "'", '"', '${', '}', ...FUNCTIONS, ...HOSTILE_NUMBERS]) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
);

/** Touches a sweep the way a grid does: its size, first and last value. */
function enumerate(text: string): void {
  const o = parseOverride(text, 0, { random: () => 0.5 });
  if (!o.isSweep) return;
  const texts = sweepValueTexts(o, { random: () => 0.25, listOptions: () => ['mysql', 'pg', 'sqlite'] });
  if (texts.length > 0) {
    texts.at(0);
    texts.at(texts.length - 1);
  }
}

describe('fuzz: overrides', () => {
  it('parse and enumerate any override', { timeout: timeoutFor('overrides') }, () => {
    check('overrides', override, enumerate);
  });

  it('plan, expand and sample any sweep', { timeout: timeoutFor('sweeps') }, () => {
    const sweepOverride = fc
      .tuple(fc.constantFrom('x', 'y', '+z', 'db'), fc.array(value, { minLength: 1, maxLength: 2 }))
      .map(([k, vs]) => `${k}=${vs.join(',')}`);
    const input = fc.record({
      overrides: fc.array(sweepOverride, { maxLength: 3 }),
      params: fc.dictionary(fc.constantFrom('p', 'q', 'x'), fc.oneof(value, fc.double(), fc.boolean(), fc.constant(null)), { maxKeys: 2 }),
      trials: fc.integer({ min: 1, max: 5 }),
    });
    check('sweeps', input, ({ overrides, params, trials }) => {
      const sweep = { overrides, params, random: () => 0.5, listOptions: () => ['mysql', 'pg'] };
      const plan = planSweep(sweep);
      countJobs(plan);
      const jobs = expandJobs(plan);
      for (let i = 0; i < 3 && !jobs.next().done; i++);
      randomSweeper(sweep, { trials, seed: 1, rng: createRng(1) }).ask(trials, []);
    });
  });
});
