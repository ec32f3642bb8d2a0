import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
// @ts-expect-error: a plain script of the repository (npm's prestart), without type declarations
import { staleReason } from '../../../examples/fresh-build.mjs';
import { tmpDir } from '../../helpers/tmp-dir.js';

const check = staleReason as (root: string) => string | null;

/** A repository whose build was made at t=2000 s; `touched` files get the time given. */
function repo(touched: Record<string, number>, omit: string[] = []): string {
  const root = tmpDir();
  const files: Record<string, number> = {
    'src/index.ts': 1000,
    'examples/train.ts': 1000,
    'package.json': 1000,
    'tsconfig.json': 1000,
    'dist/bundle/bin.js': 2000,
    'dist/bundle/index.js': 2000,
    'dist/examples/train.js': 2000,
    ...touched,
  };
  for (const [file, t] of Object.entries(files)) {
    if (omit.includes(file)) continue;
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), '');
    utimesSync(join(root, file), t, t);
  }
  return root;
}

describe('npm start rebuilds a stale build first (examples/fresh-build.mjs)', () => {
  it.each([
    { name: 'a fresh build', touched: {}, reason: null },
    { name: 'the example edited', touched: { 'examples/train.ts': 3000 }, reason: 'examples/train.ts changed after the last build' },
    { name: 'a source file edited', touched: { 'src/app/x.ts': 3000 }, reason: 'src/app/x.ts changed after the last build' },
    { name: 'one output older than a source', touched: { 'dist/examples/train.js': 500 }, reason: 'src/index.ts changed after the last build' },
    { name: 'no build at all', touched: {}, omit: ['dist/bundle/bin.js'], reason: 'dist/bundle/bin.js is missing' },
  ])('$name', ({ touched, omit, reason }) => {
    expect(check(repo(touched, omit))).toBe(reason);
  });
});
