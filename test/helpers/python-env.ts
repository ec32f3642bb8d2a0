/**
 * Python environments for tests of command jobs: real venvs (made without pip, so in a second)
 * with fake distributions, and fake programs on a PATH.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface Venv {
  dir: string;
  bin: string;
  python: string;
  sitePackages: string;
  /** An env whose PATH and VIRTUAL_ENV select this venv first, as `activate` does. */
  env: (base?: NodeJS.ProcessEnv) => NodeJS.ProcessEnv;
}

/** `python3 -m venv --without-pip DIR`, with a fake distribution for each name → version. */
export function makeVenv(dir: string, distributions: Record<string, string> = {}): Venv {
  execFileSync('python3', ['-m', 'venv', '--without-pip', dir], { stdio: 'pipe' });
  const lib = join(dir, 'lib');
  const version = readdirSync(lib).find((d) => /^python3\.\d+$/.test(d));
  if (!version) throw new Error(`no lib/python3.X in the venv ${dir}`);
  const bin = join(dir, 'bin');
  const venv: Venv = {
    dir,
    bin,
    python: join(bin, 'python'),
    sitePackages: join(lib, version, 'site-packages'),
    env: (base = process.env) => ({ ...base, VIRTUAL_ENV: dir, PATH: `${bin}${delimiter}${base.PATH ?? ''}` }),
  };
  for (const [name, v] of Object.entries(distributions)) setDistribution(venv, name, v);
  return venv;
}

/** Installs `name` at `version` (null: uninstalls it) as pip does: the other versions' dist-info directories go. */
export function setDistribution(venv: Venv, name: string, version: string | null): void {
  for (const entry of readdirSync(venv.sitePackages)) {
    if (entry.startsWith(`${name}-`) && entry.endsWith('.dist-info')) rmSync(join(venv.sitePackages, entry), { recursive: true });
  }
  if (version === null) return;
  const info = join(venv.sitePackages, `${name}-${version}.dist-info`);
  mkdirSync(info);
  writeFileSync(join(info, 'METADATA'), `Metadata-Version: 2.1\nName: ${name}\nVersion: ${version}\n`);
}

/** An executable `#!/bin/sh` program `dir/name` running `body`; returns its path. */
export function shProgram(dir: string, name: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}
