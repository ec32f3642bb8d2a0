import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { checkSweepsAllowed, parseOverrides, type RunMode } from '../../../src/overrides/index.js';

function errorsOf(texts: string[], mode: RunMode): Array<{ code: string; message: string; index: number }> {
  try {
    checkSweepsAllowed(parseOverrides(texts), mode);
    return [];
  } catch (e) {
    if (!(e instanceof TrellisError)) throw e;
    return e.all().map((x) => ({ code: x.code, message: x.message, index: x.where?.kind === 'override' ? x.where.index : -1 }));
  }
}

describe('checkSweepsAllowed', () => {
  it.each([
    { name: 'no sweep in a run', mode: 'run' as const, input: ['a=1', 'db=mysql'], expected: [] },
    {
      name: 'simple sweep in a run (compat 079)',
      mode: 'run' as const,
      input: ['trainer.max_epochs=1,2'],
      expected: [{ code: 'SWEEP_WITHOUT_MULTIRUN', message: "Ambiguous value for argument 'trainer.max_epochs=1,2'", index: 0 }],
    },
    {
      name: 'function sweep in a run',
      mode: 'run' as const,
      input: ['a=1', 'lr=range(1,3)'],
      expected: [{ code: 'SWEEP_WITHOUT_MULTIRUN', message: "Sweep parameters 'lr=range(1,3)' requires --multirun", index: 1 }],
    },
    {
      name: 'every sweep is reported',
      mode: 'run' as const,
      input: ['a=1,2', 'b=choice(1)', 'c=3'],
      expected: [
        { code: 'SWEEP_WITHOUT_MULTIRUN', message: "Ambiguous value for argument 'a=1,2'", index: 0 },
        { code: 'SWEEP_WITHOUT_MULTIRUN', message: "Sweep parameters 'b=choice(1)' requires --multirun", index: 1 },
      ],
    },
    { name: 'sweeps are fine in a multirun', mode: 'multirun' as const, input: ['a=1,2', 'b=range(3)'], expected: [] },
    {
      name: 'sweeping hydra config in a multirun',
      mode: 'multirun' as const,
      input: ['hydra.job.name=a,b'],
      expected: [{ code: 'SWEEP_INVALID', message: "Sweeping over Hydra's configuration is not supported : 'hydra.job.name=a,b'", index: 0 }],
    },
    {
      name: 'sweeping a hydra group in a multirun',
      mode: 'multirun' as const,
      input: ['hydra/launcher=basic,other'],
      expected: [{ code: 'SWEEP_INVALID', message: "Sweeping over Hydra's configuration is not supported : 'hydra/launcher=basic,other'", index: 0 }],
    },
    {
      name: 'the trellis node is the same',
      mode: 'multirun' as const,
      input: ['trellis.sweep.dir=a,b'],
      expected: [{ code: 'SWEEP_INVALID', message: "Sweeping over Hydra's configuration is not supported : 'trellis.sweep.dir=a,b'", index: 0 }],
    },
  ])('$name', ({ input, mode, expected }) => {
    expect(errorsOf(input, mode)).toEqual(expected);
  });

  it('hints at quoting and --multirun', () => {
    try {
      checkSweepsAllowed(parseOverrides(['x=1,2']), 'run');
    } catch (e) {
      expect((e as TrellisError).hint).toContain("key='value1,value2'");
      expect((e as TrellisError).hint).toContain('--multirun');
      expect((e as TrellisError).where).toMatchObject({ kind: 'override', text: 'x=1,2', index: 0, col: 1 });
      return;
    }
    throw new Error('expected an error');
  });
});
