import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach } from 'vitest';

const made: string[] = [];

afterEach(() => {
  while (made.length) rmSync(made.pop()!, { recursive: true, force: true });
});

/** A fresh temporary directory, removed after the test; optionally filled with files. */
export function tmpDir(files: Record<string, string> = {}, copyFrom?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'trellis-test-'));
  made.push(dir);
  if (copyFrom) cpSync(copyFrom, dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}
