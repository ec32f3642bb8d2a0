import { describe, expect, it } from 'vitest';
import { ErrorCollector, TrellisError, collectErrors } from '../../../src/errors/index.js';

const problem = (message: string, hint?: string) => new TrellisError('USAGE', message, { hint });

/** What a thrown error shows: every message in order, and the first one's hint. */
function thrown(fn: () => void): { messages: string[]; hint: string | undefined } | undefined {
  try {
    fn();
  } catch (error) {
    if (!(error instanceof TrellisError)) throw error;
    return { messages: error.all().map((e) => e.message), hint: error.hint };
  }
  return undefined;
}

describe('ErrorCollector.throwIfAny', () => {
  it.each([
    { name: 'nothing collected: returns', found: [], hint: undefined, expected: undefined },
    { name: 'one problem', found: [problem('a')], hint: undefined, expected: { messages: ['a'], hint: undefined } },
    {
      name: 'several: first, the rest related, in order',
      found: [problem('a'), problem('b'), problem('c')],
      hint: undefined,
      expected: { messages: ['a', 'b', 'c'], hint: undefined },
    },
    { name: 'hint given to a first without one', found: [problem('a'), problem('b')], hint: 'fix it', expected: { messages: ['a', 'b'], hint: 'fix it' } },
    { name: 'hint given to a lone problem without one', found: [problem('a')], hint: 'fix it', expected: { messages: ['a'], hint: 'fix it' } },
    { name: "the first's own hint wins", found: [problem('a', 'own')], hint: 'fix it', expected: { messages: ['a'], hint: 'own' } },
    {
      name: 'related of a collected error stay before the next one',
      found: [new TrellisError('USAGE', 'a', { related: [problem('a2')] }), problem('b')],
      hint: undefined,
      expected: { messages: ['a', 'a2', 'b'], hint: undefined },
    },
  ])('$name', ({ found, hint, expected }) => {
    expect(thrown(() => collectErrors(found).throwIfAny(hint))).toEqual(expected);
  });

  it('leaves the collected errors as they were', () => {
    const a = problem('a');
    const b = problem('b');
    const collector = collectErrors([a, b]);
    let error: unknown;
    try {
      collector.throwIfAny('hint');
    } catch (e) {
      error = e;
    }
    expect(error).not.toBe(a);
    expect(a.related).toEqual([]);
    expect(a.hint).toBeUndefined();
    expect((error as TrellisError).stack).toBe(a.stack);
  });

  it('throws a lone problem that needs no change as itself', () => {
    const a = problem('a');
    expect(() => collectErrors([a]).throwIfAny()).toThrow(a);
  });
});

describe('ErrorCollector.attempt', () => {
  it('returns the result when nothing is thrown', () => {
    const collector = new ErrorCollector();
    expect(collector.attempt(() => 42)).toBe(42);
    expect(collector.errors).toEqual([]);
  });

  it('keeps a TrellisError and returns undefined', () => {
    const collector = new ErrorCollector();
    const a = problem('a');
    expect(
      collector.attempt(() => {
        throw a;
      }),
    ).toBeUndefined();
    expect(collector.errors).toEqual([a]);
  });

  it('keeps what adjust makes of the error', () => {
    const collector = new ErrorCollector();
    collector.attempt(
      () => {
        throw problem('a');
      },
      (e) => e.derive({ message: `Job #1: ${e.message}`, keyPath: 'x.y' }),
    );
    expect(collector.errors.map((e) => [e.code, e.message, e.keyPath])).toEqual([['USAGE', 'Job #1: a', 'x.y']]);
  });

  it('lets any other exception through', () => {
    const collector = new ErrorCollector();
    expect(() =>
      collector.attempt(() => {
        throw new RangeError('bug');
      }),
    ).toThrow(RangeError);
    expect(collector.errors).toEqual([]);
  });

  it('attemptAsync keeps a rejected TrellisError, and lets other rejections through', async () => {
    const collector = new ErrorCollector();
    expect(await collector.attemptAsync(async () => 'ok')).toBe('ok');
    expect(await collector.attemptAsync(async () => Promise.reject(problem('a')))).toBeUndefined();
    await expect(collector.attemptAsync(async () => Promise.reject(new TypeError('bug')))).rejects.toThrow(TypeError);
    expect(collector.errors.map((e) => e.message)).toEqual(['a']);
  });
});

describe('TrellisError.derive', () => {
  const where = { kind: 'override', text: 'a=1', index: 0 } as const;
  const cause = new Error('inner');
  const original = new TrellisError('OVERRIDE_INVALID', 'bad', { where, keyPath: 'a', hint: 'h', related: [problem('r')], cause });

  it.each([
    { name: 'no change: an equal copy', changes: {}, expected: { message: 'bad', where, keyPath: 'a', hint: 'h', related: ['r'] } },
    { name: 'message with context', changes: { message: 'Job #0: bad' }, expected: { message: 'Job #0: bad', where, keyPath: 'a', hint: 'h', related: ['r'] } },
    { name: 'key path', changes: { keyPath: 'p.a' }, expected: { message: 'bad', where, keyPath: 'p.a', hint: 'h', related: ['r'] } },
    { name: 'related replaced', changes: { related: [problem('s')] }, expected: { message: 'bad', where, keyPath: 'a', hint: 'h', related: ['s'] } },
    {
      name: 'undefined keeps a field',
      changes: { hint: undefined, where: undefined },
      expected: { message: 'bad', where, keyPath: 'a', hint: 'h', related: ['r'] },
    },
  ])('$name', ({ changes, expected }) => {
    const copy = original.derive(changes);
    expect(copy).not.toBe(original);
    expect({ message: copy.message, where: copy.where, keyPath: copy.keyPath, hint: copy.hint, related: copy.related.map((e) => e.message) }).toEqual(expected);
    expect(copy.code).toBe('OVERRIDE_INVALID');
    expect(copy.cause).toBe(cause);
    expect(copy.stack).toBe(original.stack);
    expect(original.message).toBe('bad');
    expect(original.related.map((e) => e.message)).toEqual(['r']);
  });
});
