import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createRunDir } from '../../../src/run/run-dir.js';
import { RECORDS_DIR } from '../../../src/records/names.js';
import { tmpDir } from '../../helpers/tmp-dir.js';

describe('createRunDir', () => {
  it.each([
    { name: 'a fresh dir is used as is', dir: 'out/10-15-02', existing: [], expected: 'out/10-15-02' },
    { name: 'parents are created', dir: 'a/b/c/d', existing: [], expected: 'a/b/c/d' },
    { name: 'an existing dir gets _1', dir: 'out/run', existing: ['out/run'], expected: 'out/run_1' },
    { name: 'the next free suffix is taken', dir: 'out/run', existing: ['out/run', 'out/run_1', 'out/run_2'], expected: 'out/run_3' },
    { name: 'a gap is filled', dir: 'out/run', existing: ['out/run', 'out/run_2'], expected: 'out/run_1' },
    { name: 'a file with that name counts as taken', dir: 'out/run', existing: ['file:out/run'], expected: 'out/run_1' },
    { name: 'the path is normalized', dir: 'out/x/../run/', existing: [], expected: 'out/run' },
  ])('$name', ({ dir, existing, expected }) => {
    const root = tmpDir();
    for (const entry of existing) {
      if (entry.startsWith('file:')) {
        mkdirSync(join(root, entry.slice(5), '..'), { recursive: true });
        writeFileSync(join(root, entry.slice(5)), '');
      } else mkdirSync(join(root, entry), { recursive: true });
    }
    const made = createRunDir(join(root, dir));
    expect(made).toBe(join(root, expected));
    expect(statSync(join(made, RECORDS_DIR)).isDirectory()).toBe(true);
    expect(readdirSync(made)).toEqual([RECORDS_DIR]);
  });

  it('never gives two runs the same directory (same second, or a fixed run.dir)', () => {
    const root = tmpDir();
    const dir = join(root, 'outputs', '2026-11-23', '10-15-02');
    const made = Array.from({ length: 5 }, () => createRunDir(dir));
    expect(new Set(made).size).toBe(5);
    expect(made).toEqual([dir, `${dir}_1`, `${dir}_2`, `${dir}_3`, `${dir}_4`]);
    for (const m of made) expect(existsSync(join(m, RECORDS_DIR))).toBe(true);
  });

  it.each([
    { name: 'a parent that is a file', setup: (root: string) => writeFileSync(join(root, 'blocker'), ''), dir: 'blocker/run' },
    { name: 'the file system root', setup: () => undefined, dir: '/' },
  ])('reports $name as RUN_IO', ({ setup, dir }) => {
    const root = tmpDir();
    setup(root);
    const target = dir.startsWith('/') ? dir : join(root, dir);
    expect(() => createRunDir(target)).toThrow(expect.objectContaining({ name: 'TrellisError', code: 'RUN_IO' }));
  });
});
