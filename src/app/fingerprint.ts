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

/** Each config file (relative to the config dir) → the sha256 of its content, for naming what changed. */
export function configFileHashes(options: { cwd: string; configDir: string }): Record<string, string> {
  const root = resolve(options.cwd, options.configDir);
  const out: Record<string, string> = {};
  for (const file of yamlFiles(root)) out[relative(root, file).split('\\').join('/')] = createHash('sha256').update(readFileSync(file)).digest('hex');
  return out;
}

/**
 * What changed in a config dir since a sweep started, as `changed a.yaml, new b.yaml, removed
 * c.yaml`. Without recorded hashes (sweeps from before they were kept), files modified after the
 * sweep was created are named. Undefined when no file differs.
 */
export function describeConfigChanges(
  recorded: Record<string, string> | undefined,
  options: { cwd: string; configDir: string; since: string | undefined },
): string | undefined {
  const now = configFileHashes(options);
  const root = resolve(options.cwd, options.configDir);
  const shown = (f: string) => relative(options.cwd, join(root, f)) || f;
  if (!recorded) {
    const since = options.since ? Date.parse(options.since) : Number.NaN;
    if (Number.isNaN(since)) return undefined;
    const touched = Object.keys(now).filter((f) => statSync(join(root, f)).mtimeMs > since);
    return touched.length ? `modified since the sweep started: ${touched.map(shown).join(', ')}` : undefined;
  }
  const parts = [
    ['changed', Object.keys(now).filter((f) => f in recorded && recorded[f] !== now[f])],
    ['new', Object.keys(now).filter((f) => !(f in recorded))],
    ['removed', Object.keys(recorded).filter((f) => !(f in now))],
  ] as const;
  const text = parts
    .filter(([, files]) => files.length)
    .map(([what, files]) => `${what} ${files.map(shown).join(', ')}`)
    .join('; ');
  return text || undefined;
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
