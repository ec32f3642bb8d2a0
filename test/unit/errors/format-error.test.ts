import { describe, expect, it } from 'vitest';
import { TrellisError, formatError, closest } from '../../../src/errors/index.js';

describe('formatError', () => {
  it('renders location, code, message, caret excerpt and hint', () => {
    const error = new TrellisError('INTERPOLATION_KEY_MISSING', 'Interpolation ${optimizer.lrate} refers to a key that does not exist', {
      where: { kind: 'file', file: 'conf/model/resnet.yaml', line: 4, col: 10, length: 15, sourceLine: '  lr: ${optimizer.lrate}' },
      keyPath: 'model.lr',
      hint: 'did you mean optimizer.lr?',
    });
    expect(formatError(error)).toBe(
      [
        'conf/model/resnet.yaml:4:10  INTERPOLATION_KEY_MISSING',
        'Interpolation ${optimizer.lrate} refers to a key that does not exist (at model.lr)',
        '   4 |   lr: ${optimizer.lrate}',
        '     |          ^^^^^^^^^^^^^^^',
        'hint: did you mean optimizer.lr?',
      ].join('\n'),
    );
  });

  it('renders an override location with a caret under the column', () => {
    const error = new TrellisError('OVERRIDE_SYNTAX', "expected '=' after the key", { where: { kind: 'override', text: 'a.b+1', index: 2, col: 4 } });
    expect(formatError(error)).toBe(["override #3 'a.b+1':4  OVERRIDE_SYNTAX", "expected '=' after the key", '     | a.b+1', '     |    ^'].join('\n'));
  });

  it('lists related problems and counts them', () => {
    const error = new TrellisError('USAGE', 'first', { related: [new TrellisError('USAGE', 'second')] });
    const text = formatError(error);
    expect(text).toContain('first');
    expect(text).toContain('second');
    expect(text.endsWith('2 problems')).toBe(true);
  });

  it('adds the cause chain only when verbose', () => {
    const error = new TrellisError('INTERNAL', 'outer', { cause: new Error('inner cause') });
    expect(formatError(error)).not.toContain('inner cause');
    expect(formatError(error, { verbose: true })).toContain('caused by: Error: inner cause');
  });
});

describe('closest (did-you-mean)', () => {
  it.each([
    { name: 'typo', input: 'mysq', known: ['mysql', 'postgres'], expected: ['mysql'] },
    { name: 'case', input: 'Adam', known: ['adam', 'sgd'], expected: ['adam'] },
    { name: 'nothing close', input: 'zzz', known: ['adam', 'sgd'], expected: [] },
    { name: 'best first', input: 'epoch', known: ['epochs', 'epoxy', 'lr'], expected: ['epochs', 'epoxy'] },
  ])('$name', ({ input, known, expected }) => {
    expect(closest(input, known)).toEqual(expected);
  });
});
