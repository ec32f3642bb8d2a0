import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { repoRoot } from '../../helpers/run-cli.js';

// npm 11 ends `npm ci` with a warning for every dependency whose install script package.json's
// allowScripts does not decide (true runs it, false skips it); npm 12 will skip undecided ones.
// A newcomer's first `npm ci` should print no such warning, so every one is decided.
it('package.json allowScripts decides every dependency with an install script', () => {
  const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };
  const lock = JSON.parse(readFileSync(join(repoRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, { hasInstallScript?: boolean }> };
  const withScripts = Object.entries(lock.packages)
    .filter(([, p]) => p.hasInstallScript)
    .map(([path]) => path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length));
  expect(withScripts.length).toBeGreaterThan(0);
  const decided = Object.keys(pkg.allowScripts ?? {}).map((k) => k.replace(/(?<=.)@[^@]*$/, ''));
  expect(withScripts.filter((name) => !decided.includes(name))).toEqual([]);
});
