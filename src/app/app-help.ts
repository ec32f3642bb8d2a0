import { openConfigDir } from '../config-dir/compose-dir.js';
import { compose } from '../compose/compose.js';
import { commandHelp } from '../console/help.js';
import type { CommandSpec } from '../console/command-spec.js';
import { toYamlText } from '../tree/emit.js';
import { fromPlain } from '../tree/node.js';
import { listConfigGroups } from '../sources/list-groups.js';
import { prepareJob, type JobSource } from '../job/prepare.js';

/** Every config group under `parent` with its options, depth first. */
type JsonSchema = {
  type?: unknown;
  description?: string;
  default?: unknown;
  properties?: Record<string, JsonSchema>;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
};

function typeText(s: JsonSchema): string {
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.enum) return s.enum.map((v) => JSON.stringify(v)).join('|');
  const alternatives = s.anyOf ?? s.oneOf;
  if (alternatives) return [...new Set(alternatives.map(typeText))].join(' | ');
  return Array.isArray(s.type) ? s.type.join('|') : String(s.type ?? 'any');
}

/** One line per key: dotted path, type, description and default, from the app's schema. */
async function describeSchema(source: JobSource): Promise<string[]> {
  if (!source.schema) return [];
  const { z } = await import('zod');
  const root = z.toJSONSchema(source.schema, { io: 'input', unrepresentable: 'any' }) as JsonSchema;
  const rows: Array<[string, string, string]> = [];
  const walk = (s: JsonSchema, path: string) => {
    const branches = s.anyOf ?? s.oneOf;
    if (branches?.length && branches.every((b) => b.properties)) {
      // A union of objects (e.g. one per optimizer): list every key any branch has.
      const keys = new Map<string, JsonSchema[]>();
      for (const b of branches) for (const [k, v] of Object.entries(b.properties!)) keys.set(k, [...(keys.get(k) ?? []), v]);
      for (const [k, alts] of keys) walk(alts.length === 1 ? alts[0]! : { anyOf: alts }, path ? `${path}.${k}` : k);
      return;
    }
    if (s.properties) {
      for (const [key, child] of Object.entries(s.properties)) walk(child, path ? `${path}.${key}` : key);
      return;
    }
    const extra = [s.description ?? '', s.default !== undefined ? `(default: ${JSON.stringify(s.default)})` : ''].filter(Boolean).join(' ');
    rows.push([path, typeText(s), extra]);
  };
  walk(root, '');
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return ['', '== Keys ==', ...rows.map(([k, t, d]) => `  ${k.padEnd(w0)}  ${t.padEnd(w1)}  ${d}`.trimEnd())];
}

/** Hydra-style app help: config groups and their options, then the composed config. */
export async function appHelp(source: JobSource, spec: CommandSpec): Promise<string> {
  // An app's help is about the app; `trellis run --help` about the command.
  const isApp = spec.name === 'app';
  const lines = [
    isApp ? source.name : `trellis ${spec.name}: ${spec.summary}`,
    '',
    '== Configuration groups ==',
    'Compose your configuration from those groups (group=option)',
    '',
  ];
  try {
    const repo = openConfigDir(source.configDir, source.configName, source.cwd);
    const groups = listConfigGroups(repo);
    const width = Math.max(0, ...groups.map((g) => g.group.length));
    for (const g of groups) lines.push(`  ${g.group.padEnd(width)}  ${g.options.join(', ')}`);
    if (!groups.length) lines.push('  (none)');
  } catch (error) {
    lines.push(`  (cannot read ${source.configDir}: ${error instanceof Error ? error.message : String(error)})`);
  }
  lines.push(...(await describeSchema(source)));
  try {
    const repo = openConfigDir(source.configDir, source.configName, source.cwd);
    const composition = compose({ repo, configName: source.configName });
    lines.push('', '== Config ==', 'Override anything in the config (foo.bar=value)', '', toYamlText(composition.config).trimEnd());
  } catch {
    // --help must work even when the config does not compose; the run would report why.
  }
  lines.push(
    '',
    '== Flags ==',
    commandHelp({ ...spec, name: '', usage: isApp ? `${source.name} ${spec.usage}` : spec.usage })
      .split('\n')
      .slice(2)
      .join('\n'),
  );
  return lines.join('\n');
}

/** `--info`: where configs come from, what was merged in which order, the choices and the config. */
export async function appInfo(source: JobSource, overrides: readonly string[], what: string): Promise<string> {
  const repo = openConfigDir(source.configDir, source.configName, source.cwd, overrides);
  const sections: string[] = [];
  const want = (name: string) => what === 'all' || what === name;
  if (want('searchpath')) sections.push(['Config search path:', ...repo.describeSources().map((s) => `  ${s}`)].join('\n'));
  const prepared = await prepareJob({ ...source, schema: undefined }, overrides);
  if (want('defaults')) {
    const rows = prepared.composition.defaults.map((d) => [d.configPath, d.package || '(root)', d.parent ?? '']);
    const w0 = Math.max(11, ...rows.map((r) => r[0]!.length));
    const w1 = Math.max(7, ...rows.map((r) => r[1]!.length));
    sections.push(
      [
        'Defaults list (merge order):',
        `  ${'Config path'.padEnd(w0)}  ${'Package'.padEnd(w1)}  Parent`,
        ...rows.map((r) => `  ${r[0]!.padEnd(w0)}  ${r[1]!.padEnd(w1)}  ${r[2]}`),
      ].join('\n'),
    );
    sections.push(`Choices:\n${toYamlText(fromPlain(prepared.composition.choices)).replace(/^/gm, '  ').trimEnd()}`);
  }
  if (want('config')) sections.push(`Config:\n${toYamlText(prepared.config).replace(/^/gm, '  ').trimEnd()}`);
  return sections.join('\n\n');
}
