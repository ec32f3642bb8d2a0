import { basename } from 'node:path';

/** What trellis's own package.json says about the packages a new project needs. */
export interface PackageVersions {
  zod: string;
  typescript: string;
  typesNode: string;
}

export interface ProjectPlan {
  /** Path inside the project → file text. */
  files: Record<string, string>;
  name: string;
}

/**
 * npm stores a package's `.gitignore` as `.npmignore`, so templates keep dotfiles under a `_`
 * name and get their dot back here.
 */
function targetPath(templatePath: string): string {
  return templatePath.replace(/(^|\/)_(gitignore)$/, '$1.$2');
}

/** A valid npm package name from a directory name: lower case, only the characters npm allows. */
export function packageName(dir: string): string {
  const name = basename(dir)
    .toLowerCase()
    .replace(/[^a-z0-9._~-]+/g, '-')
    .replace(/^[._-]+/, '')
    .slice(0, 214);
  return name || 'experiment';
}

/** The files of a new project: the templates, and a package.json with its scripts and dependencies. Pure. */
export function planProject(dir: string, templates: Record<string, string>, trellisSpec: string, versions: PackageVersions): ProjectPlan {
  const name = packageName(dir);
  const files: Record<string, string> = {};
  for (const [path, text] of Object.entries(templates)) files[targetPath(path)] = text;
  const pkg = {
    name,
    version: '0.1.0',
    private: true,
    type: 'module',
    scripts: {
      build: 'tsc -p .',
      start: 'tsc -p . && node dist/app.js',
      sweep: 'tsc -p . && node dist/app.js --multirun model=linear,quadratic optimizer=sgd,momentum',
      test: 'tsc -p . && node --test dist/*.test.js',
    },
    dependencies: { trellis: trellisSpec, zod: versions.zod },
    devDependencies: { '@types/node': versions.typesNode, typescript: versions.typescript },
  };
  files['package.json'] = `${JSON.stringify(pkg, null, 2)}\n`;
  return { files, name };
}
