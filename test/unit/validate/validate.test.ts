import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { prepareJob } from '../../../src/job/prepare.js';
import { TrellisError } from '../../../src/errors/index.js';
import { tagged } from '../../helpers/plain.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const schema = z.strictObject({
  seed: z.number().int(),
  epochs: z.number().int().positive().default(10),
  mode: z.enum(['fast', 'full']),
  optimizer: z.discriminatedUnion('name', [
    z.strictObject({ name: z.literal('sgd'), lr: z.number().positive() }),
    z.strictObject({ name: z.literal('adam'), lr: z.number().positive(), betas: z.tuple([z.number(), z.number()]) }),
  ]),
  tags: z.array(z.string()).default([]),
});

const files = {
  'conf/config.yaml': 'defaults:\n  - optimizer: sgd\n  - _self_\n\nseed: 1\nmode: fast\n',
  'conf/optimizer/sgd.yaml': 'name: sgd\nlr: 0.1\n',
  'conf/optimizer/adam.yaml': 'name: adam\nlr: 0.01\nbetas: [0.9, 0.999]\n',
};

async function prepare(overrides: string[], extraFiles: Record<string, string> = {}) {
  const cwd = tmpDir({ ...files, ...extraFiles });
  return prepareJob({ configDir: 'conf', configName: 'config', cwd, env: {}, schema, name: 'job' }, overrides);
}

async function problems(overrides: string[], extraFiles: Record<string, string> = {}): Promise<TrellisError[]> {
  try {
    await prepare(overrides, extraFiles);
  } catch (e) {
    expect(e).toBeInstanceOf(TrellisError);
    return (e as TrellisError).all();
  }
  throw new Error('expected a validation error');
}

