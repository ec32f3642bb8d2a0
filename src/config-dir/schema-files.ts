import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { listConfigGroups } from '../sources/list-groups.js';
import { writeJsonAtomic } from '../run/atomic-write.js';
import type { ConfigSchema } from '../validate/validate.js';
import { openConfigDir } from './compose-dir.js';

export interface SchemaFilesOptions {
  configDir: string;
  configName?: string;
  outDir: string;
  cwd?: string;
}

/**
 * Writes `config.schema.json` for the primary config and `<group>.schema.json` for each config
 * group found in the config directory (groups the schema does not describe are skipped).
 * Returns the files written, relative to cwd.
 */
export async function writeConfigSchemas(schema: ConfigSchema, options: SchemaFilesOptions): Promise<string[]> {
  const cwd = options.cwd ?? process.cwd();
  const { configJsonSchemas } = await import('../validate/json-schema.js');
  const repo = openConfigDir(options.configDir, options.configName ?? 'config', cwd);
  const groups = listConfigGroups(repo).map((g) => g.group);
  const schemas = configJsonSchemas(schema, groups);
  const out = resolve(cwd, options.outDir);
  mkdirSync(out, { recursive: true });
  const written = [join(options.outDir, 'config.schema.json')];
  writeJsonAtomic(join(out, 'config.schema.json'), schemas.primary);
  for (const [group, groupSchema] of Object.entries(schemas.groups)) {
    const name = `${group.replaceAll('/', '.')}.schema.json`;
    writeJsonAtomic(join(out, name), groupSchema);
    written.push(join(options.outDir, name));
  }
  return written;
}
