import { openConfigDir } from '../api/compose-dir.js';
import { compose } from '../compose/compose.js';
import { commandHelp } from '../cli/help.js';
import type { CommandSpec } from '../cli/options.js';
import type { ConfigRepository } from '../sources/repository.js';
import { toYamlText } from '../tree/emit.js';
import { fromPlain } from '../tree/node.js';
import { prepareJob, type JobSource } from './prepare-job.js';

/** Every config group under `parent` with its options, depth first. */
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

function describeSchema(source: JobSource): string[] {
  const shape = (source.schema as { shape?: Record<string, { description?: string }> } | undefined)?.shape;
  if (!shape) return [];
  const lines = Object.entries(shape)
    .filter(([, s]) => s?.description)
    .map(([k, s]) => `  ${k}: ${s.description}`);
  return lines.length ? ['', '== Keys ==', ...lines] : [];
}

/** Hydra-style app help: config groups and their options, then the composed config. */
export function appHelp(source: JobSource, spec: CommandSpec): string {
  const lines = [`${source.name}`, '', '== Configuration groups ==', 'Compose your configuration from those groups (group=option)', ''];
  try {
    const repo = openConfigDir(source.configDir, source.configName, source.cwd);
    const groups = listConfigGroups(repo);
    const width = Math.max(0, ...groups.map((g) => g.group.length));
    for (const g of groups) lines.push(`  ${g.group.padEnd(width)}  ${g.options.join(', ')}`);
    if (!groups.length) lines.push('  (none)');
  } catch (error) {
    lines.push(`  (cannot read ${source.configDir}: ${error instanceof Error ? error.message : String(error)})`);
  }
  lines.push(...describeSchema(source));
  try {
    const repo = openConfigDir(source.configDir, source.configName, source.cwd);
    const composition = compose({ repo, configName: source.configName });
    lines.push('', '== Config ==', 'Override anything in the config (foo.bar=value)', '', toYamlText(composition.config).trimEnd());
  } catch {
    // --help must work even when the config does not compose; the run would report why.
  }
  lines.push('', '== Flags ==', commandHelp({ ...spec, name: '', usage: `${source.name} ${spec.usage}` }).split('\n').slice(2).join('\n'));
  return lines.join('\n');
}

/** `--info`: where configs come from, what was merged in which order, the choices and the config. */
export async function appInfo(source: JobSource, overrides: readonly string[], what: string): Promise<string> {
  const repo = openConfigDir(source.configDir, source.configName, source.cwd);
  const sections: string[] = [];
  const want = (name: string) => what === 'all' || what === name;
  if (want('searchpath')) sections.push(['Config search path:', ...repo.describeSources().map((s) => `  ${s}`)].join('\n'));
  const prepared = await prepareJob({ ...source, schema: undefined }, overrides);
  if (want('defaults')) {
    const rows = prepared.composition.defaults.map((d) => [d.configPath, d.package || '(root)', d.parent ?? '']);
    const w0 = Math.max(11, ...rows.map((r) => r[0]!.length));
    const w1 = Math.max(7, ...rows.map((r) => r[1]!.length));
    sections.push(['Defaults list (merge order):', `  ${'Config path'.padEnd(w0)}  ${'Package'.padEnd(w1)}  Parent`, ...rows.map((r) => `  ${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`)].join('\n'));
    sections.push(`Choices:\n${toYamlText(fromPlain(prepared.composition.choices)).replace(/^/gm, '  ').trimEnd()}`);
  }
  if (want('config')) sections.push(`Config:\n${toYamlText(prepared.config).replace(/^/gm, '  ').trimEnd()}`);
  return sections.join('\n\n');
}
