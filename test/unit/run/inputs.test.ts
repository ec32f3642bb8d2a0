import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputBook, hashInput } from '../../../src/run/inputs.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('hashInput', () => {
  it.each([
    { name: 'an empty file', bytes: Buffer.alloc(0) },
    { name: 'a small text file', bytes: Buffer.from('id,label\n1,cat\n2,dog\n') },
    { name: 'binary data spanning several read chunks', bytes: randomBytes(3 * 1024 * 1024 + 17) },
  ])('$name: size and sha256 match the bytes', async ({ bytes }) => {
    const path = join(tmpDir(), 'data.bin');
    writeFileSync(path, bytes);
    expect(await hashInput(path)).toEqual({ path, size: bytes.length, sha256: sha256(bytes) });
  });

  it('resolves a relative path against cwd and records it as given', async () => {
    const dir = tmpDir({ 'data/train.csv': 'a,b\n' });
    expect(await hashInput('data/train.csv', dir)).toEqual({ path: 'data/train.csv', size: 4, sha256: sha256(Buffer.from('a,b\n')) });
  });

  it.each([
    { name: 'a missing file', make: (dir: string) => join(dir, 'missing.csv'), hint: undefined },
    {
      name: 'a directory',
      make: (dir: string) => {
        mkdirSync(join(dir, 'images'));
        return join(dir, 'images');
      },
      hint: 'declare the files inside the directory, one by one',
    },
  ])('reports $name as RUN_IO', async ({ make, hint }) => {
    await expect(hashInput(make(tmpDir()))).rejects.toMatchObject({ code: 'RUN_IO', hint });
  });
});

describe('InputBook', () => {
  it('records inputs in declaration order; declaring again re-hashes in place', async () => {
    const dir = tmpDir({ 'a.txt': 'first', 'b.txt': 'second' });
    const book = new InputBook(dir);
    await book.add('a.txt');
    await book.add('b.txt');
    writeFileSync(join(dir, 'a.txt'), 'changed!');
    await book.add('a.txt');
    expect(book.toJSON()).toEqual([
      { path: 'a.txt', size: 8, sha256: sha256(Buffer.from('changed!')) },
      { path: 'b.txt', size: 6, sha256: sha256(Buffer.from('second')) },
    ]);
  });

  it('keeps declaration order when hashes finish out of order, and skips failed inputs', async () => {
    const dir = tmpDir({ 'small.txt': 'x' });
    writeFileSync(join(dir, 'big.bin'), randomBytes(4 * 1024 * 1024));
    const book = new InputBook(dir);
    const results = await Promise.allSettled([book.add('big.bin'), book.add('missing'), book.add('small.txt')]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(book.toJSON().map((r) => r.path)).toEqual(['big.bin', 'small.txt']);
  });
});
