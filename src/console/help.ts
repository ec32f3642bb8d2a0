import { GLOBAL_OPTIONS, type CommandSpec, type OptionSpec } from './command-spec.js';

export function optionLines(options: OptionSpec[]): string[] {
  const rows = options
    .filter((o) => !o.hidden)
    .map((o) => {
      const names = [`--${o.name}`, ...(o.alias ?? []).map((a) => (a.length <= 2 ? `-${a}` : `--${a}`))].join(', ');
      const left = o.arg ? `${names} ${o.arg}` : names;
      const extra = [o.values ? `one of ${o.values.join('|')}` : '', o.default !== undefined && o.default !== false ? `default: ${String(o.default)}` : '']
        .filter(Boolean)
        .join('; ');
      return [left, extra ? `${o.description} (${extra})` : o.description] as const;
    });
  const width = Math.max(...rows.map(([l]) => l.length));
  return rows.map(([l, r]) => `  ${l.padEnd(width)}  ${r}`);
}

export function commandHelp(spec: CommandSpec): string {
  const lines = [`trellis ${spec.name}: ${spec.summary}`, '', `usage: ${spec.usage}`, '', 'options:', ...optionLines([...spec.options, ...GLOBAL_OPTIONS])];
  if (spec.takesOverrides) {
    lines.push(
      '',
      'overrides (Hydra syntax):',
      '  key=value      change a value or select a group option (db=postgres)',
      '  +key=value     add a key or append a group',
      '  ++key=value    add or change',
      '  ~key           delete a key or a group from the defaults list',
    );
  }
  if (spec.examples.length) lines.push('', 'examples:', ...spec.examples.map((e) => `  ${e}`));
  return lines.join('\n');
}
