import { loadYaml } from '../yaml/load.js';
import { checkConfigPath } from './check-config-path.js';
import { toLoadedConfig } from './parse-config.js';
import type { ConfigRepository, LoadedConfig } from './repository.js';
import { checkArgs } from '../errors/check-args.js';

/** A repository from `{ 'db/mysql': 'yaml text', … }`, for tests and programmatic use. */
export function createMemoryRepository(files: Record<string, string>, name = 'memory'): ConfigRepository {
  checkArgs('createMemoryRepository', [
    ['files', files, 'object'],
    ['name', name, 'string'],
  ]);
  const cache = new Map<string, LoadedConfig | undefined>();
  const paths = Object.keys(files);
  const children = (group: string) => {
    const prefix = group ? `${group}/` : '';
    return paths.filter((p) => p.startsWith(prefix)).map((p) => p.slice(prefix.length));
  };
  return {
    loadConfig(given) {
      const path = checkConfigPath(given);
      if (!cache.has(path)) {
        const text = files[path];
        const isGroup = (group: string) => paths.some((p) => p.startsWith(`${group}/`));
        cache.set(path, text === undefined ? undefined : toLoadedConfig(path, `${path}.yaml`, loadYaml(text, `${path}.yaml`), isGroup));
      }
      return cache.get(path);
    },
    configExists: (path) => Object.hasOwn(files, checkConfigPath(path)),
    groupExists: (group) => !group || paths.some((p) => p.startsWith(`${group}/`)),
    listOptions: (group) =>
      children(group)
        .filter((c) => !c.includes('/'))
        .sort(),
    listGroups: (group) =>
      [
        ...new Set(
          children(group)
            .filter((c) => c.includes('/'))
            .map((c) => c.split('/')[0]!),
        ),
      ].sort(),
    describeSources: () => [`${name}://`],
  };
}
