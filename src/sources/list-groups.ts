import type { ConfigRepository } from './repository.js';

/** Every config group of a repository with its options, nested groups included (`db`, `db/engine`). */
export function listConfigGroups(repo: ConfigRepository, parent = ''): Array<{ group: string; options: string[] }> {
  const out: Array<{ group: string; options: string[] }> = [];
  for (const name of repo.listGroups(parent)) {
    const group = parent ? `${parent}/${name}` : name;
    const options = repo.listOptions(group);
    if (options.length) out.push({ group, options });
    out.push(...listConfigGroups(repo, group));
  }
  return out;
}
