/**
 * Start-up cost: a command must not load what it does not use. Static imports run at start-up
 * (dynamic import() only when reached), so the static import graph of the built files tells
 * which packages a command loads before doing anything.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from '../../helpers/run-cli.js';

const dist = join(repoRoot, 'dist', 'src');

/** Packages reached through static imports from `entry` (built JS). */
function staticPackages(entry: string): Set<string> {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const match of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|^\s*import\s+['"]([^'"]+)['"]/gm)) {
      const spec = match[1] ?? match[2]!;
      if (spec.startsWith('.')) visit(resolve(dirname(file), spec));
      else if (!spec.startsWith('node:'))
        packages.add(
          spec
            .split('/')
            .slice(0, spec.startsWith('@') ? 2 : 1)
            .join('/'),
        );
    }
  };
  visit(entry);
  return packages;
}

describe('lazy imports', () => {
  it.each([
    { name: 'the CLI entry (help, version, argument parsing)', entry: 'cli/bin.js', allowed: ['fastest-levenshtein', 'yargs-parser'] },
    // Config files in the block subset are read without the yaml package (yaml/block-subset.ts).
    { name: 'trellis compose', entry: 'cli/commands/compose.js', allowed: ['fastest-levenshtein'] },
    // A TAB answered from the summary cache loads no YAML parser and no run store.
    { name: 'trellis completion (one TAB)', entry: 'cli/commands/completion.js', allowed: ['fastest-levenshtein'] },
    {
      name: 'the app runner (zod, simple-git load only when used)',
      entry: 'app/define-app.js',
      allowed: ['fastest-levenshtein', 'pure-rand', 'yargs-parser'],
    },
  ])('$name loads only $allowed', ({ entry, allowed }) => {
    expect([...staticPackages(join(dist, entry))].sort()).toEqual(allowed);
  });
});
