import { describe, expect, it } from 'vitest';
import { fileDrifts } from '../../../src/store/rerun.js';
import { rerun } from '../../../src/store/rerun.js';

const part = (file: string, line: string) => `diff --git a/${file} b/${file}\n--- a/${file}\n+++ b/${file}\n@@ -1 +1 @@\n-old\n+${line}\n`;

describe('rerun drift names the files, as runs diff does', () => {
  it.each([
    { name: 'a clean tree stays clean', was: '', now: '', wasU: [], nowU: [], expected: [] },
    {
      name: 'a file changed since the run',
      was: '',
      now: part('src/a.ts', 'x'),
      wasU: [],
      nowU: [],
      expected: [{ category: 'git', key: 'file src/a.ts', was: 'as committed', now: 'changed' }],
    },
    {
      name: 'a file changed differently, one reverted',
      was: part('src/a.ts', 'x') + part('src/b.ts', 'y'),
      now: part('src/a.ts', 'z'),
      wasU: [],
      nowU: [],
      expected: [
        { category: 'git', key: 'file src/a.ts', was: 'changed', now: 'changed differently' },
        { category: 'git', key: 'file src/b.ts', was: 'changed', now: 'as committed' },
      ],
    },
    {
      name: 'untracked files new and gone',
      was: '',
      now: '',
      wasU: ['old.csv'],
      nowU: ['notes.md'],
      expected: [
        { category: 'git', key: 'file notes.md', was: 'absent', now: 'new, untracked' },
        { category: 'git', key: 'file old.csv', was: 'untracked', now: 'gone or tracked' },
      ],
    },
  ])('$name', ({ was, now, wasU, nowU, expected }) => {
    expect(fileDrifts(was, now, wasU, nowU)).toEqual(expected);
  });

  it('refuses --verify with overrides before reading the run', async () => {
    await expect(rerun('no/such/run', { overrides: ['trainer.epochs=3'], verify: true })).rejects.toMatchObject({
      code: 'USAGE',
      message: '--verify compares the new run with the original, but the overrides trainer.epochs=3 change what runs',
    });
  });
});
