import { existsSync, mkdirSync, readFileSync, readdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TrellisError } from '../../../src/errors/index.js';
import { writeFileAtomic, writeJsonAtomic, type Durability } from '../../../src/run/atomic-write.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('writeFileAtomic', () => {
  it.each([
    { name: 'a new file', before: undefined, text: 'status: running\n' },
    { name: 'replacing an existing file', before: 'old content that is longer than the new one\n', text: 'new\n' },
    { name: 'an empty text', before: 'x', text: '' },
    { name: 'non-ASCII text', before: undefined, text: 'häßlich ✓ 日本\n' },
  ])('$name: the target holds the text and no temp file is left', ({ before, text }) => {
    const dir = tmpDir();
    const path = join(dir, 'run.json');
    if (before !== undefined) writeFileSync(path, before);
    writeFileAtomic(path, text);
    expect(readFileSync(path, 'utf8')).toBe(text);
    expect(readdirSync(dir)).toEqual(['run.json']);
  });

  it.each<{ durable: Durability }>([{ durable: false }, { durable: true }, { durable: 'background' }])(
    'durable: $durable: readers see the new file as soon as the call returns',
    ({ durable }) => {
      const dir = tmpDir();
      const path = join(dir, 'run.json');
      writeFileSync(path, 'status: running\n');
      writeFileAtomic(path, 'status: completed\n', { durable });
      expect(readFileSync(path, 'utf8')).toBe('status: completed\n');
      expect(readdirSync(dir)).toEqual(['run.json']);
    },
  );

  it.each([
    {
      name: 'the target is a non-empty directory',
      target: (dir: string) => {
        mkdirSync(join(dir, 'run.json', 'inside'), { recursive: true });
        return join(dir, 'run.json');
      },
    },
    { name: 'the directory is missing', target: (dir: string) => join(dir, 'missing', 'run.json') },
  ])('fails with RUN_IO and leaves no temp file when $name', ({ target }) => {
    const dir = tmpDir();
    const path = target(dir);
    const before = readdirSync(dir);
    let error: unknown;
    try {
      writeFileAtomic(path, 'x');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(TrellisError);
    expect((error as TrellisError).code).toBe('RUN_IO');
    expect(readdirSync(dir)).toEqual(before);
  });
});

describe('writeJsonAtomic', () => {
  it.each([
    { name: 'pretty JSON with a trailing newline', value: { a: 1, b: [true, null] }, expected: '{\n  "a": 1,\n  "b": [\n    true,\n    null\n  ]\n}\n' },
    { name: 'a safe bigint becomes a number', value: { n: 42n }, expected: '{\n  "n": 42\n}\n' },
    { name: 'a large bigint keeps every digit as a string', value: { n: 12345678901234567890n }, expected: '{\n  "n": "12345678901234567890"\n}\n' },
    { name: 'a negative large bigint', value: [-(2n ** 60n)], expected: '[\n  "-1152921504606846976"\n]\n' },
    {
      name: 'non-finite numbers become strings, as in metrics.jsonl',
      value: { a: NaN, b: Infinity, c: -Infinity },
      expected: '{\n  "a": "NaN",\n  "b": "Infinity",\n  "c": "-Infinity"\n}\n',
    },
  ])('$name', ({ value, expected }) => {
    const dir = tmpDir();
    const path = join(dir, 'seeds.json');
    writeJsonAtomic(path, value);
    expect(readFileSync(path, 'utf8')).toBe(expected);
    expect(readdirSync(dir)).toEqual(['seeds.json']);
  });
});

describe('temp files left by a killed writer', () => {
  it('are removed by the next write of that record once stale; fresh ones and other records are left alone', () => {
    const dir = tmpDir();
    const old = Date.now() / 1000 - 3600;
    const stale = join(dir, '.run.json.4242.7.tmp');
    const fresh = join(dir, '.run.json.4243.1.tmp');
    const otherRecord = join(dir, '.summary.json.4242.8.tmp');
    for (const f of [stale, fresh, otherRecord]) writeFileSync(f, '{"half": ');
    utimesSync(stale, old, old);
    utimesSync(otherRecord, old, old);
    writeJsonAtomic(join(dir, 'run.json'), { status: 'completed' });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(fresh)).toBe(true); // may belong to a writer still at work
    expect(existsSync(otherRecord)).toBe(true);
    expect(JSON.parse(readFileSync(join(dir, 'run.json'), 'utf8'))).toEqual({ status: 'completed' });
  });
});
