import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TrellisError } from '../errors/index.js';
import { planProject, type PackageVersions } from './plan-project.js';

interface OwnPackage {
  name?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

/** trellis's package directory (bundled or not): the templates ship in it, under src/init/templates/. */
function ownRoot(): { dir: string; pkg: OwnPackage } {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as OwnPackage;
      if (pkg.name === 'trellis') return { dir, pkg };
    } catch {
      // none here: look one directory up
    }
    if (dirname(dir) === dir) throw new TrellisError('INTERNAL', 'trellis cannot find its own package.json, so not its templates either');
  }
}

function readTemplates(dir: string, base = dir, out: Record<string, string> = {}): Record<string, string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) readTemplates(path, base, out);
    else out[relative(base, path).split(sep).join('/')] = readFileSync(path, 'utf8');
  }
  return out;
}

/**
 * The dependency spec for trellis in the new project. Paths (a clone, a tarball from `npm pack`)
 * become `file:` specs relative to the project, so the project can move with them; anything else
 * (a git URL, a version) is kept as given.
 */
export function trellisSpec(from: string | undefined, projectDir: string, cwd: string, ownDir: string): string {
  const toFile = (path: string) => {
    const rel = relative(projectDir, resolve(cwd, path)).split(sep).join('/');
    return `file:${rel.startsWith('.') ? rel : `./${rel}`}`;
  };
  if (from === undefined) return toFile(ownDir);
  if (from.startsWith('file:')) return isAbsolute(from.slice(5)) ? from : toFile(from.slice(5));
  if (from.startsWith('.') || isAbsolute(from) || from.endsWith('.tgz')) return toFile(from);
  return from;
}

/** The file, or a parent of it that is not a directory, that stops `path` from being written. */
function inTheWay(projectDir: string, path: string): string | undefined {
  const parts = path.split('/');
  for (let i = 1; i <= parts.length; i++) {
    const prefix = parts.slice(0, i).join('/');
    if (!existsSync(join(projectDir, prefix))) return undefined;
    if (i === parts.length || !statSync(join(projectDir, prefix)).isDirectory()) return prefix;
  }
  return undefined;
}

export interface InitResult {
  dir: string;
  name: string;
  files: string[];
  trellis: string;
}

/** Writes a new project into `dir`; refuses before writing anything if one of its files exists. */
export function initProject(dir: string, options: { cwd: string; from?: string | undefined }): InitResult {
  const projectDir = resolve(options.cwd, dir);
  const own = ownRoot();
  const deps = { ...own.pkg.devDependencies, ...own.pkg.dependencies };
  const versions: PackageVersions = { zod: deps.zod ?? '^4.0.0', typescript: deps.typescript ?? '^7.0.0', typesNode: deps['@types/node'] ?? '^20.0.0' };
  const spec = trellisSpec(options.from, projectDir, options.cwd, own.dir);
  const plan = planProject(projectDir, readTemplates(join(own.dir, 'src', 'init', 'templates')), spec, versions);
  if (existsSync(projectDir) && !statSync(projectDir).isDirectory())
    throw new TrellisError('USAGE', `trellis init: ${dir} is a file, not a directory`, { hint: 'name a new or empty directory: trellis init my-experiment' });
  const paths = Object.keys(plan.files).sort();
  const existing = [...new Set(paths.map((p) => inTheWay(projectDir, p)).filter((p) => p !== undefined))];
  if (existing.length)
    throw new TrellisError('USAGE', `trellis init: ${dir} already has ${existing.join(', ')}; nothing was written`, {
      hint: 'init never overwrites: choose a new or empty directory (trellis init my-experiment)',
    });
  for (const path of paths) {
    const target = join(projectDir, path);
    try {
      mkdirSync(dirname(target), { recursive: true });
      // 'wx': a file that appeared since the check above is still never overwritten.
      writeFileSync(target, plan.files[path]!, { flag: 'wx' });
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
      throw new TrellisError('RUN_IO', `trellis init: cannot write ${join(dir, path)} (${code})`, { cause, hint: 'check that the directory is writable' });
    }
  }
  return { dir: projectDir, name: plan.name, files: paths, trellis: spec };
}
