import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

interface PackageJson {
  name?: string;
  version?: string;
}

/** The nearest package.json at or above `dir` that `accept` takes, with the directory it is in. */
function nearestPackage(dir: string, accept: (pkg: PackageJson) => boolean = () => true): PackageJson | undefined {
  for (let here = dir; ; here = dirname(here)) {
    try {
      const pkg = JSON.parse(readFileSync(join(here, 'package.json'), 'utf8')) as PackageJson;
      if (accept(pkg)) return pkg;
    } catch {
      // none here (or unreadable): look one directory up
    }
    if (dirname(here) === here) return undefined;
  }
}

/** trellis's version, from the package.json above this file (bundled or not). */
export function trellisVersion(): string {
  return nearestPackage(dirname(fileURLToPath(import.meta.url)), (pkg) => pkg.name === 'trellis')?.version ?? '0.0.0';
}

/** `name version` of the project a file belongs to (its nearest package.json), for `--version`. */
export function projectVersion(file: string, fallbackName: string): string {
  const pkg = nearestPackage(dirname(file));
  return `${pkg?.name ?? fallbackName} ${pkg?.version ?? '(no version: no package.json)'}`;
}

/** trellis's own command-line script (package.json `bin`), which launchers and `rerun` start again. */
export function trellisBin(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson & { bin?: Record<string, string> };
      if (pkg.name === 'trellis') return join(dir, pkg.bin?.trellis ?? 'dist/bundle/bin.js');
    } catch {
      // none here: look one directory up
    }
    if (dirname(dir) === dir) return join(here, 'bin.js');
  }
}
