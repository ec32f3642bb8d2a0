import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

function yamlFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.sort().flatMap((name) => {
    const path = join(dir, name);
    const stat = statSync(path);
    return stat.isDirectory() ? yamlFiles(path) : /\.ya?ml$/.test(name) ? [path] : [];
  });
}

/**
 * A sweep's identity: every config file's content, the primary config name, the overrides and
 * the sweeper settings. Resuming a sweep whose fingerprint changed would mix two experiments.
 */
export function sweepFingerprint(options: { cwd: string; configDir: string; configName: string; overrides: readonly string[]; sweeper: unknown }): string {
  const hash = createHash('sha256');
  const root = resolve(options.cwd, options.configDir);
  for (const file of yamlFiles(root)) {
    hash.update(`file:${relative(root, file)}\0`);
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  hash.update(JSON.stringify({ configName: options.configName, overrides: options.overrides, sweeper: options.sweeper }));
  return hash.digest('hex').slice(0, 16);
}
