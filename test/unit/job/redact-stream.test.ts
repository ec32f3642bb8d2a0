import { describe, expect, it } from 'vitest';
import { redactingStream } from '../../../src/job/redact-stream.js';

/** Feeds `chunks` through the stream; the chunks it passed on (as text) and when. */
async function through(values: string[], chunks: string[]): Promise<{ out: string; passed: string[] }> {
  const stream = redactingStream(values);
  const passed: string[] = [];
  stream.on('data', (b: Buffer) => passed.push(b.toString('utf8')));
  const ended = new Promise((resolve) => stream.on('end', resolve));
  for (const c of chunks) stream.write(Buffer.from(c, 'utf8'));
  stream.end();
  await ended;
  return { out: passed.join(''), passed };
}

describe('redactingStream', () => {
  it.each([
    { name: 'a value inside a line', values: ['s3cret'], chunks: ['token=s3cret ok\n'], out: 'token=*** ok\n' },
    { name: 'every occurrence', values: ['ab'], chunks: ['ab-ab-abab\n'], out: '***-***-******\n' },
    { name: 'a value split across chunks', values: ['s3cret'], chunks: ['token=s3', 'cr', 'et ok\n'], out: 'token=*** ok\n' },
    { name: 'a value split at the very end', values: ['s3cret'], chunks: ['x s3cr', 'et'], out: 'x ***' },
    { name: 'a start of a value that does not go on', values: ['s3cret'], chunks: ['x s3c', 'ool\n'], out: 'x s3cool\n' },
    { name: 'the longest of two overlapping values', values: ['abc', 'abcdef'], chunks: ['abcdefg\n'], out: '***g\n' },
    { name: 'a multibyte value split across chunks', values: ['ключ'], chunks: ['a ключ'.slice(0, 3), 'ключ b\n'.slice(1)], out: 'a *** b\n' },
    { name: '\\r progress lines pass as they are', values: ['zz'], chunks: ['10%\r20%\r', '30%\n'], out: '10%\r20%\r30%\n' },
    { name: 'no values: nothing changes', values: [''], chunks: ['a\n', 'b'], out: 'a\nb' },
  ])('$name', async ({ values, chunks, out }) => {
    expect((await through(values, chunks)).out).toBe(out);
  });

  it('passes a complete line on at once, holding back nothing of it', async () => {
    const { passed } = await through(['s3cret'], ['epoch 1\n', 'epoch 2\n']);
    expect(passed.slice(0, 2)).toEqual(['epoch 1\n', 'epoch 2\n']);
  });
});
