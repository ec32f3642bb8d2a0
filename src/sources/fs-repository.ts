import { existsSync, readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { TrellisError } from '../errors/index.js';
import { loadYaml } from '../yaml/load.js';
import { checkConfigPath } from './check-config-path.js';
import { toLoadedConfig } from './parse-config.js';
import type { ConfigRepository, LoadedConfig } from './repository.js';
import { checkArgs } from '../errors/check-args.js';

const EXTENSIONS = ['.yaml', '.yml'];

function displayPath(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : file;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Keeps a resolved file inside its search-path root even through symlinks. */
function insideRoot(root: string, file: string): boolean {
  try {
    const realRoot = realpathSync(root);
    const realFile = realpathSync(file);
    return realFile === realRoot || realFile.startsWith(realRoot + sep);
  } catch {
    return false;
  }
}

/**
 * A repository over directories on disk, first match wins (Hydra's search path order).
 * Loaded files and which groups exist are cached: the defaults tree asks more than once, and a
 * sweep composes every job from one repository.
 */
export function createFsRepository(dirs: string[], cwd: string = process.cwd()): ConfigRepository {
  checkArgs('createFsRepository', [
    ['dirs', dirs, 'strings'],
    ['cwd', cwd, 'string'],
  ]);
  const roots = dirs.map((d) => resolve(cwd, d));
  const cache = new Map<string, LoadedConfig | undefined>();
  const groups = new Map<string, boolean>();

  function findFile(given: string): { root: string; file: string } | undefined {
    const path = checkConfigPath(given);
    for (const root of roots) {
      for (const ext of EXTENSIONS) {
        const file = join(root, path + ext);
        if (existsSync(file) && !isDir(file)) {
          if (!insideRoot(root, file)) {
            throw new TrellisError('PATH_ESCAPE', `The config '${path}' resolves outside the config directory ${root}`, {
              hint: 'a symbolic link points outside the search path; copy the file in instead',
            });
          }
          return { root, file };
        }
      }
    }
    return undefined;
  }

  function listDir(given: string): Array<{ name: string; dir: boolean }> {
    const group = given && checkConfigPath(given);
    const seen = new Map<string, boolean>();
    for (const root of roots) {
      const dir = join(root, group);
      if (!isDir(dir)) continue;
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        if (entry.isDirectory()) seen.set(entry.name, true);
        else {
          const ext = EXTENSIONS.find((e) => entry.name.endsWith(e));
          if (ext) {
            const name = entry.name.slice(0, -ext.length);
            if (!seen.has(name)) seen.set(name, false);
          }
        }
      }
    }
    return [...seen].map(([name, dir]) => ({ name, dir }));
  }

  const repository: ConfigRepository = {
    loadConfig(path) {
      if (cache.has(path)) return cache.get(path);
      const found = findFile(path);
      let loaded: LoadedConfig | undefined;
      if (found) {
        const shown = displayPath(found.file, cwd);
        loaded = toLoadedConfig(path, shown, loadYaml(readFileSync(found.file, 'utf8'), shown), (group) => safely(() => repository.groupExists(group)));
      }
      cache.set(path, loaded);
      return loaded;
    },
    configExists(path) {
      return cache.get(path) !== undefined || findFile(path) !== undefined;
    },
    groupExists(group) {
      if (!group) return true;
      group = checkConfigPath(group);
      let exists = groups.get(group);
      if (exists === undefined) groups.set(group, (exists = roots.some((root) => isDir(join(root, group)))));
      return exists;
    },
    listOptions(group) {
      return listDir(group)
        .filter((e) => !e.dir || false)
        .map((e) => e.name)
        .sort();
    },
    listGroups(parent) {
      return listDir(parent)
        .filter((e) => e.dir)
        .map((e) => e.name)
        .sort();
    },
    describeSources() {
      return roots.map((r) => `file://${displayPath(r, cwd) || '.'}`);
    },
    missingSources() {
      return roots.filter((r) => !isDir(r)).map((r) => displayPath(r, cwd) || '.');
    },
  };
  return repository;
}

/** A name that is no valid config path is no group. */
function safely(check: () => boolean): boolean {
  try {
    return check();
  } catch {
    return false;
  }
}