describe('schema validation', () => {
  it('passes a valid config and applies schema defaults to what the job sees', async () => {
    const job = await prepare(['optimizer=adam']);
    expect(job.plain).toEqual({ seed: 1, mode: 'fast', optimizer: { name: 'adam', lr: 0.01, betas: [0.9, 0.999] }, epochs: 10, tags: [] });
    // Key order of the config first, schema defaults after; floats stay floats.
    expect(tagged(job.resolved)).toEqual({
      optimizer: { name: 'adam', lr: { $float: 0.01 }, betas: [{ $float: 0.9 }, { $float: 0.999 }] },
      seed: 1,
      mode: 'fast',
      epochs: 10,
      tags: [],
    });
  });

  it.each([
    {
      name: 'wrong type, set by an override',
      overrides: ['optimizer.lr=abc'],
      expected: [
        { keyPath: 'optimizer.lr', message: /expected number, received string; got 'abc'/, where: { kind: 'override', text: 'optimizer.lr=abc', index: 0 } },
      ],
    },
    {
      name: 'enum value from a file',
      overrides: [],
      extra: { 'conf/config.yaml': 'defaults:\n  - optimizer: sgd\n  - _self_\n\nseed: 1\nmode: quick\n' },
      expected: [{ keyPath: 'mode', message: /got 'quick'/, where: { kind: 'file', file: 'conf/config.yaml', line: 6, col: 7 }, hint: /"fast", "full"/ }],
    },
    {
      name: 'out of range',
      overrides: ['+epochs=0'],
      expected: [{ keyPath: 'epochs', message: /Too small.*got 0/, where: { kind: 'override', text: '+epochs=0', index: 0 } }],
    },
    {
      name: 'missing required key',
      overrides: ['~mode'],
      expected: [{ keyPath: 'mode', message: /got nothing \(the key is missing\)/, where: undefined, hint: /\+mode=/ }],
    },
    {
      name: 'unknown key with a did-you-mean',
      overrides: ['+epoch=3'],
      expected: [{ keyPath: 'epoch', message: /unknown key/, where: { kind: 'override', text: '+epoch=3', index: 0 }, hint: /did you mean 'epochs'/ }],
    },
    {
      name: 'union mismatch (adam needs betas)',
      overrides: ['optimizer.name=adam'],
      expected: [{ keyPath: 'optimizer.betas', message: /expected tuple|expected array/, where: undefined }],
    },
  ])('$name', async ({ overrides, extra, expected }) => {
    const found = await problems(overrides, extra);
    expect(found.map((e) => e.code)).toEqual(expected.map(() => 'VALIDATION_FAILED'));
    expected.forEach((want, i) => {
      const got = found[i]!;
      expect(got.keyPath).toBe(want.keyPath);
      expect(got.message).toMatch(want.message);
      if (want.where === undefined) expect(got.where).toBeUndefined();
      else expect(got.where).toMatchObject(want.where);
      if ('hint' in want && want.hint) expect(got.hint).toMatch(want.hint);
    });
  });

  it.each([
    {
      name: 'an integral float from an override',
      overrides: ['+epochs=10.0'],
      where: { kind: 'override', text: '+epochs=10.0', index: 0 },
      message: 'epochs: expected an integer, got the float 10.0',
      hint: 'write epochs=10',
    },
    {
      name: 'an integral float from a file',
      overrides: [],
      extra: { 'conf/config.yaml': 'defaults:\n  - optimizer: sgd\n  - _self_\n\nseed: 1\nmode: fast\nepochs: 1e1\n' },
      where: { kind: 'file', file: 'conf/config.yaml', line: 7, col: 9 },
      message: 'epochs: expected an integer, got the float 10.0',
      hint: 'write 10, without the decimal point',
    },
  ])('an int field refuses a float as OmegaConf does: $name', async ({ overrides, extra, where, message, hint }) => {
    const [only, ...more] = await problems(overrides, extra);
    expect(more).toEqual([]);
    expect(only).toMatchObject({ code: 'VALIDATION_FAILED', keyPath: 'epochs', message, hint, where });
  });

  it('an int field still takes an int, and z.coerce still converts a float', async () => {
    expect((await prepare(['+epochs=10'])).plain).toMatchObject({ epochs: 10 });
    const coerced = z.strictObject({ n: z.coerce.number().int() });
    const cwd = tmpDir({ 'conf/config.yaml': 'n: 3.0\n' });
    const job = await prepareJob({ configDir: 'conf', configName: 'config', cwd, env: {}, schema: coerced, name: 'job' }, []);
    expect(job.plain).toEqual({ n: 3 });
  });

  it.each([
    {
      name: 'oc.env into a number field',
      file: 'port: ${oc.env:PORT}\n',
      schema: z.strictObject({ port: z.number().int() }),
      hint: '${oc.env:PORT} is text: write ${oc.decode:${oc.env:PORT}} to read it as a number, or use z.coerce.number() in the schema',
    },
    {
      name: 'oc.env with a default into a boolean field',
      file: 'debug: ${oc.env:DEBUG,false}\n',
      schema: z.strictObject({ debug: z.boolean() }),
      hint: '${oc.env:DEBUG,false} is text: write ${oc.decode:${oc.env:DEBUG,false}} to read it as a boolean, or use z.coerce.boolean() in the schema',
    },
    {
      name: 'a quoted number',
      file: "port: '8080'\n",
      schema: z.strictObject({ port: z.number() }),
      hint: "'8080' is text: write it without quotes (or through ${oc.decode:…} when it comes from an interpolation), or use z.coerce.number() in the schema",
    },
  ])('text where a number or boolean belongs suggests oc.decode or z.coerce: $name', async ({ file, schema: s, hint }) => {
    const cwd = tmpDir({ 'conf/config.yaml': file });
    const run = prepareJob({ configDir: 'conf', configName: 'config', cwd, env: { PORT: '8080', DEBUG: 'true' }, schema: s, name: 'job' }, []);
    await expect(run).rejects.toMatchObject({ code: 'VALIDATION_FAILED', hint });
  });

  it('text that is no number gets no decoding hint', async () => {
    const cwd = tmpDir({ 'conf/config.yaml': 'port: http\n' });
    const run = prepareJob({ configDir: 'conf', configName: 'config', cwd, env: {}, schema: z.strictObject({ port: z.number() }), name: 'job' }, []);
    await expect(run).rejects.toMatchObject({ code: 'VALIDATION_FAILED', hint: undefined });
  });

  it('reports every issue at once', async () => {
    const found = await problems(['optimizer.lr=-1', 'mode=slow', '+extra=1']);
    expect(found.map((e) => e.keyPath).sort()).toEqual(['extra', 'mode', 'optimizer.lr']);
  });
});
